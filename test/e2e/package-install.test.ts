/**
 * The package as an administrator gets it: `npm pack`, then `npm install -g` of the tarball into an
 * empty prefix, and the installed `sc-owner-transfer` runs (help, version, the emulator with its
 * bundled catalog, a run against it). The install must not need an install script: npm warns about
 * those, and a locked-down machine refuses them.
 *
 * dist/ was built by `npm test` before vitest started, so the pack skips `prepack` (a build here
 * would rewrite dist/ under the other tests' feet). Dependencies come from npm's cache, filled by
 * `npm ci`, or from the registry the machine already reaches.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsTestEnv } from './helpers/cli.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let ws: Workspace;
let bin: string;
let installOutput: string;
let packedFiles: string[];

beforeAll(async () => {
  ws = await createWorkspace('sot-pack-');
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', ws.dir], { cwd: ROOT, env: NPM_ENV });
  const [manifest] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = manifest!.files.map((f) => f.path);
  const prefix = join(ws.dir, 'prefix');
  const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', join(ws.dir, manifest!.filename)], {
    cwd: ws.dir,
    env: NPM_ENV,
  });
  installOutput = installed.stdout + installed.stderr;
  bin = join(prefix, 'bin', 'sc-owner-transfer');
}, 180_000);

afterAll(async () => {
  await ws?.remove();
});

describe('the packed package', () => {
  it('holds the compiled CLI, the samples and the IAM policy, and nothing of the sources or tests', () => {
    for (const file of [
      'package.json',
      'README.md',
      'dist/src/cli.js',
      'dist/src/emulator/index.js',
      'samples/catalog.json',
      'samples/offboard-alice.csv',
      'docs/iam-policy.json',
    ]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((f) => /^(src|test|bench|dist\/bench|\.ci)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
  });

  it('installs globally without an install script to allow', () => {
    expect(installOutput).not.toMatch(/install.?script/i);
  });

  it('answers --version and --help', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await run(bin, ['--version'])).stdout.trim()).toBe(pkg.version);
    const help = await run(bin, ['--help']);
    for (const command of ['run', 'plan', 'status', 'undo', 'emulator']) expect(help.stdout).toContain(command);
  });

  it('starts the emulator with its bundled catalog, and runs the sample against it', async () => {
    const emulator = spawn(bin, ['emulator', '--port', '0', '--record-delay-ms', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let seen = '';
        emulator.stdout.on('data', (chunk: Buffer) => {
          seen += String(chunk);
          const match = /listening on (http:\/\/[\d.:]+)/.exec(seen);
          if (match) resolve(match[1]!);
        });
        emulator.on('exit', (code) => reject(new Error(`the installed emulator exited ${String(code)}: ${seen}`)));
      });
      const input = join(ws.dir, 'offboard-alice.csv');
      await copyFile(join(ROOT, 'samples', 'offboard-alice.csv'), input);
      const env = awsTestEnv({ AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_IAM: endpoint });
      const result = await run(bin, ['run', '--input', input, '--endpoint-url', endpoint, '--yes', '--no-progress', '--rate', '100'], { cwd: ws.dir, env });
      expect(result.stdout).toContain('exit code    0');
      const results = await readFile(`${input}.results.csv`, 'utf8');
      const sampleRows = (await readFile(input, 'utf8')).trim().split('\n').length - 1;
      expect(results.trim().split('\n')).toHaveLength(sampleRows + 1);
      expect(results).not.toMatch(/,failed,/);
    } finally {
      emulator.kill('SIGTERM');
    }
  });
});

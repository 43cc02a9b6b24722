/** The command line itself: help for every flag, version, unknown commands, and a second signal. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RUN_FLAGS } from '../../src/commands/run-flags.js';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CLI_PATH, runCli, spawnCli } from './helpers/cli.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

let ws: Workspace;
let emulator: RunningEmulator | undefined;

beforeEach(async () => {
  ws = await createWorkspace('sot-cli-');
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  await ws.remove();
});

it('--help lists the commands; run --help describes every flag; --version prints the package version', async () => {
  const top = await runCli(['--help'], { cwd: ws.dir });
  expect(top.code).toBe(0);
  for (const name of ['run', 'status', 'emulator']) expect(top.stdout).toContain(`  ${name} `);
  const run = await runCli(['run', '--help'], { cwd: ws.dir });
  expect(run.code).toBe(0);
  for (const flag of RUN_FLAGS) expect(run.stdout).toContain(`--${flag.name}`);
  expect(run.stdout).toMatch(/Exit codes:\n +0 {2}all done\n/);
  expect(run.stdout).toContain('130  interrupted (SIGINT), resumable');
  const version = await runCli(['--version'], { cwd: ws.dir });
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(version.stdout.trim()).toBe(pkg.version);
  const unknown = await runCli(['transfer-everything'], { cwd: ws.dir });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("unknown command 'transfer-everything'");
  const bare = await runCli([], { cwd: ws.dir });
  expect(bare.code).toBe(2);
  expect(bare.stdout).toContain('Usage: sc-owner-transfer <command>');
});

it('a second SIGINT exits at once (130) without waiting for rows in flight', async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 4, accountId: '123456789012' }), faults: { latencyMs: 60_000 } });
  const input = await ws.writeCsv(
    'rows.csv',
    CSV_HEADER,
    emulator.state.products().map((p) => [p.id, 'arn:aws:iam::123456789012:user/kim', '']),
  );
  const cli = spawnCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
  // The requests hang in the emulator's latency; interrupt once they are in flight.
  emulator.on('request', () => {
    if (cli.child.exitCode === null && !cli.child.killed) cli.child.kill('SIGINT');
  });
  await cli.waitForOutput('SIGINT received');
  cli.child.kill('SIGINT');
  const result = await cli.result;
  expect(result.code).toBe(130);
  expect(result.stderr).toContain('second SIGINT, exiting now');
  // It left before the end-of-run summary: the in-flight rows were not waited for.
  expect(result.stdout).not.toContain('Summary');
});

it('on a Node.js older than 20 says so in one line and exits 2, before loading anything else', async () => {
  // The launcher reads process.versions.node; a preload makes this Node report 18.
  const older = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"18.19.0"})';
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
    execFile(process.execPath, ['--import', older, CLI_PATH, 'run', '--input', 'x.csv'], { cwd: ws.dir }, (error, out, err) =>
      resolve({ stdout: out, stderr: err, code: error ? ((error as { code?: number }).code ?? null) : 0 }),
    );
  });
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toBe('sc-owner-transfer: needs Node.js 20 or newer (22 or 24 recommended); this is Node.js 18.19.0\n');
});

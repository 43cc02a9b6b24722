/**
 * Ways a run stops early, each with its exit code, a complete results file and a checkpoint that
 * the next run resumes: the failure budget, refused credentials, an AccessDenied streak, signals,
 * and a checkpoint held by another run.
 */
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { awsTestEnv, runCli, spawnCli } from './helpers/cli.js';
import { productIdOf, tokensByProduct, updateCalls, serviceCatalogCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:iam::${ACCOUNT}:user/frank`;

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  ws = await createWorkspace('sot-stop-');
});

afterEach(async () => {
  await emulator?.close();
  await ws.remove();
});

async function start(options: Partial<Parameters<typeof startEmulator>[0]> = {}, count = 30) {
  emulator = await startEmulator({ seed: generateSeed({ count, accountId: ACCOUNT, random: 3 }), ...options });
  const products = emulator.state.products();
  const input = await ws.writeCsv(
    'rows.csv',
    CSV_HEADER,
    products.map((p) => [p.id, NEW_OWNER, '']),
  );
  return { products, input };
}

const updates = () => updateCalls(emulator);

describe('stopping early', () => {
  it('--max-errors: stops taking rows, exit 3, the rest not-started; a rerun retries failed rows', async () => {
    const { products, input } = await start();
    // Products that do not exist fail for good (ResourceNotFoundException).
    const rows = products.map((p, i) => [i < 6 ? `pp-missing${i}` : p.id, NEW_OWNER, '']);
    await ws.writeCsv('rows.csv', CSV_HEADER, rows);
    // The updates' own refusals (preflight's are in run-preflight.test.ts).
    const result = await runCli(
      ['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--no-preflight', '--max-errors', '2', '--concurrency', '1'],
      { cwd: ws.dir },
    );
    expect(result.code).toBe(3);
    const results = await ws.readResults('rows.csv.results.csv');
    expect(results).toHaveLength(rows.length);
    expect(results.filter((r) => r.outcome === 'failed')).toHaveLength(3);
    expect(results.filter((r) => r.outcome === 'failed').every((r) => r.error_code === 'ResourceNotFoundException')).toBe(true);
    expect(results.filter((r) => r.outcome === 'not-started')).toHaveLength(rows.length - 3);
    expect(updates()).toHaveLength(3);

    // The next run retries the failed rows (they fail again) and goes on; exit 1 with a high budget.
    const again = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--no-preflight', '--max-errors', '100%'], {
      cwd: ws.dir,
    });
    expect(again.code).toBe(1);
    const retried = updates().filter((c) => productIdOf(c) === 'pp-missing0');
    expect(retried).toHaveLength(2);
    expect(retried[0]!.token).toBe(retried[1]!.token);
    for (const p of products.slice(6)) expect(emulator.state.product(p.id)!.owner).toBe(NEW_OWNER);
  });

  it('refused credentials stop the run at once with exit 3', async () => {
    const { input } = await start({ credentials: { AKIDGOOD: 'good-secret' } });
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--concurrency', '1'], {
      cwd: ws.dir,
      env: awsTestEnv({ AWS_ACCESS_KEY_ID: 'AKIDWRONG', AWS_SECRET_ACCESS_KEY: 'nope' }),
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/credentials were refused/);
    expect(serviceCatalogCalls(emulator).length).toBeLessThanOrEqual(2);
    const results = await ws.readResults('rows.csv.results.csv');
    expect(results).toHaveLength(30);
    expect(results.filter((r) => r.outcome === 'not-started').length).toBeGreaterThanOrEqual(28);
    // The secret never reaches the log.
    expect(result.stderr).not.toContain('nope');
  });

  it('--profile picks credentials and region from the shared files, as the AWS CLI does', async () => {
    // The emulator serves the profile's region: a signature scoped to another one would be refused.
    const { products, input } = await start({ credentials: { AKIDPROFILE: 'profile-secret' }, region: 'eu-west-1' }, 2);
    await writeFile(ws.path('credentials'), '[ops]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n');
    await writeFile(ws.path('config'), '[profile ops]\nregion = eu-west-1\n');
    const {
      AWS_ACCESS_KEY_ID: _k,
      AWS_SECRET_ACCESS_KEY: _s,
      AWS_REGION: _r,
      ...env
    } = awsTestEnv({
      AWS_SHARED_CREDENTIALS_FILE: ws.path('credentials'),
      AWS_CONFIG_FILE: ws.path('config'),
    });
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--profile', 'ops'], { cwd: ws.dir, env });
    expect(result.code, result.stderr).toBe(0);
    for (const p of products) expect(emulator.state.product(p.id)!.owner).toBe(NEW_OWNER);
  });

  it('no region or no credentials: refused before anything is written', async () => {
    const { input } = await start({}, 3);
    const { AWS_REGION: _region, ...noRegion } = awsTestEnv();
    const regionless = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir, env: noRegion });
    expect(regionless.code).toBe(2);
    expect(regionless.stderr).toMatch(/no AWS region/);
    const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...noKeys } = awsTestEnv();
    const keyless = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir, env: noKeys });
    expect(keyless.code).toBe(3);
    expect(keyless.stderr).toMatch(/no usable AWS credentials/);
    expect(emulator.state.calls()).toHaveLength(0);
    await expect(ws.readResults('rows.csv.results.csv')).rejects.toThrow(/ENOENT/);
  });

  it('a streak of AccessDenied on different products stops the run (exit 3); a single one only fails its row', async () => {
    const { products, input } = await start();
    emulator.setFaults({ accessDenied: [products[0]!.id] });
    const one = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(one.code).toBe(1);
    await ws.remove();
    ws = await createWorkspace('sot-stop-');
    const input2 = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, `arn:aws:iam::${ACCOUNT}:user/gina`, '']),
    );
    emulator.setFaults({ accessDenied: products.map((p) => p.id) });
    const streak = await runCli(
      ['run', '--input', input2, '--endpoint-url', emulator.endpoint, '--no-progress', '--concurrency', '1', '--max-errors', '100%'],
      { cwd: ws.dir },
    );
    expect(streak.code).toBe(3);
    expect(streak.stderr).toMatch(/permission itself looks gone/);
    const results = await ws.readResults('rows.csv.results.csv');
    expect(results.filter((r) => r.outcome === 'failed')).toHaveLength(5);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: finishes in-flight rows, writes every line, exits %i, and the next run completes', async (signal, code) => {
    const { products, input } = await start({}, 40);
    let seen = 0;
    const cli = spawnCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--concurrency', '2', '--rate', '50'], {
      cwd: ws.dir,
    });
    const off = emulator.on('request', (call) => {
      if (call.operation === 'UpdateProvisionedProductProperties' && ++seen === 10) cli.child.kill(signal);
    });
    const result = await cli.result;
    off();
    expect(result.code).toBe(code);
    const results = await ws.readResults('rows.csv.results.csv');
    expect(results).toHaveLength(40);
    const notStarted = results.filter((r) => r.outcome === 'not-started').length;
    expect(notStarted).toBeGreaterThan(0);
    const resumed = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(resumed.code).toBe(0);
    for (const p of products) expect(emulator.state.product(p.id)!.owner).toBe(NEW_OWNER);
    // Each product got exactly one token, however often it was sent.
    for (const tokens of tokensByProduct(emulator).values()) expect(tokens.size).toBe(1);
  });

  it('a checkpoint held by a live run is refused with exit 4, naming the holder', async () => {
    const { input } = await start({}, 3);
    // This test process is alive and on this host: a lock naming it is held.
    await writeFile(`${input}.checkpoint.lock`, JSON.stringify({ host: hostname(), pid: process.pid, startedAt: '2026-01-01T00:00:00.000Z', runId: '' }));
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(String(process.pid));
    expect(result.stderr).toContain(hostname());
    // Only the identity checks, which come before the lock; nothing reached Service Catalog.
    expect(serviceCatalogCalls(emulator)).toHaveLength(0);

    // A lock left by a dead process on this host is taken over.
    await writeFile(`${input}.checkpoint.lock`, JSON.stringify({ host: hostname(), pid: 2 ** 22 + 17, startedAt: '2026-01-01T00:00:00.000Z', runId: '' }));
    const taken = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(taken.code).toBe(0);
  });
});

/**
 * The job against an unreliable service: throttling, 500s, connections dropped before and after
 * the update was applied, and products held UNDER_CHANGE. Every row still ends applied exactly once.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type EmulatorFaults, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { productIdOf, tokensByProduct, updateRecords, serviceCatalogCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:sts::${ACCOUNT}:assumed-role/Platform/henry@example.com`;

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  ws = await createWorkspace('sot-fault-');
});

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

async function runWith(faults: EmulatorFaults, count: number, extraArgs: string[] = []) {
  emulator = await startEmulator({ seed: generateSeed({ count, accountId: ACCOUNT, random: 11 }), faults, random: 5 });
  const products = emulator.state.products();
  const input = await ws.writeCsv(
    'rows.csv',
    CSV_HEADER,
    products.map((p) => [p.id, NEW_OWNER, '']),
  );
  const result = await runCli(
    ['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--summary-json', ws.path('summary.json'), ...extraArgs],
    { cwd: ws.dir },
  );
  const summary = JSON.parse(await readFile(ws.path('summary.json'), 'utf8').catch(() => '{}'));
  return { products, result, summary };
}

function assertAllAppliedOnce(products: ReturnType<RunningEmulator['state']['products']>) {
  for (const p of products) expect(emulator.state.product(p.id)!.owner).toBe(NEW_OWNER);
  expect(updateRecords(emulator)).toHaveLength(products.length);
}

describe('an unreliable service', () => {
  it('throttling: the limiter adapts below the quota and every row succeeds', async () => {
    const { products, result, summary } = await runWith({ quotas: { UpdateProvisionedProductProperties: { ratePerSecond: 10, burst: 2 } } }, 60, [
      '--rate',
      '40',
      '--concurrency',
      '8',
    ]);
    expect(result.code, result.stderr).toBe(0);
    assertAllAppliedOnce(products);
    const updates = emulator.state.calls().filter((c) => c.operation === 'UpdateProvisionedProductProperties');
    const throttled = updates.filter((c) => c.outcome === 'ThrottlingException').length;
    expect(throttled).toBeGreaterThan(0);
    expect(summary.counts.throttles).toBe(throttled);
    // Hammering at 40/s into a 10/s quota would throttle ~3 of 4 calls; adapting keeps it far lower.
    expect(throttled / updates.length).toBeLessThan(0.5);
  });

  it('500s and connections dropped before or after applying: retried with the same token, applied once', async () => {
    // A scripted, deterministic sequence per product (random rates would make the test flaky: a row
    // that draws six faults in a row rightly fails).
    emulator = await startEmulator({ seed: generateSeed({ count: 12, accountId: ACCOUNT, random: 11 }) });
    const products = emulator.state.products();
    const [a, b, c, d] = products.map((p) => p.id);
    emulator.setFaults({
      script: [
        { productId: a, times: 2, action: 'server-error' },
        { productId: b, times: 2, action: 'drop-before' },
        { productId: c, times: 2, action: 'drop-after' },
        { productId: d, times: 1, action: 'drop-after' },
        { productId: d, times: 1, action: 'server-error' },
        { productId: d, times: 1, action: 'drop-before' },
      ],
    });
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, NEW_OWNER, '']),
    );
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--request-timeout', '5'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    assertAllAppliedOnce(products);
    const calls = emulator.state.calls().filter((call) => call.operation === 'UpdateProvisionedProductProperties');
    const outcomesOf = (id: string | undefined) => calls.filter((call) => productIdOf(call) === id).map((call) => call.outcome);
    expect(outcomesOf(a)).toEqual(['fault-500', 'fault-500', 'ok']);
    expect(outcomesOf(b)).toEqual(['dropped-before', 'dropped-before', 'ok']);
    expect(outcomesOf(c)).toEqual(['dropped-after', 'dropped-after', 'ok']);
    expect(outcomesOf(d)).toEqual(['dropped-after', 'fault-500', 'dropped-before', 'ok']);
    for (const set of tokensByProduct(emulator).values()) expect(set.size).toBe(1);
    const results = await ws.readResults('rows.csv.results.csv');
    expect(results.find((r) => r.provisioned_product_id === d)!.attempts).toBe('4');
  });

  it('a product held UNDER_CHANGE is retried after a longer wait and then succeeds', async () => {
    emulator = await startEmulator({ seed: generateSeed({ count: 3, accountId: ACCOUNT, random: 2 }) });
    const products = emulator.state.products();
    // Held from the moment its first update arrives (not from start: a slow CLI start-up on a busy
    // machine must not let the hold expire before the job gets there).
    let held = false;
    emulator.on('request', (call) => {
      if (!held && (call.params as { ProvisionedProductId?: string } | null)?.ProvisionedProductId === products[1]!.id) {
        held = true;
        emulator.setFaults({ underChange: { [products[1]!.id]: 2_000 } });
      }
    });
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, NEW_OWNER, '']),
    );
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    const calls = emulator.state.calls().filter((c) => (c.params as { ProvisionedProductId?: string }).ProvisionedProductId === products[1]!.id);
    expect(calls[0]!.outcome).toBe('InvalidStateException');
    expect(calls.at(-1)!.outcome).toBe('ok');
    assertAllAppliedOnce(products);
  });

  it('final errors are not retried: ResourceNotFound and InvalidParameters fail their row after one attempt', async () => {
    emulator = await startEmulator({ seed: generateSeed({ count: 2, accountId: ACCOUNT, random: 2 }) });
    const [a] = emulator.state.products();
    emulator.setFaults({ script: [{ productId: a!.id, times: 1, action: { error: 'LimitExceededException', message: 'resource limit' } }] });
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [
      [a!.id, NEW_OWNER, ''],
      ['pp-doesnotexist', NEW_OWNER, ''],
    ]);
    // The update's own answers (preflight would find the missing product first: run-preflight.test.ts).
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--no-preflight'], { cwd: ws.dir });
    expect(result.code).toBe(1);
    const results = (await ws.readResults('rows.csv.results.csv')).sort((x, y) => Number(x.line) - Number(y.line));
    expect(results.map((r) => [r.outcome, r.error_code, r.attempts])).toEqual([
      ['failed', 'LimitExceededException', '1'],
      ['failed', 'ResourceNotFoundException', '1'],
    ]);
    expect(serviceCatalogCalls(emulator)).toHaveLength(2);
  });
});

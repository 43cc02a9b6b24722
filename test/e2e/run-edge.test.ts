/**
 * Edges of the run's contract: an input edited while the job runs, and a request that hangs
 * past --request-timeout (the SDK's default is no timeout at all).
 */
import { appendFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { updateCalls, updateRecords } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:iam::${ACCOUNT}:user/ivan`;

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  ws = await createWorkspace('sot-edge-');
});
afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

it('an input file edited during the run stops it with exit 2; rows already sent stay in the checkpoint', async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 40, accountId: ACCOUNT, random: 9 }) });
  const products = emulator.state.products();
  const input = await ws.writeCsv(
    'rows.csv',
    CSV_HEADER,
    products.map((p) => [p.id, NEW_OWNER, '']),
  );
  let seen = 0;
  // Hold the 3rd update until the file has been edited, so the edit lands mid-run, deterministically.
  emulator.on('request', async (call) => {
    if (call.operation === 'UpdateProvisionedProductProperties' && ++seen === 3) {
      await appendFile(input, `${products[0]!.id},arn:aws:iam::${ACCOUNT}:user/mallory,\n`);
    }
  });
  const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--concurrency', '1'], { cwd: ws.dir });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/changed/i);
  // Nothing the edit added was sent (the file is small: every validated row was already buffered,
  // so the change is caught by the final re-stat).
  const owners = emulator.state.calls().map((c) => (c.params as { ProvisionedProductProperties?: { OWNER?: string } }).ProvisionedProductProperties?.OWNER);
  expect(owners).not.toContain(`arn:aws:iam::${ACCOUNT}:user/mallory`);
  const status = await runCli(['status', '--checkpoint', `${input}.checkpoint`, '--json'], { cwd: ws.dir });
  expect(JSON.parse(status.stdout).done).toBeGreaterThanOrEqual(1);
});

it('a request that hangs past --request-timeout is retried with the same token and applied once', async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 1, accountId: ACCOUNT, random: 9 }), faults: { latencyMs: 3_000 } });
  const [product] = emulator.state.products();
  const input = await ws.writeCsv('rows.csv', CSV_HEADER, [[product!.id, NEW_OWNER, '']]);
  let seen = 0;
  emulator.on('request', () => {
    // Two slow answers, then the service recovers.
    if (++seen === 2) emulator.setFaults({ latencyMs: 0 });
  });
  const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--request-timeout', '1'], { cwd: ws.dir });
  expect(result.code, result.stderr).toBe(0);
  // The slow answers may fall on the preflight read or on the update: either way, every update
  // request carried the row's one token.
  expect(emulator.state.calls().length).toBeGreaterThanOrEqual(3);
  expect(new Set(updateCalls(emulator).map((c) => c.token)).size).toBe(1);
  expect(result.stderr).toMatch(/"error":"(ETIMEDOUT|TimeoutError)"/);
  expect(updateRecords(emulator)).toHaveLength(1);
  expect(emulator.state.product(product!.id)!.owner).toBe(NEW_OWNER);
});

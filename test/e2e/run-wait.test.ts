/**
 * Waiting for records (the default) against records that take time to finish, and a DescribeRecord
 * quota that throttles the reads without slowing the writes.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { updateCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:iam::${ACCOUNT}:user/judy`;

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  ws = await createWorkspace('sot-wait-');
  emulator = await startEmulator({
    seed: generateSeed({ count: 12, accountId: ACCOUNT, random: 4 }),
    recordDelayMs: 300,
    faults: { quotas: { DescribeRecord: { ratePerSecond: 2, burst: 1 } } },
  });
});
afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

it('with --no-wait rows are submitted; by default they are succeeded, and throttled reads never slow the writes', async () => {
  const products = emulator.state.products();
  const first = await ws.writeCsv(
    'a.csv',
    CSV_HEADER,
    products.slice(0, 6).map((p) => [p.id, NEW_OWNER, '']),
  );
  const noWait = await runCli(['run', '--input', first, '--endpoint-url', emulator.endpoint, '--no-progress', '--no-wait'], { cwd: ws.dir });
  expect(noWait.code, noWait.stderr).toBe(0);
  const submitted = await ws.readResults('a.csv.results.csv');
  expect(submitted.map((r) => r.outcome)).toEqual(Array(6).fill('submitted'));
  expect(submitted.every((r) => r.record_status === 'CREATED')).toBe(true);
  expect(emulator.state.calls().filter((c) => c.operation === 'DescribeRecord')).toHaveLength(0);

  const second = await ws.writeCsv(
    'b.csv',
    CSV_HEADER,
    products.slice(6).map((p) => [p.id, NEW_OWNER, '']),
  );
  const waited = await runCli(['run', '--input', second, '--endpoint-url', emulator.endpoint, '--no-progress', '--concurrency', '6', '--rate', '20'], {
    cwd: ws.dir,
  });
  expect(waited.code, waited.stderr).toBe(0);
  const results = await ws.readResults('b.csv.results.csv');
  expect(results.map((r) => [r.outcome, r.record_status])).toEqual(Array(6).fill(['succeeded', 'SUCCEEDED']));
  const reads = emulator.state.calls().filter((c) => c.operation === 'DescribeRecord');
  expect(reads.length).toBeGreaterThanOrEqual(6);
  expect(reads.some((c) => c.outcome === 'ThrottlingException')).toBe(true);
  expect(updateCalls(emulator).filter((c) => c.outcome === 'ThrottlingException')).toHaveLength(0);
  for (const p of products) expect(emulator.state.product(p.id)!.owner).toBe(NEW_OWNER);
});

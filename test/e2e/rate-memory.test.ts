/**
 * Issue 25, "Slow start", through the CLI and the local Service Catalog: a run under an update
 * quota settles, its `end` entry in the checkpoint keeps where each limiter ended, and the next
 * run of the same checkpoint (new rows appended) starts its lane there instead of at 4/s, saying
 * so in its log. Asserted from the ledger and the log, never by timing.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { updateCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, transferRows, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:sts::${ACCOUNT}:assumed-role/Platform/henry@example.com`;
const UPDATE = 'UpdateProvisionedProductProperties';

let emulator: RunningEmulator;
let ws: Workspace;

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

interface Rate {
  readonly rate: number;
  readonly settled: boolean;
}

/** A ledger entry or a log line, as far as this test reads them. */
interface JsonLine {
  readonly type?: string;
  readonly msg?: string;
  readonly lane?: string;
  readonly rates?: Record<string, Record<string, Rate>>;
  readonly startRates?: Record<string, Rate>;
}

const readJsonLines = async (name: string): Promise<JsonLine[]> =>
  (await readFile(ws.path(name), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonLine);

it("a resumed run starts each lane's limiters where the last run settled, from the checkpoint's end entry", async () => {
  emulator = await startEmulator({
    seed: generateSeed({ count: 50, accountId: ACCOUNT, random: 25 }),
    faults: { quotas: { [UPDATE]: { ratePerSecond: 10, burst: 2 } } },
    random: 5,
  });
  ws = await createWorkspace('sot-rates-');
  const products = emulator.state.products();
  const args = ['run', '--input', 'rows.csv', '--endpoint-url', emulator.endpoint, '--no-progress', '--rate', '40', '--concurrency', '8'];

  // Run 1: 35 rows; slow start passes the quota of 10/s, is throttled and settles under it.
  await ws.writeCsv('rows.csv', CSV_HEADER, transferRows(products.slice(0, 35), NEW_OWNER));
  const first = await runCli([...args, '--log-file', 'run1.log'], { cwd: ws.dir });
  expect(first.code, first.stderr).toBe(0);
  expect(updateCalls(emulator).some((call) => call.outcome === 'ThrottlingException')).toBe(true);
  const firstEnd = (await readJsonLines('rows.csv.checkpoint')).filter((entry) => entry.type === 'end');
  expect(firstEnd).toHaveLength(1);
  // One lane (a run in the caller's account: `default`), each operation that sent requests.
  expect(Object.keys(firstEnd[0]!.rates!)).toEqual(['default']);
  const settled = firstEnd[0]!.rates!.default![UPDATE]!;
  expect(settled).toEqual({ rate: expect.any(Number), settled: true });
  expect(settled.rate).toBeGreaterThan(1);
  expect(settled.rate).toBeLessThan(20); // settled near the quota, far from --rate 40
  expect(firstEnd[0]!.rates!.default!.DescribeRecord).toMatchObject({ rate: expect.any(Number) }); // the record waits had their own
  const firstLog = await readJsonLines('run1.log');
  expect(firstLog.some((line) => String(line.msg).includes('starts where'))).toBe(false); // a new checkpoint remembers nothing

  // Run 2: the same CSV with rows appended resumes the checkpoint; its lane starts at the settled rate, probing.
  await ws.writeCsv('rows.csv', CSV_HEADER, transferRows(products, NEW_OWNER));
  const second = await runCli([...args, '--log-file', 'run2.log'], { cwd: ws.dir });
  expect(second.code, second.stderr).toBe(0);
  const starts = (await readJsonLines('run2.log')).filter((line) => String(line.msg).includes("starts where the checkpoint's ledger last left it"));
  expect(starts).toHaveLength(1); // once a lane
  expect(starts[0]).toMatchObject({ lane: 'default', startRates: { [UPDATE]: { rate: settled.rate, settled: true } } });
  expect(starts[0]!.msg).toContain(`${UPDATE} at ${settled.rate}/s (probing up)`);
  for (const product of products) expect(emulator.state.product(product.id)!.owner).toBe(NEW_OWNER);

  // Its own end records where it ended in turn: still settled (it started probing), for the next night.
  const ends = (await readJsonLines('rows.csv.checkpoint')).filter((entry) => entry.type === 'end');
  expect(ends).toHaveLength(2);
  expect(ends[1]!.rates!.default![UPDATE]).toEqual({ rate: expect.any(Number), settled: true });
});

/**
 * `--max-errors` through the CLI and the local Service Catalog: rows failed by the checks before
 * any write (a target IAM does not have, a product not found) do not count toward it, and a budget
 * exceeded only once every row was decided stops nothing: the rows decide the exit code (1, not 3),
 * and neither the summary nor its JSON says the run stopped.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type ProductSnapshot, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { updatedProductIds } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const ZOE = `arn:aws:iam::${ACCOUNT}:user/zoe`;
const TYPO = `arn:aws:iam::${ACCOUNT}:user/bbo`;

let emulator: RunningEmulator;
let ws: Workspace;

async function start(count: number): Promise<ProductSnapshot[]> {
  emulator = await startEmulator({ seed: generateSeed({ count, accountId: ACCOUNT, random: 7 }) });
  ws = await createWorkspace('sot-budget-');
  return emulator.state.products().filter((p) => p.owner !== ZOE);
}

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

/** A run with its own checkpoint, results and summary JSON, named `name`. */
const files = (name: string) => ['--checkpoint', `${name}.checkpoint`, '--results', `${name}.results.csv`, '--summary-json', `${name}.json`];
const run = (input: string, name: string, ...flags: string[]) =>
  runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--rate', '1000', ...files(name), ...flags], { cwd: ws.dir });

const summaryOf = async (name: string) => JSON.parse(await readFile(ws.path(`${name}.json`), 'utf8')) as Record<string, unknown>;
const tally = (rows: Array<Record<string, string>>) => {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[`${row.outcome}:${row.reason}`] = (counts[`${row.outcome}:${row.reason}`] ?? 0) + 1;
  return counts;
};

describe('--max-errors and the checks before any write', () => {
  it('6 bad targets among 20 rows: the 14 others are sent, exit 1, no stop (default budget, and a budget of none)', async () => {
    const products = (await start(24)).slice(0, 20);
    emulator.setFaults({ missingPrincipals: [TYPO] });
    // The bad rows first: the target check answers them before any other row is tried.
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p, i) => [p.id, i < 6 ? TYPO : ZOE, '']),
    );
    for (const [name, budget] of [
      ['default', []],
      ['none', ['--max-errors', '0']],
    ] as const) {
      const result = await run(input, name, ...budget);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).not.toMatch(/stopped by/);
      expect(result.stdout).toContain('1 (some rows failed or invalid)');
      expect(result.stdout).not.toContain('resume from the checkpoint');
      expect(await summaryOf(name)).toMatchObject({ exitCode: 1, stoppedBy: null, counts: { total: 20, failed: 6, succeeded: name === 'default' ? 14 : 0 } });
      const rows = await ws.readResults(`${name}.results.csv`);
      expect(rows).toHaveLength(20);
      if (name === 'default') {
        expect(tally(rows)).toEqual({ 'failed:target-not-found': 6, 'succeeded:': 14 });
        expect([...updatedProductIds(emulator)].sort()).toEqual(
          products
            .slice(6)
            .map((p) => p.id)
            .sort(),
        );
      } else {
        // The same products, already moved by the first run: found in their target state, nothing sent.
        expect(tally(rows)).toEqual({ 'failed:target-not-found': 6, 'skipped:already-in-target-state': 14 });
      }
      expect(rows.filter((r) => r.outcome === 'failed').every((r) => r.attempts === '0' && r.error_code === 'NoSuchEntity')).toBe(true);
    }
    expect(updatedProductIds(emulator)).toHaveLength(14);
  });

  it('products that do not exist, found by preflight, do not count either: a budget of none goes on', async () => {
    const products = (await start(16)).slice(0, 14);
    const rows = [...products.map((p) => [p.id, ZOE, '']), ...Array.from({ length: 6 }, (_, i) => [`pp-missing${i}`, ZOE, ''])];
    // The missing products first, so a budget that counted them would stop before any update.
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [...rows.slice(14), ...rows.slice(0, 14)]);
    const result = await run(input, 'missing', '--max-errors', '0', '--concurrency', '1');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).not.toMatch(/stopped by/);
    expect(await summaryOf('missing')).toMatchObject({ exitCode: 1, stoppedBy: null, counts: { failed: 6, succeeded: 14, notStarted: 0 } });
    expect(tally(await ws.readResults('missing.results.csv'))).toEqual({ 'failed:not-found': 6, 'succeeded:': 14 });
  });
});

describe('a budget exceeded once every row was decided', () => {
  it('stops nothing: exit 1, not 3, and no "stopped by"; with rows left it still stops (exit 3)', async () => {
    const products = (await start(20)).slice(0, 17);
    // Without preflight, a product that does not exist is found by its update, which counts.
    const missing = Array.from({ length: 3 }, (_, i) => [`pp-missing${i}`, ZOE, '']);
    const input = await ws.writeCsv('last.csv', CSV_HEADER, [...products.map((p) => [p.id, ZOE, '']), ...missing]);
    // 3 failed of 20 tried is over 10%, but a percentage is judged from the 20th row on: the last one.
    const last = await run(input, 'last', '--no-preflight');
    expect(last.code, last.stderr).toBe(1);
    expect(last.stdout).not.toMatch(/stopped by/);
    expect(last.stdout).not.toContain('resume from the checkpoint');
    expect(last.stderr).not.toContain('failure budget');
    expect(await summaryOf('last')).toMatchObject({ exitCode: 1, stoppedBy: null, counts: { total: 20, failed: 3, succeeded: 17, notStarted: 0 } });
    const lastRows = await ws.readResults('last.results.csv');
    expect(tally(lastRows)).toEqual({ 'failed:final': 3, 'succeeded:': 17 });
    expect(lastRows.filter((r) => r.outcome === 'failed').every((r) => r.error_code === 'ResourceNotFoundException')).toBe(true);

    // The same failures first, one row at a time, budget 2: the third stops the run with rows left.
    const first = await ws.writeCsv('first.csv', CSV_HEADER, [...missing, ...products.map((p) => [p.id, ZOE, ''])]);
    const stopped = await run(first, 'first', '--no-preflight', '--max-errors', '2', '--concurrency', '1');
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toMatch(/stopped by\s+max-errors: failure budget/);
    expect(stopped.stderr).toContain('failure budget');
    expect(await summaryOf('first')).toMatchObject({ exitCode: 3, stoppedBy: 'max-errors', counts: { failed: 3, notStarted: 17 } });
  });
});

/**
 * Read before writing, confirm after, and put it back, through the CLI and the local Service
 * Catalog: preflight's skips and refusals (counted from the server's call log), waiting for the
 * record, token-already-used (with and without preflight), reconcile, undo, an old checkpoint, and the
 * calls a large CSV costs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type ProductSnapshot, type RunningEmulator } from '../../src/emulator/index.js';
import { deriveIdempotencyToken } from '../../src/transfer/token.js';
import { runCli } from './helpers/cli.js';
import { productIdOf, updateCalls, updatedProductIds, serviceCatalogCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const ZOE = `arn:aws:iam::${ACCOUNT}:user/zoe`;
const MALLORY = `arn:aws:iam::${ACCOUNT}:user/mallory`;
const NEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/SCLaunch-new`;

let emulator: RunningEmulator;
let ws: Workspace;

async function start(count: number, options: { recordDelayMs?: number; faults?: { shuffleUnsortedPages: boolean } } = {}): Promise<ProductSnapshot[]> {
  emulator = await startEmulator({ seed: generateSeed({ count, accountId: ACCOUNT, random: 11 }), ...options });
  ws = await createWorkspace('sot-pre-');
  return emulator.state.products();
}

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

const run = (input: string, ...flags: string[]) =>
  runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--rate', '1000', '--concurrency', '4', ...flags], { cwd: ws.dir });

const byLine = (rows: Array<Record<string, string>>) => [...rows].sort((a, b) => Number(a.line) - Number(b.line));
const operations = () => serviceCatalogCalls(emulator).map((call) => call.operation);
const count = (operation: string) => operations().filter((op) => op === operation).length;

describe('preflight', () => {
  it('skips products already in their target state with no update, even without the old checkpoint', async () => {
    const products = await start(6);
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, ZOE, NEW_ROLE]),
    );
    expect((await run(input)).code).toBe(0);
    // Every row answered from one account-wide read (a Search page for owners, a Scan page for
    // launch roles, kept in product-snapshot.ts): no row read on its own.
    expect([count('SearchProvisionedProducts'), count('ScanProvisionedProducts'), count('DescribeProvisionedProduct')]).toEqual([1, 1, 0]);
    const updates = updateCalls(emulator).length;
    expect(updates).toBe(6);
    // A cron run with a fresh checkpoint: every product is read, none is written.
    const again = await run(input, '--checkpoint', 'fresh.checkpoint', '--results', 'again.csv');
    expect(again.code, again.stderr).toBe(0);
    expect(updateCalls(emulator)).toHaveLength(updates);
    const results = await ws.readResults('again.csv');
    expect(results.map((r) => [r.outcome, r.reason, r.attempts])).toEqual(Array(6).fill(['skipped', 'already-in-target-state', '0']));
    expect(results.every((r) => r.previous_owner === ZOE && r.previous_launch_role === NEW_ROLE && r.product_status === 'AVAILABLE')).toBe(true);
    // And the checkpoint keeps them: resuming it reads nothing at all.
    const calls = serviceCatalogCalls(emulator).length;
    expect((await run(input, '--checkpoint', 'fresh.checkpoint', '--results', 'third.csv')).code).toBe(0);
    expect(serviceCatalogCalls(emulator)).toHaveLength(calls);
  });

  it('refuses a cross-account target and a missing product with no update, not counted by --max-errors, attempts 0', async () => {
    const products = await start(4);
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [
      [products[0]!.id, 'arn:aws:iam::999999999999:user/zoe', ''],
      ['pp-doesnotexist1', ZOE, ''],
      [products[1]!.id, ZOE, ''],
    ]);
    const result = await run(input, '--max-errors', '5');
    expect(result.code, result.stderr).toBe(1);
    const rows = byLine(await ws.readResults('rows.csv.results.csv'));
    expect(rows.map((r) => [r.outcome, r.reason, r.error_code, r.attempts])).toEqual([
      ['failed', 'cross-account', 'CrossAccount', '0'],
      ['failed', 'not-found', 'ResourceNotFoundException', '0'],
      ['succeeded', '', '', '1'],
    ]);
    expect(rows[0]!.error_message).toContain('account 999999999999');
    expect(updatedProductIds(emulator)).toEqual([products[1]!.id]);
    // Refused before any write, they do not count toward the budget: even a budget of none goes on.
    const budget = await run(input, '--checkpoint', 'b.checkpoint', '--results', 'b.csv', '--max-errors', '0', '--concurrency', '1');
    expect(budget.code, budget.stderr).toBe(1);
    expect(byLine(await ws.readResults('b.csv')).map((r) => [r.outcome, r.reason])).toEqual([
      ['failed', 'cross-account'],
      ['failed', 'not-found'],
      ['skipped', 'already-in-target-state'],
    ]);
  });

  it('waits for a product UNDER_CHANGE, then updates it', async () => {
    const products = await start(2);
    // Busy until the job has seen it busy: the hold ends when the first read is answered (an
    // event, not a wall-clock window that a loaded machine can outlast).
    emulator.setFaults({ underChange: { [products[0]!.id]: 3_600_000 } });
    const off = emulator.on('response', (call) => {
      if (call.operation === 'SearchProvisionedProducts') emulator.setFaults({ underChange: {} });
    });
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [[products[0]!.id, ZOE, '']]);
    const result = await run(input);
    off();
    expect(result.code, result.stderr).toBe(0);
    const [row] = await ws.readResults('rows.csv.results.csv');
    expect([row!.outcome, row!.record_status]).toEqual(['succeeded', 'SUCCEEDED']);
    // Read at least twice (busy, then free), and the update sent once, never refused as busy.
    expect(count('SearchProvisionedProducts')).toBeGreaterThanOrEqual(2);
    expect(updateCalls(emulator).map((c) => c.outcome)).toEqual(['ok']);
    expect(emulator.state.product(products[0]!.id)!.owner).toBe(ZOE);
  });
});

describe('waiting for the record', () => {
  it('reports a FAILED record as failed with its errors, and changes nothing', async () => {
    const products = await start(2, { recordDelayMs: 200 });
    emulator.setFaults({ failUpdates: [products[0]!.id] });
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [
      [products[0]!.id, ZOE, ''],
      [products[1]!.id, ZOE, ''],
    ]);
    const result = await run(input);
    expect(result.code, result.stderr).toBe(1);
    const rows = byLine(await ws.readResults('rows.csv.results.csv'));
    expect(rows.map((r) => [r.outcome, r.reason, r.record_status])).toEqual([
      ['failed', 'record-failed', 'FAILED'],
      ['succeeded', '', 'SUCCEEDED'],
    ]);
    expect(rows[0]!.error_message).toContain('UpdateFailed');
    expect(emulator.state.product(products[0]!.id)!.owner).toBe(products[0]!.owner);
  });
});

describe('undo, replays and reconcile', () => {
  it('run → undo → run puts back every owner and launch role; the original CSV again is token-already-used, never succeeded', async () => {
    const products = await start(8);
    // Some rows change the owner, some the launch role, some both.
    const rows = products.map((p, i) => [p.id, i % 3 === 2 ? '' : ZOE, i % 2 === 0 || i % 3 === 2 ? NEW_ROLE : '']);
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, rows);
    expect((await run(input)).code).toBe(0);

    const undo = await runCli(['undo', '--results', 'rows.csv.results.csv', '--out', 'undo.csv'], { cwd: ws.dir });
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain('sc-owner-transfer run --input');
    // The generated seed gives every product a launch role, so every row can be put back whole.
    expect(undo.stdout).toContain('0 cannot be put back in full');
    expect((await runCli(['undo', '--results', 'rows.csv.results.csv', '--out', 'undo.csv'], { cwd: ws.dir })).code).toBe(2);
    expect((await run(ws.path('undo.csv'), '--run-id', 'undo-1')).code).toBe(0);
    for (const product of products) {
      const now = emulator.state.product(product.id)!;
      expect([now.owner, now.launchRole]).toEqual([product.owner, product.launchRole]);
    }

    // The same CSV, run id and a fresh checkpoint: the service replays the first run's records.
    const replay = await run(input, '--checkpoint', 'replay.checkpoint', '--results', 'replay.csv', '--max-errors', '100%');
    expect(replay.code).toBe(1);
    const replayed = await ws.readResults('replay.csv');
    for (const row of replayed) {
      const product = products.find((p) => p.id === row.provisioned_product_id)!;
      const alreadyThere = (row.new_owner === '' || row.new_owner === product.owner) && (row.launch_role === '' || row.launch_role === product.launchRole);
      expect([row.outcome, row.reason]).toEqual(alreadyThere ? ['skipped', 'already-in-target-state'] : ['failed', 'token-already-used']);
    }
    expect(replayed.some((row) => row.reason === 'token-already-used')).toBe(true);
    expect(replayed[0]!.error_message + replayed.map((r) => r.error_message).join('')).toContain('--run-id');
    for (const product of products) expect(emulator.state.product(product.id)!.owner).toBe(product.owner);
  });

  it('--no-preflight on a fresh checkpoint after the change was put back: no row succeeded, exit 1, every product keeps its old owner', async () => {
    const products = await start(6);
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, ZOE, '']),
    );
    expect((await run(input)).code).toBe(0);
    for (const product of products) expect(emulator.state.product(product.id)!.owner).toBe(ZOE);
    const firstTokens = new Map(updateCalls(emulator).map((c) => [productIdOf(c), c.token]));

    // Put back by a second run with the old owners, under another run id.
    const back = await ws.writeCsv(
      'back.csv',
      CSV_HEADER,
      products.map((p) => [p.id, p.owner, '']),
    );
    expect((await run(back, '--run-id', 'put-back')).code).toBe(0);
    for (const product of products) expect(emulator.state.product(product.id)!.owner).toBe(product.owner);

    // The original CSV again, nothing read first, on a fresh checkpoint: the service replays the first run's records.
    const before = serviceCatalogCalls(emulator).length;
    const again = await run(input, '--no-preflight', '--checkpoint', 'fresh.checkpoint', '--results', 'again.csv');
    expect(again.code, again.stderr).not.toBe(0);
    expect(again.code).toBe(1);
    const rows = byLine(await ws.readResults('again.csv'));
    expect(rows).toHaveLength(products.length);
    for (const row of rows) {
      expect([row.outcome, row.reason, row.error_code, row.record_status]).toEqual(['failed', 'token-already-used', 'TokenAlreadyUsed', 'SUCCEEDED']);
      expect(row.error_message).toContain('--no-preflight');
      expect(row.idempotency_token).toBe(firstTokens.get(row.provisioned_product_id!));
    }
    for (const product of products) expect(emulator.state.product(product.id)!.owner).toBe(product.owner);
    // The cost: one update and one read of its finished record a row, nothing more.
    const calls = serviceCatalogCalls(emulator)
      .slice(before)
      .map((call) => call.operation)
      .sort();
    expect(calls).toEqual([...Array(6).fill('DescribeRecord'), ...Array(6).fill('UpdateProvisionedProductProperties')]);
  });

  it('undo from the checkpoint alone gives the same rows as from the results', async () => {
    const products = await start(4);
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, ZOE, NEW_ROLE]),
    );
    expect((await run(input)).code).toBe(0);
    expect((await runCli(['undo', '--results', 'rows.csv.results.csv', '--out', 'a.csv'], { cwd: ws.dir })).code).toBe(0);
    expect((await runCli(['undo', '--checkpoint', 'rows.csv.checkpoint', '--out', 'b.csv'], { cwd: ws.dir })).code).toBe(0);
    expect(await readFile(ws.path('b.csv'), 'utf8')).toBe(await readFile(ws.path('a.csv'), 'utf8'));
  });

  it('--reconcile puts back a product changed behind the job, twice in a row', async () => {
    const products = await start(3);
    const target = products[0]!;
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, ZOE, '']),
    );
    expect((await run(input)).code).toBe(0);
    const drift = await ws.writeCsv('drift.csv', CSV_HEADER, [[target.id, MALLORY, '']]);
    for (const round of [1, 2]) {
      // Someone gives the product to mallory (same value both times).
      expect((await run(drift, '--run-id', `drift-${round}`, '--checkpoint', `drift-${round}.checkpoint`, '--results', `drift-${round}.csv`)).code).toBe(0);
      expect(emulator.state.product(target.id)!.owner).toBe(MALLORY);
      // A plain rerun trusts its checkpoint; --reconcile reads and puts it back.
      const result = await run(input, '--reconcile', '--results', `reconciled-${round}.csv`);
      expect(result.code, result.stderr).toBe(0);
      expect(emulator.state.product(target.id)!.owner).toBe(ZOE);
      const rows = await ws.readResults(`reconciled-${round}.csv`);
      // The results are the ledger's view: the owner before the migration, not the drift (the ledger keeps that).
      expect(rows.find((r) => r.provisioned_product_id === target.id)).toMatchObject({ outcome: 'succeeded', previous_owner: target.owner });
      const ledger = (await readFile(ws.path('rows.csv.checkpoint'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; provisionedProductId?: string; previousOwner?: string });
      expect(ledger.filter((e) => e.type === 'sent' && e.provisionedProductId === target.id).at(-1)?.previousOwner).toBe(MALLORY);
      expect(rows.filter((r) => r.provisioned_product_id !== target.id).map((r) => r.reason)).toEqual(['already-in-target-state', 'already-in-target-state']);
    }
    // Three different tokens put zoe on the product: the first run's and one per drift.
    const tokens = new Set(
      updateCalls(emulator)
        .filter(
          (c) => (c.params as { ProvisionedProductProperties: { OWNER?: string } }).ProvisionedProductProperties.OWNER === ZOE && productIdOf(c) === target.id,
        )
        .map((c) => c.token),
    );
    expect(tokens.size).toBe(3);
  });
});

describe('compatibility and cost', () => {
  it('resumes a checkpoint written before preflight (journal format 1)', async () => {
    const products = await start(3);
    const rows = products.map((p) => [p.id, ZOE, '']);
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, rows);
    const token = deriveIdempotencyToken('', { provisionedProductId: products[0]!.id, newOwner: ZOE, launchRole: undefined });
    const lines = [
      { type: 'header', format: 1, runId: '', tokenScheme: 'sot1', createdAt: '2026-01-01T00:00:00.000Z', input },
      { type: 'sent', token, line: 2, provisionedProductId: products[0]!.id, at: '2026-01-01T00:00:01.000Z' },
      {
        type: 'finished',
        token,
        line: 2,
        provisionedProductId: products[0]!.id,
        outcome: 'succeeded',
        recordId: 'rec-old',
        recordStatus: 'SUCCEEDED',
        attempts: 1,
        errorCode: '',
        errorMessage: '',
        finishedAt: '2026-01-01T00:00:02.000Z',
      },
    ];
    await writeFile(ws.path('rows.csv.checkpoint'), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const result = await run(input);
    expect(result.code, result.stderr).toBe(0);
    const results = byLine(await ws.readResults('rows.csv.results.csv'));
    expect(results[0]).toMatchObject({ outcome: 'skipped', reason: 'already-succeeded', record_id: 'rec-old' });
    expect(results.slice(1).map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(updatedProductIds(emulator).sort()).toEqual([products[1]!.id, products[2]!.id].sort());
  });

  it.each([
    ['', false],
    [', with unsorted pages in a new order on every request (as AWS allows): the reads sort, and miss none', true],
  ])('a CSV covering most of the account reads it page by page: about 2 calls a row in all%s', async (_title, shuffleUnsortedPages) => {
    const products = await start(300, { faults: { shuffleUnsortedPages } });
    const rows = products.slice(0, 250).map((p, i) => [p.id, ZOE, i % 2 === 0 ? NEW_ROLE : '']);
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, rows);
    const result = await run(input, '--concurrency', '8');
    expect(result.code, result.stderr).toBe(0);
    // 300 products: Search 100 a page (3 pages), Scan 20 a page (15 pages), then per row one update and one record read.
    expect(count('SearchProvisionedProducts')).toBe(3);
    expect(count('ScanProvisionedProducts')).toBe(15);
    expect(count('DescribeProvisionedProduct')).toBe(0);
    const changed = (await ws.readResults('rows.csv.results.csv')).filter((r) => r.outcome === 'succeeded').length;
    expect(count('UpdateProvisionedProductProperties')).toBe(changed);
    expect(count('DescribeRecord')).toBe(changed);
    expect(serviceCatalogCalls(emulator).length / rows.length).toBeLessThanOrEqual(2.1);
    // The target check adds one STS call and one IAM read per distinct target, not per row.
    expect(emulator.state.calls().length - serviceCatalogCalls(emulator).length).toBe(3);
  });

  it('a CSV of a few rows reads them one by one', async () => {
    const products = await start(1000);
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.slice(0, 3).map((p) => [p.id, ZOE, '']),
    );
    expect((await run(input)).code).toBe(0);
    // One Search page to learn the account's size, then a Search per row (cheaper than 10 pages).
    expect(count('SearchProvisionedProducts')).toBe(4);
    expect(count('ScanProvisionedProducts')).toBe(0);
  });
});

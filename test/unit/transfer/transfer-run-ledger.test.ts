/** The engine and the ledger: write-ahead before every request, rows a later change superseded, and results as a view of the ledger. */
import { describe, expect, it } from 'vitest';
import type { FoundState } from '../../../src/transfer/row-result.js';
import { deriveIdempotencyToken } from '../../../src/transfer/token.js';
import { TransferRun } from '../../../src/transfer/transfer-run.js';
import type { JournalFinished } from '../../../src/checkpoint/types.js';
import { drive, OWNER, row, setup, valid } from './transfer-run-fakes.js';

/** Names no product: the engine reads per row, choosing so with no call (a CSV of a row or two is never read account-wide). */
const plan = { productIds: new Set<string>(), rowsSettingLaunchRole: 0 };

/** An earlier run's `finished` entry: the row succeeded, moving the product to OWNER. */
function doneEntry(token: string, line: number, provisionedProductId: string, recordId: string): JournalFinished {
  return {
    type: 'finished',
    token,
    line,
    provisionedProductId,
    outcome: 'succeeded',
    recordId,
    recordStatus: 'SUCCEEDED',
    attempts: 1,
    errorCode: '',
    errorMessage: '',
    finishedAt: '2024-01-01T00:00:00.000Z',
    newOwner: OWNER,
    launchRole: '',
  };
}
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const BEFORE_MIGRATION: FoundState = {
  productStatus: 'AVAILABLE',
  previousOwner: 'arn:aws:iam::123456789012:user/carol',
  previousOwnerSession: '',
  previousLaunchRole: '',
};

describe('TransferRun on the ledger', () => {
  it('sends no request before its sent entry, with what preflight read and the targets, is durable', async () => {
    const s = setup([valid(row(2, 'pp-1'))], { preflight: { plan } });
    s.api.product('pp-1');
    let release = () => undefined as void;
    s.journal.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = new TransferRun(s.options).run();
    // Every timer and callback runs, the journal still holds the entry: no update went out.
    for (let i = 0; i < 20; i += 1) await s.clock.advance(10);
    expect(s.journal.sent).toHaveLength(1);
    expect(s.api.callsFor('pp-1')).toHaveLength(0);
    expect(s.journal.sent[0]).toMatchObject({ previousOwner: ALICE, productStatus: 'AVAILABLE', newOwner: OWNER, launchRole: '' });
    release();
    const outcome = await drive(s.clock, run);
    expect(outcome.counts).toMatchObject({ succeeded: 1 });
    expect(s.api.callsFor('pp-1')).toHaveLength(1);
  });

  it('decides a superseded row again (never reports it done), and reads the product first', async () => {
    const s = setup([valid(row(2, 'pp-1'))], { preflight: { plan } });
    s.api.product('pp-1'); // back with alice: an undo's run put it back
    const token = deriveIdempotencyToken('run-1', row(2, 'pp-1'));
    const done = doneEntry(token, 2, 'pp-1', 'rec-old');
    s.journal.states.set(token, { state: 'superseded', finished: done });
    const outcome = await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-1').reason).not.toBe('already-succeeded');
    expect(s.log.filter((entry) => /^(search|describe|call):/.test(entry))).toEqual(['search:pp-1', 'call:pp-1']);
    expect(outcome.counts.skipped).toBe(0);
  });

  it("writes a row's previous values from the ledger's first read of its product, not from this run's read", async () => {
    const s = setup([valid(row(2, 'pp-1')), valid(row(3, 'pp-2'))], { preflight: { plan } });
    s.api.product('pp-1', { owner: OWNER, ownerSession: OWNER }).product('pp-2');
    // pp-1 was changed by a run killed after its update left: its first read is the state before the migration.
    s.journal.firstReads.set('pp-1', BEFORE_MIGRATION);
    await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'skipped', reason: 'already-in-target-state', previousOwner: BEFORE_MIGRATION.previousOwner });
    // The journal keeps what this run saw (a fact); the results are the view.
    expect(s.journal.finished.find((e) => e.provisionedProductId === 'pp-1')).toMatchObject({ previousOwner: OWNER });
    expect(s.results.byId('pp-2')).toMatchObject({ outcome: 'succeeded', previousOwner: ALICE });
  });

  it('reports a done row whose product drifted as drifted, at no extra call, when the account was read anyway; a resume that reads nothing trusts the ledger', async () => {
    const records = [valid(row(2, 'pp-new')), valid(row(3, 'pp-kept')), valid(row(4, 'pp-drifted'))];
    // A CSV of three products in an account of three: preflight reads the account's pages (one Search page) for the new row.
    const strategies: string[] = [];
    const s = setup(records, {
      preflight: { plan: { productIds: new Set(['pp-new', 'pp-kept', 'pp-drifted']), rowsSettingLaunchRole: 0 } },
      events: { onPreflightReader: (_lane, strategy) => strategies.push(strategy) },
    });
    s.api.product('pp-new').product('pp-kept', { owner: OWNER, ownerSession: OWNER }).product('pp-drifted');
    for (const [line, id] of [
      [3, 'pp-kept'],
      [4, 'pp-drifted'],
    ] as const) {
      const token = deriveIdempotencyToken('run-1', row(line, id));
      s.journal.states.set(token, {
        state: 'done',
        finished: doneEntry(token, line, id, `rec-old-${id}`),
      });
    }
    const outcome = await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-kept')).toMatchObject({ outcome: 'skipped', reason: 'already-succeeded' });
    expect(s.results.byId('pp-drifted')).toMatchObject({ outcome: 'drifted', reason: 'drifted-since-succeeded', recordId: 'rec-old-pp-drifted', attempts: 0 });
    expect(s.results.byId('pp-drifted').errorMessage).toContain(`owner now ${ALICE}`);
    expect(s.results.byId('pp-drifted').errorMessage).toContain('--reconcile');
    expect(outcome.counts).toMatchObject({ drifted: 1, skipped: 1, succeeded: 1 });
    // Nothing was read or sent for the done rows: the snapshot answered.
    expect(strategies).toEqual(['account (1 pages read)']);
    expect(s.log.filter((entry) => /^(search-page|scan-page):/.test(entry))).toEqual(['search-page:0']);
    expect(s.log.filter((entry) => /^(search|describe|call):/.test(entry))).toEqual(['call:pp-new']);
  });

  it('trusts the ledger for done rows when nothing was read (a resume whose rows are all done makes no call)', async () => {
    const s = setup([valid(row(2, 'pp-drifted'))], { preflight: { plan } });
    s.api.product('pp-drifted');
    const token = deriveIdempotencyToken('run-1', row(2, 'pp-drifted'));
    s.journal.states.set(token, {
      state: 'done',
      finished: doneEntry(token, 2, 'pp-drifted', 'rec-old'),
    });
    await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-drifted')).toMatchObject({ outcome: 'skipped', reason: 'already-succeeded' });
    expect(s.log.filter((entry) => /^(search|describe|call):/.test(entry))).toEqual([]);
  });
});

/** The engine with preflight and waiting: skips, replays of earlier records, and write slots never held by a wait. */
import { describe, expect, it } from 'vitest';
import type { RecordAnswer } from '../../../src/aws/service-catalog-api.js';
import { TransferRun } from '../../../src/transfer/transfer-run.js';
import { drive, FakeApi, OWNER, row, setup, valid } from './transfer-run-fakes.js';

/** Records made by the fake (`createdAt` per record), IN_PROGRESS until `finishAt`. */
class RecordsApi extends FakeApi {
  finishAt = 0;
  override async describeRecord(recordId: string): Promise<RecordAnswer> {
    const record = await super.describeRecord(recordId);
    return { ...record, recordStatus: this.clock.now() >= this.finishAt ? 'SUCCEEDED' : 'IN_PROGRESS' };
  }
}

/** Names no product: the engine reads per row, choosing so with no call (a CSV of a row or two is never read account-wide). */
const plan = { productIds: new Set<string>(), rowsSettingLaunchRole: 0 };

describe('TransferRun with preflight', () => {
  it('skips a product already in its target state with no update, and journals it so a resume reads nothing', async () => {
    const s = setup([valid(row(2, 'pp-1')), valid(row(3, 'pp-2'))], { preflight: { plan } });
    s.api.product('pp-1', { owner: OWNER, ownerSession: OWNER }).product('pp-2');
    const outcome = await drive(s.clock, new TransferRun(s.options).run());
    expect(outcome.counts).toMatchObject({ skipped: 1, succeeded: 1 });
    expect(s.api.callsFor('pp-1')).toHaveLength(0);
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'skipped', reason: 'already-in-target-state', attempts: 0, previousOwner: OWNER });
    expect(s.journal.finished.find((e) => e.provisionedProductId === 'pp-1')).toMatchObject({ outcome: 'skipped', previousOwner: OWNER, newOwner: OWNER });
    expect(s.results.byId('pp-2')).toMatchObject({ outcome: 'succeeded', previousOwner: 'arn:aws:iam::123456789012:user/alice' });
  });

  it('reports a finished record made before the run as token-already-used, never succeeded', async () => {
    const s = setup([valid(row(2, 'pp-1')), valid(row(3, 'pp-2'))], {
      makeApi: (clock, log) => new RecordsApi(clock, log),
      preflight: { plan },
    });
    const api = s.api as RecordsApi;
    api.product('pp-1').product('pp-2');
    // The fake answers rec-<id>; pp-1's record is from an earlier run (an hour ago).
    api.createdAt.set('rec-pp-1', s.clock.now() - 3_600_000);
    await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'failed', reason: 'token-already-used', errorCode: 'TokenAlreadyUsed', attempts: 1 });
    expect(s.results.byId('pp-1').errorMessage).toContain('--run-id');
    expect(s.results.byId('pp-2')).toMatchObject({ outcome: 'succeeded' });
  });

  it('never holds a write slot while a record is waited for', async () => {
    const records = [valid(row(2, 'pp-1')), valid(row(3, 'pp-2')), valid(row(4, 'pp-3'))];
    const s = setup(records, { makeApi: (clock, log) => new RecordsApi(clock, log), concurrency: 1, wait: { timeoutMs: 600_000, firstPollMs: 1000 } });
    const api = s.api as RecordsApi;
    for (const id of ['pp-1', 'pp-2', 'pp-3']) api.script(id, { status: 'CREATED' });
    api.finishAt = s.clock.now() + 60_000;
    await drive(s.clock, new TransferRun(s.options).run());
    // With one write slot, all three updates went out before the first record finished.
    const firstFinish = s.log.findIndex((entry) => entry.startsWith('finished:'));
    expect(s.log.filter((entry, i) => entry.startsWith('call:') && i < firstFinish)).toEqual(['call:pp-1', 'call:pp-2', 'call:pp-3']);
    expect(s.results.rows.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(api.maxInFlight).toBe(1);
  });
});

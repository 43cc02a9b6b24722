/**
 * A run across accounts: one lane per account, each with its own API (its own credentials and
 * quota). The reader queues rows on their lanes, so a CSV sorted by account keeps every account
 * busy; each lane holds at most its share of the write slots, so a slow or throttled account
 * cannot take them all; an account that could not be reached leaves only its rows not started.
 */
import { describe, expect, it } from 'vitest';
import { Lane, placeLanes } from '../../../src/transfer/lane.js';
import { TransferRun } from '../../../src/transfer/transfer-run.js';
import type { InputRecord } from '../../../src/input/types.js';
import { drive, FakeApi, ok, row, setup, valid } from './transfer-run-fakes.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

/** `count` rows of `account`, product ids `<prefix>-<n>`, lines from `firstLine`. */
function rowsOf(account: string, prefix: string, count: number, firstLine: number): InputRecord[] {
  return Array.from({ length: count }, (_, i) =>
    valid({ ...row(firstLine + i, `${prefix}-${i + 1}`, `arn:aws:iam::${account}:role/NewOwner`), accountId: account }),
  );
}

describe('TransferRun across accounts', () => {
  it('a CSV sorted by account keeps every account busy; a slow account holds its share of the slots, no more', async () => {
    // 20 rows of A (each update takes 1 s) and then 20 rows of B (10 ms each), 4 write slots.
    const records = [...rowsOf(A, 'pa', 20, 2), ...rowsOf(B, 'pb', 20, 22)];
    const s = setup(records, { concurrency: 4 });
    const apiA = new FakeApi(s.clock);
    const apiB = new FakeApi(s.clock);
    for (let i = 1; i <= 20; i += 1) {
      apiA.script(`pa-${i}`, ok('SUCCEEDED', 1000));
      apiB.script(`pb-${i}`, ok('SUCCEEDED', 10));
    }
    const lane = (name: string, api: FakeApi) => new Lane({ name, api, maxRate: 1000, initialRate: 1000, clock: s.clock });
    const lanes = placeLanes(
      new Map([
        [A, lane(A, apiA)],
        [B, lane(B, apiB)],
      ]),
    );
    // A's updates in flight whenever one of B's is sent.
    const aInFlightAtB: { at: number; aInFlight: number }[] = [];
    const sendB = apiB.updateProperties.bind(apiB);
    apiB.updateProperties = (request, signal) => {
      aInFlightAtB.push({ at: s.clock.now(), aInFlight: apiA.inFlight });
      return sendB(request, signal);
    };
    const t0 = s.clock.now();
    const outcome = await drive(s.clock, new TransferRun({ ...s.options, lanes }).run());

    expect(outcome.counts).toMatchObject({ succeeded: 40, finished: 40 });
    expect(outcome.lanesStopped).toEqual([]);
    // A had every slot while it alone had work (B's rows were not read yet), then half of them:
    // B's rows started as A's first updates answered (at 1 s), not after A's rows were all sent.
    // (A's first four answer in the same instant: from the next instant on, A holds two slots at most.)
    expect(apiA.maxInFlight).toBe(4);
    const firstB = aInFlightAtB[0]!.at;
    expect(firstB - t0).toBe(1000);
    expect(Math.max(...aInFlightAtB.filter(({ at }) => at > firstB).map(({ aInFlight }) => aInFlight))).toBe(2);
    const lastB = Math.max(...apiB.calls.map((call) => call.at)) - t0;
    const lastA = Math.max(...apiA.calls.map((call) => call.at)) - t0;
    expect(lastB).toBeLessThan(1200);
    expect(lastA).toBeGreaterThanOrEqual(4000);
    // Once B was done, A had every slot: 20 one-second updates in about 20 ÷ 4 s after B, not 20 ÷ 2.
    expect(lastA).toBeLessThan(7000);
  });

  it('an account that could not be reached leaves only its rows not started, and the outcome names it', async () => {
    const records = [...rowsOf(A, 'pa', 3, 2), ...rowsOf(C, 'pc', 3, 5), ...rowsOf(B, 'pb', 3, 8)];
    const s = setup(records, { concurrency: 2 });
    const unreachable = new Lane({ name: C, api: new FakeApi(s.clock), maxRate: 1000, clock: s.clock });
    unreachable.stop('unreachable');
    const lanes = placeLanes(
      new Map([
        [A, new Lane({ name: A, api: s.api, maxRate: 1000, initialRate: 1000, clock: s.clock })],
        [B, new Lane({ name: B, api: s.api, maxRate: 1000, initialRate: 1000, clock: s.clock })],
        [C, unreachable],
      ]),
    );
    const outcome = await drive(s.clock, new TransferRun({ ...s.options, lanes }).run());
    expect(outcome.stoppedBy).toBeUndefined();
    expect(outcome.lanesStopped).toEqual([{ lane: C, reason: 'unreachable' }]);
    expect(s.results.outcomes()).toEqual({
      'pa-1': 'succeeded',
      'pa-2': 'succeeded',
      'pa-3': 'succeeded',
      'pb-1': 'succeeded',
      'pb-2': 'succeeded',
      'pb-3': 'succeeded',
      'pc-1': 'not-started',
      'pc-2': 'not-started',
      'pc-3': 'not-started',
    });
    expect(s.results.byId('pc-2')).toMatchObject({ reason: 'stopped-by-unreachable', accountId: C });
    expect(s.api.calls.map((call) => call.request.provisionedProductId).sort()).toEqual(['pa-1', 'pa-2', 'pa-3', 'pb-1', 'pb-2', 'pb-3']);
  });

  it('rows queued on a lane when it stops are not started; the reader never runs more than maxQueued ahead', async () => {
    const records = [...rowsOf(A, 'pa', 30, 2), ...rowsOf(B, 'pb', 2, 32)];
    const s = setup(records, { concurrency: 1, maxQueued: 5 });
    const apiA = new FakeApi(s.clock);
    apiA.script('pa-1', ok('SUCCEEDED', 100));
    apiA.script('pa-2', { error: () => Object.assign(new Error('expired'), { name: 'ExpiredTokenException', $metadata: { httpStatusCode: 400 } }) });
    const laneA = new Lane({ name: A, api: apiA, maxRate: 1000, initialRate: 1000, clock: s.clock });
    const lanes = placeLanes(
      new Map([
        [A, laneA],
        [B, new Lane({ name: B, api: s.api, maxRate: 1000, initialRate: 1000, clock: s.clock })],
      ]),
    );
    const pulledWhenFirstAnswered: number[] = [];
    apiA.log.push = (entry: string) => {
      if (entry === 'answer:pa-1') pulledWhenFirstAnswered.push(s.input.pulled);
      return Array.prototype.push.call(apiA.log, entry);
    };
    const outcome = await drive(s.clock, new TransferRun({ ...s.options, lanes }).run());
    // One started, five queued, one more read and waiting for room: the reader stayed within its bound.
    expect(pulledWhenFirstAnswered[0]).toBeLessThanOrEqual(8);
    expect(outcome.lanesStopped).toEqual([{ lane: A, reason: 'credentials' }]);
    expect(apiA.calls).toHaveLength(2);
    const outcomes = s.results.outcomes();
    expect(outcomes['pa-1']).toBe('succeeded');
    expect(outcomes['pa-2']).toBe('failed');
    for (let i = 3; i <= 30; i += 1) expect(outcomes[`pa-${i}`]).toBe('not-started');
    expect([outcomes['pb-1'], outcomes['pb-2']]).toEqual(['succeeded', 'succeeded']);
    expect(s.results.rows).toHaveLength(32);
  });

  it('--limit counts the rows sent, not the rows read ahead and queued', async () => {
    const records = [...rowsOf(A, 'pa', 20, 2), ...rowsOf(B, 'pb', 20, 22)];
    const s = setup(records, { concurrency: 2, limit: 7 });
    const lanes = placeLanes(
      new Map([
        [A, new Lane({ name: A, api: s.api, maxRate: 1000, initialRate: 1000, clock: s.clock })],
        [B, new Lane({ name: B, api: s.api, maxRate: 1000, initialRate: 1000, clock: s.clock })],
      ]),
    );
    for (let i = 1; i <= 20; i += 1) s.api.script(`pa-${i}`, ok('SUCCEEDED', 50)).script(`pb-${i}`, ok('SUCCEEDED', 50));
    const outcome = await drive(s.clock, new TransferRun({ ...s.options, lanes }).run());
    expect(outcome.stoppedBy).toBe('limit');
    expect(s.api.calls).toHaveLength(7);
    expect(outcome.counts).toMatchObject({ succeeded: 7, notStarted: 33, finished: 40 });
    expect(s.results.rows.filter((r) => r.outcome === 'not-started').every((r) => r.reason === 'stopped-by-limit')).toBe(true);
  });

  it('an input that breaks mid-run: the queued rows are dropped, nothing is sent or written after run() rejects', async () => {
    const good = [...rowsOf(A, 'pa', 10, 2), ...rowsOf(B, 'pb', 5, 12)];
    async function* breaking(): AsyncGenerator<InputRecord> {
      yield* good;
      throw new Error('the input changed');
    }
    const s = setup(good, { concurrency: 2, records: breaking() });
    for (let i = 1; i <= 10; i += 1) s.api.script(`pa-${i}`, ok('SUCCEEDED', 1000));
    const lanes = placeLanes(
      new Map([
        [A, new Lane({ name: A, api: s.api, maxRate: 1000, initialRate: 1000, clock: s.clock })],
        [B, new Lane({ name: B, api: s.api, maxRate: 1000, initialRate: 1000, clock: s.clock })],
      ]),
    );
    await expect(drive(s.clock, new TransferRun({ ...s.options, lanes }).run())).rejects.toThrow('the input changed');
    const calls = s.api.calls.length;
    const lines = s.results.rows.length;
    const sent = s.journal.sent.length;
    for (let i = 0; i < 500; i += 1) await s.clock.advance(10);
    expect([s.api.calls.length, s.results.rows.length, s.journal.sent.length]).toEqual([calls, lines, sent]);
    // Only the rows in flight when it broke (one a lane) were ever started; the queued ones were not.
    expect(calls).toBeLessThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(2);
    expect(lines).toBeLessThanOrEqual(2);
  });
});

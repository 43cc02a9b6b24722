import { describe, expect, it } from 'vitest';
import type { StopReason } from '../../../src/transfer/transfer-run.js';
import { deriveIdempotencyToken } from '../../../src/transfer/token.js';
import { parseFailureBudget } from '../../../src/transfer/failure-budget.js';
import { TransferRun } from '../../../src/transfer/transfer-run.js';
import { Lane } from '../../../src/transfer/lane.js';
import type { TransferRow } from '../../../src/input/types.js';
import { flushMicrotasks } from '../../helpers/manual-clock.js';
import { drive, fail, hang, ok, row, setup, valid, type Setup } from './transfer-run-fakes.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `pp-${i + 1}`);
const recordsFor = (list: string[]) => list.map((id, i) => valid(row(i + 2, id)));

function startRun(s: Setup, overrides: Partial<Setup['options']> = {}) {
  const stops: Array<[StopReason, string]> = [];
  const run = new TransferRun({ ...s.options, ...overrides, events: { onStop: (reason, detail) => stops.push([reason, detail]) } });
  let done = false;
  const promise = run.run();
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { run, promise, stops, done: () => done };
}

function expectOneResultPerRow(s: Setup, count: number): void {
  expect(s.results.rows.map((r) => r.line).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 2));
}

describe('TransferRun --limit', () => {
  it('stops after N rows sent; the rest are not-started; rows needing no call do not count', async () => {
    const done = row(3, 'pp-done');
    const records = [
      valid(row(2, 'pp-1')),
      valid(done),
      valid(row(4, 'pp-1'), 2),
      valid(row(5, 'pp-2')),
      valid(row(6, 'pp-3')),
      valid(row(7, 'pp-4')),
      valid(row(8, 'pp-5')),
    ];
    const s = setup(records, { limit: 2, concurrency: 3 });
    const doneToken = deriveIdempotencyToken('run-1', done);
    s.journal.states.set(doneToken, {
      state: 'done',
      finished: {
        type: 'finished',
        token: doneToken,
        line: 3,
        provisionedProductId: 'pp-done',
        outcome: 'succeeded',
        recordId: 'rec-0',
        recordStatus: 'SUCCEEDED',
        attempts: 1,
        errorCode: '',
        errorMessage: '',
        finishedAt: '2024-01-01T00:00:00.000Z',
      },
    });
    const t = startRun(s);
    const outcome = await drive(s.clock, t.promise);
    expect(s.api.calls.map((c) => c.request.provisionedProductId)).toEqual(['pp-1', 'pp-2']);
    expect(outcome.stoppedBy).toBe('limit');
    expect(t.stops).toEqual([['limit', expect.stringContaining('row limit (2)')]]);
    expectOneResultPerRow(s, 7);
    expect(s.results.rows.filter((r) => r.outcome === 'not-started').map((r) => [r.provisionedProductId, r.reason])).toEqual(
      ['pp-3', 'pp-4', 'pp-5'].map((id) => [id, 'stopped-by-limit']),
    );
    expect(s.results.byId('pp-3').idempotencyToken).toBe(deriveIdempotencyToken('run-1', row(6, 'pp-3')));
    expect(s.results.byId('pp-done').reason).toBe('already-succeeded');
    expect(outcome.counts).toMatchObject({ succeeded: 2, skipped: 2, notStarted: 3, finished: 7 });
  });
});

describe('TransferRun --max-errors', () => {
  it('a count budget stops taking rows; the row in flight still finishes', async () => {
    const s = setup(recordsFor(ids(5)), { failureBudget: parseFailureBudget('0'), concurrency: 2 });
    s.api.script('pp-1', fail('InvalidParametersException'));
    s.api.script('pp-2', ok('SUCCEEDED', 500));
    const t = startRun(s);
    const outcome = await drive(s.clock, t.promise);
    expect(outcome.stoppedBy).toBe('max-errors');
    expect(t.stops.map((x) => x[0])).toEqual(['max-errors']);
    expect(s.api.calls).toHaveLength(2);
    expect(s.results.outcomes()).toEqual({ 'pp-1': 'failed', 'pp-2': 'succeeded', 'pp-3': 'not-started', 'pp-4': 'not-started', 'pp-5': 'not-started' });
    expect(s.results.byId('pp-4').reason).toBe('stopped-by-max-errors');
    expect(s.journal.finished.map((f) => f.provisionedProductId).sort()).toEqual(['pp-1', 'pp-2']);
  });

  it('a percentage is judged only after minRowsForPercent rows', async () => {
    const s = setup(recordsFor(ids(8)), { failureBudget: parseFailureBudget('50%', 4), concurrency: 1 });
    for (const id of ids(8)) s.api.script(id, fail('ResourceNotFoundException'));
    const outcome = await drive(s.clock, startRun(s).promise);
    expect(s.api.calls).toHaveLength(4); // three failures out of three do not stop it
    expect(outcome.stoppedBy).toBe('max-errors');
    expect(outcome.counts).toMatchObject({ failed: 4, notStarted: 4 });
  });
});

describe('TransferRun --max-errors: a stop only when rows were left', () => {
  const BAD = 'arn:aws:iam::123456789012:user/bbo';
  const badTarget = new Map([[BAD, { reason: 'target-not-found' as const, errorCode: 'NoSuchEntity', message: `the owner ${BAD} does not exist` }]]);

  it('a percentage exceeded by the last rows, every row decided, is no stop: no event, no stop reason, no row left', async () => {
    const list = ids(20);
    const s = setup(recordsFor(list), { failureBudget: parseFailureBudget('10%'), concurrency: 4 });
    for (const id of list.slice(17)) s.api.script(id, fail('ResourceNotFoundException'));
    const t = startRun(s);
    const outcome = await drive(s.clock, t.promise);
    expect(outcome.stoppedBy).toBeUndefined();
    expect(t.stops).toEqual([]);
    expect(outcome.counts).toMatchObject({ succeeded: 17, failed: 3, notStarted: 0, finished: 20 });
    expectOneResultPerRow(s, 20);
  });

  it('a count exceeded when only rows needing no call remain is no stop either; with rows left it is, announced with the first', async () => {
    // pp-2 fails (budget 0); what follows repeats earlier lines: answered with no call, nothing left undone.
    const records = [valid(row(2, 'pp-1')), valid(row(3, 'pp-2')), valid(row(4, 'pp-1'), 2), valid(row(5, 'pp-2'), 3)];
    const s = setup(records, { failureBudget: parseFailureBudget('0'), concurrency: 1 });
    s.api.script('pp-2', fail('InvalidParametersException'));
    const t = startRun(s);
    const outcome = await drive(s.clock, t.promise);
    expect(outcome.stoppedBy).toBeUndefined();
    expect(t.stops).toEqual([]);
    const byLine = [...s.results.rows].sort((a, b) => a.line - b.line).map((r) => [r.line, r.outcome, r.reason]);
    expect(byLine).toEqual([
      [2, 'succeeded', ''],
      [3, 'failed', 'final'],
      [4, 'skipped', 'duplicate-of-line-2'],
      [5, 'skipped', 'duplicate-of-line-3'],
    ]);
    expect(outcome.counts).toMatchObject({ succeeded: 1, failed: 1, skipped: 2, notStarted: 0 });

    // One more row needing a call after the failure: it is left, and the stop is news.
    const s2 = setup([...records, valid(row(6, 'pp-3'))], { failureBudget: parseFailureBudget('0'), concurrency: 1 });
    s2.api.script('pp-2', fail('InvalidParametersException'));
    const t2 = startRun(s2);
    const outcome2 = await drive(s2.clock, t2.promise);
    expect(outcome2.stoppedBy).toBe('max-errors');
    expect(t2.stops).toEqual([['max-errors', expect.stringContaining('1 failed of 2 rows tried')]]);
    expect(s2.results.byId('pp-3')).toMatchObject({ outcome: 'not-started', reason: 'stopped-by-max-errors' });
  });

  it('a budget exceeded with nothing left gives way to a signal that comes after it', async () => {
    const s = setup(recordsFor(ids(2)), { failureBudget: parseFailureBudget('0'), concurrency: 2, graceMs: 1000 });
    s.api.script('pp-1', hang);
    s.api.script('pp-2', fail('InvalidParametersException'));
    const t = startRun(s);
    await s.clock.advance(50);
    expect(s.results.byId('pp-2').outcome).toBe('failed');
    expect(t.stops).toEqual([]);
    s.controller.abort(new Error('SIGTERM'));
    const outcome = await drive(s.clock, t.promise);
    expect(outcome.stoppedBy).toBe('signal');
    expect(t.stops.map((x) => x[0])).toEqual(['signal']);
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'failed', reason: 'interrupted-in-flight' });
  });

  it('rows the target check failed weigh nothing: 6 bad targets among 20 rows, finished first, stop nothing', async () => {
    for (const budget of ['10%', '0']) {
      const records = ids(20).map((id, i) => valid(row(i + 2, id, i % 3 === 0 && i < 18 ? BAD : undefined)));
      const s = setup(records, { failureBudget: parseFailureBudget(budget), concurrency: 4, targetProblems: badTarget });
      const t = startRun(s);
      const outcome = await drive(s.clock, t.promise);
      expect(outcome.stoppedBy, budget).toBeUndefined();
      expect(t.stops).toEqual([]);
      expect(outcome.counts).toMatchObject({ failed: 6, succeeded: 14, notStarted: 0 });
      expect(s.results.rows.filter((r) => r.outcome === 'failed').every((r) => r.reason === 'target-not-found' && r.attempts === 0)).toBe(true);
      expect(s.api.calls).toHaveLength(14);
    }
  });

  it("preflight's refusals (not found, cross-account) weigh nothing; a row failed at the service still trips a budget of none", async () => {
    const plan = { productIds: new Set<string>(), rowsSettingLaunchRole: 0 };
    const records = [
      valid(row(2, 'pp-missing')),
      valid(row(3, 'pp-1', 'arn:aws:iam::999999999999:user/zoe')),
      valid(row(4, 'pp-2')),
      valid(row(5, 'pp-3')),
      valid(row(6, 'pp-4')),
    ];
    const s = setup(records, { failureBudget: parseFailureBudget('0'), concurrency: 1, preflight: { plan } });
    s.api.product('pp-1').product('pp-2').product('pp-3').product('pp-4');
    const t = startRun(s);
    const outcome = await drive(s.clock, t.promise);
    expect(outcome.stoppedBy).toBeUndefined();
    expect(s.results.outcomes()).toEqual({ 'pp-missing': 'failed', 'pp-1': 'failed', 'pp-2': 'succeeded', 'pp-3': 'succeeded', 'pp-4': 'succeeded' });
    expect([s.results.byId('pp-missing').reason, s.results.byId('pp-1').reason]).toEqual(['not-found', 'cross-account']);

    const s2 = setup(records, { failureBudget: parseFailureBudget('0'), concurrency: 1, preflight: { plan } });
    s2.api.product('pp-1').product('pp-2').product('pp-3').product('pp-4');
    s2.api.script('pp-2', fail('AccessDeniedException'));
    const t2 = startRun(s2);
    const outcome2 = await drive(s2.clock, t2.promise);
    expect(outcome2.stoppedBy).toBe('max-errors');
    expect(t2.stops).toEqual([['max-errors', expect.stringContaining('1 failed of 1 rows tried')]]);
    expect(s2.results.outcomes()).toMatchObject({ 'pp-2': 'failed', 'pp-3': 'not-started', 'pp-4': 'not-started' });
  });
});

describe('TransferRun: refused credentials and AccessDenied', () => {
  it('refused credentials stop the run at once and abandon the rows in flight', async () => {
    const s = setup(recordsFor(ids(5)), { concurrency: 2, graceMs: 60_000 });
    s.api.script('pp-1', hang);
    s.api.script('pp-2', fail('UnrecognizedClientException'));
    const started = s.clock.now();
    const t = startRun(s);
    const outcome = await drive(s.clock, t.promise);
    expect(s.clock.now() - started).toBeLessThan(1000); // no grace period, no retries
    expect(outcome.stoppedBy).toBe('credentials');
    expect(t.stops).toEqual([['credentials', expect.stringContaining('UnrecognizedClientException')]]);
    expect(s.api.callsFor('pp-2')).toHaveLength(1);
    expect(s.api.calls).toHaveLength(2);
    expect(s.results.byId('pp-2')).toMatchObject({ outcome: 'failed', reason: 'credentials', errorCode: 'UnrecognizedClientException' });
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'failed', reason: 'interrupted-in-flight', errorCode: 'Aborted' });
    expect(s.journal.finished.map((f) => f.provisionedProductId)).toEqual(['pp-2']);
    expect(['pp-3', 'pp-4', 'pp-5'].map((id) => s.results.byId(id).reason)).toEqual(Array(3).fill('stopped-by-credentials'));
  });

  it('a streak of AccessDenied on different products stops the run; a success resets it', async () => {
    const list = ids(10);
    const s = setup(recordsFor(list), { lane: { accessDeniedStreak: 3 }, concurrency: 1 });
    const denied = fail('AccessDeniedException');
    for (const id of ['pp-1', 'pp-2', 'pp-4', 'pp-5', 'pp-7', 'pp-8', 'pp-9']) s.api.script(id, denied);
    const t = startRun(s);
    const outcome = await drive(s.clock, t.promise);
    // 1,2 denied | 3 ok | 4,5 denied | 6 ok | 7,8,9 denied: the third in a row stops it.
    expect(s.api.calls).toHaveLength(9);
    expect(outcome.stoppedBy).toBe('access-denied');
    expect(t.stops).toEqual([['access-denied', expect.stringContaining('3 products in a row answered AccessDeniedException')]]);
    expect(s.results.byId('pp-10')).toMatchObject({ outcome: 'not-started', reason: 'stopped-by-access-denied' });
    expect(s.results.byId('pp-4')).toMatchObject({ outcome: 'failed', reason: 'access-denied', attempts: 1 });
    expect(outcome.counts).toMatchObject({ failed: 7, succeeded: 2, notStarted: 1 });
  });
});

describe('TransferRun: signal', () => {
  it('stops taking rows; in-flight rows get graceMs, then are abandoned without a finished entry', async () => {
    const s = setup(recordsFor(ids(4)), { concurrency: 2, graceMs: 5000 });
    s.api.script('pp-1', hang);
    s.api.script('pp-2', hang);
    const t = startRun(s);
    await s.clock.advance(10);
    expect(s.api.hungCount).toBe(2);
    s.controller.abort(new Error('SIGINT'));
    await flushMicrotasks();
    expect(t.stops.map((x) => x[0])).toEqual(['signal']);
    await s.clock.advance(4990);
    expect(t.done()).toBe(false);
    expect(s.api.hungCount).toBe(2);
    await s.clock.advance(10);
    const outcome = await t.promise;
    expect(outcome.stoppedBy).toBe('signal');
    for (const id of ['pp-1', 'pp-2']) {
      expect(s.results.byId(id)).toMatchObject({ outcome: 'failed', reason: 'interrupted-in-flight', errorCode: 'Aborted', finishedAt: '' });
    }
    expect(s.results.byId('pp-3')).toMatchObject({ outcome: 'not-started', reason: 'stopped-by-signal' });
    expect(s.journal.sent.map((e) => e.provisionedProductId)).toEqual(['pp-1', 'pp-2']);
    expect(s.journal.finished).toHaveLength(0);
    expect(s.api.calls).toHaveLength(2);
    expectOneResultPerRow(s, 4);
  });

  it('a row that answers within the grace period keeps its real outcome', async () => {
    const s = setup(recordsFor(ids(3)), { concurrency: 2, graceMs: 5000 });
    s.api.script('pp-1', hang);
    s.api.script('pp-2', hang);
    const t = startRun(s);
    await s.clock.advance(10);
    s.controller.abort();
    await s.clock.advance(1000);
    s.api.release('pp-1', 'IN_PROGRESS');
    await s.clock.advance(4000);
    const outcome = await t.promise;
    expect(outcome.stoppedBy).toBe('signal');
    expect(s.results.outcomes()).toEqual({ 'pp-1': 'submitted', 'pp-2': 'failed', 'pp-3': 'not-started' });
    expect(s.journal.finished.map((f) => f.provisionedProductId)).toEqual(['pp-1']);
  });

  it('an already aborted signal sends nothing and does not wait for the grace period', async () => {
    const s = setup(recordsFor(ids(3)), { graceMs: 60_000 });
    s.controller.abort();
    const started = s.clock.now();
    const outcome = await drive(s.clock, startRun(s).promise);
    expect(s.clock.now() - started).toBeLessThan(1000);
    expect(outcome.stoppedBy).toBe('signal');
    expect(s.api.calls).toHaveLength(0);
    expect(outcome.counts.notStarted).toBe(3);
  });
});

describe('TransferRun: pool and reader', () => {
  it('never reads more than concurrency + 1 records ahead of the answers', async () => {
    const list = ids(10);
    const s = setup(recordsFor(list), { concurrency: 3, graceMs: 100 });
    for (const id of list) s.api.script(id, hang);
    const t = startRun(s);
    for (let i = 0; i < 10; i += 1) await s.clock.advance(10);
    expect(s.api.calls).toHaveLength(3);
    expect(s.input.pulled).toBeGreaterThanOrEqual(3);
    expect(s.input.pulled).toBeLessThanOrEqual(4);
    s.api.release('pp-1');
    for (let i = 0; i < 10; i += 1) await s.clock.advance(10);
    expect(s.api.calls).toHaveLength(4);
    expect(s.input.pulled).toBeLessThanOrEqual(5);
    s.controller.abort();
    await s.clock.advance(100);
    await t.promise;
    expect(s.input.pulled).toBe(10); // the rest is still read, so every row gets its line
    expectOneResultPerRow(s, 10);
  });

  it('never has more than concurrency calls in flight, and uses all of them', async () => {
    const list = ids(30);
    const s = setup(recordsFor(list), { concurrency: 4 });
    list.forEach((id, i) => {
      const delay = 20 + ((i * 37) % 90);
      s.api.script(id, ...(i % 5 === 0 ? [fail('ThrottlingException'), ok('SUCCEEDED', delay)] : [ok('SUCCEEDED', delay)]));
    });
    const outcome = await drive(s.clock, startRun(s).promise);
    expect(s.api.maxInFlight).toBe(4);
    expect(s.api.inFlight).toBe(0);
    // 30 updates, 6 retries, and each finished answer's record read once (is it an earlier one?).
    expect(outcome.counts).toMatchObject({ succeeded: 30, finished: 30, requests: 66 });
  });
});

describe('TransferRun: lanes', () => {
  it('refused credentials stop only their lane; the run goes on in the other and stops when none is left', async () => {
    const list = ids(6);
    const s = setup(recordsFor(list), { concurrency: 1 });
    // Odd products live in account A, even ones in account B; both answer through the same fake.
    const a = new Lane({ name: 'A', api: s.api, maxRate: 1000, clock: s.clock });
    const b = new Lane({ name: 'B', api: s.api, maxRate: 1000, clock: s.clock });
    const lanes = { lanes: [a, b], laneFor: (r: TransferRow) => (Number(r.provisionedProductId.slice(3)) % 2 === 1 ? a : b) };
    s.api.script('pp-1', fail('ExpiredTokenException'));
    const laneStops: string[] = [];
    const run = new TransferRun({ ...s.options, lanes, events: { onLaneStop: (lane, reason) => laneStops.push(`${lane}:${reason}`) } });
    const outcome = await drive(s.clock, run.run());
    expect(laneStops).toEqual(['A:credentials']);
    expect(outcome.stoppedBy).toBeUndefined();
    expect(s.results.outcomes()).toEqual({
      'pp-1': 'failed',
      'pp-2': 'succeeded',
      'pp-3': 'not-started',
      'pp-4': 'succeeded',
      'pp-5': 'not-started',
      'pp-6': 'succeeded',
    });
    expect(s.results.byId('pp-3').reason).toBe('stopped-by-credentials');
    expect(a.signal.aborted).toBe(true);
    expect(b.signal.aborted).toBe(false);

    // When the last lane stops too, the run stops with it.
    const s2 = setup(recordsFor(list), { concurrency: 1 });
    const a2 = new Lane({ name: 'A', api: s2.api, maxRate: 1000, clock: s2.clock });
    const b2 = new Lane({ name: 'B', api: s2.api, maxRate: 1000, clock: s2.clock });
    s2.api.script('pp-1', fail('ExpiredTokenException')).script('pp-2', fail('ExpiredTokenException'));
    const routed = { lanes: [a2, b2], laneFor: (r: TransferRow) => (Number(r.provisionedProductId.slice(3)) % 2 === 1 ? a2 : b2) };
    const stops: string[] = [];
    const outcome2 = await drive(
      s2.clock,
      new TransferRun({ ...s2.options, lanes: routed, events: { onStop: (reason, detail) => stops.push(`${reason}: ${detail}`) } }).run(),
    );
    expect(outcome2.stoppedBy).toBe('credentials');
    expect(stops).toEqual([expect.stringMatching(/^credentials: every lane stopped; the last, B: /)]);
    expect(s2.api.calls).toHaveLength(2);
  });
});

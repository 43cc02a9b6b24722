import { describe, expect, it } from 'vitest';
import type { JournalFinished } from '../../../src/checkpoint/types.js';
import type { InputRecord } from '../../../src/input/types.js';
import { deriveIdempotencyToken } from '../../../src/transfer/token.js';
import { dryRunSender } from '../../../src/transfer/row-sender.js';
import { TransferRun } from '../../../src/transfer/transfer-run.js';
import { OWNER, ROLE, drive, fail, ok, row, setup, valid } from './transfer-run-fakes.js';

const finishedEntry = (token: string, line: number, id: string, outcome: JournalFinished['outcome'], recordId: string): JournalFinished => ({
  type: 'finished',
  token,
  line,
  provisionedProductId: id,
  outcome,
  recordId,
  recordStatus: outcome === 'succeeded' ? 'SUCCEEDED' : outcome === 'submitted' ? 'IN_PROGRESS' : '',
  attempts: 2,
  errorCode: outcome === 'failed' ? 'InternalFailure' : '',
  errorMessage: '',
  finishedAt: '2024-01-02T03:04:05.000Z',
});

describe('TransferRun: one result per input record', () => {
  it('answers valid, invalid, duplicate and journaled rows, each exactly once', async () => {
    const rows = {
      a: row(2, 'pp-a'),
      dupA: row(4, 'pp-a'),
      done: row(5, 'pp-done'),
      sub: row(6, 'pp-sub'),
      failedBefore: row(7, 'pp-failed'),
      inflight: row(8, 'pp-inflight'),
      b: row(9, 'pp-b', null, ROLE),
    };
    const invalid: InputRecord = {
      kind: 'invalid',
      line: 3,
      raw: { provisioned_product_id: ' pp-bad! ', new_owner: 'nobody', launch_role: '', ticket: 'T-3' },
      problems: [{ code: 'ID_INVALID', line: 3, column: 'provisioned_product_id', message: 'not a provisioned product id' }],
    };
    const records = [
      valid(rows.a),
      invalid,
      valid(rows.dupA, 2),
      valid(rows.done),
      valid(rows.sub),
      valid(rows.failedBefore),
      valid(rows.inflight),
      valid(rows.b),
    ];
    const s = setup(records);
    const token = (r: typeof rows.a) => deriveIdempotencyToken('run-1', r);
    s.journal.states.set(token(rows.done), { state: 'done', finished: finishedEntry(token(rows.done), 5, 'pp-done', 'succeeded', 'rec-old-1') });
    s.journal.states.set(token(rows.sub), { state: 'done', finished: finishedEntry(token(rows.sub), 6, 'pp-sub', 'submitted', 'rec-old-2') });
    s.journal.states.set(token(rows.failedBefore), { state: 'failed', finished: finishedEntry(token(rows.failedBefore), 7, 'pp-failed', 'failed', '') });
    s.journal.states.set(token(rows.inflight), {
      state: 'in-flight',
      sent: { type: 'sent', token: token(rows.inflight), line: 8, provisionedProductId: 'pp-inflight', at: '2024-01-02T03:04:05.000Z' },
    });

    const outcome = await drive(s.clock, new TransferRun(s.options).run());

    expect(s.results.rows.map((r) => r.line).sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const byLine = new Map(s.results.rows.map((r) => [r.line, r]));
    expect(byLine.get(2)).toMatchObject({ outcome: 'succeeded', idempotencyToken: token(rows.a), extra: { ticket: 'T-2' } });
    expect(byLine.get(3)).toMatchObject({
      outcome: 'invalid',
      reason: 'ID_INVALID',
      provisionedProductId: 'pp-bad!',
      newOwner: 'nobody',
      idempotencyToken: '',
      extra: { ticket: 'T-3' },
    });
    expect(byLine.get(4)).toMatchObject({ outcome: 'skipped', reason: 'duplicate-of-line-2', idempotencyToken: token(rows.a) });
    expect(byLine.get(5)).toMatchObject({ outcome: 'skipped', reason: 'already-succeeded', recordId: 'rec-old-1', recordStatus: 'SUCCEEDED', attempts: 2 });
    expect(byLine.get(6)).toMatchObject({ outcome: 'skipped', reason: 'already-submitted', recordId: 'rec-old-2' });
    expect(byLine.get(7)).toMatchObject({ outcome: 'succeeded', recordId: 'rec-pp-failed' });
    expect(byLine.get(8)).toMatchObject({ outcome: 'succeeded', idempotencyToken: token(rows.inflight) });
    expect(byLine.get(9)).toMatchObject({ outcome: 'succeeded', newOwner: '', launchRole: ROLE });

    // Only rows that need a call were sent; journaled 'failed' and 'in-flight' were sent again with their token.
    expect(s.api.calls.map((c) => c.request.provisionedProductId).sort()).toEqual(['pp-a', 'pp-b', 'pp-failed', 'pp-inflight']);
    expect(s.api.callsFor('pp-inflight')[0]!.idempotencyToken).toBe(token(rows.inflight));
    expect(s.api.callsFor('pp-failed')[0]!.idempotencyToken).toBe(token(rows.failedBefore));
    expect(outcome.stoppedBy).toBeUndefined();
    // Four updates, and each one's finished record read once (is it an earlier one?).
    expect(outcome.counts).toMatchObject({ total: 8, finished: 8, succeeded: 4, skipped: 3, invalid: 1, failed: 0, notStarted: 0, requests: 8 });
  });

  it('sends each row with the token derived from run id and row, and its owner and launch role', async () => {
    const rows = [row(2, 'pp-1'), row(3, 'pp-2', null, ROLE), row(4, 'pp-3', OWNER, ROLE)];
    const s = setup(
      rows.map((r) => valid(r)),
      { runId: 'ticket-42' },
    );
    await drive(s.clock, new TransferRun(s.options).run());
    for (const r of rows) {
      const [request, ...more] = s.api.callsFor(r.provisionedProductId);
      expect(more).toHaveLength(0);
      expect(request!.owner === undefined).toBe(r.newOwner === undefined);
      expect(request).toEqual({
        provisionedProductId: r.provisionedProductId,
        owner: r.newOwner,
        launchRole: r.launchRole,
        idempotencyToken: deriveIdempotencyToken('ticket-42', r),
      });
      expect(s.results.byId(r.provisionedProductId).idempotencyToken).toBe(request!.idempotencyToken);
    }
    expect(new Set(s.api.calls.map((c) => c.request.idempotencyToken)).size).toBe(3);
  });
});

describe('TransferRun: outcomes follow the record status', () => {
  it('succeeded only on SUCCEEDED, submitted on CREATED/IN_PROGRESS, failed on FAILED', async () => {
    const statuses = { 'pp-s': 'SUCCEEDED', 'pp-c': 'CREATED', 'pp-i': 'IN_PROGRESS', 'pp-f': 'FAILED' } as const;
    const ids = Object.keys(statuses) as Array<keyof typeof statuses>;
    const s = setup(ids.map((id, i) => valid(row(i + 2, id))));
    for (const id of ids) s.api.script(id, ok(statuses[id]));
    const outcome = await drive(s.clock, new TransferRun(s.options).run());

    expect(s.results.outcomes()).toEqual({ 'pp-s': 'succeeded', 'pp-c': 'submitted', 'pp-i': 'submitted', 'pp-f': 'failed' });
    expect(s.results.byId('pp-c')).toMatchObject({ recordStatus: 'CREATED', recordId: 'rec-pp-c', attempts: 1, reason: '' });
    expect(s.results.byId('pp-f')).toMatchObject({ recordStatus: 'FAILED', errorCode: 'RecordFailed', reason: 'record-failed' });
    expect(s.results.byId('pp-s').finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const journaled = Object.fromEntries(s.journal.finished.map((f) => [f.provisionedProductId, [f.outcome, f.recordStatus, f.errorCode]]));
    expect(journaled).toEqual({
      'pp-s': ['succeeded', 'SUCCEEDED', ''],
      'pp-c': ['submitted', 'CREATED', ''],
      'pp-i': ['submitted', 'IN_PROGRESS', ''],
      'pp-f': ['failed', 'FAILED', 'RecordFailed'],
    });
    expect(outcome.counts).toMatchObject({ succeeded: 1, submitted: 2, failed: 1 });
  });

  it('a final error fails the row (journaled) and the run goes on', async () => {
    const s = setup([valid(row(2, 'pp-bad')), valid(row(3, 'pp-ok'))], { concurrency: 1 });
    s.api.script('pp-bad', fail('InvalidParametersException'));
    await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-bad')).toMatchObject({
      outcome: 'failed',
      reason: 'final',
      errorCode: 'InvalidParametersException',
      errorMessage: 'InvalidParametersException from the fake',
      attempts: 1,
    });
    expect(s.journal.finished.find((f) => f.provisionedProductId === 'pp-bad')).toMatchObject({ outcome: 'failed', errorCode: 'InvalidParametersException' });
    expect(s.results.byId('pp-ok').outcome).toBe('succeeded');
  });
});

describe('TransferRun: journal and retries', () => {
  it('writes `sent` before the call and `finished` after the answer', async () => {
    const ids = ['pp-1', 'pp-2', 'pp-3', 'pp-4'];
    const s = setup(
      ids.map((id, i) => valid(row(i + 2, id))),
      { concurrency: 3 },
    );
    s.api.script('pp-2', fail('InternalFailure', 500), ok('IN_PROGRESS'));
    await drive(s.clock, new TransferRun(s.options).run());
    for (const id of ids) {
      const sent = s.log.indexOf(`sent:${id}`);
      const call = s.log.indexOf(`call:${id}`);
      const answer = s.log.lastIndexOf(`answer:${id}`);
      const finished = s.log.indexOf(`finished:${id}`);
      expect(sent).toBeGreaterThanOrEqual(0);
      expect(sent).toBeLessThan(call);
      expect(answer).toBeLessThan(finished);
      expect(s.log.filter((e) => e === `sent:${id}`)).toHaveLength(1);
      expect(s.log.filter((e) => e === `finished:${id}`)).toHaveLength(1);
    }
    const sent = s.journal.sent.find((e) => e.provisionedProductId === 'pp-2')!;
    expect(sent).toMatchObject({ type: 'sent', line: 3, token: deriveIdempotencyToken('run-1', row(3, 'pp-2')) });
    expect(sent.at).toBe(new Date(Date.parse(sent.at)).toISOString());
  });

  it('a retried row resends the same token, and its attempts and throttles are counted', async () => {
    const s = setup([valid(row(2, 'pp-1'))]);
    s.api.script('pp-1', fail('ThrottlingException'), fail('ThrottlingException'), ok('SUCCEEDED'));
    const retries: string[] = [];
    const outcome = await drive(
      s.clock,
      new TransferRun({ ...s.options, events: { onRetry: (r, e) => retries.push(`${r.provisionedProductId}:${e.error.kind}`) } }).run(),
    );
    const tokens = s.api.callsFor('pp-1').map((r) => r.idempotencyToken);
    expect(tokens).toEqual(Array(3).fill(deriveIdempotencyToken('run-1', row(2, 'pp-1'))));
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'succeeded', attempts: 3 });
    expect(s.journal.sent).toHaveLength(1);
    // The row's throttled retries ride on its `finished` entry (report draws them over time).
    expect(s.journal.finished[0]).toMatchObject({ attempts: 3, outcome: 'succeeded', throttles: 2 });
    expect(retries).toEqual(['pp-1:throttle', 'pp-1:throttle']);
    // Three sends, and the finished record read once.
    expect(outcome.counts).toMatchObject({ requests: 4, retries: 2, throttles: 2 });
  });
});

describe('TransferRun: dry run', () => {
  it('sends nothing, journals nothing, and answers would-change', async () => {
    const r1 = row(2, 'pp-1');
    const r2 = row(3, 'pp-2');
    const s = setup([valid(r1), valid(r2), valid(row(4, 'pp-1'), 2)], { sender: dryRunSender });
    const t2 = deriveIdempotencyToken('run-1', r2);
    s.journal.states.set(t2, { state: 'failed', finished: finishedEntry(t2, 3, 'pp-2', 'failed', '') });
    const outcome = await drive(s.clock, new TransferRun(s.options).run());
    expect(s.api.calls).toHaveLength(0);
    expect(s.journal.sent).toHaveLength(0);
    expect(s.journal.finished).toHaveLength(0);
    expect(s.results.rows.map((r) => [r.line, r.outcome, r.reason])).toEqual([
      [2, 'would-change', ''],
      [3, 'would-change', 'would-retry-failed'],
      [4, 'skipped', 'duplicate-of-line-2'],
    ]);
    expect(s.results.rows[0]!.idempotencyToken).toBe(deriveIdempotencyToken('run-1', r1));
    expect(outcome.counts).toMatchObject({ wouldChange: 2, skipped: 1, requests: 0 });
  });
});

describe('TransferRun: local failures and options', () => {
  it('refuses a concurrency below 1 and repeats the value', () => {
    const s = setup([]);
    expect(() => new TransferRun({ ...s.options, concurrency: 0 })).toThrow('concurrency must be an integer >= 1, got 0');
    expect(() => new TransferRun({ ...s.options, concurrency: 1.5 })).toThrow(/got 1\.5/);
  });

  it('a failing results file rejects the run instead of carrying on blind', async () => {
    const s = setup([valid(row(2, 'pp-1')), valid(row(3, 'pp-2')), valid(row(4, 'pp-3'))], { concurrency: 1 });
    const boom = new Error('ENOSPC: no space left on device');
    const results = {
      write: async () => {
        throw boom;
      },
    };
    await expect(drive(s.clock, new TransferRun({ ...s.options, results }).run())).rejects.toBe(boom);
    // The first row's result fails after its write slot was freed, so at most the row that took
    // that slot was sent too; the third never is.
    expect(s.api.calls.length).toBeLessThanOrEqual(2);
    expect(s.api.callsFor('pp-3')).toHaveLength(0);
  });

  it('an input error mid-run rejects the run only once the rows in flight have settled', async () => {
    // E.g. the run pass finds the CSV changed since validation (FILE_CHANGED) after two rows.
    const boom = new Error('FILE_CHANGED: the input file changed since it was validated');
    async function* records(): AsyncGenerator<InputRecord> {
      yield valid(row(2, 'pp-1'));
      yield valid(row(3, 'pp-2'));
      throw boom;
    }
    const s = setup([], { records: records(), concurrency: 3 });
    s.api.script('pp-1', ok('SUCCEEDED', 1000));
    s.api.script('pp-2', ok('SUCCEEDED', 1000));
    let atSettle: { inFlight: number; finished: number; results: number } | undefined;
    const promise = new TransferRun(s.options).run();
    promise.then(
      () => undefined,
      () => (atSettle = { inFlight: s.api.inFlight, finished: s.journal.finished.length, results: s.results.rows.length }),
    );
    await expect(drive(s.clock, promise)).rejects.toBe(boom);
    await s.clock.advance(5000);
    // Nothing may still be talking to the API, or writing the journal and results, once run() has settled.
    expect(atSettle?.inFlight).toBe(0);
    expect(s.journal.finished).toHaveLength(atSettle!.finished);
    expect(s.results.rows).toHaveLength(atSettle!.results);
  });
});

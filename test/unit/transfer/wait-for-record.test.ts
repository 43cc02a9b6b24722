/**
 * `--wait`: records followed to SUCCEEDED/FAILED through their own limiter, bounded by a timeout;
 * and the engine's outcomes when it waits.
 */
import { ServiceCatalogServiceException } from '@aws-sdk/client-service-catalog';
import { describe, expect, it } from 'vitest';
import type { RecordAnswer } from '../../../src/aws/service-catalog-api.js';
import { AdaptiveRateLimiter } from '../../../src/transfer/adaptive-limiter.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/transfer/retry-policy.js';
import { TransferRun } from '../../../src/transfer/transfer-run.js';
import { waitForRecord } from '../../../src/transfer/wait-for-record.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { FakeApi, drive, laneOf, ok, row, setup, valid } from './transfer-run-fakes.js';

/** A FakeApi whose DescribeRecord answers a scripted status sequence per record. */
class WaitingApi extends FakeApi {
  readonly describes: Array<{ recordId: string; at: number }> = [];
  readonly #statuses = new Map<string, Array<string | (() => unknown)>>();

  statuses(recordId: string, ...steps: Array<string | (() => unknown)>): this {
    this.#statuses.set(recordId, steps);
    return this;
  }

  override async describeRecord(recordId: string): Promise<RecordAnswer> {
    this.describes.push({ recordId, at: this.clock.now() });
    const steps = this.#statuses.get(recordId) ?? [];
    const step = steps.length > 1 ? steps.shift()! : (steps[0] ?? 'IN_PROGRESS');
    if (typeof step === 'function') throw step();
    return { recordId, recordStatus: step, errors: step === 'FAILED' ? ['LaunchRoleInvalid: role cannot be assumed'] : [] };
  }
}

const throttle = () =>
  new ServiceCatalogServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

function deps(clock: ManualClock, api: WaitingApi, limiter = new AdaptiveRateLimiter({ maxRate: 100, clock })) {
  return { api, limiter, policy: DEFAULT_RETRY_POLICY, clock, random: () => 0, signal: new AbortController().signal };
}

describe('waitForRecord', () => {
  it('polls with a growing interval until the record finishes', async () => {
    const clock = new ManualClock();
    const api = new WaitingApi(clock).statuses('rec-1', 'CREATED', 'IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED');
    const start = clock.now();
    let requests = 0;
    const result = await drive(clock, waitForRecord('rec-1', { timeoutMs: 60_000 }, { ...deps(clock, api), onAttempt: () => (requests += 1) }));
    expect(result).toMatchObject({ kind: 'finished', record: { recordStatus: 'SUCCEEDED' } });
    expect(requests).toBe(4);
    const gaps = api.describes.map((d, i) => d.at - (i === 0 ? start : api.describes[i - 1]!.at));
    expect(gaps).toEqual([500, 1000, 2000, 4000]);
  });

  it('gives up at the timeout with the last status seen', async () => {
    const clock = new ManualClock();
    const api = new WaitingApi(clock).statuses('rec-1', 'IN_PROGRESS');
    const result = await drive(clock, waitForRecord('rec-1', { timeoutMs: 10_000 }, deps(clock, api)));
    expect(result).toMatchObject({ kind: 'timed-out', lastStatus: 'IN_PROGRESS' });
    expect(api.describes.at(-1)!.at - api.describes[0]!.at).toBeLessThan(10_000);
  });

  it('a throttled read is retried and cuts only the read limiter', async () => {
    const clock = new ManualClock();
    const api = new WaitingApi(clock).statuses('rec-1', throttle, 'SUCCEEDED');
    const readLimiter = new AdaptiveRateLimiter({ maxRate: 10, clock });
    const writeLimiter = new AdaptiveRateLimiter({ maxRate: 10, clock });
    const result = await drive(clock, waitForRecord('rec-1', { timeoutMs: 60_000 }, deps(clock, api, readLimiter)));
    expect(result.kind).toBe('finished');
    expect(readLimiter.stats.cuts).toBe(1);
    expect(writeLimiter.stats.cuts).toBe(0);
  });
});

describe('TransferRun with --wait', () => {
  it('reports succeeded / failed from the finished record, submitted (wait-timed-out) when it never finishes', async () => {
    const s = setup([valid(row(2, 'pp-ok')), valid(row(3, 'pp-bad')), valid(row(4, 'pp-slow'))]);
    const api = new WaitingApi(s.clock)
      .script('pp-ok', ok('CREATED'))
      .script('pp-bad', ok('CREATED'))
      .script('pp-slow', ok('CREATED'))
      .statuses('rec-pp-ok', 'IN_PROGRESS', 'SUCCEEDED')
      .statuses('rec-pp-bad', 'FAILED')
      .statuses('rec-pp-slow', 'IN_PROGRESS');
    const lanes = laneOf(s.clock, api, { maxRateFor: { DescribeRecord: 100 } });
    const run = new TransferRun({ ...s.options, lanes, concurrency: 3, wait: { timeoutMs: 20_000 } });
    const outcome = await drive(s.clock, run.run());
    expect(s.results.outcomes()).toEqual({ 'pp-ok': 'succeeded', 'pp-bad': 'failed', 'pp-slow': 'submitted' });
    expect(s.results.byId('pp-bad')).toMatchObject({
      errorCode: 'RecordFailed',
      reason: 'record-failed',
      errorMessage: 'LaunchRoleInvalid: role cannot be assumed',
    });
    expect(s.results.byId('pp-slow')).toMatchObject({ reason: 'wait-timed-out', recordStatus: 'IN_PROGRESS' });
    expect(s.journal.finished.map((f) => [f.provisionedProductId, f.outcome, f.recordStatus]).sort()).toEqual([
      ['pp-bad', 'failed', 'FAILED'],
      ['pp-ok', 'succeeded', 'SUCCEEDED'],
      ['pp-slow', 'submitted', 'IN_PROGRESS'],
    ]);
    // Requests count the reads too.
    expect(outcome.counts.requests).toBe(3 + api.describes.length);
  });

  it('does not poll when the update already answered a finished record (read once: is it an earlier one?), nor without --wait', async () => {
    for (const wait of [undefined, { timeoutMs: 20_000 }]) {
      const s = setup([valid(row(2, 'pp-done')), valid(row(3, 'pp-created'))]);
      const api = new WaitingApi(s.clock).script('pp-done', ok('SUCCEEDED')).script('pp-created', ok('CREATED')).statuses('rec-pp-created', 'SUCCEEDED');
      await drive(s.clock, new TransferRun({ ...s.options, lanes: laneOf(s.clock, api), wait }).run());
      const reads = api.describes.map((d) => d.recordId);
      expect(reads.filter((id) => id === 'rec-pp-done')).toEqual(['rec-pp-done']);
      expect(reads.filter((id) => id === 'rec-pp-created')).toHaveLength(wait === undefined ? 0 : 1);
      expect(s.results.outcomes()).toEqual({ 'pp-done': 'succeeded', 'pp-created': wait === undefined ? 'submitted' : 'succeeded' });
    }
  });
});

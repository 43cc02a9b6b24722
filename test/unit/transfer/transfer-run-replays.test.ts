/**
 * Records the service answers for a token it saw before this run began: never `succeeded`, with or
 * without preflight; and a row this checkpoint left in flight, resent, keeps its own record.
 */
import { ServiceCatalogServiceException } from '@aws-sdk/client-service-catalog';
import { describe, expect, it } from 'vitest';
import type { RecordAnswer } from '../../../src/aws/service-catalog-api.js';
import { CLOCK_SLACK_MS } from '../../../src/transfer/confirm-record.js';
import { deriveIdempotencyToken } from '../../../src/transfer/token.js';
import { TransferRun } from '../../../src/transfer/transfer-run.js';
import { drive, FakeApi, ok, row, setup, valid, type Setup } from './transfer-run-fakes.js';

const HOUR = 3_600_000;
/** Names no product: the engine reads per row, choosing so with no call (a CSV of a row or two is never read account-wide). */
const plan = { productIds: new Set<string>(), rowsSettingLaunchRole: 0 };

/** Marks a row as left in flight by an earlier run of the checkpoint, sent `agoMs` before now. */
function leftInFlight(s: Setup, line: number, id: string, agoMs: number): void {
  const token = deriveIdempotencyToken('run-1', row(line, id));
  const at = new Date(s.clock.now() - agoMs).toISOString();
  s.journal.states.set(token, { state: 'in-flight', sent: { type: 'sent', token, line, provisionedProductId: id, at } });
}

describe('a record made before the run, without preflight', () => {
  it('is token-already-used, never succeeded, waiting or not; the message says what preflight would have told', async () => {
    for (const wait of [undefined, { timeoutMs: 60_000 }]) {
      const s = setup([valid(row(2, 'pp-1')), valid(row(3, 'pp-2'))], { wait });
      // The fake answers rec-<id>, finished; pp-1's was made an hour ago (an undo has put the product back since).
      const madeAt = s.clock.now() - HOUR;
      s.api.createdAt.set('rec-pp-1', madeAt);
      const outcome = await drive(s.clock, new TransferRun(s.options).run());
      const replay = s.results.byId('pp-1');
      expect(replay).toMatchObject({
        outcome: 'failed',
        reason: 'token-already-used',
        errorCode: 'TokenAlreadyUsed',
        recordId: 'rec-pp-1',
        recordStatus: 'SUCCEEDED',
        attempts: 1,
      });
      expect(replay.errorMessage).toContain(`made ${new Date(madeAt).toISOString()}`);
      expect(replay.errorMessage).toContain('the product was not read (--no-preflight)');
      expect(replay.errorMessage).toContain('rerun without --no-preflight and with --reconcile');
      expect(replay.errorMessage).toContain('a new --run-id');
      expect(s.journal.finished.find((e) => e.provisionedProductId === 'pp-1')).toMatchObject({ outcome: 'failed', errorCode: 'TokenAlreadyUsed' });
      expect(s.results.byId('pp-2')).toMatchObject({ outcome: 'succeeded', reason: '' });
      // Each finished answer read once, and nothing more.
      expect(s.api.recordReads).toEqual(['rec-pp-1', 'rec-pp-2']);
      expect(outcome.counts).toMatchObject({ failed: 1, succeeded: 1, requests: 4 });
    }
  });

  it('an answer that has not finished costs no read without --wait', async () => {
    const s = setup([valid(row(2, 'pp-1'))]);
    s.api.script('pp-1', ok('CREATED'));
    s.api.createdAt.set('rec-pp-1', s.clock.now() - HOUR);
    await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'submitted', recordStatus: 'CREATED' });
    expect(s.api.recordReads).toEqual([]);
  });

  it("a record that cannot be read leaves the row submitted (accepted, not known to be this run's), never succeeded", async () => {
    class DeniedReads extends FakeApi {
      override async describeRecord(): Promise<RecordAnswer> {
        throw new ServiceCatalogServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          message: 'not allowed',
          $metadata: { httpStatusCode: 400 },
        });
      }
    }
    const s = setup([valid(row(2, 'pp-1'))], { makeApi: (clock, log) => new DeniedReads(clock, log) });
    await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.byId('pp-1')).toMatchObject({ outcome: 'submitted', reason: 'wait-failed-AccessDeniedException', recordStatus: 'SUCCEEDED' });
  });
});

describe('a row the checkpoint left in flight, resent with its token', () => {
  it("without preflight: the record of its earlier send is the run's own; one older than that send is not", async () => {
    const s = setup([valid(row(2, 'pp-own')), valid(row(3, 'pp-skewed')), valid(row(4, 'pp-older'))]);
    for (const [line, id] of [
      [2, 'pp-own'],
      [3, 'pp-skewed'],
      [4, 'pp-older'],
    ] as const)
      leftInFlight(s, line, id, 2 * HOUR);
    // Made by the earlier send, a second after its `sent` entry.
    s.api.createdAt.set('rec-pp-own', s.clock.now() - 2 * HOUR + 1000);
    // Made "before" the send by the service's clock, within the slack: a clock that runs behind.
    s.api.createdAt.set('rec-pp-skewed', s.clock.now() - 2 * HOUR - CLOCK_SLACK_MS + 1000);
    // Made long before the checkpoint sent it: the token was used by an earlier run.
    s.api.createdAt.set('rec-pp-older', s.clock.now() - 30 * HOUR);
    await drive(s.clock, new TransferRun(s.options).run());
    expect(s.results.outcomes()).toEqual({ 'pp-own': 'succeeded', 'pp-skewed': 'succeeded', 'pp-older': 'failed' });
    expect(s.results.byId('pp-older')).toMatchObject({ reason: 'token-already-used' });
  });

  it('with preflight: a product read out of its target is not changed by its earlier record, whoever made it', async () => {
    const s = setup([valid(row(2, 'pp-1'))], { preflight: { plan } });
    s.api.product('pp-1');
    leftInFlight(s, 2, 'pp-1', 2 * HOUR);
    s.api.createdAt.set('rec-pp-1', s.clock.now() - 2 * HOUR + 1000);
    await drive(s.clock, new TransferRun(s.options).run());
    const result = s.results.byId('pp-1');
    expect(result).toMatchObject({ outcome: 'failed', reason: 'token-already-used', previousOwner: 'arn:aws:iam::123456789012:user/alice' });
    expect(result.errorMessage).toContain('the product is not in its target state');
    expect(result.errorMessage).toContain('rerun with --reconcile');
    expect(result.errorMessage).not.toContain('--no-preflight');
  });
});

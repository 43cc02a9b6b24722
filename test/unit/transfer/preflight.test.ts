/** Preflight's judgement of a row against its product, and its bounded wait for a busy product. */
import { describe, expect, it } from 'vitest';
import type { ProductFacts } from '../../../src/aws/service-catalog-api.js';
import { accountOfArn } from '../../../src/input/iam-arn.js';
import { foundStateOf, isInTargetState, judgeRow, preflightRow } from '../../../src/transfer/preflight.js';
import { perRowReader } from '../../../src/transfer/product-reader.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/transfer/retry-policy.js';
import { deriveIdempotencyToken, deriveReconcileToken } from '../../../src/transfer/token.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { FakeApi, laneOf, OWNER, ROLE, row } from './transfer-run-fakes.js';

const facts = (overrides: Partial<ProductFacts> = {}): ProductFacts => ({
  id: 'pp-1',
  arn: 'arn:aws:servicecatalog:us-east-1:123456789012:stack/p/pp-1',
  status: 'AVAILABLE',
  lastRecordId: 'rec-1',
  owner: 'arn:aws:iam::123456789012:user/alice',
  ownerSession: 'arn:aws:iam::123456789012:user/alice',
  launchRole: 'arn:aws:iam::123456789012:role/Old',
  ...overrides,
});

describe('judgeRow', () => {
  it('is in target when every key the row sets is already there (an empty cell asks nothing)', () => {
    expect(isInTargetState(row(2, 'pp-1', OWNER), facts({ owner: OWNER }))).toBe(true);
    expect(isInTargetState(row(2, 'pp-1', null, ROLE), facts({ launchRole: ROLE }))).toBe(true);
    expect(isInTargetState(row(2, 'pp-1', OWNER, ROLE), facts({ owner: OWNER }))).toBe(false);
  });

  it('matches an owner given as the session ARN Search reports', () => {
    const session = 'arn:aws:sts::123456789012:assumed-role/Team/carol';
    expect(isInTargetState(row(2, 'pp-1', session), facts({ owner: 'arn:aws:iam::123456789012:role/Team', ownerSession: session }))).toBe(true);
  });

  it('refuses a target in another account than the product, naming both', () => {
    const judgement = judgeRow(row(2, 'pp-1', 'arn:aws:iam::999999999999:user/zoe'), facts());
    expect(judgement).toEqual({ kind: 'cross-account', message: expect.stringContaining('account 999999999999, the product in account 123456789012') });
    expect(judgeRow(row(2, 'pp-1', 'arn:aws-cn:iam::123456789012:user/zoe'), facts())).toEqual({
      kind: 'cross-account',
      message: expect.stringContaining('partition aws-cn'),
    });
    expect(judgeRow(row(2, 'pp-1', OWNER), facts({ status: 'UNDER_CHANGE' }))).toEqual({ kind: 'busy' });
    expect(judgeRow(row(2, 'pp-1', OWNER), facts({ status: 'TAINTED' }))).toEqual({ kind: 'change' });
    expect(accountOfArn('arn:aws:iam::123456789012:user/x')).toBe('123456789012');
    expect(accountOfArn('not-an-arn')).toBeUndefined();
  });

  it('keeps the previous launch role only for a row that changes it', () => {
    expect(foundStateOf(row(2, 'pp-1', OWNER), facts()).previousLaunchRole).toBe('');
    expect(foundStateOf(row(2, 'pp-1', OWNER, ROLE), facts())).toEqual({
      productStatus: 'AVAILABLE',
      previousOwner: facts().owner,
      previousOwnerSession: facts().ownerSession,
      previousLaunchRole: 'arn:aws:iam::123456789012:role/Old',
    });
  });
});

describe('preflightRow', () => {
  function harness(status: string) {
    const clock = new ManualClock();
    const api = new FakeApi(clock).product('pp-1', { status });
    const lane = laneOf(clock, api).lanes[0]!;
    const job = { row: row(2, 'pp-1'), token: deriveIdempotencyToken('r', row(2, 'pp-1')), lane, prior: undefined };
    const attempt = { policy: DEFAULT_RETRY_POLICY, clock, random: () => 0, signal: lane.signal };
    return { clock, api, job, attempt };
  }

  it('waits while the product is busy, then sends', async () => {
    const { clock, api, job, attempt } = harness('UNDER_CHANGE');
    const answer = preflightRow(job, attempt, {
      reader: perRowReader,
      busyWait: { timeoutMs: 60_000, firstPollMs: 1000 },
      clock,
      runId: 'r',
      reconcile: false,
      stoppedBy: () => undefined,
    });
    await clock.advance(1000);
    api.product('pp-1', { status: 'AVAILABLE' });
    await clock.advance(2000);
    expect(await answer).toMatchObject({ kind: 'send', job: { token: job.token } });
    expect(api.log.filter((entry) => entry.startsWith('search:'))).toHaveLength(3);
  });

  it('gives up after the busy timeout, and when the run stops', async () => {
    const { clock, job, attempt } = harness('PLAN_IN_PROGRESS');
    const deps = { reader: perRowReader, busyWait: { timeoutMs: 5_000, firstPollMs: 1000 }, clock, runId: 'r', reconcile: false, stoppedBy: () => undefined };
    const timedOut = preflightRow(job, attempt, deps);
    await clock.advance(10_000);
    expect(await timedOut).toMatchObject({ kind: 'refused', reason: 'still-busy', errorCode: 'ProductBusy' });
    const stopped = preflightRow(job, attempt, { ...deps, stoppedBy: () => 'max-errors' });
    await clock.advance(1000);
    expect(await stopped).toEqual({ kind: 'stopped', reason: 'max-errors' });
  });

  it('reconciling, sends under a token that covers the state found', async () => {
    const { clock, job, attempt } = harness('AVAILABLE');
    const answer = await preflightRow(job, attempt, {
      reader: perRowReader,
      busyWait: { timeoutMs: 0 },
      clock,
      runId: 'r',
      reconcile: true,
      stoppedBy: () => undefined,
    });
    const expected = deriveReconcileToken('r', job.row, { owner: facts().owner!, launchRole: '', lastRecordId: 'rec-seed-pp-1' });
    expect(answer).toMatchObject({ kind: 'send', job: { token: expected } });
    expect(expected).not.toBe(job.token);
    expect(deriveReconcileToken('r', job.row, { owner: facts().owner!, launchRole: '', lastRecordId: 'rec-2' })).not.toBe(expected);
  });
});

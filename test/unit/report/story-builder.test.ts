import { describe, expect, it } from 'vitest';
import { REASONS } from '../../../src/outcomes.js';
import { seriesOf, MAX_BUCKETS } from '../../../src/report/story/story-invocations.js';
import { ACCOUNT, ALICE, at, begin, BOB, end, finished, HOSTILE, migration, ROLE_NEW, ROLE_OLD, sent, storyOf } from './story-fixtures.js';

describe('the story of a ledger', () => {
  const story = storyOf(migration());

  it('tells the invocations in order, with labels, durations, exit codes, stops, and the killed one', () => {
    expect(story.invocations.map((i) => i.label)).toEqual(['dry-run', 'canary (--limit 2)', 'run', 'run', 'reconcile of put-back.csv']);
    const [dry, canary, run, killed, undo] = story.invocations;
    expect(dry!.durationSeconds).toBe(2);
    expect(canary!.stopReason).toBe('limit');
    expect(run!.exitCode).toBe(1);
    expect(run!.exitMeaning).toBe('some rows failed or invalid');
    expect(killed!.killed).toBe(true);
    expect(killed!.endedAt).toBeUndefined();
    expect(killed!.ledgerRows['in-flight']).toBe(1);
    expect(undo!.killed).toBe(false);
    expect(run!.ledgerRows).toEqual({ succeeded: 1, submitted: 1, skipped: 1, failed: 1, 'in-flight': 0 });
  });

  it('gives the run id, the role session name, the callers and the CloudTrail window (first begin .. last end)', () => {
    expect(story.runIds).toEqual(['']);
    expect(story.sessionNames).toEqual(['sc-owner-transfer']);
    expect(story.window).toEqual({ from: at(0), to: at(53) });
    expect(story.callers).toEqual([`arn:aws:iam::${ACCOUNT}:user/operator`]);
    const named = storyOf(migration(), { type: 'header', format: 3, runId: 'reorg-7', tokenScheme: 'sot1', createdAt: at(0), input: '/work/offboard.csv' });
    expect(named.runIds).toEqual(['reorg-7']);
    expect(named.sessionNames).toEqual(['sc-owner-transfer-reorg-7']);
  });

  it('keeps each product: first read, last targets, last state, whether the ledger changed it, and its history', () => {
    const byId = new Map([...story.products].map((p) => [p.provisionedProductId, p]));
    expect([...story.products].map((p) => p.provisionedProductId)).toEqual(['p1', 'p2', 'p3', 'p4', HOSTILE, 'p6']);
    const p1 = byId.get('p1')!;
    // Put back by the undo's run: the first read stays alice, the last change set alice.
    expect(p1).toMatchObject({ previousOwner: ALICE, newOwner: ALICE, state: 'succeeded', changed: true, accountId: ACCOUNT });
    expect(p1.history).toEqual([
      { invocation: 2, state: 'succeeded' },
      { invocation: 5, state: 'succeeded' },
    ]);
    expect(byId.get('p2')).toMatchObject({ previousLaunchRole: ROLE_OLD, launchRole: ROLE_NEW });
    // Failed by the target check, then sent by a run that was killed: in flight, may have changed.
    expect(byId.get('p4')).toMatchObject({ state: 'in-flight', changed: true });
    expect(byId.get('p4')!.history).toEqual([
      { invocation: 3, state: 'failed' },
      { invocation: 4, state: 'in-flight' },
    ]);
    expect(byId.get('p6')).toMatchObject({ state: 'skipped', changed: false, previousOwner: BOB });
  });

  it('counts per account and region, and the results-only outcomes from the last run end', () => {
    expect(story.accounts).toEqual([
      { accountId: ACCOUNT, region: '', products: 6, changed: 5, states: { succeeded: 3, submitted: 1, skipped: 1, failed: 0, 'in-flight': 1 } },
    ]);
    expect(story.states).toEqual({ succeeded: 3, submitted: 1, skipped: 1, failed: 0, 'in-flight': 1 });
    expect(story.resultsOnly).toEqual({ drifted: 1, notStarted: 0, invocation: 5 });
  });

  it('groups failures by reason with the README advice', () => {
    const failing = storyOf([
      begin('i', at(0)),
      finished('a', 2, at(1), { outcome: 'failed', attempts: 0, errorCode: 'NoSuchEntity' }),
      finished('b', 3, at(1), { outcome: 'failed', attempts: 0, errorCode: 'NoSuchEntity' }),
      finished('c', 4, at(1), { outcome: 'failed', attempts: 0, errorCode: 'ResourceNotFoundException', errorMessage: 'Provisioned product c not found.' }),
      finished('d', 5, at(1), { outcome: 'failed', attempts: 12, errorCode: 'ThrottlingException' }),
      finished('e', 6, at(1), { outcome: 'failed', attempts: 1, errorCode: 'TokenAlreadyUsed' }),
    ]);
    expect(failing.failures.map((g) => [g.reason, g.errorCode, g.products])).toEqual([
      ['target-not-found', 'NoSuchEntity', 2],
      ['<error-class>', 'ThrottlingException', 1],
      ['not-found', 'ResourceNotFoundException', 1],
      ['token-already-used', 'TokenAlreadyUsed', 1],
    ]);
    expect(failing.failures[0]!.advice).toBe(REASONS['target-not-found'].doc);
    expect(failing.failures[0]!.examples).toEqual(['a', 'b']);
  });

  it('draws updates and throttles per second from the finished entries, and says whether throttles were recorded', () => {
    const run = story.invocations[2]!;
    expect(run.series.bucketSeconds).toBe(1);
    expect(run.series.updates.reduce((a, b) => a + b, 0)).toBe(2);
    expect(run.series.throttles.reduce((a, b) => a + b, 0)).toBe(3);
    expect(run.rowThrottles).toBe(3);
    expect(story.throttlesRecorded).toBe(true);
    expect(storyOf([begin('i', at(0)), sent('x', 2, at(1)), finished('x', 2, at(1))]).throttlesRecorded).toBe(false);
  });

  it('re-buckets a long invocation to at most MAX_BUCKETS points', () => {
    const seconds = new Map<number, [number, number]>();
    for (let s = 0; s < 3600; s += 1) seconds.set(1_000_000 + s, [2, s % 100 === 0 ? 1 : 0]);
    const series = seriesOf({ seconds }, 1_000_000_000, (1_000_000 + 3599) * 1000);
    expect(series.updates.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(series.bucketSeconds).toBe(30);
    expect(series.updates.reduce((a, b) => a + b, 0)).toBe(7200);
    expect(series.throttles.reduce((a, b) => a + b, 0)).toBe(36);
  });

  it('a reconcile night that finds a changed product in its target leaves it as the change left it', () => {
    const night = storyOf([
      begin('run', at(0)),
      sent('x', 2, at(1)),
      finished('x', 2, at(1), { outcome: 'submitted' }),
      finished('y', 3, at(1), { outcome: 'skipped', attempts: 0, previousOwner: BOB }),
      end('run', at(2), { submitted: 1, skipped: 1 }),
      begin('night', at(10), { mode: 'reconcile' }),
      finished('x', 2, at(11), { outcome: 'skipped', attempts: 0, previousOwner: BOB }),
      finished('y', 3, at(11), { outcome: 'skipped', attempts: 0, previousOwner: BOB }),
      end('night', at(12), { skipped: 2 }),
    ]);
    expect([...night.products].map((p) => [p.provisionedProductId, p.state, p.changed, p.previousOwner])).toEqual([
      ['x', 'submitted', true, ALICE],
      ['y', 'skipped', false, BOB],
    ]);
    expect(night.invocations[1]!.ledgerRows).toMatchObject({ skipped: 2 });
  });

  it('reads rows written before the ledger recorded invocations as one invocation of their own', () => {
    const old = storyOf([sent('x', 2, at(1)), finished('x', 2, at(2))]);
    expect(old.invocations).toHaveLength(1);
    expect(old.invocations[0]).toMatchObject({ mode: 'unrecorded', killed: false });
    expect([...old.products][0]!.state).toBe('succeeded');
  });
});

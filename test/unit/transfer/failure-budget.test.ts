import { describe, expect, it } from 'vitest';
import { REASONS, reasonFor } from '../../../src/outcomes.js';
import {
  AccessDeniedStreak,
  BudgetSyntaxError,
  BudgetTally,
  budgetWeight,
  DEFAULT_ACCESS_DENIED_STREAK,
  DEFAULT_MAX_ERRORS,
  DEFAULT_MIN_ROWS_FOR_PERCENT,
  isBudgetExceeded,
  parseFailureBudget,
} from '../../../src/transfer/failure-budget.js';

describe('parseFailureBudget', () => {
  it('reads a count', () => {
    expect(parseFailureBudget('25')).toEqual({ kind: 'count', maxFailures: 25 });
    expect(parseFailureBudget(' 0 ')).toEqual({ kind: 'count', maxFailures: 0 });
  });

  it('reads a percentage, with minRowsForPercent defaulted or given', () => {
    expect(parseFailureBudget('10%')).toEqual({ kind: 'percent', percent: 10, minRowsForPercent: DEFAULT_MIN_ROWS_FOR_PERCENT });
    expect(parseFailureBudget('2.5%', 40)).toEqual({ kind: 'percent', percent: 2.5, minRowsForPercent: 40 });
    expect(parseFailureBudget('100%')).toEqual({ kind: 'percent', percent: 100, minRowsForPercent: 20 });
    expect(parseFailureBudget('0%').kind).toBe('percent');
  });

  it('parses the default', () => {
    expect(parseFailureBudget(DEFAULT_MAX_ERRORS)).toEqual({ kind: 'percent', percent: 10, minRowsForPercent: 20 });
  });

  it.each(['', 'abc', '-1', '1.5', '1e3', '10 %', '%', '10%%', '0x10', '99999999999999999999'])(
    'refuses %j with a BAD_MAX_ERRORS error that repeats the value',
    (raw) => {
      let caught: unknown;
      try {
        parseFailureBudget(raw);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BudgetSyntaxError);
      const error = caught as BudgetSyntaxError;
      expect(error.code).toBe('BAD_MAX_ERRORS');
      expect(error.message).toContain(`got '${raw}'`);
    },
  );

  it('refuses a percentage above 100 and says so', () => {
    expect(() => parseFailureBudget('101%')).toThrow("a failure budget percentage must be at most 100%, got '101%'");
    expect(() => parseFailureBudget('100.5%')).toThrow(/at most 100%.*'100\.5%'/);
  });
});

describe('isBudgetExceeded', () => {
  it('count: trips only when failures exceed the count', () => {
    const budget = parseFailureBudget('3');
    expect(isBudgetExceeded(budget, 3, 3)).toBe(false);
    expect(isBudgetExceeded(budget, 4, 4)).toBe(true);
    expect(isBudgetExceeded(parseFailureBudget('0'), 0, 10)).toBe(false);
    expect(isBudgetExceeded(parseFailureBudget('0'), 1, 1)).toBe(true);
  });

  it('percent: not judged before minRowsForPercent rows finished', () => {
    const budget = parseFailureBudget('10%', 20);
    expect(isBudgetExceeded(budget, 2, 3)).toBe(false); // 67% but only 3 rows
    expect(isBudgetExceeded(budget, 19, 19)).toBe(false); // 100% but only 19 rows
    expect(isBudgetExceeded(budget, 20, 20)).toBe(true);
  });

  it('percent: after that, trips when failed/finished exceeds the share (not when equal)', () => {
    const budget = parseFailureBudget('10%', 20);
    expect(isBudgetExceeded(budget, 2, 20)).toBe(false); // exactly 10%
    expect(isBudgetExceeded(budget, 3, 20)).toBe(true); // 15%
    expect(isBudgetExceeded(budget, 10, 100)).toBe(false);
    expect(isBudgetExceeded(budget, 11, 100)).toBe(true);
    expect(isBudgetExceeded(parseFailureBudget('100%', 1), 5, 5)).toBe(false);
  });
});

describe('what a row weighs in the budget', () => {
  const beforeWrite = ['not-found', 'not-found-in-account', 'cross-account', 'unexpected-account', 'target-not-found', 'launch-role-not-trusted'] as const;

  it('a row sent counts as tried, and as failed when it failed', () => {
    expect(budgetWeight('succeeded', '')).toBe('tried');
    expect(budgetWeight('submitted', 'wait-timed-out')).toBe('tried');
    for (const reason of ['token-already-used', 'record-failed', 'interrupted-in-flight', reasonFor.errorClass('throttle'), reasonFor.errorClass('final')]) {
      expect(budgetWeight('failed', reason), reason).toBe('failed');
    }
    // Busy past --busy-timeout is the account's state, not the CSV's data: it counts.
    expect(budgetWeight('failed', 'still-busy')).toBe('failed');
  });

  it('a row failed by a check before any write weighs nothing, as the table says', () => {
    for (const reason of beforeWrite) {
      expect(REASONS[reason].countsTowardBudget, reason).toBe(false);
      expect(budgetWeight('failed', reason), reason).toBeUndefined();
    }
  });

  it('rows not tried against the service weigh nothing', () => {
    expect(budgetWeight('skipped', 'already-in-target-state')).toBeUndefined();
    expect(budgetWeight('skipped', reasonFor.duplicateOf(2))).toBeUndefined();
    expect(budgetWeight('invalid', reasonFor.problems(['OWNER_INVALID']))).toBeUndefined();
    expect(budgetWeight('not-started', reasonFor.stoppedBy('max-errors'))).toBeUndefined();
    expect(budgetWeight('would-change', '')).toBeUndefined();
    expect(budgetWeight('drifted', reasonFor.driftedSince('succeeded'))).toBeUndefined();
  });

  it('a percentage judged on the first 20 rows does not trip because rows failed before any write finish first', () => {
    const tally = new BudgetTally(parseFailureBudget('10%'));
    for (let i = 0; i < 6; i += 1) tally.record('failed', 'target-not-found');
    expect([tally.failed, tally.tried]).toEqual([0, 0]);
    for (let i = 0; i < 14; i += 1) {
      tally.record('succeeded', '');
      expect(tally.exceeded()).toBe(false);
    }
    // Even a budget of none: they are not failures of the run.
    const none = new BudgetTally(parseFailureBudget('0'));
    none.record('failed', 'cross-account');
    none.record('failed', 'not-found');
    expect(none.exceeded()).toBe(false);
    none.record('failed', reasonFor.errorClass('access-denied'));
    expect(none.exceeded()).toBe(true);
  });

  it('rows failed at the service are judged on the rows tried', () => {
    const tally = new BudgetTally(parseFailureBudget('10%'));
    for (let i = 0; i < 17; i += 1) tally.record('succeeded', '');
    for (let i = 0; i < 2; i += 1) tally.record('failed', reasonFor.errorClass('final'));
    expect([tally.failed, tally.tried, tally.exceeded()]).toEqual([2, 19, false]); // not judged before 20 rows
    tally.record('failed', 'record-failed');
    expect([tally.failed, tally.tried, tally.exceeded()]).toEqual([3, 20, true]);
  });
});

describe('AccessDeniedStreak', () => {
  it('reaches the threshold after N different products', () => {
    const streak = new AccessDeniedStreak(3);
    expect(streak.denied('pp-1')).toBe(false);
    expect(streak.denied('pp-2')).toBe(false);
    expect(streak.denied('pp-3')).toBe(true);
  });

  it('counts a product once, however often it is denied', () => {
    const streak = new AccessDeniedStreak(3);
    expect(streak.denied('pp-1')).toBe(false);
    expect(streak.denied('pp-1')).toBe(false);
    expect(streak.denied('pp-1')).toBe(false);
    expect(streak.denied('pp-2')).toBe(false);
    expect(streak.denied('pp-3')).toBe(true);
  });

  it('is reset by a success', () => {
    const streak = new AccessDeniedStreak(2);
    expect(streak.denied('pp-1')).toBe(false);
    streak.succeeded();
    expect(streak.denied('pp-2')).toBe(false);
    expect(streak.denied('pp-3')).toBe(true);
  });

  it('threshold 1 trips on the first denial', () => {
    expect(new AccessDeniedStreak(1).denied('pp-1')).toBe(true);
  });

  it('validates the threshold and repeats the bad value', () => {
    expect(() => new AccessDeniedStreak(0)).toThrow('access-denied streak threshold must be an integer >= 1, got 0');
    expect(() => new AccessDeniedStreak(2.5)).toThrow(/got 2\.5/);
    expect(() => new AccessDeniedStreak(Number.NaN)).toThrow(/got NaN/);
    expect(new AccessDeniedStreak(DEFAULT_ACCESS_DENIED_STREAK).threshold).toBe(5);
  });
});

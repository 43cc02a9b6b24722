import { describe, expect, it } from 'vitest';
import {
  AccessDeniedStreak,
  BudgetSyntaxError,
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

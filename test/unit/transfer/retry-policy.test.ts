import { describe, expect, it } from 'vitest';
import type { ErrorKind } from '../../../src/aws/classify-error.js';
import {
  DEFAULT_RETRY_POLICY,
  attemptsAllowed,
  isRetriedKind,
  retryDelayMs,
  validateRetryPolicy,
  type RetryPolicyOptions,
} from '../../../src/transfer/retry-policy.js';

const P = DEFAULT_RETRY_POLICY;

describe('retryDelayMs for throttles and transient errors (full jitter)', () => {
  it('is random * min(cap, base * 2^(n-1)), from 0 up to the ceiling', () => {
    for (const kind of ['throttle', 'server', 'network'] as const) {
      expect(retryDelayMs(P, kind, 1, 0, undefined)).toBe(0);
      expect(retryDelayMs(P, kind, 1, 0.5, undefined)).toBe(125);
      expect(retryDelayMs(P, kind, 1, 0.999999, undefined)).toBe(250);
      expect(retryDelayMs(P, kind, 2, 0.999999, undefined)).toBe(500);
      expect(retryDelayMs(P, kind, 4, 0.5, undefined)).toBe(1000);
    }
  });

  it('stays within [0, ceiling] for any random in [0, 1)', () => {
    for (let n = 1; n <= 12; n += 1) {
      const ceiling = Math.min(P.maxDelayMs, P.baseDelayMs * 2 ** (n - 1));
      for (const r of [0, 0.1, 0.37, 0.5, 0.92, 0.999]) {
        const d = retryDelayMs(P, 'throttle', n, r, undefined);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('is capped at maxDelayMs however many failures', () => {
    expect(retryDelayMs(P, 'throttle', 8, 0.999999, undefined)).toBe(20_000); // 250 * 128 = 32000 > cap
    expect(retryDelayMs(P, 'server', 60, 0.999999, undefined)).toBe(20_000);
    expect(retryDelayMs({ ...P, maxDelayMs: 700 }, 'network', 5, 0.5, undefined)).toBe(350);
  });

  it('treats failures 0 like 1 (no negative exponent)', () => {
    expect(retryDelayMs(P, 'throttle', 0, 0.999999, undefined)).toBe(250);
  });

  it('is never shorter than a Retry-After hint, even above the cap', () => {
    expect(retryDelayMs(P, 'throttle', 1, 0.2, 3000)).toBe(3000);
    expect(retryDelayMs(P, 'throttle', 1, 0.2, 0)).toBe(50);
    expect(retryDelayMs(P, 'server', 10, 0.999999, 45_000)).toBe(45_000);
    // A short hint does not shorten the backoff.
    expect(retryDelayMs(P, 'throttle', 5, 0.999999, 100)).toBe(4000);
  });
});

describe('retryDelayMs for InvalidStateException', () => {
  it('uses its own longer schedule: half fixed, half jitter', () => {
    expect(retryDelayMs(P, 'invalid-state', 1, 0, undefined)).toBe(2500);
    expect(retryDelayMs(P, 'invalid-state', 1, 0.999999, undefined)).toBe(5000);
    expect(retryDelayMs(P, 'invalid-state', 2, 0, undefined)).toBe(5000);
    expect(retryDelayMs(P, 'invalid-state', 2, 0.5, undefined)).toBe(7500);
    // Much longer than a throttle's wait after the same number of failures.
    expect(retryDelayMs(P, 'invalid-state', 1, 0, undefined)).toBeGreaterThan(retryDelayMs(P, 'throttle', 1, 0.999999, undefined));
  });

  it('is bounded by invalidStateMaxDelayMs and floored by Retry-After', () => {
    expect(retryDelayMs(P, 'invalid-state', 10, 0, undefined)).toBe(15_000);
    expect(retryDelayMs(P, 'invalid-state', 10, 0.999999, undefined)).toBe(30_000);
    expect(retryDelayMs(P, 'invalid-state', 1, 0, 12_000)).toBe(12_000);
    for (let n = 1; n <= 10; n += 1) {
      for (const r of [0, 0.3, 0.999]) {
        const d = retryDelayMs(P, 'invalid-state', n, r, undefined);
        const ceiling = Math.min(P.invalidStateMaxDelayMs, P.invalidStateBaseDelayMs * 2 ** (n - 1));
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

describe('attemptsAllowed and isRetriedKind', () => {
  const policy: RetryPolicyOptions = { ...P, throttleAttempts: 9, transientAttempts: 4, invalidStateAttempts: 3 };
  it('gives each retried kind its budget and every other kind one attempt', () => {
    expect(attemptsAllowed(policy, 'throttle')).toBe(9);
    expect(attemptsAllowed(policy, 'server')).toBe(4);
    expect(attemptsAllowed(policy, 'network')).toBe(4);
    expect(attemptsAllowed(policy, 'invalid-state')).toBe(3);
    for (const kind of ['credentials', 'access-denied', 'aborted', 'final'] as const) {
      expect(attemptsAllowed(policy, kind)).toBe(1);
      expect(isRetriedKind(kind)).toBe(false);
    }
    for (const kind of ['throttle', 'server', 'network', 'invalid-state'] as ErrorKind[]) expect(isRetriedKind(kind)).toBe(true);
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      throttleAttempts: 12,
      transientAttempts: 6,
      invalidStateAttempts: 6,
      baseDelayMs: 250,
      maxDelayMs: 20_000,
      invalidStateBaseDelayMs: 5_000,
      invalidStateMaxDelayMs: 30_000,
    });
  });
});

describe('validateRetryPolicy', () => {
  it('returns a valid policy unchanged', () => {
    expect(validateRetryPolicy(P)).toBe(P);
    expect(validateRetryPolicy({ ...P, baseDelayMs: 0 }).baseDelayMs).toBe(0);
  });

  it('refuses non-integers and negatives, repeating the bad value', () => {
    expect(() => validateRetryPolicy({ ...P, baseDelayMs: -1 })).toThrow('retry policy baseDelayMs must be an integer >= 0, got -1');
    expect(() => validateRetryPolicy({ ...P, maxDelayMs: 1.5 })).toThrow(/maxDelayMs.*got 1\.5/);
    expect(() => validateRetryPolicy({ ...P, invalidStateMaxDelayMs: Number.NaN })).toThrow(/invalidStateMaxDelayMs.*got NaN/);
    expect(() => validateRetryPolicy({ ...P, throttleAttempts: Number.POSITIVE_INFINITY })).toThrow(/throttleAttempts.*got Infinity/);
  });

  it('requires at least one attempt of each kind', () => {
    expect(() => validateRetryPolicy({ ...P, throttleAttempts: 0 })).toThrow('retry policy throttleAttempts must be >= 1, got 0');
    expect(() => validateRetryPolicy({ ...P, transientAttempts: 0 })).toThrow(/transientAttempts must be >= 1, got 0/);
    expect(() => validateRetryPolicy({ ...P, invalidStateAttempts: 0 })).toThrow(/invalidStateAttempts must be >= 1, got 0/);
    expect(() => validateRetryPolicy({ ...P, throttleAttempts: 1 })).not.toThrow();
  });
});

/**
 * Which failures are retried, how often, and how long to wait: a pure policy, so it can be tested
 * without a network or a clock. The loop itself (send-with-retry.ts) runs it through p-retry.
 *
 * Waits are "full jitter" exponential backoff (random in [0, min(cap, base * 2^n)]), never shorter
 * than a Retry-After hint. InvalidStateException means the product is busy (UNDER_CHANGE, another
 * operation running): that clears in tens of seconds, not milliseconds, so it has its own longer,
 * bounded schedule.
 */
import type { ErrorKind } from '../aws/classify-error.js';

export interface RetryPolicyOptions {
  /** Attempts per row for throttled answers, including the first. Default 12. */
  readonly throttleAttempts: number;
  /** Attempts per row for 5xx, network errors and timeouts. Default 6. */
  readonly transientAttempts: number;
  /** Attempts per row for InvalidStateException. Default 6. */
  readonly invalidStateAttempts: number;
  /** First backoff step in ms for throttles and transient errors. Default 250. */
  readonly baseDelayMs: number;
  /** Cap of one backoff wait in ms. Default 20000. */
  readonly maxDelayMs: number;
  /** First wait in ms after InvalidStateException. Default 5000. */
  readonly invalidStateBaseDelayMs: number;
  /** Cap of one InvalidStateException wait in ms. Default 30000. */
  readonly invalidStateMaxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicyOptions = {
  throttleAttempts: 12,
  transientAttempts: 6,
  invalidStateAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  invalidStateBaseDelayMs: 5_000,
  invalidStateMaxDelayMs: 30_000,
};

type RetriedKind = 'throttle' | 'server' | 'network' | 'invalid-state';

export function isRetriedKind(kind: ErrorKind): kind is RetriedKind {
  return kind === 'throttle' || kind === 'server' || kind === 'network' || kind === 'invalid-state';
}

/** Attempts allowed for a kind (first try included); 1 for kinds that are never retried. */
export function attemptsAllowed(policy: RetryPolicyOptions, kind: ErrorKind): number {
  switch (kind) {
    case 'throttle':
      return policy.throttleAttempts;
    case 'server':
    case 'network':
      return policy.transientAttempts;
    case 'invalid-state':
      return policy.invalidStateAttempts;
    default:
      return 1;
  }
}

/**
 * Wait before the next attempt, given how many failures of this kind the row has had so far
 * (1 after the first failure) and a random number in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicyOptions, kind: RetriedKind, failuresOfKind: number, random: number, retryAfterMs: number | undefined): number {
  const exponent = Math.max(0, failuresOfKind - 1);
  if (kind === 'invalid-state') {
    // Half fixed, half jitter: a busy product needs a real pause, but workers must not sync up.
    const ceiling = Math.min(policy.invalidStateMaxDelayMs, policy.invalidStateBaseDelayMs * 2 ** exponent);
    return Math.max(retryAfterMs ?? 0, Math.round(ceiling / 2 + (random * ceiling) / 2));
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.max(retryAfterMs ?? 0, Math.round(random * ceiling));
}

/** Validates policy numbers; messages repeat the bad value. */
export function validateRetryPolicy(policy: RetryPolicyOptions): RetryPolicyOptions {
  for (const [name, value] of Object.entries(policy)) {
    if (!(Number.isInteger(value) && value >= 0)) {
      throw new TypeError(`retry policy ${name} must be an integer >= 0, got ${String(value)}`);
    }
  }
  for (const name of ['throttleAttempts', 'transientAttempts', 'invalidStateAttempts'] as const) {
    if (policy[name] < 1) throw new TypeError(`retry policy ${name} must be >= 1, got ${policy[name]}`);
  }
  return policy;
}

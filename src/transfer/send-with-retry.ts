/**
 * One API call with retries: every attempt waits for a slot from the operation's adaptive limiter,
 * reports throttles back to it, and retries per the retry policy through p-retry. The caller's
 * function is called with the same arguments every time, which is how a retry always resends the
 * same idempotency token. The abort signal reaches the limiter wait, p-retry, the backoff sleep
 * and the request itself.
 */
import pRetry from 'p-retry';
import { classifyAwsError, type ClassifiedError, type ErrorKind } from '../aws/classify-error.js';
import type { Clock } from '../clock.js';
import type { AdaptiveRateLimiter } from './adaptive-limiter.js';
import { attemptsAllowed, isRetriedKind, retryDelayMs, type RetryPolicyOptions } from './retry-policy.js';

export type SendResult<T> =
  { readonly ok: true; readonly value: T; readonly attempts: number } | { readonly ok: false; readonly error: ClassifiedError; readonly attempts: number };

export interface RetryEvent {
  readonly attempt: number;
  readonly error: ClassifiedError;
  readonly delayMs: number;
}

export interface SendWithRetryOptions {
  readonly limiter: AdaptiveRateLimiter;
  readonly policy: RetryPolicyOptions;
  readonly clock: Clock;
  /** Source of jitter, [0, 1). Tests pass a fixed sequence. */
  readonly random: () => number;
  readonly signal: AbortSignal;
  /** Called for every attempt sent (for request counters). */
  onAttempt?(): void;
  /** Called before each wait-and-retry. */
  onRetry?(event: RetryEvent): void;
}

/** Carries the classification through p-retry, which only sees Errors. */
class AttemptFailed extends Error {
  constructor(readonly classified: ClassifiedError) {
    super(classified.message);
  }
}

export async function sendWithRetry<T>(call: (signal: AbortSignal) => Promise<T>, options: SendWithRetryOptions): Promise<SendResult<T>> {
  const { limiter, policy, clock, random, signal } = options;
  // 5xx and network errors share one budget (transientAttempts): a row that alternates between
  // them must not get twice the attempts.
  const budgetKey = (kind: ErrorKind): ErrorKind => (kind === 'network' ? 'server' : kind);
  const failures = new Map<ErrorKind, number>();
  let attempts = 0;

  const shouldRetry = (classified: ClassifiedError): boolean => {
    if (!isRetriedKind(classified.kind)) return false;
    return (failures.get(budgetKey(classified.kind)) ?? 0) < attemptsAllowed(policy, classified.kind);
  };

  try {
    const value = await pRetry(
      async () => {
        const permit = await limiter.acquire(signal);
        attempts += 1;
        options.onAttempt?.();
        try {
          const result = await call(signal);
          limiter.onSuccess();
          return result;
        } catch (error) {
          const classified = classifyAwsError(error, signal);
          if (classified.kind === 'throttle') limiter.onThrottle(permit);
          failures.set(budgetKey(classified.kind), (failures.get(budgetKey(classified.kind)) ?? 0) + 1);
          throw new AttemptFailed(classified);
        }
      },
      {
        // The budget per kind is enforced by shouldRetry; this is only an outer bound.
        retries: policy.throttleAttempts + policy.transientAttempts + policy.invalidStateAttempts + 1,
        // Waiting is ours (jitter, Retry-After, the InvalidState schedule), done in onFailedAttempt.
        minTimeout: 0,
        maxTimeout: 0,
        signal,
        onFailedAttempt: async ({ error, attemptNumber }) => {
          if (!(error instanceof AttemptFailed)) return;
          const classified = error.classified;
          if (!isRetriedKind(classified.kind) || !shouldRetry(classified)) return;
          const delayMs = retryDelayMs(policy, classified.kind, failures.get(budgetKey(classified.kind)) ?? 1, random(), classified.retryAfterMs);
          options.onRetry?.({ attempt: attemptNumber, error: classified, delayMs });
          await clock.sleep(delayMs, signal);
        },
        shouldRetry: ({ error }) => error instanceof AttemptFailed && shouldRetry(error.classified),
      },
    );
    return { ok: true, value, attempts };
  } catch (error) {
    if (error instanceof AttemptFailed) return { ok: false, error: error.classified, attempts };
    // The abort (from the limiter wait, the sleep, or p-retry itself) or an unexpected bug.
    return { ok: false, error: classifyAwsError(error, signal), attempts };
  }
}

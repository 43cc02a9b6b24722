/**
 * `--wait`: after an update is accepted, poll DescribeRecord until the record is SUCCEEDED or
 * FAILED, so the results say what the service finished, not only what it accepted.
 *
 * Reads go through their own limiter (DescribeRecord is throttled separately from the writes, and a
 * throttled read must never slow the updates) and the same retry policy. Polls back off from
 * `firstPollMs` to `maxPollMs`; after `timeoutMs` the row is left `submitted` (reason
 * `wait-timed-out`): the change was accepted, and the operator can look at the record id.
 */
import type { ClassifiedError } from '../aws/classify-error.js';
import type { RecordAnswer, ServiceCatalogApi } from '../aws/service-catalog-api.js';
import { sendWithRetry, type SendWithRetryOptions } from './send-with-retry.js';

export interface WaitOptions {
  /** Give up waiting after this long (ms). */
  readonly timeoutMs: number;
  /** First poll delay (ms); doubles up to maxPollMs. Defaults 500 and 5000. */
  readonly firstPollMs?: number;
  readonly maxPollMs?: number;
}

export type WaitResult =
  | { readonly kind: 'finished'; readonly record: RecordAnswer }
  | { readonly kind: 'timed-out'; readonly lastStatus: string }
  | { readonly kind: 'error'; readonly error: ClassifiedError };

/** The retry loop's own dependencies (the read limiter among them), plus the API to read from. */
export interface WaitDeps extends SendWithRetryOptions {
  readonly api: ServiceCatalogApi;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED']);

export function isTerminalRecordStatus(status: string): boolean {
  return TERMINAL.has(status);
}

export async function waitForRecord(recordId: string, options: WaitOptions, deps: WaitDeps): Promise<WaitResult> {
  const firstPollMs = options.firstPollMs ?? 500;
  const maxPollMs = options.maxPollMs ?? 5_000;
  const deadline = deps.clock.now() + options.timeoutMs;
  let delay = firstPollMs;
  let lastStatus = '';
  for (;;) {
    const remaining = deadline - deps.clock.now();
    if (remaining <= 0) return { kind: 'timed-out', lastStatus };
    try {
      await deps.clock.sleep(Math.min(delay, remaining), deps.signal);
    } catch {
      return { kind: 'error', error: abortedError() };
    }
    delay = Math.min(maxPollMs, delay * 2);
    const answer = await sendWithRetry((signal) => deps.api.describeRecord(recordId, signal), deps);
    if (!answer.ok) return { kind: 'error', error: answer.error };
    lastStatus = answer.value.recordStatus;
    if (isTerminalRecordStatus(lastStatus)) return { kind: 'finished', record: answer.value };
  }
}

function abortedError(): ClassifiedError {
  return { kind: 'aborted', code: 'Aborted', message: 'stopped while waiting for the record', httpStatus: undefined, retryAfterMs: undefined };
}

/**
 * Every AWS API request the emulator received, in arrival order, with how it was answered. Tests
 * and rehearsal reports read it to prove exactly what a client sent (e.g. that a retry reused its
 * idempotency token) and what it was told.
 */
import type { CallOutcome, CallRecord } from './types.js';

interface MutableCall {
  seq: number;
  operation: string;
  params: unknown;
  outcome: CallOutcome;
  token?: string;
  accountId?: string;
  accessKeyId?: string;
  region?: string;
  userAgent?: string;
  at: string;
}

export class CallLog {
  private readonly calls: MutableCall[] = [];

  /** `userAgent`: the request's User-Agent header, what CloudTrail records as `userAgent`. */
  begin(operation: string, params: unknown, at: number, userAgent?: string): CallRecord {
    const token = typeof params === 'object' && params !== null ? (params as { IdempotencyToken?: unknown }).IdempotencyToken : undefined;
    const call: MutableCall = {
      seq: this.calls.length + 1,
      operation,
      params,
      outcome: 'pending',
      ...(typeof token === 'string' ? { token } : {}),
      ...(userAgent === undefined ? {} : { userAgent }),
      at: new Date(at).toISOString(),
    };
    this.calls.push(call);
    return copy(call);
  }

  finish(seq: number, outcome: CallOutcome): void {
    const call = this.calls[seq - 1];
    if (call) call.outcome = outcome;
  }

  /** Who the request acts as, once its credentials are checked. */
  identify(seq: number, accountId: string, accessKeyId: string, region: string): void {
    const call = this.calls[seq - 1];
    if (call) {
      call.accountId = accountId;
      call.accessKeyId = accessKeyId;
      call.region = region;
    }
  }

  all(): CallRecord[] {
    return this.calls.map(copy);
  }
}

/** Callers get copies (params cloned) so nothing outside can rewrite the log. */
function copy(call: MutableCall): CallRecord {
  return { ...call, params: structuredClone(call.params) };
}

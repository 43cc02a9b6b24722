import {
  InvalidParametersException,
  InvalidStateException,
  LimitExceededException,
  ResourceNotFoundException,
  ServiceCatalogServiceException,
} from '@aws-sdk/client-service-catalog';
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter } from '../../../src/transfer/adaptive-limiter.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicyOptions } from '../../../src/transfer/retry-policy.js';
import { sendWithRetry, type RetryEvent, type SendResult } from '../../../src/transfer/send-with-retry.js';
import { ManualClock, flushMicrotasks } from '../../helpers/manual-clock.js';

const meta = (httpStatusCode: number) => ({ httpStatusCode });
const throttle = (retryAfter?: string) => {
  const error = new ServiceCatalogServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: meta(400) });
  if (retryAfter !== undefined) {
    Object.defineProperty(error, '$response', { value: { statusCode: 400, headers: { 'retry-after': retryAfter } } });
  }
  return error;
};
const serverError = () => new ServiceCatalogServiceException({ name: 'InternalFailure', $fault: 'server', message: 'oops', $metadata: meta(500) });
const socketError = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const invalidState = () => new InvalidStateException({ message: 'UNDER_CHANGE', $metadata: meta(400) });

type Step = Error | 'ok';

interface Harness {
  readonly clock: ManualClock;
  readonly limiter: AdaptiveRateLimiter;
  readonly controller: AbortController;
  readonly requests: Array<{ request: object; signal: AbortSignal; at: number }>;
  readonly retries: RetryEvent[];
  readonly attemptsSeen: () => number;
  send(policy?: Partial<RetryPolicyOptions>, random?: () => number): Promise<SendResult<string>>;
}

/** A scripted `call`: each attempt takes the next step; after the script, it succeeds. */
function harness(script: Step[], maxRate = 1000): Harness {
  const clock = new ManualClock();
  const limiter = new AdaptiveRateLimiter({ maxRate, initialRate: maxRate, clock });
  const controller = new AbortController();
  const requests: Harness['requests'] = [];
  const retries: RetryEvent[] = [];
  let onAttempt = 0;
  // What the engine does: the request (and its token) is built once, outside `call`.
  const request = { idempotencyToken: 'sot1-abc', provisionedProductId: 'pp-1' };
  const call = async (signal: AbortSignal): Promise<string> => {
    requests.push({ request, signal, at: clock.now() });
    const step = script[requests.length - 1] ?? 'ok';
    if (step === 'ok') return `rec-${requests.length}`;
    throw step;
  };
  return {
    clock,
    limiter,
    controller,
    requests,
    retries,
    attemptsSeen: () => onAttempt,
    send: (policy = {}, random = () => 0.5) =>
      sendWithRetry(call, {
        limiter,
        clock,
        random,
        signal: controller.signal,
        policy: { ...DEFAULT_RETRY_POLICY, ...policy },
        onAttempt: () => (onAttempt += 1),
        onRetry: (event) => retries.push(event),
      }),
  };
}

/** Lets simulated time run until the promise settles (all waits are on the ManualClock). */
async function drive<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => (done = true)).catch(() => undefined);
  for (let i = 0; i < 10_000 && !done; i += 1) await clock.advance(1000);
  expect(done).toBe(true);
  return promise;
}

describe('sendWithRetry: success and retried kinds', () => {
  it('returns the value after one attempt when the call succeeds', async () => {
    const h = harness([]);
    const result = await drive(h.clock, h.send());
    expect(result).toEqual({ ok: true, value: 'rec-1', attempts: 1 });
    expect(h.retries).toHaveLength(0);
    expect(h.limiter.stats.permits).toBe(1);
  });

  it('retries throttles, 5xx, network errors and InvalidState, resending the same request each time', async () => {
    const h = harness([throttle(), serverError(), socketError(), invalidState(), throttle()]);
    const result = await drive(h.clock, h.send());
    expect(result).toEqual({ ok: true, value: 'rec-6', attempts: 6 });
    expect(h.requests).toHaveLength(6);
    const first = h.requests[0]!;
    for (const r of h.requests) {
      expect(r.request).toBe(first.request); // same object, so the same idempotency token
      expect(r.signal).toBe(h.controller.signal);
    }
    expect(h.retries.map((e) => e.error.kind)).toEqual(['throttle', 'server', 'network', 'invalid-state', 'throttle']);
    expect(h.attemptsSeen()).toBe(6);
  });

  it.each([
    ['throttle', 12, throttle],
    ['server', 6, serverError],
    ['network', 6, socketError],
    ['invalid-state', 6, invalidState],
  ] as const)('gives up on %s after its default budget of %i attempts', async (kind, budget, make) => {
    const h = harness(Array.from({ length: 40 }, () => make()));
    const result = await drive(h.clock, h.send());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(kind);
    expect(result.attempts).toBe(budget);
    expect(h.requests).toHaveLength(budget);
    expect(h.retries).toHaveLength(budget - 1);
  });

  it('honours a smaller budget from the policy', async () => {
    const h = harness(Array.from({ length: 10 }, () => throttle()));
    const result = await drive(h.clock, h.send({ throttleAttempts: 3 }));
    expect(result).toMatchObject({ ok: false, attempts: 3, error: { kind: 'throttle' } });
  });

  it('5xx and network errors share the transient budget (transientAttempts per row)', async () => {
    const h = harness(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? serverError() : socketError())));
    const result = await drive(h.clock, h.send({ transientAttempts: 4 }));
    expect(result.ok).toBe(false);
    expect(h.requests).toHaveLength(4);
  });
});

describe('sendWithRetry: final errors are never retried', () => {
  it.each([
    ['InvalidParametersException', () => new InvalidParametersException({ message: 'bad', $metadata: meta(400) })],
    ['ResourceNotFoundException', () => new ResourceNotFoundException({ message: 'gone', $metadata: meta(400) })],
    ['LimitExceededException', () => new LimitExceededException({ message: 'limit', $metadata: meta(400) })],
  ])('%s: one attempt, kind final', async (code, make) => {
    const h = harness([make()]);
    const result = await drive(h.clock, h.send());
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { kind: 'final', code } });
    expect(h.requests).toHaveLength(1);
    expect(h.retries).toHaveLength(0);
    expect(h.limiter.stats.throttles).toBe(0); // LimitExceeded is not reported as a throttle
  });

  it('credentials and access-denied are not retried either', async () => {
    for (const name of ['UnrecognizedClientException', 'AccessDeniedException']) {
      const h = harness([new ServiceCatalogServiceException({ name, $fault: 'client', message: 'no', $metadata: meta(400) })]);
      const result = await drive(h.clock, h.send());
      expect(result).toMatchObject({ ok: false, attempts: 1 });
      expect(h.requests).toHaveLength(1);
    }
  });
});

describe('sendWithRetry: limiter and waits', () => {
  it('reports throttles to the limiter with their permit, and successes', async () => {
    const h = harness([throttle(), throttle()]);
    const before = h.limiter.rate;
    await drive(h.clock, h.send());
    expect(h.limiter.stats.throttles).toBe(2);
    expect(h.limiter.stats.cuts).toBe(2); // the second permit was taken after the first cut: new evidence
    expect(h.limiter.stats.permits).toBe(3);
    expect(h.limiter.rate).toBeLessThan(before);
  });

  it('does not report 5xx as throttles', async () => {
    const h = harness([serverError(), serverError()]);
    await drive(h.clock, h.send());
    expect(h.limiter.stats.throttles).toBe(0);
    expect(h.limiter.rate).toBe(1000);
  });

  it('waits the backoff from the policy and the random source before calling again', async () => {
    const h = harness([serverError(), serverError()]);
    const pending = h.send({}, () => 0.5);
    await flushMicrotasks();
    expect(h.requests).toHaveLength(1);
    await h.clock.advance(124);
    expect(h.requests).toHaveLength(1);
    await h.clock.advance(1); // 0.5 * 250
    expect(h.requests).toHaveLength(2);
    await h.clock.advance(249);
    expect(h.requests).toHaveLength(2);
    await h.clock.advance(1); // 0.5 * 500
    expect(await pending).toMatchObject({ ok: true, attempts: 3 });
    expect(h.retries.map((e) => e.delayMs)).toEqual([125, 250]);
    expect(h.retries.map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('honours Retry-After: no new attempt before it has passed', async () => {
    const h = harness([throttle('7')]);
    const pending = h.send({}, () => 0);
    await flushMicrotasks();
    await h.clock.advance(6999);
    expect(h.requests).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.requests).toHaveLength(2);
    expect(h.requests[1]!.at - h.requests[0]!.at).toBe(7000);
    expect(await pending).toMatchObject({ ok: true, attempts: 2 });
    expect(h.retries[0]).toMatchObject({ delayMs: 7000, error: { retryAfterMs: 7000 } });
  });
});

describe('sendWithRetry: abort', () => {
  it('abort during a backoff wait ends promptly with kind aborted', async () => {
    const h = harness([invalidState()]);
    const pending = h.send();
    await flushMicrotasks();
    expect(h.retries).toHaveLength(1);
    expect(h.retries[0]!.delayMs).toBeGreaterThanOrEqual(2500);
    h.controller.abort(new Error('SIGINT'));
    await flushMicrotasks(); // no clock advance: the sleep must give way at once
    let settled = false;
    void pending.then(() => (settled = true));
    await flushMicrotasks();
    expect(settled).toBe(true);
    expect(await pending).toMatchObject({ ok: false, attempts: 1, error: { kind: 'aborted', code: 'Aborted' } });
    expect(h.requests).toHaveLength(1);
  });

  it('abort while waiting for a limiter slot ends with kind aborted and no call', async () => {
    const h = harness([], 1);
    await h.limiter.acquire(); // the next slot is a second away
    const pending = h.send();
    await flushMicrotasks();
    h.controller.abort(new Error('SIGTERM'));
    expect(await pending).toMatchObject({ ok: false, attempts: 0, error: { kind: 'aborted' } });
    expect(h.requests).toHaveLength(0);
  });

  it('an error from an aborted request is aborted, not retried', async () => {
    const h = harness([]);
    let calls = 0;
    const result = sendWithRetry(
      (signal) =>
        new Promise<string>((_, reject) => {
          calls += 1;
          signal.addEventListener('abort', () => reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
        }),
      { limiter: h.limiter, policy: DEFAULT_RETRY_POLICY, clock: h.clock, random: () => 0, signal: h.controller.signal },
    );
    await flushMicrotasks();
    h.controller.abort();
    expect(await result).toMatchObject({ ok: false, attempts: 1, error: { kind: 'aborted' } });
    expect(calls).toBe(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const h = harness([]);
    h.controller.abort();
    expect(await h.send()).toMatchObject({ ok: false, attempts: 0, error: { kind: 'aborted' } });
    expect(h.requests).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, type Permit } from '../../../src/transfer/adaptive-limiter.js';
import { ManualClock, flushMicrotasks } from '../../helpers/manual-clock.js';

const T0 = 1_700_000_000_000;

function track<T>(promise: Promise<T>): { readonly settled: () => boolean; readonly promise: Promise<T> } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled, promise };
}

describe('AdaptiveRateLimiter options', () => {
  it('validates every option and repeats the bad value', () => {
    const clock = new ManualClock();
    const make = (o: Record<string, number>) => () => new AdaptiveRateLimiter({ maxRate: 10, clock, ...o });
    expect(make({ maxRate: 0 })).toThrow(/maxRate must be a number > 0, got 0/);
    expect(make({ maxRate: -3 })).toThrow(/got -3/);
    expect(make({ maxRate: Number.NaN })).toThrow(/maxRate.*got NaN/);
    expect(make({ maxRate: Number.POSITIVE_INFINITY })).toThrow(/maxRate.*got Infinity/);
    expect(make({ minRate: 0 })).toThrow(/minRate must be > 0 and <= maxRate \(10\), got 0/);
    expect(make({ minRate: 11 })).toThrow(/minRate.*got 11/);
    expect(make({ decreaseFactor: 1 })).toThrow(/decreaseFactor must be in \(0, 1\), got 1/);
    expect(make({ decreaseFactor: 0 })).toThrow(/decreaseFactor.*got 0/);
    expect(make({ increasePerSecond: -1 })).toThrow(/increasePerSecond must be a number > 0, got -1/);
    expect(make({ initialRate: 12 })).toThrow(/initialRate must be within \[0\.2, 10\], got 12/);
    expect(make({ minRate: 2, initialRate: 1 })).toThrow(/initialRate must be within \[2, 10\], got 1/);
  });

  it('defaults: starts at maxRate, floor min(0.2, maxRate)', () => {
    const clock = new ManualClock();
    expect(new AdaptiveRateLimiter({ maxRate: 7, clock }).rate).toBe(7);
    expect(new AdaptiveRateLimiter({ maxRate: 7, initialRate: 3, clock }).rate).toBe(3);
    // maxRate below 0.2 is allowed: the floor follows it.
    const slow = new AdaptiveRateLimiter({ maxRate: 0.1, clock });
    slow.onThrottle({ sentAt: clock.now() });
    expect(slow.rate).toBe(0.1);
  });
});

describe('AdaptiveRateLimiter pacing', () => {
  it('gives concurrent acquirers successive slots 1000/rate apart, never a burst', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 4, clock });
    const granted: number[] = [];
    const all = [0, 1, 2, 3].map(async () => {
      const permit = await limiter.acquire();
      granted.push(clock.now());
      return permit;
    });
    await flushMicrotasks();
    expect(granted).toEqual([T0]); // the first goes at once, the others wait
    await clock.advance(249);
    expect(granted).toHaveLength(1);
    await clock.advance(1);
    expect(granted).toEqual([T0, T0 + 250]);
    await clock.advance(500);
    const permits = await Promise.all(all);
    expect(granted).toEqual([T0, T0 + 250, T0 + 500, T0 + 750]);
    expect(permits.map((p) => p.sentAt)).toEqual(granted);
    expect(limiter.stats.permits).toBe(4);
  });

  it('does not save up slots while idle', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 2, clock });
    await limiter.acquire();
    await clock.advance(10_000);
    const a = await limiter.acquire();
    expect(a.sentAt).toBe(T0 + 10_000);
    const b = track(limiter.acquire());
    await flushMicrotasks();
    expect(b.settled()).toBe(false);
    await clock.advance(500);
    expect((await b.promise).sentAt).toBe(T0 + 10_500);
  });
});

describe('AdaptiveRateLimiter throttles', () => {
  it('cuts by decreaseFactor once per burst: throttles of permits sent before the cut do not cut again', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 10, decreaseFactor: 0.5, clock });
    const p1 = await limiter.acquire();
    const p2Pending = limiter.acquire();
    await clock.advance(100);
    const p2 = await p2Pending;
    await clock.advance(50);
    expect(limiter.onThrottle(p1)).toBe(true);
    expect(limiter.rate).toBe(5);
    expect(limiter.onThrottle(p2)).toBe(false); // sent at T0+100, before the cut at T0+150
    expect(limiter.rate).toBe(5);
    // A permit handed out after the cut is new evidence.
    const p3Pending = track(limiter.acquire());
    await clock.advance(199);
    expect(p3Pending.settled()).toBe(false); // a full new interval (200 ms at rate 5) from the cut
    await clock.advance(1);
    const p3 = await p3Pending.promise;
    expect(p3.sentAt).toBe(T0 + 350);
    expect(limiter.onThrottle(p3)).toBe(true);
    expect(limiter.rate).toBe(2.5);
    expect(limiter.stats).toEqual({ rate: 2.5, permits: 3, throttles: 3, cuts: 2 });
  });

  it('never goes below minRate', () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 10, minRate: 3, clock });
    // Twenty throttles of permits sent before the first cut: one cut only.
    for (let i = 0; i < 20; i += 1) expect(limiter.onThrottle({ sentAt: T0 - 1 })).toBe(i === 0);
    expect(limiter.rate).toBe(7); // only the first cut
    for (let i = 0; i < 20; i += 1) limiter.onThrottle({ sentAt: Number.MAX_SAFE_INTEGER });
    expect(limiter.rate).toBe(3);
    expect(limiter.stats.cuts).toBe(21);
  });

  it('recovers additively on success, about +increasePerSecond per second of clean traffic, up to maxRate', () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 20, initialRate: 10, increasePerSecond: 2, clock });
    limiter.onSuccess();
    expect(limiter.rate).toBeCloseTo(10.2, 10); // + 2/10
    // One second of successes at ~10 req/s adds ~2 req/s.
    const limiter2 = new AdaptiveRateLimiter({ maxRate: 20, initialRate: 10, increasePerSecond: 2, clock });
    for (let i = 0; i < 10; i += 1) limiter2.onSuccess();
    expect(limiter2.rate).toBeGreaterThan(11.8);
    expect(limiter2.rate).toBeLessThan(12);
    for (let i = 0; i < 1000; i += 1) limiter2.onSuccess();
    expect(limiter2.rate).toBe(20);
  });
});

describe('AdaptiveRateLimiter abort', () => {
  it('rejects a waiting acquirer with the signal reason as soon as it aborts', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 1, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    const reason = new Error('stop');
    const rejected = expect(waiting).rejects.toBe(reason);
    controller.abort(reason);
    await rejected; // no clock advance needed
    expect(limiter.stats.permits).toBe(1);
  });

  it('rejects at once when the signal is already aborted, without taking a slot', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 1, clock });
    const reason = new Error('already');
    await expect(limiter.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    const permit = await limiter.acquire();
    expect(permit.sentAt).toBe(T0);
  });
});

describe('AdaptiveRateLimiter against a token-bucket server (simulation)', () => {
  it.each([5, 10, 25])('Q = %i req/s: settles between ~0.6Q and Q with few throttles when maxRate is 3Q', async (Q) => {
    const SECONDS = 120;
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 3 * Q, clock });
    // The server: a bucket of Q tokens refilled at Q per second.
    let tokens = Q;
    let refilledAt = clock.now();
    const serve = (): boolean => {
      const now = clock.now();
      tokens = Math.min(Q, tokens + ((now - refilledAt) / 1000) * Q);
      refilledAt = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    };
    const end = T0 + SECONDS * 1000;
    const log: Array<{ at: number; ok: boolean }> = [];
    const worker = async (): Promise<void> => {
      while (clock.now() < end) {
        const permit: Permit = await limiter.acquire();
        if (clock.now() >= end) return;
        const ok = serve();
        log.push({ at: clock.now(), ok });
        await clock.sleep(80); // response latency
        if (ok) limiter.onSuccess();
        else limiter.onThrottle(permit);
      }
    };
    // Enough workers that concurrency is never the bottleneck: 8 x (1000/80 ms) = 100 req/s > 3Q.
    const workers = Promise.all(Array.from({ length: 8 }, () => worker()));
    await clock.advance(SECONDS * 1000 + 10_000);
    await workers;

    const settled = log.filter((r) => r.at >= T0 + 30_000);
    const okPerSecond = settled.filter((r) => r.ok).length / (SECONDS - 30);
    const throttledShare = log.filter((r) => !r.ok).length / log.length;
    expect(okPerSecond).toBeGreaterThan(0.6 * Q);
    // The server cannot serve more than Q/s plus one full bucket over the window.
    expect(okPerSecond).toBeLessThanOrEqual(Q * (1 + 1 / (SECONDS - 30)));
    expect(throttledShare).toBeLessThan(0.15);
    expect(limiter.stats.cuts).toBeGreaterThan(1); // it did find the quota by being throttled
    expect(limiter.rate).toBeLessThan(1.5 * Q);
  });
});

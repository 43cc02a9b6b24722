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
    expect(make({ settleFactor: 1 })).toThrow(/settleFactor must be in \(0, 1\), got 1/);
    expect(make({ settleFactor: 0 })).toThrow(/settleFactor.*got 0/);
    expect(make({ probePerSecond: -1 })).toThrow(/probePerSecond must be a number > 0, got -1/);
    expect(make({ windowMs: 0 })).toThrow(/windowMs must be a number > 0, got 0/);
    expect(make({ initialRate: 12 })).toThrow(/initialRate must be within \[0\.2, 10\], got 12/);
    expect(make({ minRate: 2, initialRate: 1 })).toThrow(/initialRate must be within \[2, 10\], got 1/);
  });

  it('defaults: starts low (4/s, or the ceiling when lower) to find the quota from below; floor min(0.2, maxRate)', () => {
    const clock = new ManualClock();
    expect(new AdaptiveRateLimiter({ maxRate: 700, clock }).rate).toBe(4);
    expect(new AdaptiveRateLimiter({ maxRate: 1.5, clock }).rate).toBe(1.5);
    expect(new AdaptiveRateLimiter({ maxRate: 7, initialRate: 6, clock }).rate).toBe(6);
    // maxRate below 0.2 is allowed: the floor follows it.
    const slow = new AdaptiveRateLimiter({ maxRate: 0.1, clock });
    slow.onThrottle({ sentAt: clock.now() });
    expect(slow.rate).toBe(0.1);
  });
});

describe('AdaptiveRateLimiter pacing', () => {
  it('gives concurrent acquirers successive slots 1000/rate apart, never a burst', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 4, initialRate: 4, clock });
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
  it('settles just under the rate the server accepted, once per burst: throttles of permits sent before the cut do not cut again', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 100, initialRate: 50, clock });
    // 20 answers accepted over the last second: the server let 20/s through.
    for (let i = 0; i < 20; i += 1) {
      limiter.onSuccess();
      await clock.advance(50);
    }
    const before = limiter.acquire();
    await clock.advance(20);
    const old = await before;
    expect(limiter.onThrottle({ sentAt: clock.now() })).toBe(true);
    expect(limiter.rate).toBeCloseTo(0.95 * 20, 0);
    expect(limiter.onThrottle(old)).toBe(false); // sent before the cut
    expect(limiter.stats).toMatchObject({ throttles: 2, cuts: 1 });
  });

  it('makes the slots reserved before a cut stale: their holders wait again at the new rate', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 10, initialRate: 10, clock });
    await limiter.acquire();
    const queued = track(limiter.acquire()); // its slot is T0 + 100 at 10/s
    await clock.advance(50);
    limiter.onThrottle({ sentAt: clock.now() }); // no accepted answers yet: 0.95 × 10 = 9.5/s
    await clock.advance(60); // past the stale slot
    expect(queued.settled()).toBe(false);
    await clock.advance(1000);
    expect((await queued.promise).sentAt).toBeGreaterThanOrEqual(T0 + 50 + 1000 / 9.5 - 1);
  });

  it('respaces slots queued at a much slower rate once the rate rises a quarter (slow start)', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 100, initialRate: 2, clock });
    const queued = [limiter.reserve(), limiter.reserve(), limiter.reserve()];
    expect(queued.at(-1)!.at).toBe(T0 + 1000); // 2/s: 500 ms apart
    limiter.take(queued[0]!); // the first slot is due at once: sent
    await clock.advance(100);
    limiter.onSuccess(); // 2 → 2.5/s: a quarter at most an answer
    limiter.onSuccess(); // → 3.125/s: more than a quarter faster than the queued slots
    expect(queued.every((r) => limiter.isStale(r))).toBe(true);
    // The schedule goes on one new interval after the request sent, not at once, not at the old pace.
    expect(limiter.reserve().at).toBeCloseTo(T0 + 1000 / 3.125);
    await clock.advance(1000);
    expect(limiter.reserve().at).toBe(T0 + 1100); // long after: now
  });

  it('never goes below minRate', () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 10, minRate: 3, initialRate: 10, clock });
    for (let i = 0; i < 20; i += 1) expect(limiter.onThrottle({ sentAt: T0 - 1 })).toBe(i === 0);
    for (let i = 0; i < 40; i += 1) limiter.onThrottle({ sentAt: Number.MAX_SAFE_INTEGER });
    expect(limiter.rate).toBe(3);
  });

  it('grows fast until the first throttle (slow start), recovers at about 10 % a second, then probes by about 1 % a second, up to maxRate', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 1000, initialRate: 2, clock });
    for (let i = 0; i < 4; i += 1) limiter.onSuccess(); // at most a quarter an answer: 2, 2.5, 3.1, 3.9, 4.9
    expect(limiter.rate).toBeCloseTo(2 * 1.25 ** 4);
    const fast = new AdaptiveRateLimiter({ maxRate: 1000, initialRate: 100, clock });
    const oneSecondAt = async (rate: number) => {
      for (let i = 0; i < Math.round(rate); i += 1) {
        await clock.advance(1000 / rate);
        fast.onSuccess();
      }
    };
    fast.onThrottle({ sentAt: clock.now() }); // ends slow start: the estimate was taken on a ramp
    const recovering = fast.rate; // 95: no answers measured yet, 0.95 × the rate
    await oneSecondAt(recovering);
    expect(fast.rate / recovering).toBeGreaterThan(1.05);
    expect(fast.rate / recovering).toBeLessThan(1.15);
    await oneSecondAt(fast.rate); // a later throttle, a new episode: the estimate is a steady one
    fast.onThrottle({ sentAt: clock.now() });
    const settled = fast.rate;
    await oneSecondAt(settled);
    expect(fast.rate / settled).toBeGreaterThan(1.005);
    expect(fast.rate / settled).toBeLessThan(1.03);
    const capped = new AdaptiveRateLimiter({ maxRate: 5, clock });
    for (let i = 0; i < 1000; i += 1) capped.onSuccess();
    expect(capped.rate).toBe(5);
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

/** A limiter that starts where an earlier run left it (issue 25): probing at once from a settled rate, or slow start from a rate still ramping. */
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, type AdaptiveLimiterOptions } from '../../../src/transfer/adaptive-limiter.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const T0 = 1_700_000_000_000;

/** `seconds` of clean traffic at the limiter's own pace: every slot taken, every answer accepted. */
async function cleanTraffic(clock: ManualClock, limiter: AdaptiveRateLimiter, seconds: number): Promise<void> {
  const end = clock.now() + seconds * 1000;
  while (clock.now() < end) {
    const reservation = limiter.reserve();
    if (reservation.waitMs > 0) await clock.advance(reservation.waitMs);
    limiter.take(reservation);
    limiter.onSuccess();
  }
}

describe('AdaptiveRateLimiter startProbing', () => {
  it('is validated, repeating the bad value, and needs the rate to probe from', () => {
    const clock = new ManualClock(T0);
    const make = (o: Partial<AdaptiveLimiterOptions>) => () => new AdaptiveRateLimiter({ maxRate: 10, clock, ...o });
    expect(make({ startProbing: 'yes' as unknown as boolean, initialRate: 5 })).toThrow('startProbing must be true or false, got yes');
    expect(make({ startProbing: true })).toThrow('startProbing needs the rate to probe from (initialRate), got startProbing true and no initialRate');
    expect(make({ startProbing: true, initialRate: 11 })).toThrow(/initialRate must be within \[0\.2, 10\], got 11/);
    // Default false: slow start, as before.
    expect(new AdaptiveRateLimiter({ maxRate: 10, clock }).stats).toMatchObject({ rate: 4, settled: false });
    expect(new AdaptiveRateLimiter({ maxRate: 10, initialRate: 5, startProbing: false, clock }).stats.settled).toBe(false);
  });

  it('starts at the remembered rate, paced from the first request (no burst), and grows only by the probe in the first seconds', async () => {
    const clock = new ManualClock(T0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 100, initialRate: 20, startProbing: true, clock });
    expect(limiter.stats).toEqual({ rate: 20, permits: 0, throttles: 0, cuts: 0, settled: true });
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()].map((r) => r.at - T0)).toEqual([0, 50, 100]);

    const probing = new AdaptiveRateLimiter({ maxRate: 100, initialRate: 20, startProbing: true, clock });
    await cleanTraffic(clock, probing, 3);
    // About 1 % a second (a little more the longer no throttle came): never slow start's doubling,
    // nor the tenfold recovery after a slow start.
    expect(probing.rate).toBeGreaterThan(20);
    expect(probing.rate).toBeLessThanOrEqual(20 * 1.015 ** 3);
    expect(probing.stats.cuts).toBe(0);

    // The same rate remembered from a lane that was never throttled: slow start goes on from there.
    const ramping = new AdaptiveRateLimiter({ maxRate: 100, initialRate: 20, clock });
    await cleanTraffic(clock, ramping, 1);
    expect(ramping.rate).toBeGreaterThan(40);
    expect(ramping.stats.settled).toBe(false);
  });

  it('is still cut by a throttle, even of the first permit, and then probes at the settled pace (no recovery boost)', async () => {
    const clock = new ManualClock(T0);
    const first = new AdaptiveRateLimiter({ maxRate: 100, initialRate: 20, startProbing: true, clock });
    const permit = await first.acquire(); // sent the instant it was made: new evidence
    expect(first.onThrottle(permit)).toBe(true);
    expect(first.rate).toBeCloseTo(19);

    const limiter = new AdaptiveRateLimiter({ maxRate: 100, initialRate: 20, startProbing: true, clock });
    await cleanTraffic(clock, limiter, 2);
    const before = limiter.rate;
    expect(limiter.onThrottle({ sentAt: clock.now() })).toBe(true);
    // 0.95 × what the server accepted over the last second (about the rate it was paced at).
    expect(limiter.rate).toBeLessThan(before);
    expect(limiter.rate).toBeGreaterThan(0.9 * 0.95 * before);
    expect(limiter.stats).toMatchObject({ cuts: 1, throttles: 1, settled: true });
    const cut = limiter.rate;
    await cleanTraffic(clock, limiter, 1);
    expect(limiter.rate / cut).toBeGreaterThan(1.005);
    expect(limiter.rate / cut).toBeLessThan(1.03); // a recovery after slow start would be about 1.1
  });
});

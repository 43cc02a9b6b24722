/**
 * The limiter against a simulated server, on a simulated clock (no timers, no randomness): a token
 * bucket quota, a fixed latency, workers that take a slot, send, and report the answer, resending
 * a throttled request. Across quotas from 2 to 200/s and ceilings from 1.5× to 20× the quota, and a
 * quota halved then restored, the limiter must settle near the quota with few throttles. The bounds
 * are looser than the goals the benchmark measures, so this never flakes.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/clock.js';
import { AdaptiveRateLimiter } from '../../../src/transfer/adaptive-limiter.js';

interface Scenario {
  /** Quota (requests/s) as a function of simulated time (ms). */
  readonly quota: (at: number) => number;
  readonly burst: number;
  readonly ceiling: number;
  readonly workers: number;
  readonly latencyMs: number;
  readonly durationMs: number;
}

interface Outcome {
  /** Accepted requests per second between `from` and `to`. */
  acceptedRate(from: number, to: number): number;
  /** Share of throttled answers between `from` and `to`. */
  throttledShare(from: number, to: number): number;
  readonly limiter: AdaptiveRateLimiter;
}

/** A discrete-event run: every event is (time, action), processed in time order. */
function simulate(s: Scenario): Outcome {
  let now = 0;
  const clock: Clock = { now: () => now, sleep: () => Promise.reject(new Error('the simulation does not sleep')) };
  const limiter = new AdaptiveRateLimiter({ maxRate: s.ceiling, clock });
  const events: Array<{ at: number; seq: number; run: () => void }> = [];
  let seq = 0;
  const schedule = (at: number, run: () => void) => {
    events.push({ at, seq: seq++, run });
  };
  // The server's token bucket, refilled at the quota of the moment.
  let tokens = s.burst;
  let refilledAt = 0;
  const serve = (): boolean => {
    tokens = Math.min(s.burst, tokens + ((now - refilledAt) / 1000) * s.quota(now));
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  };
  const answers: Array<{ at: number; ok: boolean }> = [];
  const worker = () => {
    const reservation = limiter.reserve();
    const { waitMs } = reservation;
    // As acquire() does: wait in steps of at most 250 ms; a slot gone stale (a cut, a big rise)
    // is reserved again at the new rate.
    const check = () => {
      if (limiter.isStale(reservation)) worker();
      else if (now < reservation.at) schedule(now + Math.min(250, reservation.at - now), check);
      else send(limiter.take(reservation));
    };
    schedule(now + Math.min(250, waitMs), check);
  };
  const send = (permit: { sentAt: number }) => {
    // The request reaches the server half a latency after it leaves, the answer the other half later.
    schedule(now + s.latencyMs / 2, () => {
      const ok = serve();
      schedule(now + s.latencyMs / 2, () => {
        answers.push({ at: now, ok });
        if (ok) limiter.onSuccess();
        else limiter.onThrottle(permit);
        if (now < s.durationMs) worker();
      });
    });
  };
  for (let i = 0; i < s.workers; i += 1) worker();
  while (events.length > 0) {
    let next = 0;
    for (let i = 1; i < events.length; i += 1) {
      const a = events[i]!;
      const b = events[next]!;
      if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) next = i;
    }
    const [event] = events.splice(next, 1);
    now = event!.at;
    event!.run();
  }
  const between = (from: number, to: number) => answers.filter((a) => a.at >= from && a.at < to);
  return {
    limiter,
    acceptedRate: (from, to) => (between(from, to).filter((a) => a.ok).length * 1000) / (to - from),
    throttledShare: (from, to) => {
      const all = between(from, to);
      return all.length === 0 ? 0 : all.filter((a) => !a.ok).length / all.length;
    },
  };
}

describe('the limiter settles just under the quota, whatever the ceiling', () => {
  const grid: Array<[number, number]> = [];
  for (const quota of [2, 10, 40, 200]) for (const factor of [1.5, 5, 20]) grid.push([quota, factor]);

  it.each(grid)('quota %d/s, ceiling %d× the quota', (quota, factor) => {
    const durationMs = 120_000;
    const outcome = simulate({ quota: () => quota, burst: Math.max(2, quota / 4), ceiling: quota * factor, workers: 16, latencyMs: 60, durationMs });
    // After the first 30 s (finding the quota from below), over the next 90 s:
    const ratio = outcome.acceptedRate(30_000, durationMs) / quota;
    const throttled = outcome.throttledShare(30_000, durationMs);
    // SOT_SIM_REPORT=1 prints the figures (for the closing note); the assertions are the test.
    if (process.env.SOT_SIM_REPORT)
      console.log(
        `quota ${quota} ceiling ${factor}x: 5-30 s ${(outcome.acceptedRate(5_000, 30_000) / quota).toFixed(3)} ratio ${ratio.toFixed(3)} throttled ${(throttled * 100).toFixed(2)}% (first 30 s: ${(outcome.throttledShare(0, 30_000) * 100).toFixed(2)}%)`,
      );
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThanOrEqual(1.01);
    expect(throttled).toBeLessThan(0.04);
    // Finding it costs few throttles even from a high ceiling, and the first cut lands near it.
    expect(outcome.throttledShare(0, 30_000)).toBeLessThan(0.1);
    expect(outcome.acceptedRate(5_000, 30_000) / quota).toBeGreaterThan(0.85);
  });

  it('follows a quota that is halved, then restored', () => {
    const quota = (at: number) => (at >= 60_000 && at < 120_000 ? 20 : 40);
    const outcome = simulate({ quota, burst: 10, ceiling: 400, workers: 16, latencyMs: 60, durationMs: 240_000 });
    expect(outcome.acceptedRate(30_000, 60_000) / 40).toBeGreaterThan(0.9);
    expect(outcome.acceptedRate(80_000, 120_000) / 20).toBeGreaterThan(0.9);
    expect(outcome.throttledShare(80_000, 120_000)).toBeLessThan(0.04);
    // Restored: the full quota is found again within a minute.
    expect(outcome.acceptedRate(180_000, 240_000) / 40).toBeGreaterThan(0.85);
  });

  it('reaches a high ceiling within seconds when no quota is in sight', () => {
    // A fast local server with no quota (a rehearsal, the benchmark): slow start must not be the bottleneck.
    const outcome = simulate({ quota: () => 1e9, burst: 1e9, ceiling: 1000, workers: 16, latencyMs: 10, durationMs: 10_000 });
    // Measured: 5, 50, 959, then 1,000 a second: the ceiling is reached within the third second.
    expect(outcome.acceptedRate(2_000, 3_000)).toBeGreaterThan(800);
    expect(outcome.acceptedRate(3_000, 10_000)).toBeGreaterThan(950);
    expect(outcome.limiter.stats.throttles).toBe(0);
  });
});

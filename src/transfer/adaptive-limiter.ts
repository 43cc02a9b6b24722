/**
 * A request-rate limiter that finds the account's real quota by itself (AIMD, as TCP does).
 *
 * Requests are paced one slot every 1000/rate ms; slots are reserved synchronously, so concurrent
 * workers get successive slots and never burst. On ThrottlingException the rate is cut by
 * `decreaseFactor`, once per burst: a throttle answering a request that was sent before the last
 * cut is no new evidence (the server was answering traffic we already slowed down), so it does not
 * cut again. Each success then adds `increasePerSecond / rate`, which is about +increasePerSecond
 * requests per second for every second of clean traffic, up to `maxRate`. The result settles just
 * under the quota: it climbs until throttled, backs off, climbs again.
 *
 * One limiter per API operation: AWS throttles each operation on its own, so a throttled read
 * (DescribeRecord) must never slow the writes.
 */
import type { Clock } from '../clock.js';

export interface AdaptiveLimiterOptions {
  /** Ceiling in requests per second (`--rate`). Required, > 0. */
  readonly maxRate: number;
  /** Floor in requests per second. Default: the smaller of 0.2 and maxRate. */
  readonly minRate?: number;
  /** Starting rate. Default: maxRate (the operator's stated ceiling). */
  readonly initialRate?: number;
  /** Multiplier applied on a new throttle, in (0, 1). Default 0.7. */
  readonly decreaseFactor?: number;
  /** Recovery speed in requests per second gained per second of successes. Default max(0.2, maxRate / 20). */
  readonly increasePerSecond?: number;
  readonly clock: Clock;
}

/** Proof of a slot; hand it back with the answer so the limiter can tell old throttles from new. */
export interface Permit {
  /** When the request was allowed to go (ms since epoch). */
  readonly sentAt: number;
}

export interface LimiterStats {
  readonly rate: number;
  readonly permits: number;
  readonly throttles: number;
  readonly cuts: number;
}

export class AdaptiveRateLimiter {
  readonly #clock: Clock;
  readonly #maxRate: number;
  readonly #minRate: number;
  readonly #decreaseFactor: number;
  readonly #increasePerSecond: number;
  #rate: number;
  #nextSlotAt = 0;
  #lastCutAt = Number.NEGATIVE_INFINITY;
  #permits = 0;
  #throttles = 0;
  #cuts = 0;

  constructor(options: AdaptiveLimiterOptions) {
    const { maxRate } = options;
    if (!(Number.isFinite(maxRate) && maxRate > 0)) {
      throw new TypeError(`maxRate must be a number > 0, got ${String(maxRate)}`);
    }
    const minRate = options.minRate ?? Math.min(0.2, maxRate);
    if (!(Number.isFinite(minRate) && minRate > 0 && minRate <= maxRate)) {
      throw new TypeError(`minRate must be > 0 and <= maxRate (${maxRate}), got ${String(minRate)}`);
    }
    const decreaseFactor = options.decreaseFactor ?? 0.7;
    if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
      throw new TypeError(`decreaseFactor must be in (0, 1), got ${String(decreaseFactor)}`);
    }
    const increasePerSecond = options.increasePerSecond ?? Math.max(0.2, maxRate / 20);
    if (!(Number.isFinite(increasePerSecond) && increasePerSecond > 0)) {
      throw new TypeError(`increasePerSecond must be a number > 0, got ${String(increasePerSecond)}`);
    }
    const initialRate = options.initialRate ?? maxRate;
    if (!(initialRate >= minRate && initialRate <= maxRate)) {
      throw new TypeError(`initialRate must be within [${minRate}, ${maxRate}], got ${String(initialRate)}`);
    }
    this.#clock = options.clock;
    this.#maxRate = maxRate;
    this.#minRate = minRate;
    this.#decreaseFactor = decreaseFactor;
    this.#increasePerSecond = increasePerSecond;
    this.#rate = initialRate;
  }

  get rate(): number {
    return this.#rate;
  }

  get stats(): LimiterStats {
    return { rate: this.#rate, permits: this.#permits, throttles: this.#throttles, cuts: this.#cuts };
  }

  /** Waits for the next slot. Rejects with the signal's reason if it aborts while waiting. */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    signal?.throwIfAborted();
    const now = this.#clock.now();
    const slot = Math.max(now, this.#nextSlotAt);
    this.#nextSlotAt = slot + 1000 / this.#rate;
    if (slot > now) await this.#clock.sleep(slot - now, signal);
    this.#permits += 1;
    return { sentAt: slot };
  }

  /** Reports a throttled answer. Returns true when it cut the rate (new evidence). */
  onThrottle(permit: Permit): boolean {
    this.#throttles += 1;
    if (permit.sentAt < this.#lastCutAt) return false;
    const now = this.#clock.now();
    this.#lastCutAt = now;
    this.#cuts += 1;
    this.#rate = Math.max(this.#minRate, this.#rate * this.#decreaseFactor);
    // Slots already handed out keep their times; the next one starts a full new interval from now,
    // giving the server's bucket a moment to refill before we resume at the lower rate.
    this.#nextSlotAt = Math.max(this.#nextSlotAt, now + 1000 / this.#rate);
    return true;
  }

  /** Reports a successful answer: recover a little of the rate. */
  onSuccess(): void {
    this.#rate = Math.min(this.#maxRate, this.#rate + this.#increasePerSecond / this.#rate);
  }
}

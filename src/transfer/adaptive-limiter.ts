/**
 * A request-rate limiter that settles just under the account's quota, whatever ceiling the
 * operator gave (`--rate`), and finds it from below.
 *
 * - Pacing: one slot every 1000/rate ms, reserved synchronously, so concurrent workers get
 *   successive slots and never burst.
 * - Finding the quota: the rate starts low (`initialRate`, by default 4 requests a second) and
 *   grows exponentially with clean traffic (slow start: doubling every 250 ms, but never more
 *   than a quarter an answer) until the first throttle or the ceiling;
 *   slots queued at a much lower rate are respaced as it rises.
 * - Settling: on a throttle that is new evidence (its request was sent after the last cut; a
 *   throttle answering traffic sent before the cut says nothing about the slower rate), the rate
 *   becomes `settleFactor` × the rate the server actually accepted over the last `windowMs`
 *   (its last quarter when the throttle ends slow start), and never more than `settleFactor` ×
 *   the current rate. The accepted rate is what the quota let through, so the limiter lands just
 *   under it whatever the ceiling.
 * - Probing: after a cut the rate climbs by `probePerSecond` of itself per second of clean
 *   traffic, a little faster the longer no throttle came (so a quota that was halved and then
 *   restored is found again within a minute), up to the ceiling; ten times faster after the cut
 *   that ended slow start, whose estimate was taken on a ramp and is low.
 * - Starting where an earlier run left off (`startProbing` with `initialRate`): probing at once,
 *   as after a cut (the lane of a resumed checkpoint, transfer/lane.ts).
 *
 * One limiter per API operation and account: AWS throttles each operation on its own, so a
 * throttled read (DescribeRecord) never slows the writes.
 */
import type { Clock } from '../clock.js';

export interface AdaptiveLimiterOptions {
  /** Ceiling in requests per second (`--rate`). Required, > 0. */
  readonly maxRate: number;
  /** Floor in requests per second. Default: the smaller of 0.2 and maxRate. */
  readonly minRate?: number;
  /** Starting rate. Default: the smaller of 4 and maxRate (found from below by slow start). */
  readonly initialRate?: number;
  /**
   * Start at `initialRate` as after a cut: no slow start, no faster recovery, probing up by
   * `probePerSecond` from the first answer, and a throttle cuts it as any other. For a rate an earlier
   * run settled at after throttling (a rate it kept without ever being throttled is only a point of
   * its slow start: start there with this false, slow start goes on). Needs `initialRate`. Default false.
   */
  readonly startProbing?: boolean;
  /** The share of the accepted rate to settle at after a throttle, in (0, 1). Default 0.95. */
  readonly settleFactor?: number;
  /** Probing speed after a cut: the share of the rate gained per second of clean traffic. Default 0.01. */
  readonly probePerSecond?: number;
  /** How far back the accepted rate is measured (ms). Default 1000: short enough that a ramp (slow start) does not drag it down. */
  readonly windowMs?: number;
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
  /** A throttle settled the rate: a cut in this run, or it started probing at a rate an earlier run settled at. */
  readonly settled: boolean;
}

/** A reserved slot: when to send, and the permit to hand back with the answer. */
export interface Reservation {
  readonly permit: Permit;
  readonly waitMs: number;
  /** The schedule it was reserved in: a cut or a big rise since makes the slot stale (see `isStale`). */
  readonly schedule: number;
  /** When its slot comes (ms since epoch). */
  readonly at: number;
}

/** Where a limiter starts by default: low, since slow start soon raises it (4/s to 1,000/s in about 2 s). */
export const INITIAL_RATE = 4;

/** The default floor (requests a second), or maxRate when lower. */
export const MIN_RATE = 0.2;

/** Slow start doubles the rate every 250 ms of clean traffic: its growth per second, as a share of the rate. */
const SLOW_START_PER_SECOND = (Math.LN2 * 1000) / 250;

/**
 * Slow start's largest gain per answer. At a low rate each answer is a large share of a second's
 * traffic, and the quota may be as small as 2/s: doubling every 250 ms would mean +55 % an answer
 * at 5/s. Capped, the rate goes 4, 5, 6.25... a quarter at a time until about 11/s.
 */
const SLOW_START_MAX_PER_ANSWER = 0.25;

/** Slow start's least gain per answer once the rate is high (see onSuccess). */
const SLOW_START_PER_ANSWER = 0.05;

/** How much faster the probe is right after slow start (see onThrottle). */
const RECOVERY_FACTOR = 10;

/** The longest a waiting acquirer sleeps before looking whether its slot went stale. */
const MAX_WAIT_STEP_MS = 250;

/** The fewest answers the accepted rate is measured over. */
const MIN_ANSWERS_MEASURED = 8;

/** The most a probe gains per accepted answer (see onSuccess). */
const MAX_PROBE_PER_ANSWER = 0.001;

export class AdaptiveRateLimiter {
  readonly #clock: Clock;
  readonly #maxRate: number;
  readonly #minRate: number;
  readonly #settleFactor: number;
  readonly #probePerSecond: number;
  readonly #windowMs: number;
  #rate: number;
  #nextSlotAt = 0;
  #lastCutAt = Number.NEGATIVE_INFINITY;
  /** Bumped by a cut, or by a rise of a quarter over the rate the queued slots were spaced at. */
  #schedule = 0;
  #scheduleRate: number;
  /** Between the cut that ended slow start and the next one: probing is RECOVERY_FACTOR times faster. */
  #recovering = false;
  /** Slow start until the first throttle: the rate grows exponentially with clean traffic. */
  #slowStart = true;
  /** Times of the recent accepted answers, oldest first (bounded by the window). */
  #accepted: number[] = [];
  #permits = 0;
  /** The slot of the last request actually sent: a respaced schedule goes on from it. */
  #lastTakenAt = Number.NEGATIVE_INFINITY;
  #throttles = 0;
  #cuts = 0;
  /** Started probing at a rate an earlier run settled at (see `startProbing`). */
  readonly #startedProbing: boolean;

  constructor(options: AdaptiveLimiterOptions) {
    const { maxRate } = options;
    if (!(Number.isFinite(maxRate) && maxRate > 0)) {
      throw new TypeError(`maxRate must be a number > 0, got ${String(maxRate)}`);
    }
    const minRate = options.minRate ?? Math.min(MIN_RATE, maxRate);
    if (!(Number.isFinite(minRate) && minRate > 0 && minRate <= maxRate)) {
      throw new TypeError(`minRate must be > 0 and <= maxRate (${maxRate}), got ${String(minRate)}`);
    }
    const settleFactor = options.settleFactor ?? 0.95;
    if (!(settleFactor > 0 && settleFactor < 1)) {
      throw new TypeError(`settleFactor must be in (0, 1), got ${String(settleFactor)}`);
    }
    const probePerSecond = options.probePerSecond ?? 0.01;
    if (!(Number.isFinite(probePerSecond) && probePerSecond > 0)) {
      throw new TypeError(`probePerSecond must be a number > 0, got ${String(probePerSecond)}`);
    }
    const windowMs = options.windowMs ?? 1000;
    if (!(Number.isFinite(windowMs) && windowMs > 0)) {
      throw new TypeError(`windowMs must be a number > 0, got ${String(windowMs)}`);
    }
    const initialRate = options.initialRate ?? Math.max(minRate, Math.min(INITIAL_RATE, maxRate));
    if (!(initialRate >= minRate && initialRate <= maxRate)) {
      throw new TypeError(`initialRate must be within [${minRate}, ${maxRate}], got ${String(initialRate)}`);
    }
    const startProbing: unknown = options.startProbing ?? false;
    if (typeof startProbing !== 'boolean') throw new TypeError(`startProbing must be true or false, got ${String(startProbing)}`);
    if (startProbing && options.initialRate === undefined) {
      throw new TypeError(`startProbing needs the rate to probe from (initialRate), got startProbing ${String(startProbing)} and no initialRate`);
    }
    this.#clock = options.clock;
    this.#maxRate = maxRate;
    this.#minRate = minRate;
    this.#settleFactor = settleFactor;
    this.#probePerSecond = probePerSecond;
    this.#windowMs = windowMs;
    this.#rate = initialRate;
    this.#scheduleRate = initialRate;
    this.#slowStart = !startProbing && initialRate < maxRate;
    this.#startedProbing = startProbing;
    // As after a cut made now: the probe's speed grows from here, and a throttle of any permit is new evidence.
    if (startProbing) this.#lastCutAt = options.clock.now();
  }

  get rate(): number {
    return this.#rate;
  }

  get stats(): LimiterStats {
    return { rate: this.#rate, permits: this.#permits, throttles: this.#throttles, cuts: this.#cuts, settled: this.#cuts > 0 || this.#startedProbing };
  }

  /** Takes the next slot now (synchronously): when to send it, and its permit. */
  reserve(): Reservation {
    const now = this.#clock.now();
    const slot = Math.max(now, this.#nextSlotAt);
    this.#nextSlotAt = slot + 1000 / this.#rate;
    return { permit: { sentAt: slot }, waitMs: slot - now, schedule: this.#schedule, at: slot };
  }

  /**
   * A slot reserved before a cut was paced at the old rate: sending it anyway would keep
   * hammering a server that just said no (and its throttle would be no evidence). The holder
   * takes a new slot at the new rate instead.
   */
  isStale(reservation: Reservation): boolean {
    return reservation.schedule !== this.#schedule;
  }

  /** Sends on a reservation whose slot came and is not stale: the permit to hand back with the answer. */
  take(reservation: Reservation): Permit {
    this.#permits += 1;
    // When it really goes: a timer fires late, and the next slot must follow the real send.
    this.#lastTakenAt = Math.max(this.#lastTakenAt, reservation.at, this.#clock.now());
    return reservation.permit;
  }

  /** Waits for the next slot (again, if a cut made it stale). Rejects with the signal's reason if it aborts while waiting. */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    for (;;) {
      signal?.throwIfAborted();
      const reservation = this.reserve();
      // Waits in steps, so a slot the schedule left behind (a cut, a big rise) is given up early.
      for (let wait = reservation.waitMs; wait > 0 && !this.isStale(reservation); wait = reservation.at - this.#clock.now()) {
        await this.#clock.sleep(Math.min(wait, MAX_WAIT_STEP_MS), signal);
      }
      if (!this.isStale(reservation)) return this.take(reservation);
    }
  }

  /** Reports a throttled answer. Returns true when it cut the rate (new evidence). */
  onThrottle(permit: Permit): boolean {
    this.#throttles += 1;
    if (permit.sentAt < this.#lastCutAt) return false;
    const now = this.#clock.now();
    this.#cuts += 1;
    this.#schedule += 1;
    // Ending slow start, the last second is mostly the ramp below the quota; its last quarter
    // (at least 8 answers) is what the quota let through once the rate passed it.
    const accepted = this.#acceptedRate(now, this.#slowStart ? this.#windowMs / 4 : this.#windowMs);
    // That estimate is taken on a ramp, so it is low: recover faster until the next throttle that
    // is not part of the same episode (a cut within a window of that one: the bucket is still empty).
    this.#recovering = this.#slowStart || (this.#recovering && now - this.#lastCutAt < this.#windowMs);
    this.#slowStart = false;
    this.#lastCutAt = now;
    const settled = accepted === undefined ? this.#rate * this.#settleFactor : Math.min(this.#rate, accepted) * this.#settleFactor;
    this.#rate = Math.max(this.#minRate, settled);
    // The slots reserved before the cut are stale (their holders reserve again); the schedule
    // restarts a full new interval from now, giving the server's bucket a moment to refill.
    this.#nextSlotAt = now + 1000 / this.#rate;
    this.#scheduleRate = this.#rate;
    return true;
  }

  /** Reports a successful answer: it counts toward the accepted rate, and the rate climbs a little. */
  onSuccess(): void {
    const now = this.#clock.now();
    this.#accepted.push(now);
    // Kept: the window, and at least the last few answers (see #acceptedRate).
    while (this.#accepted.length > MIN_ANSWERS_MEASURED && this.#accepted[0]! <= now - this.#windowMs) this.#accepted.shift();
    const perAnswer = this.#slowStart ? this.#slowStartGain() : this.#probeGain(now);
    this.#rate = Math.min(this.#maxRate, this.#rate * (1 + perAnswer));
    if (this.#rate >= this.#maxRate) this.#slowStart = false;
    // Slots queued at a much slower rate (slow start) would hold the workers back: respace them,
    // one new interval after the last request sent (not at once: the last one may have gone a
    // millisecond ago, and three requests within a few ms overrun a quota of 5/s with a burst of 2).
    if (this.#rate > this.#scheduleRate * 1.25) {
      this.#schedule += 1;
      this.#scheduleRate = this.#rate;
      this.#nextSlotAt = Math.min(this.#nextSlotAt, Math.max(now, this.#lastTakenAt + 1000 / this.#rate));
    }
  }

  /**
   * Slow start's gain per answer: exponential in time (SLOW_START_PER_SECOND), at most a quarter an
   * answer, and at least 5 % an answer once the rate is high, so that a server with no quota in
   * sight is taken at a high ceiling in about two seconds instead of log2(ceiling) seconds.
   */
  #slowStartGain(): number {
    return Math.max(Math.min(SLOW_START_PER_SECOND / Math.max(1, this.#rate), SLOW_START_MAX_PER_ANSWER), SLOW_START_PER_ANSWER);
  }

  /**
   * The probe's gain per answer, so that a second of clean traffic (`rate` answers) gains the probe's
   * share per second, a little more the longer no throttle came. On a small quota never more than
   * 0.1 % an answer, so that each probe takes enough answers to keep throttles rare however few
   * requests a second go. Both are RECOVERY_FACTOR times more right after slow start.
   */
  #probeGain(now: number): number {
    const boost = this.#recovering ? RECOVERY_FACTOR : 1;
    const perSecond = this.#probePerSecond * boost * (1 + Math.max(0, now - this.#lastCutAt) / 10_000);
    return Math.min(perSecond / Math.max(1, this.#rate), MAX_PROBE_PER_ANSWER * boost);
  }

  /**
   * Answers accepted per second over the last `windowMs`, or over the last 8 answers when the window
   * holds fewer (a small quota gives few answers a second); undefined before 4 answers.
   */
  #acceptedRate(now: number, windowMs: number): number | undefined {
    const inWindow = this.#accepted.filter((at) => at > now - windowMs);
    const recent = inWindow.length >= MIN_ANSWERS_MEASURED ? inWindow : this.#accepted.slice(-MIN_ANSWERS_MEASURED);
    if (recent.length < 4) return undefined;
    const span = Math.max(now - recent[0]!, 1000 / this.#rate);
    return (recent.length * 1000) / span;
  }
}

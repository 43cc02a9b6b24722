/**
 * A lane is everything a run keeps per AWS account (and region): the API to call, one adaptive
 * limiter per API operation, the AccessDenied streak, and the lane's own stop. The engine routes
 * every row to a lane; a run over one account has one lane. The failure budget and `--limit` are
 * run-wide and live in the engine, not here.
 *
 * Limiters are keyed by operation and made on first use, so a new operation (a preflight read,
 * say) needs a new `ApiOperation` name, not a new option. Each may start where an earlier
 * invocation of the same checkpoint left it (`startRates`, `startFrom`; what to keep of this run is
 * `ratesToRemember`), instead of finding the quota again from 4/s.
 */
import type { ApiOperation, ServiceCatalogApi } from '../aws/service-catalog-api.js';
import type { Clock } from '../clock.js';
import type { StopReason } from '../exit-codes.js';
import { placeKey } from '../input/scan.js';
import type { TransferRow } from '../input/types.js';
import { AdaptiveRateLimiter, INITIAL_RATE, MIN_RATE, type AdaptiveLimiterOptions, type LimiterStats } from './adaptive-limiter.js';
import { AccessDeniedStreak, DEFAULT_ACCESS_DENIED_STREAK } from './failure-budget.js';

/** Where an operation's limiter was left: its rate (requests a second), and whether a throttle had settled it. */
export interface StartRate {
  readonly rate: number;
  readonly settled: boolean;
}

/** Where a lane's limiters start, or what to remember of them, by operation. */
export type LaneStartRates = Partial<Readonly<Record<ApiOperation, StartRate>>>;

/**
 * Where a limiter under ceiling `maxRate` starts from a remembered rate: never above the ceiling
 * (`--rate` may have been lowered since). A settled rate probes up from there (floored at the
 * limiter's floor); a rate still in slow start (or at an earlier ceiling) goes on with slow start,
 * never from below where a limiter starts anyway (the smaller of 4/s and the ceiling). Undefined
 * for a rate that is not a number > 0: the limiter starts as it would have.
 */
export function startingPoint(start: StartRate, maxRate: number): Required<Pick<AdaptiveLimiterOptions, 'initialRate' | 'startProbing'>> | undefined {
  if (!(Number.isFinite(start.rate) && start.rate > 0)) return undefined;
  const floor = start.settled ? Math.min(MIN_RATE, maxRate) : Math.min(INITIAL_RATE, maxRate);
  return { initialRate: Math.min(maxRate, Math.max(floor, start.rate)), startProbing: start.settled };
}

/** The stops that belong to one account: it could not be reached, or its credentials or its permission are gone. */
export type LaneStopReason = Extract<StopReason, 'credentials' | 'access-denied' | 'unreachable'>;

export interface LaneOptions {
  /** Shown in messages when a run has several lanes: the account id, or a profile name. */
  readonly name: string;
  readonly api: ServiceCatalogApi;
  /** Ceiling of every operation's limiter, in requests per second (`--rate`). */
  readonly maxRate: number;
  /** A different ceiling for some operations. */
  readonly maxRateFor?: Partial<Readonly<Record<ApiOperation, number>>>;
  /** Where each limiter starts (capped by its ceiling). Default: low, so the quota is found from below. */
  readonly initialRate?: number;
  /** Where some operations' limiters start instead (see `startingPoint`): the rates an earlier invocation left them at. Default none. */
  readonly startRates?: LaneStartRates;
  readonly clock: Clock;
  /** Consecutive AccessDenied answers on different products that stop the lane. Default 5. */
  readonly accessDeniedStreak?: number;
}

export class Lane {
  readonly name: string;
  readonly api: ServiceCatalogApi;
  readonly accessDenied: AccessDeniedStreak;
  readonly #options: LaneOptions;
  readonly #limiters = new Map<ApiOperation, AdaptiveRateLimiter>();
  /** Aborts this lane's requests in flight: at once on refused credentials, or when the run's grace ends. */
  readonly #abort = new AbortController();
  #stoppedBy: LaneStopReason | undefined;
  #stopDetail = '';
  #startRates: LaneStartRates;

  constructor(options: LaneOptions) {
    if (!(Number.isFinite(options.maxRate) && options.maxRate > 0)) {
      throw new TypeError(`lane ${options.name}: maxRate must be a number > 0, got ${String(options.maxRate)}`);
    }
    this.name = options.name;
    this.api = options.api;
    this.accessDenied = new AccessDeniedStreak(options.accessDeniedStreak ?? DEFAULT_ACCESS_DENIED_STREAK);
    this.#options = options;
    this.#startRates = options.startRates ?? {};
  }

  /** The operation's own limiter (AWS throttles each operation separately). */
  limiter(operation: ApiOperation): AdaptiveRateLimiter {
    let limiter = this.#limiters.get(operation);
    if (limiter === undefined) {
      const maxRate = this.#maxRateOf(operation);
      limiter = new AdaptiveRateLimiter({ maxRate, clock: this.#options.clock, ...this.#startOf(operation, maxRate) });
      this.#limiters.set(operation, limiter);
    }
    return limiter;
  }

  /**
   * Where the operations' limiters not made yet start (replacing `startRates`): the rates the
   * checkpoint's last invocations left this lane's at. Returns where each will start (capped by
   * its ceiling); a limiter made already goes on as it is.
   */
  startFrom(rates: LaneStartRates): LaneStartRates {
    this.#startRates = rates;
    const starts = Object.entries(rates).flatMap(([operation, start]) => {
      const at =
        start === undefined || this.#limiters.has(operation as ApiOperation) ? undefined : startingPoint(start, this.#maxRateOf(operation as ApiOperation));
      return at === undefined ? [] : [[operation, { rate: at.initialRate, settled: at.startProbing }] as const];
    });
    return Object.fromEntries(starts);
  }

  /** What to remember of this lane for the next invocation: each operation that sent requests, its rate now and whether a throttle settled it. */
  ratesToRemember(): LaneStartRates {
    const used = Object.entries(this.limiterStats()).filter(([, stats]) => stats.permits > 0 && Number.isFinite(stats.rate) && stats.rate > 0);
    // Six significant digits are plenty for a rate, and keep the ledger readable.
    return Object.fromEntries(used.map(([operation, stats]) => [operation, { rate: Number(stats.rate.toPrecision(6)), settled: stats.settled }]));
  }

  #maxRateOf(operation: ApiOperation): number {
    return this.#options.maxRateFor?.[operation] ?? this.#options.maxRate;
  }

  #startOf(operation: ApiOperation, maxRate: number): Pick<AdaptiveLimiterOptions, 'initialRate' | 'startProbing'> {
    const remembered = this.#startRates[operation];
    const start = remembered === undefined ? undefined : startingPoint(remembered, maxRate);
    if (start !== undefined) return start;
    const { initialRate } = this.#options;
    return initialRate === undefined ? {} : { initialRate: Math.min(initialRate, maxRate) };
  }

  /** Where each used limiter settled, for the end-of-run log. */
  limiterStats(): Partial<Record<ApiOperation, LimiterStats>> {
    return Object.fromEntries([...this.#limiters].map(([operation, limiter]) => [operation, limiter.stats]));
  }

  /** Aborted when this lane's requests in flight must be abandoned. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get stoppedBy(): LaneStopReason | undefined {
    return this.#stoppedBy;
  }

  /** Why it stopped, in words (e.g. the AssumeRole error of an account not reached); '' when not told. */
  get stopDetail(): string {
    return this.#stopDetail;
  }

  /** Stops taking rows for this lane; returns false when it had already stopped. */
  stop(reason: LaneStopReason, detail = ''): boolean {
    if (this.#stoppedBy !== undefined) return false;
    this.#stoppedBy = reason;
    this.#stopDetail = detail;
    return true;
  }

  /** Abandons this lane's requests in flight (their `sent` entries make the next run resend them). */
  abandonInFlight(reason: unknown): void {
    this.#abort.abort(reason);
  }
}

/** Which lane a row belongs to. */
export interface LaneRouter {
  readonly lanes: readonly Lane[];
  laneFor(row: TransferRow): Lane;
}

/** Every row in one lane: a run over one account. */
export function singleLane(lane: Lane): LaneRouter {
  return { lanes: [lane], laneFor: () => lane };
}

/**
 * A run across accounts: one lane per account and region, keyed as InputScan.places is (`account`,
 * or `account/region` for a row whose region cell names one). A row of no known lane is a bug.
 */
export function placeLanes(lanes: ReadonlyMap<string, Lane>): LaneRouter {
  const list = [...lanes.values()];
  return {
    lanes: list,
    laneFor: (row) => {
      const lane = lanes.get(placeKey(row.accountId, row.region));
      if (lane === undefined) throw new Error(`no lane for account ${row.accountId}${row.region === undefined ? '' : ` in ${row.region}`} (line ${row.line})`);
      return lane;
    },
  };
}

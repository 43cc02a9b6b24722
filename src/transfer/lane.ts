/**
 * A lane is everything a run keeps per AWS account (and region): the API to call, one adaptive
 * limiter per API operation, the AccessDenied streak, and the lane's own stop. The engine routes
 * every row to a lane; a run over one account has one lane. The failure budget and `--limit` are
 * run-wide and live in the engine, not here.
 *
 * Limiters are keyed by operation and made on first use, so a new operation (a preflight read,
 * say) needs a new `ApiOperation` name, not a new option.
 */
import type { ApiOperation, ServiceCatalogApi } from '../aws/service-catalog-api.js';
import type { Clock } from '../clock.js';
import type { StopReason } from '../exit-codes.js';
import { placeKey } from '../input/scan.js';
import type { TransferRow } from '../input/types.js';
import { AdaptiveRateLimiter, type LimiterStats } from './adaptive-limiter.js';
import { AccessDeniedStreak, DEFAULT_ACCESS_DENIED_STREAK } from './failure-budget.js';

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

  constructor(options: LaneOptions) {
    if (!(Number.isFinite(options.maxRate) && options.maxRate > 0)) {
      throw new TypeError(`lane ${options.name}: maxRate must be a number > 0, got ${String(options.maxRate)}`);
    }
    this.name = options.name;
    this.api = options.api;
    this.accessDenied = new AccessDeniedStreak(options.accessDeniedStreak ?? DEFAULT_ACCESS_DENIED_STREAK);
    this.#options = options;
  }

  /** The operation's own limiter (AWS throttles each operation separately). */
  limiter(operation: ApiOperation): AdaptiveRateLimiter {
    let limiter = this.#limiters.get(operation);
    if (limiter === undefined) {
      const maxRate = this.#options.maxRateFor?.[operation] ?? this.#options.maxRate;
      const { initialRate } = this.#options;
      limiter = new AdaptiveRateLimiter({
        maxRate,
        clock: this.#options.clock,
        ...(initialRate === undefined ? {} : { initialRate: Math.min(initialRate, maxRate) }),
      });
      this.#limiters.set(operation, limiter);
    }
    return limiter;
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

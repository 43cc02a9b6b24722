/**
 * `plan`'s progress on a terminal: one line, redrawn in place on the status line its log shares,
 * saying where the listing is (accounts listed of all, pages and products read, rows to move, time).
 * Off a terminal nothing is drawn: a plan writes one file and a summary, and cron mail needs no
 * ticker. The counts come from callbacks `plan` already has (each request sent, each retry, each
 * product), so the listing itself knows nothing of the display.
 */
import type { Clock } from '../clock.js';
import { formatDuration, type StatusLine } from './progress.js';

/** What the listing has done so far. */
export class PlanTally {
  /** Accounts and regions to list (across accounts); undefined for the caller's account alone, or while they are reached. */
  places: number | undefined;
  placesDone = 0;
  /** The account and region being listed (across accounts). */
  current: string | undefined;
  /** Reaching the accounts (AssumeRole and GetCallerIdentity for each) before the first page. */
  reaching = false;
  #requests = 0;
  #retries = 0;
  products = 0;
  toMove = 0;

  /** A list request left (Search or Scan); a retry of it counts once. */
  request(): void {
    this.#requests += 1;
  }

  /** The last request failed and will be sent again. */
  retry(): void {
    this.#retries += 1;
  }

  /** Pages asked for, each page once however often it was retried. */
  get pages(): number {
    return this.#requests - this.#retries;
  }

  product(toMove: boolean): void {
    this.products += 1;
    if (toMove) this.toMove += 1;
  }
}

/** `plan: accounts 2/5 (210000000001/eu-west-1)  pages 7  products 612  to move 48  12s`, cut to `width`. */
export function formatPlanProgress(tally: PlanTally, elapsedMs: number, width: number): string {
  const elapsed = formatDuration(elapsedMs);
  const where =
    tally.reaching && tally.places === undefined
      ? 'reaching the accounts'
      : tally.places === undefined
        ? ''
        : `accounts ${tally.placesDone}/${tally.places}${tally.current === undefined ? '' : ` (${tally.current})`}`;
  const counts = `pages ${tally.pages}  products ${tally.products}  to move ${tally.toMove}`;
  const line = `plan: ${where === '' ? '' : `${where}  `}${tally.reaching && tally.places === undefined ? '' : `${counts}  `}${elapsed}`;
  const usable = Math.max(1, Math.floor(width) - 1);
  return line.length > usable ? line.slice(0, usable) : line;
}

export interface PlanProgress {
  readonly tally: PlanTally;
  /** Draws at once, then every intervalMs (only on a terminal). */
  start(): void;
  /** Draws the last line and ends it. Idempotent. */
  stop(): void;
}

export interface PlanProgressOptions {
  /** The terminal's status line; undefined off a terminal (nothing is drawn). */
  readonly statusLine: StatusLine | undefined;
  readonly clock: Clock;
  /** The terminal's width now (it may be resized); 0 or undefined: 80. */
  readonly columns: () => number | undefined;
  /** Redraw period; default 200 ms. */
  readonly intervalMs?: number;
}

export function createPlanProgress(options: PlanProgressOptions): PlanProgress {
  const { statusLine, clock } = options;
  const tally = new PlanTally();
  const startedAt = clock.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  let running = false;
  const render = () => {
    const columns = options.columns();
    return formatPlanProgress(tally, clock.now() - startedAt, columns !== undefined && columns >= 20 ? columns : 80);
  };
  return {
    tally,
    start() {
      if (running || statusLine === undefined) return;
      running = true;
      statusLine.draw(render());
      timer = setInterval(() => statusLine.draw(render()), options.intervalMs ?? 200);
      // Progress never keeps the process alive.
      timer.unref();
    },
    stop() {
      if (!running || statusLine === undefined) return;
      running = false;
      clearInterval(timer);
      timer = undefined;
      statusLine.end(render());
    },
  };
}

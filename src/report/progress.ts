/**
 * Progress while the batch runs. On a terminal (bar mode) one line is redrawn in place; when stderr
 * is not a terminal (cron, CI, `2> file`) redrawing would fill the file with carriage returns, so log
 * mode emits a structured `progress` line every few seconds instead.
 *
 * Time comes from the injected clock (the rate and ETA), and the repetition from setInterval, which
 * vitest fake timers drive in tests. The interval is unref()'d: progress must never keep the
 * process alive after the work is done.
 */
import { Writable } from 'node:stream';
import type { Clock } from '../clock.js';
import type { Logger } from './logger.js';
import type { RunCounts } from './types.js';

export type ProgressMode = 'bar' | 'log' | 'off';

export type ProgressStream = Writable & { isTTY?: boolean; columns?: number };

export interface ProgressOptions {
  readonly stream: ProgressStream;
  readonly mode: ProgressMode;
  readonly clock: Clock;
  /** Redraw/log period; default 200 ms in bar mode, 5000 ms in log mode. */
  readonly intervalMs?: number;
  /** How far back the rows/s rate looks; default 30 s. Long enough to smooth throttling bursts. */
  readonly windowMs?: number;
  /** Log mode writes through this; without it, log mode writes plain text lines to `stream`. */
  readonly logger?: Logger;
  /** Bar mode draws on this line, shared with whatever else prints meanwhile; default: a new one on `stream`. */
  readonly statusLine?: StatusLine;
  readonly getCounts: () => RunCounts;
  /** The update limiter's current rate, shown as `limit N/s` (where it settled, once throttled). */
  readonly getLimiterRate?: () => number | undefined;
  /** A run across accounts: accounts whose rows are all decided, of all, shown as `accounts 3/10`. */
  readonly getAccounts?: () => { readonly done: number; readonly total: number } | undefined;
}

export interface ProgressReporter {
  /** Draws/logs immediately (bar mode) and then every intervalMs. Calling it twice is harmless. */
  start(): void;
  /** Stops the timer and draws the final line (plus newline in bar mode). Idempotent. */
  stop(): void;
  /** Takes a rate sample now and returns the current progress line (no bar escape codes). */
  render(): string;
}

/** Fields of the log-mode `progress` line; null when not known yet. */
export interface ProgressSnapshot {
  readonly done: number;
  readonly total: number;
  readonly percent: number;
  readonly rowsPerSecond: number | null;
  readonly etaSeconds: number | null;
  readonly failed: number;
  readonly throttles: number;
  /** Rows decided without being tried (the run stopped early); not part of `done`. */
  readonly notStarted: number;
}

const DEFAULT_BAR_INTERVAL_MS = 200;
const DEFAULT_LOG_INTERVAL_MS = 5000;
const DEFAULT_WINDOW_MS = 30_000;
/** Below this much elapsed time a rate is mostly noise, so it is shown as unknown. */
const MIN_RATE_SPAN_MS = 1000;
const CLEAR_LINE = '\r\x1b[2K';

/** Picks the mode for a stream: a bar on terminals, log lines elsewhere, nothing when disabled. */
export function progressModeFor(stream: { isTTY?: boolean }, disabled: boolean): ProgressMode {
  if (disabled) return 'off';
  return stream.isTTY === true ? 'bar' : 'log';
}

/** `42s`, `1m06s`, `2h05m`, `3d04h`; `--` for a negative or non-finite value. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m${pad2(totalSeconds % 60)}s`;
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours < 24) return `${totalHours}h${pad2(totalMinutes % 60)}m`;
  return `${Math.floor(totalHours / 24)}d${pad2(totalHours % 24)}h`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * Rows the run has done something with. Rows reported `not-started` after an early stop are
 * decided too, but a bar at 100 % for them would say the work is done: they are shown apart.
 */
export function rowsDone(counts: Pick<RunCounts, 'finished' | 'notStarted'>): number {
  return counts.finished - counts.notStarted;
}

/** Floor, so 99.9 % never shows as 100 % while rows remain; an empty input counts as complete. */
export function percentDone(counts: Pick<RunCounts, 'finished' | 'notStarted' | 'total'>): number {
  if (counts.total <= 0) return 100;
  return Math.min(100, Math.floor((rowsDone(counts) / counts.total) * 100));
}

/** Seconds left at `rowsPerSecond`, or undefined when the rate is unknown or zero. */
export function etaSeconds(counts: Pick<RunCounts, 'finished' | 'total'>, rowsPerSecond: number | undefined): number | undefined {
  const remaining = Math.max(0, counts.total - counts.finished);
  if (remaining === 0) return 0;
  if (rowsPerSecond === undefined || !(rowsPerSecond > 0)) return undefined;
  return Math.ceil(remaining / rowsPerSecond);
}

/**
 * `[#######.....] 1234/4000 31%  42.1 rows/s  ETA 1m06s  failed 3  throttled 12`, then
 * `  not started N` once a stopped run reports the rows it did not try, fitted to `width`
 * columns: the bar shrinks first (down to 10 cells), then the line is cut, because a line longer
 * than the terminal wraps and `\r` would then only redraw its last part.
 */
export function formatProgressLine(
  counts: RunCounts,
  rowsPerSecond: number | undefined,
  width: number,
  limiterRate?: number,
  accounts?: { readonly done: number; readonly total: number },
): string {
  const percent = percentDone(counts);
  const eta = etaSeconds(counts, rowsPerSecond);
  const rate = rowsPerSecond === undefined ? '--' : rowsPerSecond.toFixed(1);
  const tail =
    ` ${rowsDone(counts)}/${counts.total} ${percent}%  ${rate} rows/s  ETA ${eta === undefined ? '--' : formatDuration(eta * 1000)}` +
    `  failed ${counts.failed}  throttled ${counts.throttles}${limiterRate === undefined ? '' : `  limit ${limiterRate.toFixed(1)}/s`}` +
    `${accounts === undefined ? '' : `  accounts ${accounts.done}/${accounts.total}`}` +
    `${counts.notStarted > 0 ? `  not started ${counts.notStarted}` : ''}`;
  // -1: writing into the last column makes some terminals wrap.
  const usable = Math.max(1, Math.floor(width) - 1);
  const cells = Math.max(10, Math.min(40, usable - tail.length - 2));
  const filled = Math.min(cells, Math.floor((percent / 100) * cells));
  const line = `[${'#'.repeat(filled)}${'.'.repeat(cells - filled)}]${tail}`;
  return line.length > usable ? line.slice(0, usable) : line;
}

/** The log-mode fields; exported so the engine or tests can reuse the exact same numbers. */
export function progressSnapshot(counts: RunCounts, rowsPerSecond: number | undefined): ProgressSnapshot {
  const eta = etaSeconds(counts, rowsPerSecond);
  return {
    done: rowsDone(counts),
    total: counts.total,
    percent: percentDone(counts),
    rowsPerSecond: rowsPerSecond === undefined ? null : Math.round(rowsPerSecond * 10) / 10,
    etaSeconds: eta ?? null,
    failed: counts.failed,
    throttles: counts.throttles,
    notStarted: counts.notStarted,
  };
}

interface Sample {
  readonly at: number;
  readonly finished: number;
}

/**
 * Rows per second over a sliding window of (time, finished) samples. One sample at or before the
 * window start is kept as the baseline, so the rate always spans about `windowMs` once the run is
 * that old, and the whole run before that.
 */
export function createRateMeter(windowMs: number): { sample(at: number, finished: number): number | undefined } {
  const samples: Sample[] = [];
  return {
    sample(at, finished) {
      samples.push({ at, finished });
      while (samples.length > 2 && samples[1]!.at <= at - windowMs) samples.shift();
      const first = samples[0]!;
      const span = at - first.at;
      if (span < MIN_RATE_SPAN_MS) return undefined;
      return Math.max(0, ((finished - first.finished) * 1000) / span);
    },
  };
}

/**
 * The terminal's last line while a bar is drawn on it. Anything else printed meanwhile (a warning)
 * goes through `writable`: the bar is cleared, the text written, and the bar redrawn below it, so a
 * warning never lands on the bar's line.
 */
export interface StatusLine {
  /** Draws `text` in place of the current bar. */
  draw(text: string): void;
  /** Draws `text` a last time and ends the line; later output goes straight through. */
  end(text: string): void;
  /** A stream for other output (log lines): each chunk is written above the bar. */
  readonly writable: Writable;
}

export function createStatusLine(stream: Writable): StatusLine {
  let shown: string | undefined;
  return {
    draw(text) {
      shown = text;
      stream.write(`${CLEAR_LINE}${text}`);
    },
    end(text) {
      shown = undefined;
      stream.write(`${CLEAR_LINE}${text}\n`);
    },
    writable: new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        const bar = shown;
        if (bar !== undefined) stream.write(CLEAR_LINE);
        stream.write(chunk);
        if (bar !== undefined) stream.write(bar);
        callback();
      },
    }),
  };
}

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const { stream, mode, clock, logger, getCounts } = options;
  const statusLine = mode === 'bar' ? (options.statusLine ?? createStatusLine(stream)) : undefined;
  const intervalMs = options.intervalMs ?? (mode === 'bar' ? DEFAULT_BAR_INTERVAL_MS : DEFAULT_LOG_INTERVAL_MS);
  const meter = createRateMeter(options.windowMs ?? DEFAULT_WINDOW_MS);
  let timer: ReturnType<typeof setInterval> | undefined;
  let running = false;

  const measure = (): { counts: RunCounts; rate: number | undefined } => {
    const counts = getCounts();
    return { counts, rate: meter.sample(clock.now(), rowsDone(counts)) };
  };

  const render = (): string => {
    const { counts, rate } = measure();
    // A pseudo-terminal without a size (script, some CI runners, tmux before attach) reports 0 columns.
    const columns = stream.columns && stream.columns >= 20 ? stream.columns : 80;
    return formatProgressLine(counts, rate, columns, options.getLimiterRate?.(), options.getAccounts?.());
  };

  const emit = (final: boolean): void => {
    if (statusLine !== undefined) {
      if (final) statusLine.end(render());
      else statusLine.draw(render());
      return;
    }
    const { counts, rate } = measure();
    const limiterRate = options.getLimiterRate?.();
    const accounts = options.getAccounts?.();
    const snapshot = {
      ...progressSnapshot(counts, rate),
      ...(limiterRate === undefined ? {} : { limiterRate: Math.round(limiterRate * 10) / 10 }),
      ...(accounts === undefined ? {} : { accountsDone: accounts.done, accounts: accounts.total }),
    };
    if (logger) logger.info(snapshot, 'progress');
    else stream.write(`${formatProgressLine(counts, rate, Number.POSITIVE_INFINITY, undefined, accounts).replace(/^\[[#.]*\] /, 'progress ')}\n`);
  };

  return {
    start() {
      if (running || mode === 'off') return;
      running = true;
      // The first sample is the rate baseline; bar mode also shows the bar at once.
      if (mode === 'bar') emit(false);
      else measure();
      timer = setInterval(() => emit(false), intervalMs);
      timer.unref();
    },
    stop() {
      if (!running) return;
      running = false;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      emit(true);
    },
    render,
  };
}

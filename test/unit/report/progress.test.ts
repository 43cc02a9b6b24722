import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../../src/clock.js';
import { createLogger } from '../../../src/report/logger.js';
import {
  createProgressReporter,
  createRateMeter,
  createStatusLine,
  etaSeconds,
  formatDuration,
  formatProgressLine,
  percentDone,
  progressModeFor,
  progressSnapshot,
} from '../../../src/report/progress.js';
import type { RunCounts } from '../../../src/report/types.js';
import { CollectingStream, makeCounts } from './fixtures.js';

/** Reads the (faked) Date, so vi.advanceTimersByTime moves both the interval and the clock. */
const fakeClock: Clock = {
  now: () => Date.now(),
  sleep: () => Promise.resolve(),
};

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [400, '0s'],
    [42_000, '42s'],
    [59_600, '1m00s'],
    [66_000, '1m06s'],
    [3_599_000, '59m59s'],
    [3_900_000, '1h05m'],
    [27 * 3_600_000, '1d03h'],
    [-1, '--'],
    [Number.NaN, '--'],
    [Number.POSITIVE_INFINITY, '--'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatProgressLine', () => {
  const counts = makeCounts({ total: 4000, finished: 1234, succeeded: 1231, failed: 3, throttles: 12 });

  it('shows bar, counts, percent, rate, ETA, failures and throttles', () => {
    const line = formatProgressLine(counts, 42.1, 120);
    // 2766 rows left at 42.1 rows/s = 65.7 s -> 1m06s; 30.85 % is floored to 30 %.
    expect(line).toMatch(/^\[#+\.+\] 1234\/4000 30%  42\.1 rows\/s  ETA 1m06s  failed 3  throttled 12$/);
    const bar = /^\[([#.]+)\]/.exec(line)![1]!;
    expect(bar.length).toBe(40);
    expect(bar.replace(/\./g, '')).toHaveLength(12); // 30 % of 40 cells
  });

  it("shows '--' when the rate is unknown or zero", () => {
    expect(formatProgressLine(counts, undefined, 120)).toContain('-- rows/s  ETA --');
    expect(formatProgressLine(counts, 0, 120)).toContain('0.0 rows/s  ETA --');
  });

  it('fits the terminal width (shrinking the bar, then cutting) so \\r redraws stay on one line', () => {
    for (const width of [20, 60, 80, 100, 200]) {
      expect(formatProgressLine(counts, 42.1, width).length).toBeLessThanOrEqual(width - 1);
    }
    expect(formatProgressLine(counts, 42.1, 80)).toMatch(/throttled 12$/);
  });

  it('reports a finished run as 100 % with ETA 0s, and an empty input as complete', () => {
    const done = makeCounts({ total: 10, finished: 10, succeeded: 10 });
    expect(formatProgressLine(done, 5, 120)).toMatch(/^\[#{40}\] 10\/10 100%  5\.0 rows\/s  ETA 0s/);
    expect(percentDone(makeCounts({ total: 0, finished: 0 }))).toBe(100);
    expect(percentDone(makeCounts({ total: 1000, finished: 999 }))).toBe(99);
  });

  it('shows rows not started apart from rows done, so a stopped run never reads 100 %', () => {
    // --max-errors stopped the run after 27 rows; the other 573 were reported not-started.
    const stopped = makeCounts({ total: 600, finished: 600, succeeded: 17, failed: 10, notStarted: 573 });
    expect(formatProgressLine(stopped, 5, 200)).toMatch(/ 27\/600 4%  5\.0 rows\/s  ETA 0s  failed 10  throttled 0  not started 573$/);
    expect(progressSnapshot(stopped, 5)).toMatchObject({ done: 27, percent: 4, notStarted: 573 });
  });

  it('shows the rate the update limiter holds, when given', () => {
    const counts = makeCounts({ total: 100, finished: 10, succeeded: 10 });
    expect(formatProgressLine(counts, 5, 200, 29.46)).toMatch(/throttled 0  limit 29\.5\/s$/);
    expect(formatProgressLine(counts, 5, 200)).not.toContain('limit');
  });

  it('computes the ETA from remaining rows and the rate', () => {
    expect(etaSeconds({ total: 100, finished: 40 }, 2)).toBe(30);
    expect(etaSeconds({ total: 100, finished: 40 }, undefined)).toBeUndefined();
    expect(etaSeconds({ total: 100, finished: 100 }, undefined)).toBe(0);
  });
});

describe('progressSnapshot and progressModeFor', () => {
  it('builds the log-mode fields with null for unknowns', () => {
    const counts = makeCounts({ total: 200, finished: 50, failed: 2, throttles: 4 });
    expect(progressSnapshot(counts, 12.345)).toEqual({
      done: 50,
      total: 200,
      percent: 25,
      rowsPerSecond: 12.3,
      etaSeconds: 13,
      failed: 2,
      throttles: 4,
      notStarted: 0,
    });
    expect(progressSnapshot(counts, undefined)).toMatchObject({ rowsPerSecond: null, etaSeconds: null });
  });

  it('picks a bar on a TTY, log lines otherwise, nothing when disabled', () => {
    expect(progressModeFor({ isTTY: true }, false)).toBe('bar');
    expect(progressModeFor({}, false)).toBe('log');
    expect(progressModeFor({ isTTY: true }, true)).toBe('off');
  });
});

describe('createRateMeter', () => {
  it('is unknown for the first second, then rows/s over a sliding window', () => {
    const meter = createRateMeter(10_000);
    expect(meter.sample(0, 0)).toBeUndefined();
    expect(meter.sample(500, 5)).toBeUndefined();
    expect(meter.sample(1000, 10)).toBe(10);
    // 10 rows/s for 20 s, then the run stalls for 10 s: a 10 s window sees the stall, not the average.
    for (let t = 2000; t <= 20_000; t += 1000) meter.sample(t, t / 100);
    expect(meter.sample(20_000, 200)).toBeCloseTo(10);
    for (let t = 21_000; t < 30_000; t += 1000) meter.sample(t, 200);
    expect(meter.sample(30_000, 200)).toBe(0);
  });
});

describe('createProgressReporter', () => {
  let counts: RunCounts;
  const getCounts = () => counts;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    counts = makeCounts({ total: 1000 });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Finishes `rowsPerSecond` rows every second for `seconds`, moving the fake time along. */
  function run(rowsPerSecond: number, seconds: number): void {
    for (let s = 0; s < seconds; s += 1) {
      counts = makeCounts({ ...counts, finished: counts.finished + rowsPerSecond, succeeded: counts.succeeded + rowsPerSecond });
      vi.advanceTimersByTime(1000);
    }
  }

  it('a terminal that reports 0 columns (script, unattached tmux) still gets the whole line at 80', () => {
    const stream = new CollectingStream();
    stream.isTTY = true;
    stream.columns = 0;
    const progress = createProgressReporter({ stream, mode: 'bar', clock: fakeClock, getCounts });
    progress.start();
    expect(stream.chunks[0]).toMatch(/^\r\x1b\[2K\[\.{10,}\] 0\/1000 0%/);
    progress.stop();
  });

  it('bar mode redraws one line with \\r and clear-line, and ends it with a newline on stop', () => {
    const stream = new CollectingStream();
    stream.isTTY = true;
    stream.columns = 100;
    const progress = createProgressReporter({ stream, mode: 'bar', clock: fakeClock, getCounts });
    progress.start();
    expect(stream.chunks).toHaveLength(1);
    expect(stream.chunks[0]).toMatch(/^\r\x1b\[2K\[\.{10,}\] 0\/1000 0%  -- rows\/s  ETA --/);

    run(10, 10);
    // Redrawn every 200 ms: 50 redraws in 10 s, none with a newline.
    expect(stream.chunks).toHaveLength(51);
    expect(stream.chunks.every((chunk) => chunk.startsWith('\r\x1b[2K') && !chunk.includes('\n'))).toBe(true);
    expect(stream.chunks.at(-1)).toContain('100/1000 10%  10.0 rows/s  ETA 1m30s');
    expect(stream.chunks.every((chunk) => chunk.length - 5 <= 99)).toBe(true);

    progress.stop();
    expect(stream.chunks.at(-1)).toMatch(/^\r\x1b\[2K.*100\/1000 10%.*\n$/);
    const afterStop = stream.chunks.length;
    vi.advanceTimersByTime(5000);
    expect(stream.chunks).toHaveLength(afterStop);
    progress.stop(); // idempotent
    expect(stream.chunks).toHaveLength(afterStop);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bar mode clears the bar for a log line printed meanwhile, and redraws it below', () => {
    const stream = new CollectingStream();
    stream.isTTY = true;
    const statusLine = createStatusLine(stream);
    const progress = createProgressReporter({ stream, mode: 'bar', statusLine, clock: fakeClock, getCounts });
    progress.start();
    const bar = stream.chunks.at(-1)!;
    statusLine.writable.write('{"level":"warn","msg":"throttled"}\n');
    // Cleared, the warning on a line of its own, then the same bar again.
    expect(stream.chunks.slice(-3)).toEqual(['\r\x1b[2K', '{"level":"warn","msg":"throttled"}\n', bar.slice('\r\x1b[2K'.length)]);
    progress.stop();
    const ended = stream.chunks.length;
    statusLine.writable.write('after\n');
    // Once the bar is ended, output goes straight through.
    expect(stream.chunks.slice(ended)).toEqual(['after\n']);
  });

  it('log mode emits a progress info line every interval (5 s by default)', async () => {
    const stream = new CollectingStream();
    const { logger, flush } = createLogger({ level: 'info', destination: { kind: 'stream', stream } });
    const progress = createProgressReporter({ stream, mode: 'log', clock: fakeClock, logger, getCounts });
    progress.start();
    run(20, 4);
    counts = makeCounts({ ...counts, failed: 1, throttles: 3 });
    vi.advanceTimersByTime(999);
    await flush();
    expect(stream.text).toBe('');

    vi.advanceTimersByTime(1);
    await flush();
    expect(stream.json()).toHaveLength(1);
    expect(stream.json()[0]).toMatchObject({
      level: 'info',
      msg: 'progress',
      done: 80,
      total: 1000,
      percent: 8,
      rowsPerSecond: 16, // 80 rows over the 5 s since start()
      etaSeconds: 58, // 920 rows left at 16 rows/s = 57.5 s
      failed: 1,
      throttles: 3,
    });

    run(20, 10);
    await flush();
    expect(stream.json()).toHaveLength(3);

    progress.stop();
    await flush();
    const lines = stream.json();
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toMatchObject({ msg: 'progress', done: 280 });
    expect(stream.text).not.toContain('\r');
  });

  it('log mode without a logger writes plain text lines to the stream', () => {
    const stream = new CollectingStream();
    const progress = createProgressReporter({ stream, mode: 'log', clock: fakeClock, intervalMs: 1000, getCounts });
    progress.start();
    run(5, 3);
    progress.stop();
    expect(stream.chunks).toHaveLength(4);
    expect(stream.chunks.at(-1)).toMatch(/^progress 15\/1000 1%  5\.0 rows\/s  ETA 3m17s  failed 0  throttled 0\n$/);
  });

  it('off mode writes nothing and starts no timer', () => {
    const stream = new CollectingStream();
    const progress = createProgressReporter({ stream, mode: 'off', clock: fakeClock, getCounts });
    progress.start();
    expect(vi.getTimerCount()).toBe(0);
    run(10, 10);
    progress.stop();
    expect(stream.chunks).toHaveLength(0);
    // render() still works, e.g. for a final status line.
    expect(progress.render()).toContain('100/1000');
  });
});

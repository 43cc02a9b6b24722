/** Appending: group commit, ordering, fsync, failure handling. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../../../src/checkpoint/checkpoint-error.js';
import { openJournal, type Journal, type OpenJournalOptions } from '../../../src/checkpoint/journal.js';
import { systemClock } from '../../../src/clock.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { durableEntries, finished, instrumentedFs, makeTempDir, readEntries, readLines, sent, type InstrumentedFs } from './helpers.js';

let cleanup: () => void;
let path: string;
let fs: InstrumentedFs;

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  path = join(temp.dir, 'run.checkpoint');
  fs = instrumentedFs();
});
afterEach(() => {
  vi.useRealTimers();
  cleanup();
});

function open(overrides: Partial<OpenJournalOptions> = {}): Promise<Journal> {
  return openJournal({ path, runId: 'r1', tokenScheme: 'v1', input: 'in.csv', clock: systemClock, fs, ...overrides });
}

/** Writes to the journal file itself (not to the temp file that carries the header). */
const journalWrites = () => fs.calls.filter((c) => c.op === 'write' && c.path === path);
const journalSyncs = () => fs.calls.filter((c) => c.op === 'sync' && c.path === path);

describe('group commit', () => {
  it('writes a full group of finished entries at once, in one write followed by an fsync', async () => {
    const journal = await open({ groupSize: 4, groupDelayMs: 60_000 });
    const written = fs.nextWrite();
    for (let i = 0; i < 3; i += 1) journal.recordFinished(finished(`t${i}`, 'succeeded'));
    // All three are pending: recorded, none of them written to the file, nothing fsynced.
    expect(journalWrites()).toHaveLength(0);
    expect(durableEntries(fs, path)).toBe(0);
    journal.recordFinished(finished('t3', 'succeeded')); // the 4th entry triggers the write, no flush() needed
    const text = await written;
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { token: string }).token),
    ).toEqual(['t0', 't1', 't2', 't3']);
    await journal.flush(); // serialised behind the automatic flush: nothing left to write
    expect(journalWrites()).toHaveLength(1);
    const writeIndex = fs.calls.findIndex((c) => c.op === 'write' && c.path === path);
    expect(fs.calls.slice(writeIndex + 1).some((c) => c.op === 'sync' && c.path === path)).toBe(true);
    expect(durableEntries(fs, path)).toBe(4);
    await journal.close();
  });

  it('writes a partial group of finished entries groupDelayMs after its first entry (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const journal = await open({ groupSize: 100, groupDelayMs: 200 });
    journal.recordFinished(finished('a', 'succeeded'));
    await vi.advanceTimersByTimeAsync(150);
    journal.recordFinished(finished('b', 'failed')); // does not restart the delay
    await vi.advanceTimersByTimeAsync(49);
    expect(journalWrites()).toHaveLength(0);
    const written = fs.nextWrite();
    await vi.advanceTimersByTimeAsync(1);
    expect((await written).split('\n').filter(Boolean)).toHaveLength(2);
    await journal.flush();
    expect(durableEntries(fs, path)).toBe(2);
    await journal.close();
  });

  it('runs the delay on the injected clock', async () => {
    const clock = new ManualClock();
    const journal = await open({ groupSize: 100, groupDelayMs: 200, clock });
    journal.recordFinished(finished('a', 'succeeded'));
    const written = fs.nextWrite();
    await clock.advance(200);
    await written;
    await journal.flush();
    expect(durableEntries(fs, path)).toBe(1);
    expect(clock.pendingSleeps).toBe(0);
    await journal.close();
  });

  it('flush() writes and fsyncs everything pending, and close() flushes', async () => {
    const journal = await open({ groupSize: 1000, groupDelayMs: 60_000 });
    void journal.recordSent(sent('a'));
    journal.recordFinished(finished('a', 'succeeded'));
    await journal.flush();
    expect(durableEntries(fs, path)).toBe(2);
    // Nothing pending: both recorded entries are in the file already, before close().
    expect(readEntries(path).map((e) => `${String(e.type)}:${String(e.token)}`)).toEqual(['header:undefined', 'sent:a', 'finished:a']);
    expect(journalSyncs().length).toBeGreaterThanOrEqual(1);
    void journal.recordSent(sent('b'));
    await journal.close();
    expect(readEntries(path).map((e) => `${String(e.type)}:${String(e.token)}`)).toEqual(['header:undefined', 'sent:a', 'finished:a', 'sent:b']);
    expect(fs.calls.filter((c) => c.op === 'close' && c.path === path)).toHaveLength(1);
  });

  it('keeps record order and valid JSONL under many records and concurrent flushes', async () => {
    const journal = await open({ groupSize: 7, groupDelayMs: 1 });
    const flushes: Array<Promise<void>> = [];
    for (let i = 0; i < 2000; i += 1) {
      if (i % 2 === 0) void journal.recordSent(sent(`t${i >> 1}`, i));
      else journal.recordFinished(finished(`t${i >> 1}`, 'succeeded', i));
      if (i % 97 === 0) flushes.push(journal.flush());
    }
    await Promise.all([...flushes, journal.flush(), journal.flush()]);
    await journal.close();
    const lines = readLines(path);
    expect(lines).toHaveLength(2001);
    const entries = lines.slice(1).map((l) => JSON.parse(l) as { line: number });
    expect(entries.map((e) => e.line)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(durableEntries(fs, path)).toBe(2000);
  });

  it('writes canonical lines: known fields only, fixed order', async () => {
    const journal = await open();
    void journal.recordSent({ at: 'x', provisionedProductId: 'pp', line: 3, token: 't', type: 'sent', extra: 'leak' } as never);
    await journal.close();
    expect(readLines(path)[1]).toBe('{"type":"sent","token":"t","line":3,"provisionedProductId":"pp","at":"x"}');
  });
});

describe('failures', () => {
  it('surfaces a write error on the next flush and close, then refuses every record', async () => {
    const journal = await open({ groupSize: 1000, groupDelayMs: 60_000 });
    const headerWrites = fs.calls.filter((c) => c.op === 'write').length;
    fs.failWrite(headerWrites + 1, Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    void journal.recordSent(sent('a'));
    const flushError = await journal.flush().catch((e: unknown) => e);
    expect(flushError).toBeInstanceOf(CheckpointError);
    expect((flushError as CheckpointError).code).toBe('IO_ERROR');
    expect((flushError as CheckpointError).message).toContain('ENOSPC');
    expect(() => journal.recordSent(sent('b'))).toThrow(flushError);
    expect(() => journal.recordFinished(finished('a', 'succeeded'))).toThrow(CheckpointError);
    await expect(journal.close()).rejects.toBe(flushError);
    expect(fs.calls.filter((c) => c.op === 'close' && c.path === path)).toHaveLength(1); // fd closed anyway
  });

  it('keeps the error of an automatic (unawaited) flush for the next flush', async () => {
    const journal = await open({ groupSize: 2, groupDelayMs: 60_000 });
    const headerWrites = fs.calls.filter((c) => c.op === 'write').length;
    fs.failWrite(headerWrites + 1, new Error('EIO: i/o error'));
    const attempted = fs.nextWrite();
    void journal.recordSent(sent('a'));
    void journal.recordSent(sent('b')); // triggers the automatic write, which fails
    await attempted;
    await expect(journal.flush()).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(() => journal.recordSent(sent('c'))).toThrow(/EIO/);
    await expect(journal.close()).rejects.toMatchObject({ code: 'IO_ERROR' });
  });

  it('refuses entries it could not read back, without poisoning the journal', async () => {
    const journal = await open();
    expect(() => journal.recordSent({ ...sent('a'), line: Number.NaN })).toThrow(expect.objectContaining({ code: 'INVALID_ENTRY' }));
    expect(() => journal.recordSent(finished('a', 'failed') as never)).toThrow(expect.objectContaining({ code: 'INVALID_ENTRY' }));
    expect(() => journal.recordFinished({ ...finished('a', 'failed'), outcome: 'maybe' as never })).toThrow(/outcome/);
    void journal.recordSent(sent('ok'));
    await journal.close();
    expect(readLines(path)).toHaveLength(2);
  });

  it('refuses records after close', async () => {
    const journal = await open();
    await journal.close();
    await journal.close(); // idempotent
    expect(() => journal.recordSent(sent('a'))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });
});

/** Opening a journal: creation, replay rules, refusals and torn-tail repair. */
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/checkpoint/checkpoint-error.js';
import { openJournal, type OpenJournalOptions } from '../../../src/checkpoint/journal.js';
import { readCheckpointSummary } from '../../../src/checkpoint/read-only-journal.js';
import { JOURNAL_FORMAT, MAX_LINE_BYTES } from '../../../src/checkpoint/journal-entries.js';
import { scanJournal } from '../../../src/checkpoint/journal-replay.js';
import { systemClock, type Clock } from '../../../src/clock.js';
import { finished, instrumentedFs, makeTempDir, readEntries, readLines, sent } from './helpers.js';

const fixedClock: Clock = { now: () => Date.parse('2024-05-06T07:08:09.000Z'), sleep: systemClock.sleep };

let dir: string;
let cleanup: () => void;
let path: string;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  path = join(dir, 'run.checkpoint');
});
afterEach(() => cleanup());

function options(overrides: Partial<OpenJournalOptions> = {}): OpenJournalOptions {
  return { path, runId: 'r1', tokenScheme: 'v1', input: 'in.csv', clock: fixedClock, ...overrides };
}

const header = (runId = 'r1', tokenScheme = 'v1') =>
  JSON.stringify({ type: 'header', format: 1, runId, tokenScheme, createdAt: '2024-01-01T00:00:00.000Z', input: 'in.csv' });

function writeJournal(lines: readonly unknown[], tail = '\n'): void {
  writeFileSync(path, [header(), ...lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))].join('\n') + tail);
}

async function expectCheckpointError(promise: Promise<unknown>, code: string): Promise<CheckpointError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as CheckpointError).code).toBe(code);
  return error as CheckpointError;
}

describe('openJournal: new file', () => {
  it('creates the file with just the header, fsyncs it and its directory, and leaves no temp file', async () => {
    const fs = instrumentedFs();
    const journal = await openJournal(options({ fs }));
    expect(journal.resumed).toBe(false);
    expect(journal.replayed).toEqual({ done: 0, failed: 0, inFlight: 0 });
    expect(journal.header).toEqual({
      type: 'header',
      format: JOURNAL_FORMAT,
      runId: 'r1',
      tokenScheme: 'v1',
      createdAt: '2024-05-06T07:08:09.000Z',
      input: 'in.csv',
    });
    await journal.close();

    expect(readEntries(path)).toEqual([journal.header]);
    expect(readdirSync(dir)).toEqual(['run.checkpoint']);
    const syncedPaths = fs.calls.filter((c) => c.op === 'sync').map((c) => c.path);
    expect(syncedPaths.some((p) => p.startsWith(`${path}.`) && p.endsWith('.tmp'))).toBe(true); // header content
    expect(syncedPaths).toContain(dir); // the new name
    expect(fs.calls.find((c) => c.op === 'link')).toMatchObject({ path });
  });

  it('reports a missing directory as IO_ERROR', async () => {
    await expectCheckpointError(openJournal(options({ path: join(dir, 'nope', 'x.checkpoint') })), 'IO_ERROR');
  });
});

describe('openJournal: replay', () => {
  it('derives token states, last entry wins', async () => {
    writeJournal([
      sent('a'),
      finished('a', 'succeeded'), // done
      sent('b'),
      finished('b', 'submitted'), // done
      sent('c'),
      finished('c', 'failed'), // failed
      sent('d'), // in flight
      sent('e'),
      finished('e', 'failed'),
      sent('e'),
      finished('e', 'succeeded'), // failed, then succeeded
      sent('f'),
      finished('f', 'failed'),
      sent('f'), // retried, outcome unknown
      sent('g'),
      finished('g', 'succeeded'),
      finished('g', 'failed'), // last entry wins even if odd
    ]);
    const journal = await openJournal(options());
    expect(journal.resumed).toBe(true);
    expect(journal.header.createdAt).toBe('2024-01-01T00:00:00.000Z');
    // The last entry of each token, read back from the file.
    expect(await journal.lookup('a')).toEqual({ state: 'done', finished: finished('a', 'succeeded') });
    expect((await journal.lookup('b'))?.state).toBe('done');
    expect(await journal.lookup('c')).toEqual({ state: 'failed', finished: finished('c', 'failed') });
    expect(await journal.lookup('d')).toEqual({ state: 'in-flight', sent: sent('d') });
    expect(await journal.lookup('e')).toEqual({ state: 'done', finished: finished('e', 'succeeded') });
    expect((await journal.lookup('f'))?.state).toBe('in-flight');
    expect((await journal.lookup('g'))?.state).toBe('failed');
    expect(await journal.lookup('zzz')).toBeUndefined();
    expect(journal.replayed).toEqual({ done: 3, failed: 2, inFlight: 2 });
    await journal.close();
  });

  it('does not keep entries appended by this run in memory: lookup answers from the replayed file only', async () => {
    writeJournal([sent('old')]);
    const journal = await openJournal(options());
    void journal.recordSent(sent('new'));
    journal.recordFinished(finished('new', 'succeeded'));
    journal.recordFinished(finished('old', 'succeeded'));
    await journal.flush();
    expect(await journal.lookup('new')).toBeUndefined();
    expect((await journal.lookup('old'))?.state).toBe('in-flight'); // the state at open time
    expect(journal.replayed).toEqual({ done: 0, failed: 0, inFlight: 1 });
    await journal.close();

    const reopened = await openJournal(options());
    expect((await reopened.lookup('new'))?.state).toBe('done');
    expect((await reopened.lookup('old'))?.state).toBe('done');
    await reopened.close();
  });

  it('ignores blank lines and unknown extra fields', async () => {
    writeJournal([sent('a'), '', '   ', { ...sent('b'), future: 1 }]);
    const journal = await openJournal(options());
    expect(journal.replayed.inFlight).toBe(2);
    await journal.close();
  });
});

describe('openJournal: refusals', () => {
  it('refuses another run id, naming the checkpoint run id and how to proceed', async () => {
    writeJournal([sent('a')]);
    const before = readFileSync(path, 'utf8');
    const error = await expectCheckpointError(openJournal(options({ runId: 'r2' })), 'RUN_ID_MISMATCH');
    expect(error.message).toContain('run id "r1"');
    expect(error.message).toContain('run id "r2"');
    expect(error.message).toContain('--run-id "r1"');
    expect(error.message).toContain('--checkpoint');
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('tells how to resume a checkpoint that has no run id', async () => {
    writeFileSync(path, `${header('')}\n`);
    const error = await expectCheckpointError(openJournal(options({ runId: 'r2' })), 'RUN_ID_MISMATCH');
    expect(error.message).toContain('no run id');
    expect(error.message).toContain('without --run-id');
  });

  it('refuses another token scheme', async () => {
    writeJournal([]);
    const error = await expectCheckpointError(openJournal(options({ tokenScheme: 'v2' })), 'SCHEME_MISMATCH');
    expect(error.message).toContain('"v1"');
    expect(error.message).toContain('"v2"');
  });

  it('refuses a file that is not a checkpoint, and an empty one, without touching them', async () => {
    writeFileSync(path, 'provisioned_product_id,new_owner\npp-1,x\n');
    await expectCheckpointError(openJournal(options()), 'NOT_A_CHECKPOINT');
    expect(readFileSync(path, 'utf8')).toBe('provisioned_product_id,new_owner\npp-1,x\n');
    writeFileSync(path, '');
    await expectCheckpointError(openJournal(options()), 'NOT_A_CHECKPOINT');
    writeFileSync(path, '{"type":"sent"}\n');
    await expectCheckpointError(openJournal(options()), 'NOT_A_CHECKPOINT');
  });

  it('refuses garbage in the middle as CORRUPT, naming the line', async () => {
    writeJournal([sent('a'), '{"type":"sent","tok', sent('b')]);
    const error = await expectCheckpointError(openJournal(options()), 'CORRUPT');
    expect(error.message).toContain('line 3');
  });

  it('refuses a valid-JSON line that is not an entry, even when last', async () => {
    writeJournal([sent('a'), { ...sent('b'), line: 'two' }]);
    const error = await expectCheckpointError(openJournal(options()), 'CORRUPT');
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('"line"');
  });
});

describe('openJournal: torn tail', () => {
  it('cuts off a torn last line (no newline) and appends after it on a line boundary', async () => {
    writeJournal([sent('a'), finished('a', 'succeeded')], '\n{"type":"finished","token":"b","li');
    const fs = instrumentedFs();
    const journal = await openJournal(options({ fs }));
    expect(journal.replayed).toEqual({ done: 1, failed: 0, inFlight: 0 });
    expect(fs.calls.some((c) => c.op === 'truncate')).toBe(true);
    void journal.recordSent(sent('c'));
    await journal.close();
    const entries = readEntries(path);
    expect(entries.map((e) => e.type)).toEqual(['header', 'sent', 'finished', 'sent']);
    expect(entries[3]).toEqual(sent('c'));
  });

  it('cuts off an invalid last line even when it has a newline, and a NUL-filled tail', async () => {
    writeJournal([sent('a')], '\n{"type":"sent",\n');
    let journal = await openJournal(options());
    await journal.close();
    expect(readLines(path)).toHaveLength(2);

    appendFileSync(path, '\0\0\0\0');
    journal = await openJournal(options());
    void journal.recordSent(sent('b'));
    await journal.close();
    expect(readEntries(path).map((e) => e.token)).toEqual([undefined, 'a', 'b']);
  });

  it('keeps a complete last entry whose newline is missing, and finishes its line', async () => {
    writeJournal([sent('a'), finished('a', 'succeeded')], '');
    const journal = await openJournal(options());
    expect((await journal.lookup('a'))?.state).toBe('done');
    void journal.recordSent(sent('b'));
    await journal.close();
    expect(readEntries(path).map((e) => e.type)).toEqual(['header', 'sent', 'finished', 'sent']);
  });
});

describe('readCheckpointSummary', () => {
  it('counts tokens and entries without modifying a torn file', async () => {
    writeJournal([sent('a'), finished('a', 'succeeded'), sent('b'), finished('b', 'failed'), sent('c')], '\n{"ty');
    const before = readFileSync(path, 'utf8');
    const summary = await readCheckpointSummary(path);
    expect(summary).toEqual({
      header: JSON.parse(header()),
      done: 1,
      failed: 1,
      inFlight: 1,
      entries: 5,
      lastEntryAt: sent('c').at,
      tornLastLine: true,
    });
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('says NOT_FOUND for a missing checkpoint', async () => {
    await expectCheckpointError(readCheckpointSummary(join(dir, 'missing')), 'NOT_FOUND');
  });

  it('reads lines that straddle read chunks (a journal is streamed, never read whole)', async () => {
    const many = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? sent(`token-${i}`) : finished(`token-${i - 1}`, 'succeeded')));
    writeJournal(many, '\n{"type":"se');
    const file = await open(path, 'r');
    try {
      for (const chunkSize of [1, 7, 64, 4096]) {
        const scan = await scanJournal({ path, file, chunkSize });
        expect(scan.state.counts()).toEqual({ done: 20, failed: 0, inFlight: 0 });
        expect(scan.entries).toBe(40);
        expect(scan.tornAt).toBe(readFileSync(path, 'utf8').lastIndexOf('\n') + 1);
      }
    } finally {
      await file.close();
    }
  });

  it('treats an over-long line like any bad line: torn when last, CORRUPT in the middle', async () => {
    writeJournal([sent('a'), 'x'.repeat(MAX_LINE_BYTES + 10)], '');
    expect((await readCheckpointSummary(path)).tornLastLine).toBe(true);
    writeJournal([sent('a'), 'x'.repeat(MAX_LINE_BYTES + 10), sent('b')]);
    const error = await expectCheckpointError(readCheckpointSummary(path), 'CORRUPT');
    expect(error.message).toContain('line 3');
  });
});

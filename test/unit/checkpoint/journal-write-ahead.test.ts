/** Write-ahead `sent` entries, the group they wait for, and a checkpoint that moves mid-run. */
import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal, type OpenJournalOptions } from '../../../src/checkpoint/journal.js';
import { systemClock } from '../../../src/clock.js';
import { finished, instrumentedFs, makeTempDir, readEntries, sent, type InstrumentedFs } from './helpers.js';

let cleanup: () => void;
let dir: string;
let path: string;
let fs: InstrumentedFs;

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  dir = temp.dir;
  path = join(dir, 'run.checkpoint');
  fs = instrumentedFs();
});
afterEach(() => cleanup());

function open(overrides: Partial<OpenJournalOptions> = {}): Promise<Journal> {
  return openJournal({ path, runId: '', tokenScheme: 'v1', input: 'in.csv', clock: systemClock, fs, groupDelayMs: 60_000, ...overrides });
}

const journalSyncs = () => fs.calls.filter((c) => c.op === 'sync' && c.path === path).length;
const journalWrites = () => fs.calls.filter((c) => c.op === 'write' && c.path === path).map((c) => c.detail ?? '');

/** Lets every pending callback and I/O completion run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('write-ahead', () => {
  it('resolves recordSent only once its entry is fsynced, with no flush() and no delay', async () => {
    const journal = await open();
    const release = fs.holdSyncs();
    let durable = false;
    const written = fs.nextWrite();
    const recorded = journal.recordSent(sent('a')).then(() => {
      durable = true;
    });
    await written; // written at once...
    for (let i = 0; i < 5; i += 1) await settle();
    expect(journalWrites()).toHaveLength(1);
    expect(durable).toBe(false); // ...but not durable until its fsync returns
    release();
    await recorded;
    expect(durable).toBe(true);
    expect(
      readEntries(path)
        .slice(1)
        .map((e) => e.token),
    ).toEqual(['a']);
    await journal.close();
  });

  it('groups the entries recorded during one fsync into the next write: writers wait for their group, not a disk write each', async () => {
    const journal = await open();
    const release = fs.holdSyncs();
    const written = fs.nextWrite();
    const first = journal.recordSent(sent('a'));
    await written; // the first group is on its way to disk, its fsync held
    const later = ['b', 'c', 'd', 'e'].map((token) => journal.recordSent(sent(token)));
    journal.recordFinished(finished('a', 'succeeded')); // rides with the group, no timer needed
    release();
    await Promise.all([first, ...later]);
    const writes = journalWrites();
    expect(writes).toHaveLength(2);
    expect(
      writes[1]!
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { token: string }).token),
    ).toEqual(['b', 'c', 'd', 'e', 'a']);
    expect(journalSyncs()).toBe(2);
    await journal.close();
  });

  it('rejects the writers of a group that could not be written, and every later record', async () => {
    const journal = await open();
    const headerWrites = fs.calls.filter((c) => c.op === 'write').length;
    fs.failWrite(headerWrites + 1, Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    await expect(journal.recordSent(sent('a'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(() => journal.recordSent(sent('b'))).toThrow(/ENOSPC/);
    await expect(journal.close()).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});

describe('the checkpoint stays where it is', () => {
  it('refuses the next group when the file was unlinked: MOVED, naming the file, and nothing more is written', async () => {
    const journal = await open();
    await journal.recordSent(sent('a'));
    unlinkSync(path);
    const error = await journal.recordSent(sent('b')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MOVED' });
    expect((error as Error).message).toContain(`the checkpoint '${path}' was removed or replaced`);
    expect(journalWrites()).toHaveLength(1);
    expect(() => journal.recordFinished(finished('a', 'succeeded'))).toThrow(/removed or replaced/);
    await journal.close().catch(() => undefined);
  });

  it('sees a file renamed away and another put in its place, and a deleted folder', async () => {
    const journal = await open();
    await journal.recordSent(sent('a'));
    renameSync(path, `${path}.old`);
    writeFileSync(path, 'someone else\n');
    await expect(journal.recordSent(sent('b'))).rejects.toMatchObject({ code: 'MOVED' });
    await journal.close().catch(() => undefined);

    // The folder that holds it deleted (rm -rf), with the node fs the commands use.
    const folder = join(dir, 'out');
    mkdirSync(folder);
    const inFolder = await openJournal({ path: join(folder, 'run.checkpoint'), runId: '', tokenScheme: 'v1', input: 'in.csv', clock: systemClock });
    await inFolder.recordSent(sent('a'));
    rmSync(folder, { recursive: true, force: true });
    await expect(inFolder.recordSent(sent('b'))).rejects.toMatchObject({ code: 'MOVED' });
    await inFolder.close().catch(() => undefined);
  });

  it('stops as well when a watched file of the run moved', async () => {
    const journal = await open();
    const watched: { moved: string | undefined } = { moved: undefined };
    journal.watch(async () => watched.moved);
    await journal.recordSent(sent('a'));
    watched.moved = "the results file 'r.csv.partial' was removed or replaced while the run went on";
    const error = await journal.recordSent(sent('b')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MOVED' });
    expect((error as Error).message).toContain('r.csv.partial');
    await journal.close().catch(() => undefined);
  });
});

describe('a dry run on the ledger', () => {
  it('records its invocation and nothing about rows', async () => {
    const journal = await open({ recordRows: false });
    await journal.recordSent(sent('a'));
    journal.recordFinished(finished('a', 'succeeded'));
    await journal.recordInvocation({ type: 'end', invocation: 'i-1', endedAt: 'x', exitCode: 0, stopReason: '', counts: { total: 1 } });
    await journal.close();
    expect(readEntries(path).map((e) => e.type)).toEqual(['header', 'end']);
  });
});

/** Shared fixtures of the checkpoint tests: temp dirs, entry builders, an instrumented fs. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { nodeCheckpointFs, type CheckpointFile, type CheckpointFs } from '../../../src/checkpoint/checkpoint-fs.js';
import { openJournal, type Journal } from '../../../src/checkpoint/journal.js';
import { systemClock } from '../../../src/clock.js';
import type { JournalFinished, JournalSent } from '../../../src/checkpoint/types.js';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sc-owner-transfer-checkpoint-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sent(token: string, line = 2): JournalSent {
  return { type: 'sent', token, line, provisionedProductId: `pp-${token}`, at: '2024-01-01T00:00:00.000Z' };
}

export function finished(token: string, outcome: JournalFinished['outcome'], line = 2): JournalFinished {
  return {
    type: 'finished',
    token,
    line,
    provisionedProductId: `pp-${token}`,
    outcome,
    recordId: outcome === 'failed' ? '' : `rec-${token}`,
    recordStatus: outcome === 'failed' ? '' : 'SUCCEEDED',
    attempts: 1,
    errorCode: outcome === 'failed' ? 'AccessDenied' : '',
    errorMessage: outcome === 'failed' ? 'no' : '',
    finishedAt: '2024-01-01T00:00:01.000Z',
  };
}

export function readLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function readEntries(path: string): Array<Record<string, unknown>> {
  return readLines(path).map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface FsCall {
  readonly op: 'open' | 'write' | 'sync' | 'truncate' | 'close' | 'link' | 'unlink' | 'readFile';
  readonly path: string;
  readonly detail?: string;
}

export interface InstrumentedFs extends CheckpointFs {
  readonly calls: FsCall[];
  /** Makes the write with this 1-based index (over all files) fail with `error`. */
  failWrite(index: number, error: Error): void;
  /** Resolves at the next write() call on any file. */
  nextWrite(): Promise<string>;
  /** Makes every fsync wait until the returned release is called (a slow disk, held by the test). */
  holdSyncs(): () => void;
}

/**
 * The entries an open journal wrote to its file `path` and fsynced since `fs` saw it, told by the
 * calls alone: the lines of every write to the file that a later fsync of it covers. (The journal
 * counts nothing for tests; its header goes to a temporary file, linked to `path`, so every line
 * written to `path` itself is an entry.)
 */
export function durableEntries(fs: InstrumentedFs, path: string): number {
  let durable = 0;
  let unsynced = 0;
  for (const call of fs.calls) {
    if (call.path !== path) continue;
    if (call.op === 'write') unsynced += (call.detail ?? '').split('\n').filter(Boolean).length;
    else if (call.op === 'sync') {
      durable += unsynced;
      unsynced = 0;
    }
  }
  return durable;
}

/** Records every call; can fail a chosen write. Everything else goes to the real fs. */
export function instrumentedFs(base: CheckpointFs = nodeCheckpointFs): InstrumentedFs {
  const calls: FsCall[] = [];
  const failures = new Map<number, Error>();
  let writes = 0;
  let waiters: Array<(text: string) => void> = [];
  let syncGate: Promise<void> | undefined;
  const wrapFile = (path: string, file: CheckpointFile): CheckpointFile => ({
    read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
    write: async (buffer, offset, length) => {
      writes += 1;
      const text = buffer.subarray(offset, offset + length).toString('utf8');
      calls.push({ op: 'write', path, detail: text });
      const current = waiters;
      waiters = [];
      for (const resolve of current) resolve(text);
      const failure = failures.get(writes);
      if (failure) throw failure;
      return file.write(buffer, offset, length);
    },
    sync: async () => {
      calls.push({ op: 'sync', path });
      await syncGate;
      await file.sync();
    },
    ...(file.identity === undefined ? {} : { identity: () => file.identity!() }),
    truncate: async (length) => {
      calls.push({ op: 'truncate', path, detail: String(length) });
      await file.truncate(length);
    },
    close: async () => {
      calls.push({ op: 'close', path });
      await file.close();
    },
  });
  return {
    calls,
    failWrite: (index, error) => failures.set(index, error),
    nextWrite: () => new Promise((resolve) => waiters.push(resolve)),
    holdSyncs: () => {
      let release = () => undefined as void;
      syncGate = new Promise<void>((resolve) => {
        release = () => {
          syncGate = undefined;
          resolve();
        };
      });
      return release;
    },
    open: async (path, flags) => {
      calls.push({ op: 'open', path, detail: String(flags) });
      return wrapFile(path, await base.open(path, flags));
    },
    link: async (from, to) => {
      calls.push({ op: 'link', path: to, detail: from });
      await base.link(from, to);
    },
    unlink: async (path) => {
      calls.push({ op: 'unlink', path });
      await base.unlink(path);
    },
    readFile: async (path) => {
      calls.push({ op: 'readFile', path });
      return base.readFile(path);
    },
    readdir: (path) => base.readdir(path),
    mtimeMs: (path) => base.mtimeMs(path),
    ...(base.identity === undefined ? {} : { identity: (path: string) => base.identity!(path) }),
  };
}

/**
 * Per test: a fresh `run.checkpoint` path in its own temporary folder (removed after the test), a
 * way to write a ledger of any format by hand, and to open it as a run would.
 */
export function ledgerFilePerTest(): { readonly path: string; write(format: number, entries: readonly object[]): void; reopen(): Promise<Journal> } {
  let path = '';
  let cleanup = (): void => undefined;
  beforeEach(() => {
    const temp = makeTempDir();
    cleanup = temp.cleanup;
    path = join(temp.dir, 'run.checkpoint');
  });
  afterEach(() => cleanup());
  return {
    get path() {
      return path;
    },
    write(format, entries) {
      const header = { type: 'header', format, runId: '', tokenScheme: 'v1', createdAt: '2024-01-01T00:00:00.000Z', input: 'in.csv' };
      writeFileSync(path, [header, ...entries].map((e) => JSON.stringify(e)).join('\n') + '\n');
    },
    reopen: () => openJournal({ path, runId: '', tokenScheme: 'v1', input: 'in.csv', clock: systemClock }),
  };
}

/** The checkpoint lock: exclusion, stale take-over (including racing takers), force, release. */
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError, LockedError } from '../../../src/checkpoint/checkpoint-error.js';
import { nodeCheckpointFs, type CheckpointFs } from '../../../src/checkpoint/checkpoint-fs.js';
import { acquireLock, defaultIsProcessAlive, readLockHolder, type AcquireLockOptions } from '../../../src/checkpoint/lock.js';
import type { LockHolder } from '../../../src/checkpoint/types.js';
import { makeTempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
let checkpointPath: string;
let lockPath: string;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  checkpointPath = join(dir, 'run.checkpoint');
  lockPath = `${checkpointPath}.lock`;
});
afterEach(() => cleanup());

const alive = new Set<number>();

function options(overrides: Partial<AcquireLockOptions> = {}): AcquireLockOptions {
  return {
    checkpointPath,
    runId: 'r1',
    host: 'host-a',
    pid: 100,
    now: () => new Date('2024-02-03T04:05:06.000Z'),
    isProcessAlive: (pid) => alive.has(pid),
    ...overrides,
  };
}

function writeHolder(holder: LockHolder): void {
  writeFileSync(lockPath, `${JSON.stringify(holder)}\n`);
}

const other: LockHolder = { host: 'host-a', pid: 200, startedAt: '2024-01-01T00:00:00.000Z', runId: 'r0' };

async function lockedError(promise: Promise<unknown>): Promise<LockedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LockedError);
  expect((error as LockedError).code).toBe('LOCKED');
  return error as LockedError;
}

/** Lock-related files left in the directory, without the per-test checkpoint name prefix. */
const leftovers = () => readdirSync(dir).map((name) => name.replace('run.checkpoint', ''));

describe('acquireLock', () => {
  beforeEach(() => {
    alive.clear();
    alive.add(200);
  });

  it('creates the lock with the holder JSON and release removes it', async () => {
    const lock = await acquireLock(options());
    expect(lock.path).toBe(lockPath);
    expect(lock.holder).toEqual({ host: 'host-a', pid: 100, startedAt: '2024-02-03T04:05:06.000Z', runId: 'r1' });
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toEqual(lock.holder);
    expect(await readLockHolder(checkpointPath)).toEqual(lock.holder);
    expect(leftovers()).toEqual(['.lock']); // no temp file
    await lock.release();
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
    expect(await readLockHolder(checkpointPath)).toBeUndefined();
  });

  it('refuses a second acquirer with the holder details', async () => {
    const first = await acquireLock(options({ pid: 200 }));
    const error = await lockedError(acquireLock(options({ pid: 300, runId: 'r2' })));
    expect(error.holder).toEqual(first.holder);
    expect(error.lockPath).toBe(lockPath);
    for (const part of ['host-a', 'pid 200', '2024-02-03T04:05:06.000Z', 'run id "r1"', '--force-unlock']) {
      expect(error.message).toContain(part);
    }
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toEqual(first.holder);
    await first.release();
  });

  it('takes over a lock of a dead pid on this host', async () => {
    writeHolder({ ...other, pid: 999 });
    const lock = await acquireLock(options());
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toEqual(lock.holder);
    expect(leftovers()).toEqual(['.lock']); // no tombstone or temp file left
    await lock.release();
  });

  it('takes over a lock of its own pid on this host (a restarted container gets the same pid)', async () => {
    alive.add(100);
    writeHolder({ ...other, pid: 100 });
    const lock = await acquireLock(options());
    expect(lock.holder.pid).toBe(100);
    await lock.release();
  });

  it('does not take a lock of a live pid on this host', async () => {
    writeHolder(other);
    const error = await lockedError(acquireLock(options()));
    expect(error.holder).toEqual(other);
    expect(error.message).toContain('Wait for it to finish');
  });

  it('does not take a lock held on another host, even if that pid is not running here', async () => {
    writeHolder({ ...other, host: 'host-b', pid: 999 });
    const error = await lockedError(acquireLock(options()));
    expect(error.message).toContain('another host');
    expect(error.holder?.host).toBe('host-b');
  });

  it('takes any lock with force, and releases it', async () => {
    writeHolder({ ...other, host: 'host-b' });
    const lock = await acquireLock(options({ force: true }));
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toEqual(lock.holder);
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('treats a garbled lock file as held by an unknown process unless forced', async () => {
    writeFileSync(lockPath, 'not json at all');
    const error = await lockedError(acquireLock(options()));
    expect(error.holder).toBeUndefined();
    expect(error.message).toContain(lockPath);
    expect(error.message).toContain('--force-unlock');
    await expect(readLockHolder(checkpointPath)).rejects.toMatchObject({ code: 'CORRUPT' });

    writeFileSync(lockPath, '');
    expect((await lockedError(acquireLock(options()))).message).toContain('empty');

    const lock = await acquireLock(options({ force: true }));
    expect(await readLockHolder(checkpointPath)).toEqual(lock.holder);
    await lock.release();
  });

  it('release does not remove a lock that is no longer ours', async () => {
    const lock = await acquireLock(options({ pid: 200 }));
    const thief = await acquireLock(options({ pid: 300, force: true }));
    await lock.release();
    expect(await readLockHolder(checkpointPath)).toEqual(thief.holder);
    await thief.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('lets exactly one of many racing takers win a stale lock', async () => {
    for (let round = 0; round < 10; round += 1) {
      writeHolder({ ...other, pid: 999 });
      const pids = [301, 302, 303, 304, 305];
      pids.forEach((pid) => alive.add(pid)); // every taker is alive to the others
      const results = await Promise.allSettled(pids.map((pid) => acquireLock(options({ pid }))));
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockedError);
      }
      const winner = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
      expect(await readLockHolder(checkpointPath)).toEqual(winner.holder);
      await winner.release();
    }
  });

  it('a slow taker that judged the old lock stale does not remove the new holder', async () => {
    writeHolder({ ...other, pid: 999 });
    alive.add(301);
    alive.add(302);
    // Pause the slow taker right after it read the stale lock, let the fast one take over completely.
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let readStale!: () => void;
    const hasRead = new Promise<void>((r) => (readStale = r));
    let reads = 0;
    const slowFs: CheckpointFs = {
      ...nodeCheckpointFs,
      readFile: async (path) => {
        const content = await nodeCheckpointFs.readFile(path);
        if (path === lockPath && (reads += 1) === 1) {
          readStale();
          await paused;
        }
        return content;
      },
    };
    const slow = acquireLock(options({ pid: 302, fs: slowFs })).then(
      () => 'won',
      (e: unknown) => e,
    );
    await hasRead;
    const fast = await acquireLock(options({ pid: 301 }));
    resume();
    const outcome = await slow;
    expect(outcome).toBeInstanceOf(LockedError);
    expect((outcome as LockedError).holder).toEqual(fast.holder);
    expect(await readLockHolder(checkpointPath)).toEqual(fast.holder);
    expect(leftovers()).toEqual(['.lock']);
    await fast.release();
  });

  it('reports an interrupted take-over (tombstone left) and clears it with force', async () => {
    // A taker that crashed after linking the tombstone: the stale lock and its tombstone both exist.
    writeHolder({ ...other, pid: 999 });
    const stale = readFileSync(lockPath, 'utf8');
    const { createHash } = await import('node:crypto');
    const tomb = `${lockPath}.taken-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
    writeFileSync(tomb, stale);
    const error = await lockedError(acquireLock(options()));
    expect(error.message).toContain(tomb);
    expect(error.message).toContain('--force-unlock');
    const lock = await acquireLock(options({ force: true }));
    expect(await readLockHolder(checkpointPath)).toEqual(lock.holder);
    expect(leftovers()).toEqual(['.lock']);
    await lock.release();
  });

  it('force breaks only the lock found at the start, not one a live run takes meanwhile', async () => {
    writeHolder({ ...other, host: 'host-b' });
    alive.add(400);
    // As soon as the forced lock is removed, a live run on this host grabs it.
    const racingFs: CheckpointFs = {
      ...nodeCheckpointFs,
      unlink: async (path) => {
        await nodeCheckpointFs.unlink(path);
        if (path === lockPath) writeHolder({ ...other, pid: 400 });
      },
    };
    const error = await lockedError(acquireLock(options({ force: true, fs: racingFs })));
    expect(error.holder?.pid).toBe(400);
  });

  it('reports file-system failures as IO_ERROR', async () => {
    const error = await acquireLock(options({ checkpointPath: join(dir, 'missing-dir', 'x') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code).toBe('IO_ERROR');
  });
});

describe('stale lock temp files', () => {
  const uuid = '0b0e1e0a-1111-4222-8333-944455556666';
  const now = new Date('2024-02-03T04:05:06.000Z');
  /** A temp file as a killed run leaves it, last written `ageMs` before `now`. */
  function leftover(name: string, ageMs: number): string {
    const path = join(dir, name);
    writeFileSync(path, '{}\n');
    const when = new Date(now.getTime() - ageMs);
    utimesSync(path, when, when);
    return name;
  }

  it('removes those of a dead pid or of this pid once a minute old, and nothing else', async () => {
    alive.clear();
    alive.add(300);
    const dead = leftover(`run.checkpoint.lock.200.${uuid}.tmp`, 61_000);
    const mine = leftover(`run.checkpoint.lock.100.${uuid}.tmp`, 61_000);
    const live = leftover(`run.checkpoint.lock.300.${uuid}.tmp`, 61_000);
    const fresh = leftover(`run.checkpoint.lock.201.${uuid}.tmp`, 59_000);
    const otherCheckpoint = leftover(`other.checkpoint.lock.200.${uuid}.tmp`, 61_000);
    const notOurs = leftover('run.checkpoint.lock.200.notes.tmp', 61_000);
    const lock = await acquireLock(options({ now: () => now }));
    const names = readdirSync(dir);
    expect(names).not.toContain(dead);
    expect(names).not.toContain(mine);
    expect(names).toEqual(expect.arrayContaining([live, fresh, otherCheckpoint, notOurs, 'run.checkpoint.lock']));
    await lock.release();
  });
});

describe('defaultIsProcessAlive', () => {
  it('is true for this process and false for a pid that cannot exist', () => {
    expect(defaultIsProcessAlive(process.pid)).toBe(true);
    expect(defaultIsProcessAlive(2 ** 22 + 12345)).toBe(false); // above Linux pid_max
    expect(defaultIsProcessAlive(0)).toBe(false);
    expect(defaultIsProcessAlive(-1)).toBe(false);
  });
});

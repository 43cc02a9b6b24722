/**
 * One run per checkpoint: `<checkpoint>.lock` holds the LockHolder JSON of the run using it.
 *
 * Creating: the holder JSON is written and fsynced in a temp file, then link()ed to the lock name.
 * link() fails with EEXIST when the name exists, so it is as atomic as O_EXCL, and the lock name
 * never shows an empty or half-written file (a crash between an O_EXCL create and its write would
 * leave a lock nobody can attribute).
 *
 * Taking over a lock whose holder is dead (same host, pid not running) must not let two racing
 * takers both win. A taker first link()s the lock to a tombstone whose name is derived from the
 * lock's CONTENT (`<lock>.taken-<sha256 prefix>`): only one taker of a given stale content can
 * create it. It then reads the tombstone back: if it is not the stale content, the lock changed
 * under it (someone finished a take-over), so it backs off and looks again. Otherwise the lock
 * name still holds that stale content and nobody else may remove it, so it unlinks the lock,
 * link()s its own (EEXIST: a fresh acquirer beat it, look again), then removes the tombstone. A
 * crash between the tombstone and the unlink leaves the tombstone: the next run reports it and
 * `--force-unlock` clears it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CheckpointError, describeRunId, errnoCode, LockedError, systemErrorText } from './checkpoint-error.js';
import { nodeCheckpointFs, readTextIfExists, unlinkIfExists, writeNewFile, type CheckpointFs } from './checkpoint-fs.js';
import type { LockHolder } from './types.js';

export interface AcquireLockOptions {
  readonly checkpointPath: string;
  readonly runId: string;
  /** This machine's name (caller passes os.hostname()). */
  readonly host: string;
  /** This process's pid (caller passes process.pid). */
  readonly pid: number;
  readonly now: () => Date;
  /** Whether a pid on THIS host is running; see defaultIsProcessAlive. */
  readonly isProcessAlive: (pid: number) => boolean;
  /** `--force-unlock`: remove the lock found at the start whoever holds it (only that one). */
  readonly force?: boolean;
  readonly fs?: CheckpointFs;
}

export interface Lock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it still holds our content; never someone else's. Idempotent. */
  release(): Promise<void>;
}

/** Attempts at create-or-take-over before giving up (each retry means the lock changed under us). */
const MAX_ATTEMPTS = 8;

export function lockPathOf(checkpointPath: string): string {
  return `${checkpointPath}.lock`;
}

export async function acquireLock(options: AcquireLockOptions): Promise<Lock> {
  const { checkpointPath, runId, host, pid, now, force = false, fs = nodeCheckpointFs } = options;
  const lockPath = lockPathOf(checkpointPath);
  const holder: LockHolder = { host, pid, startedAt: now().toISOString(), runId };
  const content = `${JSON.stringify(holder)}\n`;
  const temp = `${lockPath}.${pid}.${randomUUID()}.tmp`;
  await removeStaleLockTemps(options, lockPath).catch(() => undefined);
  // --force-unlock breaks the lock the user saw, not a lock a live run takes meanwhile.
  let forcible: string | undefined;
  try {
    await writeNewFile(fs, temp, content);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (await tryLink(fs, temp, lockPath)) {
        return new FileLock(fs, lockPath, holder, content);
      }
      const existing = await readTextIfExists(fs, lockPath);
      if (existing === undefined) continue; // released meanwhile: try again
      forcible ??= force ? existing : undefined;
      const parsed = parseLockHolder(existing);
      if (existing !== forcible) {
        refuseUnlessStale(options, lockPath, parsed);
      }
      await removeExact(fs, lockPath, existing, existing === forcible, parsed);
    }
    throw new CheckpointError('LOCKED', `The lock ${lockPath} kept changing while this run tried to take it; is another run starting?`);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError('IO_ERROR', `Cannot take the checkpoint lock ${lockPath}: ${systemErrorText(error)}`, { cause: error });
  } finally {
    await unlinkIfExists(fs, temp).catch(() => undefined);
  }
}

/** A lock attempt holds its temp file for milliseconds; one this old was left by a killed run. */
const STALE_TEMP_AGE_MS = 60_000;

/**
 * Removes `<lock>.<pid>.<uuid>.tmp` files that a run killed while taking the lock left behind.
 * Only what is provably stale: older than a minute (an attempt lasts milliseconds) and written by
 * a pid that is not running here, or by this pid (a previous incarnation, as in refuseUnlessStale).
 * Best effort: the caller ignores a failure, since a leftover temp file harms nothing but tidiness.
 */
export async function removeStaleLockTemps(options: AcquireLockOptions, lockPath: string): Promise<string[]> {
  const { pid, now, isProcessAlive, fs = nodeCheckpointFs } = options;
  const prefix = basename(lockPath);
  const pattern = /^\.(\d+)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;
  const removed: string[] = [];
  for (const name of await fs.readdir(dirname(lockPath))) {
    const match = name.startsWith(prefix) ? pattern.exec(name.slice(prefix.length)) : null;
    if (match === null) continue;
    const owner = Number(match[1]);
    if (owner !== pid && isProcessAlive(owner)) continue;
    const path = join(dirname(lockPath), name);
    if (now().getTime() - (await fs.mtimeMs(path)) < STALE_TEMP_AGE_MS) continue;
    await unlinkIfExists(fs, path);
    removed.push(path);
  }
  return removed;
}

async function tryLink(fs: CheckpointFs, from: string, to: string): Promise<boolean> {
  try {
    await fs.link(from, to);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** Throws LockedError unless `parsed` is a holder on this host whose process is gone. */
function refuseUnlessStale(options: AcquireLockOptions, lockPath: string, parsed: ParsedHolder): void {
  const { checkpointPath, host, pid, isProcessAlive } = options;
  if (!parsed.ok) {
    throw new LockedError(
      lockPath,
      undefined,
      `The lock file ${lockPath} exists but is not a valid lock (${parsed.reason}), so it is treated as held by an ` +
        `unknown process. If no other run uses ${checkpointPath}, pass --force-unlock to remove it.`,
    );
  }
  const h = parsed.holder;
  // Our own pid on our own host cannot be a live other run: it is a previous incarnation that got
  // the same pid (containers restart with the same small pids), so it is stale like a dead pid.
  if (h.host === host && (h.pid === pid || !isProcessAlive(h.pid))) return;
  const who = `host ${h.host}, pid ${h.pid}, started ${h.startedAt}, ${describeRunId(h.runId)}`;
  const advice =
    h.host === host
      ? 'Wait for it to finish or stop it; if you are sure it is not running, pass --force-unlock.'
      : 'It runs on another host, so whether it is still alive cannot be checked from here; if you are sure it has ' + 'stopped, pass --force-unlock.';
  throw new LockedError(lockPath, h, `Checkpoint ${checkpointPath} is in use by another run (${who}); lock file ${lockPath}. ${advice}`);
}

/**
 * Removes the lock file if (and only if) it holds `stale`, with at most one remover per content
 * (see the module comment). Returns normally whether it removed it or found it changed; the
 * caller simply tries to create again.
 */
async function removeExact(fs: CheckpointFs, lockPath: string, stale: string, forced: boolean, parsed: ParsedHolder): Promise<void> {
  const tomb = `${lockPath}.taken-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  try {
    await fs.link(lockPath, tomb);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return; // the lock went away: create again
    if (code !== 'EEXIST') throw error;
    if ((await readTextIfExists(fs, lockPath)) !== stale) return; // someone completed a take-over
    if (forced) {
      await unlinkIfExists(fs, tomb); // the user says nobody else is at it: clear the leftover
      return;
    }
    throw new LockedError(
      lockPath,
      parsed.ok ? parsed.holder : undefined,
      `The stale lock ${lockPath} is being taken over by another run right now, or a take-over was interrupted ` +
        `(${tomb} is left). If no other run uses this checkpoint, pass --force-unlock.`,
    );
  }
  if ((await readTextIfExists(fs, tomb)) !== stale) {
    // We linked a newer lock than the one we judged: drop our extra name of it and look again.
    await unlinkIfExists(fs, tomb);
    return;
  }
  await unlinkIfExists(fs, lockPath);
  await unlinkIfExists(fs, tomb);
}

class FileLock implements Lock {
  readonly path: string;
  readonly holder: LockHolder;
  readonly #fs: CheckpointFs;
  readonly #content: string;
  #released: Promise<void> | undefined;

  constructor(fs: CheckpointFs, path: string, holder: LockHolder, content: string) {
    this.#fs = fs;
    this.path = path;
    this.holder = holder;
    this.#content = content;
  }

  release(): Promise<void> {
    this.#released ??= this.#releaseOnce();
    return this.#released;
  }

  async #releaseOnce(): Promise<void> {
    try {
      // Only ours: after a --force-unlock by someone else the file belongs to the new holder.
      if ((await readTextIfExists(this.#fs, this.path)) === this.#content) {
        await unlinkIfExists(this.#fs, this.path);
      }
    } catch (error) {
      throw new CheckpointError('IO_ERROR', `Cannot release the checkpoint lock ${this.path}: ${systemErrorText(error)}`, { cause: error });
    }
  }
}

type ParsedHolder = { ok: true; holder: LockHolder } | { ok: false; reason: string };

function parseLockHolder(text: string): ParsedHolder {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: text.length === 0 ? 'it is empty' : 'it is not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'it is not a JSON object' };
  const v = value as Record<string, unknown>;
  if (typeof v.host !== 'string' || typeof v.startedAt !== 'string' || typeof v.runId !== 'string') {
    return { ok: false, reason: 'host, startedAt or runId is missing' };
  }
  if (typeof v.pid !== 'number' || !Number.isSafeInteger(v.pid) || v.pid <= 0) {
    return { ok: false, reason: 'pid is not a positive integer' };
  }
  return { ok: true, holder: { host: v.host, pid: v.pid, startedAt: v.startedAt, runId: v.runId } };
}

/** For `status`: who holds the lock, undefined when nobody; CORRUPT when the file is not a lock. */
export async function readLockHolder(checkpointPath: string, fs: CheckpointFs = nodeCheckpointFs): Promise<LockHolder | undefined> {
  const lockPath = lockPathOf(checkpointPath);
  let text: string | undefined;
  try {
    text = await readTextIfExists(fs, lockPath);
  } catch (error) {
    throw new CheckpointError('IO_ERROR', `Cannot read the lock file ${lockPath}: ${systemErrorText(error)}`, { cause: error });
  }
  if (text === undefined) return undefined;
  const parsed = parseLockHolder(text);
  if (!parsed.ok) {
    throw new CheckpointError(
      'CORRUPT',
      `The lock file ${lockPath} is not a valid lock (${parsed.reason}); the next run refuses it unless given --force-unlock.`,
    );
  }
  return parsed.holder;
}

/**
 * Whether `pid` runs on this host: signal 0 checks existence without signalling. ESRCH means
 * gone; EPERM means it exists but belongs to another user, so it is alive. Anything unexpected
 * counts as alive: wrongly taking a live run's lock is far worse than asking for --force-unlock.
 */
export function defaultIsProcessAlive(pid: number): boolean {
  // pid 0 / negative would address process groups, never a lock holder.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    // eslint-disable-next-line no-restricted-globals -- the default of an injected dependency (AcquireLockOptions.isProcessAlive)
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== 'ESRCH';
  }
}

/**
 * Small filesystem helpers for "never leave a half-written file under the real name".
 *
 * The pattern is always: write a sibling temp file, fsync it, rename it over the target, then
 * fsync the directory. rename() is atomic within one filesystem, which is why the temp file is a
 * sibling (same directory) rather than something under os.tmpdir().
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CodedError } from '../coded-error.js';
import { errnoCode } from '../errors.js';
import { fileKindText } from './output-paths.js';

/**
 * The target of a rename exists and is not a regular file (a FIFO, a device, a socket, a
 * directory). Commands refuse such a path before anything is sent (report/output-paths.ts); this
 * is the last line, right before the rename, for what appeared since or a caller that forgot.
 */
export class NotRegularFileError extends CodedError<'NOT_REGULAR_FILE'> {
  constructor(
    /** The path that was not replaced. */
    readonly path: string,
    /** What it is, e.g. `a FIFO (named pipe)`. */
    readonly kind: string,
  ) {
    // Without the path: a wrapper (LocalFileError.wrap) names the file and what it was for.
    super('NOT_REGULAR_FILE', `the target is ${kind}, not a regular file, and was left as it is`);
  }
}

/**
 * Throws NotRegularFileError when `path` exists and is not a regular file. rename() replaces any
 * directory entry but a directory, so without this a device node or a FIFO would silently become a
 * plain file (as root, `/dev/null`). The path is judged through symbolic links, as the up-front
 * check judges it, so both refuse the same targets.
 */
export async function assertReplaceable(path: string): Promise<void> {
  let stats;
  try {
    stats = await stat(path);
  } catch {
    // Missing (the usual case), or not checkable: rename() creates it or reports the real error.
    return;
  }
  if (!stats.isFile()) throw new NotRegularFileError(path, fileKindText(stats));
}

/**
 * Makes a rename durable: without this a power cut right after rename() can bring back the old
 * directory entry. Best effort, because some platforms (Windows) and filesystems refuse to open
 * or fsync a directory, and a failure here must not fail a run whose data is already safe.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // See above: durability of the directory entry is a bonus, not a requirement.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Moves a finished temp file over `target` and makes the move durable. Refuses (NotRegularFileError)
 * a target that is not a regular file, checked right before the rename.
 */
export async function commitFile(tempPath: string, target: string): Promise<void> {
  await assertReplaceable(target);
  await rename(tempPath, target);
  await fsyncDirectory(dirname(target));
}

/**
 * `mkdir -p` that cannot spin. Node.js's mkdir({recursive: true}) takes every ENOENT for a missing
 * parent, makes the parent (EEXIST: it is there), tries the child again and gets ENOENT again, for
 * ever at full CPU, where the kernel answers ENOENT for a child of a folder that exists: under
 * /proc and /sys (the synchronous variant blocks the event loop, so even SIGTERM waits). Here the
 * missing folders are made one at a time from the closest one that exists, each with one plain
 * mkdir: a failure, ENOENT included, is final and names the folder.
 */
export async function makeFolder(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    const stats = await stat(at).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (stats !== undefined) {
      if (!stats.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR', path: at });
      break;
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      await mkdir(folder);
    } catch (error) {
      // Made meanwhile by another process: fine if it is a folder now.
      const isFolder = errnoCode(error) === 'EEXIST' && (await isDirectory(folder));
      if (!isFolder) throw error;
    }
  }
}

function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** Pieces are gathered up to this many characters before a write (a report is written as it is rendered). */
const WRITE_BATCH_CHARS = 256 * 1024;

/**
 * Writes `data` (a string, or pieces in order) to `path` atomically: readers see either the old
 * file or the complete new one. The temp name is random so two runs writing the same target never
 * share a temp file. A target that is not a regular file is never replaced (NotRegularFileError;
 * the temp file is removed).
 */
export async function writeFileAtomic(path: string, data: string | Iterable<string>): Promise<void> {
  await makeFolder(dirname(path));
  const tempPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tempPath, 'w');
    try {
      let pending: string[] = [];
      let size = 0;
      for (const piece of typeof data === 'string' ? [data] : data) {
        pending.push(piece);
        size += piece.length;
        if (size < WRITE_BATCH_CHARS) continue;
        await handle.write(pending.join(''));
        pending = [];
        size = 0;
      }
      if (pending.length > 0) await handle.write(pending.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commitFile(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Whether something exists at `path` (a command that never replaces a file asks this first). */
export function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

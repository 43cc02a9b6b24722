/**
 * The few file-system calls the checkpoint needs, as an injectable dependency: tests wrap it to
 * count fsyncs, fail a write, or pause one racer of a lock take-over at an exact point. The node
 * implementation is a thin pass-through to node:fs/promises.
 */
import { constants, promises as fsp, readSync, statSync } from 'node:fs';
import { identityOf, type FileIdentity } from '../file-identity.js';
import { dirname } from 'node:path';
import { errnoCode } from './checkpoint-error.js';

export interface CheckpointFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /**
   * The same read, synchronous: a resume reads one entry back per done row, and a round trip
   * through the thread pool per row cost ten times the rest of the row. Optional: a wrapper
   * without it is read with `read`.
   */
  readSync?(buffer: Buffer, offset: number, length: number, position: number): number;
  /** Writes at the current end (files are opened with O_APPEND); may write fewer bytes than asked. */
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
  /** Device and inode of the open file (fstat). Optional: a wrapper without it is not watched. */
  identity?(): Promise<FileIdentity>;
}

export { sameFile, type FileIdentity } from '../file-identity.js';

export interface CheckpointFs {
  open(path: string, flags: string | number): Promise<CheckpointFile>;
  /** Hard link: fails with EEXIST when `newPath` exists, which makes it an atomic create. */
  link(existingPath: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  /** The names in a directory. */
  readdir(path: string): Promise<string[]>;
  /** Last modification time, ms since the epoch. */
  mtimeMs(path: string): Promise<number>;
  /** Device and inode of the file a path names now (stat, links followed). Optional, as CheckpointFile's. */
  identity?(path: string): Promise<FileIdentity>;
}

export const nodeCheckpointFs: CheckpointFs = {
  open: async (path, flags) => {
    const handle = await fsp.open(path, flags);
    return {
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      readSync: (buffer, offset, length, position) => readSync(handle.fd, buffer, offset, length, position),
      write: (buffer, offset, length) => handle.write(buffer, offset, length),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
      identity: async () => identityOf(await handle.stat()),
    };
  },
  link: (existingPath, newPath) => fsp.link(existingPath, newPath),
  unlink: (path) => fsp.unlink(path),
  readFile: (path) => fsp.readFile(path),
  readdir: (path) => fsp.readdir(path),
  mtimeMs: async (path) => (await fsp.stat(path)).mtimeMs,
  // Synchronous on purpose (file-identity.ts: identityAt says why); a missing path rejects with the system's ENOENT.
  identity: (path) => {
    try {
      return Promise.resolve(identityOf(statSync(path)));
    } catch (error) {
      return Promise.reject(error);
    }
  },
};

/** Read-write, appending, never creating: creation goes through a temp file and link(). */
export const OPEN_APPEND_EXISTING = constants.O_RDWR | constants.O_APPEND;

/** Writes all of `buffer`, looping over short writes. */
export async function writeAll(file: CheckpointFile, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
    if (bytesWritten <= 0) throw new Error(`write made no progress (${offset} of ${buffer.length} bytes written)`);
    offset += bytesWritten;
  }
}

/**
 * Creates `path` with `content` (new file, 'wx'), fsynced, and closes it. Used for the temp files
 * that are then link()ed into place, so the real name never shows a half-written file.
 */
export async function writeNewFile(fs: CheckpointFs, path: string, content: string): Promise<void> {
  const file = await fs.open(path, 'wx');
  try {
    await writeAll(file, Buffer.from(content, 'utf8'));
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * fsyncs the directory holding `path`, so a newly created name survives a power loss, not only
 * its content. Platforms that cannot open or sync a directory (Windows) refuse with one of the
 * codes below; there is nothing better to do there, so those are ignored.
 */
export async function syncDirectoryOf(fs: CheckpointFs, path: string): Promise<void> {
  let dir: CheckpointFile;
  try {
    dir = await fs.open(dirname(path), 'r');
  } catch (error) {
    if (isUnsupportedDirSync(error)) return;
    throw error;
  }
  try {
    await dir.sync();
  } catch (error) {
    if (!isUnsupportedDirSync(error)) throw error;
  } finally {
    await dir.close();
  }
}

function isUnsupportedDirSync(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'ENOTSUP' || code === 'EACCES';
}

/** unlink that ignores a missing file (clean-up paths must not mask the real error). */
export async function unlinkIfExists(fs: CheckpointFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

/** The file's content as UTF-8, or undefined when it does not exist. */
export async function readTextIfExists(fs: CheckpointFs, path: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(path)).toString('utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

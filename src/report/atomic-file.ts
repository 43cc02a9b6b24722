/**
 * Small filesystem helpers for "never leave a half-written file under the real name".
 *
 * The pattern is always: write a sibling temp file, fsync it, rename it over the target, then
 * fsync the directory. rename() is atomic within one filesystem, which is why the temp file is a
 * sibling (same directory) rather than something under os.tmpdir().
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

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

/** Moves a finished temp file over `target` and makes the move durable. */
export async function commitFile(tempPath: string, target: string): Promise<void> {
  await rename(tempPath, target);
  await fsyncDirectory(dirname(target));
}

/**
 * Writes `data` to `path` atomically: readers see either the old file or the complete new one.
 * The temp name is random so two runs writing the same target never share a temp file.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tempPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tempPath, 'w');
    try {
      await handle.writeFile(data, 'utf8');
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

/**
 * What makes a file the same file (its device and inode), for the checks that a file the run
 * writes was not removed or replaced under it: the checkpoint's (checkpoint/checkpoint-fs.ts) and
 * the results' (report/results-writer.ts).
 */
import { statSync } from 'node:fs';

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

export function identityOf(stats: FileIdentity): FileIdentity {
  return { dev: stats.dev, ino: stats.ino };
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * The identity of the file `path` names now (links followed), or undefined when nothing is there.
 * Synchronous on purpose: it is asked before every group of journal entries, and a stat of a local
 * path takes about 3 µs on the main thread against about 30 µs of CPU through the thread pool.
 * Other errors (a folder that cannot be searched) are thrown.
 */
export function identityAt(path: string): FileIdentity | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats === undefined ? undefined : identityOf(stats);
}

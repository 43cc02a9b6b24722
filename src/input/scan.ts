/**
 * The validation pass: reads the whole input once, streamed, and returns counts, problems and the
 * file's fingerprint without keeping any row (only firstLineByProduct and a hash per product).
 *
 * File-system problems before any content is read (FILE_NOT_FOUND, NOT_A_REGULAR_FILE,
 * FILE_UNREADABLE) are thrown as InputError: there is nothing to describe. Content problems that
 * make the file unusable (EMPTY_FILE, HEADER_*, CSV_MALFORMED of the file, FILE_CHANGED while being
 * read) are returned as `fatal`, never thrown. An aborted signal rejects with the AbortError.
 *
 * A header with no data rows is valid: zero rows, no problem (the caller may warn).
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { InputEngine } from './engine.js';
import { fileSystemError, isAbortError, openInputFile, parseCsvStream, statInput } from './csv-stream.js';
import { quoteValue } from './format.js';
import type { FileFingerprint, HeaderMap, InputProblem, InputScan } from './types.js';

export const DEFAULT_MAX_PROBLEMS_KEPT = 1000;
/** Bytes read from the file at a time (also the most read ahead of the parser). */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface ScanOptions {
  readonly signal?: AbortSignal | undefined;
  /** Problems kept in `problems` (all are counted in `problemCount`); default 1000. */
  readonly maxProblemsKept?: number | undefined;
}

// eslint-disable-next-line max-lines-per-function -- a debt of issue 23 (longer than the house's 80 lines): split it, then drop this line
export async function scanInput(path: string, options: ScanOptions = {}): Promise<InputScan> {
  const { signal, maxProblemsKept = DEFAULT_MAX_PROBLEMS_KEPT } = options;
  if (!Number.isSafeInteger(maxProblemsKept) || maxProblemsKept < 0) {
    throw new RangeError(`maxProblemsKept must be a non-negative integer, got ${maxProblemsKept}`);
  }
  signal?.throwIfAborted();
  const { handle, stats } = await openInputFile(path);

  const hash = createHash('sha256');
  let bytesRead = 0;
  const engine = new InputEngine();
  const problems: InputProblem[] = [];
  let problemCount = 0;
  const note = (problem: InputProblem): void => {
    problemCount++;
    if (problems.length < maxProblemsKept) problems.push(problem);
  };
  let totalRows = 0;
  let validRows = 0;
  let invalidRows = 0;
  let rowsSettingLaunchRole = 0;
  const owners = new Map<string, number>();
  const launchRoles = new Map<string, number>();
  let duplicateRows = 0;
  const places = new Map<string, { accountId: string; region: string | undefined; rows: number; duplicates: number }>();
  const placeOf = (accountId: string, region: string | undefined) => {
    const key = placeKey(accountId, region);
    let place = places.get(key);
    if (place === undefined) places.set(key, (place = { accountId, region, rows: 0, duplicates: 0 }));
    return place;
  };
  let fatal: InputProblem | undefined;

  try {
    const source = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    const onChunk = (chunk: Buffer): void => {
      hash.update(chunk);
      bytesRead += chunk.length;
    };
    for await (const record of parseCsvStream(source, { signal, onChunk })) {
      const step = engine.push(record);
      if (step.kind === 'fatal') {
        fatal = step.problem;
        break;
      }
      if (step.kind !== 'record') continue;
      totalRows++;
      const result = step.record;
      if (result.kind === 'valid') {
        validRows++;
        if (result.duplicateOfLine !== undefined) {
          duplicateRows++;
          placeOf(result.row.accountId, result.row.region).duplicates += 1;
        } else {
          const { newOwner, launchRole, accountId, region } = result.row;
          placeOf(accountId, region).rows += 1;
          if (newOwner !== undefined) owners.set(newOwner, (owners.get(newOwner) ?? 0) + 1);
          if (launchRole !== undefined) {
            rowsSettingLaunchRole++;
            launchRoles.set(launchRole, (launchRoles.get(launchRole) ?? 0) + 1);
          }
        }
      } else {
        invalidRows++;
        result.problems.forEach(note);
      }
    }
    fatal ??= engine.finish();
  } catch (error) {
    if (isAbortError(error)) throw error;
    const problem = engine.parseError(error);
    if (!problem) throw isErrno(error) ? fileSystemError(path, error) : error;
    fatal = problem;
  } finally {
    await handle.close().catch(() => {});
  }

  let sha256: string;
  if (fatal) {
    // The scan stopped early: hash the whole file anyway, so the fingerprint always names the file.
    sha256 = await hashFile(path, signal).catch(() => hash.digest('hex'));
  } else {
    sha256 = hash.digest('hex');
    const after = await statInput(path).catch(() => undefined);
    if (bytesRead !== stats.size || !after || !sameFile(after, stats)) {
      fatal = {
        code: 'FILE_CHANGED',
        line: 0,
        message: `input file ${quoteValue(path, 200)} changed while it was being validated; wait until it is complete and try again`,
      };
    }
  }
  if (fatal) {
    problemCount++;
    // The fatal problem is always listed; it is the last in line order, so it replaces the last kept one if the list is full.
    if (problems.length < maxProblemsKept) problems.push(fatal);
    else if (maxProblemsKept > 0) problems[problems.length - 1] = fatal;
  }

  const fingerprint: FileFingerprint = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, sha256 };
  return {
    header: engine.header ?? unresolvedHeader(engine.headerCells),
    totalRows,
    validRows,
    invalidRows,
    rowsSettingLaunchRole,
    targets: { owners, launchRoles },
    places,
    duplicateRows,
    problems,
    problemCount,
    fatal,
    fingerprint,
    products: engine.products,
  };
}

/** The key of InputScan.places: the account, and the row's own region when it names one. */
export function placeKey(accountId: string, region: string | undefined): string {
  return region === undefined ? accountId : `${accountId}/${region}`;
}

/** Same size, modification time and inode. */
export function sameFile(a: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>, b: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** The header of a scan whose header could not be resolved: the cells as read, no known column. */
function unresolvedHeader(columns: readonly string[]): HeaderMap {
  return { columns, idColumn: '', ownerColumn: undefined, launchRoleColumn: undefined, extraColumns: [] };
}

async function hashFile(path: string, signal: AbortSignal | undefined): Promise<string> {
  const { handle } = await openInputFile(path);
  try {
    const hash = createHash('sha256');
    for await (const chunk of handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, ...(signal ? { signal } : {}) })) {
      hash.update(chunk as Buffer);
    }
    return hash.digest('hex');
  } finally {
    await handle.close().catch(() => {});
  }
}

export function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error;
}

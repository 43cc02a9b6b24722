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
import { createHash, type Hash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { InputEngine } from './engine.js';
import { fileSystemError, isAbortError, openInputFile, parseCsvStream, statInput } from './csv-stream.js';
import { quoteValue } from './format.js';
import type { FileFingerprint, HeaderMap, InputProblem, InputRecord, InputScan } from './types.js';

export const DEFAULT_MAX_PROBLEMS_KEPT = 1000;
/** Bytes read from the file at a time (also the most read ahead of the parser). */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface ScanOptions {
  readonly signal?: AbortSignal | undefined;
  /** Problems kept in `problems` (all are counted in `problemCount`); default 1000. */
  readonly maxProblemsKept?: number | undefined;
}

export async function scanInput(path: string, options: ScanOptions = {}): Promise<InputScan> {
  const { signal, maxProblemsKept = DEFAULT_MAX_PROBLEMS_KEPT } = options;
  if (!Number.isSafeInteger(maxProblemsKept) || maxProblemsKept < 0) {
    throw new RangeError(`maxProblemsKept must be a non-negative integer, got ${maxProblemsKept}`);
  }
  signal?.throwIfAborted();
  const { handle, stats } = await openInputFile(path);
  const engine = new InputEngine();
  const tally = new ScanTally(maxProblemsKept);
  const read = await readEveryRecord(path, handle, engine, tally, signal);
  let { fatal } = read;
  let sha256: string;
  if (fatal) {
    // The scan stopped early: hash the whole file anyway, so the fingerprint always names the file.
    sha256 = await hashFile(path, signal).catch(() => read.hash.digest('hex'));
  } else {
    sha256 = read.hash.digest('hex');
    const after = await statInput(path).catch(() => undefined);
    if (read.bytesRead !== stats.size || !after || !sameFile(after, stats)) {
      fatal = {
        code: 'FILE_CHANGED',
        line: 0,
        message: `input file ${quoteValue(path, 200)} changed while it was being validated; wait until it is complete and try again`,
      };
    }
  }
  if (fatal) tally.noteFatal(fatal);
  const fingerprint: FileFingerprint = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, sha256 };
  const { totalRows, validRows, invalidRows, rowsSettingLaunchRole, owners, launchRoles, places, duplicateRows, problems, problemCount } = tally;
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
    trimmedArnCells: engine.trimmedArnCells,
  };
}

/** Reads the file through the engine into the tally, hashing it on the way; a CSV that cannot be read on is the fatal problem. */
async function readEveryRecord(
  path: string,
  handle: Awaited<ReturnType<typeof openInputFile>>['handle'],
  engine: InputEngine,
  tally: ScanTally,
  signal: AbortSignal | undefined,
): Promise<{ fatal: InputProblem | undefined; bytesRead: number; hash: Hash }> {
  const hash = createHash('sha256');
  let bytesRead = 0;
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
      if (step.kind === 'record') tally.add(step.record);
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
  return { fatal, bytesRead, hash };
}

type Place = { accountId: string; region: string | undefined; rows: number; duplicates: number };

/** What the validation pass counts: rows by kind, the targets, each place's rows, and the problems (the first `maxProblemsKept` kept). */
class ScanTally {
  totalRows = 0;
  validRows = 0;
  invalidRows = 0;
  rowsSettingLaunchRole = 0;
  duplicateRows = 0;
  problemCount = 0;
  readonly owners = new Map<string, number>();
  readonly launchRoles = new Map<string, number>();
  readonly places = new Map<string, Place>();
  readonly problems: InputProblem[] = [];

  constructor(private readonly maxProblemsKept: number) {}

  add(result: InputRecord): void {
    this.totalRows++;
    if (result.kind !== 'valid') {
      this.invalidRows++;
      for (const problem of result.problems) this.#note(problem);
      return;
    }
    this.validRows++;
    const { newOwner, launchRole, accountId, region } = result.row;
    if (result.duplicateOfLine !== undefined) {
      this.duplicateRows++;
      this.#placeOf(accountId, region).duplicates += 1;
      return;
    }
    this.#placeOf(accountId, region).rows += 1;
    if (newOwner !== undefined) this.owners.set(newOwner, (this.owners.get(newOwner) ?? 0) + 1);
    if (launchRole !== undefined) {
      this.rowsSettingLaunchRole++;
      this.launchRoles.set(launchRole, (this.launchRoles.get(launchRole) ?? 0) + 1);
    }
  }

  /** The fatal problem is always listed; it is the last in line order, so it replaces the last kept one if the list is full. */
  noteFatal(fatal: InputProblem): void {
    this.problemCount++;
    if (this.problems.length < this.maxProblemsKept) this.problems.push(fatal);
    else if (this.maxProblemsKept > 0) this.problems[this.problems.length - 1] = fatal;
  }

  #note(problem: InputProblem): void {
    this.problemCount++;
    if (this.problems.length < this.maxProblemsKept) this.problems.push(problem);
  }

  #placeOf(accountId: string, region: string | undefined): Place {
    const key = placeKey(accountId, region);
    let place = this.places.get(key);
    if (place === undefined) this.places.set(key, (place = { accountId, region, rows: 0, duplicates: 0 }));
    return place;
  }
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

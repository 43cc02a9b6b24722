/**
 * The checkpoint read without writing it: no lock, no repair of a torn tail, no file created.
 * Readers that must leave no trace use it: `status`, and `undo`, which reads the whole ledger. The one mapping of file errors to
 * CheckpointError codes for readers is here (NOT_FOUND, IO_ERROR; the scan adds NOT_A_CHECKPOINT
 * and CORRUPT).
 */
import { CheckpointError, errnoCode, errorText } from './checkpoint-error.js';
import { nodeCheckpointFs, type CheckpointFile, type CheckpointFs } from './checkpoint-fs.js';
import { scanJournal, type ScanResult } from './journal-replay.js';
import { assertResumable } from './journal.js';
import type { JournalBody, JournalHeader } from './types.js';

export interface ViewOptions {
  /** Refuse a checkpoint of another run id or token scheme, as a run would. Omitted: accept any. */
  readonly resumableBy?: { readonly runId: string; readonly tokenScheme: string };
  /** Sees every entry after the header, in file order. */
  readonly onEntry?: (entry: JournalBody) => void;
  /** false: read the entries only (onEntry), leaving the scan's token and product tables empty; for a reader that keeps its own (report). Default true. */
  readonly replay?: boolean;
  readonly fs?: CheckpointFs;
}

/** The checkpoint as replayed, or undefined when there is no file. */
export async function viewCheckpoint(path: string, options: ViewOptions = {}): Promise<ScanResult | undefined> {
  return withCheckpoint(path, options, async (scan) => scan);
}

/**
 * Replays the checkpoint and calls `use` with the scan while the file is still open, so entries
 * can be read back by offset (`readEntryAt`); closes it after. `use` gets undefined when there is
 * no file.
 */
export async function withCheckpoint<T>(
  path: string,
  options: ViewOptions,
  use: (scan: ScanResult | undefined, file: CheckpointFile | undefined) => Promise<T>,
): Promise<T> {
  const file = await openForReading(path, options.fs ?? nodeCheckpointFs);
  if (file === undefined) return use(undefined, undefined);
  try {
    const { resumableBy } = options;
    const checkHeader = resumableBy && ((header: JournalHeader) => assertResumable(path, header, resumableBy.runId, resumableBy.tokenScheme));
    const { onEntry, replay } = options;
    const scanOptions = { path, file, ...(checkHeader ? { checkHeader } : {}), ...(onEntry ? { onEntry } : {}), ...(replay === false ? { replay } : {}) };
    return await use(await scanJournal(scanOptions), file);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError('IO_ERROR', `Cannot read checkpoint ${path}: ${errorText(error)}`, { cause: error });
  } finally {
    await file.close().catch(() => undefined);
  }
}

async function openForReading(path: string, fs: CheckpointFs): Promise<CheckpointFile | undefined> {
  try {
    return await fs.open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new CheckpointError('IO_ERROR', `Cannot open checkpoint ${path}: ${errorText(error)}`, { cause: error });
  }
}

export interface CheckpointSummary {
  readonly header: JournalHeader;
  /** Distinct tokens by their last entry. */
  readonly done: number;
  readonly failed: number;
  readonly inFlight: number;
  /** sent/finished lines in the file (a token usually has two). */
  readonly entries: number;
  readonly lastEntryAt: string | undefined;
  /** The file ends with a torn line (a crash mid-write); the next run cuts it off. */
  readonly tornLastLine: boolean;
}

/** For the `status` command: reads the checkpoint without locking, repairing or writing it. */
export async function readCheckpointSummary(path: string, fs: CheckpointFs = nodeCheckpointFs): Promise<CheckpointSummary> {
  const scan = await viewCheckpoint(path, { fs });
  if (scan === undefined) throw new CheckpointError('NOT_FOUND', `Checkpoint ${path} does not exist.`);
  return {
    header: scan.header,
    ...scan.state.counts(),
    entries: scan.entries,
    lastEntryAt: scan.lastEntryAt,
    tornLastLine: scan.tornAt !== undefined,
  };
}

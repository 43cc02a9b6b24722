/**
 * The checkpoint read without writing it: no lock, no repair of a torn tail, no file created. Both
 * readers that must leave no trace use `viewCheckpoint`: a dry run (which still tells the operator
 * which rows an earlier run finished) and `status`. The one mapping of file errors to
 * CheckpointError codes for readers is here (NOT_FOUND, IO_ERROR; the scan adds NOT_A_CHECKPOINT
 * and CORRUPT).
 */
import { CheckpointError, errnoCode, errorText } from './checkpoint-error.js';
import { nodeCheckpointFs, type CheckpointFile, type CheckpointFs } from './checkpoint-fs.js';
import { ReplayState } from './journal-entries.js';
import { scanJournal, type ScanResult } from './journal-replay.js';
import { assertResumable } from './journal.js';
import type { JournalFinished, JournalHeader, JournalSent, TokenState } from './types.js';

export interface ViewOptions {
  /** Refuse a checkpoint of another run id or token scheme, as a run would. Omitted: accept any. */
  readonly resumableBy?: { readonly runId: string; readonly tokenScheme: string };
  readonly fs?: CheckpointFs;
}

/** The checkpoint as replayed, or undefined when there is no file. */
export async function viewCheckpoint(path: string, options: ViewOptions = {}): Promise<ScanResult | undefined> {
  const { resumableBy, fs = nodeCheckpointFs } = options;
  let file: CheckpointFile;
  try {
    file = await fs.open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new CheckpointError('IO_ERROR', `Cannot open checkpoint ${path}: ${errorText(error)}`, { cause: error });
  }
  try {
    const checkHeader = resumableBy && ((header: JournalHeader) => assertResumable(path, header, resumableBy.runId, resumableBy.tokenScheme));
    return await scanJournal({ path, file, ...(checkHeader ? { checkHeader } : {}) });
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError('IO_ERROR', `Cannot read checkpoint ${path}: ${errorText(error)}`, { cause: error });
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** A journal for a dry run: answers lookups from the checkpoint as it is, and records nothing. */
export interface DryRunJournal {
  readonly resumed: boolean;
  readonly replayed: { readonly done: number; readonly failed: number; readonly inFlight: number };
  lookup(token: string): TokenState | undefined;
  recordSent(entry: JournalSent): void;
  recordFinished(entry: JournalFinished): void;
  close(): Promise<void>;
}

export async function openDryRunJournal(
  path: string,
  runId: string,
  tokenScheme: string,
  fs: CheckpointFs = nodeCheckpointFs,
): Promise<DryRunJournal> {
  const scan = await viewCheckpoint(path, { resumableBy: { runId, tokenScheme }, fs });
  const state = scan?.state ?? new ReplayState();
  return {
    resumed: scan !== undefined,
    replayed: state.counts(),
    lookup: (token) => state.lookup(token),
    // A dry run leaves no trace: what the engine records is dropped.
    recordSent: () => undefined,
    recordFinished: () => undefined,
    close: async () => undefined,
  };
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

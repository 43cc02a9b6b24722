/**
 * The checkpoint read without writing it: no lock, no repair of a torn tail, no file created. Both
 * readers that must leave no trace use `viewCheckpoint`: a dry run (which still tells the operator
 * which rows an earlier run finished) and `status`. The one mapping of file errors to
 * CheckpointError codes for readers is here (NOT_FOUND, IO_ERROR; the scan adds NOT_A_CHECKPOINT
 * and CORRUPT).
 */
import { CheckpointError, errnoCode, errorText } from './checkpoint-error.js';
import { nodeCheckpointFs, type CheckpointFile, type CheckpointFs } from './checkpoint-fs.js';
import { lookupToken, ReadWindow } from './journal-read-back.js';
import { scanJournal, type ScanResult } from './journal-replay.js';
import { TokenTable } from './token-table.js';
import { assertResumable } from './journal.js';
import type { JournalFinished, JournalHeader, JournalSent, TokenState } from './types.js';

export interface ViewOptions {
  /** Refuse a checkpoint of another run id or token scheme, as a run would. Omitted: accept any. */
  readonly resumableBy?: { readonly runId: string; readonly tokenScheme: string };
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
    return await use(await scanJournal({ path, file, ...(checkHeader ? { checkHeader } : {}) }), file);
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

/** A journal for a dry run: answers lookups from the checkpoint as it is, and records nothing. */
export interface DryRunJournal {
  readonly resumed: boolean;
  readonly replayed: { readonly done: number; readonly failed: number; readonly inFlight: number };
  lookup(token: string): Promise<TokenState | undefined>;
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
  // The file stays open (read-only) for the run: lookups read their entry back by offset.
  const file = await openForReading(path, fs);
  let scan: ScanResult | undefined;
  try {
    scan = file === undefined ? undefined : await scanJournal({ path, file, checkHeader: (header) => assertResumable(path, header, runId, tokenScheme) });
  } catch (error) {
    await file?.close().catch(() => undefined);
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError('IO_ERROR', `Cannot read checkpoint ${path}: ${errorText(error)}`, { cause: error });
  }
  const state = scan?.state ?? new TokenTable();
  const window = new ReadWindow();
  return {
    resumed: scan !== undefined,
    replayed: state.counts(),
    lookup: async (token) => (file === undefined || state.size === 0 ? undefined : lookupToken(state, file, token, path, window)),
    // A dry run leaves no trace: what the engine records is dropped.
    recordSent: () => undefined,
    recordFinished: () => undefined,
    close: async () => {
      await file?.close().catch(() => undefined);
    },
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

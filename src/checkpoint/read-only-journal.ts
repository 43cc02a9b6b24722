/**
 * The journal as a dry run sees it: the state of an existing checkpoint, read without taking the
 * lock, repairing a torn tail or creating the file. A dry run must leave no trace, yet still tell
 * the operator which rows an earlier run already finished.
 */
import { CheckpointError, errnoCode, errorText } from './checkpoint-error.js';
import { nodeCheckpointFs, type CheckpointFile, type CheckpointFs } from './checkpoint-fs.js';
import { ReplayState } from './journal-entries.js';
import { scanJournal } from './journal-replay.js';
import { assertResumable } from './journal.js';
import type { TokenState } from './types.js';

export interface ReadOnlyJournal {
  readonly resumed: boolean;
  readonly replayed: { readonly done: number; readonly failed: number; readonly inFlight: number };
  lookup(token: string): TokenState | undefined;
  recordSent(): never;
  recordFinished(): never;
  close(): Promise<void>;
}

export async function readJournalReadOnly(
  path: string,
  runId: string,
  tokenScheme: string,
  fs: CheckpointFs = nodeCheckpointFs,
): Promise<ReadOnlyJournal> {
  let state = new ReplayState();
  let resumed = false;
  let file: CheckpointFile | undefined;
  try {
    file = await fs.open(path, 'r');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw new CheckpointError('IO_ERROR', `Cannot open checkpoint ${path}: ${errorText(error)}`, { cause: error });
  }
  if (file) {
    try {
      const scan = await scanJournal({ path, file, checkHeader: (header) => assertResumable(path, header, runId, tokenScheme) });
      state = scan.state;
      resumed = true;
    } finally {
      await file.close();
    }
  }
  const readOnly = (): never => {
    throw new CheckpointError('CLOSED', 'a dry run never writes to the checkpoint');
  };
  return {
    resumed,
    replayed: state.counts(),
    lookup: (token) => state.lookup(token),
    recordSent: readOnly,
    recordFinished: readOnly,
    close: async () => undefined,
  };
}

/**
 * Typed errors of the checkpoint stage. Commands switch on `code` (exhaustively) to pick the exit
 * code and the wording; the messages themselves already say what happened and what to do next,
 * because they are printed as they are.
 */
import { CodedError } from '../coded-error.js';
import type { LockHolder } from './types.js';

export type CheckpointErrorCode =
  /** The checkpoint was created by a run with another `--run-id`. */
  | 'RUN_ID_MISMATCH'
  /** The checkpoint was written under another idempotency-token scheme. */
  | 'SCHEME_MISMATCH'
  /** A line other than the last one is not a valid journal entry. */
  | 'CORRUPT'
  /** The file exists but does not start with a journal header (or is empty). */
  | 'NOT_A_CHECKPOINT'
  /** Reading, writing or syncing the file failed; the journal accepts no more entries. */
  | 'IO_ERROR'
  /** Another run holds (or may hold) the checkpoint's lock. */
  | 'LOCKED'
  /** The checkpoint (or its lock) does not exist; only readers that must not create it say this. */
  | 'NOT_FOUND'
  /** A record call was given an entry the journal could not read back (caller bug). */
  | 'INVALID_ENTRY'
  /** A record call came after close(). */
  | 'CLOSED'
  /** The checkpoint (or a watched file of the run) was removed or replaced while the run went on. */
  | 'MOVED';

export class CheckpointError extends CodedError<CheckpointErrorCode> {}

/** The lock is held; `holder` is undefined when the lock file could not be parsed. */
export class LockedError extends CheckpointError {
  declare readonly code: 'LOCKED';
  readonly lockPath: string;
  readonly holder: LockHolder | undefined;

  constructor(lockPath: string, holder: LockHolder | undefined, message: string, options?: { cause?: unknown }) {
    super('LOCKED', message, options);
    this.lockPath = lockPath;
    this.holder = holder;
  }
}

export { errnoCode, errorText, systemErrorText } from '../errors.js';

/** `run id "x"`, or `no run id` for the empty run id, so messages never show `""`. */
export function describeRunId(runId: string): string {
  return runId === '' ? 'no run id' : `run id ${JSON.stringify(runId)}`;
}

/** Public API of the checkpoint stage: the journal (resume state) and the lock (one run at a time). */
export type {
  JournalBegin,
  JournalBody,
  JournalEnd,
  JournalEntry,
  JournalFinished,
  JournalHeader,
  JournalOutcome,
  JournalRowEntry,
  JournalSent,
  LaneRates,
  LimiterRate,
  LockHolder,
  TokenState,
} from './types.js';
export type { ReplayCounts } from './token-table.js';
export type { FirstRead } from './journal-read-back.js';
export { CheckpointError, LockedError, type CheckpointErrorCode } from './checkpoint-error.js';
export { nodeCheckpointFs, type CheckpointFile, type CheckpointFs } from './checkpoint-fs.js';
export { assertResumable, openJournal, type Journal, type OpenJournalOptions } from './journal.js';
export { acquireLock, defaultIsProcessAlive, lockPathOf, readLockHolder, type AcquireLockOptions, type Lock } from './lock.js';
export { readCheckpointSummary, viewCheckpoint, withCheckpoint, type CheckpointSummary, type ViewOptions } from './read-only-journal.js';

/** Public API of the checkpoint stage: the journal (resume state) and the lock (one run at a time). */
export type { JournalEntry, JournalFinished, JournalHeader, JournalOutcome, JournalSent, LockHolder, TokenState } from './types.js';
export { CheckpointError, LockedError, type CheckpointErrorCode } from './checkpoint-error.js';
export { nodeCheckpointFs, type CheckpointFile, type CheckpointFs } from './checkpoint-fs.js';
export { assertResumable, openJournal, type Journal, type OpenJournalOptions } from './journal.js';
export { acquireLock, defaultIsProcessAlive, lockPathOf, readLockHolder, type AcquireLockOptions, type Lock } from './lock.js';
export { openDryRunJournal, readCheckpointSummary, viewCheckpoint, withCheckpoint, type CheckpointSummary, type DryRunJournal, type ViewOptions } from './read-only-journal.js';
export { finishedEntries } from './journal-read-back.js';

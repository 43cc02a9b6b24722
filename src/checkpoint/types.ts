/**
 * Contracts of the checkpoint stage. The checkpoint is an append-only JSON-lines journal: a header
 * line, then one `sent` line when a row is handed to the API and one `finished` line when its
 * outcome is known. Entries are keyed by idempotency token (not by line) so an edited CSV resumes
 * correctly: a row that did not change keeps its token and is recognised.
 */

export interface JournalHeader {
  readonly type: 'header';
  /** Journal format version (journal-entries.ts: JOURNAL_FORMAT is the one this version writes). */
  readonly format: number;
  /** `--run-id` of the run that created the checkpoint; '' when none was given. */
  readonly runId: string;
  /** Token scheme version (see transfer/token.ts); a checkpoint is only resumed by the same scheme. */
  readonly tokenScheme: string;
  readonly createdAt: string;
  /** Input file as given by the run that created the checkpoint (informational). */
  readonly input: string;
}

export interface JournalSent {
  readonly type: 'sent';
  readonly token: string;
  readonly line: number;
  readonly provisionedProductId: string;
  readonly at: string;
}

/** How a tried row ended, as the journal keeps it (the results file has more outcomes). */
/** `skipped` (format 2): preflight found the product in its target state already; nothing was sent. */
export type JournalOutcome = 'succeeded' | 'submitted' | 'failed' | 'skipped';

export interface JournalFinished {
  readonly type: 'finished';
  readonly token: string;
  readonly line: number;
  readonly provisionedProductId: string;
  /** Only outcomes of rows that were actually tried are journaled. */
  readonly outcome: JournalOutcome;
  readonly recordId: string;
  readonly recordStatus: string;
  readonly attempts: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly finishedAt: string;
  /** Format 2 (absent in older checkpoints): the product as preflight found it, for `undo`. */
  readonly productStatus?: string | undefined;
  readonly previousOwner?: string | undefined;
  readonly previousOwnerSession?: string | undefined;
  readonly previousLaunchRole?: string | undefined;
  /** Format 2: the row's targets, '' for a key the row left alone. */
  readonly newOwner?: string | undefined;
  readonly launchRole?: string | undefined;
  /** The row's region cell, when it named one (a run across accounts and regions). */
  readonly region?: string | undefined;
}

export type JournalEntry = JournalHeader | JournalSent | JournalFinished;

/** What the journal knows of one token after replaying the file. */
export type TokenState =
  | { readonly state: 'in-flight'; readonly sent: JournalSent }
  | { readonly state: 'done'; readonly finished: JournalFinished }
  | { readonly state: 'failed'; readonly finished: JournalFinished };

/** Who holds a checkpoint lock; written as JSON into `<checkpoint>.lock`. */
export interface LockHolder {
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly runId: string;
}

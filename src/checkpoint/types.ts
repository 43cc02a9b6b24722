/**
 * Contracts of the checkpoint stage. The checkpoint is an append-only JSON-lines journal: a header
 * line, then one `sent` line when a row is handed to the API and one `finished` line when its
 * outcome is known. Entries are keyed by idempotency token (not by line) so an edited CSV resumes
 * correctly: a row that did not change keeps its token and is recognised.
 */
import type { JournalOutcome } from '../outcomes.js';

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

/**
 * What a change is about, written with it (format 3 in `sent`; format 2 in `finished`): the
 * product as preflight found it, the row's targets and region. Optional: older entries lack them.
 */
export interface JournalChangeFields {
  /** The product as preflight found it, for `undo` (absent without preflight). */
  readonly productStatus?: string | undefined;
  readonly previousOwner?: string | undefined;
  readonly previousOwnerSession?: string | undefined;
  readonly previousLaunchRole?: string | undefined;
  /** The row's targets, '' for a key the row left alone. */
  readonly newOwner?: string | undefined;
  readonly launchRole?: string | undefined;
  /** The row's region cell, when it named one (a run across accounts and regions). */
  readonly region?: string | undefined;
}

/**
 * Written, and fsynced, before the row's first request leaves (write-ahead, format 3): with the
 * previous values and the targets, so a kill at any instant after the request left still tells
 * `undo` what to put back.
 */
export interface JournalSent extends JournalChangeFields {
  readonly type: 'sent';
  readonly token: string;
  readonly line: number;
  readonly provisionedProductId: string;
  readonly at: string;
}

/**
 * How a tried row ended, as the journal keeps it (the results file has more outcomes; the list is
 * src/outcomes.ts's). `skipped` (format 2): preflight found the product in its target state
 * already; nothing was sent.
 */
export type { JournalOutcome } from '../outcomes.js';

export interface JournalFinished extends JournalChangeFields {
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
  /** Retries the row made after a throttled answer (`report` draws them over time); absent in older entries and when none. */
  readonly throttles?: number | undefined;
}

/**
 * The ledger (format 3): every invocation on the checkpoint (a run, a dry run, a verify, a
 * reconcile, an undo's run) appends what it was when it begins...
 */
export interface JournalBegin {
  readonly type: 'begin';
  /** Names this invocation; its `end` carries the same. */
  readonly invocation: string;
  /** The subcommand (`run`). */
  readonly command: string;
  /** `run`, `dry-run`, `verify` or `reconcile`. */
  readonly mode: string;
  /** The command line after the subcommand, secrets masked. */
  readonly args: readonly string[];
  /** sc-owner-transfer's version. */
  readonly version: string;
  readonly runId: string;
  readonly input: string;
  /** The caller's ARN and account, when the run read them (STS); '' otherwise. */
  readonly callerArn: string;
  readonly account: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
}

/** Where one API operation's rate limiter of a lane ended: its rate (requests a second), and whether a throttle had settled it. */
export interface LimiterRate {
  readonly rate: number;
  readonly settled: boolean;
}

/** One lane's limiters as an `end` records them, by API operation (`UpdateProvisionedProductProperties`...). */
export type LaneRates = Readonly<Record<string, LimiterRate>>;

/** ...and how it ended. An invocation killed before its end has a `begin` alone. */
export interface JournalEnd {
  readonly type: 'end';
  readonly invocation: string;
  readonly endedAt: string;
  readonly exitCode: number;
  /** Why it stopped early ('' when it went through the input). */
  readonly stopReason: string;
  /** Rows by outcome, as the summary counts them. */
  readonly counts: Readonly<Record<string, number>>;
  /**
   * Where each lane's rate limiters ended, by lane name (a run in one account: `default` or its
   * `--profile`; across accounts: `account` or `account/region`, as InputScan.places keys them),
   * then by operation; only the operations that sent requests. The next invocation of the
   * checkpoint starts its lanes there. Absent in older entries, and when no lane sent a request.
   */
  readonly rates?: Readonly<Record<string, LaneRates>> | undefined;
}

/** The entries that say what a row did. */
export type JournalRowEntry = JournalSent | JournalFinished;

/** Every entry after the header. */
export type JournalBody = JournalRowEntry | JournalBegin | JournalEnd;

export type JournalEntry = JournalHeader | JournalBody;

/** What the journal knows of one token after replaying the file. */
export type TokenState =
  | { readonly state: 'in-flight'; readonly sent: JournalSent }
  | { readonly state: 'done'; readonly finished: JournalFinished }
  | { readonly state: 'failed'; readonly finished: JournalFinished }
  /**
   * Done once, but a later change in the ledger set the product to other targets (an undo's run, a
   * row edited A→B→A): not done any more, so it is read and decided again, never reported done.
   */
  | { readonly state: 'superseded'; readonly finished: JournalFinished };

/** Who holds a checkpoint lock; written as JSON into `<checkpoint>.lock`. */
export interface LockHolder {
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly runId: string;
}

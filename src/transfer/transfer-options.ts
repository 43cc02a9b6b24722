/**
 * The transfer engine's options, ports and events: what a command hands `TransferRun`, and what it
 * gets back. Kept apart from the engine so the engine file reads as the flow.
 */
import type { JournalFinished, JournalSent, TokenState } from '../checkpoint/types.js';
import type { Clock } from '../clock.js';
import type { StopReason } from '../exit-codes.js';
import type { HeaderMap, InputRecord, TransferRow } from '../input/types.js';
import type { RowResult, RunCounts } from './row-types.js';
import type { FailureBudget } from './failure-budget.js';
import type { LaneRouter, LaneStopReason } from './lane.js';
import type { BusyWaitOptions } from './preflight.js';
import type { ReadPlanInput } from './product-reader.js';
import type { RetryPolicyOptions } from './retry-policy.js';
import type { FoundState } from './row-result.js';
import type { RowSender } from './row-sender.js';
import type { RetryEvent } from './send-with-retry.js';
import type { TargetProblem } from './target-check.js';
import type { WaitOptions } from './wait-for-record.js';

/** Rows that may wait for their records per write slot (`maxWaiting`'s default factor). */
export const DEFAULT_WAITING_PER_WORKER = 16;
/** Rows a run across several lanes reads ahead and queues on their lanes (`maxQueued`'s default). */
export const DEFAULT_MAX_QUEUED = 10_000;
/** How long preflight waits for a busy product unless told otherwise (`--busy-timeout`). */
export const DEFAULT_BUSY_TIMEOUT_MS = 600_000;

export type { StopReason } from '../exit-codes.js';

/** What the engine needs of the checkpoint journal (checkpoint/journal.ts implements it). */
export interface JournalPort {
  /** What earlier runs did with the token (the journal reads the entry back). */
  lookup(token: string): Promise<TokenState | undefined>;
  /** The product's previous values from before the first change the ledger holds (for the results); undefined when none. */
  firstRead?(productId: string): Promise<(FoundState & { readonly readsLaunchRole?: boolean }) | undefined>;
  /** Write-ahead: resolves once the entry is on disk; the request leaves only then. */
  recordSent(entry: JournalSent): Promise<void>;
  recordFinished(entry: JournalFinished): void;
}

/** What the engine needs of the results file (report/results-writer.ts implements it). */
export interface ResultsPort {
  write(result: RowResult): Promise<void>;
}

export interface TransferEvents {
  /** Every row's result, as it is written. */
  onRowResult?(result: RowResult): void;
  onRetry?(row: TransferRow, event: RetryEvent): void;
  /** The first reason the run stopped taking rows, with a human sentence. */
  onStop?(reason: StopReason, detail: string): void;
  /** One lane stopped taking rows while others go on (only with several lanes). */
  onLaneStop?(lane: string, reason: LaneStopReason, detail: string): void;
  /** How preflight reads a lane's products (`per-row`, or `account` and the pages it read). */
  onPreflightReader?(lane: string, strategy: string): void;
}

export interface TransferOptions {
  readonly records: AsyncIterable<InputRecord>;
  readonly header: HeaderMap;
  /** Data rows in the input, from the validation pass (for progress). */
  readonly totalRows: number;
  /** Which lane (account: API, limiters, streak) each row goes through. */
  readonly lanes: LaneRouter;
  /** The write step: `updateSender`, or `dryRunSender` for a dry run. */
  readonly sender: RowSender;
  readonly journal: JournalPort;
  readonly results: ResultsPort;
  /** `--run-id`, '' when none: part of every token. */
  readonly runId: string;
  /** Rows in flight at once (`--concurrency`). */
  readonly concurrency: number;
  /** Poll each accepted update's record until it finishes (the default). Undefined: `--no-wait`. */
  readonly wait?: WaitOptions | undefined;
  /** Rows waiting for their record at once, beyond the `concurrency` writing; default 16 × concurrency. */
  readonly maxWaiting?: number;
  /** With several lanes: rows read ahead and queued on their lanes before the reader waits; default 10,000. */
  readonly maxQueued?: number;
  /** The target check's findings: rows setting one of these owners or launch roles fail with no update. */
  readonly targetProblems?: ReadonlyMap<string, TargetProblem>;
  /** Read each row's product before deciding it (the default). Undefined: `--no-preflight`. */
  readonly preflight?: PreflightOptions | undefined;
  readonly retryPolicy: RetryPolicyOptions;
  readonly failureBudget: FailureBudget;
  /** `--limit`: stop after this many rows were handed to the sender; undefined for no limit. */
  readonly limit: number | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  /** Aborted by SIGINT/SIGTERM: stop taking rows; in-flight ones get `graceMs` to finish. */
  readonly signal: AbortSignal;
  readonly graceMs: number;
  readonly events?: TransferEvents;
}

export interface PreflightOptions {
  /** What the CSV asks of the account, to choose per-row or account-wide reads (per lane). */
  readonly plan: ReadPlanInput;
  /** Across accounts: what the CSV asks of one lane's account, when it differs from `plan` (the whole CSV's). */
  readonly planFor?: (lane: string) => ReadPlanInput;
  /** A run across accounts: a product not found fails as `not-found-in-account`. */
  readonly acrossAccounts?: boolean;
  /** How long a product busy with another change is waited for. */
  readonly busyWait?: BusyWaitOptions;
  /** `--reconcile`: rows the checkpoint has done are read again, and put back if they drifted. */
  readonly reconcile?: boolean;
  /** `--expect-account`: a product whose ARN names another account is refused (`unexpected-account`). */
  readonly expectedAccounts?: ReadonlySet<string>;
}

export interface TransferOutcome {
  readonly counts: RunCounts;
  readonly stoppedBy: StopReason | undefined;
  /** The lanes that stopped (their rows after the stop are `not-started`), whether or not the run went on. */
  readonly lanesStopped: readonly { readonly lane: string; readonly reason: LaneStopReason }[];
}

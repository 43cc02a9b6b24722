/**
 * The migration's story as `report` tells it: a pure model built from the ledger's entries in file
 * order (story-builder.ts), which every renderer (HTML, Markdown, JSON, CSV) reads. Nothing here
 * holds the ledger's entries: only one record per invocation, one per product (its first read,
 * its last targets and a compact history) and per-second counts of each invocation's updates.
 */
import type { JournalBegin } from '../../checkpoint/types.js';

/** A product's state by the last entry the ledger holds for it (a later `skipped`, found in target, leaves a change's `succeeded` / `submitted`). */
export type ProductState = 'succeeded' | 'submitted' | 'skipped' | 'failed' | 'in-flight';

export const PRODUCT_STATES: readonly ProductState[] = ['succeeded', 'submitted', 'skipped', 'failed', 'in-flight'];

/** Rows an invocation's own entries hold, by how they ended (`in-flight`: a `sent` with no `finished`). */
export type StateTally = Record<ProductState, number>;

export const emptyTally = (): StateTally => ({ succeeded: 0, submitted: 0, skipped: 0, failed: 0, 'in-flight': 0 });

/** Updates and throttles over time, in buckets of `bucketSeconds` from `from`. */
export interface Series {
  readonly from: string;
  readonly bucketSeconds: number;
  /** Updates accepted (finished `succeeded` or `submitted`) in each bucket. */
  readonly updates: readonly number[];
  /** Throttled answers of the rows that finished in each bucket (the `throttles` of `finished` entries). */
  readonly throttles: readonly number[];
}

/** An invocation: its `begin` entry's fields (`invocation` is '' for rows written before the ledger recorded invocations, formats 1 and 2), and what the report adds. */
export interface StoryInvocation extends Omit<JournalBegin, 'type'> {
  /** 1, 2, ... across every ledger, in file order. */
  readonly index: number;
  /** Which ledger (0-based, in the order given). */
  readonly ledger: number;
  /** `run`, `canary (--limit 3)`, `reconcile of put-back.csv`, ... */
  readonly label: string;
  /** Absent when the invocation has no `end`: it was killed (kill -9, a crash, a power cut). */
  readonly endedAt: string | undefined;
  readonly killed: boolean;
  readonly durationSeconds: number | undefined;
  readonly exitCode: number | undefined;
  readonly exitMeaning: string;
  readonly stopReason: string;
  /** The `end` entry's counts (rows by outcome, requests, throttles, retries), as the run's summary counted them. */
  readonly counts: Readonly<Record<string, number>> | undefined;
  /** What this invocation's own `sent` / `finished` entries say, by state. */
  readonly ledgerRows: StateTally;
  /** Sum of the `throttles` of its `finished` entries (0 in ledgers written before that field). */
  readonly rowThrottles: number;
  readonly series: Series;
}

export interface StoryAccount {
  readonly accountId: string;
  /** '' for rows that followed `--region` (the ledger keeps a region only for rows whose cell named one). */
  readonly region: string;
  readonly products: number;
  /** Products by their last state; `changed`: the ledger changed them at least once. */
  readonly changed: number;
  readonly states: StateTally;
}

export interface HistoryEvent {
  readonly invocation: number;
  readonly state: ProductState;
}

export interface StoryProduct {
  readonly provisionedProductId: string;
  readonly line: number;
  readonly accountId: string;
  readonly region: string;
  /** The product as the ledger first read it ('' when never read: a change sent without preflight). */
  readonly previousOwner: string;
  readonly previousOwnerSession: string;
  readonly previousLaunchRole: string;
  /** What the last row for it set ('' for a key the rows left alone). */
  readonly newOwner: string;
  readonly launchRole: string;
  readonly state: ProductState;
  /** Some change of the ledger applied (or may have: in flight). */
  readonly changed: boolean;
  readonly recordId: string;
  /** Update requests its last row sent (0: answered by the checks before any write). */
  readonly attempts: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly lastAt: string;
  readonly history: readonly HistoryEvent[];
}

/** Every product of the story, in order of the line that first named it, each made when read (product-table.ts). */
export interface StoryProducts extends Iterable<StoryProduct> {
  readonly length: number;
  /** Products `from` .. `to` (exclusive), as `Array.prototype.slice` takes them. */
  slice(from: number, to: number): StoryProduct[];
}

export interface FailureGroup {
  /** The results' reason (the README's reasons table), as far as the ledger tells it. */
  readonly reason: string;
  readonly errorCode: string;
  readonly products: number;
  /** The README's sentence for the reason (src/outcomes.ts REASONS). */
  readonly advice: string;
  /** A few of them, in order of their lines. */
  readonly examples: readonly string[];
  readonly message: string;
}

export interface StoryLedger {
  readonly path: string;
  readonly runId: string;
  readonly tokenScheme: string;
  readonly createdAt: string;
  readonly input: string;
  readonly format: number;
  readonly entries: number;
  readonly tornLastLine: boolean;
}

export interface Story {
  readonly ledgers: readonly StoryLedger[];
  readonly runIds: readonly string[];
  /** The role session name runs across accounts used in each account, by run id (aws/account-credentials.ts). */
  readonly sessionNames: readonly string[];
  /** First `begin` .. last `end` (or last entry): the time window to query CloudTrail with. */
  readonly window: { readonly from: string; readonly to: string } | undefined;
  readonly callers: readonly string[];
  readonly invocations: readonly StoryInvocation[];
  readonly accounts: readonly StoryAccount[];
  /** Products by their last state, over every ledger. */
  readonly states: StateTally;
  readonly changed: number;
  /** Results-only outcomes, from the `end` entries' counts: `drifted` and `not-started` of the last invocation that counted rows. */
  readonly resultsOnly: { readonly drifted: number; readonly notStarted: number; readonly invocation: number | undefined };
  readonly failures: readonly FailureGroup[];
  /** Every product, in order of the line that first named it. */
  readonly products: StoryProducts;
  readonly throttlesRecorded: boolean;
}

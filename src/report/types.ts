import type { AccountCounts } from './account-tally.js';
import type { RowResult, RunCounts } from '../transfer/row-types.js';

// The engine owns its types (transfer/row-types.ts); the report reads them.
export type { Outcome, RowResult, RunCounts } from '../transfer/row-types.js';

/**
 * The results columns, in order, each with how its cell is made: adding a column is one line here.
 * Numeric cells stay numbers; string cells are neutralised against spreadsheet formulas by the
 * writer. Extra input columns follow these.
 */
export const RESULT_COLUMNS = [
  { name: 'line', cell: (r: RowResult) => r.line },
  { name: 'provisioned_product_id', cell: (r: RowResult) => r.provisionedProductId },
  { name: 'new_owner', cell: (r: RowResult) => r.newOwner },
  { name: 'launch_role', cell: (r: RowResult) => r.launchRole },
  { name: 'outcome', cell: (r: RowResult) => r.outcome },
  { name: 'reason', cell: (r: RowResult) => r.reason },
  { name: 'record_id', cell: (r: RowResult) => r.recordId },
  { name: 'record_status', cell: (r: RowResult) => r.recordStatus },
  { name: 'attempts', cell: (r: RowResult) => r.attempts },
  { name: 'idempotency_token', cell: (r: RowResult) => r.idempotencyToken },
  { name: 'error_code', cell: (r: RowResult) => r.errorCode },
  { name: 'error_message', cell: (r: RowResult) => r.errorMessage },
  { name: 'finished_at', cell: (r: RowResult) => r.finishedAt },
  { name: 'product_status', cell: (r: RowResult) => r.productStatus },
  { name: 'previous_owner', cell: (r: RowResult) => r.previousOwner },
  { name: 'previous_owner_session', cell: (r: RowResult) => r.previousOwnerSession },
  { name: 'previous_launch_role', cell: (r: RowResult) => r.previousLaunchRole },
] as const satisfies readonly { name: string; cell: (r: RowResult) => string | number }[];

/**
 * Columns only some runs have, after the fixed ones: `account_id` in a run across accounts, and
 * `region` when the input has a region column.
 */
export const PLACE_COLUMNS = [
  { name: 'account_id', cell: (r: RowResult) => r.accountId },
  { name: 'region', cell: (r: RowResult) => r.region },
] as const satisfies readonly { name: string; cell: (r: RowResult) => string }[];

export type PlaceColumnName = (typeof PLACE_COLUMNS)[number]['name'];

/** The fixed columns' names, in order. */
export const RESULT_COLUMN_NAMES: readonly string[] = RESULT_COLUMNS.map((column) => column.name);

/** The end-of-run summary: printed as a table, and written by `--summary-json`. */
export interface RunSummary {
  readonly counts: RunCounts;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedMs: number;
  readonly exitCode: number;
  /** Why the run stopped early, when it did: `max-errors`, `credentials`, `access-denied`, `limit`, `SIGINT`, `SIGTERM`. */
  readonly stoppedBy: string | undefined;
  readonly runId: string;
  readonly input: string;
  readonly results: string;
  readonly checkpoint: string;
  readonly dryRun: boolean;
  /** Why the run refused to start (bad input, lock held, no region...), when it did. */
  readonly error?: string | undefined;
  /** Things the operator should know that changed no row: a skipped target check, say. */
  readonly warnings?: readonly string[] | undefined;
  /** The caller's account, when the run read it (STS). */
  readonly account?: string | undefined;
  /** The rate (requests/s) the update limiter had settled on at the end, when updates were sent. */
  readonly limiterRate?: number | undefined;
  /** A run across accounts: each account's rows by outcome, and why an account could not be reached. */
  readonly accounts?: readonly AccountCounts[] | undefined;
}

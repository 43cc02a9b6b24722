/** The engine's own types: what happened to each row, and the run's counts. The report stage reads them; the engine never imports the report. */

import type { Outcome, OutcomeCounts } from '../outcomes.js';

/** What happened to one input row (one results-CSV line per input row, always): src/outcomes.ts's table. */
export type { Outcome } from '../outcomes.js';

export interface RowResult {
  readonly line: number;
  readonly provisionedProductId: string;
  readonly newOwner: string;
  readonly launchRole: string;
  /** The row's account (its `account_id` cell, else its ARNs'); '' for an invalid row without one. */
  readonly accountId: string;
  /** The row's `region` cell; '' when it has none (the run's --region). */
  readonly region: string;
  readonly outcome: Outcome;
  /** Why, for skipped/invalid/not-started/failed rows; e.g. `already-done`, `duplicate-of-line-7`. */
  readonly reason: string;
  readonly recordId: string;
  readonly recordStatus: string;
  readonly attempts: number;
  readonly idempotencyToken: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** ISO-8601, empty when the row never finished. */
  readonly finishedAt: string;
  /** The product's status when the row was read (preflight), e.g. AVAILABLE, TAINTED; empty when not read. */
  readonly productStatus: string;
  /** What the product had before this row changed it (preflight), for `undo`; empty when not read. */
  readonly previousOwner: string;
  readonly previousOwnerSession: string;
  /** Empty when not read, or when the row does not change the launch role. */
  readonly previousLaunchRole: string;
  /** Extra input columns, echoed in the results. */
  readonly extra: Readonly<Record<string, string>>;
}

/** Counters the engine keeps while running; the progress display and the summary read them. */
export interface RunCounts extends OutcomeCounts {
  /** Data rows in the input (from the validation pass). */
  readonly total: number;
  /** Rows whose outcome is known so far (sum of the outcomes' counts). */
  readonly finished: number;
  /** API requests sent, throttled answers received, retries made (all operations). */
  readonly requests: number;
  readonly throttles: number;
  readonly retries: number;
}

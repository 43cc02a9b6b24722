/**
 * `--max-errors`: how many failed rows a run tolerates before it stops taking new ones.
 * A count (`25`) trips when failures exceed it. A percentage (`10%`) is judged only once
 * `minRowsForPercent` rows were tried, so two early failures out of three rows don't stop a
 * 4,000-row run; after that it trips when failed/tried exceeds the share.
 *
 * The budget is there to stop a run that is failing against the service (throttles, access denied,
 * refused or failed records), so it is judged on the rows tried against it in this run: rows sent
 * (succeeded, submitted, failed) and rows whose reads failed. A row failed by a check made before
 * any write (a target IAM does not have, a product not found or in another account: the CSV's data,
 * REASONS' `countsTowardBudget: false`) is neither a failure nor a row tried here; it fails its row
 * and the exit code says so (1), but it never stops the run, nor, finishing before the rows that
 * wait for their answers, tips the share of the first rows judged.
 */
import { CodedError } from '../coded-error.js';
import { failureCountsTowardBudget, type Outcome } from '../outcomes.js';

export type FailureBudget =
  { readonly kind: 'count'; readonly maxFailures: number } | { readonly kind: 'percent'; readonly percent: number; readonly minRowsForPercent: number };

export const DEFAULT_MAX_ERRORS = '10%';
export const DEFAULT_MIN_ROWS_FOR_PERCENT = 20;

export class BudgetSyntaxError extends CodedError<'BAD_MAX_ERRORS'> {}

export function parseFailureBudget(raw: string, minRowsForPercent = DEFAULT_MIN_ROWS_FOR_PERCENT): FailureBudget {
  const text = raw.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    if (value > 100) throw new BudgetSyntaxError('BAD_MAX_ERRORS', `a failure budget percentage must be at most 100%, got '${raw}'`);
    return { kind: 'percent', percent: value, minRowsForPercent };
  }
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
    return { kind: 'count', maxFailures: Number(text) };
  }
  throw new BudgetSyntaxError('BAD_MAX_ERRORS', `a failure budget is a count (e.g. 25) or a percentage (e.g. 10%), got '${raw}'`);
}

/** True when the run should stop taking rows: `failed` of the `tried` rows failed. */
export function isBudgetExceeded(budget: FailureBudget, failed: number, tried: number): boolean {
  if (budget.kind === 'count') return failed > budget.maxFailures;
  if (tried < budget.minRowsForPercent) return false;
  return (failed / tried) * 100 > budget.percent;
}

/** What a row's result weighs in the budget: a failure, a row tried that did not fail, or nothing. */
export function budgetWeight(outcome: Outcome, reason: string): 'failed' | 'tried' | undefined {
  if (outcome === 'succeeded' || outcome === 'submitted') return 'tried';
  if (outcome === 'failed') return failureCountsTowardBudget(reason) ? 'failed' : undefined;
  // Skipped, invalid, drifted, would-change and not-started rows were not tried against the service.
  return undefined;
}

/** The run's tally of the rows the budget is judged on. */
export class BudgetTally {
  #failed = 0;
  #tried = 0;

  constructor(readonly budget: FailureBudget) {}

  /** Failed rows that count (see `budgetWeight`). */
  get failed(): number {
    return this.#failed;
  }

  /** Rows tried against the service in this run, failed or not. */
  get tried(): number {
    return this.#tried;
  }

  record(outcome: Outcome, reason: string): void {
    const weight = budgetWeight(outcome, reason);
    if (weight === undefined) return;
    this.#tried += 1;
    if (weight === 'failed') this.#failed += 1;
  }

  exceeded(): boolean {
    return isBudgetExceeded(this.budget, this.#failed, this.#tried);
  }
}

/**
 * AccessDenied can be per product (tag-based policies), so one fails only its row. But a streak of
 * them on different products with no success in between means the permission itself is gone.
 */
export class AccessDeniedStreak {
  readonly #products = new Set<string>();

  constructor(readonly threshold: number) {
    if (!(Number.isInteger(threshold) && threshold >= 1)) {
      throw new TypeError(`access-denied streak threshold must be an integer >= 1, got ${String(threshold)}`);
    }
  }

  /** Records a denial; returns true when the streak reached the threshold. */
  denied(productId: string): boolean {
    this.#products.add(productId);
    return this.#products.size >= this.threshold;
  }

  succeeded(): void {
    this.#products.clear();
  }
}

export const DEFAULT_ACCESS_DENIED_STREAK = 5;

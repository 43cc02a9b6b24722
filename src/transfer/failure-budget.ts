/**
 * `--max-errors`: how many failed rows a run tolerates before it stops taking new ones.
 * A count (`25`) trips when failures exceed it. A percentage (`10%`) is judged only once
 * `minRowsForPercent` rows have finished, so two early failures out of three rows don't stop a
 * 4,000-row run; after that it trips when failed/finished exceeds the share.
 */
import { CodedError } from '../coded-error.js';

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

/** True when the run should stop taking rows. */
export function isBudgetExceeded(budget: FailureBudget, failed: number, finished: number): boolean {
  if (budget.kind === 'count') return failed > budget.maxFailures;
  if (finished < budget.minRowsForPercent) return false;
  return (failed / finished) * 100 > budget.percent;
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

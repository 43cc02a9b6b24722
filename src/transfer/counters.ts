/** The engine's running tallies; `snapshot()` is what progress and the summary read. */
import type { Outcome, RunCounts } from './row-types.js';

export interface Counters {
  finish(outcome: Outcome): void;
  request(): void;
  retry(throttled: boolean): void;
  /** A throttle that was not retried (the row ran out of attempts). */
  throttled(): void;
  snapshot(): RunCounts;
}

export function createCounters(total: number): Counters {
  const byOutcome: Record<Outcome, number> = {
    succeeded: 0,
    submitted: 0,
    failed: 0,
    skipped: 0,
    invalid: 0,
    'not-started': 0,
    'would-change': 0,
    drifted: 0,
  };
  let requests = 0;
  let throttles = 0;
  let retries = 0;
  return {
    finish(outcome) {
      byOutcome[outcome] += 1;
    },
    request() {
      requests += 1;
    },
    retry(throttled) {
      retries += 1;
      if (throttled) throttles += 1;
    },
    throttled() {
      throttles += 1;
    },
    snapshot() {
      const finished = Object.values(byOutcome).reduce((sum, n) => sum + n, 0);
      return {
        total,
        finished,
        requests,
        throttles,
        retries,
        succeeded: byOutcome.succeeded,
        submitted: byOutcome.submitted,
        failed: byOutcome.failed,
        skipped: byOutcome.skipped,
        invalid: byOutcome.invalid,
        notStarted: byOutcome['not-started'],
        wouldChange: byOutcome['would-change'],
        drifted: byOutcome.drifted,
      };
    },
  };
}

/** The counts of a run that never started (for a summary written on refusal). */
export function emptyCounts(total: number): RunCounts {
  return createCounters(total).snapshot();
}

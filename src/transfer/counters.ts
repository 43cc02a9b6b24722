/** The engine's running tallies; `snapshot()` is what progress and the summary read. */
import { OUTCOMES, type Outcome, type OutcomeCounts } from '../outcomes.js';
import type { RunCounts } from './row-types.js';

export interface Counters {
  finish(outcome: Outcome): void;
  request(): void;
  retry(throttled: boolean): void;
  /** A throttle that was not retried (the row ran out of attempts). */
  throttled(): void;
  snapshot(): RunCounts;
}

export function createCounters(total: number): Counters {
  const byOutcome = Object.fromEntries(Object.keys(OUTCOMES).map((outcome) => [outcome, 0])) as Record<Outcome, number>;
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
      const outcomes = Object.entries(byOutcome) as [Outcome, number][];
      const counts = Object.fromEntries(outcomes.map(([outcome, n]) => [OUTCOMES[outcome].countKey, n])) as unknown as OutcomeCounts;
      const finished = outcomes.reduce((sum, [, n]) => sum + n, 0);
      return { total, finished, requests, throttles, retries, ...counts };
    },
  };
}

/** The counts of a run that never started (for a summary written on refusal). */
export function emptyCounts(total: number): RunCounts {
  return createCounters(total).snapshot();
}

/**
 * The transfer engine: input records in, one result per record out, the checkpoint journal kept
 * on the way. It never prints and never touches `process`: it reports through typed callbacks and
 * returns its counts and why it stopped; the command decides what to show and the exit code.
 *
 * Flow (after aws-sdk-js-v3's lib-storage Upload): one reader pulls records from the async
 * iterable, answers the rows that need no call (invalid, duplicates, done by an earlier run, rows
 * after a stop) and hands every other row, with its lane, to a p-limit pool. It waits for a free
 * worker before pulling the next record, so the reader never runs ahead of the pool and memory
 * stays flat. Every API call a row needs happens in its worker, in order: (a preflight read goes
 * first here) → the sender's write, with the journal's `sent` entry right before it → the wait for the record → journal
 * `finished` → the result. When the run must stop (failure budget, --limit, a signal, every lane
 * stopped) it stops handing out rows, lets in-flight rows finish (bounded by `graceMs` after a
 * signal), and still reads the rest of the input so that every row gets its line (`not-started`).
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { JournalFinished, JournalSent, TokenState } from '../checkpoint/types.js';
import type { Clock } from '../clock.js';
import type { ClassifiedError } from '../aws/classify-error.js';
import { errorText } from '../errors.js';
import type { StopReason } from '../exit-codes.js';
import type { HeaderMap, InputRecord, TransferRow } from '../input/types.js';
import type { RowResult, RunCounts } from '../report/types.js';
import { isBudgetExceeded, type FailureBudget } from './failure-budget.js';
import type { Lane, LaneRouter, LaneStopReason } from './lane.js';
import { validateRetryPolicy, type RetryPolicyOptions } from './retry-policy.js';
import { resultForInvalid, resultForRow, resultFromJournal, type ResultFields } from './row-result.js';
import type { AttemptOptions, RowJob, RowSender, SendAnswer } from './row-sender.js';
import type { RetryEvent } from './send-with-retry.js';
import { deriveIdempotencyToken } from './token.js';
import { isTerminalRecordStatus, waitForRecord, type WaitOptions } from './wait-for-record.js';
import { createCounters, type Counters } from './counters.js';

export type { StopReason } from '../exit-codes.js';

/** What the engine needs of the checkpoint journal (checkpoint/journal.ts implements it). */
export interface JournalPort {
  lookup(token: string): TokenState | undefined;
  recordSent(entry: JournalSent): void;
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
  /** `--wait`: poll each accepted update's record until it finishes. Undefined: don't wait. */
  readonly wait?: WaitOptions | undefined;
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

export interface TransferOutcome {
  readonly counts: RunCounts;
  readonly stoppedBy: StopReason | undefined;
}

type Accepted = Extract<SendAnswer, { kind: 'accepted' }>;

export class TransferRun {
  readonly #options: TransferOptions;
  readonly #counters: Counters;
  #stoppedBy: StopReason | undefined;
  #rowsSent = 0;
  #fatal: unknown;

  constructor(options: TransferOptions) {
    if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new TypeError(`concurrency must be an integer >= 1, got ${String(options.concurrency)}`);
    }
    validateRetryPolicy(options.retryPolicy);
    this.#options = options;
    this.#counters = createCounters(options.totalRows);
    // Every row in flight listens to its lane's signal (the request, p-retry's wait, the backoff
    // sleep); each removes its listener when done, so this is a bound, not a leak.
    for (const lane of options.lanes.lanes) setMaxListeners(options.concurrency * 4 + 10, lane.signal);
  }

  /** Live counters, for the progress display. */
  counts(): RunCounts {
    return this.#counters.snapshot();
  }

  async run(): Promise<TransferOutcome> {
    const { signal, clock, graceMs } = this.#options;
    const finished = new AbortController();
    const onSignal = () => {
      this.#stop('signal', 'interrupted: finishing the rows in flight, then stopping');
      // In-flight rows get a bounded grace period, then they are abandoned (their `sent` entry
      // stays in the journal, so the next run resends them with the same token).
      clock.sleep(graceMs, finished.signal).then(
        () => this.#abandonInFlight(signal.reason),
        () => undefined,
      );
    };
    if (signal.aborted) onSignal();
    else signal.addEventListener('abort', onSignal, { once: true });
    try {
      await this.#pump();
    } finally {
      signal.removeEventListener('abort', onSignal);
      finished.abort();
    }
    if (this.#fatal !== undefined) throw this.#fatal;
    return { counts: this.#counters.snapshot(), stoppedBy: this.#stoppedBy };
  }

  async #pump(): Promise<void> {
    const { concurrency } = this.#options;
    const pool = pLimit(concurrency);
    const inflight = new Set<Promise<void>>();
    try {
      for await (const record of this.#options.records) {
        if (this.#fatal !== undefined) break;
        const job = await this.#triage(record);
        if (job === undefined) continue;
        this.#rowsSent += 1;
        const task = pool(() => this.#work(job)).catch((error: unknown) => {
          // Only the journal or the results file can throw here: without them nothing is safe.
          this.#fatal ??= error;
          this.#stop('local-error', `a local write failed: ${errorText(error)}`);
        });
        inflight.add(task);
        void task.finally(() => inflight.delete(task));
        if (this.#options.limit !== undefined && this.#rowsSent >= this.#options.limit) {
          this.#stop('limit', `the row limit (${this.#options.limit}) was reached: the rest of the rows were not started`);
        }
        // Backpressure: don't read the next record until a worker is free.
        while (inflight.size >= concurrency) await Promise.race(inflight);
      }
    } catch (error) {
      // The input failed mid-run (e.g. the file changed): abandon the rows in flight quickly
      // (they stay in flight in the journal) but never return before they settled.
      this.#abandonInFlight(error);
      throw error;
    } finally {
      await Promise.allSettled(inflight);
    }
  }

  /** Runs in the reader: answers rows that need no API call; returns a job for rows that do. */
  async #triage(record: InputRecord): Promise<RowJob | undefined> {
    const { header, runId, journal, lanes } = this.#options;
    if (record.kind === 'invalid') {
      await this.#emit(resultForInvalid(record.line, record.raw, record.problems, header));
      return undefined;
    }
    const { row, duplicateOfLine } = record;
    const token = deriveIdempotencyToken(runId, row);
    if (duplicateOfLine !== undefined) {
      await this.#emit(resultForRow(row, { outcome: 'skipped', reason: `duplicate-of-line-${duplicateOfLine}`, token }));
      return undefined;
    }
    const prior = journal.lookup(token);
    if (prior?.state === 'done') {
      await this.#emit(resultFromJournal(row, token, prior.finished));
      return undefined;
    }
    const lane = lanes.laneFor(row);
    const stoppedBy = this.#stoppedBy ?? lane.stoppedBy;
    if (stoppedBy !== undefined) {
      await this.#emit(resultForRow(row, { outcome: 'not-started', reason: `stopped-by-${stoppedBy}`, token }));
      return undefined;
    }
    return { row, token, lane, prior };
  }

  /** Runs in a worker: every call the row needs, journaled before and after. */
  async #work(job: RowJob): Promise<void> {
    const { journal, clock, sender } = this.#options;
    const { row, token } = job;
    const markSent = () => journal.recordSent({ type: 'sent', token, line: row.line, provisionedProductId: row.provisionedProductId, at: isoNow(clock) });
    const attempt = this.#attemptOptions(job);
    const answer = await sender.send(job, attempt, markSent);
    switch (answer.kind) {
      case 'not-sent':
        await this.#emit(resultForRow(row, { outcome: 'would-change', reason: answer.reason, token }));
        return;
      case 'failed':
        await this.#failed(job, answer.error, answer.attempts);
        return;
      case 'accepted':
        await this.#accepted(job, answer, attempt);
    }
  }

  /** Retry-loop dependencies for one row's calls: its lane's signal, the run's counters and events. */
  #attemptOptions({ row, lane }: RowJob): AttemptOptions {
    const { retryPolicy, clock, random, events } = this.#options;
    return {
      policy: retryPolicy,
      clock,
      random,
      signal: lane.signal,
      onAttempt: () => this.#counters.request(),
      onRetry: (event) => {
        this.#counters.retry(event.error.kind === 'throttle');
        events?.onRetry?.(row, event);
      },
    };
  }

  async #accepted(job: RowJob, answer: Accepted, attempt: AttemptOptions): Promise<void> {
    job.lane.accessDenied.succeeded();
    const waited = await this.#waitIfAsked(job, attempt, answer.recordId, answer.recordStatus);
    // Never claim more than the service said: only a SUCCEEDED record is `succeeded`.
    const outcome = waited.recordStatus === 'SUCCEEDED' ? 'succeeded' : waited.recordStatus === 'FAILED' ? 'failed' : 'submitted';
    await this.#finish(job, {
      outcome, recordId: answer.recordId, recordStatus: waited.recordStatus, attempts: answer.attempts,
      errorCode: outcome === 'failed' ? 'RecordFailed' : '', errorMessage: waited.errorMessage,
      reason: outcome === 'failed' ? 'record-failed' : waited.reason,
    });
    this.#checkBudget();
  }

  /** With --wait, follows the record to SUCCEEDED/FAILED; otherwise returns the status as answered. */
  async #waitIfAsked(job: RowJob, attempt: AttemptOptions, recordId: string, recordStatus: string): Promise<{ recordStatus: string; reason: string; errorMessage: string }> {
    const { wait } = this.#options;
    if (!wait || !recordId || isTerminalRecordStatus(recordStatus)) return { recordStatus, reason: '', errorMessage: '' };
    const { lane } = job;
    const result = await waitForRecord(recordId, wait, { ...attempt, api: lane.api, limiter: lane.limiter('DescribeRecord') });
    switch (result.kind) {
      case 'finished':
        return { recordStatus: result.record.recordStatus, reason: '', errorMessage: result.record.errors.join('; ') };
      case 'timed-out':
        return { recordStatus: result.lastStatus || recordStatus, reason: 'wait-timed-out', errorMessage: '' };
      default:
        // The update itself was accepted: the row is `submitted`, only the wait was cut short.
        return { recordStatus, reason: `wait-${result.error.kind === 'aborted' ? 'interrupted' : `failed-${result.error.code}`}`, errorMessage: '' };
    }
  }

  async #failed(job: RowJob, error: ClassifiedError, attempts: number): Promise<void> {
    const { row, token, lane } = job;
    if (error.kind === 'throttle') this.#counters.throttled();
    if (error.kind === 'aborted') {
      // Outcome unknown: the request may have reached the service. No `finished` entry, so the
      // journal keeps it in flight and the next run resends it with the same token.
      await this.#emit(resultForRow(row, {
        outcome: 'failed', reason: 'interrupted-in-flight', token, attempts, errorCode: 'Aborted',
        errorMessage: 'stopped before the answer arrived; the next run resends it with the same token',
      }));
      return;
    }
    await this.#finish(job, { outcome: 'failed', reason: error.kind, attempts, errorCode: error.code, errorMessage: error.message });
    if (error.kind === 'credentials') {
      this.#stopLane(lane, 'credentials', `the credentials were refused (${error.code}): every further request would be too`);
      lane.abandonInFlight(new Error('credentials refused'));
    } else if (error.kind === 'access-denied' && lane.accessDenied.denied(row.provisionedProductId)) {
      this.#stopLane(
        lane,
        'access-denied',
        `${lane.accessDenied.threshold} products in a row answered ${error.code} with no success between them: the permission itself looks gone`,
      );
    }
    this.#checkBudget();
  }

  /** A row the service answered: its `finished` entry, then its result line. */
  async #finish({ row, token }: RowJob, fields: ResultFields & { outcome: JournalFinished['outcome']; attempts: number }): Promise<void> {
    const finishedAt = isoNow(this.#options.clock);
    this.#options.journal.recordFinished({
      type: 'finished', token, line: row.line, provisionedProductId: row.provisionedProductId, outcome: fields.outcome,
      recordId: fields.recordId ?? '', recordStatus: fields.recordStatus ?? '', attempts: fields.attempts,
      errorCode: fields.errorCode ?? '', errorMessage: fields.errorMessage ?? '', finishedAt,
    });
    await this.#emit(resultForRow(row, { ...fields, token, finishedAt }));
  }

  #checkBudget(): void {
    // Judged on rows actually tried in this run: skipped or invalid rows must not dilute the share.
    const { failed, succeeded, submitted } = this.#counters.snapshot();
    if (isBudgetExceeded(this.#options.failureBudget, failed, failed + succeeded + submitted)) {
      this.#stop('max-errors', `${failed} rows failed, more than the failure budget allows`);
    }
  }

  /** A lane's own stop; the run stops with it once no lane is left. */
  #stopLane(lane: Lane, reason: LaneStopReason, detail: string): void {
    if (!lane.stop(reason)) return;
    const { lanes } = this.#options.lanes;
    if (lanes.every((l) => l.stoppedBy !== undefined)) {
      this.#stop(reason, lanes.length > 1 ? `every lane stopped; the last, ${lane.name}: ${detail}` : detail);
    } else {
      this.#options.events?.onLaneStop?.(lane.name, reason, detail);
    }
  }

  #abandonInFlight(reason: unknown): void {
    for (const lane of this.#options.lanes.lanes) lane.abandonInFlight(reason);
  }

  #stop(reason: StopReason, detail: string): void {
    if (this.#stoppedBy !== undefined) return;
    this.#stoppedBy = reason;
    this.#options.events?.onStop?.(reason, detail);
  }

  async #emit(result: RowResult): Promise<void> {
    this.#counters.finish(result.outcome);
    await this.#options.results.write(result);
    this.#options.events?.onRowResult?.(result);
  }
}

function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

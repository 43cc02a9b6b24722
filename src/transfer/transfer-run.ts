/**
 * The transfer engine: input records in, one result per record out, the checkpoint journal kept
 * on the way. It never prints and never touches `process`: it reports through typed callbacks and
 * returns its counts and why it stopped; the `run` command decides what to show and the exit code.
 *
 * Flow (after aws-sdk-js-v3's lib-storage Upload): one reader pulls records from the async
 * iterable and hands rows that need an API call to a p-limit pool; it waits for a free worker
 * before pulling the next record, so the reader never runs ahead of the pool and memory stays
 * flat. Rows that need no call (duplicates, rows done by an earlier run, invalid rows, a dry run)
 * are answered by the reader at once. When the run must stop (failure budget, refused
 * credentials, --limit, a signal) it stops handing out rows, lets in-flight rows finish (bounded
 * by `graceMs` after a signal), and still reads the rest of the input so that every row gets its
 * line in the results (`not-started`).
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { JournalFinished, TokenState } from '../checkpoint/types.js';
import type { Clock } from '../clock.js';
import type { ClassifiedError } from '../aws/classify-error.js';
import type { ServiceCatalogApi } from '../aws/service-catalog-api.js';
import type { HeaderMap, InputRecord, TransferRow } from '../input/types.js';
import type { RowResult, RunCounts } from '../report/types.js';
import type { AdaptiveRateLimiter } from './adaptive-limiter.js';
import { AccessDeniedStreak, isBudgetExceeded, type FailureBudget } from './failure-budget.js';
import type { RetryPolicyOptions } from './retry-policy.js';
import { resultForInvalid, resultForRow, resultFromJournal } from './row-result.js';
import { sendWithRetry, type RetryEvent } from './send-with-retry.js';
import { deriveIdempotencyToken } from './token.js';
import { isTerminalRecordStatus, waitForRecord, type WaitOptions } from './wait-for-record.js';
import { createCounters, type Counters } from './counters.js';
import { errorText } from '../errors.js';

export type StopReason = 'max-errors' | 'credentials' | 'access-denied' | 'limit' | 'signal' | 'local-error';

/** What the engine needs of the checkpoint journal (checkpoint/journal.ts implements it). */
export interface JournalPort {
  lookup(token: string): TokenState | undefined;
  recordSent(entry: { type: 'sent'; token: string; line: number; provisionedProductId: string; at: string }): void;
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
}

export interface TransferOptions {
  readonly records: AsyncIterable<InputRecord>;
  readonly header: HeaderMap;
  /** Data rows in the input, from the validation pass (for progress). */
  readonly totalRows: number;
  readonly api: ServiceCatalogApi;
  readonly journal: JournalPort;
  readonly results: ResultsPort;
  /** `--run-id`, '' when none: part of every token. */
  readonly runId: string;
  /** Rows in flight at once (`--concurrency`). */
  readonly concurrency: number;
  /** Paces UpdateProvisionedProductProperties (`--rate`), adapting to throttles. */
  readonly updateLimiter: AdaptiveRateLimiter;
  /**
   * `--wait`: poll each accepted update's record until it finishes, through `describeLimiter`
   * (its own bucket: AWS throttles DescribeRecord separately). Undefined: don't wait.
   */
  readonly wait?: { readonly options: WaitOptions; readonly describeLimiter: AdaptiveRateLimiter } | undefined;
  readonly retryPolicy: RetryPolicyOptions;
  readonly failureBudget: FailureBudget;
  /** Consecutive AccessDenied answers on different products that stop the run. */
  readonly accessDeniedStreak: number;
  readonly dryRun: boolean;
  /** `--limit`: stop after this many rows were sent; undefined for no limit. */
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

interface SendJob {
  readonly row: TransferRow;
  readonly token: string;
  readonly retryOf: TokenState | undefined;
}

export class TransferRun {
  readonly #options: TransferOptions;
  readonly #counters: Counters;
  readonly #accessDenied: AccessDeniedStreak;
  /** Aborts in-flight requests: `graceMs` after a signal, or at once on refused credentials. */
  readonly #hardStop = new AbortController();
  #stoppedBy: StopReason | undefined;
  #rowsSent = 0;
  #fatal: unknown;

  constructor(options: TransferOptions) {
    if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new TypeError(`concurrency must be an integer >= 1, got ${String(options.concurrency)}`);
    }
    this.#options = options;
    this.#counters = createCounters(options.totalRows);
    this.#accessDenied = new AccessDeniedStreak(options.accessDeniedStreak);
    // Every row in flight listens to this signal (the request, p-retry's wait, the backoff sleep);
    // each removes its listener when done, so this is a bound, not a leak.
    setMaxListeners(options.concurrency * 4 + 10, this.#hardStop.signal);
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
        () => this.#hardStop.abort(signal.reason),
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
        const task = pool(() => this.#send(job)).catch((error: unknown) => {
          // Only the journal or the results file can throw here: without them nothing is safe.
          this.#fatal ??= error;
          this.#stop('local-error', `a local write failed: ${errorText(error)}`);
        });
        inflight.add(task);
        void task.finally(() => inflight.delete(task));
        if (this.#options.limit !== undefined && this.#rowsSent >= this.#options.limit) {
          this.#stop('limit', `--limit ${this.#options.limit} reached: the rest of the rows were not started`);
        }
        // Backpressure: don't read the next record until a worker is free.
        while (inflight.size >= concurrency) await Promise.race(inflight);
      }
    } catch (error) {
      // The input failed mid-run (e.g. the file changed): abandon the rows in flight quickly
      // (they stay in flight in the journal) but never return before they settled.
      this.#hardStop.abort(error);
      throw error;
    } finally {
      await Promise.allSettled(inflight);
    }
  }

  /** Answers rows that need no API call; returns a job for rows that do. */
  async #triage(record: InputRecord): Promise<SendJob | undefined> {
    const { header, runId, journal, dryRun } = this.#options;
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
    if (this.#stoppedBy !== undefined) {
      await this.#emit(resultForRow(row, { outcome: 'not-started', reason: `stopped-by-${this.#stoppedBy}`, token }));
      return undefined;
    }
    if (dryRun) {
      await this.#emit(resultForRow(row, { outcome: 'would-change', reason: prior ? `would-retry-${prior.state}` : '', token }));
      return undefined;
    }
    return { row, token, retryOf: prior };
  }

  async #send({ row, token }: SendJob): Promise<void> {
    const { api, journal, clock, random, retryPolicy, updateLimiter, events } = this.#options;
    const signal = this.#hardStop.signal;
    journal.recordSent({ type: 'sent', token, line: row.line, provisionedProductId: row.provisionedProductId, at: isoNow(clock) });
    const answer = await sendWithRetry(
      (requestSignal) =>
        api.updateProperties(
          { provisionedProductId: row.provisionedProductId, owner: row.newOwner, launchRole: row.launchRole, idempotencyToken: token },
          requestSignal,
        ),
      {
        limiter: updateLimiter,
        policy: retryPolicy,
        clock,
        random,
        signal,
        onAttempt: () => this.#counters.request(),
        onRetry: (event) => {
          this.#counters.retry(event.error.kind === 'throttle');
          events?.onRetry?.(row, event);
        },
      },
    );
    if (answer.ok) {
      this.#accessDenied.succeeded();
      const { recordId } = answer.value;
      const waited = await this.#waitIfAsked(row, recordId, answer.value.recordStatus);
      const { recordStatus } = waited;
      // Never claim more than the service said: only a SUCCEEDED record is `succeeded`.
      const outcome = recordStatus === 'SUCCEEDED' ? 'succeeded' : recordStatus === 'FAILED' ? 'failed' : 'submitted';
      const errorCode = outcome === 'failed' ? 'RecordFailed' : '';
      const finishedAt = isoNow(clock);
      journal.recordFinished({
        type: 'finished', token, line: row.line, provisionedProductId: row.provisionedProductId, outcome, recordId, recordStatus,
        attempts: answer.attempts, errorCode, errorMessage: waited.errorMessage, finishedAt,
      });
      await this.#emit(resultForRow(row, {
        outcome, token, recordId, recordStatus, attempts: answer.attempts, finishedAt, errorCode, errorMessage: waited.errorMessage,
        reason: outcome === 'failed' ? 'record-failed' : waited.reason,
      }));
      this.#checkBudget();
      return;
    }
    await this.#failed(row, token, answer.error, answer.attempts);
  }

  /** With --wait, follows the record to SUCCEEDED/FAILED; otherwise returns the status as answered. */
  async #waitIfAsked(row: TransferRow, recordId: string, recordStatus: string): Promise<{ recordStatus: string; reason: string; errorMessage: string }> {
    const { wait, api, retryPolicy, clock, random, events } = this.#options;
    if (!wait || !recordId || isTerminalRecordStatus(recordStatus)) return { recordStatus, reason: '', errorMessage: '' };
    const result = await waitForRecord(recordId, wait.options, {
      api, limiter: wait.describeLimiter, policy: retryPolicy, clock, random, signal: this.#hardStop.signal,
      onAttempt: () => this.#counters.request(),
      onRetry: (event) => {
        this.#counters.retry(event.error.kind === 'throttle');
        events?.onRetry?.(row, event);
      },
    });
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

  async #failed(row: TransferRow, token: string, error: ClassifiedError, attempts: number): Promise<void> {
    const { journal, clock } = this.#options;
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
    const finishedAt = isoNow(clock);
    journal.recordFinished({
      type: 'finished', token, line: row.line, provisionedProductId: row.provisionedProductId, outcome: 'failed', recordId: '',
      recordStatus: '', attempts, errorCode: error.code, errorMessage: error.message, finishedAt,
    });
    await this.#emit(resultForRow(row, {
      outcome: 'failed', reason: error.kind, token, attempts, errorCode: error.code, errorMessage: error.message, finishedAt,
    }));
    if (error.kind === 'credentials') {
      this.#stop('credentials', `the credentials were refused (${error.code}): every further request would be too`);
      this.#hardStop.abort(new Error('credentials refused'));
    } else if (error.kind === 'access-denied' && this.#accessDenied.denied(row.provisionedProductId)) {
      this.#stop(
        'access-denied',
        `${this.#accessDenied.threshold} products in a row answered ${error.code} with no success between them: the permission itself looks gone`,
      );
    }
    this.#checkBudget();
  }

  #checkBudget(): void {
    // Judged on rows actually tried in this run: skipped or invalid rows must not dilute the share.
    const { failed, succeeded, submitted } = this.#counters.snapshot();
    if (this.#stoppedBy === undefined && isBudgetExceeded(this.#options.failureBudget, failed, failed + succeeded + submitted)) {
      this.#stop('max-errors', `${failed} rows failed, more than --max-errors allows`);
    }
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

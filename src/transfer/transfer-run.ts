/**
 * The transfer engine: input records in, one result per record out, the checkpoint journal kept
 * on the way. It never prints and never touches `process`: it reports through typed callbacks and
 * returns its counts and why it stopped; the command decides what to show and the exit code.
 *
 * Flow (after aws-sdk-js-v3's lib-storage Upload): one reader pulls records from the async
 * iterable, answers the rows that need no call (invalid, duplicates, done by an earlier run, rows
 * after a stop) and hands every other row, with its lane, to a p-limit pool. It waits for a free
 * worker before pulling the next record, so the reader never runs ahead of the pool and memory
 * stays flat. Every API call a row needs happens in its worker, in order: the preflight read (what
 * the product looks like now: skip it, refuse it, or wait while it is busy) → the sender's write,
 * with the journal's `sent` entry right before it. The write slot is then free for the next row,
 * while this row waits for its record (bounded: at most `maxWaiting` rows wait at once) → journal
 * `finished` → the result. When the run must stop (failure budget, --limit, a signal, every lane
 * stopped) it stops handing out rows, lets in-flight rows finish (bounded by `graceMs` after a
 * signal), and still reads the rest of the input so that every row gets its line (`not-started`).
 * A failure budget exceeded once no row was left to start stopped nothing, and is not reported.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { JournalFinished } from '../checkpoint/types.js';
import type { Clock } from '../clock.js';
import type { ClassifiedError } from '../aws/classify-error.js';
import { errorText } from '../errors.js';
import { stopNeedsRowsLeft, type StopReason } from '../exit-codes.js';
import type { InputRecord, TransferRow } from '../input/types.js';
import type { RowResult, RunCounts } from './row-types.js';
import { BudgetTally } from './failure-budget.js';
import type { Lane, LaneStopReason } from './lane.js';
import { validateRetryPolicy } from './retry-policy.js';
import { resultForDrifted, resultForInvalid, resultForRow, resultFromJournal, type ResultFields } from './row-result.js';
import type { AttemptOptions, RowJob, SendAnswer } from './row-sender.js';
import { deriveIdempotencyToken } from './token.js';
import { confirmRecord } from './confirm-record.js';
import { createCounters, type Counters } from './counters.js';
import { foundStateOf, isInTargetState, preflightRow } from './preflight.js';
import { LaneReaders } from './lane-readers.js';
import { LaneQueues } from './lane-queues.js';
import { RowThrottles } from './row-throttles.js';

export * from './transfer-options.js';
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_MAX_QUEUED, DEFAULT_WAITING_PER_WORKER, type TransferOptions, type TransferOutcome } from './transfer-options.js';
import { reasonFor } from '../outcomes.js';

type Accepted = Extract<SendAnswer, { kind: 'accepted' }>;

export class TransferRun {
  readonly #options: TransferOptions;
  readonly #counters: Counters;
  /** The rows `--max-errors` is judged on (failed rows of the checks before any write weigh nothing). */
  readonly #budget: BudgetTally;
  #stoppedBy: StopReason | undefined;
  /**
   * The words of a stop that is news only once it leaves a row not started (the failure budget),
   * while it has left none: announced with the first such row. Still set at the end, it stopped
   * nothing (every row was decided) and the run reports no stop.
   */
  #pendingStop: string | undefined;
  #rowsSent = 0;
  #fatal: unknown;
  /** When run() began, by the run's clock: a record created before it is not this run's doing. */
  #startedAt = 0;
  /** Preflight's reader of each lane, chosen when its first row needs a read. */
  readonly #readers: LaneReaders | undefined;
  /** Each row's retries after a throttle so far, for its `finished` entry (report draws them over time). */
  readonly #rowThrottles = new RowThrottles();

  constructor(options: TransferOptions) {
    if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new TypeError(`concurrency must be an integer >= 1, got ${String(options.concurrency)}`);
    }
    validateRetryPolicy(options.retryPolicy);
    this.#options = options;
    this.#counters = createCounters(options.totalRows);
    this.#budget = new BudgetTally(options.failureBudget);
    // Every row in flight listens to its lane's signal (the request, p-retry's wait, the backoff
    // sleep); each removes its listener when done, so this is a bound, not a leak.
    for (const lane of options.lanes.lanes) setMaxListeners(options.concurrency * 4 + 10, lane.signal);
    const { preflight } = options;
    this.#readers =
      preflight === undefined
        ? undefined
        : new LaneReaders(
            preflight,
            (lane) => this.#attemptOptions(undefined, lane),
            (lane, strategy) => this.#options.events?.onPreflightReader?.(lane.name, strategy),
          );
  }

  /** Live counters, for the progress display. */
  counts(): RunCounts {
    return this.#counters.snapshot();
  }

  async run(): Promise<TransferOutcome> {
    const { signal, clock, graceMs } = this.#options;
    this.#startedAt = clock.now();
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
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what stopped the run, passed on as it came
    if (this.#fatal !== undefined) throw this.#fatal;
    const lanesStopped = this.#options.lanes.lanes.flatMap((lane) => (lane.stoppedBy === undefined ? [] : [{ lane: lane.name, reason: lane.stoppedBy }]));
    // A budget exceeded once every row was decided left nothing undone: not a stop.
    const stoppedBy = this.#pendingStop === undefined ? this.#stoppedBy : undefined;
    return { counts: this.#counters.snapshot(), stoppedBy, lanesStopped };
  }

  /**
   * The reader and the dispatch. With one lane the reader waits for a free write slot before it
   * reads on (never more than `concurrency` rows started). With several lanes it queues each row on
   * its lane and reads on until `maxQueued` rows wait, so a CSV sorted by account still keeps every
   * account busy; LaneQueues gives each free slot to the next lane under its share.
   */
  async #pump(): Promise<void> {
    const { concurrency } = this.#options;
    const lanes = this.#options.lanes.lanes;
    const maxWaiting = this.#options.maxWaiting ?? concurrency * DEFAULT_WAITING_PER_WORKER;
    const maxQueued = lanes.length > 1 ? (this.#options.maxQueued ?? DEFAULT_MAX_QUEUED) : 0;
    const pool = pLimit(concurrency);
    const inflight = new Set<Promise<void>>();
    const queues = new LaneQueues<RowJob>(lanes, concurrency);
    // Woken whenever a write slot frees or a row finishes; no per-row race over every row in flight.
    let wake: (() => void) | undefined;
    const wakeUp = () => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    const track = (task: Promise<void>) => {
      inflight.add(task);
      void task.finally(() => {
        inflight.delete(task);
        wakeUp();
      });
    };
    // Set when the run failed (the input broke, or a local write): queued rows are dropped, not started.
    let abandoned = false;
    const start = (job: RowJob) => {
      // Counted when a row is handed to a worker, not when it is queued: the reader runs ahead of the limit.
      this.#rowsSent += 1;
      if (this.#options.limit !== undefined && this.#rowsSent >= this.#options.limit) {
        this.#stop('limit', `the row limit (${this.#options.limit}) was reached: the rest of the rows were not started`);
      }
      track(
        pool(() => this.#work(job))
          .finally(() => {
            queues.release(job);
            dispatch();
            wakeUp();
          })
          // The wait for the record runs outside the pool: a write slot is never held by a poll.
          .then((waitForRecord) => waitForRecord?.())
          // Only the journal or the results file can throw here: without them nothing is safe.
          .catch((error: unknown) => this.#failLocal(error)),
      );
    };
    const dispatch = () => {
      for (let job = queues.take(); job !== undefined; job = queues.take()) {
        if (abandoned || this.#fatal !== undefined) {
          queues.release(job);
          continue;
        }
        if (this.#stoppedBy === undefined && job.lane.stoppedBy === undefined) {
          start(job);
          continue;
        }
        // Queued before the stop: its line says so, no call is made.
        queues.release(job);
        track(this.#emit(this.#notStarted(job.row, job.token, job.lane)).catch((error: unknown) => this.#failLocal(error)));
      }
    };
    try {
      for await (const record of this.#options.records) {
        if (this.#fatal !== undefined) break;
        const job = await this.#triage(record);
        if (job === undefined) continue;
        queues.push(job);
        dispatch();
        // Backpressure: read on only while the rows queued are under their bound (none with one
        // lane: then a write slot must be free) and the rows waiting for records are under theirs.
        while (queues.queued > maxQueued || (maxQueued === 0 && queues.writing >= concurrency) || inflight.size >= concurrency + maxWaiting) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          if (this.#fatal !== undefined) break;
        }
      }
      // The input is read: the queued rows still go out, as slots free.
      while (queues.queued > 0 && this.#fatal === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } catch (error) {
      // The input failed mid-run (e.g. the file changed): abandon the rows in flight quickly
      // (they stay in flight in the journal), start none of the queued ones, but never return
      // before they settled.
      abandoned = true;
      this.#abandonInFlight(error);
      throw error;
    } finally {
      if (this.#fatal !== undefined) abandoned = true;
      // A row that settles can start a queued one: wait until nothing is left in flight.
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    }
  }

  /** A row the run or its lane stopped before: why, and the lane's own words when it has them. */
  #notStarted(row: TransferRow, token: string, lane: Lane): RowResult {
    const runStop = this.#stoppedBy;
    if (runStop !== undefined) this.#leftByStop();
    const reason = reasonFor.stoppedBy(runStop ?? lane.stoppedBy ?? 'unknown');
    return resultForRow(row, {
      outcome: 'not-started',
      reason,
      token,
      ...(runStop === undefined && lane.stopDetail !== '' ? { errorMessage: lane.stopDetail } : {}),
    });
  }

  /** The journal or the results file failed: nothing is safe any more, so the run stops. */
  #failLocal(error: unknown): void {
    this.#fatal ??= error;
    this.#stop('local-error', `a local write failed: ${errorText(error)}`);
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
      await this.#emit(resultForRow(row, { outcome: 'skipped', reason: reasonFor.duplicateOf(duplicateOfLine), token }));
      return undefined;
    }
    const prior = await journal.lookup(token);
    // Reconciling, a row done by an earlier run is read again: its product may have drifted since.
    // A superseded row (a later change of the ledger set other targets) is never done: decided again.
    const lane = lanes.laneFor(row);
    if (prior?.state === 'done' && this.#options.preflight?.reconcile !== true) {
      const facts = await this.#readers?.alreadyRead(row, lane);
      const result =
        facts !== undefined && !isInTargetState(row, facts)
          ? resultForDrifted(row, token, prior.finished, foundStateOf(row, facts))
          : resultFromJournal(row, token, prior.finished);
      await this.#emit(await this.#withFirstRead(row, result));
      return undefined;
    }
    if (this.#stoppedBy !== undefined || lane.stoppedBy !== undefined) {
      await this.#emit(this.#notStarted(row, token, lane));
      return undefined;
    }
    const job = { row, token, lane, prior };
    const problem = this.#options.targetProblems?.get(row.newOwner ?? '') ?? this.#options.targetProblems?.get(row.launchRole ?? '');
    if (problem !== undefined) {
      // The target check found the owner or launch role unusable: no read, no update.
      // A data problem of the CSV, found before any write: it fails its row but weighs nothing in the budget.
      await this.#finish(job, { outcome: 'failed', reason: problem.reason, attempts: 0, errorCode: problem.errorCode, errorMessage: problem.message });
      return undefined;
    }
    // This row will be read: its lane's reader is chosen now (as its worker would), so the done
    // rows read after it are checked against what that read brings, deterministically.
    this.#readers?.readerFor(lane).catch(() => undefined);
    return job;
  }

  /**
   * Runs in a worker (a write slot): the preflight read and the write, journaled before and after.
   * Returns the wait for the record, which the caller runs once the write slot is free.
   */
  async #work(queued: RowJob): Promise<(() => Promise<void>) | undefined> {
    const { journal, clock, sender } = this.#options;
    const attempt = this.#attemptOptions(queued.row, queued.lane);
    const job = await this.#preflight(queued, attempt);
    if (job === undefined) return undefined;
    const { row, token, found } = job;
    const markSent = () =>
      journal.recordSent({
        type: 'sent',
        token,
        line: row.line,
        provisionedProductId: row.provisionedProductId,
        at: isoNow(clock),
        ...found,
        ...changeTargets(row),
      });
    const answer = await sender.send(job, attempt, markSent);
    switch (answer.kind) {
      case 'not-sent':
        await this.#emit(resultForRow(row, { outcome: 'would-change', reason: answer.reason, token, found: job.found }));
        return undefined;
      case 'failed':
        await this.#failed(job, answer.error, answer.attempts);
        return undefined;
      case 'accepted':
        job.lane.accessDenied.succeeded();
        return () => this.#accepted(job, answer, attempt);
    }
  }

  /** The job to send, or undefined when preflight answered the row (skipped, refused, stopped). */
  async #preflight(job: RowJob, attempt: AttemptOptions): Promise<RowJob | undefined> {
    const { preflight, clock, runId } = this.#options;
    if (preflight === undefined) return job;
    const reader = await this.#readers!.readerFor(job.lane);
    const answer = await preflightRow(job, attempt, {
      reader,
      clock,
      runId,
      reconcile: preflight.reconcile ?? false,
      expectedAccounts: preflight.expectedAccounts,
      acrossAccounts: preflight.acrossAccounts ?? false,
      busyWait: preflight.busyWait ?? { timeoutMs: DEFAULT_BUSY_TIMEOUT_MS },
      stoppedBy: () => this.#stoppedBy ?? job.lane.stoppedBy,
    });
    const { row, token } = job;
    switch (answer.kind) {
      case 'send':
        return answer.job;
      case 'in-target':
        // Journaled, so a resumed run neither reads nor sends it again (--reconcile reads it).
        await this.#finish({ ...job, found: answer.found }, { outcome: 'skipped', reason: 'already-in-target-state', attempts: 0 });
        return undefined;
      case 'refused':
        await this.#finish(
          { ...job, found: answer.found },
          { outcome: 'failed', reason: answer.reason, attempts: 0, errorCode: answer.errorCode, errorMessage: answer.errorMessage },
        );
        this.#checkBudget();
        return undefined;
      case 'read-failed':
        await this.#failed(job, answer.error, 0);
        return undefined;
      case 'stopped':
        if (answer.reason === this.#stoppedBy) this.#leftByStop();
        await this.#emit(resultForRow(row, { outcome: 'not-started', reason: reasonFor.stoppedBy(answer.reason), token }));
        return undefined;
    }
  }

  /** Retry-loop dependencies for one row's calls (or a lane's, for account-wide reads): its lane's signal, the run's counters and events. */
  #attemptOptions(row: TransferRow | undefined, lane: Lane): AttemptOptions {
    const { retryPolicy, clock, random, events } = this.#options;
    return {
      policy: retryPolicy,
      clock,
      random,
      signal: lane.signal,
      onAttempt: () => this.#counters.request(),
      onRetry: (event) => {
        this.#counters.retry(event.error.kind === 'throttle');
        if (row !== undefined && event.error.kind === 'throttle') this.#rowThrottles.add(row);
        if (row !== undefined) events?.onRetry?.(row, event);
      },
    };
  }

  async #accepted(job: RowJob, answer: Accepted, attempt: AttemptOptions): Promise<void> {
    await this.#finish(job, await confirmRecord(job, answer, attempt, { wait: this.#options.wait, runStartedAt: this.#startedAt }));
    this.#checkBudget();
  }

  async #failed(job: RowJob, error: ClassifiedError, attempts: number): Promise<void> {
    const { row, token, lane } = job;
    if (error.kind === 'throttle') this.#counters.throttled();
    if (error.kind === 'aborted') {
      // Outcome unknown: the request may have reached the service. No `finished` entry, so the
      // journal keeps it in flight and the next run resends it with the same token.
      await this.#emit(
        resultForRow(row, {
          outcome: 'failed',
          reason: 'interrupted-in-flight',
          token,
          attempts,
          errorCode: 'Aborted',
          errorMessage: 'stopped before the answer arrived; the next run resends it with the same token',
        }),
      );
      return;
    }
    await this.#finish(job, { outcome: 'failed', reason: reasonFor.errorClass(error.kind), attempts, errorCode: error.code, errorMessage: error.message });
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

  /** A row the service answered: its `finished` entry (with what preflight found), then its result line. */
  async #finish({ row, token, found }: RowJob, fields: ResultFields & { outcome: JournalFinished['outcome']; attempts: number }): Promise<void> {
    const finishedAt = isoNow(this.#options.clock);
    this.#options.journal.recordFinished({
      type: 'finished',
      token,
      line: row.line,
      provisionedProductId: row.provisionedProductId,
      outcome: fields.outcome,
      recordId: fields.recordId ?? '',
      recordStatus: fields.recordStatus ?? '',
      attempts: fields.attempts,
      errorCode: fields.errorCode ?? '',
      errorMessage: fields.errorMessage ?? '',
      finishedAt,
      ...found,
      ...changeTargets(row),
      ...this.#rowThrottles.fieldOf(row),
    });
    await this.#emit(await this.#withFirstRead(row, resultForRow(row, { ...fields, token, finishedAt, found })));
  }

  /**
   * The results are a view of the ledger: a row's previous values are its product's from before
   * the first change the ledger holds (a canary, the run and every reconcile undo to the state
   * before the migration), where the ledger has them; this run's read otherwise.
   */
  async #withFirstRead(row: TransferRow, result: RowResult): Promise<RowResult> {
    const first = await this.#options.journal.firstRead?.(row.provisionedProductId);
    if (first === undefined) return result;
    return {
      ...result,
      productStatus: first.productStatus,
      previousOwner: first.previousOwner,
      previousOwnerSession: first.previousOwnerSession,
      // A first read by a row that left the launch role alone did not read it.
      previousLaunchRole: first.readsLaunchRole === true ? first.previousLaunchRole : result.previousLaunchRole,
    };
  }

  #checkBudget(): void {
    // Judged on rows tried against the service in this run (BudgetTally): skipped or invalid rows
    // must not dilute the share, nor rows failed before any write inflate it.
    if (this.#budget.exceeded()) {
      this.#stop('max-errors', `${this.#budget.failed} failed of ${this.#budget.tried} rows tried, more than the failure budget allows: no new row is started`);
    }
  }

  /** A lane's own stop; the run stops with it once no lane is left. */
  #stopLane(lane: Lane, reason: LaneStopReason, detail: string): void {
    if (!lane.stop(reason, detail)) return;
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

  /**
   * The first stop wins, except that a stop waiting for its first row left (the failure budget)
   * gives way to a stop that is news by itself (a signal, credentials) while it has left none.
   */
  #stop(reason: StopReason, detail: string): void {
    if (this.#stoppedBy !== undefined && (this.#pendingStop === undefined || stopNeedsRowsLeft(reason))) return;
    this.#stoppedBy = reason;
    // The budget's stop waits for its first row left (#leftByStop) to be news; any other is news now.
    this.#pendingStop = stopNeedsRowsLeft(reason) ? detail : undefined;
    if (this.#pendingStop === undefined) this.#options.events?.onStop?.(reason, detail);
  }

  /** A row the run's stop left not started: a stop that was waiting for one is news now. */
  #leftByStop(): void {
    const detail = this.#pendingStop;
    this.#pendingStop = undefined;
    if (detail !== undefined && this.#stoppedBy !== undefined) this.#options.events?.onStop?.(this.#stoppedBy, detail);
  }

  async #emit(result: RowResult): Promise<void> {
    this.#counters.finish(result.outcome);
    this.#budget.record(result.outcome, result.reason);
    await this.#options.results.write(result);
    this.#options.events?.onRowResult?.(result);
  }
}

/** What a row's entries say it changes: its targets ('' for a key left alone), and its region when it named one. */
function changeTargets(row: TransferRow): { newOwner: string; launchRole: string; region?: string } {
  const targets = { newOwner: row.newOwner ?? '', launchRole: row.launchRole ?? '' };
  return row.region === undefined ? targets : { ...targets, region: row.region };
}

function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

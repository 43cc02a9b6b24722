/**
 * After an update was accepted: what its record says, as the row's result will say it. A finished
 * record in the answer is read once, with or without preflight, for being an earlier one (see
 * `checkFinishedAnswer`); an unfinished one is followed to SUCCEEDED or FAILED (waitForRecord)
 * unless waiting is off. Never claims more than the service said: only a SUCCEEDED record that this
 * run made makes a `succeeded` row.
 */
import type { ClassifiedError } from '../aws/classify-error.js';
import type { RecordAnswer } from '../aws/service-catalog-api.js';
import type { SendAnswer, AttemptOptions, RowJob } from './row-sender.js';
import type { ResultFields } from './row-result.js';
import { sendWithRetry } from './send-with-retry.js';
import { isTerminalRecordStatus, waitForRecord, type WaitOptions } from './wait-for-record.js';
import { reasonFor, type RowReason } from '../outcomes.js';

type Accepted = Extract<SendAnswer, { kind: 'accepted' }>;

export type Confirmed = ResultFields & { readonly outcome: 'succeeded' | 'submitted' | 'failed'; readonly attempts: number };

export interface ConfirmOptions {
  /** Waiting for records; undefined with `--no-wait`. */
  readonly wait: WaitOptions | undefined;
  /** When the run began, by the run's clock. */
  readonly runStartedAt: number;
}

/**
 * The slack between a record's CreatedTime (the service's clock) and the journal's `sent` time
 * (this host's) when a row left in flight is resent: the 15 minutes of skew SigV4 itself accepts.
 */
export const CLOCK_SLACK_MS = 15 * 60_000;

/** What the read of a finished answer's record found. */
type AnswerCheck =
  /** The answer is not finished (or names no record): there is nothing to read yet. */
  | { readonly kind: 'unfinished' }
  /** Made by this run (or made when the service would not say). */
  | { readonly kind: 'own'; readonly record: RecordAnswer }
  /** Made before this run: the service replayed an earlier use of the token and applied nothing now. */
  | { readonly kind: 'earlier'; readonly record: RecordAnswer }
  /** The read failed: whose record it is stays unknown. */
  | { readonly kind: 'unread'; readonly error: ClassifiedError };

export async function confirmRecord(job: RowJob, answer: Accepted, attempt: AttemptOptions, options: ConfirmOptions): Promise<Confirmed> {
  const { recordId, recordStatus, attempts } = answer;
  const check = await checkFinishedAnswer(job, answer, attempt, options.runStartedAt);
  switch (check.kind) {
    case 'earlier':
      return {
        outcome: 'failed',
        reason: 'token-already-used',
        recordId,
        recordStatus,
        attempts,
        errorCode: 'TokenAlreadyUsed',
        errorMessage: tokenAlreadyUsedMessage(job, check.record),
      };
    case 'unread':
      // Accepted, but not known to be this run's change: `submitted`, as when a wait is cut short.
      return { outcome: 'submitted', recordId, recordStatus, attempts, reason: readFailureReason(check.error), errorCode: '', errorMessage: '' };
    case 'own':
      return finishedAs(recordStatus, { recordId, attempts, errorMessage: check.record.errors.join('; ') });
    case 'unfinished': {
      const waited = await waitIfAsked(job, attempt, answer, options.wait);
      const confirmed = finishedAs(waited.recordStatus, { recordId, attempts, errorMessage: waited.errorMessage });
      return waited.reason === '' ? confirmed : { ...confirmed, reason: waited.reason };
    }
  }
}

/** The row as its record's status says: SUCCEEDED `succeeded`, FAILED `failed`, anything else `submitted`. */
function finishedAs(recordStatus: string, fields: { recordId: string; attempts: number; errorMessage: string }): Confirmed {
  const outcome = recordStatus === 'SUCCEEDED' ? 'succeeded' : recordStatus === 'FAILED' ? 'failed' : 'submitted';
  return {
    outcome,
    recordStatus,
    ...fields,
    errorCode: outcome === 'failed' ? 'RecordFailed' : '',
    reason: outcome === 'failed' ? 'record-failed' : '',
  };
}

/**
 * A token the service has seen answers with its earlier record and applies nothing: after an undo,
 * the CSV run again on a fresh checkpoint would otherwise be `succeeded` row by row while every
 * product keeps the owner the undo put back. A fresh update is accepted before it finishes (AWS
 * answers CREATED, and so does the emulator unless its records take 0 ms), so only a finished
 * record in the answer is read, once: the common path costs no call. Made before this run's
 * records (`ownRecordsSince`), it is that earlier record.
 */
async function checkFinishedAnswer(job: RowJob, answer: Accepted, attempt: AttemptOptions, runStartedAt: number): Promise<AnswerCheck> {
  if (!answer.recordId || !isTerminalRecordStatus(answer.recordStatus)) return { kind: 'unfinished' };
  const { lane } = job;
  const read = await sendWithRetry((signal) => lane.api.describeRecord(answer.recordId, signal), { ...attempt, limiter: lane.limiter('DescribeRecord') });
  if (!read.ok) return { kind: 'unread', error: read.error };
  const record = read.value;
  // AWS answers CreatedTime on every record; without it nothing says the record is an earlier one.
  if (record.createdAt === undefined || record.createdAt >= ownRecordsSince(job, runStartedAt)) return { kind: 'own', record };
  return { kind: 'earlier', record };
}

/**
 * From when a record of the row's token is this run's own. Without preflight, a row the checkpoint
 * left in flight (sent, then a kill or a lost answer) is resent with its token, and the record the
 * service answers with is that earlier send's: the run's own change, made after its `sent` entry
 * (less the clock slack). The journal keeps a token's last `sent`, so a row left in flight twice
 * over is judged by the later send: its record is then `token-already-used`, a row to look at,
 * never a success that is not there. With preflight the product was just read out of its target,
 * so even that record's change is not there any more: only this invocation's records count.
 */
function ownRecordsSince(job: RowJob, runStartedAt: number): number {
  if (job.found !== undefined || job.prior?.state !== 'in-flight') return runStartedAt;
  const sentAt = Date.parse(job.prior.sent.at);
  return Number.isFinite(sentAt) ? Math.min(runStartedAt, sentAt - CLOCK_SLACK_MS) : runStartedAt;
}

/**
 * What to do about it depends on what the run knows of the product. Preflight read it out of its
 * target, and `--reconcile` sends it under a token of the state it is in. Without preflight nothing
 * was read: it may be in its target already or back where an undo put it, and a run with preflight
 * and `--reconcile` (which needs preflight) changes only the products that are not.
 */
function tokenAlreadyUsedMessage(job: RowJob, record: RecordAnswer): string {
  const answered = `the service answered with record ${record.recordId}, made ${new Date(record.createdAt!).toISOString()} (before this run) by an earlier use of this token, and changed nothing now`;
  return job.found !== undefined
    ? `${answered}; the product is not in its target state (was the change undone since?): rerun with --reconcile, or with a new --run-id`
    : `${answered}; the product was not read (--no-preflight), so whether it is in its target state is unknown (was the change undone since?): rerun without --no-preflight and with --reconcile, which changes only the products not in their target, or with a new --run-id`;
}

/** A read of the record that ended without an answer, as the results' `reason` says it. */
function readFailureReason(error: ClassifiedError): RowReason {
  return error.kind === 'aborted' ? 'wait-interrupted' : reasonFor.waitFailed(error.code);
}

/** Follows the record to SUCCEEDED/FAILED when waiting; otherwise the status as answered. */
async function waitIfAsked(
  job: RowJob,
  attempt: AttemptOptions,
  answer: Accepted,
  wait: WaitOptions | undefined,
): Promise<{ recordStatus: string; reason: RowReason; errorMessage: string }> {
  const { recordId, recordStatus } = answer;
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
      return { recordStatus, reason: readFailureReason(result.error), errorMessage: '' };
  }
}

/**
 * After an update was accepted: what its record says, as the row's result will say it. The record
 * is followed to SUCCEEDED or FAILED (waitForRecord) unless waiting is off; and a finished record
 * in the answer is checked for being an earlier one (see `isReplayOfEarlierRecord`). Never claims
 * more than the service said: only a SUCCEEDED record makes a `succeeded` row.
 */
import type { SendAnswer, AttemptOptions, RowJob } from './row-sender.js';
import type { ResultFields } from './row-result.js';
import { sendWithRetry } from './send-with-retry.js';
import { isTerminalRecordStatus, waitForRecord, type WaitOptions } from './wait-for-record.js';

type Accepted = Extract<SendAnswer, { kind: 'accepted' }>;

export type Confirmed = ResultFields & { readonly outcome: 'succeeded' | 'submitted' | 'failed'; readonly attempts: number };

export interface ConfirmOptions {
  /** Waiting for records; undefined with `--no-wait`. */
  readonly wait: WaitOptions | undefined;
  /** When the run began, by the run's clock. */
  readonly runStartedAt: number;
}

export async function confirmRecord(job: RowJob, answer: Accepted, attempt: AttemptOptions, options: ConfirmOptions): Promise<Confirmed> {
  const { recordId, attempts } = answer;
  if (await isReplayOfEarlierRecord(job, answer, attempt, options.runStartedAt)) {
    return {
      outcome: 'failed', reason: 'token-already-used', recordId, recordStatus: answer.recordStatus, attempts, errorCode: 'TokenAlreadyUsed',
      errorMessage: `the service answered with record ${recordId}, made before this run by an earlier use of this token, and changed nothing now (was the change undone since?); rerun with a new --run-id, or with --reconcile`,
    };
  }
  const waited = await waitIfAsked(job, attempt, answer, options.wait);
  const outcome = waited.recordStatus === 'SUCCEEDED' ? 'succeeded' : waited.recordStatus === 'FAILED' ? 'failed' : 'submitted';
  return {
    outcome, recordId, recordStatus: waited.recordStatus, attempts,
    errorCode: outcome === 'failed' ? 'RecordFailed' : '', errorMessage: waited.errorMessage,
    reason: outcome === 'failed' ? 'record-failed' : waited.reason,
  };
}

/**
 * A token the service has seen answers with its earlier record and applies nothing. A fresh
 * update is accepted before it finishes, so a finished record in the answer, for a product
 * preflight saw out of its target state, is looked at once: made before this run began, it is
 * not this run's change. (Without preflight there is nothing to compare with.)
 */
async function isReplayOfEarlierRecord(job: RowJob, answer: Accepted, attempt: AttemptOptions, runStartedAt: number): Promise<boolean> {
  if (job.found === undefined || !answer.recordId || !isTerminalRecordStatus(answer.recordStatus)) return false;
  const { lane } = job;
  const record = await sendWithRetry((signal) => lane.api.describeRecord(answer.recordId, signal), { ...attempt, limiter: lane.limiter('DescribeRecord') });
  return record.ok && record.value.createdAt !== undefined && record.value.createdAt < runStartedAt;
}

/** Follows the record to SUCCEEDED/FAILED when waiting; otherwise the status as answered. */
async function waitIfAsked(job: RowJob, attempt: AttemptOptions, answer: Accepted, wait: WaitOptions | undefined): Promise<{ recordStatus: string; reason: string; errorMessage: string }> {
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
      return { recordStatus, reason: `wait-${result.error.kind === 'aborted' ? 'interrupted' : `failed-${result.error.code}`}`, errorMessage: '' };
  }
}

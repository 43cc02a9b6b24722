/**
 * The worker's write step as a port: the live sender makes the UpdateProvisionedProductProperties
 * call through the lane's limiter with retries; the dry-run sender makes no call and says what
 * would happen. The engine does not know which one it has, so a dry run is the choice of ports
 * (this sender and a journal that records nothing), not a flag every step must agree with.
 */
import type { ClassifiedError } from '../aws/classify-error.js';
import type { TokenState } from '../checkpoint/types.js';
import type { TransferRow } from '../input/types.js';
import type { Lane } from './lane.js';
import type { FoundState } from './row-result.js';
import { sendWithRetry, type SendWithRetryOptions } from './send-with-retry.js';
import { reasonFor, type RowReason } from '../outcomes.js';

/** A row that needs the API: its row, token, lane, and what an earlier run of the checkpoint left. */
export interface RowJob {
  readonly row: TransferRow;
  readonly token: string;
  readonly lane: Lane;
  /** `in-flight` or `failed` from an earlier run; undefined for a row never tried. */
  readonly prior: TokenState | undefined;
  /** What preflight found of the product (undefined without preflight), for the results and the journal. */
  readonly found?: FoundState | undefined;
}

/** The retry loop's dependencies for one row, but the limiter, which the sender picks from the lane. */
export type AttemptOptions = Omit<SendWithRetryOptions, 'limiter'>;

export type SendAnswer =
  /** The service accepted the update and answered with its record. */
  | { readonly kind: 'accepted'; readonly recordId: string; readonly recordStatus: string; readonly attempts: number }
  /** The update was refused, or no answer came (`aborted`: the outcome is unknown). */
  | { readonly kind: 'failed'; readonly error: ClassifiedError; readonly attempts: number }
  /** Nothing was sent (a dry run); `reason` says what a real run would do. */
  | { readonly kind: 'not-sent'; readonly reason: RowReason };

export interface RowSender {
  /**
   * Sends the row's change. `markSent` is called once, and awaited, before the first request
   * leaves (write-ahead: the journal's `sent` entry is on disk first), and only by senders that
   * send, so the entry exists only for rows that were really about to be sent. A rejection (the
   * journal failed) means nothing was sent: it propagates.
   */
  send(job: RowJob, attempt: AttemptOptions, markSent: () => Promise<void>): Promise<SendAnswer>;
}

/** Sends the update, resending the row's own token on every retry. */
export const updateSender: RowSender = {
  async send({ row, token, lane }, attempt, markSent) {
    await markSent();
    const answer = await sendWithRetry(
      (signal) =>
        lane.api.updateProperties(
          { provisionedProductId: row.provisionedProductId, owner: row.newOwner, launchRole: row.launchRole, idempotencyToken: token },
          signal,
        ),
      { ...attempt, limiter: lane.limiter('UpdateProvisionedProductProperties') },
    );
    if (!answer.ok) return { kind: 'failed', error: answer.error, attempts: answer.attempts };
    return { kind: 'accepted', recordId: answer.value.recordId, recordStatus: answer.value.recordStatus, attempts: answer.attempts };
  },
};

/** `--dry-run`: sends nothing; a row an earlier run left unfinished says so. */
export const dryRunSender: RowSender = {
  async send({ prior }) {
    return { kind: 'not-sent', reason: prior ? reasonFor.wouldRetry(prior.state) : '' };
  },
};

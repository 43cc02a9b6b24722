/**
 * Preflight's judgement of one row against what its product looks like now (pure: the reads are
 * product-reader.ts's). A row whose product already has the target owner and launch role is
 * skipped with no update; a target in another account than the product is refused with no
 * update (the service would refuse it too, after a throttled round trip); a product busy with
 * another change is waited for; anything else is sent.
 */
import type { ClassifiedError } from '../aws/classify-error.js';
import type { ProductFacts } from '../aws/service-catalog-api.js';
import type { Clock } from '../clock.js';
import type { TransferRow } from '../input/types.js';
import { perRowReader, type ProductReader } from './product-reader.js';
import type { FoundState } from './row-result.js';
import type { AttemptOptions, RowJob } from './row-sender.js';
import { deriveReconcileToken } from './token.js';
import { accountOfArn, partitionOfArn } from '../input/iam-arn.js';
import type { StopReason } from '../exit-codes.js';
import type { FixedReason } from '../outcomes.js';

export type Judgement =
  | { readonly kind: 'in-target' }
  | { readonly kind: 'cross-account'; readonly message: string }
  | { readonly kind: 'unexpected-account'; readonly message: string }
  | { readonly kind: 'busy' }
  | { readonly kind: 'change' };

/** Statuses in which the service refuses an update until the current operation completes. */
const BUSY_STATUSES: ReadonlySet<string> = new Set(['UNDER_CHANGE', 'PLAN_IN_PROGRESS']);

export function isBusyStatus(status: string): boolean {
  return BUSY_STATUSES.has(status);
}

/** Whether the product already has what the row asks: an empty cell asks for nothing. */
export function isInTargetState(row: TransferRow, facts: ProductFacts): boolean {
  // The owner may be set as a user, role or assumed-role session ARN; Search tells both forms.
  const ownerDone = row.newOwner === undefined || row.newOwner === facts.owner || row.newOwner === facts.ownerSession;
  const roleDone = row.launchRole === undefined || row.launchRole === facts.launchRole;
  return ownerDone && roleDone;
}

export function judgeRow(row: TransferRow, facts: ProductFacts, expectedAccounts?: ReadonlySet<string>): Judgement {
  const productAccount = accountOfArn(facts.arn);
  if (expectedAccounts !== undefined && productAccount !== undefined && !expectedAccounts.has(productAccount)) {
    return { kind: 'unexpected-account', message: `the product is in account ${productAccount}, not in --expect-account ${[...expectedAccounts].join(', ')}` };
  }
  if (isInTargetState(row, facts)) return { kind: 'in-target' };
  if (productAccount !== undefined) {
    const productPartition = partitionOfArn(facts.arn);
    for (const [what, arn] of [
      ['new owner', row.newOwner],
      ['launch role', row.launchRole],
    ] as const) {
      const account = arn === undefined ? undefined : accountOfArn(arn);
      if (account !== undefined && account !== productAccount) {
        return {
          kind: 'cross-account',
          message: `the ${what} is in account ${account}, the product in account ${productAccount}: the service accepts only ARNs of the product's own account`,
        };
      }
      const partition = arn === undefined ? undefined : partitionOfArn(arn);
      if (partition !== undefined && partition !== productPartition) {
        return {
          kind: 'cross-account',
          message: `the ${what} is in partition ${partition}, the product in partition ${productPartition ?? '?'}: an owner or launch role must be in the product's partition`,
        };
      }
    }
  }
  return isBusyStatus(facts.status) ? { kind: 'busy' } : { kind: 'change' };
}

/** What the results and the journal keep of the product before the change (for `undo`). */
export function foundStateOf(row: TransferRow, facts: ProductFacts): FoundState {
  return {
    productStatus: facts.status,
    previousOwner: facts.owner ?? '',
    previousOwnerSession: facts.ownerSession ?? '',
    // Only a row that changes the launch role reads it, and only such a row's undo puts it back.
    previousLaunchRole: row.launchRole === undefined ? '' : (facts.launchRole ?? ''),
  };
}

/** How long a product busy with another change is waited for, and how often it is looked at. */
export interface BusyWaitOptions {
  readonly timeoutMs: number;
  /** First look after this long (ms), doubling up to maxPollMs. Defaults 2 000 and 30 000. */
  readonly firstPollMs?: number;
  readonly maxPollMs?: number;
}

export interface PreflightDeps {
  readonly reader: ProductReader;
  readonly busyWait: BusyWaitOptions;
  readonly clock: Clock;
  readonly runId: string;
  /** `--reconcile`: a drifted product is changed under a token that covers the state it was found in. */
  readonly reconcile: boolean;
  readonly expectedAccounts?: ReadonlySet<string> | undefined;
  /** A run across accounts: a product not found is not found in the row's own account (`not-found-in-account`). */
  readonly acrossAccounts?: boolean;
  /** Why the run stopped taking rows, if it did (a busy wait gives up then). */
  readonly stoppedBy: () => StopReason | undefined;
}

export type PreflightAnswer =
  /** Send the update: the job now carries what was found (and, reconciling, its drift token). */
  | { readonly kind: 'send'; readonly job: RowJob }
  /** Already in the target state: nothing to send. */
  | { readonly kind: 'in-target'; readonly found: FoundState }
  /** Refused without an update (attempts 0): journaled as failed, so the next run reads it again. */
  | { readonly kind: 'refused'; readonly reason: FixedReason; readonly errorCode: string; readonly errorMessage: string; readonly found?: FoundState }
  /** The read itself failed (throttled to the end, access denied...). */
  | { readonly kind: 'read-failed'; readonly error: ClassifiedError }
  /** The run stopped while the row waited for its busy product. */
  | { readonly kind: 'stopped'; readonly reason: StopReason };

/** Reads the row's product and decides; waits (bounded) while the product is busy. */
export async function preflightRow(job: RowJob, attempt: AttemptOptions, deps: PreflightDeps): Promise<PreflightAnswer> {
  const { row } = job;
  const { busyWait, clock } = deps;
  const deadline = clock.now() + busyWait.timeoutMs;
  let delay = busyWait.firstPollMs ?? 2_000;
  let answer = await deps.reader.read(row, job.lane, attempt);
  for (;;) {
    if (answer.kind === 'failed') return { kind: 'read-failed', error: answer.error };
    if (answer.kind === 'not-found') {
      return deps.acrossAccounts === true
        ? {
            kind: 'refused',
            reason: 'not-found-in-account',
            errorCode: 'ResourceNotFoundException',
            errorMessage: `Provisioned product ${row.provisionedProductId} not found in account ${row.accountId}.`,
          }
        : {
            kind: 'refused',
            reason: 'not-found',
            errorCode: 'ResourceNotFoundException',
            errorMessage: `Provisioned product ${row.provisionedProductId} not found.`,
          };
    }
    const { facts } = answer;
    const found = foundStateOf(row, facts);
    const judgement = judgeRow(row, facts, deps.expectedAccounts);
    switch (judgement.kind) {
      case 'in-target':
        return { kind: 'in-target', found };
      case 'cross-account':
        return { kind: 'refused', reason: 'cross-account', errorCode: 'CrossAccount', errorMessage: judgement.message, found };
      case 'unexpected-account':
        return { kind: 'refused', reason: 'unexpected-account', errorCode: 'UnexpectedAccount', errorMessage: judgement.message, found };
      case 'change': {
        const token = deps.reconcile
          ? deriveReconcileToken(deps.runId, row, { owner: facts.owner ?? '', launchRole: facts.launchRole ?? '', lastRecordId: facts.lastRecordId })
          : job.token;
        return { kind: 'send', job: { ...job, token, found } };
      }
      case 'busy': {
        const remaining = deadline - clock.now();
        if (remaining <= 0) {
          return {
            kind: 'refused',
            reason: 'still-busy',
            errorCode: 'ProductBusy',
            found,
            errorMessage: `the product stayed ${facts.status} for ${Math.round(busyWait.timeoutMs / 1000)} s (--busy-timeout); rerun to try again`,
          };
        }
        try {
          await clock.sleep(Math.min(delay, remaining), attempt.signal);
        } catch {
          return { kind: 'stopped', reason: 'signal' };
        }
        const stopped = deps.stoppedBy();
        if (stopped !== undefined) return { kind: 'stopped', reason: stopped };
        delay = Math.min(busyWait.maxPollMs ?? 30_000, delay * 2);
        // Looked at again on its own: an account-wide snapshot would still say busy.
        answer = await perRowReader.read(row, job.lane, attempt);
      }
    }
  }
}

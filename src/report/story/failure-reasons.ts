/**
 * The reason of a failed row, as far as its `finished` entry tells it. The ledger keeps the error
 * code and message, not the results' `reason`: the checks before any write have codes of their own
 * (src/transfer: preflight.ts, target-check.ts, confirm-record.ts), and any other code is the
 * update failing after its retries (the `<error-class>` family). The advice is the README's
 * sentence for the reason, read from src/outcomes.ts.
 */
import { REASONS, type ReasonName } from '../../outcomes.js';

const BY_CODE: Readonly<Record<string, ReasonName>> = {
  CrossAccount: 'cross-account',
  UnexpectedAccount: 'unexpected-account',
  ProductBusy: 'still-busy',
  NoSuchEntity: 'target-not-found',
  LaunchRoleNotTrusted: 'launch-role-not-trusted',
  TokenAlreadyUsed: 'token-already-used',
  RecordFailed: 'record-failed',
};

export interface FailedRow {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
}

/** The reason (a name of REASONS) a failed `finished` entry stands for. */
export function failureReason(row: FailedRow): ReasonName {
  const known = BY_CODE[row.errorCode];
  if (known !== undefined) return known;
  if (row.errorCode === 'ResourceNotFoundException' && row.attempts === 0) {
    return / not found in account /.test(row.errorMessage) ? 'not-found-in-account' : 'not-found';
  }
  return '<error-class>';
}

/** The README's sentence for a reason. */
export function adviceFor(reason: ReasonName): string {
  return REASONS[reason].doc;
}

/**
 * Builders for the one results line every input row gets. Kept apart from the engine so that the
 * engine reads as a flow and every outcome's shape is visible in one place. Every builder goes
 * through `buildResult`, so a field's default is written once.
 */
import type { JournalFinished } from '../checkpoint/types.js';
import type { HeaderMap, InputProblem, TransferRow } from '../input/types.js';
import type { Outcome, RowResult } from './row-types.js';
import { reasonFor, type RowReason } from '../outcomes.js';

/** What a builder says about a row; everything left out is empty (0 for attempts). */
export interface ResultFields {
  readonly outcome: Outcome;
  readonly reason?: RowReason;
  readonly token?: string;
  readonly recordId?: string;
  readonly recordStatus?: string;
  readonly attempts?: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly finishedAt?: string;
  /** What preflight read of the product before any change. */
  readonly found?: FoundState | undefined;
}

/** The product as preflight found it, as the results and the journal keep it. */
export interface FoundState {
  readonly productStatus: string;
  readonly previousOwner: string;
  readonly previousOwnerSession: string;
  readonly previousLaunchRole: string;
}

type RowIdentity = Pick<RowResult, 'line' | 'provisionedProductId' | 'newOwner' | 'launchRole' | 'accountId' | 'region' | 'extra'>;

function buildResult(identity: RowIdentity, fields: ResultFields): RowResult {
  const found = fields.found;
  // A literal of one shape, no spread: this runs once a row, and the spread showed in profiles.
  return {
    line: identity.line,
    provisionedProductId: identity.provisionedProductId,
    newOwner: identity.newOwner,
    launchRole: identity.launchRole,
    accountId: identity.accountId,
    region: identity.region,
    extra: identity.extra,
    outcome: fields.outcome,
    reason: fields.reason ?? '',
    recordId: fields.recordId ?? '',
    recordStatus: fields.recordStatus ?? '',
    attempts: fields.attempts ?? 0,
    idempotencyToken: fields.token ?? '',
    errorCode: fields.errorCode ?? '',
    errorMessage: fields.errorMessage ?? '',
    finishedAt: fields.finishedAt ?? '',
    productStatus: found?.productStatus ?? '',
    previousOwner: found?.previousOwner ?? '',
    previousOwnerSession: found?.previousOwnerSession ?? '',
    previousLaunchRole: found?.previousLaunchRole ?? '',
  };
}

export function resultForRow(row: TransferRow, fields: ResultFields): RowResult {
  const { line, provisionedProductId, extra } = row;
  return buildResult(
    { line, provisionedProductId, newOwner: row.newOwner ?? '', launchRole: row.launchRole ?? '', accountId: row.accountId, region: row.region ?? '', extra },
    fields,
  );
}

/** A row finished by an earlier run of this checkpoint: echo what that run learned. */
export function resultFromJournal(row: TransferRow, token: string, finished: JournalFinished): RowResult {
  return resultForRow(row, {
    outcome: 'skipped',
    reason: finished.outcome === 'failed' ? '' : reasonFor.alreadyDone(finished.outcome),
    token,
    recordId: finished.recordId,
    recordStatus: finished.recordStatus,
    attempts: finished.attempts,
    finishedAt: finished.finishedAt,
    found: {
      productStatus: finished.productStatus ?? '',
      previousOwner: finished.previousOwner ?? '',
      previousOwnerSession: finished.previousOwnerSession ?? '',
      previousLaunchRole: finished.previousLaunchRole ?? '',
    },
  });
}

/**
 * A row done by an earlier run whose product no longer has its targets (read at no extra call):
 * what that run did, what the product has now, and the way back.
 */
export function resultForDrifted(row: TransferRow, token: string, finished: JournalFinished, found: FoundState): RowResult {
  return resultForRow(row, {
    outcome: 'drifted',
    reason: reasonFor.driftedSince(finished.outcome),
    token,
    recordId: finished.recordId,
    recordStatus: finished.recordStatus,
    finishedAt: finished.finishedAt,
    errorCode: 'Drifted',
    errorMessage:
      `done by an earlier run (record ${finished.recordId || 'none'}), but the product no longer has this row's targets ` +
      `(owner now ${found.previousOwner || '(none)'}${row.launchRole === undefined ? '' : `, launch role now ${found.previousLaunchRole || '(none)'}`}); ` +
      'its token is spent, so nothing was sent: rerun with --reconcile to put it back',
    found,
  });
}

/** An invalid row (only reported with --skip-invalid; otherwise the run never starts). */
export function resultForInvalid(line: number, raw: Readonly<Record<string, string>>, problems: readonly InputProblem[], header: HeaderMap): RowResult {
  const { idColumn, ownerColumn, launchRoleColumn } = header;
  const cell = (column: string | undefined): string => (column ? (raw[column] ?? '').trim() : '');
  const extra: Record<string, string> = {};
  for (const column of header.extraColumns) extra[column] = raw[column] ?? '';
  return buildResult(
    {
      line,
      provisionedProductId: cell(idColumn),
      newOwner: cell(ownerColumn),
      launchRole: cell(launchRoleColumn),
      accountId: cell(header.accountColumn),
      region: cell(header.regionColumn),
      extra,
    },
    {
      outcome: 'invalid',
      reason: reasonFor.problems(problems.map((p) => p.code)),
      errorCode: problems[0]?.code ?? '',
      errorMessage: problems.map((p) => p.message).join('; '),
    },
  );
}

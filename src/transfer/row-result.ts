/**
 * Builders for the one results line every input row gets. Kept apart from the engine so that the
 * engine reads as a flow and every outcome's shape is visible in one place.
 */
import type { JournalFinished } from '../checkpoint/types.js';
import type { HeaderMap, InputProblem, TransferRow } from '../input/types.js';
import type { Outcome, RowResult } from '../report/types.js';

interface ResultFields {
  readonly outcome: Outcome;
  readonly reason?: string;
  readonly token?: string;
  readonly recordId?: string;
  readonly recordStatus?: string;
  readonly attempts?: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly finishedAt?: string;
}

export function resultForRow(row: TransferRow, fields: ResultFields): RowResult {
  return {
    line: row.line,
    provisionedProductId: row.provisionedProductId,
    newOwner: row.newOwner ?? '',
    launchRole: row.launchRole ?? '',
    outcome: fields.outcome,
    reason: fields.reason ?? '',
    recordId: fields.recordId ?? '',
    recordStatus: fields.recordStatus ?? '',
    attempts: fields.attempts ?? 0,
    idempotencyToken: fields.token ?? '',
    errorCode: fields.errorCode ?? '',
    errorMessage: fields.errorMessage ?? '',
    finishedAt: fields.finishedAt ?? '',
    extra: row.extra,
  };
}

/** A row finished by an earlier run of this checkpoint: echo what that run learned. */
export function resultFromJournal(row: TransferRow, token: string, finished: JournalFinished): RowResult {
  return resultForRow(row, {
    outcome: 'skipped',
    reason: `already-${finished.outcome}`,
    token,
    recordId: finished.recordId,
    recordStatus: finished.recordStatus,
    attempts: finished.attempts,
    finishedAt: finished.finishedAt,
  });
}

/** An invalid row (only reported with --skip-invalid; otherwise the run never starts). */
export function resultForInvalid(
  line: number,
  raw: Readonly<Record<string, string>>,
  problems: readonly InputProblem[],
  header: HeaderMap,
): RowResult {
  const { idColumn, ownerColumn, launchRoleColumn } = header;
  const extra: Record<string, string> = {};
  for (const column of header.extraColumns) extra[column] = raw[column] ?? '';
  return {
    line,
    provisionedProductId: (raw[idColumn] ?? '').trim(),
    newOwner: ownerColumn ? (raw[ownerColumn] ?? '').trim() : '',
    launchRole: launchRoleColumn ? (raw[launchRoleColumn] ?? '').trim() : '',
    outcome: 'invalid',
    reason: problems.map((p) => p.code).join(';'),
    recordId: '',
    recordStatus: '',
    attempts: 0,
    idempotencyToken: '',
    errorCode: problems[0]?.code ?? '',
    errorMessage: problems.map((p) => p.message).join('; '),
    finishedAt: '',
    extra,
  };
}

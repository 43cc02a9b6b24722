/**
 * `undo`'s engine (pure): from what a run changed, the input CSV that puts it back. A row is put
 * back only in the keys it changed, to the exact value preflight read before the change: the
 * owner's session ARN where Search reported one (UserArnSession), else its UserArn; the launch
 * role it had. What cannot be put back is left out and said why: a row with no previous value
 * (run without preflight, or before it existed), or a launch role that was empty before (the API
 * accepts only a role ARN, so "no launch role" cannot be set again).
 */

/** A row as a run finished it: from a results line, or from a journal entry. */
export interface ChangedRow {
  readonly line: number;
  readonly provisionedProductId: string;
  /** The row's targets, '' for a key it left alone. */
  readonly newOwner: string;
  readonly launchRole: string;
  /** Whether the run changed the product: succeeded or submitted, now or by an earlier run. */
  readonly changed: boolean;
  readonly previousOwner: string;
  readonly previousOwnerSession: string;
  readonly previousLaunchRole: string;
  readonly finishedAt: string;
  /** The row's account and region, when the run had them (across accounts); '' otherwise. */
  readonly accountId: string;
  readonly region: string;
}

export interface UndoRow {
  readonly provisionedProductId: string;
  readonly newOwner: string;
  readonly launchRole: string;
  readonly accountId: string;
  readonly region: string;
  /** The line of the row it undoes (0 when read from a checkpoint that did not keep it). */
  readonly undoOfLine: number;
}

export interface LeftOut {
  readonly line: number;
  readonly provisionedProductId: string;
  readonly why: string;
}

export interface UndoPlan {
  readonly rows: readonly UndoRow[];
  /** Rows that changed a product but cannot be put back (wholly or for one key). */
  readonly leftOut: readonly LeftOut[];
  /** Rows that changed a product. */
  readonly changed: number;
}

/** The header of the undo CSV: `run`'s input columns, then the line it undoes. */
export const UNDO_COLUMNS = ['provisioned_product_id', 'new_owner', 'launch_role', 'undo_of_line'] as const;

/**
 * The undo CSV's header: UNDO_COLUMNS, with `account_id` and `region` before `undo_of_line` when
 * the run had them, so the undo of a run across accounts goes back through `run` with the same
 * options, each row in its own account and region.
 */
export function undoColumns(rows: readonly UndoRow[]): string[] {
  const [id, owner, role, line] = UNDO_COLUMNS;
  const account = rows.some((row) => row.accountId !== '');
  const region = rows.some((row) => row.region !== '');
  return [id, owner, role, ...(account ? ['account_id'] : []), ...(region ? ['region'] : []), line];
}

/** One undo row's cells, in undoColumns' order. */
export function undoCells(row: UndoRow, columns: readonly string[]): string[] {
  const cells: Record<string, string> = {
    provisioned_product_id: row.provisionedProductId,
    new_owner: row.newOwner,
    launch_role: row.launchRole,
    account_id: row.accountId,
    region: row.region,
    undo_of_line: String(row.undoOfLine),
  };
  return columns.map((column) => cells[column] ?? '');
}

/** Outcomes and reasons of a results line that mean "this run (or an earlier one) changed the product". */
export function isChangedResult(outcome: string, reason: string): boolean {
  return outcome === 'succeeded' || outcome === 'submitted' || (outcome === 'skipped' && (reason === 'already-succeeded' || reason === 'already-submitted'));
}

export function changedRowFromResult(cells: Readonly<Record<string, string>>): ChangedRow {
  const cell = (name: string) => (cells[name] ?? '').trim();
  return {
    line: Number(cell('line')) || 0,
    provisionedProductId: cell('provisioned_product_id'),
    newOwner: cell('new_owner'),
    launchRole: cell('launch_role'),
    changed: isChangedResult(cell('outcome'), cell('reason')),
    previousOwner: cell('previous_owner'),
    previousOwnerSession: cell('previous_owner_session'),
    previousLaunchRole: cell('previous_launch_role'),
    finishedAt: cell('finished_at'),
    accountId: cell('account_id'),
    region: cell('region'),
  };
}

/**
 * The undo rows, one per product. When a product was changed more than once (a reconciling
 * checkpoint), the earliest change's previous values are the state before the migration.
 */
export function planUndo(rows: Iterable<ChangedRow>): UndoPlan {
  const earliest = new Map<string, ChangedRow>();
  let changed = 0;
  for (const row of rows) {
    if (!row.changed) continue;
    changed += 1;
    const known = earliest.get(row.provisionedProductId);
    if (known === undefined || row.finishedAt < known.finishedAt) earliest.set(row.provisionedProductId, row);
  }
  const undo: UndoRow[] = [];
  const leftOut: LeftOut[] = [];
  for (const row of [...earliest.values()].sort((a, b) => a.line - b.line)) {
    const owner = row.newOwner === '' ? '' : row.previousOwnerSession || row.previousOwner;
    const launchRole = row.launchRole === '' ? '' : row.previousLaunchRole;
    const missing: string[] = [];
    if (row.newOwner !== '' && owner === '') missing.push('no previous owner was recorded (run without preflight?)');
    if (row.launchRole !== '' && launchRole === '') {
      missing.push(row.previousOwner === '' ? 'no previous launch role was recorded' : 'the launch role was empty before, and the API accepts only a role ARN');
    }
    const at = { line: row.line, provisionedProductId: row.provisionedProductId };
    if (missing.length > 0) leftOut.push({ ...at, why: `${owner === '' && launchRole === '' ? 'left out' : 'put back in part'}: ${missing.join('; ')}` });
    if (owner !== '' || launchRole !== '')
      undo.push({
        provisionedProductId: row.provisionedProductId,
        newOwner: owner,
        launchRole,
        accountId: row.accountId,
        region: row.region,
        undoOfLine: row.line,
      });
  }
  return { rows: undo, leftOut, changed };
}

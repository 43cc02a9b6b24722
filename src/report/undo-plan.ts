/**
 * `undo`'s engine (pure): from what a run changed, the input CSV that puts it back. A row is put
 * back only in the keys it changed, to the exact value preflight read before the change: the
 * owner's session ARN where Search reported one (UserArnSession), else its UserArn; the launch
 * role it had. What cannot be put back is left out and said why: a row with no previous value
 * (run without preflight, or before it existed), or a launch role that was empty before (the API
 * accepts only a role ARN, so "no launch role" cannot be set again).
 */
import { changedTheProduct } from '../outcomes.js';
import { CodedError } from '../coded-error.js';
import { columnKey, type CsvTableRow } from '../input/csv-table.js';
import { InputError } from '../input/input-error.js';

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

export function changedRowFromResult(cells: Readonly<Record<string, string>>): ChangedRow {
  const cell = (name: string) => (cells[name] ?? '').trim();
  return {
    line: Number(cell('line')) || 0,
    provisionedProductId: cell('provisioned_product_id'),
    newOwner: cell('new_owner'),
    launchRole: cell('launch_role'),
    changed: changedTheProduct(cell('outcome'), cell('reason')),
    previousOwner: cell('previous_owner'),
    previousOwnerSession: cell('previous_owner_session'),
    previousLaunchRole: cell('previous_launch_role'),
    finishedAt: cell('finished_at'),
    accountId: cell('account_id'),
    region: cell('region'),
  };
}

/** The columns a results CSV must have for undo. */
const NEEDED_RESULT_COLUMNS = ['line', 'provisioned_product_id', 'new_owner', 'launch_role', 'outcome', 'reason', 'previous_owner', 'previous_launch_role'];

/** Every column a results line is read by: changedRowFromResult's, and the outcome and reason that tell a rehearsal. */
const READ_RESULT_COLUMNS = [...NEEDED_RESULT_COLUMNS, 'previous_owner_session', 'finished_at', 'account_id', 'region'];

/** Results that record no change, only what would be: a dry run's or a verify's. */
const REHEARSAL_OUTCOMES: ReadonlySet<string> = new Set(['would-change']);

/** Results written by a dry run or a verify: they record what would change, not what changed. */
export class RehearsalResultsError extends CodedError<'REHEARSAL_RESULTS'> {
  /** The first row that says so. */
  readonly line: number;

  constructor(line: number) {
    super('REHEARSAL_RESULTS', `line ${line} records what would change, not what changed: a dry run's or a verify's results`);
    this.line = line;
  }
}

/**
 * The rows of a run's results CSV (`undo --results`), read by csv-table (streamCsvTable) as every CSV
 * of the tool is: header names compared by columnKey (the first of two columns with the same key is
 * read: the results' own columns come before the input's echoed ones), rows numbered by their
 * physical line. Throws an InputError: csv-table's CSV_MALFORMED; CSV_MALFORMED on a row whose cells
 * do not match the header; HEADER_MISSING_COLUMN when the header lacks a column undo needs (looked at
 * with the first row, so a results file with no rows plans nothing). Throws a RehearsalResultsError
 * at the first row of a dry run's or a verify's results.
 */
export async function changedRowsFromResults(table: AsyncIterable<CsvTableRow>): Promise<ChangedRow[]> {
  const rows: ChangedRow[] = [];
  let header: CsvTableRow | undefined;
  const at = new Map<string, number>();
  for await (const { line, cells } of table) {
    if (header === undefined) {
      header = { line, cells };
      cells.forEach((name, i) => {
        if (!at.has(columnKey(name))) at.set(columnKey(name), i);
      });
      continue;
    }
    if (cells.length !== header.cells.length) {
      throw new InputError('CSV_MALFORMED', `malformed CSV: this row has ${cells.length} cells but the header has ${header.cells.length} columns`, { line });
    }
    if (rows.length === 0) {
      const missing = NEEDED_RESULT_COLUMNS.filter((name) => !at.has(columnKey(name)));
      if (missing.length > 0) {
        throw new InputError('HEADER_MISSING_COLUMN', `not a results CSV of this version (missing column ${missing.join(', ')})`, { line: header.line });
      }
    }
    const record = Object.fromEntries(READ_RESULT_COLUMNS.flatMap((name) => (at.has(columnKey(name)) ? [[name, cells[at.get(columnKey(name))!] ?? '']] : [])));
    if (REHEARSAL_OUTCOMES.has(record.outcome ?? '') || (record.reason ?? '').startsWith('would-')) throw new RehearsalResultsError(line);
    rows.push(changedRowFromResult(record));
  }
  return rows;
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

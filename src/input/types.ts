/**
 * Contracts of the input stage: CSV file → validated rows. Everything here is plain data so the
 * transfer engine, the checkpoint and the report can share it without importing parsing code.
 */
import type { ProductIndex } from './product-index.js';

/** One valid row of the input, fields trimmed; an empty cell is `undefined`, never "". */
export interface TransferRow {
  /** 1-based physical line number of the row in the input file (the header is line 1). */
  readonly line: number;
  readonly provisionedProductId: string;
  readonly newOwner: string | undefined;
  readonly launchRole: string | undefined;
  /**
   * The account the product is in: the `account_id` cell when the file has one (it must agree with
   * the ARNs), else the account of the new owner and launch role ARNs.
   */
  readonly accountId: string;
  /** The `region` cell, when the file has that column and the cell is not empty. */
  readonly region?: string | undefined;
  /** Columns of the input other than the known ones, in input order, values untouched. */
  readonly extra: Readonly<Record<string, string>>;
}

/** Closed set of reasons a row or a file is refused. */
export type InputProblemCode =
  | 'FILE_NOT_FOUND'
  | 'NOT_A_REGULAR_FILE'
  | 'FILE_UNREADABLE'
  | 'FILE_CHANGED'
  | 'CSV_MALFORMED'
  | 'HEADER_MISSING'
  | 'HEADER_MISSING_COLUMN'
  | 'HEADER_DUPLICATE_COLUMN'
  | 'EMPTY_FILE'
  | 'ID_MISSING'
  | 'ID_INVALID'
  | 'NOTHING_TO_CHANGE'
  | 'VALUE_TOO_LONG'
  | 'OWNER_INVALID'
  | 'LAUNCH_ROLE_INVALID'
  | 'ACCOUNT_MISMATCH'
  | 'ACCOUNT_ID_INVALID'
  | 'REGION_INVALID'
  | 'CONFLICTING_DUPLICATE';

export interface InputProblem {
  readonly code: InputProblemCode;
  /** Physical line the problem is on (1 = header); 0 when it concerns the whole file. */
  readonly line: number;
  /** Column name as written in the header, when the problem is about one cell. */
  readonly column?: string;
  readonly message: string;
}

/** Identity of the input file as read by the validation pass, compared again by the run pass. */
export interface FileFingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  /** sha256 (hex) of the bytes read. */
  readonly sha256: string;
}

/** How the header's columns map to the three known fields. */
export interface HeaderMap {
  readonly columns: readonly string[];
  readonly idColumn: string;
  readonly ownerColumn: string | undefined;
  readonly launchRoleColumn: string | undefined;
  /** The optional `account_id` column, as written. */
  readonly accountColumn?: string | undefined;
  /** The optional `region` column, as written. */
  readonly regionColumn?: string | undefined;
  /** Extra column names as written in the input, in order. */
  readonly extraColumns: readonly string[];
}

/** Result of the streamed validation pass over the whole file. */
export interface InputScan {
  readonly header: HeaderMap;
  /** Data rows seen (blank lines are not rows). */
  readonly totalRows: number;
  readonly validRows: number;
  readonly invalidRows: number;
  /** Valid rows (first of their product) that set a launch role: preflight reads those launch roles. */
  readonly rowsSettingLaunchRole: number;
  /** Each distinct new owner and launch role of the valid rows, with how many rows set it (for the target check and the prompt). */
  readonly targets: { readonly owners: ReadonlyMap<string, number>; readonly launchRoles: ReadonlyMap<string, number> };
  /**
   * The valid rows (first of their product) of each account and region: `account` alone, or
   * `account/region` for rows whose `region` cell names one. A run across accounts makes one lane of each.
   */
  readonly places: ReadonlyMap<string, { readonly accountId: string; readonly region: string | undefined; readonly rows: number; readonly duplicates: number }>;
  /** Lines that repeat an earlier row with the same target: first line of each such product. */
  readonly duplicateRows: number;
  /** Problems found, in line order; at most `maxProblemsKept`, the rest only counted. */
  readonly problems: readonly InputProblem[];
  readonly problemCount: number;
  /** File problems (malformed CSV, missing header...) make the whole file unusable. */
  readonly fatal: InputProblem | undefined;
  readonly fingerprint: FileFingerprint;
  /**
   * Every product the file names, with the first line that names it (ProductIndex: compact, keeps
   * no id). The run pass reports later identical lines as `skipped` with reason
   * `duplicate-of-line-N`. Lines of conflicting duplicates are invalid.
   */
  readonly products: ProductIndex;
  /**
   * ARN cells (new owner, launch role) that had whitespace around them: trimmed, as every cell is,
   * and the trimmed value is the one checked, hashed into the token and sent; counted so that a run
   * says so. Absent: none (or a scan made elsewhere).
   */
  readonly trimmedArnCells?: TrimmedCells;
}

/** How many cells were trimmed, and the first (its line and column). */
export interface TrimmedCells {
  readonly count: number;
  readonly first: { readonly line: number; readonly column: string } | undefined;
}

/** What the run pass yields for each data row, in file order. */
export type InputRecord =
  | { readonly kind: 'valid'; readonly row: TransferRow; readonly duplicateOfLine: number | undefined }
  | {
      readonly kind: 'invalid';
      readonly line: number;
      /** Raw cells by column name, so the results CSV can echo the row. */
      readonly raw: Readonly<Record<string, string>>;
      readonly problems: readonly InputProblem[];
    };

/**
 * The input engine: parsed CSV records, in file order → header, rows, problems. Pure (no I/O):
 * the validation pass (scan.ts) and the run pass (read-records.ts) feed it the records csv-parse
 * produces, so both passes judge every line identically.
 *
 * Decisions:
 *   - a record whose cells are all empty or whitespace (`,,`, `  `) is a blank line, like an empty
 *     line: not a row, not counted;
 *   - the first non-blank record is the header (resolveHeader);
 *   - a row with more or fewer cells than the header has columns is invalid (CSV_MALFORMED on that
 *     line, not fatal): its cells cannot be trusted, so it is not checked further;
 *   - the file must be UTF-8 (a BOM is allowed): a record holding U+FFFD (what invalid UTF-8
 *     decodes to) or NUL is a fatal CSV_MALFORMED; so is a UTF-16 byte-order mark (line 1);
 *   - csv-parse errors (unclosed quote, stray quote, runaway record) are a fatal CSV_MALFORMED with
 *     the line: the start of the record for an unclosed quote or a runaway record, the line of the
 *     offending character otherwise.
 */
import { CsvError } from 'csv-parse';
import { DuplicateTracker, targetHash } from './duplicates.js';
import type { ProductIndex } from './product-index.js';
import { quoteValue } from './format.js';
import { isInputProblem, resolveHeader } from './header.js';
import { LineTracker } from './line-tracker.js';
import type { HeaderMap, InputProblem, InputRecord, TrimmedCells } from './types.js';
import { cleanCell, validateRow } from './validate-row.js';
import { PROVISIONED_PRODUCT_ID_MAX_LENGTH, PROVISIONED_PRODUCT_ID_PATTERN } from './api-constraints.js';

/** One record as csv-parse gives it with `raw: true`. */
export interface CsvRecord {
  readonly cells: readonly string[];
  /** Raw text of the record, including the line breaks before it (see LineTracker). */
  readonly raw: string;
}

export type EngineStep =
  | { readonly kind: 'blank'; readonly line: number }
  | { readonly kind: 'header'; readonly header: HeaderMap; readonly line: number }
  | { readonly kind: 'fatal'; readonly problem: InputProblem }
  | { readonly kind: 'record'; readonly record: InputRecord };

/** Thrown by the byte adapter when the file starts with a UTF-16 byte-order mark. */
export class Utf16InputError extends Error {
  constructor() {
    super('the file is UTF-16 text');
    this.name = 'Utf16InputError';
  }
}

/** Longest record accepted (csv-parse `max_record_size`): bounds memory when a quote is left open. */
export const MAX_RECORD_BYTES = 1024 * 1024;

// eslint-disable-next-line no-control-regex -- a NUL is what tells a binary file from text
const NOT_TEXT = /[\u0000\uFFFD]/;

export class InputEngine {
  readonly #lines = new LineTracker();
  readonly #duplicates: DuplicateTracker;
  #header: HeaderMap | undefined;
  #headerCells: readonly string[] = [];
  #fatal: InputProblem | undefined;
  #trimmed: TrimmedCells = { count: 0, first: undefined };

  /**
   * @param options.products the validation pass's index, given by the run pass, which then keeps
   *   nothing of its own (see DuplicateTracker).
   */
  constructor(options: { products?: ProductIndex } = {}) {
    this.#duplicates = new DuplicateTracker(options.products);
  }

  get header(): HeaderMap | undefined {
    return this.#header;
  }

  /** The header's cells as read, even when they were refused. */
  get headerCells(): readonly string[] {
    return this.#headerCells;
  }

  get fatal(): InputProblem | undefined {
    return this.#fatal;
  }

  get products(): ProductIndex {
    return this.#duplicates.products;
  }

  /** The new owner and launch role cells that had whitespace around them (trimmed, as every cell is). */
  get trimmedArnCells(): TrimmedCells {
    return this.#trimmed;
  }

  #noteTrimmed(raw: Readonly<Record<string, string>>, header: HeaderMap, line: number): void {
    for (const column of [header.ownerColumn, header.launchRoleColumn]) {
      const cell = column === undefined ? undefined : raw[column];
      if (column === undefined || cell === undefined || cell.trim() === '' || cell.trim() === cell) continue;
      this.#trimmed = { count: this.#trimmed.count + 1, first: this.#trimmed.first ?? { line, column } };
    }
  }

  push(record: CsvRecord): EngineStep {
    if (this.#fatal) return { kind: 'fatal', problem: this.#fatal };
    const line = this.#lines.consume(record.raw);
    const { cells } = record;
    if (NOT_TEXT.test(record.raw)) {
      return this.#setFatal({
        code: 'CSV_MALFORMED',
        line,
        message: 'the file is not UTF-8 text: this line holds an invalid UTF-8 byte sequence or a NUL byte; save the file as UTF-8 (CSV UTF-8)',
      });
    }
    if (cells.every((c) => c.trim() === '')) return { kind: 'blank', line };

    const header = this.#header;
    if (!header) {
      this.#headerCells = cells.map((c) => c.trim());
      const resolved = resolveHeader(cells, line);
      if (isInputProblem(resolved)) return this.#setFatal(resolved);
      this.#header = resolved;
      return { kind: 'header', header: resolved, line };
    }

    const raw = Object.fromEntries(header.columns.flatMap((name, i) => (name === '' || i >= cells.length ? [] : [[name, cells[i]!] as const])));
    if (cells.length !== header.columns.length) {
      const problem: InputProblem = {
        code: 'CSV_MALFORMED',
        line,
        message: `this row has ${cells.length} cell${cells.length === 1 ? '' : 's'} but the header has ${header.columns.length} columns; quote values that contain commas`,
      };
      return { kind: 'record', record: { kind: 'invalid', line, raw, problems: [problem] } };
    }

    this.#noteTrimmed(raw, header, line);
    const validation = validateRow(raw, line, header);
    if ('row' in validation) {
      const { row } = validation;
      const verdict = this.#duplicates.observe(row.provisionedProductId, line, targetHash(row.newOwner, row.launchRole));
      if (verdict.kind === 'duplicate') {
        return { kind: 'record', record: { kind: 'valid', row, duplicateOfLine: verdict.firstLine } };
      }
      if (verdict.kind === 'conflict') {
        const problem: InputProblem = {
          code: 'CONFLICTING_DUPLICATE',
          line,
          column: header.idColumn,
          message: verdict.firstWasInvalid
            ? `${header.idColumn} ${quoteValue(row.provisionedProductId)} is already listed on line ${verdict.firstLine}, which is invalid; fix or remove one of the two lines`
            : `${header.idColumn} ${quoteValue(row.provisionedProductId)} is already listed on line ${verdict.firstLine} with a different ${targetLabel(header)}; keep one of the two lines`,
        };
        return { kind: 'record', record: { kind: 'invalid', line, raw, problems: [problem] } };
      }
      return { kind: 'record', record: { kind: 'valid', row, duplicateOfLine: undefined } };
    }

    // An invalid row with a usable id still takes part in duplicate detection (see duplicates.ts).
    const id = cleanCell(raw[header.idColumn]);
    if (id !== undefined && id.length <= PROVISIONED_PRODUCT_ID_MAX_LENGTH && PROVISIONED_PRODUCT_ID_PATTERN.test(id)) {
      this.#duplicates.observeInvalid(id, line);
    }
    return { kind: 'record', record: { kind: 'invalid', line, raw, problems: validation.problems } };
  }

  /** Call at the end of the input: EMPTY_FILE when no header was found. */
  finish(): InputProblem | undefined {
    if (this.#fatal) return this.#fatal;
    if (!this.#header) {
      return this.#setFatal({
        code: 'EMPTY_FILE',
        line: 0,
        message: 'the input file is empty: it needs a header line (provisioned_product_id,new_owner,launch_role) and rows',
      }).problem;
    }
    return undefined;
  }

  /**
   * A csv-parse error (or Utf16InputError) → the fatal CSV_MALFORMED problem, with the physical
   * line. Anything else is not a CSV problem: undefined.
   */
  parseError(error: unknown): InputProblem | undefined {
    if (this.#fatal) return this.#fatal;
    if (error instanceof Utf16InputError) {
      return this.#setFatal({
        code: 'CSV_MALFORMED',
        line: 1,
        message: 'the file is UTF-16 text; save it as UTF-8 (CSV UTF-8)',
      }).problem;
    }
    if (!(error instanceof CsvError)) return undefined;
    const partial = typeof error['raw'] === 'string' ? error['raw'] : '';
    const start = this.#lines.consume(partial);
    const here = this.#lines.line;
    let line: number;
    let message: string;
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        line = start;
        message = 'a quoted field opened in this record is never closed (the file ends inside it); check the quotes';
        break;
      case 'CSV_MAX_RECORD_SIZE':
        line = start;
        message = `the record starting on this line is longer than ${MAX_RECORD_BYTES / (1024 * 1024)} MiB: probably a quote left open`;
        break;
      case 'CSV_INVALID_CLOSING_QUOTE':
        line = here;
        message = 'a closing quote must be followed by a comma or the end of the line; a quote inside a quoted field is written twice ("")';
        break;
      case 'INVALID_OPENING_QUOTE':
        line = here;
        message =
          'a quote (") appears inside an unquoted field; quote the whole field and write inner quotes twice (""), with no space before the opening quote';
        break;
      default:
        line = here;
        message = error.message;
    }
    return this.#setFatal({ code: 'CSV_MALFORMED', line, message: `malformed CSV: ${message} [${error.code}]` }).problem;
  }

  #setFatal(problem: InputProblem): { kind: 'fatal'; problem: InputProblem } {
    this.#fatal = problem;
    return { kind: 'fatal', problem };
  }
}

function targetLabel(header: HeaderMap): string {
  return [header.ownerColumn, header.launchRoleColumn].filter((c) => c !== undefined).join(' or ');
}

/**
 * The CSV tables the tool reads besides its input: the small ones a command reads whole (the
 * accounts file, the owner and launch-role maps: parseCsvTable) and a run's results, which `undo
 * --results` reads a row at a time (streamCsvTable). A header and rows, each row with the physical
 * line it starts on, counted as the input's are (LineTracker: blank lines, quoted line breaks and
 * CRLF included), so a message names the line a person sees in an editor. Header names are
 * compared as the input's are: `columnKey`. A file that is not CSV is CSV_MALFORMED on its line
 * (csvParseProblem). Pure: the text or a byte stream in.
 */
import type { Readable } from 'node:stream';
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { CSV_PARSE_OPTIONS, parseCsvStream } from './csv-stream.js';
import { MAX_RECORD_BYTES, Utf16InputError } from './engine.js';
import { InputError } from './input-error.js';
import { LineTracker } from './line-tracker.js';
import type { InputProblem } from './types.js';

export interface CsvTableRow {
  /** The physical line the row starts on (1 is the header). */
  readonly line: number;
  readonly cells: readonly string[];
}

export type CsvTable =
  | { readonly ok: true; readonly header: readonly string[]; readonly rows: readonly CsvTableRow[] }
  /** Not CSV: CSV_MALFORMED, on the physical line where it stops being CSV. */
  | { readonly ok: false; readonly code: 'CSV_MALFORMED'; readonly line: number; readonly message: string };

/** A header name as every CSV of the tool compares it: case, spaces, `_` and `-` ignored. */
export function columnKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

/**
 * Parses `text` (UTF-8, a BOM allowed, blank lines skipped); an empty file is a table with an empty
 * header. Every cell is trimmed, a quoted one too (`" arn:… "`), as the input's cells are
 * (validate-row.ts) and streamCsvTable's: the value checked is the value used, so a map's ARN with
 * a space around it cannot pass its check trimmed and then match nothing as written.
 */
export function parseCsvTable(text: string): CsvTable {
  let records: Array<{ record: string[]; raw: string }>;
  let failure: CsvError | undefined;
  try {
    // The input's own options (csv-stream.ts), cells trimmed: one way of reading CSV. An error is
    // kept, not thrown, so the records before it still count the lines up to it.
    records = parse(text, {
      ...CSV_PARSE_OPTIONS,
      trim: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        failure ??= error;
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; raw: string }>;
  } catch (error) {
    return { ok: false, code: 'CSV_MALFORMED', line: 0, message: `not a readable CSV (${(error as Error).message})` };
  }
  const lines = new LineTracker();
  // The first error's `records`: how many records came before it (the later ones are not used).
  const read = failure === undefined ? records : records.slice(0, Number(failure['records']) || 0);
  const located = read.map(({ record, raw }) => ({ line: lines.consume(raw), cells: record.map((cell) => cell.trim()) }));
  if (failure !== undefined) {
    return { ok: false, code: 'CSV_MALFORMED', line: csvParseLine(failure, lines), message: `not a readable CSV (${failure.message})` };
  }
  const [header, ...rows] = located;
  return { ok: true, header: header?.cells ?? [], rows };
}

/**
 * Reads a CSV byte stream a row at a time, as the input is read (parseCsvStream: the same options,
 * a UTF-16 file refused, nothing read ahead of the consumer), cells trimmed as the input's are,
 * blank lines skipped; the first row yielded is the header. A file that is not CSV throws an
 * InputError CSV_MALFORMED on its physical line (csvParseProblem), after every row before it; the
 * stream's own errors (a file that cannot be read) pass through as they are.
 */
export async function* streamCsvTable(source: Readable): AsyncGenerator<CsvTableRow, void, undefined> {
  const lines = new LineTracker();
  const records = parseCsvStream(source);
  for (;;) {
    let next: IteratorResult<{ readonly cells: readonly string[]; readonly raw: string }>;
    try {
      next = await records.next();
    } catch (error) {
      const problem = csvParseProblem(error, lines);
      throw problem === undefined ? error : InputError.fromProblem(problem, { cause: error });
    }
    if (next.done === true) return;
    yield { line: lines.consume(next.value.raw), cells: next.value.cells.map((cell) => cell.trim()) };
  }
}

/**
 * A csv-parse error (or a UTF-16 file) as the problem every CSV of the tool reports: CSV_MALFORMED
 * on the physical line, `lines` having consumed every record before it (the input engine's
 * wording). Undefined for any other error.
 */
export function csvParseProblem(error: unknown, lines: LineTracker): InputProblem | undefined {
  if (error instanceof Utf16InputError) return { code: 'CSV_MALFORMED', line: 1, message: 'the file is UTF-16 text; save it as UTF-8 (CSV UTF-8)' };
  if (!(error instanceof CsvError)) return undefined;
  const line = csvParseLine(error, lines);
  return { code: 'CSV_MALFORMED', line, message: `malformed CSV: ${CSV_PARSE_MESSAGES[error.code] ?? error.message} [${error.code}]` };
}

/** The line of a csv-parse error: where its record starts for a quote never closed or a runaway record, the line it stopped on otherwise. */
function csvParseLine(error: CsvError, lines: LineTracker): number {
  const start = lines.consume(typeof error['raw'] === 'string' ? error['raw'] : '');
  return error.code === 'CSV_QUOTE_NOT_CLOSED' || error.code === 'CSV_MAX_RECORD_SIZE' ? start : lines.line;
}

const CSV_PARSE_MESSAGES: Partial<Record<CsvError['code'], string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field opened in this record is never closed (the file ends inside it); check the quotes',
  CSV_MAX_RECORD_SIZE: `the record starting on this line is longer than ${MAX_RECORD_BYTES / (1024 * 1024)} MiB: probably a quote left open`,
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote must be followed by a comma or the end of the line; a quote inside a quoted field is written twice ("")',
  INVALID_OPENING_QUOTE:
    'a quote (") appears inside an unquoted field; quote the whole field and write inner quotes twice (""), with no space before the opening quote',
};

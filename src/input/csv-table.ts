/**
 * The small CSVs a command reads whole (the accounts file, the owner and launch-role maps): a
 * header and rows, each row with the physical line it starts on, counted as the input's are
 * (LineTracker: blank lines, quoted line breaks and CRLF included), so a message names the line a
 * person sees in an editor. Header names are compared as the input's are: `columnKey`. Pure.
 */
import { parse } from 'csv-parse/sync';
import { CSV_PARSE_OPTIONS } from './csv-stream.js';
import { LineTracker } from './line-tracker.js';

export interface CsvTableRow {
  /** The physical line the row starts on (1 is the header). */
  readonly line: number;
  readonly cells: readonly string[];
}

export type CsvTable =
  { readonly ok: true; readonly header: readonly string[]; readonly rows: readonly CsvTableRow[] } | { readonly ok: false; readonly message: string };

/** A header name as every CSV of the tool compares it: case, spaces, `_` and `-` ignored. */
export function columnKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

/** Parses `text` (UTF-8, a BOM allowed, cells trimmed, blank lines skipped); an empty file is a table with an empty header. */
export function parseCsvTable(text: string): CsvTable {
  let records: Array<{ record: string[]; raw: string }>;
  try {
    // The input's own options (csv-stream.ts), cells trimmed: one way of reading CSV.
    records = parse(text, { ...CSV_PARSE_OPTIONS, trim: true }) as unknown as Array<{ record: string[]; raw: string }>;
  } catch (error) {
    return { ok: false, message: `not a readable CSV (${(error as Error).message})` };
  }
  const lines = new LineTracker();
  const located = records.map(({ record, raw }) => ({ line: lines.consume(raw), cells: record }));
  const [header, ...rows] = located;
  return { ok: true, header: header?.cells ?? [], rows };
}

/**
 * The results CSV: one line per input row, streamed to `<path>.partial` while the run goes on and
 * renamed over `<path>` only by close(). A crash, a kill -9 or a full disk therefore never leaves a
 * truncated file under the name a script or a person would open; at worst a `.partial` is left.
 *
 * Operators open this file in spreadsheets, and several cells echo text that came from the input
 * or from AWS error messages, so string cells that a spreadsheet would evaluate as a formula are
 * neutralised (CSV/formula injection).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { identityAt, identityOf, sameFile, type FileIdentity } from '../file-identity.js';
import { open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { LocalFileError } from '../local-file-error.js';
import { commitFile, makeFolder } from './atomic-file.js';
import { PLACE_COLUMNS, RESULT_COLUMN_NAMES, RESULT_COLUMNS, type PlaceColumnName, type RowResult } from './types.js';

export interface ResultsWriterOptions {
  /** Final results path; the data goes to `<path>.partial` until close(). */
  readonly path: string;
  /** Extra input columns to echo after the fixed results columns, in input order. */
  readonly extraColumns: readonly string[];
  /** Optional columns this run has (`account_id`, `region`), written after the fixed ones. Default none. */
  readonly placeColumns?: readonly PlaceColumnName[];
}

export interface ResultsWriter {
  readonly path: string;
  readonly partialPath: string;
  /** The header line as written (see resultHeader). */
  readonly header: readonly string[];
  /**
   * Queues one results line. Resolves when the writer can take more (backpressure): a caller that
   * awaits every write never buffers more than a stream high-water mark in memory.
   * Rejects with a LocalFileError if the file cannot be written (e.g. disk full), or if the writer
   * is closed/aborted.
   */
  write(result: RowResult): Promise<void>;
  /**
   * Flushes, fsyncs and atomically renames `<path>.partial` to `<path>`. Idempotent once it
   * succeeded; rejects with a LocalFileError naming the file that could not be written.
   */
  close(): Promise<void>;
  /** Stops writing and removes the partial file; the final path is left untouched. Never throws. */
  abort(): Promise<void>;
  /**
   * Why `<path>.partial` is no longer the file this writer writes (removed, renamed, replaced, its
   * folder deleted), or undefined while it is. The run checks it before sending more rows: the
   * results would otherwise be lost at the final rename, after every product was updated.
   */
  movedAway(): Promise<string | undefined>;
}

/** Leading characters that make Excel/LibreOffice/Sheets treat a cell as a formula (OWASP list). */
const FORMULA_TRIGGERS: ReadonlySet<string> = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * Prefixes a single quote to a cell a spreadsheet would evaluate as a formula. Applied to string
 * cells only: numeric columns (`line`, `attempts`) are written as numbers and are never negative,
 * so the simple rule costs nothing there. A string such as "-1" in an extra column does get the
 * quote; that is the accepted price of a rule with no exceptions to get wrong.
 */
export function neutraliseFormula(cell: string): string {
  const first = cell.charAt(0);
  return first !== '' && FORMULA_TRIGGERS.has(first) ? `'${cell}` : cell;
}

/**
 * The final header: RESULT_COLUMNS, then the extra input columns. An extra column whose name clashes
 * with a results column (case-insensitively, since many CSV readers and spreadsheets ignore case) is
 * renamed `input_<name>`, repeatedly if `input_<name>` is itself taken, so every header is unique and
 * a reader keyed on header names never confuses an echoed input value with our own column.
 * Header cells come from the input, so they are neutralised like any other string cell.
 */
export function resultHeader(extraColumns: readonly string[], placeColumns: readonly PlaceColumnName[] = []): string[] {
  const header: string[] = [...RESULT_COLUMN_NAMES, ...PLACE_COLUMNS.filter(({ name }) => placeColumns.includes(name)).map(({ name }) => name)];
  const taken = new Set(header.map((name) => name.toLowerCase()));
  for (const column of extraColumns) {
    let name = neutraliseFormula(column);
    while (taken.has(name.toLowerCase())) name = `input_${name}`;
    taken.add(name.toLowerCase());
    header.push(name);
  }
  return header;
}

/** One results line as cells, in resultHeader order; `extraColumns` are the original input names. */
export function resultCells(result: RowResult, extraColumns: readonly string[], placeColumns: readonly PlaceColumnName[] = []): (string | number)[] {
  const fixed = RESULT_COLUMNS.map(({ cell }) => {
    const value = cell(result);
    return typeof value === 'string' ? neutraliseFormula(value) : value;
  });
  const places = PLACE_COLUMNS.filter(({ name }) => placeColumns.includes(name)).map(({ cell }) => neutraliseFormula(cell(result)));
  return [...fixed, ...places, ...extraColumns.map((column) => neutraliseFormula(result.extra[column] ?? ''))];
}

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV line (with its newline) as csv-stringify writes it with its defaults: a cell holding a
 * comma, a double quote, CR or LF is quoted, its quotes doubled (RFC 4180). Built here, per row,
 * because csv-stringify's Transform stream cost about 60 µs a row, a tenth of a row's whole CPU
 * time; a unit test holds this equal to csv-stringify's output.
 */
export function csvLine(cells: readonly (string | number)[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i += 1) {
    const value = String(cells[i]);
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }
  return `${line}\n`;
}

type WriterState = 'open' | 'closing' | 'closed' | 'aborted';

/** How long result lines gather before they are written together (`close` writes what is left at once). */
const RESULTS_BATCH_MS = 50;

/**
 * Writes to `out` in batches: the lines of RESULTS_BATCH_MS go out in one write, where a write a
 * line was a system call (and a thread-pool hand-off) a row. The checkpoint, not this file, is
 * what a crash relies on. `write` returns what the stream's does: false when the caller must wait
 * for 'drain', which never comes while the stream is corked, so a full buffer is written at once.
 */
function lineBatches(out: WriteStream): { write(line: string): boolean; flush(): void; cancel(): void } {
  let batch: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    if (batch === undefined) return;
    clearTimeout(batch);
    batch = undefined;
    out.uncork();
  };
  return {
    write(line) {
      if (batch === undefined) {
        out.cork();
        batch = setTimeout(flush, RESULTS_BATCH_MS);
        batch.unref();
      }
      const roomLeft = out.write(line);
      if (!roomLeft) flush();
      return roomLeft;
    },
    flush,
    cancel() {
      if (batch !== undefined) clearTimeout(batch);
      batch = undefined;
    },
  };
}

/** Whether `path` still names the file `identity` was taken of (synchronous, as the checkpoint's own check). */
function stillThere(path: string, identity: FileIdentity): boolean {
  try {
    const now = identityAt(path);
    return now !== undefined && sameFile(now, identity);
  } catch {
    return false;
  }
}

/** Creates `<path>.partial` (and the parent directory) and writes the header line. */
export async function openResultsWriter(options: ResultsWriterOptions): Promise<ResultsWriter> {
  const { path } = options;
  const extraColumns = [...options.extraColumns];
  const partialPath = `${path}.partial`;
  const placeColumns = [...(options.placeColumns ?? [])];
  const header = resultHeader(extraColumns, placeColumns);

  const failed = (error: unknown): LocalFileError => LocalFileError.wrap('results file', partialPath, error);
  const { out, identity } = await createPartialFile(path, partialPath, failed);

  let state: WriterState = 'open';
  let failure: unknown;
  let drainWaiter: Promise<void> | undefined;
  const lines = lineBatches(out);

  const done = finished(out);
  // Remember the first I/O error so every later call reports it instead of hanging.
  done.catch((error: unknown) => {
    failure ??= error;
  });
  out.write(csvLine(header));

  // Shared by all concurrent writers: one 'drain' listener however many rows wait for it.
  const waitForDrain = (): Promise<void> => {
    drainWaiter ??= Promise.race([
      once(out, 'drain').then(() => undefined),
      done.then(() => {
        throw new Error('results stream ended while rows were still being written');
      }),
    ]).finally(() => {
      drainWaiter = undefined;
    });
    return drainWaiter;
  };

  return {
    path,
    partialPath,
    header,

    async write(result: RowResult): Promise<void> {
      if (state !== 'open') throw new Error(`results writer is ${state}; cannot write line ${result.line}`);
      if (failure !== undefined) throw failed(failure);
      if (!lines.write(csvLine(resultCells(result, extraColumns, placeColumns)))) {
        await waitForDrain().catch((error: unknown) => {
          throw failed(failure ?? error);
        });
      }
    },

    async close(): Promise<void> {
      if (state === 'closed') return;
      if (state !== 'open') throw new Error(`results writer is ${state}; cannot close`);
      state = 'closing';
      lines.flush();
      out.end();
      // On failure the state stays 'closing', so a later abort() still removes the partial file.
      try {
        await done;
        // Data must be on disk before the rename makes it visible under the real name. The stream
        // has closed its descriptor by now; fsync through a new one flushes the same file.
        await fsyncFile(partialPath);
      } catch (error) {
        throw failed(error);
      }
      await commitFile(partialPath, path).catch((error: unknown) => {
        throw LocalFileError.wrap('results file', path, error);
      });
      state = 'closed';
    },

    async movedAway(): Promise<string | undefined> {
      if (identity === undefined || state !== 'open') return undefined;
      if (stillThere(partialPath, identity)) return undefined;
      return `the results file '${partialPath}' was removed or replaced while the run went on`;
    },

    async abort(): Promise<void> {
      if (state === 'closed' || state === 'aborted') return;
      state = 'aborted';
      lines.cancel();
      out.destroy();
      await done.catch(() => undefined);
      await rm(partialPath, { force: true }).catch(() => undefined);
    },
  };
}

/**
 * Creates `<path>.partial` (and the folder) for writing. 'w' truncates a `.partial` left behind by
 * a crashed earlier run: its rows are re-emitted by this run (the checkpoint, not the results
 * file, is the source of truth for resuming). A path-based stream (not FileHandle.createWriteStream
 * with autoClose false): a FileHandle that a stream still references never finishes close(), which
 * hung close() in practice. Returns the stream and the file's identity, for movedAway().
 */
async function createPartialFile(
  path: string,
  partialPath: string,
  failed: (error: unknown) => LocalFileError,
): Promise<{ out: WriteStream; identity: FileIdentity | undefined }> {
  // makeFolder, not mkdir({recursive}), which spins for ever under /proc.
  await makeFolder(dirname(path)).catch((error: unknown) => {
    throw failed(error);
  });
  const out = createWriteStream(partialPath, { flags: 'w', encoding: 'utf8' });
  try {
    // Surface "cannot create the file" here, not on the first write.
    await once(out, 'ready');
  } catch (error) {
    out.destroy();
    throw failed(error);
  }
  // Just created by this writer: the file the name holds now is the one it writes.
  const identity = await stat(partialPath).then(identityOf, () => undefined);
  return { out, identity };
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

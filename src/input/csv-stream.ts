/**
 * Thin I/O adapters around csv-parse: open the input file safely, and turn a byte stream into a
 * pull stream of CsvRecord, with backpressure.
 *
 * parseCsvStream is an async generator over `pipeline(source, tap, csv-parse)`: nothing is read
 * ahead beyond the streams' buffers (64 KiB of bytes, 16 records), so a consumer that pulls slowly
 * reads the file slowly. Returning early (`break` in `for await`), an error or the abort signal
 * destroys the three streams, and the generator only finishes once the source has closed (the file
 * descriptor is released when `return()` resolves).
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { addAbortSignal, pipeline, Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse, type CsvError, type Parser } from 'csv-parse';
import { MAX_RECORD_BYTES, Utf16InputError, type CsvRecord } from './engine.js';
import { quoteValue } from './format.js';
import { InputError } from './input-error.js';
import { errorText } from '../errors.js';

/** csv-parse options shared by both passes. */
export const CSV_PARSE_OPTIONS = {
  bom: true,
  raw: true,
  skip_empty_lines: true,
  relax_column_count: true,
  max_record_size: MAX_RECORD_BYTES,
} as const;

const PARSE_ERROR = Symbol('csv-parse error');
type ParserOutput = { record: string[]; raw: string } | { [PARSE_ERROR]: CsvError };

export interface ParseCsvOptions {
  readonly signal?: AbortSignal | undefined;
  /** Sees every chunk of bytes before csv-parse does (hashing, size checks); may throw to stop. */
  readonly onChunk?: ((chunk: Buffer) => void) | undefined;
}

/** Yields the records of `source` (a byte stream) as csv-parse parses them, pulled on demand. */
export async function* parseCsvStream(source: Readable, options: ParseCsvOptions = {}): AsyncGenerator<CsvRecord, void, undefined> {
  const { signal, onChunk } = options;
  let head: Buffer | undefined = Buffer.alloc(0);
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        if (head !== undefined) {
          // Look at the first two bytes for a UTF-16 byte-order mark (csv-parse mis-parses UTF-16).
          head = Buffer.concat([head, chunk.subarray(0, 2)]).subarray(0, 2);
          if (head.length === 2) {
            if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
              throw new Utf16InputError();
            }
            head = undefined;
          }
        }
        onChunk?.(chunk);
        callback(null, chunk);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  // A csv-parse error must come AFTER the records parsed before it: an error that destroys the
  // stream would drop the records still buffered (and the line count with them). So errors are
  // "skipped" by csv-parse and pushed, in order, as a marker this generator throws when it gets
  // there. Nothing after the first error is used.
  const parser: Parser = parse({
    ...CSV_PARSE_OPTIONS,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error) parser.push({ [PARSE_ERROR]: error });
      return undefined;
    },
  });
  if (signal) addAbortSignal(signal, parser);
  // Errors surface through the parser's async iterator; the callback only keeps pipeline quiet.
  pipeline(source, tap, parser, () => {});
  try {
    signal?.throwIfAborted();
    for await (const item of parser as AsyncIterable<ParserOutput>) {
      if (PARSE_ERROR in item) throw item[PARSE_ERROR];
      yield { cells: item.record, raw: item.raw };
    }
  } finally {
    // finished() waits for 'close' (the descriptor released), whatever way the stream ends.
    const closed = finished(source).catch(() => {});
    parser.destroy();
    tap.destroy();
    source.destroy();
    await closed;
  }
}

export interface OpenedInput {
  readonly handle: FileHandle;
  readonly stats: Stats;
}

/**
 * Opens `path` for reading after checking it is a regular file: FILE_NOT_FOUND, NOT_A_REGULAR_FILE
 * (directory, FIFO, socket, device) or FILE_UNREADABLE as an InputError. The file is checked
 * before opening (opening a FIFO would block) and the open descriptor is checked again.
 */
export async function openInputFile(path: string): Promise<OpenedInput> {
  const before = await statInput(path);
  refuseIfNotRegular(path, before);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: should a FIFO replace the file between stat and open, open must not block.
    handle = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw fileSystemError(path, error);
  }
  try {
    const stats = await handle.stat();
    refuseIfNotRegular(path, stats);
    return { handle, stats };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error instanceof InputError ? error : fileSystemError(path, error);
  }
}

/** stat(2) of the input, with file-system errors as InputError. */
export async function statInput(path: string): Promise<Stats> {
  if (path === '') throw new InputError('FILE_NOT_FOUND', 'no input file given');
  try {
    return await stat(path);
  } catch (error) {
    throw fileSystemError(path, error);
  }
}

function refuseIfNotRegular(path: string, stats: Stats): void {
  if (stats.isFile()) return;
  const what = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO (named pipe)'
      : stats.isSocket()
        ? 'a socket'
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  throw new InputError(
    'NOT_A_REGULAR_FILE',
    `input ${quoteValue(path, 200)} is ${what}; give a regular CSV file (it is read twice: once to validate, once to run)`,
  );
}

/** A file-system error reading the input as an InputError (FILE_NOT_FOUND or FILE_UNREADABLE). */
export function fileSystemError(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const shown = quoteValue(path, 200);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new InputError('FILE_NOT_FOUND', `input file ${shown} not found`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new InputError('FILE_UNREADABLE', `input file ${shown} is not readable: permission denied`, { cause: error });
  }
  const detail = errorText(error);
  return new InputError('FILE_UNREADABLE', `input file ${shown} could not be read: ${detail}`, { cause: error });
}

/** True for the error an aborted signal makes streams throw. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as NodeJS.ErrnoException).code === 'ABORT_ERR');
}

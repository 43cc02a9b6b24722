/**
 * The run pass: reads the input again, streamed, and yields every data row in file order, judged
 * as the validation pass judged it (same engine, reading its product index), with `duplicateOfLine`
 * on later identical rows. The one difference: two products whose ids share the index's hash,
 * which the validation pass counted as one, are told apart here (see ProductIndex).
 *
 * The file must be the one that was validated: it is re-stat'ed before reading (size, mtime,
 * inode) and its sha256 compared at the end; any difference throws InputError FILE_CHANGED (so
 * does reading more bytes than were validated, as soon as it happens). It is a pull stream: bytes
 * are read only as the consumer asks for rows. Breaking out of `for await`, or the signal aborting
 * (the next pull rejects with the AbortError), closes the file.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { InputEngine } from './engine.js';
import { fileSystemError, isAbortError, openInputFile, parseCsvStream, statInput } from './csv-stream.js';
import { formatProblem, quoteValue } from './format.js';
import { InputError } from './input-error.js';
import { isErrno, READ_CHUNK_BYTES, sameFile } from './scan.js';
import type { FileFingerprint, InputRecord, InputScan } from './types.js';

export interface ReadRecordsOptions {
  readonly signal?: AbortSignal | undefined;
}

export async function* readInputRecords(path: string, scan: InputScan, options: ReadRecordsOptions = {}): AsyncGenerator<InputRecord, void, undefined> {
  const { signal } = options;
  if (scan.fatal) throw InputError.fromProblem(scan.fatal);
  signal?.throwIfAborted();
  const expected = scan.fingerprint;
  const changed = (detail: string): InputError =>
    new InputError('FILE_CHANGED', `input file ${quoteValue(path, 200)} changed since it was validated (${detail}); validate it again before running`);
  const checkStats = (stats: Stats): void => {
    if (!sameFile(stats, expected)) throw changed(describeStatChange(stats, expected));
  };

  checkStats(await statInput(path));
  const { handle, stats } = await openInputFile(path);
  try {
    checkStats(stats);
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }

  const hash = createHash('sha256');
  let bytesRead = 0;
  const onChunk = (chunk: Buffer): void => {
    bytesRead += chunk.length;
    if (bytesRead > expected.size) throw changed(`it is now longer than the ${expected.size} bytes validated`);
    hash.update(chunk);
  };
  const engine = new InputEngine({ products: scan.products });
  const expectedColumns = scan.header.columns.join('\u0000');

  try {
    const source = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    for await (const record of parseCsvStream(source, { signal, onChunk })) {
      const step = engine.push(record);
      if (step.kind === 'record') {
        yield step.record;
      } else if (step.kind === 'header') {
        if (step.header.columns.join('\u0000') !== expectedColumns) throw changed('its header differs');
      } else if (step.kind === 'fatal') {
        throw changed(`it no longer parses: ${formatProblem(step.problem)}`);
      }
    }
  } catch (error) {
    if (error instanceof InputError || isAbortError(error)) throw error;
    const problem = engine.parseError(error);
    if (problem) throw changed(`it no longer parses: ${formatProblem(problem)}`);
    throw isErrno(error) ? fileSystemError(path, error) : error;
  } finally {
    await handle.close().catch(() => {});
  }

  const end = engine.finish();
  if (end) throw changed(formatProblem(end));
  if (bytesRead !== expected.size) throw changed(`${bytesRead} bytes read, ${expected.size} validated`);
  if (hash.digest('hex') !== expected.sha256) throw changed('its content differs: sha256 mismatch');
  // The bytes read were the validated ones, but the file may have been edited after they were
  // buffered (an appended row would otherwise be silently ignored): look once more.
  checkStats(await statInput(path));
}

function describeStatChange(now: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>, then: FileFingerprint): string {
  if (now.ino !== then.ino) return 'it was replaced by another file';
  if (now.size !== then.size) return `its size went from ${then.size} to ${now.size} bytes`;
  return 'its modification time differs';
}

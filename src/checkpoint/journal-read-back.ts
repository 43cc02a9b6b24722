/**
 * Reading one journal entry back by its byte offset (TokenTable keeps offsets, not entries), and
 * answering a token's lookup from it. The line is read with positional reads, so an append going
 * on at the end of the same file is never in the way. A line that no longer parses, or that is not
 * the kind of entry its token's state says, means the file changed under the run: CORRUPT.
 */
import { OUTCOMES } from '../outcomes.js';
import { CheckpointError, systemErrorText } from './checkpoint-error.js';
import type { CheckpointFile } from './checkpoint-fs.js';
import { entryProblem, MAX_LINE_BYTES } from './journal-entries.js';
import { TokenStateCode, type TokenTable } from './token-table.js';
import { targetsKey, type ProductLedger } from './product-ledger.js';
import type { JournalChangeFields, JournalRowEntry, TokenState } from './types.js';

/** How much one read takes: a window of the file that the next lookups are likely to fall in. */
const WINDOW_BYTES = 64 * 1024;

/**
 * The last window read from the file. A resume looks rows up in input order, and a journal is
 * written roughly in that order, so most entries are in the window the previous one was read
 * with: one read a few hundred rows instead of one a row. The part of the file it covers was
 * written before the run opened it and is never rewritten, so it cannot go stale.
 */
export class ReadWindow {
  start = 0;
  buffer: Buffer = Buffer.alloc(0);
}

/** The entry whose line starts at `offset` (from `window` when it holds the whole line). */
export async function readEntryAt(file: CheckpointFile, offset: number, path: string, window = new ReadWindow()): Promise<JournalRowEntry> {
  const inWindow = offset - window.start;
  if (inWindow >= 0 && inWindow < window.buffer.length) {
    const end = window.buffer.indexOf(0x0a, inWindow);
    if (end !== -1) return parseEntry(window.buffer.subarray(inWindow, end), offset, path);
  }
  let size = WINDOW_BYTES;
  for (;;) {
    const buffer = Buffer.allocUnsafe(size);
    let bytesRead: number;
    try {
      bytesRead = file.readSync !== undefined ? file.readSync(buffer, 0, size, offset) : (await file.read(buffer, 0, size, offset)).bytesRead;
    } catch (error) {
      throw new CheckpointError('IO_ERROR', `Cannot read checkpoint ${path} at byte ${offset}: ${systemErrorText(error)}`, { cause: error });
    }
    const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (end !== -1 || bytesRead < size) {
      window.start = offset;
      window.buffer = buffer.subarray(0, bytesRead);
      return parseEntry(buffer.subarray(0, end === -1 ? bytesRead : end), offset, path);
    }
    if (size > MAX_LINE_BYTES) throw corruptAt(path, offset, `the line is longer than ${MAX_LINE_BYTES} bytes`);
    size *= 4;
  }
}

function parseEntry(bytes: Buffer, offset: number, path: string): JournalRowEntry {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corruptAt(path, offset, 'the line is not valid JSON');
  }
  const problem = entryProblem(value);
  if (problem !== undefined) throw corruptAt(path, offset, problem);
  const entry = value as { type: string };
  if (entry.type !== 'sent' && entry.type !== 'finished') throw corruptAt(path, offset, `a ${entry.type} entry where a row's entry was replayed`);
  return value as JournalRowEntry;
}

function corruptAt(path: string, offset: number, reason: string): CheckpointError {
  return new CheckpointError(
    'CORRUPT',
    `Checkpoint ${path} is corrupt at byte ${offset}: ${reason}. It read well when the run opened it, so it was changed while the run went on; ` +
      `stop whatever writes to it, and rerun (the rows already sent are resent with the same idempotency tokens).`,
  );
}

/**
 * A token's state by the table, with its entry read back; undefined when the journal has none. A
 * done row whose targets are not what its product was last left done with (`products`) is
 * `superseded`: a later change of the ledger set the product to other targets.
 */
export async function lookupToken(
  table: TokenTable,
  file: CheckpointFile,
  token: string,
  path: string,
  window?: ReadWindow,
  products?: ProductLedger,
): Promise<TokenState | undefined> {
  const slot = table.get(token);
  if (slot === undefined) return undefined;
  const entry = await readEntryAt(file, slot.offset, path, window);
  // Another token with the same 64-bit hash: unknown, so the row goes out under its own token.
  if (entry.token !== token) return undefined;
  const expected = slot.state === TokenStateCode.inFlight ? 'sent' : 'finished';
  if (entry.type !== expected) throw corruptAt(path, slot.offset, `a ${entry.type} entry where the replay found a ${expected} one`);
  if (entry.type === 'sent') return { state: 'in-flight', sent: entry };
  if (!OUTCOMES[entry.outcome].doneOnResume) return { state: 'failed', finished: entry };
  const { newOwner, launchRole } = entry;
  const current =
    newOwner === undefined || launchRole === undefined ? undefined : products?.isCurrent(entry.provisionedProductId, targetsKey(newOwner, launchRole));
  return { state: current === false ? 'superseded' : 'done', finished: entry };
}

/**
 * The product's previous values from before the first change the ledger holds: its first read,
 * read back. Undefined when the ledger has no read of it, or when a change went out before any
 * read (run without preflight): then nobody knows what was there before.
 */
export async function firstReadOf(
  products: ProductLedger,
  file: CheckpointFile,
  productId: string,
  path: string,
  window?: ReadWindow,
): Promise<FirstRead | undefined> {
  const offset = products.firstRead(productId);
  if (offset === undefined || offset === 'unknown') return undefined;
  const entry = await readEntryAt(file, offset, path, window);
  // Another product with the same 64-bit hash: not this product's read.
  if (entry.provisionedProductId !== productId || entry.previousOwner === undefined) return undefined;
  return {
    productStatus: entry.productStatus ?? '',
    previousOwner: entry.previousOwner,
    previousOwnerSession: entry.previousOwnerSession ?? '',
    previousLaunchRole: entry.previousLaunchRole ?? '',
    // Preflight reads the launch role only for a row that sets one: only then is '' "none".
    readsLaunchRole: (entry.launchRole ?? '') !== '',
  };
}

/** A product's previous values as the ledger first read them, and whether that read covered the launch role. */
export type FirstRead = {
  readonly [K in keyof Pick<JournalChangeFields, 'productStatus' | 'previousOwner' | 'previousOwnerSession' | 'previousLaunchRole'>]-?: string;
} & { readonly readsLaunchRole: boolean };

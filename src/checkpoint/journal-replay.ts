/**
 * Reading a journal back: a streaming line scanner (a journal of millions of rows is hundreds of
 * MB, more than one JS string may hold, so the file is never read whole) and the replay rules:
 *
 * - line 1 must be a header, else the file is not ours and is never touched (NOT_A_CHECKPOINT);
 * - a last line that is not complete JSON is a write torn by a crash: reported as `tornAt` so the
 *   writer can cut it off (readers just ignore it). It was never fsynced as a whole, so no caller
 *   was ever told it was durable;
 * - a bad line with more lines after it cannot come from a crash (appends are sequential and a
 *   failed write stops the journal for good), so it is CORRUPT, naming the line;
 * - valid JSON that is not a valid entry is CORRUPT wherever it is: a torn write of a line that
 *   starts with `{` cannot parse unless the whole object made it.
 */
import { OUTCOMES } from '../outcomes.js';
import { CheckpointError } from './checkpoint-error.js';
import type { CheckpointFile } from './checkpoint-fs.js';
import { entryProblem, headerProblem, MAX_LINE_BYTES } from './journal-entries.js';
import { ProductLedger, targetsKey } from './product-ledger.js';
import { TokenStateCode, TokenTable } from './token-table.js';
import type { JournalBody, JournalEnd, JournalHeader, JournalRowEntry, LaneRates } from './types.js';

export interface ScanResult {
  readonly header: JournalHeader;
  /** Every token's state and the offset of its last entry (the entries are read back on demand). */
  readonly state: TokenTable;
  /** Each product's first read and last done token (see product-ledger.ts). */
  readonly products: ProductLedger;
  /** sent/finished entries read (not counting the header, the ledger's begin/end, or a torn line). */
  readonly entries: number;
  /** Invocations the ledger records (`begin` entries). */
  readonly invocations: number;
  /**
   * Where each lane's limiters were last left, by lane name then operation: what the `end` entries
   * recorded, a later one's operations replacing an earlier one's, the others kept (a dry run that
   * only read keeps the update rate of the run before it). Empty when no `end` has rates.
   */
  readonly laneRates: ReadonlyMap<string, LaneRates>;
  /** `at`/`finishedAt` of the last entry read; undefined when there is none. */
  readonly lastEntryAt: string | undefined;
  /** Byte offset where a torn last line starts; undefined when there is none. */
  readonly tornAt: number | undefined;
  /** The last line is a complete entry whose newline never made it to disk. */
  readonly missingNewline: boolean;
}

export interface ScanOptions {
  readonly path: string;
  readonly file: CheckpointFile;
  /** Sees the header as soon as line 1 is read, so a wrong checkpoint is refused before the replay. */
  readonly checkHeader?: (header: JournalHeader) => void;
  /** Sees every entry after the header, in file order (a reader of the whole ledger: undo, report). */
  readonly onEntry?: (entry: JournalBody) => void;
  /** false: `state` and `products` stay empty (a reader of the entries alone saves their memory: 25 bytes a token and a product). Default true. */
  readonly replay?: boolean;
  readonly chunkSize?: number;
}

type LineHandler = (bytes: Buffer | undefined, start: number, terminated: boolean) => void;

/**
 * Calls `onLine` for each line with its start offset. `bytes` excludes the newline, may be a view
 * of a reused buffer (parse it synchronously), and is undefined for a line over MAX_LINE_BYTES.
 * The last line is passed with `terminated: false` when the file does not end with a newline.
 */
async function forEachLine(file: CheckpointFile, chunkSize: number, onLine: LineHandler): Promise<void> {
  const chunk = Buffer.allocUnsafe(chunkSize);
  let position = 0;
  let carry: Buffer[] = [];
  let carryLength = 0;
  let carryStart = 0;
  let carrying = false;
  let overlong = false;
  for (;;) {
    const { bytesRead } = await file.read(chunk, 0, chunkSize, position);
    if (bytesRead === 0) break;
    const data = chunk.subarray(0, bytesRead);
    let from = 0;
    for (let nl = data.indexOf(0x0a, from); nl !== -1; nl = data.indexOf(0x0a, from)) {
      const piece = data.subarray(from, nl);
      if (!carrying) {
        onLine(piece.length > MAX_LINE_BYTES ? undefined : piece, position + from, true);
      } else {
        const tooLong = overlong || carryLength + piece.length > MAX_LINE_BYTES;
        onLine(tooLong ? undefined : Buffer.concat([...carry, piece]), carryStart, true);
        carry = [];
        carryLength = 0;
        carrying = false;
        overlong = false;
      }
      from = nl + 1;
    }
    if (from < bytesRead) {
      if (!carrying) {
        carrying = true;
        carryStart = position + from;
      }
      if (!overlong) {
        carry.push(Buffer.from(data.subarray(from))); // copy: `chunk` is reused by the next read
        carryLength += bytesRead - from;
        if (carryLength > MAX_LINE_BYTES) {
          overlong = true;
          carry = [];
        }
      }
    }
    position += bytesRead;
  }
  if (carrying) onLine(overlong ? undefined : Buffer.concat(carry), carryStart, false);
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

function parseLine(bytes: Buffer | undefined): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (bytes === undefined) return { ok: false, reason: `the line is longer than ${MAX_LINE_BYTES} bytes` };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return { ok: false, reason: 'the line is not valid JSON' };
  }
}

function corrupt(path: string, line: number, reason: string): CheckpointError {
  return new CheckpointError(
    'CORRUPT',
    `Checkpoint ${path} is corrupt at line ${line}: ${reason}. Only a torn last line (left by a crash mid-write) is ` +
      `repaired automatically; a bad line in the middle means the file was edited or damaged. Fix or remove ` +
      `line ${line} by hand, or start over with a different --checkpoint path.`,
  );
}

/** The replay of one row entry: the token's state after it, its product's first read and the targets it was last left done with. */
function replayRowEntry(entry: JournalRowEntry, start: number, state: TokenTable, products: ProductLedger): void {
  const { token, provisionedProductId: product } = entry;
  if (entry.previousOwner !== undefined) products.noteRead(product, start);
  else if (entry.type === 'sent') products.noteBlindChange(product);
  // A `sent` after a `finished` is a retry by a later run: in flight again until it finishes.
  const code = entry.type === 'sent' ? TokenStateCode.inFlight : OUTCOMES[entry.outcome].doneOnResume ? TokenStateCode.done : TokenStateCode.failed;
  state.set(token, code, start);
  if (code === TokenStateCode.done && entry.newOwner !== undefined && entry.launchRole !== undefined) {
    products.noteDone(product, targetsKey(entry.newOwner, entry.launchRole));
  }
}

/** An `end`'s rates over what earlier ones recorded: per lane, its operations replace theirs. Only `rate` and `settled` are kept. */
function noteLaneRates(laneRates: Map<string, LaneRates>, rates: NonNullable<JournalEnd['rates']>): void {
  for (const [lane, operations] of Object.entries(rates)) {
    const later = Object.entries(operations).map(([operation, { rate, settled }]) => [operation, { rate, settled }] as const);
    laneRates.set(lane, { ...laneRates.get(lane), ...Object.fromEntries(later) });
  }
}

/** Replays the whole file; throws NOT_A_CHECKPOINT / CORRUPT / whatever `checkHeader` throws. */
export async function scanJournal({ path, file, checkHeader, onEntry, replay = true, chunkSize = 1024 * 1024 }: ScanOptions): Promise<ScanResult> {
  const state = new TokenTable();
  const products = new ProductLedger();
  let lineNo = 0;
  let header: JournalHeader | undefined;
  let entries = 0;
  let invocations = 0;
  const laneRates = new Map<string, LaneRates>();
  let lastEntryAt: string | undefined;
  let missingNewline = false;
  let torn: { line: number; start: number; reason: string } | undefined;

  await forEachLine(file, chunkSize, (bytes, start, terminated) => {
    lineNo += 1;
    if (lineNo === 1) {
      const parsed = parseLine(bytes);
      const problem = parsed.ok ? headerProblem(parsed.value) : parsed.reason;
      if (problem !== undefined || !parsed.ok) {
        throw new CheckpointError(
          'NOT_A_CHECKPOINT',
          `${path} is not an sc-owner-transfer checkpoint (line 1: ${problem ?? 'unreadable'}). It was left untouched; ` +
            `pass a different --checkpoint path.`,
        );
      }
      header = parsed.value as JournalHeader;
      checkHeader?.(header);
      missingNewline = !terminated;
      return;
    }
    if (terminated && bytes !== undefined && isBlank(bytes)) return;
    if (torn !== undefined) throw corrupt(path, torn.line, torn.reason);
    const parsed = parseLine(bytes);
    if (!parsed.ok) {
      torn = { line: lineNo, start, reason: parsed.reason };
      return;
    }
    const problem = entryProblem(parsed.value);
    if (problem !== undefined) throw corrupt(path, lineNo, problem);
    const entry = parsed.value as JournalBody;
    missingNewline = !terminated;
    onEntry?.(entry);
    if (entry.type === 'begin') {
      invocations += 1;
      return;
    }
    if (entry.type === 'end') {
      if (entry.rates !== undefined) noteLaneRates(laneRates, entry.rates);
      return;
    }
    if (replay) replayRowEntry(entry, start, state, products);
    entries += 1;
    lastEntryAt = entry.type === 'sent' ? entry.at : entry.finishedAt;
  });

  if (header === undefined) {
    throw new CheckpointError(
      'NOT_A_CHECKPOINT',
      `${path} is empty, so it is not an sc-owner-transfer checkpoint (a checkpoint always starts with a header ` +
        `line). Delete it or pass a different --checkpoint path.`,
    );
  }
  return { header, state, products, entries, invocations, laneRates, lastEntryAt, tornAt: torn?.start, missingNewline };
}

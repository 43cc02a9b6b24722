/**
 * The checkpoint journal, and the migration's ledger: an append-only JSON-lines file (header line,
 * then `begin` / `sent` / `finished` / `end` entries) that makes a run resumable after kill -9 at
 * any instant and tells, for ever, what every invocation did.
 *
 * Durability model (write-ahead, group commit). A `sent` entry, with the values preflight read and
 * the row's targets, is durable before its request leaves: `recordSent` resolves once the group
 * that holds it is written and fsynced. Groups form by themselves: when no write is going on, a
 * `sent` starts one at once; entries recorded while it is on disk wait for the next, one write()
 * and one fsync for all of them. So a writer waits for its group, never for a disk write of its
 * own, and under load a group holds every row that became ready during one fsync. `finished`
 * entries need no wait (losing one only makes the row in flight again, and its resend carries the
 * same token): they ride with the next group, or are written `groupDelayMs` after the first of them
 * was recorded, or when `groupSize` are pending. `begin` / `end` are durable like `sent`.
 *
 * A write/fsync error poisons the journal (every later call throws IO_ERROR) instead of leaving a
 * gap followed by later lines; so does the file being removed or replaced under the run (MOVED),
 * checked before every group: rows stop being sent as soon as the ledger cannot record them.
 *
 * The file is never rewritten. Opening an existing journal only ever cuts off a torn last line
 * (or adds the newline a complete last line is missing) before appending.
 *
 * Memory contract (the engine relies on it): `lookup` answers from the entries REPLAYED from the
 * file when it was opened, i.e. what earlier runs did. Of those it keeps only each token's state
 * and the offset of its last entry (TokenTable, 16 bytes a slot), and each product's first read
 * and last done token (ProductLedger), and reads an entry back when asked. Entries recorded by this
 * run are written and forgotten, never kept in memory (a run may record millions), so `lookup` of
 * a token recorded in this run returns what the file said at open time (usually undefined).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { CheckpointError, describeRunId, errnoCode, systemErrorText } from './checkpoint-error.js';
import {
  nodeCheckpointFs,
  OPEN_APPEND_EXISTING,
  sameFile,
  syncDirectoryOf,
  unlinkIfExists,
  writeAll,
  writeNewFile,
  type CheckpointFile,
  type CheckpointFs,
  type FileIdentity,
} from './checkpoint-fs.js';
import { entryProblem, JOURNAL_FORMAT, serializeBody, serializeHeader } from './journal-entries.js';
import { firstReadOf, lookupToken, ReadWindow, type FirstRead } from './journal-read-back.js';
import { ProductLedger } from './product-ledger.js';
import { TokenTable, type ReplayCounts } from './token-table.js';
import { scanJournal } from './journal-replay.js';
import type { JournalBegin, JournalBody, JournalEnd, JournalFinished, JournalHeader, JournalSent, LaneRates, TokenState } from './types.js';

export interface OpenJournalOptions {
  readonly path: string;
  /** `--run-id` of this run ('' for none); an existing checkpoint must have been created with the same. */
  readonly runId: string;
  /** Token scheme of this version (transfer/token.ts); an existing checkpoint must match. */
  readonly tokenScheme: string;
  /** Input file as given, stored in a new header (informational only). */
  readonly input: string;
  /** Stamps the header and runs the group-commit delay (`clock.sleep`). */
  readonly clock: Clock;
  /** Pending entries that trigger a write at once. Default 64. */
  readonly groupSize?: number;
  /** Longest a `finished` entry waits in memory before its group is written. Default 200 ms. */
  readonly groupDelayMs?: number;
  /**
   * Whether rows' `sent` / `finished` entries are written. Default true; false for a dry run or a
   * verify, which add their `begin` / `end` to the ledger and nothing about rows.
   */
  readonly recordRows?: boolean;
  /** File-system calls; tests inject wrappers. Default node:fs/promises. */
  readonly fs?: CheckpointFs;
}

export interface Journal {
  readonly path: string;
  /** True when an existing checkpoint was opened (and replayed), false when it was created now. */
  readonly resumed: boolean;
  readonly header: JournalHeader;
  /** State of a token according to earlier runs (the file as replayed at open), its entry read back. See the memory contract above. */
  lookup(token: string): Promise<TokenState | undefined>;
  /** The product's previous values from before the first change the ledger held at open; undefined when it has none. */
  firstRead(productId: string): Promise<FirstRead | undefined>;
  /** Distinct replayed tokens by their last entry. */
  readonly replayed: ReplayCounts;
  /** Where the earlier invocations left each lane's limiters, by lane name (ScanResult.laneRates); empty for a new checkpoint. */
  readonly laneRates: ReadonlyMap<string, LaneRates>;
  /**
   * Records a `sent` entry; resolves once it is on disk (fsynced), so the caller sends its request
   * only then, and rejects when its group could not be written (IO_ERROR, MOVED). Throws at once,
   * as recordFinished does, once the journal failed, after close() (CLOSED), or for an invalid
   * entry (INVALID_ENTRY).
   */
  recordSent(entry: JournalSent): Promise<void>;
  /** Enqueues a `finished` entry (no wait); throws as recordSent does. */
  recordFinished(entry: JournalFinished): void;
  /** Records an invocation's `begin` or `end` in the ledger; resolves once it is on disk. */
  recordInvocation(entry: JournalBegin | JournalEnd): Promise<void>;
  /**
   * Another file of the run to watch (the results' temporary file): before every group, `check`
   * says why it is no longer where the run put it (or undefined), and the journal stops as when its
   * own file moved.
   */
  watch(check: () => Promise<string | undefined>): void;
  /** Writes and fsyncs everything enqueued so far. Calls are serialised, never interleaved. */
  flush(): Promise<void>;
  /** flush(), then closes the file (even when the flush failed, then rethrows). Idempotent. */
  close(): Promise<void>;
}

/** Opens (replaying, repairing a torn tail) or creates the journal at `path`. */
export async function openJournal(options: OpenJournalOptions): Promise<Journal> {
  const { path, clock, groupSize = 64, groupDelayMs = 200, fs = nodeCheckpointFs, recordRows = true } = options;
  if (!Number.isSafeInteger(groupSize) || groupSize < 1) throw new RangeError(`groupSize must be an integer >= 1, got ${groupSize}`);
  if (!Number.isFinite(groupDelayMs) || groupDelayMs < 0) throw new RangeError(`groupDelayMs must be >= 0, got ${groupDelayMs}`);

  const opened = await openOrCreate(options, fs);
  return new AppendJournal(path, opened, { clock, groupSize, groupDelayMs, recordRows, fs });
}

interface Opened {
  readonly file: CheckpointFile;
  readonly header: JournalHeader;
  readonly state: TokenTable;
  readonly products: ProductLedger;
  readonly laneRates: ReadonlyMap<string, LaneRates>;
  readonly resumed: boolean;
}

interface AppendSettings {
  readonly clock: Clock;
  readonly groupSize: number;
  readonly groupDelayMs: number;
  readonly recordRows: boolean;
  readonly fs: CheckpointFs;
}

async function openOrCreate(options: OpenJournalOptions, fs: CheckpointFs): Promise<Opened> {
  // Two tries: if someone creates the file between our ENOENT and our link, we replay theirs.
  for (let attempt = 0; ; attempt += 1) {
    let file: CheckpointFile | undefined;
    try {
      file = await fs.open(options.path, OPEN_APPEND_EXISTING);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw ioError(`Cannot open checkpoint ${options.path}`, error);
    }
    if (file !== undefined) return await resume(options, file);
    const header = await create(options, fs);
    if (header !== undefined) {
      try {
        file = await fs.open(options.path, OPEN_APPEND_EXISTING);
      } catch (error) {
        throw ioError(`Cannot open checkpoint ${options.path} after creating it`, error);
      }
      return { file, header, state: new TokenTable(), products: new ProductLedger(), laneRates: new Map(), resumed: false };
    }
    if (attempt >= 1) throw new CheckpointError('IO_ERROR', `Checkpoint ${options.path} keeps appearing and disappearing; is another process using it?`);
  }
}

/** Refuses a checkpoint written by another run id or token scheme, saying how to proceed. */
export function assertResumable(path: string, header: JournalHeader, runId: string, tokenScheme: string): void {
  if (header.runId !== runId) {
    const how = header.runId === '' ? 'run without --run-id' : `pass --run-id ${JSON.stringify(header.runId)}`;
    throw new CheckpointError(
      'RUN_ID_MISMATCH',
      `Checkpoint ${path} belongs to a run with ${describeRunId(header.runId)} (created ${header.createdAt} for ` +
        `input ${header.input}), but this run has ${describeRunId(runId)}. To resume that run, ${how}; to start ` +
        `a separate run, pass a different --checkpoint path.`,
    );
  }
  if (header.tokenScheme !== tokenScheme) {
    throw new CheckpointError(
      'SCHEME_MISMATCH',
      `Checkpoint ${path} was written with idempotency-token scheme ${JSON.stringify(header.tokenScheme)}, but this ` +
        `version uses ${JSON.stringify(tokenScheme)}, so its rows cannot be recognised. Finish that run with the ` +
        `version that started it, or start over with a different --checkpoint path.`,
    );
  }
}

/** Replays an existing journal and repairs its tail; closes `file` if it refuses it. */
async function resume(options: OpenJournalOptions, file: CheckpointFile): Promise<Opened> {
  const { path, runId, tokenScheme } = options;
  try {
    const scan = await scanJournal({
      path,
      file,
      checkHeader: (header) => assertResumable(path, header, runId, tokenScheme),
    });
    if (scan.tornAt !== undefined) {
      // The torn bytes were never acknowledged as durable; cut them so appends start on a line boundary.
      await file.truncate(scan.tornAt);
      await file.sync();
    } else if (scan.missingNewline) {
      // A complete entry whose newline did not make it: keep the entry, finish its line.
      await writeAll(file, Buffer.from('\n', 'utf8'));
      await file.sync();
    }
    return { file, header: scan.header, state: scan.state, products: scan.products, laneRates: scan.laneRates, resumed: true };
  } catch (error) {
    await file.close().catch(() => undefined);
    if (error instanceof CheckpointError) throw error;
    throw ioError(`Cannot read or repair checkpoint ${path}`, error);
  }
}

/**
 * Creates the journal: header written and fsynced in a temp file, then link()ed to the real name
 * (atomic, and fails if the name exists), then the directory fsynced. So the real name never
 * holds an empty or half-written header, even after a crash right here. Returns undefined when
 * the file appeared meanwhile.
 */
async function create(options: OpenJournalOptions, fs: CheckpointFs): Promise<JournalHeader | undefined> {
  const { path, runId, tokenScheme, input, clock } = options;
  const header: JournalHeader = {
    type: 'header',
    format: JOURNAL_FORMAT,
    runId,
    tokenScheme,
    createdAt: new Date(clock.now()).toISOString(),
    input,
  };
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeNewFile(fs, temp, serializeHeader(header));
    try {
      await fs.link(temp, path);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return undefined;
      throw error;
    }
    await fs.unlink(temp);
    await syncDirectoryOf(fs, path);
    return header;
  } catch (error) {
    throw ioError(`Cannot create checkpoint ${path}`, error);
  } finally {
    await unlinkIfExists(fs, temp).catch(() => undefined);
  }
}

function ioError(what: string, error: unknown): CheckpointError {
  return new CheckpointError('IO_ERROR', `${what}: ${systemErrorText(error)}`, { cause: error });
}

/** A writer waiting for its group to be on disk. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

class AppendJournal implements Journal {
  readonly path: string;
  readonly resumed: boolean;
  readonly header: JournalHeader;
  readonly replayed: ReplayCounts;
  readonly laneRates: ReadonlyMap<string, LaneRates>;
  readonly #file: CheckpointFile;
  readonly #settings: AppendSettings;
  readonly #state: TokenTable;
  readonly #products: ProductLedger;
  /** The part of the replayed file read last: lookups in input order mostly fall in it. */
  readonly #window = new ReadWindow();
  /** Other files of the run that must stay where they are (see watch()). */
  readonly #watched: Array<() => Promise<string | undefined>> = [];
  /** Serialised lines not yet handed to write(). */
  #pending: string[] = [];
  /** Writers of the pending lines that wait for them to be durable. */
  #waiters: Waiter[] = [];
  /** Every flush chains onto this, so writes never interleave and land in record order. */
  #tail: Promise<void> = Promise.resolve();
  /** An automatic flush is chained but has not taken its batch yet; one is enough. */
  #autoQueued = false;
  #timer: AbortController | undefined;
  #failure: CheckpointError | undefined;
  #closing: Promise<void> | undefined;
  #openIdentity: FileIdentity | undefined;

  constructor(path: string, opened: Opened, settings: AppendSettings) {
    this.path = path;
    this.resumed = opened.resumed;
    this.header = opened.header;
    this.#state = opened.state;
    this.#products = opened.products;
    this.replayed = opened.state.counts();
    this.laneRates = opened.laneRates;
    this.#file = opened.file;
    this.#settings = settings;
  }

  lookup(token: string): Promise<TokenState | undefined> {
    if (this.#state.size === 0) return Promise.resolve(undefined);
    return lookupToken(this.#state, this.#file, token, this.path, this.#window, this.#products);
  }

  firstRead(productId: string): Promise<FirstRead | undefined> {
    if (this.#products.size === 0) return Promise.resolve(undefined);
    return firstReadOf(this.#products, this.#file, productId, this.path, this.#window);
  }

  recordSent(entry: JournalSent): Promise<void> {
    if (this.#settings.recordRows) return this.#enqueueDurable(entry, 'sent');
    this.#check(entry, 'sent');
    return Promise.resolve();
  }

  recordFinished(entry: JournalFinished): void {
    if (!this.#settings.recordRows) {
      this.#check(entry, 'finished');
      return;
    }
    this.#enqueue(entry, 'finished');
    if (this.#pending.length >= this.#settings.groupSize) this.#queueAutoFlush();
    else this.#armTimer();
  }

  recordInvocation(entry: JournalBegin | JournalEnd): Promise<void> {
    return this.#enqueueDurable(entry, entry.type);
  }

  watch(check: () => Promise<string | undefined>): void {
    this.#watched.push(check);
  }

  flush(): Promise<void> {
    return this.#chainFlush();
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeOnce();
    return this.#closing;
  }

  async #closeOnce(): Promise<void> {
    try {
      await this.#chainFlush();
    } finally {
      this.#cancelTimer();
      await this.#file.close();
    }
  }

  /** Throws when nothing more can be recorded, or the entry is invalid. */
  #check(entry: JournalBody, type: JournalBody['type']): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closing !== undefined) throw new CheckpointError('CLOSED', `Checkpoint ${this.path} is closed; nothing more can be recorded.`);
    // Same validation as the reader: the writer must never append a line a later open would call corrupt.
    const problem = entry.type === type ? entryProblem(entry) : `a ${type} record was given a ${String(entry.type)} entry`;
    if (problem !== undefined) {
      const subject = 'token' in entry ? `token ${entry.token}` : `invocation ${entry.invocation}`;
      throw new CheckpointError('INVALID_ENTRY', `Refusing to journal an invalid ${entry.type} entry for ${subject}: ${problem}`);
    }
  }

  #enqueue(entry: JournalBody, type: JournalBody['type']): void {
    this.#check(entry, type);
    this.#pending.push(serializeBody(entry));
  }

  /** Enqueues and starts a group now (or joins the one forming while a write is on disk); resolves when durable. */
  #enqueueDurable(entry: JournalBody, type: JournalBody['type']): Promise<void> {
    this.#enqueue(entry, type);
    const durable = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    // A caller that does not wait must not crash the process with an unhandled rejection: the
    // failure stays in #failure, and every later call reports it.
    durable.catch(() => undefined);
    this.#queueAutoFlush();
    return durable;
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#autoQueued) return;
    const timer = new AbortController();
    this.#timer = timer;
    // Left armed when a group takes the entries it waited for (cancelling cost an AbortError a
    // group): it then writes whatever came since, still within groupDelayMs of its arrival.
    this.#settings.clock.sleep(this.#settings.groupDelayMs, timer.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        if (this.#pending.length > 0) this.#queueAutoFlush();
      },
      () => undefined, // cancelled: the journal closed
    );
  }

  #cancelTimer(): void {
    this.#timer?.abort();
    this.#timer = undefined;
  }

  /** An automatic flush has nobody awaiting it: its error is kept in #failure (and given to the waiters). */
  #queueAutoFlush(): void {
    if (this.#autoQueued) return;
    this.#autoQueued = true;
    this.#chainFlush().catch(() => undefined);
  }

  #chainFlush(): Promise<void> {
    const run = this.#tail.then(() => this.#writePending());
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #writePending(): Promise<void> {
    this.#autoQueued = false;
    const batch = this.#pending;
    const waiters = this.#waiters;
    this.#pending = [];
    this.#waiters = [];
    try {
      if (this.#failure !== undefined) throw this.#failure;
      if (batch.length === 0) return;
      await this.#assertInPlace();
      try {
        await writeAll(this.#file, Buffer.from(batch.join(''), 'utf8'));
        await this.#file.sync();
      } catch (error) {
        // Part of the batch may be on disk as a torn line: never write after it (the next open cuts
        // it off), and make every later call fail so the caller stops instead of losing entries.
        this.#failure = new CheckpointError(
          'IO_ERROR',
          `cannot write the checkpoint '${this.path}': ${systemErrorText(error)} (the last ${batch.length} entries may not be saved; ` +
            `nothing more is recorded, and the next run resends those rows with the same idempotency tokens)`,
          { cause: error },
        );
        throw this.#failure;
      }
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      throw error;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  /**
   * The checkpoint (and every watched file) is still the file the run opened: a folder deleted or
   * a file unlinked, renamed or replaced mid-run would otherwise take every later entry with it,
   * found only at the end, after every product was updated. Checked before each group, so no
   * request leaves after the ledger stopped being where the next run will look.
   */
  async #assertInPlace(): Promise<void> {
    const moved = (await this.#checkOwnFile()) ?? (await this.#checkWatched());
    if (moved === undefined) return;
    this.#failure = new CheckpointError(
      'MOVED',
      `${moved}; the run stopped sending rows (the entries still pending are not saved there). Put the file back where it was, or rerun ` +
        `with the checkpoint where it is now: rows already sent are resent with the same idempotency tokens`,
    );
    throw this.#failure;
  }

  async #checkOwnFile(): Promise<string | undefined> {
    const { fs } = this.#settings;
    if (this.#file.identity === undefined || fs.identity === undefined) return undefined;
    // The open file's identity cannot change: one fstat, not one a group.
    this.#openIdentity ??= await this.#file.identity();
    const open = this.#openIdentity;
    const named = await fs.identity(this.path).catch(() => undefined);
    return named !== undefined && sameFile(open, named) ? undefined : `the checkpoint '${this.path}' was removed or replaced while the run went on`;
  }

  async #checkWatched(): Promise<string | undefined> {
    for (const check of this.#watched) {
      const moved = await check();
      if (moved !== undefined) return moved;
    }
    return undefined;
  }
}

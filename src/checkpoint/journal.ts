/**
 * The checkpoint journal: an append-only JSON-lines file (header line, then `sent` / `finished`
 * entries) that makes a run resumable after kill -9 at any instant.
 *
 * Durability model. Entries are appended with group commit: record calls only enqueue (no await
 * per row); a group is written with one write() and fsynced when `groupSize` entries are pending,
 * `groupDelayMs` after the first one was enqueued, or on flush()/close(). A crash therefore loses
 * at most the entries of the last unsynced group, which is safe because every row carries a
 * deterministic idempotency token: a row whose `sent` was lost is re-sent with the same token and
 * the API deduplicates it; a row whose `finished` was lost is replayed as in flight and resolved
 * the same way. What the journal guarantees is that the file is always a prefix of what was
 * recorded, in record order, and that nothing is silently dropped: a write/fsync error poisons
 * the journal (every later call throws IO_ERROR) instead of leaving a gap followed by later lines.
 *
 * The file is never rewritten. Opening an existing journal only ever cuts off a torn last line
 * (or adds the newline a complete last line is missing) before appending.
 *
 * Memory contract (the engine relies on it): `lookup` answers from the entries REPLAYED from the
 * file when it was opened, i.e. what earlier runs did. Of those it keeps only each token's state
 * and the offset of its last entry (TokenTable, 16 bytes a slot) and reads the entry back when
 * asked. Entries recorded by this run are written and forgotten, never kept in memory (a run may
 * record millions), so `lookup` of a token recorded in this run returns what the file said at open
 * time (usually undefined), never the new state.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { CheckpointError, describeRunId, errnoCode, systemErrorText } from './checkpoint-error.js';
import {
  nodeCheckpointFs,
  OPEN_APPEND_EXISTING,
  syncDirectoryOf,
  unlinkIfExists,
  writeAll,
  writeNewFile,
  type CheckpointFile,
  type CheckpointFs,
} from './checkpoint-fs.js';
import { entryProblem, JOURNAL_FORMAT, serializeFinished, serializeHeader, serializeSent } from './journal-entries.js';
import { lookupToken, ReadWindow } from './journal-read-back.js';
import { TokenTable } from './token-table.js';
import { scanJournal } from './journal-replay.js';
import type { JournalFinished, JournalHeader, JournalSent, TokenState } from './types.js';


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
  /** Longest an entry waits in memory before its group is written. Default 200 ms. */
  readonly groupDelayMs?: number;
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
  /** Distinct replayed tokens by their last entry. */
  readonly replayed: { readonly done: number; readonly failed: number; readonly inFlight: number };
  /** Enqueues a `sent` entry; throws IO_ERROR once a write failed, CLOSED after close(). */
  recordSent(entry: JournalSent): void;
  /** Enqueues a `finished` entry; same error rules as recordSent. */
  recordFinished(entry: JournalFinished): void;
  /** Writes and fsyncs everything enqueued so far. Calls are serialised, never interleaved. */
  flush(): Promise<void>;
  /** flush(), then closes the file (even when the flush failed, then rethrows). Idempotent. */
  close(): Promise<void>;
  /** Entries of this run that are written and fsynced. */
  readonly writtenEntries: number;
  /** Entries of this run enqueued but not yet fsynced. */
  readonly pendingEntries: number;
}

/** Opens (replaying, repairing a torn tail) or creates the journal at `path`. */
export async function openJournal(options: OpenJournalOptions): Promise<Journal> {
  const { path, clock, groupSize = 64, groupDelayMs = 200, fs = nodeCheckpointFs } = options;
  if (!Number.isSafeInteger(groupSize) || groupSize < 1) throw new RangeError(`groupSize must be an integer >= 1, got ${groupSize}`);
  if (!Number.isFinite(groupDelayMs) || groupDelayMs < 0) throw new RangeError(`groupDelayMs must be >= 0, got ${groupDelayMs}`);

  const opened = await openOrCreate(options, fs);
  return new AppendJournal(path, opened, clock, groupSize, groupDelayMs);
}

interface Opened {
  readonly file: CheckpointFile;
  readonly header: JournalHeader;
  readonly state: TokenTable;
  readonly resumed: boolean;
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
      return { file, header, state: new TokenTable(), resumed: false };
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
    return { file, header: scan.header, state: scan.state, resumed: true };
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

class AppendJournal implements Journal {
  readonly path: string;
  readonly resumed: boolean;
  readonly header: JournalHeader;
  readonly replayed: { readonly done: number; readonly failed: number; readonly inFlight: number };
  readonly #file: CheckpointFile;
  readonly #clock: Clock;
  readonly #groupSize: number;
  readonly #groupDelayMs: number;
  readonly #state: TokenTable;
  /** The part of the replayed file read last: lookups in input order mostly fall in it. */
  readonly #window = new ReadWindow();
  /** Serialised lines not yet handed to write(). */
  #pending: string[] = [];
  /** Every flush chains onto this, so writes never interleave and land in record order. */
  #tail: Promise<void> = Promise.resolve();
  /** An automatic flush is chained but has not taken its batch yet; one is enough. */
  #autoQueued = false;
  #timer: AbortController | undefined;
  #failure: CheckpointError | undefined;
  #closing: Promise<void> | undefined;
  #written = 0;

  constructor(path: string, opened: Opened, clock: Clock, groupSize: number, groupDelayMs: number) {
    this.path = path;
    this.resumed = opened.resumed;
    this.header = opened.header;
    this.#state = opened.state;
    this.replayed = opened.state.counts();
    this.#file = opened.file;
    this.#clock = clock;
    this.#groupSize = groupSize;
    this.#groupDelayMs = groupDelayMs;
  }

  get writtenEntries(): number {
    return this.#written;
  }

  get pendingEntries(): number {
    return this.#pending.length;
  }

  lookup(token: string): Promise<TokenState | undefined> {
    if (this.#state.size === 0) return Promise.resolve(undefined);
    return lookupToken(this.#state, this.#file, token, this.path, this.#window);
  }

  recordSent(entry: JournalSent): void {
    this.#enqueue('sent', entry, serializeSent);
  }

  recordFinished(entry: JournalFinished): void {
    this.#enqueue('finished', entry, serializeFinished);
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

  #enqueue<E extends JournalSent | JournalFinished>(type: E['type'], entry: E, serialize: (entry: E) => string): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closing !== undefined) throw new CheckpointError('CLOSED', `Checkpoint ${this.path} is closed; nothing more can be recorded.`);
    // Same validation as the reader: the writer must never append a line a later open would call corrupt.
    const problem = entry.type === type ? entryProblem(entry) : `record${type === 'sent' ? 'Sent' : 'Finished'} was given a ${String(entry.type)} entry`;
    if (problem !== undefined) {
      throw new CheckpointError('INVALID_ENTRY', `Refusing to journal an invalid ${entry.type} entry for token ${entry.token}: ${problem}`);
    }
    this.#pending.push(serialize(entry));
    if (this.#pending.length >= this.#groupSize) this.#queueAutoFlush();
    else this.#armTimer();
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#autoQueued) return;
    const timer = new AbortController();
    this.#timer = timer;
    this.#clock.sleep(this.#groupDelayMs, timer.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        this.#queueAutoFlush();
      },
      () => undefined, // cancelled: the batch was taken by another flush
    );
  }

  #cancelTimer(): void {
    this.#timer?.abort();
    this.#timer = undefined;
  }

  /** An automatic flush has nobody awaiting it: its error is kept in #failure and surfaces later. */
  #queueAutoFlush(): void {
    if (this.#autoQueued) return;
    this.#autoQueued = true;
    this.#cancelTimer();
    this.#chainFlush().catch(() => undefined);
  }

  #chainFlush(): Promise<void> {
    const run = this.#tail.then(() => this.#writePending());
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #writePending(): Promise<void> {
    this.#autoQueued = false;
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#cancelTimer();
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
    this.#written += batch.length;
  }
}

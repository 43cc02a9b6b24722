/**
 * What `run` adds to the migration's ledger: a `begin` entry when it has the checkpoint (what this
 * invocation is: command, mode, flags with secrets masked, version, caller, host, pid, start) and
 * an `end` entry with how it ended (counts, exit code, stop reason, where its lanes' limiters
 * ended), and what it takes back from it: the lanes start where the last invocations left them.
 * Wiring only: the entries' shape is checkpoint/journal-entries.ts's.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { viewCheckpoint, type Journal, type JournalBegin, type JournalEnd, type LaneRates } from '../checkpoint/index.js';
import { parseShard, type Shard } from '../input/shard.js';
import type { Logger } from '../report/logger.js';
import type { RunCounts } from '../report/types.js';
import type { Lane } from '../transfer/lane.js';
import { toolVersion } from '../version.js';
import { maskedArgs } from './flags.js';
import { RUN_FLAGS } from './run-flags.js';
import type { RunConfig } from './run-options.js';

/** What kind of invocation a run is, as the ledger and the report name it. */
export function runMode(config: Pick<RunConfig, 'dryRun' | 'check' | 'reconcile'>): 'run' | 'dry-run' | 'verify' | 'reconcile' {
  if (config.dryRun) return config.check ? 'verify' : 'dry-run';
  return config.reconcile ? 'reconcile' : 'run';
}

export interface InvocationFacts {
  readonly argv: readonly string[];
  readonly config: RunConfig;
  readonly pid: number;
  readonly startedAt: number;
  readonly callerArn: string | undefined;
  readonly account: string | undefined;
}

/** The most an `end` spends on its lanes' rates: far under the longest line the journal reads (1 MiB), however many lanes. */
const RATES_BUDGET = 256 * 1024;

/** What the `end` keeps of the lanes' limiters (Lane.ratesToRemember), by lane name; undefined when none sent a request. */
export function laneRatesOf(lanes: readonly Lane[]): Record<string, LaneRates> | undefined {
  const kept: Array<[string, LaneRates]> = [];
  let size = 0;
  for (const lane of lanes) {
    const rates = lane.ratesToRemember();
    if (Object.keys(rates).length === 0) continue;
    // Past the budget, a lane keeps what an earlier `end` recorded of it (the replay merges).
    size += JSON.stringify([lane.name, rates]).length;
    if (size > RATES_BUDGET) break;
    kept.push([lane.name, rates]);
  }
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

/** Each lane starts its limiters where the checkpoint's earlier invocations left them (Journal.laneRates), and the log says so once a lane. */
export function startLanesWhereTheyLeftOff(remembered: ReadonlyMap<string, LaneRates>, lanes: readonly Lane[], logger: Logger): void {
  for (const lane of lanes) {
    // A lane stopped before the first request (an account not reached) sends nothing: no word of it.
    const rates = lane.stoppedBy === undefined ? remembered.get(lane.name) : undefined;
    const starts = rates === undefined ? {} : lane.startFrom(rates);
    const words = Object.entries(starts).map(([operation, start]) => `${operation} at ${start.rate}/s (${start.settled ? 'probing up' : 'slow start'})`);
    if (words.length > 0)
      logger.info({ lane: lane.name, startRates: starts }, `lane ${lane.name} starts where the checkpoint's ledger last left it: ${words.join(', ')}`);
  }
}

/** One invocation's place in the ledger: begin() once the checkpoint is open, end() before it closes. */
export class LedgerInvocation {
  readonly #id = randomUUID();
  readonly #journal: Journal;
  readonly #lanes: readonly Lane[];

  /** `lanes`: whose limiters the `end` records. */
  constructor(journal: Journal, lanes: readonly Lane[] = []) {
    this.#journal = journal;
    this.#lanes = lanes;
  }

  begin(facts: InvocationFacts): Promise<void> {
    const { config } = facts;
    const entry: JournalBegin = {
      type: 'begin',
      invocation: this.#id,
      command: 'run',
      mode: runMode(config),
      args: maskedArgs(facts.argv, RUN_FLAGS),
      version: toolVersion(),
      runId: config.runId,
      input: config.input,
      callerArn: facts.callerArn ?? '',
      account: facts.account ?? '',
      host: hostname(),
      pid: facts.pid,
      startedAt: new Date(facts.startedAt).toISOString(),
    };
    return this.#journal.recordInvocation(entry);
  }

  /** Best effort: a journal that failed already has its error reported by its close. */
  async end(endedAt: number, exitCode: number, stopReason: string | undefined, counts: RunCounts): Promise<void> {
    const entry: JournalEnd = {
      type: 'end',
      invocation: this.#id,
      endedAt: new Date(endedAt).toISOString(),
      exitCode,
      stopReason: stopReason ?? '',
      counts: { ...counts },
      rates: laneRatesOf(this.#lanes),
    };
    try {
      await this.#journal.recordInvocation(entry);
    } catch {
      // The journal failed (and says why where it is closed) or is closed: the `end` is lost with it.
    }
  }
}

/** The `--shard K/N` an invocation recorded in its `begin` was given (`--shard K/N` or `--shard=K/N`), or undefined. */
export function shardOfArgs(args: readonly string[]): Shard | undefined {
  let text: string | undefined;
  args.forEach((arg, i) => {
    if (arg === '--shard') text = args[i + 1];
    else if (arg.startsWith('--shard=')) text = arg.slice('--shard='.length);
  });
  const shard = text === undefined ? undefined : parseShard(text);
  return typeof shard === 'object' ? shard : undefined;
}

/** An invocation of the ledger that ran as a shard. */
export interface ShardInvocation {
  readonly shard: Shard;
  readonly startedAt: string;
  readonly host: string;
}

/**
 * The `run` invocations of a checkpoint's ledger that were given a `--shard`, in file order: read
 * without locking or writing it. A checkpoint that is missing, unreadable or not a checkpoint has
 * none here: opening it says what is wrong with it.
 */
export async function shardInvocations(checkpoint: string): Promise<ShardInvocation[]> {
  const found: ShardInvocation[] = [];
  await viewCheckpoint(checkpoint, {
    onEntry: (entry) => {
      const shard = entry.type === 'begin' && entry.command === 'run' ? shardOfArgs(entry.args) : undefined;
      if (shard !== undefined && entry.type === 'begin') found.push({ shard, startedAt: entry.startedAt, host: entry.host });
    },
  }).catch(() => undefined);
  return found;
}

/**
 * The default checkpoints of this input for another shard count than `count`
 * (`<input>.shard-K-of-M.checkpoint`, M != count), sorted: left by runs with another `--shard K/M`.
 */
export async function otherShardCountCheckpoints(input: string, count: number): Promise<string[]> {
  const stem = basename(input);
  const names = await readdir(dirname(input)).catch(() => [] as string[]);
  return names
    .filter((name) => {
      if (!name.startsWith(`${stem}.shard-`) || !name.endsWith('.checkpoint')) return false;
      const match = /^(\d+)-of-(\d+)$/.exec(name.slice(`${stem}.shard-`.length, -'.checkpoint'.length));
      return match !== null && Number(match[2]) !== count;
    })
    .sort()
    .map((name) => join(dirname(input), name));
}

/**
 * `sc-owner-transfer status --checkpoint FILE...`: how far a checkpoint got, its run id, and who
 * holds its lock; with several (the shards of a run across accounts), each and their total.
 * Reads only: takes no lock, sends nothing, writes nothing.
 */
import { hostname } from 'node:os';
import { ExitCode, exitCodeHelp } from '../exit-codes.js';
import { CheckpointError, defaultIsProcessAlive, readCheckpointSummary, readLockHolder } from '../checkpoint/index.js';
import type { LockHolder } from '../checkpoint/types.js';
import { parseCommandLine, printRefusal, type Command } from './command.js';
import { booleanFlag, parseFlags, repeatedFlag, UsageError, type FlagSpec } from './flags.js';
import { checkInputFiles, checkpointRefusal } from './steps.js';
import { resolve } from 'node:path';

const STATUS_FLAGS: readonly FlagSpec[] = [
  {
    name: 'checkpoint',
    type: 'string',
    multiple: true,
    valueName: 'FILE',
    description: 'The checkpoint journal to read (required); repeatable, e.g. one per shard, for each and their total.',
  },
  { name: 'json', type: 'boolean', description: 'Print the status as JSON.' },
];

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show how far a checkpoint got and who holds its lock (sends nothing).',
  usage: 'status --checkpoint FILE [--checkpoint FILE]... [--json]',
  flags: STATUS_FLAGS,
  helpFooter: exitCodeHelp('status'),
  async execute(argv, io) {
    const config = parseCommandLine(statusCommand, argv, io, (args) => {
      const flags = parseFlags(args, STATUS_FLAGS);
      const help = booleanFlag(flags, 'help');
      if (help) return { help, paths: [], json: false };
      const paths = repeatedFlag(flags, 'checkpoint').map((path) => resolve(io.cwd, path));
      if (paths.length === 0) throw new UsageError('MISSING_FLAG', '--checkpoint is required');
      return { help, paths, json: booleanFlag(flags, 'json') };
    });
    if (typeof config === 'number') return config;
    const { paths, json } = config;
    // A missing, unreadable or directory path is the operator's to fix (exit 2), not a write failure.
    const unreadable = await checkInputFiles(paths.map((path) => ({ flag: '--checkpoint', path, use: 'read' as const })));
    if (unreadable) return printRefusal(io, 'status', unreadable);
    const statuses: CheckpointStatus[] = [];
    for (const path of paths) {
      try {
        statuses.push(await readStatus(path));
      } catch (error) {
        return printRefusal(io, 'status', checkpointRefusal(error));
      }
    }
    const total = { done: sum(statuses, 'done'), failed: sum(statuses, 'failed'), inFlight: sum(statuses, 'inFlight') };
    if (json) {
      const body = statuses.length === 1 ? statuses[0] : { checkpoints: statuses, total };
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    } else {
      io.stdout.write(statuses.map(renderStatus).join('\n'));
      if (statuses.length > 1) {
        io.stdout.write(`\ntotal of ${statuses.length} checkpoints: ${total.done} done, ${total.failed} failed, ${total.inFlight} in flight\n`);
      }
    }
    return ExitCode.Ok;
  },
};

interface CheckpointStatus {
  readonly checkpoint: string;
  readonly runId: string;
  readonly tokenScheme: string;
  readonly createdAt: string;
  readonly input: string;
  readonly done: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly entries: number;
  readonly lastEntryAt: string | null;
  readonly lock: (LockHolder & { readonly alive: boolean | string }) | null;
}

async function readStatus(path: string): Promise<CheckpointStatus> {
  const summary = await readCheckpointSummary(path);
  // A garbled lock file must not hide the progress: show it as held by an unknown holder.
  const holder = await readLockHolder(path).catch((error: unknown) => {
    if (error instanceof CheckpointError) return { host: 'unknown', pid: 0, startedAt: `unreadable lock (${error.message})`, runId: '' };
    throw error;
  });
  const holderAlive = holder === undefined ? undefined : holder.host !== hostname() ? undefined : defaultIsProcessAlive(holder.pid);
  return {
    checkpoint: path,
    runId: summary.header.runId,
    tokenScheme: summary.header.tokenScheme,
    createdAt: summary.header.createdAt,
    input: summary.header.input,
    done: summary.done,
    failed: summary.failed,
    inFlight: summary.inFlight,
    entries: summary.entries,
    lastEntryAt: summary.lastEntryAt ?? null,
    lock: holder ? { ...holder, alive: holderAlive ?? 'unknown (other host)' } : null,
  };
}

function renderStatus(status: CheckpointStatus): string {
  const { lock } = status;
  const lockText = lock
    ? `held by pid ${lock.pid} on ${lock.host} since ${lock.startedAt}${lock.alive === false ? ' (not running: the next run takes it over)' : ''}`
    : 'free';
  return [
    `checkpoint   ${status.checkpoint}`,
    `run id       ${status.runId === '' ? '(none)' : status.runId}`,
    `created      ${status.createdAt} from ${status.input}`,
    `done         ${status.done}`,
    `failed       ${status.failed} (retried by the next run)`,
    `in flight    ${status.inFlight} (resent with the same token by the next run)`,
    `last entry   ${status.lastEntryAt ?? '-'}`,
    `lock         ${lockText}`,
    '',
  ].join('\n');
}

function sum(statuses: readonly CheckpointStatus[], key: 'done' | 'failed' | 'inFlight'): number {
  return statuses.reduce((total, status) => total + status[key], 0);
}

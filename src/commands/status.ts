/**
 * `sc-owner-transfer status --checkpoint FILE`: how far a checkpoint got, its run id, and who
 * holds its lock. Reads only: takes no lock, sends nothing, writes nothing.
 */
import { hostname } from 'node:os';
import { ExitCode, exitCodeHelp } from '../exit-codes.js';
import { CheckpointError, defaultIsProcessAlive, readCheckpointSummary, readLockHolder } from '../checkpoint/index.js';
import { parseCommandLine, type Command } from './command.js';
import { booleanFlag, parseFlags, requiredString, type FlagSpec } from './flags.js';
import { checkpointRefusal } from './steps.js';
import { resolve } from 'node:path';

const STATUS_FLAGS: readonly FlagSpec[] = [
  { name: 'checkpoint', type: 'string', valueName: 'FILE', description: 'The checkpoint journal to read (required).' },
  { name: 'json', type: 'boolean', description: 'Print the status as JSON.' },
];

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show how far a checkpoint got and who holds its lock (sends nothing).',
  usage: 'status --checkpoint FILE [--json]',
  flags: STATUS_FLAGS,
  helpFooter: exitCodeHelp('status'),
  async execute(argv, io) {
    const config = parseCommandLine(statusCommand, argv, io, (args) => {
      const flags = parseFlags(args, STATUS_FLAGS);
      const help = booleanFlag(flags, 'help');
      return help ? { help, path: '', json: false } : { help, path: resolve(io.cwd, requiredString(flags, 'checkpoint')), json: booleanFlag(flags, 'json') };
    });
    if (typeof config === 'number') return config;
    const { path, json } = config;
    try {
      const summary = await readCheckpointSummary(path);
      // A garbled lock file must not hide the progress: show it as held by an unknown holder.
      const holder = await readLockHolder(path).catch((error: unknown) => {
        if (error instanceof CheckpointError) return { host: 'unknown', pid: 0, startedAt: `unreadable lock (${error.message})`, runId: '' };
        throw error;
      });
      const holderAlive = holder === undefined ? undefined : holder.host !== hostname() ? undefined : defaultIsProcessAlive(holder.pid);
      const status = {
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
      if (json) {
        io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      } else {
        const lockText = holder
          ? `held by pid ${holder.pid} on ${holder.host} since ${holder.startedAt}${holderAlive === false ? ' (not running: the next run takes it over)' : ''}`
          : 'free';
        io.stdout.write(
          [
            `checkpoint   ${path}`,
            `run id       ${summary.header.runId === '' ? '(none)' : summary.header.runId}`,
            `created      ${summary.header.createdAt} from ${summary.header.input}`,
            `done         ${summary.done}`,
            `failed       ${summary.failed} (retried by the next run)`,
            `in flight    ${summary.inFlight} (resent with the same token by the next run)`,
            `last entry   ${summary.lastEntryAt ?? '-'}`,
            `lock         ${lockText}`,
            '',
          ].join('\n'),
        );
      }
      return ExitCode.Ok;
    } catch (error) {
      const refusal = checkpointRefusal(error);
      io.stderr.write(`sc-owner-transfer status: ${refusal.message}\n`);
      return refusal.exitCode;
    }
  },
};

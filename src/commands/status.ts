/**
 * `sc-owner-transfer status --checkpoint FILE`: how far a checkpoint got, its run id, and who
 * holds its lock. Reads only: takes no lock, sends nothing, writes nothing.
 */
import { hostname } from 'node:os';
import { ExitCode } from '../exit-codes.js';
import { CheckpointError, defaultIsProcessAlive, readCheckpointSummary, readLockHolder } from '../checkpoint/index.js';
import type { Command } from './command.js';
import { booleanFlag, parseFlags, renderHelp, requiredString, UsageError, type FlagSpec } from './flags.js';
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
  helpFooter: 'Exit codes: 0 shown; 2 bad usage, or the file is missing or not a checkpoint.',
  async execute(argv, io) {
    let path: string;
    let json: boolean;
    try {
      const flags = parseFlags(argv, STATUS_FLAGS);
      if (booleanFlag(flags, 'help')) {
        io.stdout.write(renderHelp(statusCommand.summary, statusCommand.usage, STATUS_FLAGS, statusCommand.helpFooter));
        return ExitCode.Ok;
      }
      path = resolve(io.cwd, requiredString(flags, 'checkpoint'));
      json = booleanFlag(flags, 'json');
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr.write(`sc-owner-transfer status: ${error.message}\n`);
        return ExitCode.Usage;
      }
      throw error;
    }
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
      if (error instanceof CheckpointError) {
        io.stderr.write(`sc-owner-transfer status: ${error.message}\n`);
        return ExitCode.Usage;
      }
      throw error;
    }
  },
};

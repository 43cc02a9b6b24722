/**
 * The shape every subcommand has. main.ts only picks the command and hands it argv; a command parses
 * its own flags (see flags.ts), wires the engine to the outside world through `CommandIo`, prints
 * why it stops with `printRefusal`, and returns the exit code. Commands never call process.exit:
 * main.ts sets process.exitCode.
 */
import type { Readable, Writable } from 'node:stream';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { renderHelp, UsageError, type FlagSpec } from './flags.js';
import type { Refusal } from './steps.js';

export interface CommandIo {
  /** Read only to ask the operator (run's confirmation on a terminal). */
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** This process's id (the checkpoint lock records it). */
  readonly pid: number;
  /** Aborted on the first SIGINT/SIGTERM; `signalName` says which. */
  readonly signal: AbortSignal;
  /** Exit code to use when `signal` aborted (130 for SIGINT, 143 for SIGTERM). */
  readonly interruptExitCode: () => ExitCodeValue;
}

export interface Command {
  readonly name: string;
  /** One line for the top-level --help. */
  readonly summary: string;
  /** Usage line(s) after `sc-owner-transfer `. */
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Extra paragraphs for `<command> --help` (exit codes, examples). */
  readonly helpFooter?: string;
  execute(argv: readonly string[], io: CommandIo): Promise<ExitCodeValue>;
}

/**
 * The start every command shares: parse argv with the command's own parser; a usage error is
 * printed (with a pointer to --help) and becomes exit 2; `--help` prints the help and exit 0.
 * Returns the parsed config, or the exit code when the command is already done.
 */
export function parseCommandLine<T extends { readonly help: boolean }>(
  command: Command,
  argv: readonly string[],
  io: CommandIo,
  parse: (argv: readonly string[]) => T,
): T | ExitCodeValue {
  let config: T;
  try {
    config = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return printRefusal(io, command.name, { exitCode: ExitCode.Usage, message: `${error.message}\nTry 'sc-owner-transfer ${command.name} --help'.` });
  }
  if (config.help) {
    io.stdout.write(renderHelp(command.summary, command.usage, command.flags, command.helpFooter));
    return ExitCode.Ok;
  }
  return config;
}

/**
 * The one printer of why a command stops, or what went wrong on its way: `sc-owner-transfer
 * <command>: <message>` on stderr, once. Returns the refusal's exit code, so a command ends with
 * `return printRefusal(io, 'status', refusal)`.
 */
export function printRefusal(io: Pick<CommandIo, 'stderr'>, command: string, refusal: Pick<Refusal, 'exitCode' | 'message'>): ExitCodeValue {
  io.stderr.write(`sc-owner-transfer ${command}: ${refusal.message}\n`);
  return refusal.exitCode;
}

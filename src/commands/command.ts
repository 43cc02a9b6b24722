/**
 * The shape every subcommand has. cli.ts only picks the command and hands it argv; a command parses
 * its own flags (see flags.ts), wires the engine to the outside world through `CommandIo`, and
 * returns the exit code. Commands never call process.exit: cli.ts sets process.exitCode.
 */
import type { Writable } from 'node:stream';
import type { ExitCodeValue } from '../exit-codes.js';
import type { FlagSpec } from './flags.js';

export interface CommandIo {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on the first SIGINT/SIGTERM; `signalName` says which. */
  readonly signal: AbortSignal;
  /** Exit code to use when `signal` aborted (130 for SIGINT, 143 for SIGTERM). */
  interruptExitCode(): ExitCodeValue;
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

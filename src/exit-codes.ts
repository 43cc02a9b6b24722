/**
 * The exit codes are a contract with scripts and cron jobs: never renumber them. This file is the
 * one place each code's meaning is written: the summary table, every command's `--help` footer
 * and the README's table (checked by test/unit/exit-codes.test.ts) all read `EXIT_CODES`.
 *
 * The stop reasons (why a run stopped taking rows before the end of its input) live here too,
 * each with the exit code it leads to, so adding a reason is one row, not four places.
 */

/** Commands whose help lists a code. */
export type CommandName = 'plan' | 'snapshot' | 'run' | 'status' | 'undo' | 'report' | 'emulator' | 'completion';

export interface ExitCodeRow {
  readonly code: number;
  /** A few words for the summary table and the summary JSON's `exitCodeMeaning`. */
  readonly meaning: string;
  /** The README's sentence: what happened and what to do next. */
  readonly doc: string;
  /** Re-running the same command continues from the checkpoint. */
  readonly resumable: boolean;
  /**
   * The commands that can end with this code. Empty for a code reserved for a command still to be
   * built: its number is settled so scripts can be written against it, but no help lists it yet.
   */
  readonly commands: readonly CommandName[];
}

export const EXIT_CODES = {
  Ok: {
    code: 0,
    meaning: 'all done',
    resumable: false,
    commands: ['plan', 'snapshot', 'run', 'status', 'undo', 'report', 'emulator', 'completion'],
    doc: 'Every row succeeded, was submitted, or was already done or in its target state (also when `--limit` stopped the run with no failures). `status`: shown. `undo`: the undo CSV was written. `report`: the report was written. `snapshot`: the snapshot was written. `emulator`: stopped by SIGINT or SIGTERM. `completion`: the script was printed.',
  },
  RowsFailed: {
    code: 1,
    meaning: 'some rows failed or invalid',
    resumable: false,
    commands: ['run'],
    doc: 'Some rows failed (or were invalid, with `--skip-invalid`). Rerun to retry them.',
  },
  Usage: {
    code: 2,
    meaning: 'bad usage or input: nothing sent',
    resumable: false,
    commands: ['plan', 'snapshot', 'run', 'status', 'undo', 'report', 'emulator', 'completion'],
    doc: 'Bad usage or bad input: nothing sent, nothing written. Also a checkpoint of another `--run-id` (or one that is missing or not a checkpoint, for `status`, `undo` and `report`), an input file changed mid-run, in every command a file to write that exists and is not a regular file (a directory, FIFO, device or socket; `--force` included), and an input file that is missing, a directory or unreadable (the message names the flag, the path and what it is). `undo`: results written by a dry run or a verify. `report`, `snapshot`: an existing `--out` without `--force`. `emulator`: a seed that is missing, unreadable or invalid, or a port it cannot listen on. `completion`: no shell named, or one it does not know.',
  },
  StoppedEarly: {
    code: 3,
    meaning: 'stopped early (failure budget or credentials), resumable',
    resumable: true,
    commands: ['plan', 'snapshot', 'run'],
    doc: 'Stopped early by `--max-errors` (with rows left `not-started`: a budget exceeded once every row was decided stops nothing, and the rows decide), refused credentials, or an AccessDenied streak. Resumable. `plan`, `snapshot`: the account could not be listed, or whose it is could not be told.',
  },
  Locked: {
    code: 4,
    meaning: 'checkpoint locked by another run',
    resumable: false,
    commands: ['run'],
    doc: "Another run holds the checkpoint's lock (the message names host, pid and start time).",
  },
  LocalWriteFailed: {
    code: 5,
    meaning: 'a local file could not be written, resumable',
    resumable: true,
    commands: ['plan', 'snapshot', 'run', 'undo', 'report'],
    doc: 'A file of the run (checkpoint, results, summary JSON, log) could not be written: disk full, quota, read-only or I/O error, or the checkpoint or the results file was removed or replaced mid-run (its folder deleted, the file unlinked or renamed: no more rows are sent). The message names the file and the system error. Resumable once fixed: nothing is applied twice.',
  },
  ChangesPending: {
    code: 6,
    meaning: 'rows still to change',
    resumable: false,
    commands: ['run'],
    doc: '`run --dry-run --check` (the verify for cron; `plan` will use it too): rows would still change. Not a failure: a run applies them. Also `run`: rows done earlier found `drifted` (their products, read anyway, no longer have the targets); `--reconcile` puts them back.',
  },
  AccountsUnreachable: {
    code: 7,
    meaning: 'some accounts could not be reached, resumable',
    resumable: true,
    commands: ['plan', 'snapshot', 'run'],
    doc: 'A run across several accounts finished the accounts it reached, but at least one account could not be reached (its role could not be assumed, its credentials were refused, or an AccessDenied streak stopped it): its rows are `not-started`, with the reason. Resumable: rerun once the access is fixed. `plan`: the plan holds the accounts it could list and says which it could not, and why; `snapshot` likewise.',
  },
  Internal: {
    code: 70,
    meaning: 'internal error (a bug)',
    resumable: false,
    commands: ['plan', 'snapshot', 'run', 'status', 'undo', 'report', 'emulator', 'completion'],
    doc: 'A bug: an unexpected error (the stack is printed).',
  },
  Interrupted: {
    code: 130,
    meaning: 'interrupted (SIGINT), resumable',
    resumable: true,
    commands: ['run'],
    doc: 'Stopped by SIGINT. Resumable. A second signal exits at once.',
  },
  Terminated: {
    code: 143,
    meaning: 'terminated (SIGTERM), resumable',
    resumable: true,
    commands: ['run'],
    doc: 'Stopped by SIGTERM. Resumable. A second signal exits at once.',
  },
} as const satisfies Record<string, ExitCodeRow>;

export type ExitCodeName = keyof typeof EXIT_CODES;

/** `ExitCode.Usage === 2`: the numbers by name, for code that returns them. */
export const ExitCode = Object.fromEntries(Object.entries(EXIT_CODES).map(([name, row]) => [name, row.code])) as {
  readonly [K in ExitCodeName]: (typeof EXIT_CODES)[K]['code'];
};

export type ExitCodeValue = (typeof EXIT_CODES)[ExitCodeName]['code'];

const BY_CODE: ReadonlyMap<number, ExitCodeRow> = new Map(Object.values(EXIT_CODES).map((row) => [row.code, row]));

/** The documented meaning of an exit code; scripts and the help text use the same words. */
export function exitCodeMeaning(code: number): string {
  return BY_CODE.get(code)?.meaning ?? `unknown exit code ${code}`;
}

/** Exit codes after which re-running the same command continues from the checkpoint. */
export function isResumableExitCode(code: number): boolean {
  return BY_CODE.get(code)?.resumable ?? false;
}

/** The "Exit codes:" paragraph of a command's --help, from the table (reserved codes are not listed). */
export function exitCodeHelp(command: CommandName): string {
  const rows = Object.values(EXIT_CODES as Record<string, ExitCodeRow>).filter((row) => row.commands.includes(command));
  return ['Exit codes:', ...rows.map((row) => `  ${String(row.code).padStart(3)}  ${row.meaning}`)].join('\n');
}

export interface StopReasonRow {
  readonly exitCode: ExitCodeName | 'by-signal' | 'by-rows';
  readonly sentence: string;
  /**
   * A stop that only keeps new rows from starting: it is news only when it left rows
   * `not-started`. When it came once every row was already decided, the run did not stop: the
   * engine reports no stop (no `stopped by` in the summary) and the rows decide the exit code.
   */
  readonly onlyWithRowsLeft?: boolean;
}

/**
 * Why a run stopped taking rows before the end of its input. `exitCode` is the code the stop
 * leads to; `'by-signal'` means SIGINT's or SIGTERM's own code, and `'by-rows'` means the rows
 * decide (a `--limit` canary is not a failure).
 */
export const STOP_REASONS = {
  'max-errors': { exitCode: 'StoppedEarly', onlyWithRowsLeft: true, sentence: 'failure budget (--max-errors) reached' },
  credentials: { exitCode: 'StoppedEarly', sentence: 'credentials refused or expired' },
  'access-denied': { exitCode: 'StoppedEarly', sentence: 'access denied' },
  unreachable: { exitCode: 'AccountsUnreachable', sentence: 'no account could be reached (their roles could not be assumed)' },
  limit: { exitCode: 'by-rows', sentence: 'row limit (--limit) reached' },
  signal: { exitCode: 'by-signal', sentence: 'interrupted by a signal' },
  'local-error': { exitCode: 'LocalWriteFailed', sentence: 'a local file could not be written' },
} as const satisfies Record<string, StopReasonRow>;

export type StopReason = keyof typeof STOP_REASONS;

/** Whether a stop counts only when it left rows `not-started` (the failure budget). */
export function stopNeedsRowsLeft(reason: StopReason): boolean {
  return (STOP_REASONS[reason] as StopReasonRow).onlyWithRowsLeft === true;
}

/**
 * The exit code of a run that got to the end of its input (or stopped): the stop's own code, else
 * 1 when any row failed or was invalid, else 0. A stop that counts only with rows left (the failure
 * budget) and left none is no stop: the rows decide.
 */
export function exitCodeForRun(
  stoppedBy: StopReason | undefined,
  rows: { readonly failed: number; readonly invalid: number; readonly wouldChange?: number; readonly drifted?: number; readonly notStarted?: number },
  signalExitCode: () => ExitCodeValue,
  /** `--dry-run --check`: rows that would still change are news of their own (6). */
  check = false,
  /** Lanes (accounts) that stopped while the run went on: their rows were not started (7). */
  lanesStopped = 0,
): ExitCodeValue {
  const stopped = stoppedBy !== undefined && !(stopNeedsRowsLeft(stoppedBy) && rows.notStarted === 0);
  const rule = stopped ? STOP_REASONS[stoppedBy].exitCode : 'by-rows';
  if (rule === 'by-signal') return signalExitCode();
  if (rule !== 'by-rows') return ExitCode[rule];
  if (lanesStopped > 0) return ExitCode.AccountsUnreachable;
  if (rows.failed > 0 || rows.invalid > 0) return ExitCode.RowsFailed;
  // Rows done earlier whose products drifted are news of the same kind: changes still pending.
  const pending = (check ? (rows.wouldChange ?? 0) : 0) + (rows.drifted ?? 0);
  return pending > 0 ? ExitCode.ChangesPending : ExitCode.Ok;
}

/**
 * The exit code once a file written after the rows were decided (the summary JSON, the log) could
 * not be written: 0 and 1 become 5, so a script never reads a success whose report is missing; a
 * stop's own code (3, 4, 5, 130, 143...) stays, being the more urgent news.
 */
export function withLocalWriteFailure(code: ExitCodeValue): ExitCodeValue {
  return code === ExitCode.Ok || code === ExitCode.RowsFailed ? ExitCode.LocalWriteFailed : code;
}

/** The words after `stopped by` in the summary: the reason as the summary names it, then why. */
export function describeStop(stoppedBy: string): string {
  const signal = stoppedBy === 'SIGINT' ? 'interrupted (SIGINT)' : stoppedBy === 'SIGTERM' ? 'terminated (SIGTERM)' : undefined;
  if (signal !== undefined) return `${stoppedBy}: ${signal}`;
  const row = (STOP_REASONS as Record<string, { sentence: string }>)[stoppedBy];
  return row === undefined ? stoppedBy : `${stoppedBy}: ${row.sentence}`;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/commands/run.js';
import { statusCommand } from '../../src/commands/status.js';
import {
  describeStop,
  EXIT_CODES,
  ExitCode,
  exitCodeForRun,
  exitCodeHelp,
  exitCodeMeaning,
  isResumableExitCode,
  STOP_REASONS,
  stopNeedsRowsLeft,
  withLocalWriteFailure,
  type ExitCodeRow,
} from '../../src/exit-codes.js';

const rows = Object.values(EXIT_CODES) as ExitCodeRow[];

/** The `| code | meaning |` table of the README's "Exit codes" section. */
function readmeExitCodes(): Array<[number, string]> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes'));
  const table = section.slice(section.indexOf('| code | meaning |'));
  // The table ends at its first blank line.
  return table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .slice(2)
    .map((line) => {
      const [, code, doc] = /^\| (\d+) \| (.*) \|$/.exec(line) ?? [];
      return [Number(code), doc ?? ''];
    });
}

describe('the exit-code table', () => {
  it('is the README table, row for row', () => {
    expect(readmeExitCodes()).toEqual(rows.map((row) => [row.code, row.doc]));
  });

  it('has unique codes, and ExitCode names them', () => {
    expect(new Set(rows.map((row) => row.code)).size).toBe(rows.length);
    expect(ExitCode).toMatchObject({
      Ok: 0,
      RowsFailed: 1,
      Usage: 2,
      StoppedEarly: 3,
      Locked: 4,
      LocalWriteFailed: 5,
      ChangesPending: 6,
      AccountsUnreachable: 7,
      Internal: 70,
      Interrupted: 130,
      Terminated: 143,
    });
  });

  it('gives each command help that lists exactly its codes', () => {
    expect(runCommand.helpFooter).toContain(exitCodeHelp('run'));
    expect(statusCommand.helpFooter).toBe(exitCodeHelp('status'));
    for (const row of rows) {
      const line = `${String(row.code).padStart(3)}  ${row.meaning}`;
      expect(exitCodeHelp('run').includes(line)).toBe(row.commands.includes('run'));
      expect(exitCodeHelp('status').includes(line)).toBe(row.commands.includes('status'));
    }
  });

  it('says which codes resume, and names unknown codes', () => {
    expect(rows.filter((row) => isResumableExitCode(row.code)).map((row) => row.code)).toEqual([3, 5, 7, 130, 143]);
    expect(exitCodeMeaning(70)).toBe('internal error (a bug)');
    expect(exitCodeMeaning(42)).toBe('unknown exit code 42');
  });
});

describe('stop reasons', () => {
  const sigint = () => ExitCode.Interrupted;
  it('lead to their exit codes: the budget and credentials 3, a signal its own, --limit by the rows', () => {
    expect(exitCodeForRun('max-errors', { failed: 9, invalid: 0 }, sigint)).toBe(3);
    expect(exitCodeForRun('credentials', { failed: 0, invalid: 0 }, sigint)).toBe(3);
    expect(exitCodeForRun('access-denied', { failed: 5, invalid: 0 }, sigint)).toBe(3);
    expect(exitCodeForRun('signal', { failed: 1, invalid: 0 }, () => ExitCode.Terminated)).toBe(143);
    expect(exitCodeForRun('local-error', { failed: 0, invalid: 0 }, sigint)).toBe(5);
    expect(exitCodeForRun('limit', { failed: 0, invalid: 0 }, sigint)).toBe(0);
    expect(exitCodeForRun('limit', { failed: 1, invalid: 0 }, sigint)).toBe(1);
    expect(exitCodeForRun(undefined, { failed: 0, invalid: 2 }, sigint)).toBe(1);
    expect(exitCodeForRun(undefined, { failed: 0, invalid: 0 }, sigint)).toBe(0);
  });

  it('the failure budget stops a run only when it left rows not started; otherwise the rows decide', () => {
    expect(stopNeedsRowsLeft('max-errors')).toBe(true);
    expect(exitCodeForRun('max-errors', { failed: 6, invalid: 0, notStarted: 0 }, sigint)).toBe(1);
    expect(exitCodeForRun('max-errors', { failed: 6, invalid: 0, notStarted: 14 }, sigint)).toBe(3);
    // Told nothing about the rows left, it keeps the stop's own code.
    expect(exitCodeForRun('max-errors', { failed: 6, invalid: 0 }, sigint)).toBe(3);
    // Stops that are news by themselves keep their codes with nothing left.
    for (const stop of ['credentials', 'access-denied', 'limit', 'signal', 'local-error', 'unreachable'] as const) {
      expect(stopNeedsRowsLeft(stop), stop).toBe(false);
    }
    expect(exitCodeForRun('credentials', { failed: 1, invalid: 0, notStarted: 0 }, sigint)).toBe(3);
    expect(exitCodeForRun('signal', { failed: 1, invalid: 0, notStarted: 0 }, sigint)).toBe(130);
  });

  it('each have a sentence the summary shows', () => {
    for (const reason of Object.keys(STOP_REASONS)) expect(describeStop(reason)).toMatch(new RegExp(`^${reason}: \\S`));
    expect(describeStop('SIGTERM')).toBe('SIGTERM: terminated (SIGTERM)');
  });
});

describe('a report file that could not be written', () => {
  it('turns success and row failures into 5, and leaves a stop its own code', () => {
    expect(withLocalWriteFailure(ExitCode.Ok)).toBe(5);
    expect(withLocalWriteFailure(ExitCode.RowsFailed)).toBe(5);
    expect(withLocalWriteFailure(ExitCode.StoppedEarly)).toBe(3);
    expect(withLocalWriteFailure(ExitCode.Interrupted)).toBe(130);
  });
});

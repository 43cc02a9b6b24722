/**
 * The end-of-run summary: a small text table for people (printed by the CLI) and a JSON file for
 * scripts (`--summary-json`). The table answers the questions asked after every batch job: what
 * happened to the rows, how long it took, where the files are, and what the exit code means.
 */
import { describeStop, exitCodeMeaning, isResumableExitCode } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import { OUTCOMES } from '../outcomes.js';
import { writeFileAtomic } from './atomic-file.js';
import { formatDuration } from './progress.js';
import type { AccountCounts } from './account-tally.js';
import type { Outcome, RunSummary } from './types.js';

// The meanings live with the codes (src/exit-codes.ts); re-exported for the summary's readers.
export { describeStop, exitCodeMeaning, isResumableExitCode } from '../exit-codes.js';

/** Outcome rows in the table's order (src/outcomes.ts); labels match the `outcome` values in the results CSV. */
const OUTCOME_ROWS = (Object.keys(OUTCOMES) as Outcome[]).map((outcome) => [outcome, OUTCOMES[outcome].countKey] as const);

/**
 * Rows per second over the run. Rows that never started are not work done, so they are left out;
 * skipped and invalid rows are included because the run did read and decide them.
 */
export function summaryRowsPerSecond(summary: Pick<RunSummary, 'counts' | 'elapsedMs'>): number | undefined {
  if (!(summary.elapsedMs > 0)) return undefined;
  const processed = Math.max(0, summary.counts.finished - summary.counts.notStarted);
  return (processed * 1000) / summary.elapsedMs;
}

/** Two aligned columns; numbers are right-aligned so their digits line up. */
function alignRows(rows: readonly (readonly [string, string])[]): string[] {
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const numeric = rows.filter(([, value]) => /^\d+$/.test(value));
  const numberWidth = Math.max(0, ...numeric.map(([, value]) => value.length));
  return rows.map(([label, value]) => {
    const cell = /^\d+$/.test(value) ? value.padStart(numberWidth) : value;
    return `  ${label.padEnd(labelWidth)}  ${cell}`.trimEnd();
  });
}

export function renderSummaryTable(summary: RunSummary): string {
  const { counts } = summary;
  const title = `Summary${summary.dryRun ? ' (dry run: nothing was changed)' : ''}${summary.runId ? ` - run id ${summary.runId}` : ''}`;

  const outcomeRows: [string, string][] = OUTCOME_ROWS.filter(([, key]) => counts[key] > 0).map(([label, key]) => [label, String(counts[key])]);
  outcomeRows.push(['total', String(counts.total)]);

  const rate = summaryRowsPerSecond(summary);
  const runRows: [string, string][] = [
    ['elapsed', formatDuration(summary.elapsedMs)],
    ['requests', String(counts.requests)],
    ['throttles', String(counts.throttles)],
    ['retries', String(counts.retries)],
    ['rows/s', rate === undefined ? '--' : rate.toFixed(1)],
    ...(summary.limiterRate === undefined ? [] : [['update rate', `${summary.limiterRate.toFixed(1)}/s (where the limiter settled)`] as [string, string]]),
    ['input', summary.input],
    ['results', summary.results],
    ['checkpoint', summary.checkpoint],
  ];
  // Not a count: the words keep the id from being right-aligned with the numbers.
  if (summary.account !== undefined) runRows.push(['account', `${summary.account} (the credentials')`]);
  if (summary.stoppedBy !== undefined) runRows.push(['stopped by', describeStop(summary.stoppedBy)]);
  for (const warning of summary.warnings ?? []) runRows.push(['warning', warning]);
  for (const account of summary.accounts ?? [])
    runRows.push([`account ${account.accountId}${account.region === undefined ? '' : ` ${account.region}`}`, describeAccount(account)]);
  runRows.push(['exit code', `${summary.exitCode} (${exitCodeMeaning(summary.exitCode)})`]);

  // Align both sections on one label width so the table reads as one block.
  const aligned = alignRows([...outcomeRows, ...runRows]);
  const lines = [title, ...aligned.slice(0, outcomeRows.length), '', ...aligned.slice(outcomeRows.length)];
  // A dry run records no rows in the checkpoint, so there is nothing to resume: it is run again whole.
  if (isResumableExitCode(summary.exitCode)) {
    lines.push(
      '',
      summary.dryRun ? '  A dry run records no rows: run it again to read every row.' : '  Run the same command again to resume from the checkpoint.',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One account's line: its outcomes in the table's order, and why it was not reached. */
function describeAccount(account: AccountCounts): string {
  const parts = OUTCOME_ROWS.map(([label]) => [label, account.outcomes[label] ?? 0] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  return `${parts.join(', ')}${account.unreachable === undefined ? '' : ` (not reached: ${account.unreachable})`}`;
}

/**
 * The JSON form of the summary, for `--summary-json`. `stoppedBy` is always present (null when the
 * run was not stopped) so scripts can rely on the key; `exitCodeMeaning` is added for people.
 */
export function summaryJson(summary: RunSummary): string {
  const { stoppedBy, ...rest } = summary;
  return `${JSON.stringify({ ...rest, stoppedBy: stoppedBy ?? null, exitCodeMeaning: exitCodeMeaning(summary.exitCode) }, null, 2)}\n`;
}

/**
 * Writes the summary JSON atomically (temp file + fsync + rename), creating the directory; rejects
 * with a LocalFileError naming the file when it cannot be written.
 */
export async function writeSummaryJson(path: string, summary: RunSummary): Promise<void> {
  await writeFileAtomic(path, summaryJson(summary)).catch((error: unknown) => {
    throw LocalFileError.wrap('summary JSON', path, error);
  });
}

/**
 * What a run's summary is made of: the summary's own fields, with the times as clock readings
 * (`makeRunSummary`, the one place it is assembled, derives the ISO times and the elapsed time).
 */
export type SummaryParts = Omit<RunSummary, 'startedAt' | 'finishedAt' | 'elapsedMs'> & {
  readonly startedAt: number;
  readonly finishedAt: number;
};

export function makeRunSummary(parts: SummaryParts): RunSummary {
  const { counts, startedAt, finishedAt, exitCode, stoppedBy, runId, input, results, checkpoint, dryRun, error, warnings, account, limiterRate, accounts } =
    parts;
  return {
    counts,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    elapsedMs: finishedAt - startedAt,
    exitCode,
    stoppedBy,
    runId,
    input,
    results,
    checkpoint,
    dryRun,
    ...(error === undefined ? {} : { error }),
    ...(account === undefined ? {} : { account }),
    ...(limiterRate === undefined ? {} : { limiterRate: Math.round(limiterRate * 10) / 10 }),
    ...(warnings === undefined || warnings.length === 0 ? {} : { warnings }),
    ...(accounts === undefined ? {} : { accounts }),
  };
}

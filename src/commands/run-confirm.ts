/**
 * The confirmation a run asks on a terminal before its first write: where, who, how many rows of
 * each kind, to whom; only a `y` or `yes` proceeds. When the dry pass found no row to change there
 * is nothing to agree to: the run says so and goes on without asking.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { maskUrlCredentials } from '../aws/http-agents.js';
import type { InputScan } from '../input/types.js';
import type { RunCounts } from '../transfer/row-types.js';

export interface ProceedQuestion {
  readonly region: string;
  readonly endpoint: string;
  readonly account: string | undefined;
  /** What a dry pass over the rows found. */
  readonly preview: RunCounts;
  readonly targets: InputScan['targets'];
}

/**
 * What the operator is told instead of a question when the dry pass found no row to change (and
 * decided every row); undefined when there is something to ask about. A preview that left rows
 * undecided (a lane stopped, an interrupt) cannot say nothing would change, so it still asks.
 */
export function nothingToChange(preview: RunCounts): string | undefined {
  if (preview.wouldChange > 0 || preview.notStarted > 0) return undefined;
  const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
  return (
    `Nothing to change: ${rows(preview.skipped)} to skip (done or already in target), ${preview.failed + preview.invalid} failing` +
    `${preview.failed + preview.invalid > 0 ? ' (run --dry-run to see why)' : ''}; not asking, and no update will be sent.\n`
  );
}

/** Tells the operator so (and answers true) when the dry pass found no row to change: no question to ask. */
export function toldNothingToChange(output: Writable, preview: RunCounts): boolean {
  const text = nothingToChange(preview);
  if (text !== undefined) output.write(text);
  return text !== undefined;
}

/** The text shown before the question: where (an endpoint's user and password masked), who, how many rows of each kind, to whom. */
export function describeIntent(q: ProceedQuestion): string {
  const list = (title: string, map: ReadonlyMap<string, number>) =>
    map.size === 0
      ? []
      : [
          `  ${title}:`,
          ...[...map]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 20)
            .map(([arn, n]) => `    ${arn}  (${n} ${n === 1 ? 'row' : 'rows'})`),
          ...(map.size > 20 ? [`    ... and ${map.size - 20} more`] : []),
        ];
  const { preview } = q;
  return [
    `About to change provisioned products in account ${q.account ?? '(not read)'}, region ${q.region}, endpoint ${maskUrlCredentials(q.endpoint)}:`,
    `  ${preview.wouldChange} rows to change, ${preview.skipped} to skip (done or already in target), ${preview.failed + preview.invalid} failing (run --dry-run to see why)`,
    ...list('new owners', q.targets.owners),
    ...list('launch roles', q.targets.launchRoles),
    '',
  ].join('\n');
}

/** Asks on the terminal; only a `y` or `yes` proceeds. */
export async function askToProceed(input: Readable, output: Writable, text: string): Promise<boolean> {
  output.write(text);
  const rl = createInterface({ input, output, terminal: false });
  // An input that ends (Ctrl-D) is a no, not a wait forever.
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
  try {
    const answer = await Promise.race([rl.question('Proceed? [y/N] '), closed]);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

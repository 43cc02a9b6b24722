/**
 * The confirmation a run asks on a terminal before its first write: where, who, how many rows of
 * each kind, to whom; only a `y` or `yes` proceeds.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
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

/** The text shown before the question: where, who, how many rows of each kind, to whom. */
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
    `About to change provisioned products in account ${q.account ?? '(not read)'}, region ${q.region}, endpoint ${q.endpoint}:`,
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

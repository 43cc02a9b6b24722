/**
 * `run`'s checks before its first write, each returning what it learned or a `Refusal`:
 * - `checkIdentity`: who the caller is (STS, only when `--expect-account` or the target check
 *   needs it), the account guard, and the target check (IAM). A check that cannot be made is a
 *   warning, except the account guard, which refuses rather than write blind.
 * - `askToProceed`: on a terminal, what the run is about to do, and the operator's yes.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { IdentityApi } from '../aws/identity-api.js';
import { errorText } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { InputScan } from '../input/types.js';
import type { RunCounts } from '../report/types.js';
import { checkTargets, type TargetProblem } from '../transfer/target-check.js';
import type { RunConfig } from './run-options.js';
import { Refusal } from './steps.js';

export interface IdentityFindings {
  /** The caller's account, when it was read. */
  readonly account: string | undefined;
  /** The caller's ARN, when it was read (for the ledger). */
  readonly callerArn?: string | undefined;
  readonly targetProblems: ReadonlyMap<string, TargetProblem>;
  /** Checks that could not be made, for the log and the summary. */
  readonly warnings: readonly string[];
}

export async function checkIdentity(
  config: Pick<RunConfig, 'expectAccounts' | 'targetCheck'>,
  targets: InputScan['targets'],
  api: IdentityApi,
  signal: AbortSignal,
): Promise<IdentityFindings | Refusal> {
  const warnings: string[] = [];
  const expecting = config.expectAccounts.length > 0;
  if (!expecting && !config.targetCheck) return { account: undefined, targetProblems: new Map(), warnings };
  let account: string | undefined;
  let callerArn: string | undefined;
  try {
    ({ account, arn: callerArn } = await api.callerIdentity(signal));
  } catch (error) {
    if (expecting) {
      return new Refusal(
        ExitCode.Usage,
        `cannot tell which account the credentials are for (STS GetCallerIdentity: ${errorText(error)}), so --expect-account cannot be checked; nothing was sent`,
      );
    }
    warnings.push(`the caller's account could not be read (STS GetCallerIdentity: ${errorText(error)}); owners and launch roles were not checked`);
    return { account: undefined, targetProblems: new Map(), warnings };
  }
  if (expecting && !config.expectAccounts.includes(account)) {
    return new Refusal(
      ExitCode.Usage,
      `the credentials are for account ${account}, not --expect-account ${config.expectAccounts.join(', ')}: wrong profile? Nothing was sent`,
    );
  }
  if (!config.targetCheck) return { account, callerArn, targetProblems: new Map(), warnings };
  const check = await checkTargets({ owners: targets.owners.keys(), launchRoles: targets.launchRoles.keys() }, account, api, signal);
  if (check.skipped !== undefined) warnings.push(check.skipped);
  return { account, callerArn, targetProblems: check.problems, warnings };
}

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

/**
 * The checks of a run in the caller's own account, before the first write: whose the credentials
 * are (STS GetCallerIdentity), against `--expect-account`, and the new owners and launch roles
 * (IAM). A check that cannot be made is a warning, unless `--expect-account` needs it.
 */
import type { IdentityApi } from '../aws/identity-api.js';
import { errorText } from '../errors.js';
import type { InputScan } from '../input/types.js';
import { checkTargets, type TargetProblem } from '../transfer/target-check.js';
import { AccountSetupError } from './account-setup-error.js';

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
  config: { readonly expectAccounts: readonly string[]; readonly targetCheck: boolean },
  targets: InputScan['targets'],
  api: IdentityApi,
  signal: AbortSignal,
): Promise<IdentityFindings> {
  const warnings: string[] = [];
  const expecting = config.expectAccounts.length > 0;
  if (!expecting && !config.targetCheck) return { account: undefined, targetProblems: new Map(), warnings };
  let account: string | undefined;
  let callerArn: string | undefined;
  try {
    ({ account, arn: callerArn } = await api.callerIdentity(signal));
  } catch (error) {
    if (expecting) {
      throw new AccountSetupError(
        'CALLER_UNKNOWN',
        `cannot tell which account the credentials are for (STS GetCallerIdentity: ${errorText(error)}), so --expect-account cannot be checked; nothing was sent`,
      );
    }
    warnings.push(`the caller's account could not be read (STS GetCallerIdentity: ${errorText(error)}); owners and launch roles were not checked`);
    return { account: undefined, targetProblems: new Map(), warnings };
  }
  if (expecting && !config.expectAccounts.includes(account)) {
    throw new AccountSetupError(
      'WRONG_ACCOUNT',
      `the credentials are for account ${account}, not --expect-account ${config.expectAccounts.join(', ')}: wrong profile? Nothing was sent`,
    );
  }
  if (!config.targetCheck) return { account, callerArn, targetProblems: new Map(), warnings };
  const check = await checkTargets({ owners: targets.owners.keys(), launchRoles: targets.launchRoles.keys() }, account, api, signal);
  if (check.skipped !== undefined) warnings.push(check.skipped);
  return { account, callerArn, targetProblems: check.problems, warnings };
}

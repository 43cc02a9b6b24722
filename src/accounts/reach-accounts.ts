/**
 * Before the first write of a command across accounts: each account reached (STS
 * GetCallerIdentity with its own credentials, which is where a role that cannot be assumed
 * shows), and the targets checked in each account reached (IAM, once per account). An account
 * that cannot be reached stops its lane only.
 */
import pLimit from 'p-limit';
import { errorText } from '../errors.js';
import type { Lane } from '../transfer/lane.js';
import { checkTargets, type TargetProblem } from '../transfer/target-check.js';
import type { LaneIdentity } from './account-lanes.js';

/** Accounts reached at once (each is one or two STS calls). */
const REACH_CONCURRENCY = 8;

export interface UnreachableAccount {
  readonly lane: string;
  readonly accountId: string;
  readonly reason: string;
}

/** Every lane's credentials, tried once: a lane that cannot act in its account is stopped before anything else. */
export async function reachAccounts(
  lanes: ReadonlyMap<string, Lane>,
  identities: ReadonlyMap<string, LaneIdentity>,
  signal: AbortSignal,
): Promise<UnreachableAccount[]> {
  const limit = pLimit(REACH_CONCURRENCY);
  const found = await Promise.all(
    [...identities].map(([key, { accountId, identity }]) =>
      limit(async (): Promise<UnreachableAccount | undefined> => {
        try {
          const caller = await identity.callerIdentity(signal);
          if (caller.account === accountId) return undefined;
          return { lane: key, accountId, reason: `its credentials act in account ${caller.account} (${caller.arn}), not in ${accountId}` };
        } catch (error) {
          // The service's error name (AccessDenied, ExpiredToken...) is the first thing an operator looks for.
          const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
          return { lane: key, accountId, reason: `${name}${errorText(error)}` };
        }
      }),
    ),
  );
  const unreachable = found.filter((entry): entry is UnreachableAccount => entry !== undefined);
  for (const { lane, reason } of unreachable) lanes.get(lane)?.stop('unreachable', `account ${lane} could not be reached: ${reason}`);
  return unreachable;
}

/** The target check of each account reached, once per account (IAM is global). */
export async function checkAccountTargets(
  targets: { readonly owners: readonly string[]; readonly launchRoles: readonly string[] },
  identities: ReadonlyMap<string, LaneIdentity>,
  unreachable: readonly UnreachableAccount[],
  signal: AbortSignal,
): Promise<{ targetProblems: Map<string, TargetProblem>; warnings: string[] }> {
  const targetProblems = new Map<string, TargetProblem>();
  const warnings: string[] = [];
  // IAM is global: one reachable lane of an account checks its targets (a region not reached does not skip them).
  const notReached = new Set(unreachable.map((entry) => entry.lane));
  const checked = new Set<string>();
  for (const [lane, { accountId, identity }] of identities) {
    if (checked.has(accountId) || notReached.has(lane)) continue;
    checked.add(accountId);
    const check = await checkTargets(targets, accountId, identity, signal);
    if (check.skipped !== undefined) warnings.push(`account ${accountId}: ${check.skipped}`);
    for (const [arn, problem] of check.problems) targetProblems.set(arn, problem);
  }
  return { targetProblems, warnings };
}

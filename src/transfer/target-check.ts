/**
 * The target check, before the first write: each distinct new owner and launch role of the CSV is
 * looked up once with IAM. An owner that does not exist (a typo such as `user/bbo` repeated 4,000
 * times would give every product to nobody) fails its rows, and so does a launch role whose trust
 * policy does not let Service Catalog assume it. IAM may not be readable by the caller: a denied or
 * failed read skips the check with one warning, never fails a row. Only targets in the caller's
 * account can be looked up (IAM reads are per account); others are left to preflight's
 * cross-account check.
 */
import type { IdentityApi } from '../aws/identity-api.js';
import { errnoCode, errorText } from '../errors.js';
import { accountOfArn, arnParts } from '../input/iam-arn.js';
import type { FixedReason } from '../outcomes.js';

export type TargetProblemReason = Extract<FixedReason, 'target-not-found' | 'launch-role-not-trusted'>;

export interface TargetProblem {
  readonly reason: TargetProblemReason;
  readonly errorCode: string;
  readonly message: string;
}

export interface TargetCheck {
  /** Target ARN → why its rows fail. */
  readonly problems: ReadonlyMap<string, TargetProblem>;
  /** Distinct targets looked up. */
  readonly checked: number;
  /** Why the check was skipped (IAM denied or unreachable), when it was. */
  readonly skipped?: string;
}

/** How an ARN is looked up: a user by its name, a role (or an assumed role's role) by its name. */
export function lookupOf(arn: string): { kind: 'user' | 'role'; name: string } | undefined {
  const resource = arnParts(arn)?.resource ?? '';
  const [type, ...rest] = resource.split('/');
  if (type === 'user' && rest.length > 0) return { kind: 'user', name: rest.at(-1)! };
  if (type === 'role' && rest.length > 0) return { kind: 'role', name: rest.at(-1)! };
  if (type === 'assumed-role' && rest.length > 1) return { kind: 'role', name: rest[0]! };
  return undefined;
}

export async function checkTargets(
  targets: { readonly owners: Iterable<string>; readonly launchRoles: Iterable<string> },
  callerAccount: string,
  api: IdentityApi,
  signal: AbortSignal,
): Promise<TargetCheck> {
  const problems = new Map<string, TargetProblem>();
  const roles = new Map<string, Promise<{ trustsServiceCatalog: boolean } | 'missing'>>();
  const role = (name: string) => {
    let answer = roles.get(name);
    if (answer === undefined) {
      answer = api.getRole(name, signal).catch((error: unknown) => (isNoSuchEntity(error) ? ('missing' as const) : Promise.reject(error)));
      roles.set(name, answer);
    }
    return answer;
  };
  const inAccount = (arn: string) => accountOfArn(arn) === callerAccount;
  let checked = 0;
  try {
    for (const owner of new Set(targets.owners)) {
      const lookup = lookupOf(owner);
      if (lookup === undefined || !inAccount(owner)) continue;
      checked += 1;
      const missing =
        lookup.kind === 'user'
          ? await api.getUser(lookup.name, signal).then(
              () => false,
              (error: unknown) => (isNoSuchEntity(error) ? true : Promise.reject(error)),
            )
          : (await role(lookup.name)) === 'missing';
      if (missing)
        problems.set(owner, {
          reason: 'target-not-found',
          errorCode: 'NoSuchEntity',
          message: `the new owner ${owner} does not exist (IAM ${lookup.kind} ${lookup.name} not found)`,
        });
    }
    for (const launchRole of new Set(targets.launchRoles)) {
      const lookup = lookupOf(launchRole);
      if (lookup === undefined || !inAccount(launchRole)) continue;
      checked += 1;
      const facts = await role(lookup.name);
      if (facts === 'missing') {
        problems.set(launchRole, { reason: 'target-not-found', errorCode: 'NoSuchEntity', message: `the launch role ${launchRole} does not exist` });
      } else if (!facts.trustsServiceCatalog) {
        problems.set(launchRole, {
          reason: 'launch-role-not-trusted',
          errorCode: 'LaunchRoleNotTrusted',
          message: `the launch role ${launchRole} does not trust servicecatalog.amazonaws.com in its trust policy, so Service Catalog could not use it`,
        });
      }
    }
  } catch (error) {
    if (signal.aborted) throw error;
    return {
      problems: new Map(),
      checked,
      skipped: `the IAM reads failed (${errorCode(error)}: ${errorText(error)}); owners and launch roles were not checked`,
    };
  }
  return { problems, checked };
}

function errorCode(error: unknown): string {
  return (error as { name?: string }).name ?? errnoCode(error) ?? 'Error';
}

function isNoSuchEntity(error: unknown): boolean {
  return (error as { name?: string }).name === 'NoSuchEntityException' || (error as { name?: string }).name === 'NoSuchEntity';
}

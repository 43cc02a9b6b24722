/**
 * What `snapshot` reads of IAM in one account: the users and roles its products' owners and launch
 * roles name, each looked up once (GetUser / GetRole: whether it exists, its path, whether a launch
 * role trusts Service Catalog, its longest session). Reads only, through IAM's own limiter (IAM has
 * its own quota) with the run's retry policy.
 */
import type { IdentityApi, PrincipalFacts, RoleFacts } from '../aws/identity-api.js';
import type { AdaptiveRateLimiter } from '../transfer/adaptive-limiter.js';
import type { AttemptOptions } from '../transfer/row-sender.js';
import { sendWithRetry } from '../transfer/send-with-retry.js';
import { lookupOf } from '../transfer/target-check.js';

/** An IAM user or role as the snapshot keeps it (the seed's `principals` entry). */
export interface SnapshotPrincipal {
  readonly arn: string;
  /** Roles only. */
  readonly trustsServiceCatalog?: boolean;
  /** Roles only. */
  readonly maxSessionSeconds?: number;
}

/** What IAM said of the principals a place's products name. */
export type PrincipalsRead =
  | {
      readonly kind: 'read';
      readonly principals: readonly SnapshotPrincipal[];
      /** Names looked up that IAM does not know (`user/NAME`, `role/NAME`): the copy answers NoSuchEntity for them too. */
      readonly missing: readonly string[];
    }
  /** IAM could not be read (AccessDenied, an endpoint that does not answer): the copy's IAM cannot know the account's principals. */
  | { readonly kind: 'unreadable'; readonly why: string };

export interface IamReaders {
  readonly identity: IdentityApi;
  /** IAM's limiter: one for the whole snapshot. */
  readonly iamLimiter: AdaptiveRateLimiter;
}

/**
 * Each distinct user and role named, looked up once (an assumed-role owner is its role). A name IAM
 * does not know is `missing`; any other failure makes the account's IAM `unreadable`: a snapshot
 * never guesses who exists. An aborted read is returned as the Error it is.
 */
export async function readPrincipals(arns: Iterable<string>, readers: IamReaders, attempt: AttemptOptions): Promise<PrincipalsRead | Error> {
  const lookups = new Map<string, { kind: 'user' | 'role'; name: string }>();
  for (const arn of arns) {
    const lookup = lookupOf(arn);
    if (lookup !== undefined) lookups.set(`${lookup.kind}/${lookup.name}`, lookup);
  }
  const principals: SnapshotPrincipal[] = [];
  const missing: string[] = [];
  for (const [key, { kind, name }] of [...lookups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const answer = await sendWithRetry<PrincipalFacts | RoleFacts>(
      (signal) => (kind === 'user' ? readers.identity.getUser(name, signal) : readers.identity.getRole(name, signal)),
      { ...attempt, limiter: readers.iamLimiter },
    );
    if (answer.ok) {
      principals.push(principalOf(answer.value));
      continue;
    }
    if (answer.error.kind === 'aborted') return new Error('aborted');
    if (answer.error.code === 'NoSuchEntity' || answer.error.code === 'NoSuchEntityException') {
      missing.push(key);
      continue;
    }
    return { kind: 'unreadable', why: `IAM ${kind === 'user' ? 'GetUser' : 'GetRole'} ${name} failed (${answer.error.code}: ${answer.error.message})` };
  }
  return { kind: 'read', principals, missing };
}

function principalOf(facts: PrincipalFacts | RoleFacts): SnapshotPrincipal {
  if (!('trustsServiceCatalog' in facts)) return { arn: facts.arn };
  return { arn: facts.arn, trustsServiceCatalog: facts.trustsServiceCatalog, maxSessionSeconds: facts.maxSessionSeconds };
}

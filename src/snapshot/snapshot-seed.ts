/**
 * A snapshot as the seed the local Service Catalog loads (`emulator --seed FILE`): what
 * `snapshot` read of each account, in the seed's JSON shape (src/emulator/types.ts is that
 * contract; this module does not import the emulator, which checks whatever it loads).
 *
 * Kept: each provisioned product's id, name, owner, launch role, status and status message,
 * tags, creation time, product and artifact ids and names, and its region; each account's IAM
 * users and roles that the owners and launch roles name (with paths, trust in Service Catalog and
 * longest session); how a rehearsal reaches the account (the role assumed, its external id).
 * Not kept: stack outputs, parameters, record history, the principals no product names.
 *
 * A product the seed cannot hold (an owner or launch role of another account or partition, a
 * status the emulator does not know) is left out and named, never changed.
 */
import type { ProductFacts } from '../aws/service-catalog-api.js';
import { parseIamPrincipalArn } from '../input/iam-arn.js';
import type { PrincipalsRead, SnapshotPrincipal } from './read-principals.js';

/** One account as read: its products region by region, its IAM, and how a rehearsal reaches it. */
export interface AccountSnapshot {
  readonly accountId: string;
  readonly places: readonly { readonly region: string; readonly products: readonly ProductFacts[] }[];
  readonly iam: PrincipalsRead;
  /** Across accounts: the role assumed to read it and the external id it needs, which the copy lets in. */
  readonly access?: { readonly roleName: string; readonly externalId?: string | undefined } | undefined;
}

export interface SeedProductDocument {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly launchRole?: string;
  readonly status: string;
  readonly statusMessage?: string;
  readonly productId?: string;
  readonly productName?: string;
  readonly provisioningArtifactId?: string;
  readonly provisioningArtifactName?: string;
  readonly createdTime?: string;
  readonly region: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface SeedAccountDocument {
  readonly accountId: string;
  readonly products: readonly SeedProductDocument[];
  readonly principals?: readonly SnapshotPrincipal[];
  readonly assumableRoles?: readonly string[];
  readonly externalId?: string;
}

export interface SeedDocument extends SeedAccountDocument {
  readonly accounts?: readonly SeedAccountDocument[];
}

/** A product the snapshot could not keep, and why. */
export interface LeftOutProduct {
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
  readonly why: string;
}

export interface SnapshotSeed {
  readonly seed: SeedDocument;
  readonly leftOut: readonly LeftOutProduct[];
}

/** The statuses a provisioned product can have (and the emulator holds). */
const STATUSES: ReadonlySet<string> = new Set(['AVAILABLE', 'UNDER_CHANGE', 'TAINTED', 'ERROR', 'PLAN_IN_PROGRESS']);
const ID_PATTERN = /^[a-zA-Z0-9_-]{1,100}$/;
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;
/** The partition the emulator serves. */
const PARTITION = 'aws';

/**
 * The seed: the caller's own account first (its products when it was read, else none: the copy's
 * caller still lands there), then every other account read, sorted by account id. Products keep
 * the order the reads gave (sorted by id within each region).
 */
export function snapshotSeed(homeAccountId: string, accounts: readonly AccountSnapshot[]): SnapshotSeed {
  const leftOut: LeftOutProduct[] = [];
  const documents = [...accounts]
    .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
    .map((account) => accountDocument(account, leftOut));
  const home = documents.find((document) => document.accountId === homeAccountId) ?? { accountId: homeAccountId, products: [] };
  const others = documents.filter((document) => document !== home);
  return { seed: others.length === 0 ? home : { ...home, accounts: others }, leftOut };
}

function accountDocument(account: AccountSnapshot, leftOut: LeftOutProduct[]): SeedAccountDocument {
  const products: SeedProductDocument[] = [];
  for (const { region, products: read } of account.places) {
    for (const facts of read) {
      const why = productProblem(facts, account.accountId);
      if (why === undefined) products.push(productDocument(facts, region));
      else leftOut.push({ accountId: account.accountId, region, id: facts.id, why });
    }
  }
  return {
    accountId: account.accountId,
    products,
    // IAM unreadable: no list, so the copy's IAM keeps its stated default (every name exists) rather than a made-up one.
    ...(account.iam.kind === 'read' ? { principals: account.iam.principals } : {}),
    ...(account.access === undefined
      ? {}
      : { assumableRoles: [account.access.roleName], ...(account.access.externalId === undefined ? {} : { externalId: account.access.externalId }) }),
  };
}

/** Why the seed cannot hold this product as it is; undefined when it can. */
function productProblem(facts: ProductFacts, accountId: string): string | undefined {
  if (!ID_PATTERN.test(facts.id)) return `its id is not 1-100 of [a-zA-Z0-9_-]`;
  if (!NAME_PATTERN.test(facts.name ?? '')) return `its name '${facts.name ?? ''}' is not a provisioned product name the emulator holds`;
  if (!STATUSES.has(facts.status)) return `its status '${facts.status}' is not one the emulator knows`;
  const owner = principalProblem(facts.owner ?? '', accountId, false);
  if (owner !== undefined) return `its owner '${facts.owner ?? ''}' ${owner}`;
  if (facts.launchRole !== undefined && facts.launchRole !== '') {
    const role = principalProblem(facts.launchRole, accountId, true);
    if (role !== undefined) return `its launch role '${facts.launchRole}' ${role}`;
  }
  return undefined;
}

function principalProblem(arn: string, accountId: string, roleOnly: boolean): string | undefined {
  const parsed = parseIamPrincipalArn(arn);
  if (!parsed.ok) return `is not an IAM ${roleOnly ? 'role' : 'user, role or assumed-role'} ARN`;
  if (roleOnly && parsed.arn.kind !== 'role') return 'is not an IAM role ARN';
  if (parsed.arn.accountId !== accountId) return `is in account ${parsed.arn.accountId}, not the product's`;
  if (parsed.arn.partition !== PARTITION) return `is in partition ${parsed.arn.partition}; the emulator serves ${PARTITION} only`;
  return undefined;
}

function productDocument(facts: ProductFacts, region: string): SeedProductDocument {
  const optional = (key: keyof SeedProductDocument, value: string | undefined) => (value === undefined || value === '' ? {} : { [key]: value });
  const tags = facts.tags ?? {};
  return {
    id: facts.id,
    name: facts.name ?? '',
    owner: facts.owner ?? '',
    ...optional('launchRole', facts.launchRole),
    status: facts.status,
    ...optional('statusMessage', facts.statusMessage),
    ...optional('productId', facts.productId),
    ...optional('productName', facts.productName),
    ...optional('provisioningArtifactId', facts.provisioningArtifactId),
    ...optional('provisioningArtifactName', facts.provisioningArtifactName),
    ...optional('createdTime', facts.createdTime),
    region,
    ...(Object.keys(tags).length === 0 ? {} : { tags: { ...tags } }),
  };
}

/** The seed's JSON: two-space indented, one product's fields together, ending with a newline. */
export function seedJson(seed: SeedDocument): string {
  return `${JSON.stringify(seed, undefined, 2)}\n`;
}

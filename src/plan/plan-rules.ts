/**
 * `plan`'s engine (pure): which products of the account move, and to what. The owner rules come
 * from `--from-owner/--to-owner` or an owner map, the launch-role rules from `--launch-role` or a
 * launch-role map; filters narrow the products; every product is compared by this code, never by
 * trusting a search query's matching (which AWS does not document as exact).
 *
 * Owners that are shared roles: Search gives the role as `UserArn` and the person's session as
 * `UserArnSession`. A rule for an assumed-role ARN with a session matches that session only; a rule
 * for a role ARN matches the role and every session of it; a rule for a user matches that user.
 */
import type { ProductFacts } from '../aws/service-catalog-api.js';
import { arnParts } from '../input/iam-arn.js';

export interface OwnerRule {
  readonly from: string;
  readonly to: string;
  /** A launch role the moved products get too (owner map's third column, or `--launch-role`). */
  readonly launchRole?: string | undefined;
}

export interface LaunchRoleRule {
  readonly from: string;
  readonly to: string;
}

export interface PlanFilters {
  /** Statuses to keep; empty keeps every status. */
  readonly statuses: readonly string[];
  readonly nameContains?: string | undefined;
  /** The Service Catalog product (`prod-…`) the provisioned products come from. */
  readonly productId?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

export interface PlannedRow {
  readonly provisionedProductId: string;
  readonly newOwner: string;
  readonly launchRole: string;
  /** Review columns: what the product is and has now. */
  readonly provisionedProductName: string;
  readonly productId: string;
  readonly productName: string;
  readonly status: string;
  readonly currentOwner: string;
  readonly currentOwnerSession: string;
  readonly currentLaunchRole: string;
  /** The rules that matched, for the summary. */
  readonly byOwner: string | undefined;
  readonly byLaunchRole: string | undefined;
}

export type PlanDecision =
  | { readonly kind: 'move'; readonly row: PlannedRow }
  | { readonly kind: 'left-out'; readonly why: string; readonly byOwner: string | undefined; readonly byLaunchRole: string | undefined }
  | { readonly kind: 'unmatched' };

/** The role an owner ARN stands for: an assumed-role session's role, or the role itself. */
export function roleOf(arn: string): string | undefined {
  const { partition, service, account, resource } = arnParts(arn) ?? { partition: '', service: '', account: '', resource: '' };
  if (service === 'sts' && resource.startsWith('assumed-role/')) return `arn:${partition}:iam::${account}:role/${resource.split('/')[1]}`;
  if (service === 'iam' && resource.startsWith('role/')) return `arn:${partition}:iam::${account}:role/${resource.split('/').at(-1)}`;
  return undefined;
}

function isSession(arn: string): boolean {
  return arnParts(arn)?.service === 'sts';
}

/**
 * How a product's owner matches a rule: 2 exactly (the same ARN as UserArn or UserArnSession), 1 as
 * a session of the rule's role, 0 not at all. A session rule matches its session only.
 */
export function ownerMatch(ruleFrom: string, owner: string, ownerSession: string): 0 | 1 | 2 {
  if (owner === ruleFrom || ownerSession === ruleFrom) return 2;
  if (isSession(ruleFrom) || !ruleFrom.includes(':role/')) return 0;
  const role = roleOf(ruleFrom);
  return role !== undefined && (roleOf(owner) === role || roleOf(ownerSession) === role) ? 1 : 0;
}

/** The most specific owner rule for a product: an exact match before a role's. */
function ownerRuleFor(rules: readonly OwnerRule[], facts: ProductFacts): OwnerRule | undefined {
  let best: OwnerRule | undefined;
  let bestScore = 0;
  for (const rule of rules) {
    const score = ownerMatch(rule.from, facts.owner ?? '', facts.ownerSession ?? '');
    if (score > bestScore) [best, bestScore] = [rule, score];
  }
  return best;
}

function filteredOut(facts: ProductFacts, filters: PlanFilters): string | undefined {
  if (filters.statuses.length > 0 && !filters.statuses.includes(facts.status)) return `status ${facts.status} (--status ${filters.statuses.join(',')})`;
  if (filters.nameContains !== undefined && !(facts.name ?? '').toLowerCase().includes(filters.nameContains.toLowerCase()))
    return `name (--name-contains ${filters.nameContains})`;
  if (filters.productId !== undefined && facts.productId !== filters.productId) return `product ${facts.productId ?? '?'} (--product-id ${filters.productId})`;
  for (const [key, value] of Object.entries(filters.tags)) {
    if (facts.tags?.[key] !== value) return `tag ${key} (--tag ${key}=${value})`;
  }
  return undefined;
}

export function planProduct(facts: ProductFacts, owners: readonly OwnerRule[], launchRoles: readonly LaunchRoleRule[], filters: PlanFilters): PlanDecision {
  const ownerRule = ownerRuleFor(owners, facts);
  const roleRule = launchRoles.find((rule) => rule.from === facts.launchRole);
  if (ownerRule === undefined && roleRule === undefined) return { kind: 'unmatched' };
  // The summary counts a role rule's products per session, each listed.
  const byOwner = ownerRule === undefined ? undefined : isSession(facts.ownerSession ?? '') ? facts.ownerSession : ownerRule.from;
  const byLaunchRole = roleRule?.from;
  const why = filteredOut(facts, filters);
  if (why !== undefined) return { kind: 'left-out', why, byOwner, byLaunchRole };
  return {
    kind: 'move',
    row: {
      provisionedProductId: facts.id,
      newOwner: ownerRule?.to ?? '',
      launchRole: ownerRule?.launchRole ?? roleRule?.to ?? '',
      provisionedProductName: facts.name ?? '',
      productId: facts.productId ?? '',
      productName: facts.productName ?? '',
      status: facts.status,
      currentOwner: facts.owner ?? '',
      currentOwnerSession: facts.ownerSession ?? '',
      currentLaunchRole: facts.launchRole ?? '',
      byOwner,
      byLaunchRole,
    },
  };
}

/** The columns of a plan: `run`'s input, then the review columns `run` carries through. */
export const PLAN_COLUMNS = [
  ['provisioned_product_id', (r: PlannedRow) => r.provisionedProductId],
  ['new_owner', (r: PlannedRow) => r.newOwner],
  ['launch_role', (r: PlannedRow) => r.launchRole],
  ['provisioned_product_name', (r: PlannedRow) => r.provisionedProductName],
  ['product_id', (r: PlannedRow) => r.productId],
  ['product_name', (r: PlannedRow) => r.productName],
  ['status', (r: PlannedRow) => r.status],
  ['current_owner', (r: PlannedRow) => r.currentOwner],
  ['current_owner_session', (r: PlannedRow) => r.currentOwnerSession],
  ['current_launch_role', (r: PlannedRow) => r.currentLaunchRole],
] as const satisfies ReadonlyArray<readonly [string, (r: PlannedRow) => string]>;

/** Statuses the summary lists apart: an offboarding must not silently leave the leaver owning them. */
export const STATUSES_TO_REVIEW: ReadonlySet<string> = new Set(['ERROR', 'TAINTED', 'UNDER_CHANGE', 'PLAN_IN_PROGRESS']);

/**
 * What `plan`'s summary says when an owner rule is probably not what the operator meant (pure).
 *
 * - A from-owner that owns nothing, while products are owned by an ARN that differs from it only in
 *   case (`user/ALICE` for `user/alice`) or in IAM path (`user/team/dave` for `user/dave`): an ARN
 *   is compared exactly (plan-rules.ts), so the plan is empty, and an offboarding would conclude
 *   that the leaver owns nothing. The hint names the near ARNs and how many products each owns.
 * - A to-owner that is the from-owner (or the same ARN in another case, which IAM takes for the
 *   same user or role: its names are unique whatever their case): the products would keep their
 *   owner. Not said when the rule also sets a launch role, which is then the change.
 *
 * The near ARNs are found by keys (the ARN in lower case; the partition, account, kind and
 * lower-case name of a user or role, without its path; the role of a role or session), so each
 * product costs a few map look-ups whatever the number of rules.
 */
import { parseIamPrincipalArn } from '../input/iam-arn.js';
import { ownerMatch, roleOf, type OwnerRule } from './plan-rules.js';

/** The keys an ARN is near by: equal keys, and the ARNs may name one principal written another way. */
function nearKeys(arn: string): string[] {
  const keys = [`arn:${arn.toLowerCase()}`];
  const parsed = parseIamPrincipalArn(arn);
  if (parsed.ok && parsed.arn.kind !== 'assumed-role') {
    const { partition, accountId, kind, name } = parsed.arn;
    keys.push(`name:${partition}:${accountId}:${kind}:${name.toLowerCase()}`);
  }
  const role = roleOf(arn);
  if (role !== undefined) keys.push(`role:${role.toLowerCase()}`);
  return keys;
}

/** How `arn` differs from the rule's `from`, for the hint: `another case`, `another path`... */
export function howItDiffers(from: string, arn: string): string {
  if (from.toLowerCase() === arn.toLowerCase()) return 'another case';
  const a = parseIamPrincipalArn(from);
  const b = parseIamPrincipalArn(arn);
  if (a.ok && b.ok && a.arn.kind === b.arn.kind && a.arn.kind !== 'assumed-role') {
    return a.arn.name === b.arn.name ? `another path (${b.arn.path})` : `another path (${b.arn.path}) and case`;
  }
  if (b.ok && b.arn.kind === 'assumed-role') return 'a session of the role in another case';
  return 'another way of writing it';
}

export class OwnerHints {
  readonly #rules: readonly OwnerRule[];
  readonly #byKey = new Map<string, OwnerRule[]>();
  readonly #matched = new Set<OwnerRule>();
  /** Per rule, the near ARNs seen and the products each owns. */
  readonly #near = new Map<OwnerRule, Map<string, number>>();

  constructor(rules: readonly OwnerRule[]) {
    this.#rules = rules;
    for (const rule of rules) {
      for (const key of nearKeys(rule.from)) this.#byKey.set(key, [...(this.#byKey.get(key) ?? []), rule]);
    }
  }

  /** One product of the listing, by its owner (UserArn) and owner session (UserArnSession). */
  see(owner: string, session: string): void {
    if (this.#byKey.size === 0) return;
    const candidates = new Map<OwnerRule, string>();
    for (const arn of new Set([owner, session])) {
      if (arn === '') continue;
      for (const key of nearKeys(arn)) for (const rule of this.#byKey.get(key) ?? []) if (!candidates.has(rule)) candidates.set(rule, arn);
    }
    for (const [rule, arn] of candidates) {
      if (ownerMatch(rule.from, owner, session) > 0) {
        this.#matched.add(rule);
        continue;
      }
      const near = this.#near.get(rule) ?? new Map<string, number>();
      near.set(arn, (near.get(arn) ?? 0) + 1);
      this.#near.set(rule, near);
    }
  }

  /** The summary's hints: `no product is owned by …; 12 are owned by …:user/ALICE — another case`. */
  hints(): string[] {
    return this.#rules.flatMap((rule) => {
      const near = this.#near.get(rule);
      if (this.#matched.has(rule) || near === undefined) return [];
      const owners = [...near].map(([arn, count]) => `${count} ${count === 1 ? 'is' : 'are'} owned by ${arn} — ${howItDiffers(rule.from, arn)}`);
      return [`hint: no product is owned by ${rule.from}; ${owners.join('; ')}. ARNs are compared exactly: plan again with the ARN the products have`];
    });
  }

  /** Rules whose to-owner is their from-owner, and that set no launch role: nothing would change. */
  warnings(): string[] {
    return this.#rules.flatMap((rule) => {
      if (rule.launchRole !== undefined && rule.launchRole !== '') return [];
      if (rule.to === rule.from) return [`warning: the new owner of ${rule.from} is the same ARN: its products would keep their owner`];
      if (rule.to.toLowerCase() === rule.from.toLowerCase())
        return [
          `warning: the new owner ${rule.to} is the old owner ${rule.from} in another case: IAM names are unique whatever their case, so it is most likely the same principal`,
        ];
      return [];
    });
  }
}

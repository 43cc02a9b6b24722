/** plan's rules: which owner a product has, the most specific rule, launch-role rules, filters. */
import { describe, expect, it } from 'vitest';
import type { ProductFacts } from '../../../src/aws/service-catalog-api.js';
import { ownerMatch, planProduct, type PlanFilters } from '../../../src/plan/plan-rules.js';

const A = '123456789012';
const TEAM = `arn:aws:iam::${A}:role/Team`;
const CAROL = `arn:aws:sts::${A}:assumed-role/Team/carol`;
const none: PlanFilters = { statuses: [], tags: {} };
const facts = (overrides: Partial<ProductFacts>): ProductFacts => ({
  id: 'pp-1',
  arn: `arn:aws:servicecatalog:us-east-1:${A}:stack/x/pp-1`,
  status: 'AVAILABLE',
  lastRecordId: 'rec-1',
  owner: '',
  ownerSession: '',
  ...overrides,
});

describe('ownerMatch', () => {
  it('matches a user exactly, a session exactly, and a role with every session of it', () => {
    expect(ownerMatch(`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:user/alice`, '')).toBe(2);
    expect(ownerMatch(CAROL, TEAM, CAROL)).toBe(2);
    expect(ownerMatch(CAROL, TEAM, `arn:aws:sts::${A}:assumed-role/Team/dave`)).toBe(0);
    expect(ownerMatch(TEAM, TEAM, CAROL)).toBe(2);
    expect(ownerMatch(TEAM, CAROL, CAROL)).toBe(1);
    expect(ownerMatch(`arn:aws:iam::${A}:role/path/Team`, CAROL, CAROL)).toBe(1);
    expect(ownerMatch(`arn:aws:iam::${A}:role/Other`, CAROL, CAROL)).toBe(0);
  });
});

describe('planProduct', () => {
  it('prefers the session rule over the role rule, and applies a launch-role rule', () => {
    const owners = [
      { from: TEAM, to: 'arn:aws:iam::123456789012:user/team-lead' },
      { from: CAROL, to: 'arn:aws:iam::123456789012:user/zoe' },
    ];
    const roles = [{ from: `arn:aws:iam::${A}:role/Old`, to: `arn:aws:iam::${A}:role/New` }];
    const decision = planProduct(facts({ owner: CAROL, ownerSession: CAROL, launchRole: `arn:aws:iam::${A}:role/Old` }), owners, roles, none);
    expect(decision).toMatchObject({
      kind: 'move',
      row: { newOwner: 'arn:aws:iam::123456789012:user/zoe', launchRole: `arn:aws:iam::${A}:role/New`, byOwner: CAROL },
    });
    expect(planProduct(facts({ owner: 'arn:aws:iam::123456789012:user/x' }), owners, roles, none)).toEqual({ kind: 'unmatched' });
  });

  it('leaves out what the filters exclude, saying which', () => {
    const owners = [{ from: CAROL, to: 'arn:aws:iam::123456789012:user/zoe' }];
    const product = facts({ owner: CAROL, ownerSession: CAROL, status: 'TAINTED', name: 'payments-prod', productId: 'prod-1', tags: { team: 'pay' } });
    expect(planProduct(product, owners, [], { ...none, statuses: ['AVAILABLE'] })).toMatchObject({
      kind: 'left-out',
      why: 'status TAINTED (--status AVAILABLE)',
    });
    expect(planProduct(product, owners, [], { ...none, nameContains: 'ORDERS' })).toMatchObject({ kind: 'left-out', why: 'name (--name-contains ORDERS)' });
    expect(planProduct(product, owners, [], { ...none, tags: { team: 'ops' } })).toMatchObject({ kind: 'left-out', why: 'tag team (--tag team=ops)' });
    expect(planProduct(product, owners, [], { ...none, nameContains: 'PAYMENTS', productId: 'prod-1', tags: { team: 'pay' } })).toMatchObject({ kind: 'move' });
  });
});

/** plan's hints: a from-owner that owns nothing but has a near twin, and a to-owner that is the from-owner. */
import { describe, expect, it } from 'vitest';
import { howItDiffers, OwnerHints } from '../../../src/plan/owner-hints.js';

const A = '123456789012';
const alice = `arn:aws:iam::${A}:user/alice`;
const ALICE = `arn:aws:iam::${A}:user/ALICE`;
const dave = `arn:aws:iam::${A}:user/dave`;
const teamDave = `arn:aws:iam::${A}:user/team/dave`;
const bob = `arn:aws:iam::${A}:user/bob`;
const TEAM = `arn:aws:iam::${A}:role/Team`;

/** Sees `count` products owned by `owner` (and `session`). */
function see(hints: OwnerHints, count: number, owner: string, session = '') {
  for (let i = 0; i < count; i += 1) hints.see(owner, session);
}

describe('OwnerHints', () => {
  it('names the owner in another case when the from-owner owns nothing', () => {
    const hints = new OwnerHints([{ from: alice, to: bob }]);
    see(hints, 12, ALICE);
    see(hints, 3, bob);
    expect(hints.hints()).toEqual([
      `hint: no product is owned by ${alice}; 12 are owned by ${ALICE} — another case. ARNs are compared exactly: plan again with the ARN the products have`,
    ]);
  });

  it('names the user with another IAM path, and both when there are two', () => {
    const hints = new OwnerHints([{ from: dave, to: bob }]);
    see(hints, 2, teamDave);
    see(hints, 1, `arn:aws:iam::${A}:user/ops/Dave`);
    expect(hints.hints()).toEqual([
      `hint: no product is owned by ${dave}; 2 are owned by ${teamDave} — another path (/team/); 1 is owned by arn:aws:iam::${A}:user/ops/Dave — another path (/ops/) and case. ARNs are compared exactly: plan again with the ARN the products have`,
    ]);
  });

  it('says nothing when the from-owner owns products, even if a twin owns more', () => {
    const hints = new OwnerHints([{ from: alice, to: bob }]);
    see(hints, 1, alice);
    see(hints, 12, ALICE);
    expect(hints.hints()).toEqual([]);
  });

  it('says nothing of unrelated owners, another account, or another kind', () => {
    const hints = new OwnerHints([{ from: alice, to: bob }]);
    see(hints, 5, bob);
    see(hints, 5, `arn:aws:iam::210987654321:user/alice`);
    see(hints, 5, `arn:aws:iam::${A}:role/alice`);
    expect(hints.hints()).toEqual([]);
  });

  it('a role matched through its sessions is matched; a session of the role in another case is a hint', () => {
    const matched = new OwnerHints([{ from: TEAM, to: bob }]);
    matched.see(TEAM, `arn:aws:sts::${A}:assumed-role/Team/carol`);
    matched.see(`arn:aws:iam::${A}:role/team`, `arn:aws:sts::${A}:assumed-role/team/carol`);
    expect(matched.hints()).toEqual([]);
    const near = new OwnerHints([{ from: TEAM, to: bob }]);
    near.see(`arn:aws:sts::${A}:assumed-role/team/carol`, `arn:aws:sts::${A}:assumed-role/team/carol`);
    expect(near.hints()).toEqual([
      `hint: no product is owned by ${TEAM}; 1 is owned by arn:aws:sts::${A}:assumed-role/team/carol — a session of the role in another case. ARNs are compared exactly: plan again with the ARN the products have`,
    ]);
  });

  it('each rule of an owner map on its own', () => {
    const hints = new OwnerHints([
      { from: alice, to: bob },
      { from: dave, to: bob },
    ]);
    see(hints, 1, alice);
    see(hints, 4, teamDave);
    expect(hints.hints()).toEqual([expect.stringContaining(`no product is owned by ${dave}; 4 are owned by ${teamDave}`)]);
  });

  it('warns of a to-owner that is the from-owner, in the same or another case, unless a launch role is the change', () => {
    const hints = new OwnerHints([
      { from: alice, to: alice },
      { from: dave, to: `arn:aws:iam::${A}:user/DAVE` },
      { from: bob, to: bob, launchRole: `arn:aws:iam::${A}:role/SCLaunch` },
    ]);
    expect(hints.warnings()).toEqual([
      `warning: the new owner of ${alice} is the same ARN: its products would keep their owner`,
      `warning: the new owner arn:aws:iam::${A}:user/DAVE is the old owner ${dave} in another case: IAM names are unique whatever their case, so it is most likely the same principal`,
    ]);
  });
});

describe('howItDiffers', () => {
  it('case, path, path and case', () => {
    expect(howItDiffers(alice, ALICE)).toBe('another case');
    expect(howItDiffers(dave, teamDave)).toBe('another path (/team/)');
    expect(howItDiffers(teamDave, dave)).toBe('another path (/)');
  });
});

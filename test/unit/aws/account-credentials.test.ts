import { describe, expect, it } from 'vitest';
import { accessFor, partitionOf, sessionNameFor, type AccessRules } from '../../../src/aws/account-credentials.js';
import type { AccountAccessEntry } from '../../../src/input/accounts-file.js';

const A = '111111111111';
const B = '222222222222';
const rules = (overrides: Partial<AccessRules> = {}): AccessRules => ({
  assumeRoleName: 'OrganizationAccountAccessRole',
  externalId: undefined,
  profile: undefined,
  accountsFile: undefined,
  ...overrides,
});
const entry = (fields: Partial<AccountAccessEntry>): AccountAccessEntry => ({
  accountId: A,
  roleArn: undefined,
  region: undefined,
  externalId: undefined,
  profile: undefined,
  line: 2,
  ...fields,
});

describe('accessFor', () => {
  it("assumes --assume-role-name in the row's account, in the partition of its region", () => {
    expect(accessFor(A, undefined, rules({ externalId: 'x-1', profile: 'base' }))).toEqual({
      accountId: A,
      roleArn: `arn:aws:iam::${A}:role/OrganizationAccountAccessRole`,
      externalId: 'x-1',
      profile: 'base',
      region: undefined,
    });
    expect(accessFor(A, 'cn-north-1', rules()).roleArn).toBe(`arn:aws-cn:iam::${A}:role/OrganizationAccountAccessRole`);
    expect(accessFor(A, 'us-gov-west-1', rules()).roleArn).toBe(`arn:aws-us-gov:iam::${A}:role/OrganizationAccountAccessRole`);
  });

  it('the accounts file wins for the accounts it lists, cell by cell; others follow the flags', () => {
    const accountsFile = new Map([
      [A, entry({ roleArn: `arn:aws:iam::${A}:role/Admin`, region: 'eu-west-1', externalId: 'own' })],
      [B, entry({ accountId: B, profile: 'team-b' })],
    ]);
    const withFile = rules({ accountsFile, externalId: 'flag', profile: 'base' });
    expect(accessFor(A, undefined, withFile)).toEqual({
      accountId: A,
      roleArn: `arn:aws:iam::${A}:role/Admin`,
      externalId: 'own',
      profile: 'base',
      region: 'eu-west-1',
    });
    expect(accessFor(B, undefined, withFile)).toEqual({
      accountId: B,
      roleArn: `arn:aws:iam::${B}:role/OrganizationAccountAccessRole`,
      externalId: 'flag',
      profile: 'team-b',
      region: undefined,
    });
    // With no --assume-role-name, an account the file gives only a profile is reached with that profile as it is.
    expect(accessFor(B, undefined, rules({ accountsFile, assumeRoleName: undefined })).roleArn).toBeUndefined();
  });

  it("names the session after the run, within STS's 64 characters", () => {
    expect(sessionNameFor('')).toBe('sc-owner-transfer');
    expect(sessionNameFor('reorg-2026')).toBe('sc-owner-transfer-reorg-2026');
    expect(sessionNameFor('x'.repeat(64))).toHaveLength(64);
    expect(partitionOf(undefined)).toBe('aws');
  });
});

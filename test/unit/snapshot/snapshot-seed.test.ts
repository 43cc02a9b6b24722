/** The snapshot as a seed: what is kept, what is left out and why, and the accounts' order. */
import { describe, expect, it } from 'vitest';
import type { ProductFacts } from '../../../src/aws/service-catalog-api.js';
import { parseSeed } from '../../../src/emulator/seed.js';
import { seedJson, snapshotSeed, type AccountSnapshot } from '../../../src/snapshot/snapshot-seed.js';

const A = '123456789012';
const B = '210987654321';
const arn = (account: string, resource: string) => `arn:aws:iam::${account}:${resource}`;

function facts(id: string, extra: Partial<ProductFacts> = {}): ProductFacts {
  return {
    id,
    arn: `arn:aws:servicecatalog:us-east-1:${A}:stack/x/${id}`,
    status: 'AVAILABLE',
    lastRecordId: 'rec-1',
    name: `${id}-name`,
    owner: arn(A, 'user/alice'),
    ...extra,
  };
}

function account(accountId: string, products: ProductFacts[], extra: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    accountId,
    places: [{ region: 'us-east-1', products }],
    iam: { kind: 'read', principals: [{ arn: arn(accountId, 'user/alice') }], missing: [] },
    ...extra,
  };
}

describe('snapshotSeed', () => {
  it('keeps every field the seed holds, and nothing the emulator derives', () => {
    const { seed, leftOut } = snapshotSeed(A, [
      account(A, [
        facts('pp-1', {
          launchRole: arn(A, 'role/service-role/SCLaunch'),
          status: 'TAINTED',
          statusMessage: 'rolled back',
          productId: 'prod-1',
          productName: 'Web',
          provisioningArtifactId: 'pa-1',
          provisioningArtifactName: 'v1',
          createdTime: '2024-01-02T03:04:05.000Z',
          tags: { team: 'web' },
          ownerSession: 'ignored',
        }),
        facts('pp-2', { launchRole: '', tags: {} }),
      ]),
    ]);
    expect(leftOut).toEqual([]);
    expect(seed.products).toEqual([
      {
        id: 'pp-1',
        name: 'pp-1-name',
        owner: arn(A, 'user/alice'),
        launchRole: arn(A, 'role/service-role/SCLaunch'),
        status: 'TAINTED',
        statusMessage: 'rolled back',
        productId: 'prod-1',
        productName: 'Web',
        provisioningArtifactId: 'pa-1',
        provisioningArtifactName: 'v1',
        createdTime: '2024-01-02T03:04:05.000Z',
        region: 'us-east-1',
        tags: { team: 'web' },
      },
      { id: 'pp-2', name: 'pp-2-name', owner: arn(A, 'user/alice'), status: 'AVAILABLE', region: 'us-east-1' },
    ]);
    expect(seed.principals).toEqual([{ arn: arn(A, 'user/alice') }]);
    // What it writes, the emulator loads.
    expect(() => parseSeed(JSON.parse(seedJson(seed)))).not.toThrow();
  });

  it('leaves out, and names, what the emulator cannot hold', () => {
    const { seed, leftOut } = snapshotSeed(A, [
      account(A, [
        facts('pp-ok'),
        facts('pp-foreign-owner', { owner: arn(B, 'user/bob') }),
        facts('pp-user-as-role', { launchRole: arn(A, 'user/bob') }),
        facts('pp-china', { owner: `arn:aws-cn:iam::${A}:user/li` }),
        facts('pp-odd-status', { status: 'DELETING' }),
        facts('pp-no-owner', { owner: '' }),
      ]),
    ]);
    expect(seed.products.map((p) => p.id)).toEqual(['pp-ok']);
    expect(leftOut.map(({ id, why }) => `${id}: ${why}`)).toEqual([
      `pp-foreign-owner: its owner '${arn(B, 'user/bob')}' is in account ${B}, not the product's`,
      `pp-user-as-role: its launch role '${arn(A, 'user/bob')}' is not an IAM role ARN`,
      `pp-china: its owner 'arn:aws-cn:iam::${A}:user/li' is in partition aws-cn; the emulator serves aws only`,
      "pp-odd-status: its status 'DELETING' is not one the emulator knows",
      "pp-no-owner: its owner '' is not an IAM user, role or assumed-role ARN",
    ]);
  });

  it('puts the caller’s account first, keeps how each other account is reached, and no principals where IAM was not read', () => {
    const { seed } = snapshotSeed(A, [
      account(B, [facts('pp-b', { owner: arn(B, 'user/alice') })], {
        iam: { kind: 'unreadable', why: 'AccessDenied' },
        access: { roleName: 'OrganizationAccountAccessRole', externalId: 'x-42' },
      }),
    ]);
    // The caller's own account was not read: it is there, empty, with no principals declared.
    expect(seed).toMatchObject({ accountId: A, products: [] });
    expect(seed.principals).toBeUndefined();
    expect(seed.accounts).toEqual([
      {
        accountId: B,
        products: [expect.objectContaining({ id: 'pp-b' })],
        assumableRoles: ['OrganizationAccountAccessRole'],
        externalId: 'x-42',
      },
    ]);
    expect(() => parseSeed(seed)).not.toThrow();
  });
});

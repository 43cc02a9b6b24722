/** Seeds: the bundled sample, loadSeed's errors, parseSeed's checks and generateSeed. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchProvisionedProductsCommand } from '@aws-sdk/client-service-catalog';
import { EmulatorConfigError, generateSeed, loadSeed, parseSeed, startEmulator } from '../../../src/emulator/index.js';
import { parsePrincipal } from '../../../src/emulator/arn-rules.js';
import { ALICE, sampleSeed, sdkClient } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-emulator-seed-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function configError(promise: Promise<unknown> | (() => unknown)): Promise<EmulatorConfigError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    return error as EmulatorConfigError;
  }
  throw new Error('expected an EmulatorConfigError');
}

describe('samples/catalog.json', () => {
  it('is a valid seed of account 123456789012 with a departing owner, launch roles and mixed statuses', async () => {
    const seed = await sampleSeed();
    expect(seed.accountId).toBe('123456789012');
    expect(seed.products).toHaveLength(12);
    expect(seed.products.every((p) => /^pp-[a-z0-9]{12}$/.test(p.id))).toBe(true);
    expect(seed.products.filter((p) => p.owner === ALICE).length).toBeGreaterThanOrEqual(4);
    expect(seed.products.filter((p) => p.status === 'TAINTED')).toHaveLength(1);
    expect(seed.products.some((p) => p.launchRole === undefined)).toBe(true);
    expect(seed.products.some((p) => p.owner.includes(':assumed-role/'))).toBe(true);
  });

  it('declares every owner and launch role its products name, and where offboard-alice.csv moves them, launch roles trusting Service Catalog', async () => {
    const seed = await sampleSeed();
    const declared = new Map((seed.principals ?? []).map((p) => [p.arn, p]));
    const roleArn = (arn: string) => {
      const principal = parsePrincipal(arn)!;
      return principal.kind === 'assumed-role' ? `arn:aws:iam::${principal.accountId}:role/${principal.name}` : arn;
    };
    for (const product of seed.products) {
      expect(declared.has(roleArn(product.owner)), product.owner).toBe(true);
      if (product.launchRole !== undefined) expect(declared.get(product.launchRole)?.trustsServiceCatalog, product.launchRole).toBe(true);
    }
    const csv = await readFile(new URL('../../../samples/offboard-alice.csv', import.meta.url), 'utf8');
    // new_owner and launch_role, the second and third cells (no quotes before them in this file).
    const targets = new Set(
      csv.split('\n').flatMap((line) =>
        line
          .split(',')
          .slice(1, 3)
          .filter((cell) => cell.startsWith('arn:')),
      ),
    );
    expect([...targets].sort()).toEqual(['arn:aws:iam::123456789012:role/SCLaunchRole-Platform', 'arn:aws:iam::123456789012:user/bob']);
    for (const target of targets) expect(declared.has(target), target).toBe(true);
    expect(declared.get('arn:aws:iam::123456789012:role/SCLaunchRole-Platform')?.trustsServiceCatalog).toBe(true);
  });
});

describe('loadSeed', () => {
  it('says when the file is missing or not JSON', async () => {
    const missing = await configError(loadSeed(join(dir, 'nope.json')));
    expect(missing.code).toBe('SEED_UNREADABLE');
    expect(missing.message).toContain("nope.json': does not exist");
    await writeFile(join(dir, 'broken.json'), '{"accountId": ');
    const broken = await configError(loadSeed(join(dir, 'broken.json')));
    expect(broken.code).toBe('SEED_INVALID');
    expect(broken.message).toContain('broken.json: not valid JSON');
  });

  it('lists every problem of an invalid seed with its path', async () => {
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({
        accountId: '1234',
        products: [
          { id: 'pp-ok0000000001', name: 'ok', owner: 'arn:aws:iam::1234:user/a' },
          { id: 'pp bad', name: '-bad', owner: 'nobody', launchRole: 'arn:aws:iam::1234:user/u', status: 'BROKEN', colour: 'red' },
          { id: 'pp-ok0000000001', name: 'ok', owner: 'arn:aws:iam::1234:user/a' },
        ],
      }),
    );
    const error = await configError(loadSeed(join(dir, 'bad.json')));
    expect(error.code).toBe('SEED_INVALID');
    for (const expected of [
      'accountId must be a 12-digit AWS account id',
      'products[1].id: expected 1-100 of [a-zA-Z0-9_-]',
      'products[1].name: expected a provisioned product name',
      "products[1].owner: The OWNER 'nobody' is not a valid",
      'products[1].launchRole: ',
      'products[1].status: expected one of AVAILABLE',
      'products[1].colour: unknown field',
      "products[2].id: duplicate id 'pp-ok0000000001'",
      "products[2].name: duplicate name 'ok'",
    ]) {
      expect(error.message).toContain(expected);
    }
  });

  it('refuses owners and launch roles of another account', () => {
    const other = 'arn:aws:iam::999999999999:user/x';
    expect(() => parseSeed({ accountId: '123456789012', products: [{ id: 'pp-1', name: 'a', owner: other }] })).toThrow(
      /must belong to the provisioned product's account/,
    );
  });
});

describe('parseSeed: principals and tags', () => {
  const A = '123456789012';
  const product = (extra: Record<string, unknown> = {}) => ({ id: 'pp-1', name: 'a', owner: `arn:aws:iam::${A}:user/a`, ...extra });

  it('keeps valid principals and tags', () => {
    const seed = {
      accountId: A,
      principals: [
        { arn: `arn:aws:iam::${A}:user/team/a` },
        { arn: `arn:aws:iam::${A}:role/service-role/Launch`, trustsServiceCatalog: true, maxSessionSeconds: 43_200 },
        { arn: `arn:aws:iam::${A}:role/People`, trustsServiceCatalog: false, maxSessionSeconds: 3600 },
      ],
      products: [product({ tags: { team: 'payments', 'cost-center': '', [`k${'x'.repeat(127)}`]: 'v'.repeat(256) } })],
      accounts: [{ accountId: '222222222222', products: [], principals: [] }],
    };
    expect(parseSeed(seed)).toEqual(seed);
    expect(
      parseSeed({ accountId: A, products: [product({ tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) })] }).products[0]?.tags,
    ).toHaveProperty('k49');
  });

  it('lists every problem of the principals with its JSON path', async () => {
    const error = await configError(() =>
      parseSeed({
        accountId: A,
        products: [],
        principals: [
          { arn: `arn:aws:sts::${A}:assumed-role/Team/jane` },
          { arn: `arn:aws:iam::999999999999:user/x` },
          { arn: 'bob' },
          { arn: `arn:aws:iam::${A}:role/Launch` },
          { arn: `arn:aws:iam::${A}:role/other-path/Launch` },
          { arn: `arn:aws:iam::${A}:user/Launch`, trustsServiceCatalog: true, maxSessionSeconds: 7200 },
          { arn: `arn:aws:iam::${A}:role/R1`, trustsServiceCatalog: 'yes', maxSessionSeconds: 3599, colour: 'red' },
          { arn: `arn:aws:iam::${A}:role/R2`, maxSessionSeconds: 43_201 },
          { arn: `arn:aws:iam::${A}:role/R3`, maxSessionSeconds: 3600.5 },
          'arn:aws:iam::123456789012:user/plain',
        ],
        accounts: [{ accountId: '222222222222', products: [], principals: { arn: 'x' } }],
      }),
    );
    expect(error.code).toBe('SEED_INVALID');
    for (const expected of [
      'seed.principals[0].arn: expected an IAM user or role ARN',
      "seed.principals[1].arn: 'arn:aws:iam::999999999999:user/x' must belong to the account 123456789012",
      'seed.principals[2].arn: expected an IAM user or role ARN',
      'seed.principals[4].arn: the role Launch is already declared (seed.principals[3]); IAM names are unique per account whatever the path',
      'seed.principals[5].trustsServiceCatalog: only a role has a trust policy',
      'seed.principals[5].maxSessionSeconds: only a role has a MaxSessionDuration',
      'seed.principals[6].trustsServiceCatalog: expected true or false, got "yes"',
      'seed.principals[6].maxSessionSeconds: expected an integer from 3600 to 43200, got 3599',
      'seed.principals[6].colour: unknown field',
      'seed.principals[7].maxSessionSeconds: expected an integer from 3600 to 43200, got 43201',
      'seed.principals[8].maxSessionSeconds: expected an integer from 3600 to 43200, got 3600.5',
      'seed.principals[9]: expected an object {arn, trustsServiceCatalog?, maxSessionSeconds?}',
      'seed.accounts[0].principals: expected an array of {arn, trustsServiceCatalog?, maxSessionSeconds?}',
    ]) {
      expect(error.message).toContain(expected);
    }
    // A user and a role may share a name: IAM's names are unique per kind.
    expect(error.message).not.toContain('seed.principals[5].arn');
  });

  it("lists every problem of a product's tags with its JSON path", async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const error = await configError(() =>
      parseSeed({
        accountId: A,
        products: [
          product({ id: 'pp-1', name: 'a', tags: ['team=payments'] }),
          product({ id: 'pp-2', name: 'b', tags: tooMany }),
          product({
            id: 'pp-3',
            name: 'c',
            tags: { '': 'v', ['k'.repeat(129)]: 'v', 'aws:cloudformation:stack-name': 's', 'AWS:x': 'y', n: 1, long: 'v'.repeat(257) },
          }),
        ],
      }),
    );
    for (const expected of [
      'seed: products[0].tags: expected an object of tag keys to string values, got ["team=payments"]',
      'seed: products[1].tags: at most 50 tags, got 51',
      'seed: products[2].tags: key "" must be 1-128 characters',
      `seed: products[2].tags: key "${'k'.repeat(129)}" must be 1-128 characters`,
      'seed: products[2].tags.n: expected a string value, got 1',
      'seed: products[2].tags.long: the value must be at most 256 characters',
    ]) {
      expect(error.message).toContain(expected);
    }
    // AWS's own keys are let in: a snapshot holds whatever Search answered.
    expect(error.message).not.toContain('aws:cloudformation');
  });

  it('SearchProvisionedProducts answers the seeded tags (none: an empty list)', async () => {
    const emulator = await startEmulator({
      seed: {
        accountId: A,
        products: [product({ id: 'pp-tagged', name: 'tagged', tags: { team: 'payments', env: 'prod' } }), product({ id: 'pp-bare', name: 'bare' })],
      },
    });
    const client = sdkClient(emulator.endpoint);
    try {
      const out = await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: { Key: 'Account', Value: 'self' }, SortBy: 'name' }));
      expect(out.ProvisionedProducts?.map((p) => [p.Id, p.Tags])).toEqual([
        ['pp-bare', []],
        [
          'pp-tagged',
          [
            { Key: 'team', Value: 'payments' },
            { Key: 'env', Value: 'prod' },
          ],
        ],
      ]);
    } finally {
      client.destroy();
      await emulator.close();
    }
  });
});

describe('generateSeed', () => {
  it('makes N products with real-looking unique ids, deterministic for a PRNG seed', () => {
    const seed = generateSeed({ count: 500, accountId: '210987654321', random: 3 });
    expect(seed.accountId).toBe('210987654321');
    expect(seed.products).toHaveLength(500);
    expect(new Set(seed.products.map((p) => p.id)).size).toBe(500);
    expect(seed.products.every((p) => /^pp-[a-z0-9]{12}$/.test(p.id))).toBe(true);
    expect(new Set(seed.products.map((p) => p.name)).size).toBe(500);
    expect(parseSeed(seed)).toEqual(seed);
    expect(generateSeed({ count: 500, accountId: '210987654321', random: 3 })).toEqual(seed);
    expect(generateSeed({ count: 5, accountId: '210987654321', random: 4 }).products[0]?.id).not.toBe(seed.products[0]?.id);
    expect(seed.products.some((p) => p.status === 'TAINTED')).toBe(true);
  });

  it('assigns the given owners round-robin and refuses foreign ones', () => {
    const owners = ['arn:aws:iam::123456789012:user/a', 'arn:aws:iam::123456789012:role/b'];
    const seed = generateSeed({ count: 4, owners, random: 9 });
    expect(seed.products.map((p) => p.owner)).toEqual([...owners, ...owners]);
    expect(() => generateSeed({ count: 2, random: () => 0.5 })).toThrow(/keeps repeating/);
    expect(() => generateSeed({ count: 1, owners: ['arn:aws:iam::999999999999:user/x'] })).toThrow(EmulatorConfigError);
  });
});

describe('startEmulator options', () => {
  it('refuses an invalid seed, caller ARN or faults before listening', async () => {
    expect((await configError(startEmulator({ seed: { accountId: 'x', products: [] } }))).code).toBe('SEED_INVALID');
    expect((await configError(startEmulator({ seed: await sampleSeed(), callerArn: 'admin' }))).code).toBe('OPTIONS_INVALID');
    expect((await configError(startEmulator({ seed: await sampleSeed(), faults: { dropAfterApplyRate: 1.5 } }))).code).toBe('FAULTS_INVALID');
  });
});

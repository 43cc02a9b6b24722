/** Seeds: the bundled sample, loadSeed's errors, parseSeed's checks and generateSeed. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorConfigError, generateSeed, loadSeed, parseSeed, startEmulator } from '../../../src/emulator/index.js';
import { ALICE, sampleSeed } from './helpers.js';

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

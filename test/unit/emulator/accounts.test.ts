/**
 * Several accounts in one emulator: the credentials decide the account, as on AWS. Plain keys act
 * in the caller's own account; STS AssumeRole (through the SDK's own credential provider, over
 * HTTP in the query protocol) gives credentials that act in the role's account, expire, and must
 * carry their session token. Which roles can be assumed is the seed's, plus a fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeProvisionedProductCommand, ServiceCatalogClient, UpdateProvisionedProductPropertiesCommand } from '@aws-sdk/client-service-catalog';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { generateSeed, parseSeed, startEmulator, type CatalogSeed, type RunningEmulator } from '../../../src/emulator/index.js';
import { ManualClock, rejectionOf } from './helpers.js';

const HOME = '111111111111';
const TEAM_A = '222222222222';
const TEAM_B = '333333333333';
const KEYS = { accessKeyId: 'AKIDHOME', secretAccessKey: 'home-secret' };

function product(account: string, id: string) {
  return { id, name: `svc-${id}`, owner: `arn:aws:iam::${account}:user/alice`, launchRole: `arn:aws:iam::${account}:role/SCLaunch` };
}

const SEED: CatalogSeed = {
  accountId: HOME,
  products: [product(HOME, 'pp-home00000001')],
  accounts: [
    { accountId: TEAM_A, products: [product(TEAM_A, 'pp-teama0000001')], assumableRoles: ['OrganizationAccountAccessRole'] },
    { accountId: TEAM_B, products: [product(TEAM_B, 'pp-teamb0000001')], externalId: 'reorg-2026' },
  ],
};

const roleArn = (account: string, name = 'OrganizationAccountAccessRole') => `arn:aws:iam::${account}:role/${name}`;

describe('an emulator of several accounts', () => {
  let emulator: RunningEmulator;
  let clock: ManualClock;
  const clients: { destroy(): void }[] = [];
  const sts = () => {
    const client = new STSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: KEYS, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  /** A Service Catalog client whose credentials come from the SDK's own AssumeRole provider. */
  const catalogAs = (account: string, extra: { ExternalId?: string; name?: string } = {}) => {
    const client = new ServiceCatalogClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: fromTemporaryCredentials({
        masterCredentials: KEYS,
        params: { RoleArn: roleArn(account, extra.name), RoleSessionName: 'sot-test', ...(extra.ExternalId ? { ExternalId: extra.ExternalId } : {}) },
        clientConfig: { endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts: 1 },
      }),
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    emulator = await startEmulator({ seed: SEED, clock, recordDelayMs: 0, credentials: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await emulator.close();
  });

  it("lists its accounts, the caller's own first", () => {
    expect(emulator.accountIds).toEqual([HOME, TEAM_A, TEAM_B]);
    expect(
      emulator.state
        .account(TEAM_A)
        ?.products()
        .map((p) => p.id),
    ).toEqual(['pp-teama0000001']);
    expect(emulator.state.account('999999999999')).toBeUndefined();
  });

  it("AssumeRole hands out credentials that act in the role's account, and only there", async () => {
    const teamA = catalogAs(TEAM_A);
    const found = await teamA.send(new DescribeProvisionedProductCommand({ Id: 'pp-teama0000001' }));
    expect(found.ProvisionedProductDetail?.Arn).toContain(`:${TEAM_A}:stack/`);
    // A product of another account is not found with these credentials, as on AWS.
    expect((await rejectionOf(teamA.send(new DescribeProvisionedProductCommand({ Id: 'pp-home00000001' })))).name).toBe('ResourceNotFoundException');

    const update = await teamA.send(
      new UpdateProvisionedProductPropertiesCommand({
        ProvisionedProductId: 'pp-teama0000001',
        ProvisionedProductProperties: { OWNER: `arn:aws:iam::${TEAM_A}:user/bob` },
        IdempotencyToken: 'tok-a-1',
      }),
    );
    expect(update.RecordId).toMatch(/^rec-/);
    expect(emulator.state.account(TEAM_A)?.product('pp-teama0000001')?.owner).toBe(`arn:aws:iam::${TEAM_A}:user/bob`);
    // An owner of another account is refused in this one.
    const foreign = await rejectionOf(
      teamA.send(
        new UpdateProvisionedProductPropertiesCommand({
          ProvisionedProductId: 'pp-teama0000001',
          ProvisionedProductProperties: { OWNER: `arn:aws:iam::${HOME}:user/bob` },
          IdempotencyToken: 'tok-a-2',
        }),
      ),
    );
    expect(foreign.name).toBe('InvalidParametersException');

    const calls = emulator.state.calls().filter((call) => call.operation === 'UpdateProvisionedProductProperties');
    expect(calls[0]).toMatchObject({ accountId: TEAM_A, outcome: 'ok' });
    expect(calls[0]?.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    const assume = emulator.state.calls().find((call) => call.operation === 'AssumeRole');
    expect(assume).toMatchObject({ accountId: HOME, accessKeyId: KEYS.accessKeyId, outcome: 'ok' });
  });

  it('GetCallerIdentity names the assumed role in its account', async () => {
    const issued = await sts().send(new AssumeRoleCommand({ RoleArn: roleArn(TEAM_A), RoleSessionName: 'who-am-i' }));
    const creds = issued.Credentials!;
    expect(issued.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${TEAM_A}:assumed-role/OrganizationAccountAccessRole/who-am-i`);
    // An hour, AWS's default DurationSeconds (the XML carries milliseconds; allow the rounding).
    expect(Math.abs(creds.Expiration!.getTime() - (clock.now() + 3_600_000))).toBeLessThan(1000);
    const asTeamA = new STSClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! },
    });
    clients.push(asTeamA);
    expect(await asTeamA.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: TEAM_A, Arn: issued.AssumedRoleUser?.Arn });
    // The key without its session token is refused.
    const noToken = new STSClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey! },
    });
    clients.push(noToken);
    expect((await rejectionOf(noToken.send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
  });

  it('refuses a role the account does not let in, a wrong external id, and a denied account', async () => {
    const refusal = async (params: { RoleArn: string; ExternalId?: string }) =>
      rejectionOf(sts().send(new AssumeRoleCommand({ RoleSessionName: 'refused', ...params })));
    const notListed = await refusal({ RoleArn: roleArn(TEAM_A, 'SomeOtherRole') });
    expect(notListed.name).toBe('AccessDenied');
    expect(notListed.message).toContain(`sts:AssumeRole on resource: ${roleArn(TEAM_A, 'SomeOtherRole')}`);
    expect((await refusal({ RoleArn: roleArn('444444444444') })).name).toBe('AccessDenied');
    expect((await refusal({ RoleArn: roleArn(TEAM_B) })).name).toBe('AccessDenied');
    expect((await refusal({ RoleArn: roleArn(TEAM_B), ExternalId: 'wrong-one' })).name).toBe('AccessDenied');
    expect(
      (await sts().send(new AssumeRoleCommand({ RoleArn: roleArn(TEAM_B), RoleSessionName: 'ok', ExternalId: 'reorg-2026' }))).Credentials?.AccessKeyId,
    ).toMatch(/^ASIA/);
    expect((await refusal({ RoleArn: 'arn:aws:iam::12:role/x' })).name).toBe('ValidationError');

    emulator.setFaults({ assumeRoleDenied: [TEAM_A] });
    expect((await refusal({ RoleArn: roleArn(TEAM_A) })).name).toBe('AccessDenied');
    emulator.setFaults({ assumeRoleDenied: [] });
    expect((await sts().send(new AssumeRoleCommand({ RoleArn: roleArn(TEAM_A), RoleSessionName: 'again' }))).Credentials).toBeDefined();
    // The fault set on the role's own account refuses it too.
    emulator.setFaults({ assumeRoleDenied: [roleArn(TEAM_A)] }, TEAM_A);
    expect((await refusal({ RoleArn: roleArn(TEAM_A) })).name).toBe('AccessDenied');
    emulator.setFaults({ assumeRoleDenied: [] }, TEAM_A);
  });

  it("takes an MFA device's SerialNumber and TokenCode in STS's shapes, and together", async () => {
    const serial = `arn:aws:iam::${HOME}:mfa/alice`;
    const assume = (mfa: { SerialNumber?: string; TokenCode?: string }) =>
      sts().send(new AssumeRoleCommand({ RoleArn: roleArn(TEAM_A), RoleSessionName: 'with-mfa', ...mfa }));
    expect((await assume({ SerialNumber: serial, TokenCode: '123456' })).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const call = emulator.state.calls().findLast((c) => c.operation === 'AssumeRole');
    expect(call?.params).toMatchObject({ SerialNumber: serial, TokenCode: '123456' });
    const badCode = await rejectionOf(assume({ SerialNumber: serial, TokenCode: '12a456' }));
    expect(badCode.name).toBe('ValidationError');
    expect(badCode.message).toContain("Value '12a456' at 'tokenCode' failed to satisfy constraint");
    expect((await rejectionOf(assume({ SerialNumber: 'short', TokenCode: '123456' }))).name).toBe('ValidationError');
    expect((await rejectionOf(assume({ SerialNumber: serial }))).name).toBe('AccessDenied');
    expect((await rejectionOf(assume({ TokenCode: '123456' }))).name).toBe('AccessDenied');
  });

  it('quotas are per account: one account throttled leaves the others alone', async () => {
    emulator.setFaults({ quotas: { DescribeProvisionedProduct: { ratePerSecond: 0.001, burst: 1 } } }, TEAM_B);
    const teamB = catalogAs(TEAM_B, { ExternalId: 'reorg-2026' });
    const teamA = catalogAs(TEAM_A);
    await teamB.send(new DescribeProvisionedProductCommand({ Id: 'pp-teamb0000001' }));
    expect((await rejectionOf(teamB.send(new DescribeProvisionedProductCommand({ Id: 'pp-teamb0000001' })))).name).toBe('ThrottlingException');
    for (let i = 0; i < 3; i += 1) await teamA.send(new DescribeProvisionedProductCommand({ Id: 'pp-teama0000001' }));
    expect(emulator.faults(TEAM_B).quotas).toBeDefined();
    expect(emulator.faults(TEAM_A).quotas).toBeUndefined();
    emulator.setFaults({ quotas: {} }, TEAM_B);
  });
});

describe('sessions that expire', () => {
  it('credentials past their expiry are refused as ExpiredTokenException; sessionSeconds caps a session', async () => {
    const clock = new ManualClock(Date.now());
    const emulator = await startEmulator({
      seed: SEED,
      clock,
      recordDelayMs: 0,
      sessionSeconds: 60,
      credentials: { [KEYS.accessKeyId]: KEYS.secretAccessKey },
    });
    const sts = new STSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: KEYS, maxAttempts: 1 });
    try {
      const issued = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn(TEAM_A), RoleSessionName: 'short', DurationSeconds: 900 }));
      const creds = issued.Credentials!;
      expect(Math.abs(creds.Expiration!.getTime() - (clock.now() + 60_000))).toBeLessThan(1000);
      const client = new ServiceCatalogClient({
        endpoint: emulator.endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! },
      });
      await client.send(new DescribeProvisionedProductCommand({ Id: 'pp-teama0000001' }));
      // The emulator's clock moves past the session (and stays inside SigV4's 15-minute window).
      clock.advance(60_000);
      const expired = await rejectionOf(client.send(new DescribeProvisionedProductCommand({ Id: 'pp-teama0000001' })));
      expect(expired.name).toBe('ExpiredTokenException');
      expect(expired.message).toBe('The security token included in the request is expired');
      client.destroy();
    } finally {
      sts.destroy();
      await emulator.close();
    }
  });
});

describe('regions', () => {
  it('a request sees the products of the region its signature names; a region not served is refused', async () => {
    const seed: CatalogSeed = {
      accountId: HOME,
      products: [
        product(HOME, 'pp-east00000001'),
        { ...product(HOME, 'pp-west00000001'), region: 'eu-west-1' },
        { ...product(HOME, 'pp-west00000002'), name: 'svc-pp-east00000001', region: 'eu-west-1' },
      ],
    };
    const emulator = await startEmulator({ seed, recordDelayMs: 0, credentials: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
    const client = (region: string) => new ServiceCatalogClient({ endpoint: emulator.endpoint, region, credentials: KEYS, maxAttempts: 1 });
    const [east, west, tokyo] = [client('us-east-1'), client('eu-west-1'), client('ap-northeast-1')];
    try {
      expect((await east.send(new DescribeProvisionedProductCommand({ Id: 'pp-east00000001' }))).ProvisionedProductDetail?.Arn).toContain(':us-east-1:');
      expect((await rejectionOf(east.send(new DescribeProvisionedProductCommand({ Id: 'pp-west00000001' })))).name).toBe('ResourceNotFoundException');
      expect((await west.send(new DescribeProvisionedProductCommand({ Id: 'pp-west00000001' }))).ProvisionedProductDetail?.Arn).toContain(':eu-west-1:');
      // Names are unique per region: the same name in another region is another product.
      expect((await west.send(new DescribeProvisionedProductCommand({ Name: 'svc-pp-east00000001' }))).ProvisionedProductDetail?.Id).toBe('pp-west00000002');
      expect((await rejectionOf(tokyo.send(new DescribeProvisionedProductCommand({ Id: 'pp-east00000001' })))).name).toBe('InvalidSignatureException');
      expect(
        emulator.state
          .products()
          .map((p) => p.id)
          .sort(),
      ).toEqual(['pp-east00000001', 'pp-west00000001', 'pp-west00000002']);
      // The refused request never got as far as an identity.
      expect(emulator.state.calls().map((call) => call.region)).toEqual(['us-east-1', 'us-east-1', 'eu-west-1', 'eu-west-1', undefined]);
    } finally {
      for (const c of [east, west, tokyo]) c.destroy();
      await emulator.close();
    }
  });

  it('--generate with regions: N products in each region of each account', () => {
    const seed = generateSeed({ count: 3, accountId: '210000000000', accounts: 2, regions: ['us-east-1', 'eu-west-1'] });
    for (const account of [seed, ...(seed.accounts ?? [])]) {
      expect(account.products.map((p) => p.region)).toEqual(['us-east-1', 'us-east-1', 'us-east-1', 'eu-west-1', 'eu-west-1', 'eu-west-1']);
    }
  });
});

describe('seeds of several accounts', () => {
  it('are checked account by account, with the path of each problem', () => {
    expect(() => parseSeed({ ...SEED, accounts: [{ accountId: HOME, products: [] }] })).toThrow(/accounts\[0\]\.accountId: account 111111111111 appears twice/);
    expect(() => parseSeed({ ...SEED, accounts: [{ accountId: TEAM_A, products: [product(HOME, 'pp-x')] }] })).toThrow(/accounts\[0\]: products\[0\]\.owner/);
    expect(() => parseSeed({ ...SEED, accounts: [{ accountId: TEAM_A, products: [], assumableRoles: ['bad role'] }] })).toThrow(/assumableRoles/);
    expect(() => parseSeed({ ...SEED, accounts: [{ accountId: TEAM_A, products: [], region: 'x' }] })).toThrow(/accounts\[0\]\.region: unknown field/);
  });

  it('--generate N --accounts K: N products in each of K accounts, ids unique across them', () => {
    const seed = generateSeed({ count: 50, accountId: '210000000000', accounts: 3 });
    expect([seed.accountId, ...(seed.accounts ?? []).map((a) => a.accountId)]).toEqual(['210000000000', '210000000001', '210000000002']);
    const all = [seed, ...(seed.accounts ?? [])];
    for (const account of all) {
      expect(account.products).toHaveLength(50);
      for (const p of account.products) expect(p.owner).toContain(`::${account.accountId}:`);
    }
    expect(new Set(all.flatMap((a) => a.products.map((p) => p.id))).size).toBe(150);
    expect(seed.accounts?.[0]?.assumableRoles).toEqual(['OrganizationAccountAccessRole', 'AWSControlTowerExecution']);
    expect(generateSeed({ count: 5 }).accounts).toBeUndefined();
  });
});

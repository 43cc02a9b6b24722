/**
 * IAM's users and roles as the emulator knows them, through the real SDK clients over HTTP: a seed
 * that declares `principals` has those (with their paths), the caller, its `assumableRoles` and the
 * `iamPrincipals` option's, and NoSuchEntity for any other name; a seed without has every name.
 * Names IAM's model refuses are a ValidationError either way; a declared role's MaxSessionDuration
 * and trust policy are answered by GetRole and held to by STS AssumeRole.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GetRoleCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { EmulatorConfigError, startEmulator, type CatalogSeed, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/index.js';
import { IdentityClients, ManualClock, rejectionOf, sessionCredentials } from './helpers.js';

const HOME = '111111111111';
const TEAM = '222222222222';
const KEYS = { accessKeyId: 'AKIDIAM', secretAccessKey: 'iam-secret' };
const OPERATOR = `arn:aws:iam::${HOME}:user/operator`;
const DECLARED: CatalogSeed = {
  accountId: HOME,
  products: [],
  principals: [
    { arn: `arn:aws:iam::${HOME}:user/engineering/erin` },
    { arn: `arn:aws:iam::${HOME}:role/service-role/SCLaunch-Data`, maxSessionSeconds: 43_200 },
    { arn: `arn:aws:iam::${HOME}:role/PeopleRole`, trustsServiceCatalog: false },
  ],
  accounts: [{ accountId: TEAM, products: [], principals: [], assumableRoles: ['OrganizationAccountAccessRole'] }],
};

let emulator: RunningEmulator | undefined;
let clock: ManualClock;
const clients = new IdentityClients(() => emulator!.endpoint, KEYS);

afterEach(async () => {
  clients.destroyAll();
  await emulator?.close();
  emulator = undefined;
});

async function start(seed: CatalogSeed, options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({
    seed,
    clock,
    recordDelayMs: 0,
    callerArn: OPERATOR,
    credentials: { [KEYS.accessKeyId]: KEYS.secretAccessKey },
    ...options,
  });
  return emulator;
}

const iam = (credentials?: Parameters<IdentityClients['iam']>[0]) => clients.iam(credentials);
const sts = () => clients.sts();

const getUser = (name: string, client = iam()) => client.send(new GetUserCommand({ UserName: name }));
const getRole = (name: string, client = iam()) => client.send(new GetRoleCommand({ RoleName: name }));

async function refusal(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  const error = await rejectionOf(promise);
  return { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
}

const noSuch = (kind: 'user' | 'role', name: string) => ({
  name: 'NoSuchEntityException',
  status: 404,
  message: `The ${kind} with name ${name} cannot be found.`,
});

/** The services a role's (URL-encoded) trust policy lets assume it. */
function trustedServices(document: string | undefined): string[] {
  const policy = JSON.parse(decodeURIComponent(document!)) as { Statement: { Principal: { Service: string } }[] };
  return policy.Statement.map((statement) => statement.Principal.Service);
}

describe('a seed that declares principals', () => {
  it('answers a declared user and role with the Path and Arn of their ARN, any other name NoSuchEntity', async () => {
    await start(DECLARED);
    expect((await getUser('erin')).User).toMatchObject({ UserName: 'erin', Path: '/engineering/', Arn: `arn:aws:iam::${HOME}:user/engineering/erin` });
    expect((await getRole('SCLaunch-Data')).Role).toMatchObject({
      RoleName: 'SCLaunch-Data',
      Path: '/service-role/',
      Arn: `arn:aws:iam::${HOME}:role/service-role/SCLaunch-Data`,
    });
    expect((await getUser('erin')).User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(await refusal(getUser('nobody'))).toEqual(noSuch('user', 'nobody'));
    expect(await refusal(getRole('NoSuchRole'))).toEqual(noSuch('role', 'NoSuchRole'));
    // Names are unique per kind: a role named like a declared user is not that user.
    expect(await refusal(getRole('erin'))).toEqual(noSuch('role', 'erin'));
  });

  it('an empty list knows only the caller', async () => {
    await start({ accountId: HOME, products: [], principals: [] });
    expect((await getUser('operator')).User).toMatchObject({ Path: '/', Arn: OPERATOR });
    expect(await refusal(getUser('alice'))).toEqual(noSuch('user', 'alice'));
  });

  it('the caller exists in its account: a user, a role with its path, the role of an assumed-role session', async () => {
    await start(DECLARED, { callerArn: `arn:aws:iam::${HOME}:role/ops/Admin` });
    expect((await getRole('Admin')).Role).toMatchObject({ Path: '/ops/', Arn: `arn:aws:iam::${HOME}:role/ops/Admin` });
    expect(await refusal(getUser('Admin'))).toEqual(noSuch('user', 'Admin'));
    await emulator!.close();
    await start(DECLARED, { callerArn: `arn:aws:sts::${HOME}:assumed-role/PlatformTeam/jane.doe` });
    expect((await getRole('PlatformTeam')).Role).toMatchObject({ Path: '/', Arn: `arn:aws:iam::${HOME}:role/PlatformTeam` });
    expect(await refusal(getUser('operator'))).toEqual(noSuch('user', 'operator'));
  });

  it("the roles an account's assumableRoles let in exist there; a session sees its account's IAM, not the caller's", async () => {
    await start(DECLARED);
    const issued = await sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEAM}:role/OrganizationAccountAccessRole`, RoleSessionName: 'iam-test' }));
    const session = iam(sessionCredentials(issued));
    expect((await getRole('OrganizationAccountAccessRole', session)).Role).toMatchObject({
      Path: '/',
      Arn: `arn:aws:iam::${TEAM}:role/OrganizationAccountAccessRole`,
      MaxSessionDuration: 3600,
    });
    expect(await refusal(getUser('erin', session))).toEqual(noSuch('user', 'erin'));
    expect(await refusal(getRole('AWSControlTowerExecution', session))).toEqual(noSuch('role', 'AWSControlTowerExecution'));
  });

  it('the iamPrincipals option adds principals, each in its account, and closes an account that declared none', async () => {
    const open: CatalogSeed = { accountId: HOME, products: [] };
    await start(open, { iamPrincipals: [`arn:aws:iam::${HOME}:user/contractors/bob`, `arn:aws:iam::${HOME}:role/SCLaunchRole-Platform`] });
    expect((await getUser('bob')).User).toMatchObject({ Path: '/contractors/', Arn: `arn:aws:iam::${HOME}:user/contractors/bob` });
    expect((await getRole('SCLaunchRole-Platform')).Role).toMatchObject({ Path: '/', MaxSessionDuration: 3600 });
    expect(await refusal(getUser('alice'))).toEqual(noSuch('user', 'alice'));
    await emulator!.close();
    await start(DECLARED, { iamPrincipals: [`arn:aws:iam::${HOME}:user/bob`] });
    expect((await getUser('bob')).User?.Arn).toBe(`arn:aws:iam::${HOME}:user/bob`);
    expect((await getUser('erin')).User?.Path).toBe('/engineering/');
  });

  it('the faults still apply to declared principals: missingPrincipals, untrustedRoles, iamAccessDenied', async () => {
    await start(DECLARED, {
      faults: { missingPrincipals: [`arn:aws:iam::${HOME}:user/engineering/erin`], untrustedRoles: [`arn:aws:iam::${HOME}:role/service-role/SCLaunch-Data`] },
    });
    expect(await refusal(getUser('erin'))).toEqual(noSuch('user', 'erin'));
    expect(trustedServices((await getRole('SCLaunch-Data')).Role?.AssumeRolePolicyDocument)).not.toContain('servicecatalog.amazonaws.com');
    emulator!.setFaults({ iamAccessDenied: true });
    expect((await refusal(getRole('SCLaunch-Data'))).name).toBe('AccessDenied');
  });
});

describe('a role declared with settings', () => {
  it('GetRole answers its maxSessionSeconds, and AssumeRole holds sessions to it (other roles: 1 hour)', async () => {
    const seed: CatalogSeed = {
      accountId: HOME,
      products: [],
      accounts: [{ accountId: TEAM, products: [], principals: [{ arn: `arn:aws:iam::${TEAM}:role/ops/LongRole`, maxSessionSeconds: 14_400 }] }],
    };
    await start(seed);
    const assume = (role: string, DurationSeconds: number) =>
      sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEAM}:role/${role}`, RoleSessionName: 'long', DurationSeconds }));
    const issued = await assume('ops/LongRole', 14_400);
    const c = issued.Credentials!;
    expect((c.Expiration!.getTime() - clock.now()) / 1000).toBeCloseTo(14_400, 0);
    const session = iam(sessionCredentials(issued));
    expect((await getRole('LongRole', session)).Role).toMatchObject({ MaxSessionDuration: 14_400, Path: '/ops/' });
    const overMax = { name: 'ValidationError', status: 400, message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' };
    expect(await refusal(assume('ops/LongRole', 14_401))).toEqual(overMax);
    expect(await refusal(assume('OtherRole', 3601))).toEqual(overMax);
  });

  it('trustsServiceCatalog false: a trust policy without Service Catalog; launch roles trust it by default', async () => {
    await start(DECLARED);
    const people = (await getRole('PeopleRole')).Role;
    expect(trustedServices(people?.AssumeRolePolicyDocument)).not.toContain('servicecatalog.amazonaws.com');
    expect(trustedServices((await getRole('SCLaunch-Data')).Role?.AssumeRolePolicyDocument)).toEqual(['servicecatalog.amazonaws.com']);
    expect((await getRole('SCLaunch-Data')).Role?.MaxSessionDuration).toBe(43_200);
    expect(people?.MaxSessionDuration).toBe(3600);
  });
});

describe('a seed without principals (written before they existed)', () => {
  it('has every name IAM allows, with path /', async () => {
    await start({ accountId: HOME, products: [] });
    expect((await getUser('anyone')).User).toMatchObject({ UserName: 'anyone', Path: '/', Arn: `arn:aws:iam::${HOME}:user/anyone` });
    expect((await getRole('AnyRole')).Role).toMatchObject({
      RoleName: 'AnyRole',
      Path: '/',
      Arn: `arn:aws:iam::${HOME}:role/AnyRole`,
      MaxSessionDuration: 3600,
    });
    expect(trustedServices((await getRole('AnyRole')).Role?.AssumeRolePolicyDocument)).toEqual(['servicecatalog.amazonaws.com']);
    expect((await getUser('u'.repeat(64))).User?.UserName).toHaveLength(64);
    expect((await getRole('r'.repeat(64))).Role?.RoleName).toHaveLength(64);
    // GetUser takes up to 128 characters, but no user is named with more than 64 (CreateUser's limit).
    expect(await refusal(getUser('u'.repeat(65)))).toEqual(noSuch('user', 'u'.repeat(65)));
  });
});

describe("names IAM's model refuses", () => {
  it('are a ValidationError in IAM words, before any lookup, declared principals or not', async () => {
    for (const seed of [{ accountId: HOME, products: [] }, DECLARED]) {
      await start(seed);
      expect(await refusal(getUser('a b'))).toEqual({
        name: 'ValidationError',
        status: 400,
        message:
          "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      });
      expect(await refusal(getUser('u'.repeat(129)))).toEqual({
        name: 'ValidationError',
        status: 400,
        message: `1 validation error detected: Value '${'u'.repeat(129)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      });
      expect(await refusal(getRole('r'.repeat(65)))).toEqual({
        name: 'ValidationError',
        status: 400,
        message: `1 validation error detected: Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
      });
      expect((await refusal(getRole('bad/role'))).message).toContain(
        "at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern",
      );
      await emulator!.close();
      emulator = undefined;
    }
  });
});

describe('the iamPrincipals option', () => {
  it('refuses an ARN that is not a user or role, or of an account the seed does not hold, naming it', async () => {
    for (const arn of [`arn:aws:sts::${HOME}:assumed-role/PlatformTeam/jane`, 'bob', `arn:aws:iam::999999999999:user/bob`]) {
      const error = await rejectionOf(start(DECLARED, { iamPrincipals: [arn] }));
      expect(error).toBeInstanceOf(EmulatorConfigError);
      expect((error as EmulatorConfigError).code).toBe('OPTIONS_INVALID');
      expect(error.message).toContain(arn);
    }
  });
});

/**
 * STS as AWS answers it (issue 26, a rehearsal that refuses what AWS refuses), through the real SDK
 * clients over HTTP: AssumeRole's DurationSeconds (900 up to the role's MaxSessionDuration, 1 hour
 * when chaining), ExternalId's and RoleSessionName's shapes, GetCallerIdentity's Arn and UserId
 * for a user, a role session and an AssumeRole session, and bad credentials refused with the query
 * protocol's codes by STS and IAM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GetRoleCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { startEmulator, type CatalogSeed, type RunningEmulator } from '../../../src/emulator/index.js';
import { callerIdentityOf } from '../../../src/emulator/sts-rules.js';
import { IdentityClients, ManualClock, rejectionOf, sessionCredentials, type IdentityCredentials } from './helpers.js';

const HOME = '111111111111';
const TEAM = '222222222222';
const KEYS = { accessKeyId: 'AKIDSTS', secretAccessKey: 'sts-secret' };
const OPERATOR = `arn:aws:iam::${HOME}:user/operator`;
const ROLE = `arn:aws:iam::${TEAM}:role/OrganizationAccountAccessRole`;
const SEED: CatalogSeed = { accountId: HOME, products: [], accounts: [{ accountId: TEAM, products: [] }] };

let emulator: RunningEmulator | undefined;
let clock: ManualClock;
const clients = new IdentityClients(() => emulator!.endpoint, KEYS);

afterEach(async () => {
  clients.destroyAll();
  await emulator?.close();
  emulator = undefined;
});

async function start(callerArn: string): Promise<RunningEmulator> {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({ seed: SEED, clock, recordDelayMs: 0, callerArn, credentials: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
  return emulator;
}

const sts = (credentials?: IdentityCredentials) => clients.sts(credentials);
const iam = (credentials?: IdentityCredentials) => clients.iam(credentials);

const assume = (input: Partial<AssumeRoleCommandInput>, client = sts()) =>
  client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'sts-test', ...input }));

async function refusal(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  const error = await rejectionOf(promise);
  return { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
}

describe('AssumeRole DurationSeconds', () => {
  it("an IAM user's session: 900 up to the role's MaxSessionDuration (IAM's default, 3600)", async () => {
    await start(OPERATOR);
    const lasts = async (seconds: number) => ((await assume({ DurationSeconds: seconds })).Credentials!.Expiration!.getTime() - clock.now()) / 1000;
    expect(Math.round(await lasts(900))).toBe(900);
    expect(Math.round(await lasts(3600))).toBe(3600);
    expect(Math.round(((await assume({})).Credentials!.Expiration!.getTime() - clock.now()) / 1000)).toBe(3600);

    expect(await refusal(assume({ DurationSeconds: 899 }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message:
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    expect(await refusal(assume({ DurationSeconds: 3601 }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    const overModel = await refusal(assume({ DurationSeconds: 43_201 }));
    expect(overModel).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(overModel.message).toContain('Member must have value less than or equal to 43200');
  });

  it('role chaining: a role session (an AssumeRole session, or a callerArn that is a role) gets at most an hour', async () => {
    await start(OPERATOR);
    const session = sts(sessionCredentials(await assume({ RoleSessionName: 'first-hop' })));
    expect((await assume({ RoleSessionName: 'second-hop', DurationSeconds: 3600 }, session)).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect((await assume({ RoleSessionName: 'second-hop', DurationSeconds: 900 }, session)).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const chained = {
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    };
    expect(await refusal(assume({ RoleSessionName: 'second-hop', DurationSeconds: 3601 }, session))).toEqual(chained);
    expect(await refusal(assume({ RoleSessionName: 'second-hop', DurationSeconds: 43_200 }, session))).toEqual(chained);
    await emulator!.close();

    // The default caller is a role: on AWS its credentials are a session of it, so AssumeRole chains.
    await start(`arn:aws:iam::${HOME}:role/Admin`);
    expect((await assume({ DurationSeconds: 3600 })).Credentials).toBeDefined();
    expect(await refusal(assume({ DurationSeconds: 7200 }))).toEqual(chained);
  });
});

describe('AssumeRole ExternalId and RoleSessionName shapes', () => {
  it('ExternalId: 2-1224 characters of [\\w+=,.@:/-]', async () => {
    await start(OPERATOR);
    // The account asks for no external id: any well-formed one passes.
    for (const ExternalId of ['ab', 'urn:reorg/2026-01@example.com', 'x'.repeat(1224)]) {
      expect((await assume({ ExternalId })).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    }
    expect(await refusal(assume({ ExternalId: 'a' }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'a' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2",
    });
    expect((await refusal(assume({ ExternalId: 'x'.repeat(1225) }))).message).toContain('Member must have length less than or equal to 1224');
    expect(await refusal(assume({ ExternalId: 'not allowed!' }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message:
        "1 validation error detected: Value 'not allowed!' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
    });
  });

  it('RoleSessionName: 2-64 characters of [\\w+=,.@-]; every broken member in one message', async () => {
    await start(OPERATOR);
    for (const RoleSessionName of ['ab', 's'.repeat(64), 'carol@example.com']) {
      expect((await assume({ RoleSessionName })).AssumedRoleUser?.Arn).toBe(
        `arn:aws:sts::${TEAM}:assumed-role/OrganizationAccountAccessRole/${RoleSessionName}`,
      );
    }
    expect(await refusal(assume({ RoleSessionName: 'a' }))).toMatchObject({ name: 'ValidationError', status: 400 });
    expect((await refusal(assume({ RoleSessionName: 's'.repeat(65) }))).message).toContain(
      "at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64",
    );
    expect((await refusal(assume({ RoleSessionName: 'with space' }))).message).toContain('Member must satisfy regular expression pattern: [\\w+=,.@-]*');
    const both = await refusal(assume({ RoleSessionName: 'a', ExternalId: 'b', DurationSeconds: 60 }));
    expect(both.message).toMatch(
      /^3 validation errors detected: Value 'a' at 'roleSessionName'.*; Value 'b' at 'externalId'.*; Value '60' at 'durationSeconds'/,
    );
  });
});

describe('GetCallerIdentity', () => {
  it('an IAM user: its ARN and an AIDA… id', async () => {
    await start(OPERATOR);
    const who = await sts().send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: HOME, Arn: OPERATOR });
    expect(who.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    // IAM names the same user by the same id.
    expect((await iam().send(new GetUserCommand({ UserName: 'operator' }))).User?.UserId).toBe(who.UserId);
  });

  it('a callerArn that is a role: a session of it, never the role ARN itself', async () => {
    await start(`arn:aws:iam::${HOME}:role/ops/Admin`);
    const who = await sts().send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: HOME, Arn: `arn:aws:sts::${HOME}:assumed-role/Admin/emulator` });
    const roleId = (await iam().send(new GetRoleCommand({ RoleName: 'Admin' }))).Role?.RoleId;
    expect(roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(who.UserId).toBe(`${roleId}:emulator`);
  });

  it('a callerArn that is an assumed role: that session', async () => {
    const caller = `arn:aws:sts::${HOME}:assumed-role/PlatformTeam/jane.doe`;
    await start(caller);
    const who = await sts().send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(caller);
    expect(who.UserId).toMatch(/^AROA[A-Z2-7]{17}:jane\.doe$/);
  });

  it("AssumeRole's credentials: the assumed-role ARN and the AssumedRoleId, the role's id stable across sessions", async () => {
    await start(OPERATOR);
    const first = await assume({ RoleSessionName: 'who-am-i' });
    const second = await assume({ RoleSessionName: 'again' });
    const [roleId] = first.AssumedRoleUser!.AssumedRoleId!.split(':');
    expect(first.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:who-am-i$/);
    expect(second.AssumedRoleUser?.AssumedRoleId).toBe(`${roleId}:again`);
    const session = sessionCredentials(first);
    const who = await sts(session).send(new GetCallerIdentityCommand({}));
    expect(who).toEqual(
      expect.objectContaining({
        Account: TEAM,
        Arn: `arn:aws:sts::${TEAM}:assumed-role/OrganizationAccountAccessRole/who-am-i`,
        UserId: first.AssumedRoleUser?.AssumedRoleId,
      }),
    );
    // The role, read with the session's credentials in its own account, has that id and IAM's default maximum.
    const role = (await iam(session).send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }))).Role;
    expect(role).toMatchObject({ RoleId: roleId, MaxSessionDuration: 3600 });
  });

  it("the account's root: its ARN, and the account id as UserId", () => {
    // The emulator takes no root callerArn (the tool never runs as root); the shape is STS's.
    expect(callerIdentityOf(`arn:aws:iam::${HOME}:root`)).toEqual({ arn: `arn:aws:iam::${HOME}:root`, userId: HOME });
  });
});

describe('bad credentials, with --access-key', () => {
  it('STS and IAM answer an unknown key InvalidClientTokenId and a wrong secret SignatureDoesNotMatch, both 403', async () => {
    await start(OPERATOR);
    const unknown = { accessKeyId: 'AKIDNOBODY', secretAccessKey: KEYS.secretAccessKey };
    const wrongSecret = { accessKeyId: KEYS.accessKeyId, secretAccessKey: 'not-the-secret' };
    const invalidKey = { name: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid.' };
    expect(await refusal(sts(unknown).send(new GetCallerIdentityCommand({})))).toEqual(invalidKey);
    expect(await refusal(iam(unknown).send(new GetUserCommand({ UserName: 'operator' })))).toEqual(invalidKey);
    expect(await refusal(sts(unknown).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'nope' })))).toEqual(invalidKey);
    const wrongSecretCalls = [
      () => sts(wrongSecret).send(new GetCallerIdentityCommand({})),
      () => iam(wrongSecret).send(new GetRoleCommand({ RoleName: 'Admin' })),
    ];
    for (const send of wrongSecretCalls) {
      const refused = await refusal(send());
      expect(refused).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
      expect(refused.message).toContain('The request signature we calculated does not match the signature you provided.');
    }
  });
});

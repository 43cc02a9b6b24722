/**
 * Credentials as operators have them, through the compiled CLI and the SDK's own providers against
 * the local server, with the profiles in a temporary HOME: a profile that assumes its role with MFA
 * (the code asked once on a real terminal and sent with AssumeRole; without a terminal, a refusal at
 * once that says how to get a session first), a `credential_process` profile, a profile's role
 * sessions of a second renewed mid-run, and plain session credentials that expire mid-run (exit 3,
 * then a rerun with new ones resumes).
 */
import { writeFile } from 'node:fs/promises';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { serviceCatalogCalls, updateCalls } from './helpers/emulator-checks.js';
import { hasPty, spawnCliOnPty } from './helpers/pty.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const HOME = '210000000000';
const ROLE = `arn:aws:iam::${HOME}:role/Operator`;
const MFA_SERIAL = `arn:aws:iam::${HOME}:mfa/alice`;
const NEW_OWNER = `arn:aws:iam::${HOME}:user/frank`;
/** The base user's keys: the only ones the server knows besides the sessions it issues. */
const BASE = { AKIDBASE: 'base-secret' };

const resources = closedAfterEach();

interface Started {
  emulator: RunningEmulator;
  ws: Workspace;
  input: string;
  env: Record<string, string>;
}

/**
 * A server that checks every signature, `count` products to move to frank, and a HOME whose
 * shared files hold the base user and the profiles; no key in the environment.
 */
async function start(
  count: number,
  options: { sessionSeconds?: number; credentials?: Record<string, string>; clock?: { now(): number } } = {},
): Promise<Started> {
  const emulator = await startEmulator({
    seed: generateSeed({ count, accountId: HOME, random: 5 }),
    credentials: { ...BASE, ...options.credentials },
    recordDelayMs: 0,
    ...(options.sessionSeconds === undefined ? {} : { sessionSeconds: options.sessionSeconds }),
    ...(options.clock === undefined ? {} : { clock: { now: () => options.clock!.now(), sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) } }),
  });
  const ws = await createWorkspace('sot-credentials-');
  resources.keep({ emulator, ws });
  const input = await ws.writeCsv(
    'rows.csv',
    CSV_HEADER,
    emulator.state.products().map((p) => [p.id, NEW_OWNER, '']),
  );
  await writeFile(ws.path('credentials'), '[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n');
  await writeFile(
    ws.path('config'),
    [
      '[profile ops]',
      `role_arn = ${ROLE}`,
      'source_profile = base',
      `mfa_serial = ${MFA_SERIAL}`,
      'region = us-east-1',
      '',
      '[profile automation]',
      `role_arn = ${ROLE}`,
      'source_profile = base',
      'region = us-east-1',
      '',
      '[profile proc]',
      `credential_process = "${process.execPath}" "${ws.path('creds.mjs')}"`,
      'region = us-east-1',
      '',
    ].join('\n'),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: ws.dir,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: ws.path('config'),
    AWS_SHARED_CREDENTIALS_FILE: ws.path('credentials'),
    // The SDK's own STS client (the profile's AssumeRole) and the run's checks reach the same server.
    AWS_ENDPOINT_URL_STS: emulator.endpoint,
    AWS_ENDPOINT_URL_IAM: emulator.endpoint,
  };
  return { emulator, ws, input, env };
}

const runArgs = (s: Started, ...extra: string[]) => ['run', '--input', s.input, '--endpoint-url', s.emulator.endpoint, '--yes', '--no-progress', ...extra];
const assumeRoleCalls = (em: RunningEmulator) => em.state.calls().filter((call) => call.operation === 'AssumeRole');
const allMoved = (em: RunningEmulator) => em.state.products().every((p) => p.owner === NEW_OWNER);

describe('a profile that assumes its role with MFA', () => {
  it.skipIf(!hasPty)('on a terminal: asks for the code once, as the AWS CLI does, without echo, and sends it with AssumeRole', async () => {
    const s = await start(3);
    const run = spawnCliOnPty(runArgs(s, '--profile', 'ops'), { cwd: s.ws.dir, env: s.env });
    await run.waitForOutput(`Enter MFA code for ${MFA_SERIAL}: `);
    run.type('246810\r');
    const done = await run.result;
    expect(done.code, done.output).toBe(0);
    // One question for the Service Catalog, STS and IAM clients together; the code never shown.
    expect(done.output.split('Enter MFA code').length - 1).toBe(1);
    expect(done.output).not.toContain('246810');
    const assumed = assumeRoleCalls(s.emulator);
    expect(assumed).toHaveLength(1);
    expect(assumed[0]).toMatchObject({ outcome: 'ok', params: { RoleArn: ROLE, SerialNumber: MFA_SERIAL, TokenCode: '246810' } });
    // Every request acted as the role's session, not as the base user.
    for (const call of serviceCatalogCalls(s.emulator)) expect(call.accessKeyId).toMatch(/^ASIA/);
    expect(allMoved(s.emulator)).toBe(true);
  });

  it.skipIf(!hasPty)('a code that is not 6 digits is asked again; the server checks the code it receives', async () => {
    const s = await start(1);
    const run = spawnCliOnPty(runArgs(s, '--profile', 'ops'), { cwd: s.ws.dir, env: s.env });
    await run.waitForOutput(`Enter MFA code for ${MFA_SERIAL}: `);
    run.type('12a\r');
    await run.waitForOutput('An MFA code is 6 digits.');
    run.type('135790\r');
    const done = await run.result;
    expect(done.code, done.output).toBe(0);
    expect(assumeRoleCalls(s.emulator).map((call) => (call.params as { TokenCode?: string }).TokenCode)).toEqual(['135790']);
  });

  it('without a terminal: refused at once (exit 3, nothing sent), saying a code is needed and how to get a session first', async () => {
    const s = await start(2);
    const started = Date.now();
    const run = await runCli(runArgs(s, '--profile', 'ops'), { cwd: s.ws.dir, env: s.env });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain(`profile ops assumes its role with MFA (mfa_serial ${MFA_SERIAL}) and needs a code, but there is no terminal to ask for it`);
    expect(run.stderr).toContain('eval "$(aws configure export-credentials --profile ops --format env)"');
    expect(run.stderr).not.toContain('Enter MFA code');
    // The advice is the session first, not --profile (which is what needs the code).
    expect(run.stderr).not.toContain('pass --profile');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(s.emulator.state.calls()).toEqual([]);

    // AWS_PROFILE names it the same way; plan refuses it too.
    const plan = await runCli(
      ['plan', '--endpoint-url', s.emulator.endpoint, '--from-owner', NEW_OWNER, '--to-owner', `arn:aws:iam::${HOME}:user/gina`, '--out', 'plan.csv'],
      {
        cwd: s.ws.dir,
        env: { ...s.env, AWS_PROFILE: 'ops' },
      },
    );
    expect(plan.code, plan.stderr).toBe(3);
    expect(plan.stderr).toContain('profile ops assumes its role with MFA');
    expect(s.emulator.state.calls()).toEqual([]);
  });
});

describe('profiles that renew themselves', () => {
  it('a credential_process profile (AWS_PROFILE) signs every request with the keys its process prints', async () => {
    const s = await start(3, { credentials: { AKIDPROCESS: 'process-secret' } });
    await writeFile(s.ws.path('creds.mjs'), `console.log(JSON.stringify({ Version: 1, AccessKeyId: 'AKIDPROCESS', SecretAccessKey: 'process-secret' }));\n`);
    const run = await runCli(runArgs(s), { cwd: s.ws.dir, env: { ...s.env, AWS_PROFILE: 'proc' } });
    expect(run.code, run.stderr).toBe(0);
    const calls = s.emulator.state.calls();
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.accessKeyId).toBe('AKIDPROCESS');
    expect(allMoved(s.emulator)).toBe(true);
  });

  it("a profile's role sessions of a second are renewed mid-run, and no request goes out expired", async () => {
    const s = await start(6, { sessionSeconds: 1 });
    // Two updates a second: the run outlives its first sessions by seconds.
    s.emulator.setFaults({ quotas: { UpdateProvisionedProductProperties: { ratePerSecond: 2, burst: 1 } } });
    const run = await runCli(runArgs(s, '--profile', 'automation', '--concurrency', '2'), { cwd: s.ws.dir, env: s.env });
    expect(run.code, run.stderr).toBe(0);
    const assumed = assumeRoleCalls(s.emulator).filter((call) => call.outcome === 'ok');
    expect(assumed.length).toBeGreaterThan(1);
    const updates = updateCalls(s.emulator).filter((call) => call.outcome === 'ok');
    expect(Date.parse(updates.at(-1)!.at) - Date.parse(assumed[0]!.at)).toBeGreaterThan(1500);
    expect(s.emulator.state.calls().some((call) => /Expired/.test(call.outcome))).toBe(false);
    expect(allMoved(s.emulator)).toBe(true);
  });
});

describe('plain credentials that expire mid-run', () => {
  it('stop the run with exit 3, the rest not-started; a rerun with new credentials resumes and sends nothing twice', async () => {
    // The server's clock jumps past the session's end once three updates went through.
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const s = await start(8, { sessionSeconds: 60, clock });
    const sts = new STSClient({ region: 'us-east-1', endpoint: s.emulator.endpoint, credentials: { accessKeyId: 'AKIDBASE', secretAccessKey: 'base-secret' } });
    const { Credentials: session } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'exported' }));
    sts.destroy();
    let updated = 0;
    s.emulator.on('response', (call) => {
      if (call.operation === 'UpdateProvisionedProductProperties' && call.outcome === 'ok' && ++updated === 3) offset = 120_000;
    });
    const sessionEnv = {
      ...s.env,
      AWS_ACCESS_KEY_ID: session!.AccessKeyId!,
      AWS_SECRET_ACCESS_KEY: session!.SecretAccessKey!,
      AWS_SESSION_TOKEN: session!.SessionToken!,
      AWS_REGION: 'us-east-1',
    };
    const first = await runCli(runArgs(s, '--concurrency', '1'), { cwd: s.ws.dir, env: sessionEnv });
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(/ExpiredToken/);
    const results = await s.ws.readResults('rows.csv.results.csv');
    // Three updates were accepted (the last one's record could not be read any more: submitted); the
    // row refused is failed as `credentials`, the rest not-started.
    const outcomes = (...names: string[]) => results.filter((r) => names.includes(r.outcome ?? ''));
    expect(outcomes('succeeded', 'submitted')).toHaveLength(3);
    expect(outcomes('failed', 'not-started')).toHaveLength(5);
    for (const row of outcomes('failed')) expect(row).toMatchObject({ reason: 'credentials', error_code: 'ExpiredTokenException' });
    expect(outcomes('not-started').length).toBeGreaterThanOrEqual(3);
    expect(outcomes('not-started').every((r) => r.reason === 'stopped-by-credentials')).toBe(true);

    // New credentials (here the base user's own keys), the same command: the rest, and only the rest.
    const second = await runCli(runArgs(s, '--concurrency', '1'), {
      cwd: s.ws.dir,
      env: { ...s.env, AWS_ACCESS_KEY_ID: 'AKIDBASE', AWS_SECRET_ACCESS_KEY: 'base-secret', AWS_REGION: 'us-east-1' },
    });
    expect(second.code, second.stderr).toBe(0);
    expect(allMoved(s.emulator)).toBe(true);
    expect(updateCalls(s.emulator).filter((call) => call.outcome === 'ok')).toHaveLength(8);
  });
});

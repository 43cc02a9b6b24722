/**
 * CloudTrail attribution through the compiled CLI: the local Service Catalog records each request's
 * User-Agent (what CloudTrail keeps as `userAgent`), and every request of a run (Service Catalog,
 * STS, IAM, the SDK's own AssumeRole for a profile's role and for each account's role) names the
 * tool, its version and the run id; each account's role session is named for the run, valid for
 * STS whatever the run id's length.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SESSION_NAME_PATTERN, sessionNameFor } from '../../src/aws/account-credentials.js';
import { generateSeed, startEmulator, type CallRecord, type RunningEmulator } from '../../src/emulator/index.js';
import { awsTestEnv, runCli } from './helpers/cli.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace, CSV_HEADER, transferRows, type Workspace } from './helpers/workspace.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const HOME = '210000000000';
const TEAM = '210000000001';
const SERVICE_CATALOG = [
  'SearchProvisionedProducts',
  'DescribeProvisionedProduct',
  'ScanProvisionedProducts',
  'UpdateProvisionedProductProperties',
  'DescribeRecord',
];

const resources = closedAfterEach();

async function start(accounts = 1): Promise<{ emulator: RunningEmulator; ws: Workspace }> {
  const emulator = await startEmulator({
    seed: generateSeed({ count: 3, accountId: HOME, accounts, random: 7 }),
    credentials: { AKIDTESTEXAMPLE: 'test-secret' },
    recordDelayMs: 0,
  });
  return resources.keep({ emulator, ws: await createWorkspace('sot-cloudtrail-') });
}

/** Every call carries the SDK's app id and ends with the tool, its version and the run id. */
function expectAttributed(calls: readonly CallRecord[], runId: string): void {
  const suffix = ` app/sc-owner-transfer sc-owner-transfer/${VERSION} sc-owner-transfer-run/${runId}`;
  for (const call of calls) {
    expect(call.userAgent, call.operation).toMatch(/^aws-sdk-js\//);
    expect(call.userAgent?.endsWith(suffix), `${call.operation}: ${call.userAgent}`).toBe(true);
  }
}

describe('every request names the tool, its version and the run id', () => {
  it("Service Catalog, STS (the account check) and IAM (the target check) in the caller's account", async () => {
    const { emulator: em, ws } = await start();
    const owner = `arn:aws:iam::${HOME}:user/bob`;
    const input = await ws.writeCsv('in.csv', CSV_HEADER, transferRows(em.state.products(), owner));
    const run = await runCli(
      ['run', '--input', input, '--endpoint-url', em.endpoint, '--run-id', 'offboard-alice.1', '--expect-account', HOME, '--yes', '--no-progress'],
      { cwd: ws.dir },
    );
    expect(run.code, run.stderr).toBe(0);
    const calls = em.state.calls();
    const operations = new Set(calls.map((c) => c.operation));
    expect(operations.has('GetCallerIdentity')).toBe(true);
    expect(operations.has('GetUser')).toBe(true);
    expect(calls.filter((c) => SERVICE_CATALOG.includes(c.operation)).length).toBeGreaterThan(3);
    expect(calls.some((c) => c.operation === 'UpdateProvisionedProductProperties')).toBe(true);
    expectAttributed(calls, 'offboard-alice.1');
  });

  it("a profile that assumes its role: the SDK's own AssumeRole names the run too", async () => {
    const { emulator: em, ws } = await start();
    const owner = `arn:aws:iam::${HOME}:user/bob`;
    const input = await ws.writeCsv('in.csv', CSV_HEADER, transferRows(em.state.products(), owner));
    await writeFile(ws.path('credentials'), '[base]\naws_access_key_id = AKIDTESTEXAMPLE\naws_secret_access_key = test-secret\n');
    await writeFile(ws.path('config'), `[profile automation]\nrole_arn = arn:aws:iam::${HOME}:role/Operator\nsource_profile = base\nregion = us-east-1\n`);
    const env = { ...awsTestEnv({ AWS_CONFIG_FILE: ws.path('config'), AWS_SHARED_CREDENTIALS_FILE: ws.path('credentials') }) };
    delete (env as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
    delete (env as Record<string, string | undefined>).AWS_SECRET_ACCESS_KEY;
    const run = await runCli(
      ['run', '--input', input, '--endpoint-url', em.endpoint, '--profile', 'automation', '--run-id', 'night-7', '--yes', '--no-progress'],
      {
        cwd: ws.dir,
        env,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const assumed = em.state.calls().filter((c) => c.operation === 'AssumeRole');
    expect(assumed.length).toBeGreaterThan(0);
    expectAttributed(em.state.calls(), 'night-7');
  });

  it("across accounts: each account's AssumeRole and requests, and a session name valid for STS even for a 64-character run id", async () => {
    const { emulator: em, ws } = await start(2);
    const rows = [HOME, TEAM].flatMap((account) =>
      em.state
        .account(account)!
        .products()
        .map((p) => [account, p.id, `arn:aws:iam::${account}:user/dave`]),
    );
    const input = await ws.writeCsv('org.csv', ['account_id', 'provisioned_product_id', 'new_owner'], rows);
    const runId = `r${'0123456789'.repeat(6)}xyz`;
    expect(runId).toHaveLength(64);
    const run = await runCli(
      [
        'run',
        '--input',
        input,
        '--endpoint-url',
        em.endpoint,
        '--assume-role-name',
        'OrganizationAccountAccessRole',
        '--run-id',
        runId,
        '--yes',
        '--no-progress',
      ],
      { cwd: ws.dir },
    );
    expect(run.code, run.stderr).toBe(0);
    const assumed = em.state.calls().filter((c) => c.operation === 'AssumeRole');
    expect(new Set(assumed.map((c) => (c.params as { RoleArn: string }).RoleArn))).toEqual(
      new Set([HOME, TEAM].map((account) => `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`)),
    );
    for (const call of assumed) {
      expect(call.outcome).toBe('ok');
      const sessionName = (call.params as { RoleSessionName: string }).RoleSessionName;
      expect(sessionName).toBe(sessionNameFor(runId));
      expect(sessionName).toMatch(SESSION_NAME_PATTERN);
      expect(sessionName.startsWith('sc-owner-transfer-r0123456789')).toBe(true);
    }
    // Requests made with each account's role: in that account, named for the run.
    const inTeam = em.state.calls().filter((c) => c.accountId === TEAM);
    expect(inTeam.some((c) => c.operation === 'UpdateProvisionedProductProperties')).toBe(true);
    expectAttributed(em.state.calls(), runId);
  });
});

/**
 * A run across accounts, end to end: the CLI, the SDK's own AssumeRole credential provider, and a
 * local Service Catalog holding three accounts that checks every signature. Each row must be
 * applied in its own account under that account's credentials (the server's log says which), an
 * account that cannot be reached must leave only its rows undone (exit 7, then a rerun finishes
 * them), a throttled account must not hold the others back, and sessions shorter than the run
 * must be renewed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { productIdOf, updateCalls } from './helpers/emulator-checks.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

const HOME = '210000000000';
const [TEAM_A, TEAM_B] = ['210000000001', '210000000002'];
const ACCOUNTS = [HOME, TEAM_A, TEAM_B];
const ROLE = 'OrganizationAccountAccessRole';
const dave = (account: string) => `arn:aws:iam::${account}:user/dave`;

const resources = closedAfterEach();

/** Three accounts of `perAccount` products; every signature is checked against these keys. */
async function start(perAccount: number, options: { sessionSeconds?: number } = {}): Promise<{ emulator: RunningEmulator; ws: Workspace }> {
  const emulator = await startEmulator({
    seed: generateSeed({ count: perAccount, accountId: HOME, accounts: 3, random: 11 }),
    credentials: { AKIDTESTEXAMPLE: 'test-secret' },
    recordDelayMs: 0,
    ...options,
  });
  return resources.keep({ emulator, ws: await createWorkspace() });
}

/** One CSV across the accounts, sorted by account as an export would be: every product to dave of its account. */
async function writeInput(em: RunningEmulator, workspace: Workspace, withAccountColumn = true): Promise<string> {
  const rows = ACCOUNTS.flatMap((account) =>
    em.state
      .account(account)!
      .products()
      .map((p) => (withAccountColumn ? [account, p.id, dave(account)] : [p.id, dave(account)])),
  );
  return workspace.writeCsv(
    'reorg.csv',
    withAccountColumn ? ['account_id', 'provisioned_product_id', 'new_owner'] : ['provisioned_product_id', 'new_owner'],
    rows,
  );
}

const runArgs = (em: RunningEmulator, workspace: Workspace, input: string, ...extra: string[]) => [
  'run',
  '--input',
  input,
  '--endpoint-url',
  em.endpoint,
  '--assume-role-name',
  ROLE,
  '--no-progress',
  '--yes',
  '--summary-json',
  workspace.path('summary.json'),
  ...extra,
];

describe('run across accounts', () => {
  it("applies each row in its own account under that account's assumed role", async () => {
    const { emulator: em, ws: w } = await start(5);
    const input = await writeInput(em, w);
    const run = await runCli(runArgs(em, w, input, '--concurrency', '6'), { cwd: w.dir });
    expect(run.code, run.stderr).toBe(0);

    for (const account of ACCOUNTS) {
      for (const product of em.state.account(account)!.products()) expect(product.owner).toBe(dave(account));
    }
    // Every update went to the account of its product, signed with credentials AssumeRole issued for it.
    const accountOf = new Map(
      ACCOUNTS.flatMap((account) =>
        em.state
          .account(account)!
          .products()
          .map((p) => [p.id, account] as const),
      ),
    );
    const updates = updateCalls(em).filter((call) => call.outcome === 'ok');
    expect(updates).toHaveLength(15);
    for (const call of updates) {
      expect(call.accountId).toBe(accountOf.get(productIdOf(call)));
      expect(call.accessKeyId).toMatch(/^ASIA/);
    }
    const assumed = em.state.calls().filter((call) => call.operation === 'AssumeRole');
    expect(new Set(assumed.map((call) => (call.params as { RoleArn: string }).RoleArn))).toEqual(
      new Set(ACCOUNTS.map((a) => `arn:aws:iam::${a}:role/${ROLE}`)),
    );
    expect(new Set(assumed.map((call) => (call.params as { RoleSessionName: string }).RoleSessionName))).toEqual(new Set(['sc-owner-transfer']));

    const results = await w.readResults('reorg.csv.results.csv');
    expect(results).toHaveLength(15);
    expect(results.every((r) => r.outcome === 'succeeded' && r.account_id === accountOf.get(r.provisioned_product_id!))).toBe(true);
    const summary = JSON.parse(await readFile(w.path('summary.json'), 'utf8')) as {
      accounts: { accountId: string; rows: number; outcomes: Record<string, number> }[];
    };
    expect(summary.accounts).toEqual(ACCOUNTS.map((accountId) => ({ accountId, rows: 5, outcomes: { succeeded: 5 } })));
    expect(run.stdout).toContain(`account ${TEAM_A}`);
  });

  it('without an account column, the ARNs say the account; an account whose role cannot be assumed is left not-started (exit 7), and a rerun finishes it', async () => {
    const { emulator: em, ws: w } = await start(3);
    em.setFaults({ assumeRoleDenied: [TEAM_B] });
    const input = await writeInput(em, w, false);
    const first = await runCli(runArgs(em, w, input), { cwd: w.dir });
    expect(first.code, first.stderr).toBe(7);
    expect(first.stderr).toContain(`account ${TEAM_B} cannot be reached`);
    const results = await w.readResults('reorg.csv.results.csv');
    const byAccount = (account: string) => results.filter((r) => r.account_id === account);
    expect(byAccount(HOME).map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(byAccount(TEAM_A).map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(byAccount(TEAM_B).map((r) => [r.outcome, r.reason])).toEqual(Array(3).fill(['not-started', 'stopped-by-unreachable']));
    expect(byAccount(TEAM_B)[0]?.error_message).toContain('AccessDenied');
    expect(byAccount(TEAM_B)[0]?.error_message).toContain(`arn:aws:iam::${TEAM_B}:role/${ROLE}`);
    expect(updateCalls(em).some((call) => call.accountId === TEAM_B)).toBe(false);
    expect(first.stdout).toContain('not reached');

    em.setFaults({ assumeRoleDenied: [] });
    const before = updateCalls(em).length;
    const second = await runCli(runArgs(em, w, input), { cwd: w.dir });
    expect(second.code, second.stderr).toBe(0);
    const rerun = await w.readResults('reorg.csv.results.csv');
    expect(rerun.filter((r) => r.account_id === TEAM_B).map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(rerun.filter((r) => r.account_id !== TEAM_B).every((r) => r.outcome === 'skipped' && r.reason === 'already-succeeded')).toBe(true);
    // Only the account left undone was written to.
    expect(
      updateCalls(em)
        .slice(before)
        .map((call) => call.accountId),
    ).toEqual([TEAM_B, TEAM_B, TEAM_B]);
  });

  it('a throttled account does not hold the others back', async () => {
    const { emulator: em, ws: w } = await start(8);
    // The first account in the file is held to 4 updates a second and has more rows than there are
    // write slots; the other two have no quota. One reader that waited for a free slot would start
    // the others' rows only once the throttled account's rows had all been started.
    em.setFaults({ quotas: { UpdateProvisionedProductProperties: { ratePerSecond: 4, burst: 1 } } }, HOME);
    const input = await writeInput(em, w);
    const run = await runCli(runArgs(em, w, input, '--concurrency', '4', '--rate', '50'), { cwd: w.dir });
    expect(run.code, run.stderr).toBe(0);
    const applied = updateCalls(em).filter((call) => call.outcome === 'ok');
    const lastOf = (account: string) => Math.max(...applied.map((call, i) => (call.accountId === account ? i : -1)));
    // The throttled account's rows come first in the file, yet the others were all applied before its last.
    expect(lastOf(TEAM_A)).toBeLessThan(lastOf(HOME));
    expect(lastOf(TEAM_B)).toBeLessThan(lastOf(HOME));
    expect(em.state.calls().some((call) => call.accountId === HOME && call.outcome === 'ThrottlingException')).toBe(true);
    expect(em.state.calls().some((call) => call.accountId !== HOME && call.outcome === 'ThrottlingException')).toBe(false);
  });

  it('role sessions shorter than the run are renewed, and no request is refused as expired', async () => {
    // Sessions last 1 s; the run takes several (2 updates a second in each account).
    const { emulator: em, ws: w } = await start(4, { sessionSeconds: 1 });
    em.setFaults({ quotas: { UpdateProvisionedProductProperties: { ratePerSecond: 2, burst: 1 } } });
    const input = await writeInput(em, w);
    const run = await runCli(runArgs(em, w, input, '--concurrency', '3'), { cwd: w.dir });
    expect(run.code, run.stderr).toBe(0);
    const calls = em.state.calls();
    const assumed = calls.filter((call) => call.operation === 'AssumeRole' && call.outcome === 'ok');
    expect(assumed.length).toBeGreaterThan(ACCOUNTS.length);
    // The run outlived its first sessions by seconds, and no request went out with expired credentials.
    const updates = updateCalls(em).filter((call) => call.outcome === 'ok');
    expect(Date.parse(updates.at(-1)!.at) - Date.parse(assumed[0]!.at)).toBeGreaterThan(2000);
    expect(calls.some((call) => /Expired/.test(call.outcome))).toBe(false);
    for (const account of ACCOUNTS) {
      for (const product of em.state.account(account)!.products()) expect(product.owner).toBe(dave(account));
    }
  });

  it('a product listed under the wrong account is not found in that account, and nothing is sent for it', async () => {
    const { emulator: em, ws: w } = await start(1);
    const [productOfB] = em.state.account(TEAM_B)!.products();
    const input = await w.writeCsv('wrong.csv', ['account_id', 'provisioned_product_id', 'new_owner'], [[TEAM_A, productOfB!.id, dave(TEAM_A)]]);
    const run = await runCli(runArgs(em, w, input), { cwd: w.dir });
    expect(run.code, run.stderr).toBe(1);
    const [result] = await w.readResults('wrong.csv.results.csv');
    expect(result).toMatchObject({ outcome: 'failed', reason: 'not-found-in-account', account_id: TEAM_A, error_code: 'ResourceNotFoundException' });
    expect(result?.error_message).toBe(`Provisioned product ${productOfB!.id} not found in account ${TEAM_A}.`);
    expect(updateCalls(em)).toEqual([]);
  });

  it('refuses, before anything is sent, an accounts file with a bad line and an account outside --expect-account', async () => {
    const { emulator: em, ws: w } = await start(2);
    const input = await writeInput(em, w);
    const accounts = w.path('accounts.csv');
    await writeFile(accounts, `account_id,role_arn\n${TEAM_A},arn:aws:iam::${TEAM_B}:role/X\n12,\n`);
    const badFile = await runCli(['run', '--input', input, '--endpoint-url', em.endpoint, '--accounts', accounts, '--no-progress'], { cwd: w.dir });
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain(`accounts.csv line 2: role_arn is a role of account ${TEAM_B}, not of ${TEAM_A}`);
    expect(badFile.stderr).toContain("accounts.csv line 3: account_id '12' is not an AWS account id");
    const unexpected = await runCli(runArgs(em, w, input, '--expect-account', HOME, '--expect-account', TEAM_A), { cwd: w.dir });
    expect(unexpected.code).toBe(2);
    expect(unexpected.stderr).toContain(`the input has rows of account ${TEAM_B}, not among --expect-account ${HOME}, ${TEAM_A}`);
    expect(em.state.calls().filter((call) => call.operation !== 'GetCallerIdentity')).toEqual([]);
  });
});

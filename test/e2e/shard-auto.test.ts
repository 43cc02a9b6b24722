/**
 * `--shard auto/N` through the CLI: K comes from the orchestrator, one more than a Kubernetes
 * Indexed Job's JOB_COMPLETION_INDEX or an AWS Batch array job's AWS_BATCH_JOB_ARRAY_INDEX (both
 * count from 0), and a process that cannot tell its index is refused (exit 2) before anything is
 * read or written. A dry run that reads nothing shows which accounts the shard took.
 */
import { readFile } from 'node:fs/promises';
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { shardOfPlace } from '../../src/input/shard.js';
import { awsTestEnv, runCli } from './helpers/cli.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

const ACCOUNTS = Array.from({ length: 12 }, (_, i) => String(310000000000 + i));

let ws: Workspace;
let input: string;
beforeEach(async () => {
  ws = await createWorkspace('sot-shard-auto-');
  input = await ws.writeCsv(
    'org.csv',
    ['account_id', 'provisioned_product_id', 'new_owner'],
    ACCOUNTS.map((account, i) => [account, `pp-shardauto${String(i).padStart(4, '0')}`, `arn:aws:iam::${account}:user/dave`]),
  );
});
afterEach(async () => {
  await ws.remove();
});

/** A dry run that reads nothing (no credentials needed), as shard `--shard auto/3` with `env`. */
const dryRun = (env: Record<string, string>) =>
  runCli(
    [
      'run',
      '--input',
      input,
      '--assume-role-name',
      'OrganizationAccountAccessRole',
      '--dry-run',
      '--no-preflight',
      '--no-target-check',
      '--no-progress',
      '--shard',
      'auto/3',
    ],
    {
      cwd: ws.dir,
      env: awsTestEnv(env),
    },
  );

describe('--shard auto/N', () => {
  it.each([
    ['JOB_COMPLETION_INDEX', '1', 2],
    ['AWS_BATCH_JOB_ARRAY_INDEX', '0', 1],
    ['AWS_BATCH_JOB_ARRAY_INDEX', '2', 3],
  ])('%s=%s is shard %i of 3: its accounts, its own files, and the ledger names the shard', async (variable, value, k) => {
    const run = await dryRun({ [variable]: value });
    expect(run.code, run.stderr).toBe(0);
    const results = await ws.readResults(`org.csv.shard-${k}-of-3.dry-run.csv`);
    const mine = ACCOUNTS.filter((account) => shardOfPlace(account, 3) === k);
    expect(mine.length).toBeGreaterThan(0);
    expect(results.map((r) => r.account_id).sort()).toEqual(mine);
    // The ledger records K/N, not auto/N: what ran, whatever the environment is when it is read.
    const ledger = await readFile(ws.path(`org.csv.shard-${k}-of-3.checkpoint`), 'utf8');
    expect(ledger).toContain(`"--shard","${k}/3"`);
    expect(ledger).not.toContain('auto/3');
  });

  it('both set and agreeing is fine; refused (exit 2, nothing written) when neither is set, they disagree, or the index is not below N', async () => {
    expect((await dryRun({ JOB_COMPLETION_INDEX: '2', AWS_BATCH_JOB_ARRAY_INDEX: '2' })).code).toBe(0);
    const cases: Array<[Record<string, string>, string]> = [
      [
        {},
        'auto/3 takes K from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch array job), and neither is set: give K/3',
      ],
      [{ JOB_COMPLETION_INDEX: '' }, 'and neither is set'],
      [{ JOB_COMPLETION_INDEX: '3' }, "auto/3: JOB_COMPLETION_INDEX=3 is not an index from 0 to 2: the job's completions (or array size) must be 3"],
      [{ AWS_BATCH_JOB_ARRAY_INDEX: 'x' }, 'auto/3: AWS_BATCH_JOB_ARRAY_INDEX=x is not an index from 0 to 2'],
      [{ JOB_COMPLETION_INDEX: '0', AWS_BATCH_JOB_ARRAY_INDEX: '1' }, 'auto/3: JOB_COMPLETION_INDEX=0 and AWS_BATCH_JOB_ARRAY_INDEX=1 disagree: give K/3'],
    ];
    for (const [env, message] of cases) {
      await ws.remove();
      ws = await createWorkspace('sot-shard-auto-');
      input = await ws.writeCsv(
        'org.csv',
        ['account_id', 'provisioned_product_id', 'new_owner'],
        [[ACCOUNTS[0]!, 'pp-shardauto0000', `arn:aws:iam::${ACCOUNTS[0]!}:user/dave`]],
      );
      const refused = await dryRun(env);
      expect(refused.code, JSON.stringify(env)).toBe(2);
      expect(refused.stderr).toMatch(/^sc-owner-transfer run: --shard auto\/3/);
      expect(refused.stderr).toContain(message);
      await expect(readFile(ws.path('org.csv.shard-1-of-3.checkpoint'))).rejects.toThrow(/ENOENT/);
    }
    // K/N as before, whatever the environment says.
    const given = await runCli(
      ['run', '--input', input, '--assume-role-name', 'R', '--dry-run', '--no-preflight', '--no-target-check', '--no-progress', '--shard', '1/3'],
      {
        cwd: ws.dir,
        env: awsTestEnv({ JOB_COMPLETION_INDEX: '7' }),
      },
    );
    expect(given.code, given.stderr).toBe(0);
  });
});

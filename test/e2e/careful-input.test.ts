/**
 * Careful input, through the CLI (issue 27): an ARN with whitespace around it is refused by the
 * flag that took it and trimmed (and said so) in a CSV; a plan of an owner who owns nothing points
 * at the same owner written another way; an output path under /proc is refused at once instead of
 * spinning; one checkpoint given to two shards is refused, and a changed shard count is warned of.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { serviceCatalogCalls } from './helpers/emulator-checks.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const A = '123456789012';
const alice = `arn:aws:iam::${A}:user/alice`;
const ALICE = `arn:aws:iam::${A}:user/ALICE`;
const dave = `arn:aws:iam::${A}:user/dave`;
const teamDave = `arn:aws:iam::${A}:user/team/dave`;
const bob = `arn:aws:iam::${A}:user/bob`;

const resources = closedAfterEach();

async function start(
  seed = generateSeed({ count: 40, accountId: A, owners: [ALICE, teamDave, bob], random: 3 }),
): Promise<{ em: RunningEmulator; w: Workspace }> {
  const { emulator, ws } = resources.keep({ emulator: await startEmulator({ seed, recordDelayMs: 0 }), ws: await createWorkspace('sot-careful-') });
  return { em: emulator, w: ws };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('ARNs with whitespace around them', () => {
  it('plan refuses --from-owner with a trailing space (exit 2), naming the flag and quoting the value; nothing listed or written', async () => {
    const { em, w } = await start();
    const result = await runCli(['plan', '--endpoint-url', em.endpoint, '--from-owner', `${alice} `, '--to-owner', bob, '--out', 'plan.csv'], { cwd: w.dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`--from-owner '${alice} ' has whitespace at its end`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(serviceCatalogCalls(em)).toHaveLength(0);
    expect(await exists(w.path('plan.csv'))).toBe(false);
    const role = await runCli(
      ['plan', '--endpoint-url', em.endpoint, '--from-owner', alice, '--to-owner', bob, '--launch-role', ` arn:aws:iam::${A}:role/X`, '--out', 'plan.csv'],
      { cwd: w.dir },
    );
    expect(role.code, role.stderr).toBe(2);
    expect(role.stderr).toContain(`--launch-role ' arn:aws:iam::${A}:role/X' has whitespace at its start`);
  });

  it("plan trims an owner map's quoted cell and finds the owner's products", async () => {
    const { em, w } = await start();
    await writeFile(w.path('owners.csv'), `old_owner,new_owner\n"${ALICE} ",${bob}\n`);
    const result = await runCli(['plan', '--endpoint-url', em.endpoint, '--owner-map', 'owners.csv', '--out', 'plan.csv'], { cwd: w.dir });
    expect(result.code, result.stderr).toBe(0);
    const owned = em.state.products().filter((p) => p.owner === ALICE).length;
    expect(owned).toBeGreaterThan(0);
    expect(await w.readResults('plan.csv')).toHaveLength(owned);
  });

  it('run trims the ARN cells of its input and says so in its log', async () => {
    const { em, w } = await start();
    const [first, second] = em.state.products();
    await writeFile(w.path('in.csv'), `${CSV_HEADER.join(',')}\n${first!.id},${bob},\n${second!.id},"${bob} ",\n`);
    const result = await runCli(['run', '--input', 'in.csv', '--endpoint-url', em.endpoint, '--dry-run', '--no-progress'], { cwd: w.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('1 ARN cell had whitespace around the value (the first on line 3, new_owner): trimmed');
    expect((await w.readResults('in.csv.dry-run.csv')).map((r) => r.new_owner)).toEqual([bob, bob]);
  });
});

describe("plan's hints", () => {
  it('a from-owner who owns nothing: the owner in another case and the user with another path are named', async () => {
    const { em, w } = await start();
    const count = (owner: string) => em.state.products().filter((p) => p.owner === owner).length;
    const upper = await runCli(['plan', '--endpoint-url', em.endpoint, '--from-owner', alice, '--to-owner', bob, '--out', 'a.csv'], { cwd: w.dir });
    expect(upper.code, upper.stderr).toBe(0);
    expect(upper.stdout).toContain(`Plan: 0 products to move`);
    expect(upper.stdout).toContain(`hint: no product is owned by ${alice}; ${count(ALICE)} are owned by ${ALICE} — another case.`);
    const path = await runCli(['plan', '--endpoint-url', em.endpoint, '--from-owner', dave, '--to-owner', bob, '--out', 'd.csv'], { cwd: w.dir });
    expect(path.code, path.stderr).toBe(0);
    expect(path.stdout).toContain(`hint: no product is owned by ${dave}; ${count(teamDave)} are owned by ${teamDave} — another path (/team/).`);
  });

  it('a to-owner that is the from-owner is warned of', async () => {
    const { em, w } = await start();
    const result = await runCli(['plan', '--endpoint-url', em.endpoint, '--from-owner', bob, '--to-owner', bob, '--out', 'b.csv'], { cwd: w.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`warning: the new owner of ${bob} is the same ARN: its products would keep their owner`);
  });
});

describe('output paths whose folder cannot be made', () => {
  it.runIf(process.platform === 'linux')(
    'run and plan refuse a path under /proc at once (exit 2), naming the flag and the path',
    async () => {
      const { em, w } = await start();
      const [product] = em.state.products();
      await writeFile(w.path('in.csv'), `${CSV_HEADER.join(',')}\n${product!.id},${bob},\n`);
      const run = (...flags: string[]) =>
        runCli(['run', '--input', 'in.csv', '--endpoint-url', em.endpoint, '--yes', '--no-progress', ...flags], { cwd: w.dir });
      for (const [flag, path] of [
        ['--results', '/proc/nope/x.csv'],
        ['--checkpoint', '/proc/nope/x.checkpoint'],
        ['--summary-json', '/proc/nope/s.json'],
        ['--log-file', '/proc/nope/run.log'],
      ] as const) {
        const started = Date.now();
        const result = await run(flag, path);
        expect(result.code, `${flag}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toContain(`${flag} '${path}': '/proc' is on the proc file system, where no file or folder can be created`);
        expect(Date.now() - started).toBeLessThan(10_000);
      }
      expect(serviceCatalogCalls(em).filter((c) => c.operation === 'UpdateProvisionedProductProperties')).toHaveLength(0);
      const plan = await runCli(['plan', '--endpoint-url', em.endpoint, '--from-owner', bob, '--to-owner', alice, '--out', '/proc/nope/plan.csv'], {
        cwd: w.dir,
      });
      expect(plan.code, plan.stderr).toBe(2);
      expect(plan.stderr).toContain(`--out '/proc/nope/plan.csv': '/proc' is on the proc file system`);
    },
    60_000,
  );
});

describe('shards and their checkpoints', () => {
  const ROLE = 'OrganizationAccountAccessRole';
  const HOME = '310000000000';

  /** Four accounts; the input moves every product of the three member accounts to their bob. */
  async function org(): Promise<{ em: RunningEmulator; w: Workspace; shardRun: (shard: string, ...flags: string[]) => ReturnType<typeof runCli> }> {
    const { em, w } = await start(generateSeed({ count: 3, accountId: HOME, accounts: 4 }));
    const rows = ['310000000001', '310000000002', '310000000003'].flatMap((account) =>
      em.state
        .account(account)!
        .products()
        .map((p) => [p.id, `arn:aws:iam::${account}:user/bob`, '']),
    );
    await w.writeCsv('org.csv', CSV_HEADER, rows);
    const shardRun = (shard: string, ...flags: string[]) =>
      runCli(
        ['run', '--input', 'org.csv', '--endpoint-url', em.endpoint, '--assume-role-name', ROLE, '--dry-run', '--no-progress', '--shard', shard, ...flags],
        { cwd: w.dir },
      );
    return { em, w, shardRun };
  }

  it('one --checkpoint given to two shards: the second is refused (exit 2), and its ledger gains nothing', async () => {
    const { w, shardRun } = await org();
    const first = await shardRun('1/3', '--checkpoint', 'shared.checkpoint');
    expect(first.code, first.stderr).toBe(0);
    const begins = async () => (await readFile(w.path('shared.checkpoint'), 'utf8')).split('\n').filter((line) => line.includes('"type":"begin"')).length;
    expect(await begins()).toBe(1);
    const second = await shardRun('2/3', '--checkpoint', 'shared.checkpoint');
    expect(second.code, second.stderr).toBe(2);
    expect(await begins()).toBe(1);
    expect(second.stderr).toContain(`--checkpoint '${w.path('shared.checkpoint')}' is shard 1/3's: its ledger records a run with --shard 1/3`);
    const again = await shardRun('1/3', '--checkpoint', 'shared.checkpoint');
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);

  it('a shard count changed between runs on the same input is warned of, naming the other checkpoints', async () => {
    const { w, shardRun } = await org();
    for (const shard of ['1/2', '2/2']) expect((await shardRun(shard)).code).toBe(0);
    const three = await shardRun('1/3');
    expect(three.code, three.stderr).toBe(0);
    expect(three.stderr).toContain(
      `--shard 1/3: this input also has checkpoints of another shard count (${w.path('org.csv.shard-1-of-2.checkpoint')}, ${w.path('org.csv.shard-2-of-2.checkpoint')})`,
    );
    const two = await shardRun('1/2');
    expect(two.stderr).toContain(`--shard 1/2: this input also has checkpoints of another shard count (${w.path('org.csv.shard-1-of-3.checkpoint')})`);
  }, 60_000);
});

/**
 * Across an Organization, end to end: three accounts in two regions behind verified signatures.
 * `plan` finds exactly the leaver's products in every account and region; the plan runs back
 * through `run` and its `undo` puts everything back; `--shard K/3` as three concurrent processes
 * applies every row exactly once, and the shards' results and checkpoints add up.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startEmulator, type CatalogSeed, type RunningEmulator, type SeedProduct } from '../../src/emulator/index.js';
import { shardOfPlace } from '../../src/input/shard.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { productIdOf, tokensByProduct, updateCalls } from './helpers/emulator-checks.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

const ACCOUNTS = ['310000000000', '310000000001', '310000000002'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const ROLE = 'OrganizationAccountAccessRole';
const alice = (account: string) => `arn:aws:iam::${account}:user/alice`;
const bob = (account: string) => `arn:aws:iam::${account}:user/bob`;
const dave = (account: string) => `arn:aws:iam::${account}:user/dave`;

/** In each account and region: three products of alice's and two of bob's. */
function seed(): CatalogSeed {
  const productsOf = (account: string): SeedProduct[] =>
    REGIONS.flatMap((region, r) =>
      Array.from({ length: 5 }, (_, i) => ({
        id: `pp-${account.slice(-1)}${r}${String(i).padStart(10, '0')}`,
        name: `svc-${r}-${i}`,
        owner: i < 3 ? alice(account) : bob(account),
        region,
      })),
    );
  const [home, ...others] = ACCOUNTS;
  return {
    accountId: home!,
    products: productsOf(home!),
    accounts: others.map((accountId) => ({ accountId, products: productsOf(accountId), assumableRoles: [ROLE] })),
  };
}

const resources = closedAfterEach();

async function start(): Promise<{ em: RunningEmulator; w: Workspace }> {
  const { emulator, ws } = resources.keep({
    emulator: await startEmulator({ seed: seed(), credentials: { AKIDTESTEXAMPLE: 'test-secret' }, recordDelayMs: 0 }),
    ws: await createWorkspace(),
  });
  return { em: emulator, w: ws };
}

/** `plan` of alice's products (to dave) in every account and region, into `out`. */
async function planAliceToDave(em: RunningEmulator, w: Workspace, out: string) {
  const map = w.path('owners.csv');
  await writeFile(map, ['old_owner,new_owner', ...ACCOUNTS.map((a) => `${alice(a)},${dave(a)}`)].join('\n'));
  return runCli(['plan', '--owner-map', map, '--regions', REGIONS.join(','), '--out', w.path(out), '--endpoint-url', em.endpoint, '--assume-role-name', ROLE], {
    cwd: w.dir,
  });
}

/** Every product of the emulator with its account, region and owner now. */
function everyProduct(em: RunningEmulator) {
  return ACCOUNTS.flatMap((account) =>
    em.state
      .account(account)!
      .products()
      .map((p) => ({ id: p.id, account, region: p.arn.split(':')[3]!, owner: p.owner })),
  );
}

const across = ['--assume-role-name', ROLE, '--no-progress', '--yes'];

describe('across an Organization', () => {
  it("plan finds exactly the leaver's products in every account and region; an account not reached makes it incomplete (exit 7)", async () => {
    const { em, w } = await start();
    const plan = await planAliceToDave(em, w, 'plan.csv');
    expect(plan.code, plan.stderr).toBe(0);
    const rows = await w.readResults('plan.csv');
    const expected = everyProduct(em).filter((p) => p.owner === alice(p.account));
    expect(rows.map((r) => `${r.account_id}/${r.region}/${r.provisioned_product_id}`).sort()).toEqual(
      expected.map((p) => `${p.account}/${p.region}/${p.id}`).sort(),
    );
    expect(rows.every((r) => r.new_owner === dave(r.account_id!) && r.current_owner === alice(r.account_id!))).toBe(true);
    expect(plan.stdout).toContain('in 6 of 6 accounts and regions');

    em.setFaults({ assumeRoleDenied: [ACCOUNTS[2]!] });
    const partial = await planAliceToDave(em, w, 'partial.csv');
    expect(partial.code, partial.stderr).toBe(7);
    expect(partial.stdout).toContain('INCOMPLETE: 2 accounts were not listed');
    expect(partial.stdout).toContain(`${ACCOUNTS[2]}/eu-west-1  AccessDenied`);
    const partialRows = await w.readResults('partial.csv');
    expect(partialRows).toHaveLength(12);
    expect(partialRows.some((r) => r.account_id === ACCOUNTS[2])).toBe(false);
  });

  it('the plan runs across accounts and regions, and its undo puts every product back', async () => {
    const { em, w } = await start();
    const plan = await planAliceToDave(em, w, 'plan.csv');
    expect(plan.code, plan.stderr).toBe(0);
    const before = everyProduct(em);

    const run = await runCli(['run', '--input', w.path('plan.csv'), '--endpoint-url', em.endpoint, ...across], { cwd: w.dir });
    expect(run.code, run.stderr).toBe(0);
    const moved = everyProduct(em);
    expect(moved.filter((p) => p.owner === alice(p.account))).toEqual([]);
    expect(moved.filter((p) => p.owner === dave(p.account))).toHaveLength(18);
    // Each update went to its product's account and region.
    const placeOf = new Map(before.map((p) => [p.id, `${p.account}/${p.region}`]));
    for (const call of updateCalls(em).filter((c) => c.outcome === 'ok')) expect(`${call.accountId}/${call.region}`).toBe(placeOf.get(productIdOf(call)));

    const undo = await runCli(['undo', '--results', w.path('plan.csv.results.csv'), '--out', w.path('undo.csv')], { cwd: w.dir });
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain('--assume-role-name');
    const undoRows = await w.readResults('undo.csv');
    expect(Object.keys(undoRows[0]!)).toEqual(['provisioned_product_id', 'new_owner', 'launch_role', 'account_id', 'region', 'undo_of_line']);
    // The checkpoint alone gives the same rows.
    const fromCheckpoint = await runCli(['undo', '--checkpoint', w.path('plan.csv.checkpoint'), '--out', w.path('undo2.csv')], { cwd: w.dir });
    expect(fromCheckpoint.code, fromCheckpoint.stderr).toBe(0);
    expect(await readFile(w.path('undo2.csv'), 'utf8')).toBe(await readFile(w.path('undo.csv'), 'utf8'));

    const back = await runCli(['run', '--input', w.path('undo.csv'), '--run-id', 'undo-1', '--endpoint-url', em.endpoint, ...across], { cwd: w.dir });
    expect(back.code, back.stderr).toBe(0);
    expect(everyProduct(em).map(({ id, owner }) => [id, owner])).toEqual(before.map(({ id, owner }) => [id, owner]));
  });

  it('--shard K/3 as three concurrent processes applies every row exactly once; the results and checkpoints add up', async () => {
    const { em, w } = await start();
    const all = everyProduct(em);
    const input = await w.writeCsv(
      'reorg.csv',
      ['account_id', 'region', 'provisioned_product_id', 'new_owner'],
      all.map((p) => [p.account, p.region, p.id, dave(p.account)]),
    );
    const shards = [1, 2, 3].map((k) => spawnCli(['run', '--input', input, '--endpoint-url', em.endpoint, '--shard', `${k}/3`, ...across], { cwd: w.dir }));
    const results = await Promise.all(shards.map((shard) => shard.result));
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    expect(everyProduct(em).every((p) => p.owner === dave(p.account))).toBe(true);
    const applied = updateCalls(em)
      .filter((call) => call.outcome === 'ok')
      .map(productIdOf);
    expect(applied.sort()).toEqual(all.map((p) => p.id).sort());
    expect([...tokensByProduct(em).values()].every((tokens) => tokens.size === 1)).toBe(true);

    // Concatenated with the header once, the shards' results are one results file: a line per row.
    const files = [1, 2, 3].map((k) => `reorg.csv.shard-${k}-of-3.results.csv`);
    const texts = await Promise.all(files.map((name) => readFile(w.path(name), 'utf8')));
    const headers = new Set(texts.map((text) => text.split('\n')[0]));
    expect(headers.size).toBe(1);
    const merged = [texts[0]!.split('\n')[0], ...texts.flatMap((text) => text.split('\n').slice(1).filter(Boolean))].join('\n');
    await writeFile(w.path('merged.csv'), `${merged}\n`);
    const lines = await w.readResults('merged.csv');
    expect(lines.map((r) => r.provisioned_product_id).sort()).toEqual(all.map((p) => p.id).sort());
    expect(lines.every((r) => r.outcome === 'succeeded')).toBe(true);

    const status = await runCli(['status', '--json', ...[1, 2, 3].flatMap((k) => ['--checkpoint', w.path(`reorg.csv.shard-${k}-of-3.checkpoint`)])], {
      cwd: w.dir,
    });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).total).toEqual({ done: 30, failed: 0, inFlight: 0 });

    // A shard that receives no account: a results file with the header alone, exit 0, nothing sent.
    const keys = all.map((p) => `${p.account}/${p.region}`);
    const empty = Array.from({ length: 50 }, (_, i) => i + 1).find((k) => keys.every((key) => shardOfPlace(key, 50) !== k))!;
    const before = em.state.calls().length;
    const none = await runCli(['run', '--input', input, '--endpoint-url', em.endpoint, '--shard', `${empty}/50`, ...across], { cwd: w.dir });
    expect(none.code, none.stderr).toBe(0);
    const emptyResults = await readFile(w.path(`reorg.csv.shard-${empty}-of-50.results.csv`), 'utf8');
    expect(emptyResults.trim().split('\n')).toEqual([headers.values().next().value]);
    expect(
      em.state
        .calls()
        .slice(before)
        .filter((call) => call.operation === 'UpdateProvisionedProductProperties'),
    ).toEqual([]);
  });
});

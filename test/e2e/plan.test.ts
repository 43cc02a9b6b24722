/**
 * `plan` through the CLI against the local Service Catalog: more than one page of products,
 * owners that are users, roles and assumed-role sessions, unsorted pages that shift between
 * requests, and a plan that runs cleanly through `run`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { serviceCatalogCalls } from './helpers/emulator-checks.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

const A = '123456789012';
const ALICE = `arn:aws:iam::${A}:user/alice`;
const BOB = `arn:aws:iam::${A}:user/bob`;
const TEAM = `arn:aws:iam::${A}:role/Team`;
const CAROL = `arn:aws:sts::${A}:assumed-role/Team/carol@example.com`;
const DAVE = `arn:aws:sts::${A}:assumed-role/Team/dave@example.com`;
const DEVOPS = `arn:aws:iam::${A}:role/DevOps`;
const ZOE = `arn:aws:iam::${A}:user/zoe`;
const YANN = `arn:aws:iam::${A}:user/yann`;
const NEW_ROLE = `arn:aws:iam::${A}:role/SCLaunch-new`;

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  // 250 products over three Search pages; unsorted pages reorder on every request.
  emulator = await startEmulator({
    seed: generateSeed({ count: 250, accountId: A, owners: [ALICE, BOB, DEVOPS, CAROL, DAVE], random: 8 }),
    faults: { shuffleUnsortedPages: true },
  });
  ws = await createWorkspace('sot-plan-');
});

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

const plan = (...flags: string[]) => runCli(['plan', '--endpoint-url', emulator.endpoint, '--rate', '1000', ...flags], { cwd: ws.dir });
const readPlan = async (name: string) => parse<Record<string, string>>(await readFile(ws.path(name), 'utf8'), { columns: true });
const idsOf = (owner: (p: { owner: string }) => boolean) =>
  emulator.state
    .products()
    .filter(owner)
    .map((p) => p.id)
    .sort();
const operations = (name: string) => serviceCatalogCalls(emulator).filter((c) => c.operation === name).length;

describe('plan', () => {
  it("offboarding: exactly the leaver's products across pages, sorted paging, review columns", async () => {
    const result = await plan('--from-owner', ALICE, '--to-owner', ZOE, '--out', 'alice.csv');
    expect(result.code, result.stderr).toBe(0);
    const rows = await readPlan('alice.csv');
    expect(rows.map((r) => r.provisioned_product_id).sort()).toEqual(idsOf((p) => p.owner === ALICE));
    expect(rows).toHaveLength(50);
    expect(Object.keys(rows[0]!)).toEqual([
      'provisioned_product_id',
      'new_owner',
      'launch_role',
      'provisioned_product_name',
      'product_id',
      'product_name',
      'status',
      'current_owner',
      'current_owner_session',
      'current_launch_role',
    ]);
    expect(rows.every((r) => r.new_owner === ZOE && r.launch_role === '' && r.current_owner === ALICE)).toBe(true);
    // One pass, sorted: three Search pages for 250 products, no Scan (no launch role asked for).
    expect(operations('SearchProvisionedProducts')).toBe(3);
    expect(operations('ScanProvisionedProducts')).toBe(0);
    expect(serviceCatalogCalls(emulator).every((c) => c.operation !== 'SearchProvisionedProducts' || (c.params as { SortBy?: string }).SortBy === 'id')).toBe(
      true,
    );
    expect(result.stdout).toContain(`${ALICE}  50`);
    expect(result.stdout).toMatch(/to review \(status\):\n\s+(TAINTED|ERROR)/);
  });

  it('a role owner takes every session of the role, each listed', async () => {
    const result = await plan('--from-owner', TEAM, '--to-owner', ZOE, '--out', 'team.csv');
    expect(result.code, result.stderr).toBe(0);
    const rows = await readPlan('team.csv');
    expect(rows.map((r) => r.provisioned_product_id).sort()).toEqual(idsOf((p) => p.owner === CAROL || p.owner === DAVE));
    expect(result.stdout).toContain(`${CAROL}  50`);
    expect(result.stdout).toContain(`${DAVE}  50`);
    // One session only:
    expect((await plan('--from-owner', CAROL, '--to-owner', ZOE, '--out', 'carol.csv')).code).toBe(0);
    expect((await readPlan('carol.csv')).map((r) => r.provisioned_product_id).sort()).toEqual(idsOf((p) => p.owner === CAROL));
  });

  it('an owner map and a launch-role map: several owners in one pass over the account', async () => {
    await writeFile(ws.path('owners.csv'), `old_owner,new_owner\n${ALICE},${ZOE}\n${BOB},${YANN}\n`);
    const retired = `arn:aws:iam::${A}:role/SCLaunch-data-lake`;
    await writeFile(ws.path('roles.csv'), `old_launch_role,new_launch_role\n${retired},${NEW_ROLE}\n`);
    const result = await plan('--owner-map', 'owners.csv', '--launch-role-map', 'roles.csv', '--out', 'reorg.csv');
    expect(result.code, result.stderr).toBe(0);
    const rows = await readPlan('reorg.csv');
    const products = emulator.state.products();
    const expected = products.filter((p) => p.owner === ALICE || p.owner === BOB || p.launchRole === retired);
    expect(rows.map((r) => r.provisioned_product_id).sort()).toEqual(expected.map((p) => p.id).sort());
    for (const row of rows) {
      const product = products.find((p) => p.id === row.provisioned_product_id)!;
      expect(row.new_owner).toBe(product.owner === ALICE ? ZOE : product.owner === BOB ? YANN : '');
      expect(row.launch_role).toBe(product.launchRole === retired ? NEW_ROLE : '');
    }
    // A fixed number of list calls: 13 Scan pages (20 a page) and 3 Search pages, not one search per owner.
    expect(operations('ScanProvisionedProducts')).toBe(13);
    expect(operations('SearchProvisionedProducts')).toBe(3);
  });

  it('runs cleanly through run, after which the same plan finds nothing', async () => {
    expect((await plan('--from-owner', ALICE, '--to-owner', ZOE, '--out', 'alice.csv')).code).toBe(0);
    const run = await runCli(['run', '--input', 'alice.csv', '--endpoint-url', emulator.endpoint, '--rate', '1000', '--concurrency', '8', '--no-progress'], {
      cwd: ws.dir,
    });
    expect(run.code, run.stderr).toBe(0);
    const results = await readPlan('alice.csv.results.csv');
    // The review columns are carried through to the results.
    expect(results.every((r) => r.outcome === 'succeeded' && r.current_owner === ALICE)).toBe(true);
    const again = await plan('--from-owner', ALICE, '--to-owner', ZOE, '--out', 'alice.csv', '--force');
    expect(again.code).toBe(0);
    expect(await readFile(ws.path('alice.csv'), 'utf8')).toMatch(/^provisioned_product_id,new_owner,launch_role,[^\n]*\n$/);
    expect(again.stdout).toContain('Plan: 0 products to move');
  });

  it('refuses before any call: owners in two accounts, a to-owner that is not a principal, an existing --out', async () => {
    const other = await plan('--from-owner', ALICE, '--to-owner', 'arn:aws:iam::999999999999:user/zoe', '--out', 'x.csv');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is in account 999999999999, the old owner in 123456789012');
    const bad = await plan('--from-owner', ALICE, '--to-owner', 'zoe', '--out', 'x.csv');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("the new owner 'zoe' is not an IAM user, role or assumed-role ARN");
    await writeFile(ws.path('exists.csv'), 'keep me\n');
    const exists = await plan('--from-owner', ALICE, '--to-owner', ZOE, '--out', 'exists.csv');
    expect(exists.code).toBe(2);
    expect(await readFile(ws.path('exists.csv'), 'utf8')).toBe('keep me\n');
    expect(serviceCatalogCalls(emulator)).toHaveLength(0);
  });
});

/**
 * Nothing the tool did is ever forgotten, through the CLI and the local Service Catalog: the
 * README's offboarding recipe word for word (plan, dry run, canary, run, verify, a reconcile
 * night, undo from the ledger), kill -9 just after updates were applied, a checkpoint folder deleted
 * mid-run, and a rerun after an undo that must not call itself done.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type CallRecord, type ProductSnapshot, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { updateCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const NEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/SCLaunch-Reorg`;

let emulator: RunningEmulator;
let ws: Workspace;

async function start(count: number, seed: number, recordDelayMs?: number): Promise<ProductSnapshot[]> {
  emulator = await startEmulator({
    seed: generateSeed({ count, accountId: ACCOUNT, random: seed }),
    ...(recordDelayMs === undefined ? {} : { recordDelayMs }),
  });
  ws = await createWorkspace('sot-ledger-');
  return emulator.state.products();
}

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

const endpoint = () => ['--endpoint-url', emulator.endpoint];
const ownerNow = (id: string) => emulator.state.product(id)!.owner;
const ledgerOf = async (name: string) =>
  (await readFile(ws.path(name), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** `undo`'s printed command(s) that apply the undo within the ledger, as argv after `sc-owner-transfer`. */
function applyCommands(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('sc-owner-transfer run '))
    .map((line) => line.trim().split(/\s+/).slice(1));
}

describe('the ledger', () => {
  it('the README recipe word for word: a verify and a reconcile night change nothing undo writes, and undo puts every product back, canary rows included', async () => {
    const products = await start(40, 7);
    const alices = products.filter((p) => p.owner === ALICE);
    expect(alices.length).toBeGreaterThan(5);
    const S = ['--input', 'offboard-alice.csv', ...endpoint(), '--expect-account', ACCOUNT];
    // 1. plan
    const plan = await runCli(['plan', ...endpoint(), '--from-owner', ALICE, '--to-owner', BOB, '--out', 'offboard-alice.csv'], { cwd: ws.dir });
    expect(plan.code, plan.stderr).toBe(0);
    // 3. dry run, 4. canary, 5. the rest
    expect((await runCli(['run', ...S, '--dry-run'], { cwd: ws.dir })).code).toBe(0);
    const canary = await runCli(['run', ...S, '--limit', '3'], { cwd: ws.dir });
    expect(canary.code, canary.stderr).toBe(0);
    expect(alices.filter((p) => ownerNow(p.id) === BOB)).toHaveLength(3);
    const rest = await runCli(['run', ...S], { cwd: ws.dir });
    expect(rest.code, rest.stderr).toBe(0);
    expect(alices.every((p) => ownerNow(p.id) === BOB)).toBe(true);
    const undoAfterRun = await runCli(['undo', '--input', 'offboard-alice.csv', '--out', 'put-back-1.csv'], { cwd: ws.dir });
    expect(undoAfterRun.code, undoAfterRun.stderr).toBe(0);

    // 6. verify; then a reconcile night that finds one product drifted and puts it back.
    const verify = await runCli(['run', ...S, '--dry-run', '--check'], { cwd: ws.dir });
    expect(verify.code, verify.stderr).toBe(0);
    // Someone gives one product to mallory, outside the migration (its own run id and checkpoint).
    await ws.writeCsv('drift.csv', CSV_HEADER, [[alices[0]!.id, `arn:aws:iam::${ACCOUNT}:user/mallory`, '']]);
    const drift = await runCli(['run', '--input', 'drift.csv', '--run-id', 'drift', ...endpoint()], { cwd: ws.dir });
    expect(drift.code, drift.stderr).toBe(0);
    const night = await runCli(['run', ...S, '--reconcile'], { cwd: ws.dir });
    expect(night.code, night.stderr).toBe(0);
    expect(ownerNow(alices[0]!.id)).toBe(BOB);

    // 7. undo from the ledger: the same rows as before the verify and the night.
    const undo = await runCli(['undo', '--input', 'offboard-alice.csv', '--out', 'put-back.csv'], { cwd: ws.dir });
    expect(undo.code, undo.stderr).toBe(0);
    expect(await readFile(ws.path('put-back.csv'), 'utf8')).toBe(await readFile(ws.path('put-back-1.csv'), 'utf8'));
    expect(await ws.readResults('put-back.csv')).toHaveLength(alices.length);
    const [apply, ...more] = applyCommands(undo.stdout);
    expect(more).toEqual([]);
    expect(apply).toContain('--reconcile');
    const back = await runCli([...apply!, ...endpoint()], { cwd: ws.dir });
    expect(back.code, back.stderr).toBe(0);
    for (const p of alices) expect(ownerNow(p.id)).toBe(ALICE);

    // The original CSV again on its checkpoint: the ledger knows the undo put them back. Not done, never succeeded.
    const again = await runCli(['run', ...S], { cwd: ws.dir });
    expect(again.code).not.toBe(0);
    const results = await ws.readResults('offboard-alice.csv.results.csv');
    expect(results.filter((r) => r.outcome === 'succeeded' || (r.reason ?? '').startsWith('already-'))).toEqual([]);
    expect(results.every((r) => r.outcome === 'failed' && r.reason === 'token-already-used')).toBe(true);
    expect(results[0]!.error_message).toContain('--reconcile');
    for (const p of alices) expect(ownerNow(p.id)).toBe(ALICE);

    // The ledger tells every invocation, in order, with how it ended; secrets of the command line masked.
    const ledger = await ledgerOf('offboard-alice.csv.checkpoint');
    const begins = ledger.filter((e) => e.type === 'begin');
    expect(begins.map((e) => e.mode)).toEqual(['dry-run', 'run', 'run', 'verify', 'reconcile', 'reconcile', 'run']);
    expect(begins.every((e) => e.account === ACCOUNT && typeof e.callerArn === 'string' && e.version !== '' && typeof e.pid === 'number')).toBe(true);
    const ends = ledger.filter((e) => e.type === 'end');
    expect(ends.map((e) => e.exitCode)).toEqual([0, 0, 0, 0, 0, 0, again.code]);
    expect(ends.map((e) => e.invocation)).toEqual(begins.map((e) => e.invocation));
  });

  it("after kill -9 just after updates were applied, the resume and the ledger's undo put every product back", async () => {
    const products = await start(24, 3);
    const before = new Map(products.map((p) => [p.id, { owner: p.owner, launchRole: p.launchRole }]));
    await ws.writeCsv(
      'reorg.csv',
      CSV_HEADER,
      products.map((p, i) => [p.id, BOB, i % 2 === 0 ? NEW_ROLE : '']),
    );
    const args = ['run', '--input', 'reorg.csv', ...endpoint(), '--no-progress', '--concurrency', '4', '--rate', '1000'];
    // Killed twice, each time as the k-th update was applied and answered (the answer may never arrive).
    for (const k of [5, 3]) {
      const cli = spawnCli(args, { cwd: ws.dir });
      let seen = 0;
      const off = emulator.on('response', (call: CallRecord) => {
        if (call.operation === 'UpdateProvisionedProductProperties' && ++seen === k) cli.child.kill('SIGKILL');
      });
      const result = await cli.result;
      off();
      expect(result.signal).toBe('SIGKILL');
    }
    const last = await runCli(args, { cwd: ws.dir });
    expect(last.code, last.stderr).toBe(0);
    expect(products.every((p) => ownerNow(p.id) === BOB)).toBe(true);

    const undo = await runCli(['undo', '--checkpoint', 'reorg.csv.checkpoint', '--out', 'undo.csv'], { cwd: ws.dir });
    expect(undo.code, undo.stderr).toBe(0);
    const emptyRoleBefore = products.filter((p, i) => i % 2 === 0 && !p.launchRole).length;
    expect(undo.stdout).toContain(`; ${emptyRoleBefore} cannot be put back in full`);
    const back = await runCli([...applyCommands(undo.stdout)[0]!, ...endpoint()], { cwd: ws.dir });
    expect(back.code, back.stderr).toBe(0);
    for (const p of products) {
      const now = emulator.state.product(p.id)!;
      expect(now.owner, p.id).toBe(before.get(p.id)!.owner);
      // A launch role that was empty before cannot be set again (the API takes only a role ARN): undo says so.
      if (before.get(p.id)!.launchRole) expect(now.launchRole, p.id).toBe(before.get(p.id)!.launchRole);
    }
  });

  it('stops with exit 5, naming the checkpoint, when its folder is deleted mid-run: no more updates go out', async () => {
    const products = await start(60, 5);
    await ws.writeCsv(
      'reorg.csv',
      CSV_HEADER,
      products.map((p) => [p.id, BOB, '']),
    );
    const out = join(ws.dir, 'out');
    const cli = spawnCli(
      [
        'run',
        '--input',
        'reorg.csv',
        '--checkpoint',
        join(out, 'reorg.checkpoint'),
        '--results',
        join(out, 'reorg.results.csv'),
        ...endpoint(),
        '--no-progress',
        '--concurrency',
        '2',
        '--rate',
        '1000',
      ],
      { cwd: ws.dir },
    );
    let removedAt: number | undefined;
    // The 5th update is held until the folder is gone (a returned promise holds the request).
    const off = emulator.on('request', (call: CallRecord) => {
      if (call.operation !== 'UpdateProvisionedProductProperties' || removedAt !== undefined || updateCalls(emulator).length < 5) return undefined;
      removedAt = updateCalls(emulator).length;
      return rm(out, { recursive: true, force: true });
    });
    const result = await cli.result;
    off();
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain(`the checkpoint '${join(out, 'reorg.checkpoint')}' was removed or replaced`);
    // Only rows whose write-ahead entry was already on disk may still have gone out: at most one a worker.
    expect(updateCalls(emulator).length - removedAt!).toBeLessThanOrEqual(2 + 1);
    expect(updateCalls(emulator).length).toBeLessThan(products.length);
  });

  it('a done row whose product drifted is reported drifted (exit 6) when the run reads the account anyway, and --reconcile puts it back', async () => {
    const products = (await start(30, 9)).filter((p) => p.owner !== BOB);
    const [added, drifted, ...rest] = products;
    const run = (...flags: string[]) => runCli(['run', '--input', 'reorg.csv', ...endpoint(), '--no-progress', ...flags], { cwd: ws.dir });
    await ws.writeCsv(
      'reorg.csv',
      CSV_HEADER,
      [drifted!, ...rest].map((p) => [p.id, BOB, '']),
    );
    expect((await run()).code).toBe(0);
    // Someone moves one product elsewhere, outside the ledger; and a row is added to the CSV.
    await ws.writeCsv('drift.csv', CSV_HEADER, [[drifted!.id, ALICE === drifted!.owner ? `arn:aws:iam::${ACCOUNT}:user/mallory` : ALICE, '']]);
    expect((await runCli(['run', '--input', 'drift.csv', '--run-id', 'drift', ...endpoint()], { cwd: ws.dir })).code).toBe(0);
    await ws.writeCsv(
      'reorg.csv',
      CSV_HEADER,
      [added!, drifted!, ...rest].map((p) => [p.id, BOB, '']),
    );
    const updatesBefore = updateCalls(emulator).length;
    const again = await run();
    // The added row made preflight read the account's pages: the done rows were checked against them.
    expect(again.code, again.stderr).toBe(6);
    const results = await ws.readResults('reorg.csv.results.csv');
    expect(results.find((r) => r.provisioned_product_id === drifted!.id)).toMatchObject({
      outcome: 'drifted',
      reason: 'drifted-since-succeeded',
      attempts: '0',
    });
    expect(results.filter((r) => r.outcome === 'skipped').map((r) => r.reason)).toEqual(Array(rest.length).fill('already-succeeded'));
    expect(updateCalls(emulator).length - updatesBefore).toBe(1); // the added row alone
    expect(ownerNow(drifted!.id)).not.toBe(BOB);
    const reconciled = await run('--reconcile');
    expect(reconciled.code, reconciled.stderr).toBe(0);
    expect(ownerNow(drifted!.id)).toBe(BOB);
  });

  it("undo refuses what it cannot undo from: a dry run's or a verify's results, a missing file, a directory, an input with no checkpoint (exit 2, nothing written)", async () => {
    const products = await start(4, 2);
    await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.map((p) => [p.id, BOB, '']),
    );
    expect((await runCli(['run', '--input', 'rows.csv', ...endpoint(), '--dry-run'], { cwd: ws.dir })).code).toBe(0);
    expect((await runCli(['run', '--input', 'rows.csv', ...endpoint()], { cwd: ws.dir })).code).toBe(0);
    expect((await runCli(['run', '--input', 'rows.csv', ...endpoint(), '--dry-run', '--check'], { cwd: ws.dir })).code).toBe(0);
    const undo = (...args: string[]) => runCli(['undo', ...args, '--out', 'back.csv'], { cwd: ws.dir });
    for (const [args, message] of [
      [['--results', 'rows.csv.dry-run.csv'], 'was written by a dry run or a verify'],
      [['--results', 'rows.csv.verify.csv'], 'was written by a dry run or a verify'],
      [['--results', 'missing.csv'], 'does not exist'],
      [['--results', '.'], 'is a directory'],
      [['--input', 'other.csv'], 'no checkpoint of --input'],
    ] as const) {
      const result = await undo(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    await expect(readFile(ws.path('back.csv'))).rejects.toThrow(/ENOENT/);
    // The run's own results and its ledger still undo.
    expect((await undo('--results', 'rows.csv.results.csv')).code).toBe(0);
  });
});

/**
 * kill -9 at many points, then rerun until done: nothing is lost and nothing is applied twice.
 *
 * Kills are triggered by events, not timers: the k-th update request the emulator sees (sometimes
 * as it arrives, sometimes just after it was applied), with k drawn from a seeded generator whose
 * seed is printed, so a failure can be replayed with SOAK_SEED=<seed>. The number of restarts is
 * bounded; the last run is never killed.
 *
 * In `npm test` this is the short variant (120 rows, 8 kills). `npm run soak` runs the long one:
 * SOAK_ROWS=5000 SOAK_KILLS=20, a few minutes on 2 cores.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateSeed, mulberry32, startEmulator, type CallRecord, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { tokensByProduct, updateRecords } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:iam::${ACCOUNT}:role/PlatformOwners`;
const NEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/SCLaunch-Reorg`;
const ROWS = Number(process.env.SOAK_ROWS ?? 120);
const MAX_KILLS = Number(process.env.SOAK_KILLS ?? 8);
/** Kills land within the first this-many updates of a run, so they spread over the whole job. */
const KILL_WINDOW = Math.max(10, Math.ceil((2 * ROWS) / (MAX_KILLS + 1)));

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  ws = await createWorkspace('sot-soak-');
});

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

it(
  'survives SIGKILL at event-chosen points, with throttling, 500s and dropped answers',
  async () => {
    const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
    console.log(`crash soak seed: ${seed} (rerun with SOAK_SEED=${seed})`);
    const random = mulberry32(seed);
    emulator = await startEmulator({
      seed: generateSeed({ count: ROWS, accountId: ACCOUNT, random: seed }),
      random: seed,
      faults: {
        quotas: { UpdateProvisionedProductProperties: { ratePerSecond: 60, burst: 10 } },
        serverErrorRate: 0.05,
        dropBeforeApplyRate: 0.02,
        dropAfterApplyRate: 0.02,
      },
    });
    const products = emulator.state.products();
    const input = await ws.writeCsv(
      'reorg.csv',
      CSV_HEADER,
      products.map((p, i) => [p.id, NEW_OWNER, i % 2 === 0 ? NEW_ROLE : '']),
    );
    const args = [
      'run',
      '--input',
      input,
      '--endpoint-url',
      emulator.endpoint,
      '--no-progress',
      '--concurrency',
      '6',
      '--rate',
      '80',
      '--request-timeout',
      '5',
    ];

    let kills = 0;
    let finalCode: number | null = null;
    for (let attempt = 0; attempt <= MAX_KILLS; attempt += 1) {
      const cli = spawnCli(args, { cwd: ws.dir });
      const killThisRun = attempt < MAX_KILLS;
      const k = 1 + Math.floor(random() * KILL_WINDOW);
      const onResponse = random() < 0.5;
      let seen = 0;
      const kill = () => {
        if (killThisRun && ++seen === k) cli.child.kill('SIGKILL');
      };
      const onUpdate = (call: CallRecord) => {
        if (call.operation === 'UpdateProvisionedProductProperties') kill();
      };
      const off = onResponse ? emulator.on('response', onUpdate) : emulator.on('request', onUpdate);
      const result = await cli.result;
      off();
      if (result.signal === 'SIGKILL') {
        kills += 1;
        continue;
      }
      finalCode = result.code;
      if (result.code === 0) break;
      // A run can end 1 when a row ran out of retries under the injected faults; the next run retries it.
      expect(result.code, result.stderr).toBe(1);
    }
    console.log(`crash soak: ${ROWS} rows, ${kills} SIGKILLs, then a clean finish`);
    expect(finalCode).toBe(0);
    expect(kills).toBeGreaterThan(0);

    // Every product reached its target, through exactly one token and one record.
    for (const [i, p] of products.entries()) {
      const now = emulator.state.product(p.id)!;
      expect(now.owner).toBe(NEW_OWNER);
      expect(now.launchRole).toBe(i % 2 === 0 ? NEW_ROLE : p.launchRole);
    }
    const tokens = tokensByProduct(emulator);
    for (const p of products) expect(tokens.get(p.id)?.size).toBe(1);
    // Every row needed an update (no product starts with the target owner), and got exactly one.
    expect(products.every((p) => p.owner !== NEW_OWNER)).toBe(true);
    expect(updateRecords(emulator)).toHaveLength(ROWS);

    const results = await ws.readResults('reorg.csv.results.csv');
    expect(results).toHaveLength(ROWS);
    expect(new Set(results.map((r) => r.line)).size).toBe(ROWS);
    for (const r of results) expect(['succeeded', 'submitted', 'skipped']).toContain(r.outcome);
    // Every previous value survived the kills (write-ahead): the results say the state before the migration...
    const byId = new Map(products.map((p) => [p.id, p]));
    for (const r of results) expect(r.previous_owner, r.provisioned_product_id).toBe(byId.get(r.provisioned_product_id ?? '')?.owner);

    // ...and the ledger's undo, applied within the ledger through the same faults, puts every product back.
    const undo = await runCli(['undo', '--input', input, '--out', ws.path('put-back.csv')], { cwd: ws.dir });
    expect(undo.code, undo.stderr).toBe(0);
    const apply = (undo.stdout.split('\n').find((line) => line.trim().startsWith('sc-owner-transfer run ')) ?? '').trim().split(/\s+/).slice(1);
    expect(apply[0]).toBe('run');
    let back = await runCli([...apply, ...args.slice(3)], { cwd: ws.dir });
    // Rows that ran out of retries under the faults are tried again by a rerun, as any run's are.
    for (let rerun = 0; rerun < 3 && back.code === 1; rerun += 1) back = await runCli([...apply, ...args.slice(3)], { cwd: ws.dir });
    expect(back.code, back.stderr).toBe(0);
    for (const p of products) {
      const now = emulator.state.product(p.id)!;
      expect(now.owner, p.id).toBe(p.owner);
      // An empty launch role cannot be set again (the API takes only a role ARN): undo leaves it, and says so.
      if (p.launchRole) expect(now.launchRole, p.id).toBe(p.launchRole);
    }
  },
  240_000 + ROWS * 400,
);

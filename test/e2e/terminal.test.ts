/**
 * What an operator at a terminal sees, on a real pseudo-terminal (helpers/pty.ts): log lines a
 * person reads (JSON where no person reads them), the AWS SDK's Node.js notice in one line of
 * ours, plan's progress, and a confirmation that asks only when something would change, with the
 * endpoint's password masked. A dry run never ends with advice to resume from the checkpoint.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { awsTestEnv, runCli } from './helpers/cli.js';
import { updateCalls } from './helpers/emulator-checks.js';
import { hasPty, spawnCliOnPty, spawnOnPty } from './helpers/pty.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const A = '123456789012';
const ZOE = `arn:aws:iam::${A}:user/zoe`;
const TIME = String.raw`\d\d:\d\d:\d\d`;
/** Node.js before 22: the AWS SDK emits its support notice (its releases after January 2027 need 22). */
const sdkWarns = Number(process.versions.node.split('.')[0]) < 22;

const resources = closedAfterEach();

async function start(options: Parameters<typeof generateSeed>[0]): Promise<{ emulator: RunningEmulator; ws: Workspace }> {
  const emulator = await startEmulator({ seed: generateSeed(options), recordDelayMs: 0 });
  return resources.keep({ emulator, ws: await createWorkspace('sot-terminal-') });
}

/** The SDK pointed at the local Service Catalog, which answers STS and IAM too. */
const envFor = (emulator: RunningEmulator, extra: Record<string, string> = {}) =>
  awsTestEnv({ AWS_ENDPOINT_URL_STS: emulator.endpoint, AWS_ENDPOINT_URL_IAM: emulator.endpoint, ...extra });

/** Two rows moving products to ZOE, the second line repeated (a warning at validation). */
async function twoRowsAndARepeat(emulator: RunningEmulator, ws: Workspace): Promise<string> {
  const products = emulator.state.products().filter((p) => p.owner !== ZOE);
  return ws.writeCsv('rows.csv', CSV_HEADER, [
    [products[0]!.id, ZOE, ''],
    [products[1]!.id, ZOE, ''],
    [products[1]!.id, ZOE, ''],
  ]);
}

describe.skipIf(!hasPty)('log lines', () => {
  it('on a terminal: text lines a person reads; --log-format json and --log-file keep JSON; off a terminal JSON, or text when asked', async () => {
    const { emulator, ws } = await start({ count: 4, accountId: A, random: 3 });
    const input = await twoRowsAndARepeat(emulator, ws);
    const args = ['run', '--input', input, '--endpoint-url', emulator.endpoint, '--rate', '1000', '--yes'];
    const warning = '1 row repeats an earlier row exactly: reported as skipped (duplicate-of-line-N), sent once';

    const text = await spawnCliOnPty(args, { cwd: ws.dir, env: envFor(emulator) }).result;
    expect(text.code, text.output).toBe(0);
    expect(text.lines).toContainEqual(expect.stringMatching(new RegExp(`^${TIME} WARN  ${warning.replace(/[()]/g, '\\$&')}  duplicates=1$`)));
    expect(text.output).not.toContain('"level"');
    expect(updateCalls(emulator)).toHaveLength(2);

    const json = await spawnCliOnPty([...args, '--log-format', 'json'], { cwd: ws.dir, env: envFor(emulator) }).result;
    expect(json.code, json.output).toBe(0);
    expect(json.lines.map((line) => (line.startsWith('{') ? JSON.parse(line) : undefined)).find((record) => record?.level === 'warn')).toMatchObject({
      msg: warning,
      duplicates: 1,
    });

    const toFile = await spawnCliOnPty([...args, '--log-file', 'run.jsonl', '--log-level', 'info'], { cwd: ws.dir, env: envFor(emulator) }).result;
    expect(toFile.code, toFile.output).toBe(0);
    expect(toFile.output).not.toContain(warning);
    const records = (await readFile(ws.path('run.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.find((record) => record.level === 'warn')).toMatchObject({ msg: warning, duplicates: 1 });

    const piped = await runCli([...args, '--no-progress'], { cwd: ws.dir, env: envFor(emulator) });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toContain(`{"level":"warn"`);
    const chosen = await runCli([...args, '--no-progress', '--log-format', 'text'], { cwd: ws.dir, env: envFor(emulator) });
    expect(chosen.stderr).toMatch(new RegExp(`^${TIME} WARN  1 row repeats`, 'm'));
    expect(chosen.stderr).toMatch(new RegExp(`^${TIME} INFO  input validated  input=\\S+ rows=3 valid=3 invalid=0$`, 'm'));
    expect(chosen.stderr).not.toContain('"level"');
  });
});

describe.skipIf(!hasPty)('the demo on a terminal', () => {
  it('prints its warnings as text lines, and the SDK notice (if any) as one line of ours', async () => {
    const ws = await createWorkspace('sot-terminal-demo-');
    try {
      const demoJs = fileURLToPath(new URL('../../dist/src/demo.js', import.meta.url));
      const demo = await spawnOnPty([process.execPath, demoJs], { cwd: ws.dir, env: { PATH: process.env.PATH ?? '', HOME: ws.dir } }).result;
      expect(demo.code, demo.output).toBe(0);
      expect(demo.lines).toContainEqual(expect.stringMatching(new RegExp(`^${TIME} WARN  1 row repeats an earlier row exactly`)));
      expect(demo.output).not.toContain('"level"');
      expect(demo.output).not.toContain('NodeVersionSupportWarning');
      expect(demo.lines.filter((line) => line.includes('AWS SDK releases'))).toHaveLength(sdkWarns ? 1 : 0);
      expect(demo.output).toContain('Service Catalog requests sent by run 2: 0');
    } finally {
      await ws.remove();
    }
  });
});

describe("the AWS SDK's Node.js notice", () => {
  it(`is one line of ours, once, ${sdkWarns ? 'on this Node.js' : 'and on this Node.js there is none'}; other output as before`, async () => {
    const { emulator, ws } = await start({ count: 3, accountId: A, random: 3 });
    const input = await twoRowsAndARepeat(emulator, ws);
    const args = ['run', '--input', input, '--endpoint-url', emulator.endpoint, '--rate', '1000', '--yes', '--no-progress'];
    const result = await runCli(args, { cwd: ws.dir, env: envFor(emulator) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('NodeVersionSupportWarning');
    expect(result.stderr).not.toContain('trace-warnings');
    const notes = result.stderr.split('\n').filter((line) => line.includes('AWS SDK releases'));
    if (sdkWarns) {
      expect(notes).toEqual([
        expect.stringMatching(
          /^sc-owner-transfer: note: AWS SDK releases after .+ need Node\.js \d+ or later, and this is Node\.js 2\d\.\d+\.\d+: upgrade to Node\.js \d+ or later /,
        ),
      ]);
    } else {
      expect(notes).toEqual([]);
    }
    // The SDK's own switch silences it, as documented.
    const silenced = await runCli(args, { cwd: ws.dir, env: envFor(emulator, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }) });
    expect(silenced.stderr).not.toContain('AWS SDK releases');
  });
});

describe.skipIf(!hasPty)('plan on a terminal', () => {
  it('shows where the listing is (pages and products read, rows to move); off a terminal, nothing extra', async () => {
    const alice = `arn:aws:iam::${A}:user/alice`;
    const { emulator, ws } = await start({ count: 250, accountId: A, owners: [alice, `arn:aws:iam::${A}:user/bob`], random: 8 });
    const moving = emulator.state.products().filter((p) => p.owner === alice).length;
    const args = ['plan', '--endpoint-url', emulator.endpoint, '--rate', '1000', '--from-owner', alice, '--to-owner', ZOE];
    const onTerminal = await spawnCliOnPty([...args, '--out', 'plan.csv'], { cwd: ws.dir, env: envFor(emulator) }).result;
    expect(onTerminal.code, onTerminal.output).toBe(0);
    // Its last redraw stays on the screen: three Search pages of 100.
    expect(onTerminal.lines).toContainEqual(expect.stringMatching(new RegExp(`^plan: pages 3  products 250  to move ${moving}  \\d+s$`)));
    expect(onTerminal.output).toContain(`Plan: ${moving} products to move`);

    const piped = await runCli([...args, '--out', 'plan2.csv'], { cwd: ws.dir, env: envFor(emulator) });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toContain('plan: ');
    const quiet = await spawnCliOnPty([...args, '--out', 'plan3.csv', '--no-progress'], { cwd: ws.dir, env: envFor(emulator) }).result;
    expect(quiet.output).not.toContain('plan: pages');
  });
});

describe('across accounts', () => {
  const HOME = '210000000000';
  const TEAM_B = '210000000002';

  it.skipIf(!hasPty)(
    'an account not reached is one WARN line with its reason; plan shows the accounts; a dry run stopped short says nothing of resuming',
    async () => {
      const emulator = await startEmulator({
        seed: generateSeed({ count: 2, accountId: HOME, accounts: 3, random: 11 }),
        credentials: { AKIDTESTEXAMPLE: 'test-secret' },
        recordDelayMs: 0,
      });
      const ws = await createWorkspace('sot-terminal-');
      resources.keep({ emulator, ws });
      emulator.setFaults({ assumeRoleDenied: [TEAM_B] });
      const dave = (account: string) => `arn:aws:iam::${account}:user/dave`;
      const rows = ['210000000000', '210000000001', TEAM_B].flatMap((account) =>
        emulator.state
          .account(account)!
          .products()
          .map((p) => [account, p.id, dave(account)]),
      );
      const input = await ws.writeCsv('org.csv', ['account_id', 'provisioned_product_id', 'new_owner'], rows);
      const access = ['--endpoint-url', emulator.endpoint, '--assume-role-name', 'OrganizationAccountAccessRole', '--rate', '1000'];

      const dry = await spawnCliOnPty(['run', '--input', input, ...access, '--dry-run', '--no-progress'], { cwd: ws.dir, env: envFor(emulator) }).result;
      expect(dry.code, dry.output).toBe(7);
      expect(dry.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${TIME} WARN  account ${TEAM_B} cannot be reached: its rows will be not-started  account=${TEAM_B} reason=".*AccessDenied`),
        ),
      );
      expect(dry.output).toContain('Summary (dry run: nothing was changed)');
      expect(dry.output).not.toContain('resume from the checkpoint');
      expect(dry.output).toContain('A dry run records no rows: run it again to read every row.');
      expect(updateCalls(emulator)).toHaveLength(0);

      const plan = await spawnCliOnPty(['plan', ...access, '--from-owner', dave(HOME), '--to-owner', `arn:aws:iam::${HOME}:user/erin`, '--out', 'p.csv'], {
        cwd: ws.dir,
        env: envFor(emulator),
      }).result;
      expect(plan.code, plan.output).toBe(0);
      expect(plan.lines).toContainEqual(expect.stringMatching(/^plan: accounts 1\/1  pages 1  products 2  to move 0  \d+s$/));
    },
  );
});

describe.skipIf(!hasPty)('the confirmation', () => {
  it("asks only when a row would change, and shows the endpoint's user and password masked", async () => {
    const { emulator, ws } = await start({ count: 4, accountId: A, random: 5 });
    const [first, second] = emulator.state.products().filter((p) => p.owner !== ZOE);
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [
      [first!.id, ZOE, ''],
      [second!.id, ZOE, ''],
    ]);
    const endpoint = emulator.endpoint.replace('http://', 'http://operator:s3cret-pw@');
    const env = envFor(emulator);
    const args = ['run', '--input', input, '--endpoint-url', endpoint, '--rate', '1000', '--no-progress'];

    const asked = spawnCliOnPty(args, { cwd: ws.dir, env });
    await asked.waitForOutput('Proceed? [y/N]');
    asked.type('n\n');
    const declined = await asked.result;
    expect(declined.code, declined.output).toBe(2);
    expect(declined.output).toContain(`endpoint ${emulator.endpoint.replace('http://', 'http://***@')}:`);
    expect(declined.output).not.toContain('s3cret-pw');
    expect(declined.output).toContain('2 rows to change, 0 to skip');
    expect(updateCalls(emulator)).toHaveLength(0);

    // Rows whose products already have their targets: nothing to agree to.
    const done = await ws.writeCsv('done.csv', CSV_HEADER, [
      [first!.id, first!.owner, ''],
      [second!.id, second!.owner, ''],
    ]);
    const nothing = spawnCliOnPty(['run', '--input', done, ...args.slice(3)], { cwd: ws.dir, env });
    // Were it asked anyway, the answer is no, and the test fails on what follows rather than hangs.
    // (The wait rejects when the run ends without asking, which is what should happen.)
    void nothing.waitForOutput('Proceed? [y/N]').then(
      () => nothing.type('n\n'),
      () => undefined,
    );
    const ran = await nothing.result;
    expect(ran.code, ran.output).toBe(0);
    expect(ran.output).not.toContain('Proceed?');
    expect(ran.output).toContain('Nothing to change: 2 rows to skip (done or already in target), 0 failing; not asking, and no update will be sent.');
    expect(updateCalls(emulator)).toHaveLength(0);
    const results = await ws.readResults('done.csv.results.csv');
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['skipped', 'already-in-target-state'],
      ['skipped', 'already-in-target-state'],
    ]);
  });
});

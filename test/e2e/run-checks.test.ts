/**
 * Check before the first write, through the CLI and the local Service Catalog (which answers STS
 * and IAM too): the dry run and its verify, targets that must exist and be usable, the account
 * guard, and the operator's confirmation on a terminal (a real pseudo-terminal, via python3's pty).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type ProductSnapshot, type RunningEmulator } from '../../src/emulator/index.js';
import { awsTestEnv, CLI_PATH, runCli } from './helpers/cli.js';
import { serviceCatalogCalls, updateCalls, updatedProductIds } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const ZOE = `arn:aws:iam::${ACCOUNT}:user/zoe`;
const TYPO = `arn:aws:iam::${ACCOUNT}:user/bbo`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/SCLaunch-new`;
const UNTRUSTED = `arn:aws:iam::${ACCOUNT}:role/NotForServiceCatalog`;

let emulator: RunningEmulator;
let ws: Workspace;

async function start(count: number, region?: string): Promise<ProductSnapshot[]> {
  emulator = await startEmulator({ seed: generateSeed({ count, accountId: ACCOUNT, random: 5 }), ...(region === undefined ? {} : { region }) });
  ws = await createWorkspace('sot-checks-');
  // Products the rows move to ZOE, none of them hers yet.
  return emulator.state.products().filter((p) => p.owner !== ZOE);
}

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

const run = (input: string, ...flags: string[]) =>
  runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--rate', '1000', ...flags], { cwd: ws.dir });
const byLine = (rows: Array<Record<string, string>>) => [...rows].sort((a, b) => Number(a.line) - Number(b.line));

describe('dry run and verify', () => {
  it('reads and checks everything, sends no write, and says per row what would happen', async () => {
    const products = await start(6);
    emulator.setFaults({ missingPrincipals: [TYPO] });
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [
      [products[0]!.id, ZOE, ''],
      [products[1]!.id, products[1]!.owner, ''],
      ['pp-doesnotexist1', ZOE, ''],
      [products[2]!.id, TYPO, ''],
    ]);
    const result = await run(input, '--dry-run');
    expect(result.code, result.stderr).toBe(1);
    expect(updateCalls(emulator)).toHaveLength(0);
    // A dry run's own results file: the run's (what undo reads) is never touched by one.
    expect(existsSync(ws.path('rows.csv.results.csv'))).toBe(false);
    const rows = byLine(await ws.readResults('rows.csv.dry-run.csv'));
    expect(rows.map((r) => [r.outcome, r.reason])).toEqual([
      ['would-change', ''],
      ['skipped', 'already-in-target-state'],
      ['failed', 'not-found'],
      ['failed', 'target-not-found'],
    ]);
    expect(rows[0]!.previous_owner).toBe(products[0]!.owner);
    // The ledger holds the dry run's invocation and nothing about its rows.
    const ledger = readFileSync(ws.path('rows.csv.checkpoint'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; mode?: string; exitCode?: number });
    expect(ledger.map((entry) => entry.type)).toEqual(['header', 'begin', 'end']);
    expect(ledger[1]).toMatchObject({ mode: 'dry-run' });
    expect(ledger[2]).toMatchObject({ exitCode: 1 });
  });

  it('--check exits 0 on an applied CSV and 6 on one with rows still to change', async () => {
    const products = await start(4);
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.slice(0, 3).map((p) => [p.id, ZOE, '']),
    );
    const pending = await run(input, '--dry-run', '--check', '--results', 'check-1.csv');
    expect(pending.code, pending.stderr).toBe(6);
    expect(pending.stdout).toContain('6 (rows still to change)');
    expect((await run(input)).code).toBe(0);
    const applied = await run(input, '--dry-run', '--check', '--results', 'check-2.csv');
    expect(applied.code, applied.stderr).toBe(0);
    expect((await ws.readResults('check-2.csv')).map((r) => r.reason)).toEqual(Array(3).fill('already-in-target-state'));
  });

  it("a verify and a dry run after the run write their own files: the run's results (what undo reads) stay byte for byte", async () => {
    const products = await start(4);
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.slice(0, 3).map((p) => [p.id, ZOE, '']),
    );
    expect((await run(input)).code).toBe(0);
    const before = await readFile(ws.path('rows.csv.results.csv'));
    expect((await ws.readResults('rows.csv.results.csv')).map((r) => r.outcome)).toEqual(Array(3).fill('succeeded'));

    const verify = await run(input, '--dry-run', '--check');
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(ws.path('rows.csv.verify.csv'));
    expect((await ws.readResults('rows.csv.verify.csv')).map((r) => r.reason)).toEqual(Array(3).fill('already-in-target-state'));
    const dry = await run(input, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    // A dry run without --check answers done rows from the checkpoint.
    expect((await ws.readResults('rows.csv.dry-run.csv')).map((r) => r.reason)).toEqual(Array(3).fill('already-succeeded'));

    expect((await readFile(ws.path('rows.csv.results.csv'))).equals(before)).toBe(true);
  });
});

describe('targets', () => {
  it('checks them through IAM in a run in another region than us-east-1: IAM is signed for its global region', async () => {
    // The emulator refuses a signature scoped to another region, as IAM does: before, the IAM
    // client with an endpoint given signed for the run's region and the check was skipped.
    const products = await start(2, 'eu-west-1');
    emulator.setFaults({ missingPrincipals: [TYPO] });
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [
      [products[0]!.id, TYPO, ''],
      [products[1]!.id, ZOE, ''],
    ]);
    const result = await run(input, '--region', 'eu-west-1');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toContain('owners and launch roles were not checked');
    const rows = byLine(await ws.readResults('rows.csv.results.csv'));
    expect(rows.map((r) => [r.outcome, r.reason, r.error_code])).toEqual([
      ['failed', 'target-not-found', 'NoSuchEntity'],
      ['succeeded', '', ''],
    ]);
    expect(updatedProductIds(emulator)).toEqual([products[1]!.id]);
  });

  it('fails the rows of a missing owner and of an untrusted launch role, and only theirs, with no update for them', async () => {
    const products = await start(5);
    emulator.setFaults({ missingPrincipals: [TYPO], untrustedRoles: [UNTRUSTED] });
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [
      [products[0]!.id, TYPO, ''],
      [products[1]!.id, ZOE, UNTRUSTED],
      [products[2]!.id, ZOE, ROLE],
      [products[3]!.id, TYPO, ''],
    ]);
    const result = await run(input);
    expect(result.code, result.stderr).toBe(1);
    const rows = byLine(await ws.readResults('rows.csv.results.csv'));
    expect(rows.map((r) => [r.outcome, r.reason, r.error_code, r.attempts])).toEqual([
      ['failed', 'target-not-found', 'NoSuchEntity', '0'],
      ['failed', 'launch-role-not-trusted', 'LaunchRoleNotTrusted', '0'],
      ['succeeded', '', '', '1'],
      ['failed', 'target-not-found', 'NoSuchEntity', '0'],
    ]);
    expect(updatedProductIds(emulator)).toEqual([products[2]!.id]);
    // Each distinct target looked up once: two owners, two launch roles.
    const identity = emulator.state
      .calls()
      .map((c) => c.operation)
      .filter((op) => op === 'GetUser' || op === 'GetRole');
    expect(identity.sort()).toEqual(['GetRole', 'GetRole', 'GetUser', 'GetUser']);
  });

  it('IAM denied is one warning, and the run goes on', async () => {
    const products = await start(3);
    emulator.setFaults({ iamAccessDenied: true });
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.slice(0, 2).map((p) => [p.id, ZOE, '']),
    );
    const result = await run(input, '--summary-json', 'summary.json');
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('"level":"warn"') && line.includes('owners and launch roles were not checked'));
    expect(warnings).toHaveLength(1);
    expect(result.stdout).toMatch(/warning\s+the IAM reads failed \(AccessDenied/);
    const summary = JSON.parse(await readFile(ws.path('summary.json'), 'utf8'));
    expect(summary.warnings).toHaveLength(1);
    expect(updateCalls(emulator)).toHaveLength(2);
  });
});

describe('the right account', () => {
  it('--expect-account of another account writes nothing; the right one runs', async () => {
    const products = await start(2);
    const input = await ws.writeCsv('rows.csv', CSV_HEADER, [[products[0]!.id, ZOE, '']]);
    const wrong = await run(input, '--expect-account', '111122223333');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`the credentials are for account ${ACCOUNT}, not --expect-account 111122223333`);
    expect(serviceCatalogCalls(emulator)).toHaveLength(0);
    expect(existsSync(ws.path('rows.csv.checkpoint'))).toBe(false);
    const right = await run(input, '--expect-account', '111122223333', '--expect-account', ACCOUNT);
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toMatch(new RegExp(`account\\s+${ACCOUNT}`));
    expect(updateCalls(emulator)).toHaveLength(1);
  });
});

/** python3 runs the CLI on a pseudo-terminal, answers the prompt, and exits with the CLI's code. */
const PTY_DRIVER = `
import os, pty, sys
answer, argv = sys.argv[1].encode(), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, sent = b'', False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not sent and b'Proceed? [y/N]' in out:
        os.write(fd, answer + b'\\n')
        sent = True
sys.stdout.write(out.decode('utf8', 'replace'))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;

const hasPython = spawnSync('python3', ['-c', 'import pty, os; os.waitstatus_to_exitcode'], { stdio: 'ignore' }).status === 0;

describe('an operator who agrees', () => {
  it.skipIf(!hasPython)('on a terminal, shows what will change and asks: "n" writes nothing, "y" runs (needs python3 for the pty)', async () => {
    const products = await start(3);
    const input = await ws.writeCsv(
      'rows.csv',
      CSV_HEADER,
      products.slice(0, 2).map((p) => [p.id, ZOE, '']),
    );
    const env = { ...awsTestEnv(), AWS_ENDPOINT_URL_STS: emulator.endpoint, AWS_ENDPOINT_URL_IAM: emulator.endpoint };
    // Asynchronous: the local Service Catalog runs in this process and must keep answering.
    const drive = (answer: string) =>
      new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn(
          'python3',
          ['-c', PTY_DRIVER, answer, process.execPath, CLI_PATH, 'run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'],
          { cwd: ws.dir, env },
        );
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout }));
      });
    const declined = await drive('n');
    expect(declined.status, declined.stdout).toBe(2);
    expect(declined.stdout).toContain(`About to change provisioned products in account ${ACCOUNT}`);
    expect(declined.stdout).toContain('2 rows to change, 0 to skip');
    expect(declined.stdout).toContain(`${ZOE}  (2 rows)`);
    expect(declined.stdout).toContain('not confirmed: nothing was written');
    expect(updateCalls(emulator)).toHaveLength(0);
    expect(existsSync(ws.path('rows.csv.results.csv'))).toBe(false);

    const agreed = await drive('y');
    expect(agreed.status, agreed.stdout).toBe(0);
    expect(updateCalls(emulator)).toHaveLength(2);
  });
});

/**
 * The main job end to end: the compiled CLI, the real SDK over HTTP, the local Service Catalog.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { deriveIdempotencyToken, IDEMPOTENCY_TOKEN_PATTERN } from '../../src/transfer/token.js';
import { RESULT_COLUMN_NAMES } from '../../src/report/types.js';
import { runCli } from './helpers/cli.js';
import { updateCalls, serviceCatalogCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:iam::${ACCOUNT}:user/dave`;
const NEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/SCLaunchRole-Platform`;

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 25, accountId: ACCOUNT, random: 7 }) });
  ws = await createWorkspace();
});

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

const updates = () => updateCalls(emulator);

describe('sc-owner-transfer run', () => {
  it('applies every row, writes one results line per row, and a rerun sends nothing', async () => {
    const products = emulator.state.products();
    // Some rows change only the launch role (owner cell empty), some only the owner, some both.
    const changesRole = (i: number) => i % 3 === 0 || i % 5 === 0;
    const rows = products.map((p, i) => [p.id, i % 5 === 0 ? '' : NEW_OWNER, changesRole(i) ? NEW_ROLE : '', `TICKET-${i}`]);
    const input = await ws.writeCsv('moves.csv', [...CSV_HEADER, 'ticket'], rows);

    const first = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--summary-json', ws.path('summary.json')], {
      cwd: ws.dir,
    });
    expect(first.stderr).not.toContain('unexpected error');
    expect(first.code, first.stderr).toBe(0);

    // Every product now has its target owner and launch role; empty cells left the value alone.
    for (const [i, product] of products.entries()) {
      const now = emulator.state.product(product.id)!;
      expect(now.owner).toBe(i % 5 === 0 ? product.owner : NEW_OWNER);
      expect(now.launchRole).toBe(changesRole(i) ? NEW_ROLE : product.launchRole);
    }

    // One update per row, each with the derived token, never an empty property value.
    const calls = updates();
    expect(calls).toHaveLength(products.length);
    for (const call of calls) {
      const params = call.params as { ProvisionedProductId: string; ProvisionedProductProperties: Record<string, string>; IdempotencyToken: string };
      const row = rows.find((r) => r[0] === params.ProvisionedProductId)!;
      expect(params.IdempotencyToken).toBe(
        deriveIdempotencyToken('', { provisionedProductId: row[0]!, newOwner: row[1] || undefined, launchRole: row[2] || undefined }),
      );
      expect(params.IdempotencyToken).toMatch(IDEMPOTENCY_TOKEN_PATTERN);
      expect(Object.values(params.ProvisionedProductProperties)).not.toContain('');
      expect(Object.keys(params.ProvisionedProductProperties).sort()).toEqual([...(row[1] ? ['OWNER'] : []), ...(row[2] ? ['LAUNCH_ROLE'] : [])].sort());
    }

    const results = await ws.readResults('moves.csv.results.csv');
    expect(Object.keys(results[0]!)).toEqual([...RESULT_COLUMN_NAMES, 'ticket']);
    expect(results.map((r) => Number(r.line)).sort((a, b) => a - b)).toEqual(rows.map((_, i) => i + 2));
    for (const result of results) {
      // The local Service Catalog finishes a record at once (no record delay): the answer is SUCCEEDED.
      expect(result.outcome).toBe('succeeded');
      expect(result.record_status).toBe('SUCCEEDED');
      expect(result.record_id).not.toBe('');
      expect(result.ticket).toBe(`TICKET-${Number(result.line) - 2}`);
    }
    const summary = JSON.parse(await readFile(ws.path('summary.json'), 'utf8'));
    expect(summary.exitCode).toBe(0);
    expect(summary.counts.total).toBe(products.length);
    expect(summary.counts).toMatchObject({ succeeded: products.length, submitted: 0, failed: 0 });

    // Rerun: the checkpoint says every row is done, so nothing is sent.
    const before = serviceCatalogCalls(emulator).length;
    const second = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(second.code).toBe(0);
    expect(serviceCatalogCalls(emulator).length).toBe(before);
    const rerun = await ws.readResults('moves.csv.results.csv');
    expect(rerun).toHaveLength(products.length);
    for (const result of rerun) {
      expect(result.outcome).toBe('skipped');
      expect(result.reason).toBe('already-succeeded');
      expect(result.record_id).not.toBe('');
    }
  });

  it('reports an identical duplicate as skipped and sends it once', async () => {
    const [a, b] = emulator.state.products();
    const input = await ws.writeCsv('dup.csv', CSV_HEADER, [
      [a!.id, NEW_OWNER, ''],
      [b!.id, NEW_OWNER, ''],
      [` ${a!.id} `, NEW_OWNER, ''],
    ]);
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(updates()).toHaveLength(2);
    const lines = await ws.readResults('dup.csv.results.csv');
    const dup = lines.find((r) => r.line === '4')!;
    expect(dup.outcome).toBe('skipped');
    expect(dup.reason).toBe('duplicate-of-line-2');
  });

  it('dry run sends no write, writes would-change and records only its invocation in the ledger', async () => {
    const products = emulator.state
      .products()
      .filter((p) => p.owner !== NEW_OWNER)
      .slice(0, 4);
    const input = await ws.writeCsv(
      'dry.csv',
      CSV_HEADER,
      products.map((p) => [p.id, NEW_OWNER, '']),
    );
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--dry-run'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(updates()).toHaveLength(0);
    const lines = await ws.readResults('dry.csv.dry-run.csv');
    expect(lines.map((l) => l.outcome)).toEqual(['would-change', 'would-change', 'would-change', 'would-change']);
    // Read, not guessed: each row has what preflight found.
    expect(lines.every((l) => l.previous_owner !== '' && l.product_status === 'AVAILABLE')).toBe(true);
    const ledger = (await readFile(ws.path('dry.csv.checkpoint'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(ledger).toEqual(['header', 'begin', 'end']);
  });

  it('--limit sends N rows, the rest are not-started, and a rerun finishes them', async () => {
    const products = emulator.state.products().slice(0, 10);
    const input = await ws.writeCsv(
      'canary.csv',
      CSV_HEADER,
      products.map((p) => [p.id, NEW_OWNER, '']),
    );
    const canary = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--limit', '3', '--concurrency', '1'], {
      cwd: ws.dir,
    });
    expect(canary.code).toBe(0);
    expect(updates()).toHaveLength(3);
    const lines = await ws.readResults('canary.csv.results.csv');
    expect(lines.filter((l) => l.outcome === 'not-started')).toHaveLength(7);
    const rest = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(rest.code).toBe(0);
    expect(updates()).toHaveLength(10);
    for (const p of products) expect(emulator.state.product(p.id)!.owner).toBe(NEW_OWNER);
  });

  it('a new --run-id applies the same rows again under new tokens; the old checkpoint refuses it', async () => {
    const [p] = emulator.state.products();
    const input = await ws.writeCsv('again.csv', CSV_HEADER, [[p!.id, NEW_OWNER, '']]);
    expect((await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir })).code).toBe(0);
    const refused = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--run-id', 'reorg-2'], { cwd: ws.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/run id/i);
    // Without preflight (which would skip the row: its product is in the target state already).
    const again = await runCli(
      [
        'run',
        '--input',
        input,
        '--endpoint-url',
        emulator.endpoint,
        '--no-progress',
        '--no-preflight',
        '--run-id',
        'reorg-2',
        '--checkpoint',
        ws.path('reorg-2.checkpoint'),
      ],
      { cwd: ws.dir },
    );
    expect(again.code).toBe(0);
    const tokens = updates().map((c) => c.token);
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(2);
  });

  it('--log-file gets the JSON log (a line per row at debug, progress off a terminal) and no secret; AcceptLanguage is sent', async () => {
    const products = emulator.state.products().slice(0, 3);
    const input = await ws.writeCsv(
      'log.csv',
      CSV_HEADER,
      products.map((p) => [p.id, NEW_OWNER, '']),
    );
    const result = await runCli(
      ['run', '--input', input, '--endpoint-url', emulator.endpoint, '--log-level', 'debug', '--log-file', ws.path('run.log'), '--accept-language', 'jp'],
      { cwd: ws.dir },
    );
    expect(result.code, result.stderr).toBe(0);
    // Progress is on (no --no-progress) but stderr is not a terminal: log lines, not a bar.
    expect(result.stderr).not.toContain('\r');
    const lines = (await readFile(ws.path('run.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines
        .filter((l) => l.msg === 'row')
        .map((l) => l.id)
        .sort(),
    ).toEqual(products.map((p) => p.id).sort());
    expect(lines.some((l) => l.msg === 'progress' && l.done === 3 && l.total === 3)).toBe(true);
    expect(lines.some((l) => l.msg === 'run finished')).toBe(true);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('test-secret');
    expect(text).not.toContain('AKIDTESTEXAMPLE');
    for (const call of updates()) expect((call.params as { AcceptLanguage?: string }).AcceptLanguage).toBe('jp');
  });

  it('status reports a checkpoint without sending anything', async () => {
    const products = emulator.state.products().slice(0, 3);
    const input = await ws.writeCsv(
      's.csv',
      CSV_HEADER,
      products.map((p) => [p.id, NEW_OWNER, '']),
    );
    await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    const status = await runCli(['status', '--checkpoint', ws.path('s.csv.checkpoint'), '--json'], { cwd: ws.dir });
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed.done).toBe(3);
    expect(parsed.failed).toBe(0);
    expect(parsed.inFlight).toBe(0);
    expect(parsed.lock).toBeNull();
  });
});

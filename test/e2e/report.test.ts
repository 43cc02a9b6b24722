/**
 * `report` through the CLI, on a ledger made by real runs against the local Service Catalog: a
 * canary (`--limit`), the run (under an update quota, so rows are throttled; one product that does
 * not exist), and an undo's run (whose input's name is hostile HTML). Every format's text is
 * checked against the ledger, and the HTML is rendered in headless Chromium (Debian's `chromium`,
 * which .ci/run installs): the screenshot is not blank and the page has the figures and the counts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type ProductSnapshot, type RunningEmulator } from '../../src/emulator/index.js';
import { REASONS } from '../../src/outcomes.js';
import { runCli } from './helpers/cli.js';
import { lookAtPng } from './helpers/png.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const MISSING = 'pp-doesnotexist0';
/** The undo CSV's name: the report names the undo's run by it, so it must come out as text. */
const HOSTILE_OUT = 'put-back-<img-src=x-onerror=alert(1)>.csv';

let emulator: RunningEmulator;
let ws: Workspace;
let products: ProductSnapshot[];
let ledger: Array<Record<string, unknown>>;

const cli = async (args: string[]) => {
  const result = await runCli(args, { cwd: ws.dir });
  return result;
};

beforeAll(async () => {
  emulator = await startEmulator({
    seed: generateSeed({ count: 40, accountId: ACCOUNT, random: 4 }),
    recordDelayMs: 0,
    faults: { quotas: { UpdateProvisionedProductProperties: { ratePerSecond: 5, burst: 1 } } },
  });
  // Products the run changes (one already owned by bob would be skipped, and undo leaves it alone).
  products = emulator.state.products().filter((p) => p.owner !== BOB);
  ws = await createWorkspace('sot-report-');
  await ws.writeCsv('rows.csv', CSV_HEADER, [...products.map((p) => [p.id, BOB, '']), [MISSING, BOB, '']]);
  const S = ['--input', 'rows.csv', '--endpoint-url', emulator.endpoint, '--no-progress', '--rate', '50'];
  const canary = await cli(['run', ...S, '--limit', '3']);
  expect(canary.code, canary.stderr).toBe(0);
  const run = await cli(['run', ...S]);
  expect(run.code, run.stderr).toBe(1);
  const undo = await cli(['undo', '--input', 'rows.csv', '--out', HOSTILE_OUT]);
  expect(undo.code, undo.stderr).toBe(0);
  const apply = undo.stdout
    .split('\n')
    .find((line) => line.trim().startsWith('sc-owner-transfer run '))!
    .trim()
    .split(/\s+/)
    .slice(1);
  const back = await cli([...apply, '--endpoint-url', emulator.endpoint, '--no-progress']);
  expect(back.code, back.stderr).toBe(0);
  ledger = (await readFile(ws.path('rows.csv.checkpoint'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const format of ['html', 'md', 'json', 'csv']) {
    const report = await cli(['report', '--checkpoint', 'rows.csv.checkpoint', '--format', format, '--out', `report.${format}`]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`Wrote the ${format} report of ${products.length + 1} products and 3 invocations`);
  }
}, 120_000);

afterAll(async () => {
  await emulator?.close();
  await ws?.remove();
});

const read = (name: string) => readFile(ws.path(name), 'utf8');
const begins = () => ledger.filter((e) => e.type === 'begin');
const ends = () => ledger.filter((e) => e.type === 'end');

describe('report, on a real migration ledger', () => {
  it('JSON: the invocations, the CloudTrail window, every product, the failures with their advice', async () => {
    const json = JSON.parse(await read('report.json'));
    expect(json.formatVersion).toBe(1);
    expect(json.invocations.map((i: { label: string }) => i.label)).toEqual(['canary (--limit 3)', 'run', `reconcile of ${HOSTILE_OUT}`]);
    expect(json.invocations.map((i: { exitCode: number }) => i.exitCode)).toEqual(ends().map((e) => e.exitCode));
    expect(json.window).toEqual({ from: begins()[0]!.startedAt, to: ends().at(-1)!.endedAt });
    expect(json.sessionNames).toEqual(['sc-owner-transfer']);
    expect(json.callers).toEqual([begins()[0]!.callerArn]);
    expect(json.productCount).toBe(products.length + 1);
    // Put back by the undo's run: every product succeeded last, the missing one failed.
    expect(json.states).toMatchObject({ succeeded: products.length, failed: 1, 'in-flight': 0 });
    expect(json.accounts).toEqual([expect.objectContaining({ accountId: ACCOUNT, products: products.length + 1, changed: products.length })]);
    expect(json.failures).toEqual([
      expect.objectContaining({ reason: 'not-found', errorCode: 'ResourceNotFoundException', products: 1, advice: REASONS['not-found'].doc }),
    ]);
    const run = json.invocations[1];
    expect(run.counts.throttles).toBeGreaterThan(0);
    expect(run.rowThrottles).toBeGreaterThan(0);
    expect(run.rowThrottles).toBeLessThanOrEqual(run.counts.throttles);
    expect(run.series.updates.reduce((a: number, b: number) => a + b, 0)).toBe(products.length - 3);
    const first = json.products.find((p: { provisionedProductId: string }) => p.provisionedProductId === products[0]!.id);
    expect(first).toMatchObject({ previousOwner: products[0]!.owner, state: 'succeeded', changed: true });
    expect(first.history.map((h: { label: string; state: string }) => `${h.label} ${h.state}`)).toEqual([
      'canary (--limit 3) succeeded',
      `reconcile of ${HOSTILE_OUT} succeeded`,
    ]);
  });

  it('CSV: one line per product, with its history', async () => {
    const rows = parse<Record<string, string>>(await read('report.csv'), { columns: true });
    expect(rows).toHaveLength(products.length + 1);
    expect(rows.find((r) => r.provisioned_product_id === MISSING)).toMatchObject({ state: 'failed', reason: 'not-found', changed: 'no' });
    expect(rows.find((r) => r.provisioned_product_id === products[5]!.id)!.history).toBe(`#2 run succeeded; #3 reconcile of ${HOSTILE_OUT} succeeded`);
  });

  it('Markdown: the tables and text pictures, the hostile name escaped, no HTML', async () => {
    const md = await read('report.md');
    expect(md).toContain('# Migration report');
    expect(md).toContain('| #1 | canary (--limit 3) |');
    expect(md).toContain('reconcile of put-back-\\<img-src=x-onerror=alert(1)\\>.csv');
    expect(md).not.toMatch(/(^|[^\\])</m);
    expect(md).toContain(`| ${ACCOUNT} |`);
    expect(md).toContain('updates/s');
    expect(md).toContain(`${products.length} succeeded, 1 failed`);
  });

  it('HTML: self-contained, the figures, the counts, the hostile name as text', async () => {
    const html = await read('report.html');
    // Nothing to run or fetch: no script, no image, no stylesheet link, no url(); the endpoint in the flags is text.
    expect(html).not.toMatch(/<script|<img|<link|<iframe|url\(|<[^>]*\s(src|href)\s*=/i);
    expect(html).toContain('put-back-&lt;img-src=x-onerror=alert(1)&gt;.csv');
    expect((html.match(/class="figure figure-updates"/g) ?? []).length).toBe(3);
    expect(html).toContain(`succeeded: ${products.length}`);
  });

  it('never replaces --out without --force, and refuses a missing ledger (exit 2)', async () => {
    const again = await cli(['report', '--checkpoint', 'rows.csv.checkpoint', '--format', 'md', '--out', 'report.md']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; pass --force');
    expect((await cli(['report', '--checkpoint', 'rows.csv.checkpoint', '--out', 'report.md', '--force'])).code).toBe(0);
    const missing = await cli(['report', '--checkpoint', 'nope.checkpoint', '--out', 'x.html']);
    expect(missing.code).toBe(2);
  });
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

describe('the HTML report as a person sees it', () => {
  it.skipIf(CHROMIUM === undefined)(
    CHROMIUM === undefined
      ? "skipped: Debian's chromium is not installed here (.ci/run installs it)"
      : 'headless Chromium draws it: not blank, with the figures and the counts',
    async () => {
      const run = promisify(execFile);
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1200,1600'];
      const url = `file://${ws.path('report.html')}`;
      await run(CHROMIUM!, [...flags, `--screenshot=${ws.path('report.png')}`, url], { timeout: 90_000 });
      const look = lookAtPng(await readFile(ws.path('report.png')));
      expect([look.width, look.height]).toEqual([1200, 1600]);
      expect(look.colours).toBeGreaterThan(20);
      expect(look.inked).toBeGreaterThan(0.02);
      const { stdout: dom } = await run(CHROMIUM!, [...flags, '--dump-dom', url], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
      expect(dom).toContain('figure figure-outcomes');
      expect((dom.match(/<svg [^>]*class="figure figure-updates"/g) ?? []).length).toBe(3);
      expect((dom.match(/<svg [^>]*class="figure figure-throttles"/g) ?? []).length).toBe(3);
      expect(dom).toContain(`succeeded: ${products.length}`);
      expect(dom).not.toMatch(/<img/i);
    },
    200_000,
  );
});

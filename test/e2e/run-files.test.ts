/**
 * The run's own files are as safe as the products it changes: no flag can make it overwrite the
 * input or the journal, impossible output paths are refused before the first request, and a full
 * disk ends the run with exit 5, one clear line, a summary, and a checkpoint the next run resumes.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { tokensByProduct, updateCalls, updatedProductIds, updateRecords, serviceCatalogCalls } from './helpers/emulator-checks.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from './helpers/tmpfs.js';
import { createWorkspace, transferRows, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const OWNER = `arn:aws:iam::${ACCOUNT}:user/bob`;

let emulator: RunningEmulator;
let ws: Workspace;
let mounted: Tmpfs | undefined;

beforeEach(async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 120, accountId: ACCOUNT, random: 3 }) });
  ws = await createWorkspace('sot-files-');
});

afterEach(async () => {
  mounted?.unmount();
  mounted = undefined;
  await emulator.close();
  await ws.remove();
});

async function writeInput(count = 120): Promise<string> {
  return ws.writeCsv('in.csv', CSV_HEADER, transferRows(emulator.state.products().slice(0, count), OWNER));
}

const run = (input: string, ...flags: string[]) =>
  runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--rate', '1000', '--concurrency', '8', ...flags], { cwd: ws.dir });

/** No stack trace, no "bug" wording: the operator's problem is told as one. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('unexpected error');
}

describe('two flags naming one file', () => {
  it.each([
    ['--summary-json naming the checkpoint', ['--summary-json', 'in.csv.checkpoint'], '--checkpoint and --summary-json'],
    ['--summary-json naming the input', ['--summary-json', 'in.csv'], '--input and --summary-json'],
    ['--summary-json naming the results', ['--summary-json', 'in.csv.results.csv'], '--results and --summary-json'],
    ['--log-file naming the input', ['--log-file', './in.csv'], '--input and --log-file'],
    ['--results naming the checkpoint', ['--results', 'x', '--checkpoint', 'x'], '--results and --checkpoint'],
  ])('%s: exit 2 naming both flags, nothing written or sent', async (_name, flags, both) => {
    const input = await writeInput(5);
    const before = readFileSync(input, 'utf8');
    const result = await run(input, ...flags);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${both} name the same file`);
    expectNoStack(result.stderr);
    expect(readFileSync(input, 'utf8')).toBe(before);
    expect(existsSync(ws.path('in.csv.checkpoint'))).toBe(false);
    expect(existsSync(ws.path('in.csv.results.csv'))).toBe(false);
    expect(emulator.state.calls()).toHaveLength(0);
  });

  it('keeps the checkpoint of an earlier run when --summary-json names it', async () => {
    const input = await writeInput(5);
    expect((await run(input)).code).toBe(0);
    const journal = readFileSync(ws.path('in.csv.checkpoint'), 'utf8');
    const result = await run(input, '--summary-json', ws.path('in.csv.checkpoint'));
    expect(result.code).toBe(2);
    expect(readFileSync(ws.path('in.csv.checkpoint'), 'utf8')).toBe(journal);
    // The journal is still one: the next run resumes from it and sends nothing.
    const calls = serviceCatalogCalls(emulator).length;
    expect((await run(input)).code).toBe(0);
    // Every row is done in the checkpoint: not even a preflight read is made.
    expect(serviceCatalogCalls(emulator)).toHaveLength(calls);
  });
});

describe('impossible output paths, found before the first request', () => {
  it.each([
    ['--results', 'a directory', () => mkdirSync(ws.path('out'))],
    ['--summary-json', 'a directory', () => mkdirSync(ws.path('out'))],
  ])('%s naming %s: exit 2, nothing sent, no checkpoint left behind', async (flag, _what, prepare) => {
    const input = await writeInput(5);
    prepare();
    const result = await run(input, flag, 'out');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${flag} '${ws.path('out')}': is a directory. Nothing was sent or written.`);
    expectNoStack(result.stderr);
    expect(emulator.state.calls()).toHaveLength(0);
    expect(existsSync(ws.path('in.csv.checkpoint'))).toBe(false);
  });

  const tmpfs = canMountTmpfs(`${process.env.TMPDIR ?? '/tmp'}/sot-tmpfs-probe-${process.pid}`);

  it.skipIf(!tmpfs)('a read-only results folder: exit 2, nothing sent, no checkpoint (needs root to mount a tmpfs)', async () => {
    const input = await writeInput(5);
    mounted = mountTmpfs(ws.path('ro'), 'size=64k,ro');
    const result = await run(input, '--results', 'ro/out.csv');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`--results '${ws.path('ro/out.csv')}': cannot write in '${ws.path('ro')}': read-only file system (EROFS)`);
    expect(emulator.state.calls()).toHaveLength(0);
    expect(existsSync(ws.path('in.csv.checkpoint'))).toBe(false);
  });

  it.skipIf(!tmpfs)('a full disk under the checkpoint: exit 5, one clear line, a summary, and a rerun resumes with nothing applied twice', async () => {
    const input = await writeInput(120);
    // Four pages: the journal of 120 rows (a write-ahead `sent` with the previous values, and a
    // `finished`, about 1 KiB a row) needs several times that, and a few rows fit before it fills.
    mounted = mountTmpfs(ws.path('small'), 'size=16k');
    const checkpoint = ws.path('small/in.checkpoint');
    const first = await run(input, '--checkpoint', checkpoint, '--summary-json', 'summary.json');
    expect(first.code, first.stderr).toBe(5);
    expectNoStack(first.stderr);
    // One line: the file, the system error, and why rerunning is safe.
    const line = first.stderr.split('\n').find((text) => text.startsWith('sc-owner-transfer run: '));
    expect(line).toMatch(
      new RegExp(
        `^sc-owner-transfer run: cannot write the checkpoint '${checkpoint}': no space left on device \\(ENOSPC\\) .*Nothing is applied twice.*rerun the same command to resume\\.$`,
      ),
    );
    expect(first.stdout).toContain('Summary');
    expect(first.stdout).toContain('local-error: a local file could not be written');
    const summary = JSON.parse(await readFile(ws.path('summary.json'), 'utf8'));
    expect(summary).toMatchObject({ exitCode: 5, stoppedBy: 'local-error', exitCodeMeaning: 'a local file could not be written, resumable' });
    expect(summary.error).toContain('no space left on device (ENOSPC)');
    const sentBefore = updateCalls(emulator).length;
    expect(sentBefore).toBeGreaterThan(0);
    expect(sentBefore).toBeLessThan(120);

    // Space is back: the same command resumes and finishes.
    mounted?.remount('size=1m');
    const second = await run(input, '--checkpoint', checkpoint, '--summary-json', 'summary.json');
    expect(second.code, second.stderr).toBe(0);
    for (const product of emulator.state.products().slice(0, 120)) expect(emulator.state.product(product.id)?.owner).toBe(OWNER);
    expectAppliedOnce();
    const results = await ws.readResults('in.csv.results.csv');
    expect(results).toHaveLength(120);
  });

  it.skipIf(!tmpfs)('a full disk under the results: exit 5 naming the file, and a rerun writes them from the checkpoint', async () => {
    const input = await writeInput(120);
    mounted = mountTmpfs(ws.path('small'), 'size=8k');
    const first = await run(input, '--results', 'small/out.csv');
    expect(first.code, first.stderr).toBe(5);
    expectNoStack(first.stderr);
    expect(first.stderr).toContain(`cannot write the results file '${ws.path('small/out.csv.partial')}': no space left on device (ENOSPC)`);
    mounted?.remount('size=1m');
    const second = await run(input, '--results', 'small/out.csv');
    expect(second.code, second.stderr).toBe(0);
    expect(await ws.readResults('small/out.csv')).toHaveLength(120);
    expectAppliedOnce();
  });

  it.skipIf(!tmpfs)('a full disk under the summary JSON or the log: the rows are done, exit 5 says a report is missing', async () => {
    const input = await writeInput(10);
    mounted = mountTmpfs(ws.path('full'), 'size=4k');
    fillUp(ws.path('full/filler'));
    const result = await run(input, '--summary-json', 'full/summary.json', '--log-file', 'full/run.log');
    expect(result.code, result.stderr).toBe(5);
    expectNoStack(result.stderr);
    expect(result.stderr).toContain(`cannot write the summary JSON '${ws.path('full/summary.json')}': no space left on device (ENOSPC)`);
    expect(result.stderr).toContain(`cannot write the log file '${ws.path('full/run.log')}': no space left on device (ENOSPC)`);
    expect(result.stdout).toMatch(/total\s+10\n/);
    expect(await ws.readResults('in.csv.results.csv')).toHaveLength(10);
  });
});

/**
 * Nothing applied twice: at most one update record per product (none for a product the seed
 * already gave to OWNER, which preflight skips), and every update request for a product with one token.
 */
function expectAppliedOnce(): void {
  const recordsOf = updateRecords(emulator).map((record) => record.provisionedProductId);
  const updated = new Set(updatedProductIds(emulator));
  expect(new Set(recordsOf).size).toBe(recordsOf.length);
  expect(recordsOf.length).toBe(updated.size);
  for (const tokens of tokensByProduct(emulator).values()) expect(tokens.size).toBe(1);
}

/** Writes zeros to `path` until the file system is full. */
function fillUp(path: string): void {
  const fd = openSync(path, 'w');
  try {
    const block = Buffer.alloc(1024);
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Bad input never reaches the service: every file of the bad-CSV corpus exits 2, names the line,
 * and the emulator sees no request at all.
 */
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { createWorkspace, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const CORPUS = fileURLToPath(new URL('../fixtures/bad-csv/', import.meta.url));
const expected = JSON.parse(await readFile(`${CORPUS}expected.json`, 'utf8')) as Record<string, { code: string; line: number }>;

let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 5, accountId: '123456789012' }) });
  ws = await createWorkspace('sot-bad-');
});

afterAll(async () => {
  await emulator.close();
  await ws.remove();
});

describe('bad input', () => {
  it('the corpus lists every file it holds', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f !== 'expected.json');
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(Object.entries(expected))('%s: exit 2, the line named, nothing sent', async (file, { code, line }) => {
    const input = ws.path(file);
    await copyFile(`${CORPUS}${file}`, input);
    const result = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress'], { cwd: ws.dir });
    expect(result.code).toBe(2);
    if (line > 0) expect(result.stderr).toContain(`line ${line}`);
    expect(result.stderr).toMatch(/nothing was sent/i);
    expect(result.stderr).toContain(code);
    expect(emulator.state.calls()).toHaveLength(0);
    // Nothing written: no results file under the real name, no checkpoint.
    await expect(readFile(`${input}.results.csv`)).rejects.toThrow(/ENOENT/);
    await expect(readFile(`${input}.checkpoint`)).rejects.toThrow(/ENOENT/);
  });

  it('a directory, a missing file and bad flags are usage errors that repeat the bad value', async () => {
    const dir = await runCli(['run', '--input', ws.dir, '--endpoint-url', emulator.endpoint], { cwd: ws.dir });
    expect(dir.code).toBe(2);
    const missing = await runCli(['run', '--input', ws.path('nope.csv'), '--endpoint-url', emulator.endpoint], { cwd: ws.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.csv');
    const badConcurrency = await runCli(['run', '--input', 'x.csv', '--concurrency', 'lots'], { cwd: ws.dir });
    expect(badConcurrency.code).toBe(2);
    expect(badConcurrency.stderr).toContain("got 'lots'");
    const badBudget = await runCli(['run', '--input', 'x.csv', '--max-errors', '12x'], { cwd: ws.dir });
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toContain("got '12x'");
    const unknown = await runCli(['run', '--input', 'x.csv', '--frobnicate'], { cwd: ws.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--frobnicate');
    expect(emulator.state.calls()).toHaveLength(0);
  });

  it('--skip-invalid runs the valid rows and reports the others as invalid (exit 1)', async () => {
    const [a, b] = emulator.state.products();
    const input = await ws.writeCsv('mixed.csv', CSV_HEADER, [
      [a!.id, 'arn:aws:iam::123456789012:user/erin', ''],
      [b!.id, 'arn:aws:iam::123456789012:group/admins', ''],
      ['bad id!', 'arn:aws:iam::123456789012:user/erin', ''],
    ]);
    const refused = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--summary-json', ws.path('refused.json')], {
      cwd: ws.dir,
    });
    expect(refused.code).toBe(2);
    // A pipeline reading --summary-json learns why, even when nothing ran.
    const summary = JSON.parse(await readFile(ws.path('refused.json'), 'utf8'));
    expect(summary).toMatchObject({ exitCode: 2, counts: { total: 3, finished: 0 } });
    expect(summary.error).toMatch(/2 of 3 rows are invalid; nothing was sent/);
    expect(refused.stderr).toContain('line 3');
    expect(refused.stderr).toContain('line 4');
    expect(emulator.state.calls()).toHaveLength(0);

    const skipped = await runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--skip-invalid'], { cwd: ws.dir });
    expect(skipped.code).toBe(1);
    const results = await ws.readResults('mixed.csv.results.csv');
    expect(results.map((r) => [r.line, r.outcome])).toEqual(
      expect.arrayContaining([
        ['2', expect.stringMatching(/succeeded|submitted/)],
        ['3', 'invalid'],
        ['4', 'invalid'],
      ]),
    );
    expect(results).toHaveLength(3);
    expect(emulator.state.product(a!.id)!.owner).toBe('arn:aws:iam::123456789012:user/erin');
    expect(emulator.state.product(b!.id)!.owner).not.toContain('group');
  });
});

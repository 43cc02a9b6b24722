import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/exit-codes.js';
import { exitCodeMeaning, renderSummaryTable, summaryJson, writeSummaryJson } from '../../../src/report/summary.js';
import { makeCounts, makeSummary, withTempDir } from './fixtures.js';

describe('exitCodeMeaning', () => {
  it.each([
    [0, 'all done'],
    [1, 'some rows failed or invalid'],
    [2, 'bad usage or input: nothing sent'],
    [3, 'stopped early (failure budget or credentials), resumable'],
    [4, 'checkpoint locked by another run'],
    [130, 'interrupted (SIGINT), resumable'],
    [143, 'terminated (SIGTERM), resumable'],
  ])('%d means %s', (code, meaning) => {
    expect(exitCodeMeaning(code)).toBe(meaning);
  });

  it('covers every code in ExitCode, and names unknown codes', () => {
    for (const code of Object.values(ExitCode)) expect(exitCodeMeaning(code)).not.toMatch(/unknown/);
    expect(exitCodeMeaning(42)).toBe('unknown exit code 42');
  });
});

describe('renderSummaryTable', () => {
  it('lists non-zero outcomes, the total, the run figures, the files and the exit code', () => {
    const table = renderSummaryTable(makeSummary());
    const lines = table.split('\n');
    expect(lines[0]).toBe('Summary - run id run-42');
    expect(table).toMatch(/^ {2}succeeded\s+3990$/m);
    expect(table).toMatch(/^ {2}failed\s+3$/m);
    expect(table).toMatch(/^ {2}invalid\s+7$/m);
    expect(table).toMatch(/^ {2}total\s+4000$/m);
    expect(table).not.toMatch(/submitted|skipped|not-started|would-change/);
    expect(table).toMatch(/^ {2}elapsed\s+1m06s$/m);
    expect(table).toMatch(/^ {2}requests\s+8123$/m);
    expect(table).toMatch(/^ {2}throttles\s+12$/m);
    expect(table).toMatch(/^ {2}retries\s+15$/m);
    expect(table).toMatch(/^ {2}rows\/s\s+60\.6$/m);
    expect(table).toMatch(/^ {2}results\s+\/data\/results\.csv$/m);
    expect(table).toMatch(/^ {2}checkpoint\s+\/data\/\.sc-owner-transfer\/checkpoint$/m);
    expect(table).toMatch(/^ {2}exit code\s+1 \(some rows failed or invalid\)$/m);
    expect(table).not.toContain('stopped by');
    expect(table).not.toContain('resume');
    expect(table.endsWith('\n')).toBe(true);
  });

  it('aligns the values in one column and right-aligns the numbers', () => {
    const lines = renderSummaryTable(makeSummary())
      .split('\n')
      .filter((line) => line.startsWith('  '));
    const valueEnds = lines.filter((line) => /\d$/.test(line) && /^ {2}(succeeded|failed|invalid|total|requests)\b/.test(line)).map((line) => line.length);
    expect(new Set(valueEnds).size).toBe(1);
    const valueStarts = lines
      .filter((line) => /^ {2}(elapsed|results|checkpoint|exit code)\b/.test(line))
      .map((line) => line.length - line.replace(/^ {2}\S+( \S+)?\s+/, '').length);
    expect(new Set(valueStarts).size).toBe(1);
  });

  it('says why a run stopped early, and how to resume it', () => {
    const table = renderSummaryTable(
      makeSummary({
        exitCode: 3,
        stoppedBy: 'max-errors',
        counts: makeCounts({ total: 100, succeeded: 10, failed: 20, notStarted: 70, finished: 100 }),
      }),
    );
    expect(table).toMatch(/^ {2}not-started\s+70$/m);
    expect(table).toMatch(/^ {2}stopped by\s+max-errors: failure budget \(--max-errors\) reached$/m);
    expect(table).toMatch(/^ {2}exit code\s+3 \(stopped early \(failure budget or credentials\), resumable\)$/m);
    expect(table).toContain('Run the same command again to resume from the checkpoint.');
    // 30 rows processed in 66 s; rows that never started are not counted as work done.
    expect(table).toMatch(/^ {2}rows\/s\s+0\.5$/m);
  });

  it('marks dry runs, handles SIGINT and an empty input', () => {
    const table = renderSummaryTable(makeSummary({ dryRun: true, exitCode: 130, stoppedBy: 'SIGINT', elapsedMs: 0, counts: makeCounts() }));
    expect(table.split('\n')[0]).toBe('Summary (dry run: nothing was changed) - run id run-42');
    expect(table).toMatch(/^ {2}total\s+0$/m);
    expect(table).toMatch(/^ {2}rows\/s\s+--$/m);
    expect(table).toMatch(/^ {2}stopped by\s+SIGINT: interrupted \(SIGINT\)$/m);
    expect(table).toMatch(/^ {2}exit code\s+130 \(interrupted \(SIGINT\), resumable\)$/m);
    // A dry run records no rows: there is no checkpoint to resume it from.
    expect(table).not.toContain('resume from the checkpoint');
    expect(table).toContain('A dry run records no rows: run it again to read every row.');
    expect(renderSummaryTable(makeSummary({ stoppedBy: 'something-new' }))).toMatch(/^ {2}stopped by\s+something-new$/m);
  });
});

describe('writeSummaryJson', () => {
  it('writes the summary as JSON, creating the directory and leaving no temp file', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'reports', 'summary.json');
      const summary = makeSummary();
      await writeSummaryJson(path, summary);
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      expect(parsed).toEqual({ ...summary, stoppedBy: null, exitCodeMeaning: 'some rows failed or invalid' });
      expect(await readdir(join(dir, 'reports'))).toEqual(['summary.json']);
      expect(summaryJson(summary).endsWith('}\n')).toBe(true);
    });
  });

  it('replaces an existing file in one step', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'summary.json');
      await writeFile(path, '{"old":true}');
      await writeSummaryJson(path, makeSummary({ exitCode: 0, stoppedBy: undefined }));
      expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ exitCode: 0, exitCodeMeaning: 'all done' });
      expect(await readdir(dir)).toEqual(['summary.json']);
    });
  });

  it('leaves neither a temp file nor a half file when the final rename fails', async () => {
    await withTempDir(async (dir) => {
      // A directory in the way makes rename() fail after the temp file was fully written.
      const path = join(dir, 'summary.json');
      await mkdir(path);
      await expect(writeSummaryJson(path, makeSummary())).rejects.toThrow();
      expect(await readdir(dir)).toEqual(['summary.json']);
      expect(await readdir(path)).toEqual([]);
    });
  });
});

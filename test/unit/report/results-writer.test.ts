import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it, vi } from 'vitest';
import { LocalFileError } from '../../../src/local-file-error.js';
import { csvLine, neutraliseFormula, openResultsWriter, resultHeader } from '../../../src/report/results-writer.js';
import { RESULT_COLUMN_NAMES } from '../../../src/report/types.js';
import { makeResult, withTempDir } from './fixtures.js';

function parseCsv(text: string): string[][] {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- csv-parse's generic wants columns to infer rows
  return parse(text, { relax_column_count: false }) as string[][];
}

describe('resultHeader', () => {
  it('is RESULT_COLUMN_NAMES followed by the extra input columns', () => {
    expect(resultHeader([])).toEqual([...RESULT_COLUMN_NAMES]);
    expect(resultHeader(['cost_center', 'team'])).toEqual([...RESULT_COLUMN_NAMES, 'cost_center', 'team']);
  });

  it('renames extra columns that clash with a results column to input_<name>', () => {
    expect(resultHeader(['outcome', 'team', 'line']).slice(RESULT_COLUMN_NAMES.length)).toEqual(['input_outcome', 'team', 'input_line']);
  });

  it('treats clashes case-insensitively and keeps every header unique', () => {
    expect(resultHeader(['Outcome']).slice(RESULT_COLUMN_NAMES.length)).toEqual(['input_Outcome']);
    expect(resultHeader(['input_outcome', 'outcome']).slice(RESULT_COLUMN_NAMES.length)).toEqual(['input_outcome', 'input_input_outcome']);
    const header = resultHeader(['reason', 'Reason', 'input_reason']);
    expect(new Set(header.map((h) => h.toLowerCase())).size).toBe(header.length);
  });

  it('neutralises header names that look like formulas', () => {
    expect(resultHeader(['=cmd']).at(-1)).toBe("'=cmd");
  });
});

describe('neutraliseFormula', () => {
  it.each(['=', '+', '-', '@', '\t', '\r'])('prefixes a quote to a cell starting with %j', (char) => {
    expect(neutraliseFormula(`${char}SUM(A1)`)).toBe(`'${char}SUM(A1)`);
  });

  it('leaves ordinary cells alone', () => {
    expect(neutraliseFormula('')).toBe('');
    expect(neutraliseFormula('pp-123')).toBe('pp-123');
    expect(neutraliseFormula('a=b')).toBe('a=b');
    expect(neutraliseFormula("'=already")).toBe("'=already");
  });
});

describe('openResultsWriter', () => {
  it('takes far more lines than its buffer holds, awaited one after another, with nothing else keeping the process busy', async () => {
    // Lines gather corked until a timer; a full buffer must be written at once, or a writer
    // awaiting 'drain' waits for that timer, which (unref'd) never keeps the process alive. Here
    // the timer never fires at all: only a flush of the full buffer lets the loop finish.
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      const writer = await openResultsWriter({ path, extraColumns: [] });
      const note = 'x'.repeat(200);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        for (let line = 2; line < 2002; line += 1) await writer.write(makeResult({ line, errorMessage: note }));
      } finally {
        vi.useRealTimers();
      }
      await writer.close();
      const rows = parseCsv(await readFile(path, 'utf8'));
      expect(rows).toHaveLength(2001);
      expect(rows.at(-1)?.[0]).toBe('2001');
    });
  });

  it('writes the header and rows, and tricky cells round-trip through a CSV parser', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'out', 'results.csv');
      const writer = await openResultsWriter({ path, extraColumns: ['team', 'outcome', 'note'] });
      const tricky = 'a,b "quoted"\nsecond line\r\nthird, ünïcødé';
      await writer.write(makeResult({ line: 2, errorMessage: tricky, extra: { team: 'x,y', outcome: 'keep', note: 'say "hi"' } }));
      await writer.write(makeResult({ line: 3, outcome: 'failed', attempts: 4, reason: 'throttled', extra: { team: 'z' } }));
      await writer.close();

      const rows = parseCsv(await readFile(path, 'utf8'));
      expect(rows[0]).toEqual([...RESULT_COLUMN_NAMES, 'team', 'input_outcome', 'note']);
      expect(rows).toHaveLength(3);
      // The writer took both rows: the file holds them, in the order written.
      expect(rows.slice(1).map((row) => row[0])).toEqual(['2', '3']);
      const first = Object.fromEntries(rows[0]!.map((name, i) => [name, rows[1]![i]]));
      expect(first).toMatchObject({
        line: '2',
        provisioned_product_id: 'pp-abc123',
        outcome: 'succeeded',
        attempts: '1',
        error_message: tricky,
        team: 'x,y',
        input_outcome: 'keep',
        note: 'say "hi"',
      });
      const second = Object.fromEntries(rows[0]!.map((name, i) => [name, rows[2]![i]]));
      // A missing extra value is an empty cell, not "undefined".
      expect(second).toMatchObject({ line: '3', outcome: 'failed', attempts: '4', reason: 'throttled', team: 'z', input_outcome: '', note: '' });
    });
  });

  it('neutralises formula cells in every string column, but writes numbers as numbers', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      const writer = await openResultsWriter({ path, extraColumns: ['comment'] });
      await writer.write(
        makeResult({
          line: 7,
          attempts: 3,
          newOwner: '=HYPERLINK("http://evil")',
          errorMessage: '+1 failure',
          reason: '-x',
          recordId: '@SUM(A1)',
          extra: { comment: '\tcmd' },
        }),
      );
      await writer.close();
      const rows = parseCsv(await readFile(path, 'utf8'));
      const row = Object.fromEntries(rows[0]!.map((name, i) => [name, rows[1]![i]]));
      expect(row).toMatchObject({
        line: '7',
        attempts: '3',
        new_owner: '\'=HYPERLINK("http://evil")',
        error_message: "'+1 failure",
        reason: "'-x",
        record_id: "'@SUM(A1)",
        comment: "'\tcmd",
      });
    });
  });

  it('writes only the header when there are no rows', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      const writer = await openResultsWriter({ path, extraColumns: [] });
      await writer.close();
      expect(await readFile(path, 'utf8')).toBe(`${RESULT_COLUMN_NAMES.join(',')}\n`);
    });
  });

  it('keeps data under <path>.partial until close, then renames it over the final path', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      await writeFile(path, 'old results\n');
      const writer = await openResultsWriter({ path, extraColumns: [] });
      expect(writer.partialPath).toBe(`${path}.partial`);
      for (let line = 2; line < 50; line += 1) await writer.write(makeResult({ line }));
      expect(existsSync(writer.partialPath)).toBe(true);
      // The previous file is untouched while the run is going on.
      expect(await readFile(path, 'utf8')).toBe('old results\n');
      await writer.close();
      expect(existsSync(writer.partialPath)).toBe(false);
      expect(parseCsv(await readFile(path, 'utf8'))).toHaveLength(49);
      await writer.close(); // idempotent
      await expect(writer.write(makeResult())).rejects.toThrow(/closed/);
    });
  });

  it('creates no file under the final name before close', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      const writer = await openResultsWriter({ path, extraColumns: [] });
      await writer.write(makeResult());
      expect(existsSync(path)).toBe(false);
      await writer.close();
      expect(existsSync(path)).toBe(true);
    });
  });

  it('abort() removes the partial file and leaves the final path untouched', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      await writeFile(path, 'old results\n');
      const writer = await openResultsWriter({ path, extraColumns: [] });
      await writer.write(makeResult());
      await writer.abort();
      expect(existsSync(writer.partialPath)).toBe(false);
      expect(await readFile(path, 'utf8')).toBe('old results\n');
      await expect(writer.write(makeResult())).rejects.toThrow(/aborted/);
      await expect(writer.close()).rejects.toThrow(/aborted/);
      await writer.abort(); // harmless twice
      expect(await readdir(dir)).toEqual(['results.csv']);
    });
  });

  it('fails to open when the directory cannot be created, naming the file', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'file'), 'x');
      const error = await openResultsWriter({ path: join(dir, 'file', 'results.csv'), extraColumns: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalFileError);
      expect((error as LocalFileError).message).toMatch(/^cannot write the results file '.*results\.csv\.partial': .*\((EEXIST|ENOTDIR)\)$/);
    });
  });

  it('reports a full disk as a LocalFileError naming the partial file (/dev/full answers ENOSPC to every write)', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      await symlink('/dev/full', `${path}.partial`);
      const writer = await openResultsWriter({ path, extraColumns: [] });
      // The first write is buffered; the failure shows on a later write or on close, never as success.
      const failure = await (async () => {
        for (let line = 2; line < 100_000; line += 1) await writer.write(makeResult({ line }));
        await writer.close();
      })().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(LocalFileError);
      expect(failure).toMatchObject({ code: 'NO_SPACE', path: `${path}.partial` });
      expect((failure as Error).message).toBe(`cannot write the results file '${path}.partial': no space left on device (ENOSPC)`);
      await writer.abort();
      expect(existsSync(path)).toBe(false);
    });
  });

  it('honours backpressure: unawaited writes stay pending until the stream drains, and order is kept', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'results.csv');
      const writer = await openResultsWriter({ path, extraColumns: ['n'] });
      let resolved = 0;
      const writes = Array.from({ length: 2000 }, (_, i) =>
        writer.write(makeResult({ line: i + 2, extra: { n: String(i) } })).then(() => {
          resolved += 1;
        }),
      );
      await Promise.resolve();
      await Promise.resolve();
      // The stringifier buffers only a high-water mark of rows; the rest wait for 'drain'.
      expect(resolved).toBeLessThan(2000);
      await Promise.all(writes);
      expect(resolved).toBe(2000);
      await writer.close();
      const rows = parseCsv(await readFile(path, 'utf8'));
      expect(rows).toHaveLength(2001);
      expect(rows.slice(1).map((row) => row[0])).toEqual(Array.from({ length: 2000 }, (_, i) => String(i + 2)));
    });
  });

  it('writes 10k rows correctly when every write is awaited', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'nested', 'deeper', 'results.csv');
      await mkdir(dir, { recursive: true });
      const writer = await openResultsWriter({ path, extraColumns: ['team'] });
      for (let i = 0; i < 10_000; i += 1) {
        await writer.write(
          makeResult({ line: i + 2, provisionedProductId: `pp-${i}`, errorMessage: i % 7 === 0 ? `bad, "row"\n${i}` : '', extra: { team: `t${i % 3}` } }),
        );
      }
      await writer.close();
      const rows = parseCsv(await readFile(path, 'utf8'));
      expect(rows).toHaveLength(10_001);
      // The writer took every row: the file holds all 10,000, in the order written.
      expect(rows.slice(1).map((row) => row[0])).toEqual(Array.from({ length: 10_000 }, (_, i) => String(i + 2)));
      const idIndex = rows[0]!.indexOf('provisioned_product_id');
      const messageIndex = rows[0]!.indexOf('error_message');
      expect(rows[10_000]![idIndex]).toBe('pp-9999');
      expect(rows[1 + 700]![messageIndex]).toBe('bad, "row"\n700');
      expect(rows.at(-1)!.at(-1)).toBe('t0');
    });
  });
});

describe('csvLine', () => {
  it('writes what csv-stringify writes with its defaults, for every awkward cell', () => {
    const awkward = ['', 'plain', 'a,b', 'say "hi"', '"', '""', 'line\nbreak', 'cr\rhere', 'crlf\r\nx', ' spaced ', "'=1+2", 'ünï©ødé', 'tab\tin', 0, 42, 3.5];
    for (const a of awkward) {
      for (const b of awkward) {
        expect(csvLine([a, b, 'end'])).toBe(stringify([[a, b, 'end']]));
      }
    }
  });
});

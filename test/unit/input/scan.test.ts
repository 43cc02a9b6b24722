import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemError } from '../../../src/input/csv-stream.js';
import { InputError } from '../../../src/input/input-error.js';
import { trimmedCellsNote } from '../../../src/input/format.js';
import { scanInput } from '../../../src/input/scan.js';
import type { InputScan } from '../../../src/input/types.js';
import { BOB, CAROL, HEADER, ROLE, tempDir, writeCsv } from './helpers.js';

const dir = tempDir();

async function scanText(content: string | Buffer, options?: { maxProblemsKept?: number }): Promise<InputScan> {
  return scanInput(writeCsv(dir, content), options);
}

function lines(scan: InputScan): Array<[string, number]> {
  return scan.problems.map((p) => [p.code, p.line]);
}

describe('scanInput', () => {
  it('counts rows and fingerprints the file', async () => {
    const content = `${HEADER},ticket\npp-1,${BOB},,T-1\npp-2,,${ROLE},T-2\npp-3,${BOB},${ROLE},T-3\n`;
    const path = writeCsv(dir, content);
    const scan = await scanInput(path);
    expect(scan).toMatchObject({
      totalRows: 3,
      validRows: 3,
      invalidRows: 0,
      duplicateRows: 0,
      problems: [],
      problemCount: 0,
      fatal: undefined,
      header: { idColumn: 'provisioned_product_id', ownerColumn: 'new_owner', launchRoleColumn: 'launch_role', extraColumns: ['ticket'] },
    });
    expect(scan.fingerprint.size).toBe(Buffer.byteLength(content));
    expect(scan.fingerprint.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(scan.fingerprint.ino).toBeGreaterThan(0);
    expect(scan.products.size).toBe(3);
    expect(['pp-1', 'pp-2', 'pp-3', 'pp-4'].map((id) => scan.products.firstLine(id))).toEqual([2, 3, 4, undefined]);
  });

  it('accepts a UTF-8 BOM, CRLF and quoted fields', async () => {
    const scan = await scanText(`\uFEFF"provisioned_product_id","new_owner",launch_role\r\n"pp-1","${BOB}",""\r\npp-2,"${BOB}",\r\n`);
    expect(scan).toMatchObject({ totalRows: 2, validRows: 2, problemCount: 0 });
    expect(scan.header.columns).toEqual(['provisioned_product_id', 'new_owner', 'launch_role']);
  });

  it('numbers physical lines across multi-line quoted fields (LF and CRLF) and blank lines', async () => {
    for (const eol of ['\n', '\r\n']) {
      const content = [
        `${HEADER},note`, // 1
        `pp-1,${BOB},,"two`, // 2
        `lines"`, // 3
        '', // 4 (blank)
        `pp-2,bad,,x`, // 5
        `pp-3,${BOB},,"a`, // 6
        '', // 7 (inside the quotes)
        `c"`, // 8
        `pp-4,${BOB},${BOB},y`, // 9
        '',
      ].join(eol);
      const scan = await scanText(content);
      expect(lines(scan)).toEqual([
        ['OWNER_INVALID', 5],
        ['LAUNCH_ROLE_INVALID', 9],
      ]);
      expect(scan.totalRows).toBe(4);
    }
  });

  it('skips blank lines and lines of empty cells, before and after the header', async () => {
    const scan = await scanText(`\n\n${HEADER}\n\n   \n,,\npp-1,${BOB},\n \t \npp-2,nope,\n\n`);
    expect(scan.totalRows).toBe(2);
    expect(lines(scan)).toEqual([['OWNER_INVALID', 9]]);
  });

  it('reports header problems on the header line', async () => {
    const scan = await scanText(`\n\nprovisioned_product_id,ticket\npp-1,T\n`);
    expect(scan.fatal).toMatchObject({ code: 'HEADER_MISSING_COLUMN', line: 3 });
    expect(scan.problems).toEqual([scan.fatal]);
    expect(scan.header.columns).toEqual(['provisioned_product_id', 'ticket']);
    expect(scan.header.idColumn).toBe('');
  });

  it('takes a header with no rows as valid and empty', async () => {
    const scan = await scanText(`${HEADER}\r\n`);
    expect(scan).toMatchObject({ totalRows: 0, validRows: 0, problemCount: 0, fatal: undefined });
  });

  it.each([
    ['an empty file', ''],
    ['a BOM only', '\uFEFF'],
    ['blank lines only', '\n\r\n  \n'],
  ])('EMPTY_FILE for %s', async (_label, content) => {
    const scan = await scanText(content);
    expect(scan.fatal).toMatchObject({ code: 'EMPTY_FILE', line: 0 });
    expect(scan.problemCount).toBe(1);
  });

  it('HEADER_MISSING when the first line is data', async () => {
    const scan = await scanText(`pp-a1ice0000001,${BOB},\n`);
    expect(scan.fatal).toMatchObject({ code: 'HEADER_MISSING', line: 1 });
  });

  it('HEADER_DUPLICATE_COLUMN', async () => {
    const scan = await scanText(`provisioned_product_id,owner,OWNER\npp-1,${BOB},${BOB}\n`);
    expect(scan.fatal).toMatchObject({ code: 'HEADER_DUPLICATE_COLUMN', line: 1 });
  });

  it('a row with a different number of cells is invalid on its line, not fatal', async () => {
    const scan = await scanText(`${HEADER}\npp-1,${BOB}\npp-2,${BOB},,extra\npp-3,${BOB},\n`);
    expect(lines(scan)).toEqual([
      ['CSV_MALFORMED', 2],
      ['CSV_MALFORMED', 3],
    ]);
    expect(scan.problems[0]!.message).toBe('this row has 2 cells but the header has 3 columns; quote values that contain commas');
    expect(scan).toMatchObject({ fatal: undefined, totalRows: 3, validRows: 1, invalidRows: 2 });
  });

  describe('malformed CSV is a fatal problem with its line', () => {
    it('unclosed quote: the line where the record starts', async () => {
      const content = `${HEADER}\npp-1,${BOB},\npp-2,"${BOB},\npp-3,${BOB},\n`;
      const path = writeCsv(dir, content);
      const scan = await scanInput(path);
      expect(scan.fatal).toMatchObject({ code: 'CSV_MALFORMED', line: 3 });
      expect(scan.fatal!.message).toMatch(/never closed/);
      expect(scan).toMatchObject({ totalRows: 1, validRows: 1 });
      // the fingerprint still covers the whole file
      expect(scan.fingerprint.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    });

    it('a quote inside an unquoted field', async () => {
      const scan = await scanText(`${HEADER},note\npp-1,${BOB},,ok\npp-2,${BOB},,say "hi"\n`);
      expect(scan.fatal).toMatchObject({ code: 'CSV_MALFORMED', line: 3 });
    });

    it('text after a closing quote, after a CRLF multi-line field', async () => {
      const scan = await scanText(`${HEADER},note\r\npp-1,${BOB},,"a\r\nb"\r\npp-2,"${BOB}"x,,\r\n`);
      expect(scan.fatal).toMatchObject({ code: 'CSV_MALFORMED', line: 4 });
    });

    it('a record over 1 MiB (a quote left open in a big file) stops at the start line', async () => {
      const rows = Array.from({ length: 30_000 }, (_, i) => `pp-${i},${BOB},`).join('\n');
      const scan = await scanText(`${HEADER}\npp-x,"${BOB},\n${rows}\n`);
      expect(scan.fatal).toMatchObject({ code: 'CSV_MALFORMED', line: 2 });
      expect(scan.fatal!.message).toMatch(/longer than 1 MiB/);
    });

    it('invalid UTF-8', async () => {
      const scan = await scanText(Buffer.concat([Buffer.from(`${HEADER},note\npp-1,${BOB},,ok\npp-2,${BOB},,Jos`), Buffer.from([0xe9, 0x0a])]));
      expect(scan.fatal).toMatchObject({ code: 'CSV_MALFORMED', line: 3 });
      expect(scan.fatal!.message).toMatch(/not UTF-8/);
    });

    it('UTF-16', async () => {
      const scan = await scanText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\npp-1,${BOB},\n`, 'utf16le')]));
      expect(scan.fatal).toMatchObject({ code: 'CSV_MALFORMED', line: 1 });
      expect(scan.fatal!.message).toMatch(/UTF-16/);
    });
  });

  describe('duplicates', () => {
    it('an identical later line (after trim) is a duplicate, not a problem', async () => {
      const scan = await scanText(`${HEADER},ticket\npp-1,${BOB},,T-1\npp-2,${BOB},,T-1\n pp-1 , ${BOB} ,,T-other\npp-1,${BOB},,T-1\n`);
      expect(scan).toMatchObject({ totalRows: 4, validRows: 4, invalidRows: 0, duplicateRows: 2, problemCount: 0 });
      expect(scan.products.firstLine('pp-1')).toBe(2);
    });

    it('a later line with another target is CONFLICTING_DUPLICATE naming the first line', async () => {
      const scan = await scanText(`${HEADER}\npp-1,${BOB},\npp-2,${BOB},\npp-1,${CAROL},\npp-1,${BOB},${ROLE}\npp-1,${BOB},\n`);
      expect(lines(scan)).toEqual([
        ['CONFLICTING_DUPLICATE', 4],
        ['CONFLICTING_DUPLICATE', 5],
      ]);
      expect(scan.problems[0]!.message).toBe(
        "provisioned_product_id 'pp-1' is already listed on line 2 with a different new_owner or launch_role; keep one of the two lines",
      );
      expect(scan).toMatchObject({ validRows: 3, invalidRows: 2, duplicateRows: 1 });
    });

    it('a valid line after an invalid line for the same product conflicts with it', async () => {
      const scan = await scanText(`${HEADER}\npp-1,nope,\npp-1,${BOB},\npp-1,nope,\n`);
      expect(lines(scan)).toEqual([
        ['OWNER_INVALID', 2],
        ['CONFLICTING_DUPLICATE', 3],
        ['OWNER_INVALID', 4],
      ]);
      expect(scan.problems[1]!.message).toMatch(/already listed on line 2, which is invalid/);
    });

    it('owner-only and launch-role-only lines for one product conflict', async () => {
      const scan = await scanText(`${HEADER}\npp-1,${BOB},\npp-1,,${ROLE}\n`);
      expect(lines(scan)).toEqual([['CONFLICTING_DUPLICATE', 3]]);
    });
  });

  it('keeps at most maxProblemsKept problems but counts them all', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `pp-${i},bad,`).join('\n');
    const scan = await scanText(`${HEADER}\n${rows}\n`, { maxProblemsKept: 10 });
    expect(scan.problems).toHaveLength(10);
    expect(scan.problemCount).toBe(50);
    expect(scan.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('always lists the fatal problem, last', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `pp-${i},bad,`).join('\n');
    const scan = await scanText(`${HEADER}\n${rows}\npp-9,"open\n`, { maxProblemsKept: 3 });
    expect(scan.problemCount).toBe(6);
    expect(lines(scan)).toEqual([
      ['OWNER_INVALID', 2],
      ['OWNER_INVALID', 3],
      ['CSV_MALFORMED', 7],
    ]);
  });

  it('refuses a bad maxProblemsKept', async () => {
    await expect(scanInput(writeCsv(dir, HEADER), { maxProblemsKept: -1 })).rejects.toThrow(RangeError);
  });

  describe('file checks', () => {
    it('FILE_NOT_FOUND', async () => {
      const error = await scanInput(join(dir, 'missing.csv')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ code: 'FILE_NOT_FOUND', line: 0 });
      expect((error as Error).message).toMatch(/missing\.csv' not found/);
      await expect(scanInput(join(dir, 'missing', 'x.csv'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    });

    it('NOT_A_REGULAR_FILE for a directory', async () => {
      const sub = join(dir, 'a-directory');
      mkdirSync(sub);
      await expect(scanInput(sub)).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE', message: expect.stringMatching(/is a directory/) });
    });

    it.skipIf(process.platform === 'win32')('NOT_A_REGULAR_FILE for a FIFO, without blocking', async () => {
      const fifo = join(dir, 'a-fifo');
      execFileSync('mkfifo', [fifo]);
      await expect(scanInput(fifo)).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE', message: expect.stringMatching(/FIFO/) });
    });

    it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('FILE_UNREADABLE for a file without read permission', async () => {
      const path = writeCsv(dir, `${HEADER}\n`);
      chmodSync(path, 0o000);
      await expect(scanInput(path)).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    });

    it('FILE_UNREADABLE for permission errors and other I/O errors', () => {
      const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'open' });
      expect(fileSystemError('/x.csv', eacces)).toMatchObject({ code: 'FILE_UNREADABLE', message: "input file '/x.csv' is not readable: permission denied" });
      const eio = Object.assign(new Error('EIO: i/o error'), { code: 'EIO', syscall: 'read' });
      expect(fileSystemError('/x.csv', eio)).toMatchObject({ code: 'FILE_UNREADABLE' });
    });

    it('rejects with the AbortError when the signal is aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(scanInput(writeCsv(dir, `${HEADER}\npp-1,${BOB},\n`), { signal: controller.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
    });
  });
});

describe('ARN cells with whitespace around them', () => {
  it('are trimmed, counted with the first line and column, and the run can say so', async () => {
    const scan = await scanText(`${HEADER}\npp-1,${BOB},\npp-2,"${BOB} ",\npp-3," ${CAROL}"," ${ROLE}"\n`);
    expect(scan).toMatchObject({ validRows: 3, problemCount: 0 });
    expect([...scan.targets.owners.keys()]).toEqual([BOB, CAROL]);
    expect(scan.trimmedArnCells).toEqual({ count: 3, first: { line: 3, column: 'new_owner' } });
    expect(trimmedCellsNote(scan.trimmedArnCells)).toBe(
      '3 ARN cells had whitespace around the value (the first on line 3, new_owner): trimmed, as every cell is; the trimmed ARN is the one checked, in the token and sent',
    );
  });

  it('none: nothing to say', async () => {
    const scan = await scanText(`${HEADER}\npp-1,${BOB},\n`);
    expect(scan.trimmedArnCells).toEqual({ count: 0, first: undefined });
    expect(trimmedCellsNote(scan.trimmedArnCells)).toBeUndefined();
  });
});

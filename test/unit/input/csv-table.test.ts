/** The small CSVs read whole (accounts file, maps): rows with the physical line an editor shows. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseAccountsFile } from '../../../src/input/accounts-file.js';
import { columnKey, parseCsvTable, streamCsvTable, type CsvTableRow } from '../../../src/input/csv-table.js';
import { InputError } from '../../../src/input/input-error.js';

describe('parseCsvTable', () => {
  it('numbers rows by their physical line: blank lines and a quoted line break counted as an editor counts them', () => {
    const text = '\uFEFFold_owner,new_owner\n\na,b\n"multi\nline",c\n\n\nd,e\n';
    expect(parseCsvTable(text)).toEqual({
      ok: true,
      header: ['old_owner', 'new_owner'],
      rows: [
        { line: 3, cells: ['a', 'b'] },
        { line: 4, cells: ['multi\nline', 'c'] },
        { line: 8, cells: ['d', 'e'] },
      ],
    });
    // CRLF lines (a file saved on Windows) count once each.
    expect(parseCsvTable('a,b\r\n\r\nc,d\r\ne,f\r\n')).toMatchObject({
      rows: [
        { line: 3, cells: ['c', 'd'] },
        { line: 4, cells: ['e', 'f'] },
      ],
    });
  });

  it('says why a file is not CSV, and reads an empty file as an empty table', () => {
    const bad = parseCsvTable('a,b\n"unclosed\n');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.message).toMatch(/^not a readable CSV/);
    expect(parseCsvTable('')).toEqual({ ok: true, header: [], rows: [] });
  });

  it('codes a file that is not CSV, on the physical line an editor shows', () => {
    // csv-parse itself would say line 7: it counts the CRLF inside the quotes twice.
    expect(parseCsvTable('a,b\r\n\r\nc,d\r\n"x\r\ny",z\r\ne,"f"g\r\nh,i\r\n')).toMatchObject({ ok: false, code: 'CSV_MALFORMED', line: 6 });
    // A quote never closed: the line its record starts on, after blank lines.
    expect(parseCsvTable('a,b\n\n\nc,"unclosed\nmore\n')).toMatchObject({ ok: false, code: 'CSV_MALFORMED', line: 4 });
  });

  it('compares header names one way for every CSV: case, spaces, _ and - ignored', () => {
    expect(['Account ID', 'account_id', 'ACCOUNT-ID', ' accountid '].map(columnKey)).toEqual(Array(4).fill('accountid'));
  });
});

async function streamed(text: string | Buffer): Promise<CsvTableRow[]> {
  const rows: CsvTableRow[] = [];
  for await (const row of streamCsvTable(Readable.from([Buffer.from(text)]))) rows.push(row);
  return rows;
}

async function streamError(text: string | Buffer): Promise<unknown> {
  return streamed(text).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('streamCsvTable', () => {
  it('yields the header, then each row with its physical line, cells trimmed, blank lines skipped', async () => {
    const text = '\uFEFF\r\nold_owner, new_owner\r\n\r\na ,b\r\n"multi\r\nline",  c  \r\n\r\nd,e\r\n';
    expect(await streamed(text)).toEqual([
      { line: 2, cells: ['old_owner', 'new_owner'] },
      { line: 4, cells: ['a', 'b'] },
      { line: 5, cells: ['multi\r\nline', 'c'] },
      { line: 8, cells: ['d', 'e'] },
    ]);
    expect(await streamed('')).toEqual([]);
  });

  it('throws a coded InputError on the physical line where the file stops being CSV', async () => {
    const stray = await streamError('a,b\r\n\r\nc,d\r\n"x\r\ny",z\r\ne,"f"g\r\nh,i\r\n');
    expect(stray).toBeInstanceOf(InputError);
    expect(stray).toMatchObject({ code: 'CSV_MALFORMED', line: 6 });
    expect((stray as Error).message).toMatch(/^malformed CSV: a closing quote must be followed by a comma .* \[CSV_INVALID_CLOSING_QUOTE\]$/);
    expect(await streamError('a,b\n\n\nc,"unclosed\nmore\n')).toMatchObject({
      code: 'CSV_MALFORMED',
      line: 4,
      message: expect.stringContaining('never closed'),
    });
    expect(await streamError('a,b\nc, "d"\n')).toMatchObject({ code: 'CSV_MALFORMED', line: 2, message: expect.stringContaining('[INVALID_OPENING_QUOTE]') });
  });

  it('refuses a UTF-16 file on line 1, as the input is refused', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\nc,d\n', 'utf16le')]);
    expect(await streamError(utf16)).toMatchObject({ code: 'CSV_MALFORMED', line: 1, message: expect.stringContaining('UTF-16') });
  });

  it("passes the stream's own error on as it is", async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
    });
    const rows = streamCsvTable(failing);
    await expect(rows.next()).rejects.toMatchObject({ code: 'EIO' });
  });
});

describe('the accounts file names the line a person sees', () => {
  it('reports a bad row on line 5 as line 5, after blank lines', () => {
    const text = 'account_id,role_arn\n111122223333,\n\n\n12345,\n';
    const parsed = parseAccountsFile(text, 'accounts.csv');
    expect(parsed).toEqual({ problems: ["accounts.csv line 5: account_id '12345' is not an AWS account id (12 digits)"] });
  });
});

describe('parseCsvTable trims every cell', () => {
  it('trims a quoted cell as an unquoted one: the value checked is the value used', () => {
    const arn = 'arn:aws:iam::123456789012:user/alice';
    expect(parseCsvTable(`old_owner,new_owner\n"${arn} ",  ${arn}\t\n" ${arn}",x\n`)).toEqual({
      ok: true,
      header: ['old_owner', 'new_owner'],
      rows: [
        { line: 2, cells: [arn, arn] },
        { line: 3, cells: [arn, 'x'] },
      ],
    });
  });

  it('a role_arn quoted with a space around it is the role, in the accounts file too', () => {
    const parsed = parseAccountsFile('account_id,role_arn\n111111111111," arn:aws:iam::111111111111:role/Admin "\n', 'accounts.csv');
    expect(parsed).toEqual({ entries: new Map([['111111111111', expect.objectContaining({ roleArn: 'arn:aws:iam::111111111111:role/Admin' })]]) });
  });
});

/** The small CSVs read whole (accounts file, maps): rows with the physical line an editor shows. */
import { describe, expect, it } from 'vitest';
import { parseAccountsFile } from '../../../src/input/accounts-file.js';
import { columnKey, parseCsvTable } from '../../../src/input/csv-table.js';

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

  it('compares header names one way for every CSV: case, spaces, _ and - ignored', () => {
    expect(['Account ID', 'account_id', 'ACCOUNT-ID', ' accountid '].map(columnKey)).toEqual(Array(4).fill('accountid'));
  });
});

describe('the accounts file names the line a person sees', () => {
  it('reports a bad row on line 5 as line 5, after blank lines', () => {
    const text = 'account_id,role_arn\n111122223333,\n\n\n12345,\n';
    const parsed = parseAccountsFile(text, 'accounts.csv');
    expect(parsed).toEqual({ problems: ["accounts.csv line 5: account_id '12345' is not an AWS account id (12 digits)"] });
  });
});

/** Every samples/*.csv must validate with zero problems (see samples/README.md). */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readInputRecords } from '../../../src/input/read-records.js';
import { scanInput } from '../../../src/input/scan.js';
import { formatProblem } from '../../../src/input/format.js';

const samples = fileURLToPath(new URL('../../../samples/', import.meta.url));
const csvFiles = readdirSync(samples).filter((f) => f.endsWith('.csv'));

describe('samples', () => {
  it('has CSV samples', () => {
    expect(csvFiles).toContain('offboard-alice.csv');
  });

  it.each(csvFiles)('%s validates with zero problems', async (file) => {
    const scan = await scanInput(`${samples}${file}`);
    expect(scan.problems.map(formatProblem)).toEqual([]);
    expect(scan.fatal).toBeUndefined();
    expect(scan.totalRows).toBeGreaterThan(0);
  });

  it('offboard-alice.csv: 7 rows, one skipped as a duplicate of line 3', async () => {
    const path = `${samples}offboard-alice.csv`;
    const scan = await scanInput(path);
    expect(scan).toMatchObject({ totalRows: 7, validRows: 7, invalidRows: 0, duplicateRows: 1 });
    const rows = [];
    for await (const record of readInputRecords(path, scan)) {
      if (record.kind !== 'valid') throw new Error('unexpected invalid row');
      rows.push({ id: record.row.provisionedProductId, owner: record.row.newOwner, role: record.row.launchRole, dup: record.duplicateOfLine });
    }
    expect(rows.map((r) => r.id)).toEqual([
      'pp-4kq2x7mzp1ab',
      'pp-8d3hf0wq6tyc',
      'pp-m5n1v9bx2jre',
      'pp-t7c4yk0ldz9s',
      'pp-x6b2nq9fv4ld',
      'pp-p3u9wa6xh1ze',
      'pp-8d3hf0wq6tyc',
    ]);
    expect(rows[3]).toMatchObject({ owner: undefined, role: 'arn:aws:iam::123456789012:role/SCLaunchRole-Platform' });
    expect(rows[4]).toMatchObject({ owner: 'arn:aws:iam::123456789012:user/bob', role: 'arn:aws:iam::123456789012:role/SCLaunchRole-Platform' });
    expect(rows[6]!.dup).toBe(3);
    expect(rows.filter((r) => r.dup !== undefined)).toHaveLength(1);
  });
});

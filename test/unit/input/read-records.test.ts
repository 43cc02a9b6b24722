import { appendFileSync, readdirSync, readFileSync, readlinkSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/input/input-error.js';
import { readInputRecords } from '../../../src/input/read-records.js';
import { scanInput } from '../../../src/input/scan.js';
import type { InputRecord } from '../../../src/input/types.js';
import { BOB, CAROL, HEADER, ROLE, tempDir, writeCsv } from './helpers.js';

const dir = tempDir();
const hasProcFds = (() => {
  try {
    readdirSync('/proc/self/fd');
    return true;
  } catch {
    return false;
  }
})();

async function collect(iterable: AsyncIterable<InputRecord>): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

/** Descriptors of this process open on `path` (Linux /proc). */
function openFds(path: string): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

/** How far the kernel file offset of `fd` has advanced (Linux /proc). */
function filePosition(fd: string): number {
  const match = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  return Number(match?.[1]);
}

function bigFile(rows: number): string {
  const lines = [`${HEADER},note`];
  for (let i = 0; i < rows; i++) lines.push(`pp-${i.toString().padStart(12, '0')},${BOB},,some note about row ${i}`);
  return `${lines.join('\n')}\n`;
}

describe('readInputRecords', () => {
  it('yields every row in file order, valid or invalid, with duplicates marked', async () => {
    const path = writeCsv(
      dir,
      `${HEADER},ticket\r\npp-1,${BOB},,T-1\r\n\r\npp-2,nope,,"T\r\n2"\r\npp-1, ${BOB},,T-3\r\npp-1,${CAROL},,T-4\r\npp-3,,${ROLE},T-5\r\n`,
    );
    const scan = await scanInput(path);
    const records = await collect(readInputRecords(path, scan));
    expect(records).toHaveLength(scan.totalRows);
    expect(records.map((r) => (r.kind === 'valid' ? ['valid', r.row.line, r.duplicateOfLine] : ['invalid', r.line]))).toEqual([
      ['valid', 2, undefined],
      ['invalid', 4],
      ['valid', 6, 2],
      ['invalid', 7],
      ['valid', 8, undefined],
    ]);
    expect(records[0]).toEqual({
      kind: 'valid',
      row: { line: 2, provisionedProductId: 'pp-1', newOwner: BOB, launchRole: undefined, accountId: BOB.split(':')[4], extra: { ticket: 'T-1' } },
      duplicateOfLine: undefined,
    });
    expect(records[1]).toMatchObject({
      kind: 'invalid',
      line: 4,
      raw: { provisioned_product_id: 'pp-2', new_owner: 'nope', launch_role: '', ticket: 'T\r\n2' },
      problems: [{ code: 'OWNER_INVALID', line: 4, column: 'new_owner' }],
    });
    expect(records[3]).toMatchObject({ kind: 'invalid', problems: [{ code: 'CONFLICTING_DUPLICATE', line: 7 }] });
    // the run pass judges exactly like the validation pass
    expect(records.flatMap((r) => (r.kind === 'invalid' ? r.problems : []))).toEqual(scan.problems);
  });

  it('yields nothing for a header-only file', async () => {
    const path = writeCsv(dir, `${HEADER}\n`);
    expect(await collect(readInputRecords(path, await scanInput(path)))).toEqual([]);
  });

  it('refuses a scan with a fatal problem', async () => {
    const path = writeCsv(dir, `${HEADER}\npp-1,"${BOB},\n`);
    const scan = await scanInput(path);
    const error = await collect(readInputRecords(path, scan)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'CSV_MALFORMED', line: 2, message: scan.fatal?.message });
  });

  describe('FILE_CHANGED', () => {
    it('before reading, when size or mtime changed', async () => {
      const path = writeCsv(dir, `${HEADER}\npp-1,${BOB},\n`);
      const scan = await scanInput(path);
      appendFileSync(path, `pp-2,${BOB},\n`);
      const iterator = readInputRecords(path, scan);
      await expect(iterator.next()).rejects.toMatchObject({ code: 'FILE_CHANGED', message: expect.stringMatching(/size went from/) });
    });

    it('before reading, when the file was replaced', async () => {
      const path = writeCsv(dir, `${HEADER}\npp-1,${BOB},\n`);
      const scan = await scanInput(path);
      const other = writeCsv(dir, `${HEADER}\npp-1,${BOB},\n`);
      renameSync(other, path);
      await expect(readInputRecords(path, scan).next()).rejects.toMatchObject({
        code: 'FILE_CHANGED',
        message: expect.stringMatching(/replaced/),
      });
    });

    it('when the file is gone', async () => {
      const path = writeCsv(dir, `${HEADER}\npp-1,${BOB},\n`);
      const scan = await scanInput(path);
      renameSync(path, `${path}.moved`);
      await expect(readInputRecords(path, scan).next()).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    });

    it('at the end, when the content changed but size, mtime and inode did not (sha256)', async () => {
      const path = writeCsv(dir, `${HEADER}\npp-1,${BOB},\npp-2,${BOB},\n`);
      utimesSync(path, 1_700_000_000, 1_700_000_000);
      const scan = await scanInput(path);
      writeFileSync(path, `${HEADER}\npp-1,${BOB},\npp-3,${BOB},\n`); // same inode, same size
      utimesSync(path, 1_700_000_000, 1_700_000_000);
      const seen: InputRecord[] = [];
      const error = await (async () => {
        for await (const record of readInputRecords(path, scan)) seen.push(record);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ code: 'FILE_CHANGED', message: expect.stringMatching(/sha256 mismatch/) });
      expect(seen).toHaveLength(2);
    });

    it('as soon as more bytes than validated are read', async () => {
      const path = writeCsv(dir, bigFile(40_000));
      const scan = await scanInput(path);
      const iterator = readInputRecords(path, scan);
      await iterator.next(); // the stat check has passed; now the file grows
      appendFileSync(path, bigFile(40_000));
      const error = await (async () => {
        for (;;) if ((await iterator.next()).done) return undefined;
      })().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FILE_CHANGED', message: expect.stringMatching(/longer than the \d+ bytes validated/) });
    });
  });

  describe.skipIf(!hasProcFds)('streaming (Linux /proc)', () => {
    it('reads only as fast as the consumer pulls (backpressure)', async () => {
      const path = writeCsv(dir, bigFile(100_000)); // ~8 MB
      const scan = await scanInput(path);
      const iterator = readInputRecords(path, scan);
      await iterator.next();
      await sleep(50); // room to read ahead, were it not bounded
      const [fd] = openFds(path);
      expect(fd).toBeDefined();
      expect(filePosition(fd!)).toBeLessThan(1024 * 1024);
      await iterator.return(undefined);
    });

    it('closes the file when the consumer breaks out early', async () => {
      const path = writeCsv(dir, bigFile(50_000));
      const scan = await scanInput(path);
      expect(openFds(path)).toEqual([]);
      let count = 0;
      for await (const _record of readInputRecords(path, scan)) {
        expect(openFds(path)).toHaveLength(1);
        if (++count === 3) break;
      }
      expect(openFds(path)).toEqual([]);
    });

    it('stops and closes the file when the signal aborts', async () => {
      const path = writeCsv(dir, bigFile(50_000));
      const scan = await scanInput(path);
      const controller = new AbortController();
      const iterator = readInputRecords(path, scan, { signal: controller.signal });
      await iterator.next();
      controller.abort();
      await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
      expect(openFds(path)).toEqual([]);
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });
  });

  it('rejects at once when the signal is already aborted', async () => {
    const path = writeCsv(dir, `${HEADER}\npp-1,${BOB},\n`);
    const scan = await scanInput(path);
    await expect(readInputRecords(path, scan, { signal: AbortSignal.abort() }).next()).rejects.toMatchObject({ name: 'AbortError' });
  });
});

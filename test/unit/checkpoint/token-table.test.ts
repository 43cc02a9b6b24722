/** The compact replay: a token's state and the offset of its last entry; the entry read back on demand. */
import { readSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serializeFinished, serializeSent } from '../../../src/checkpoint/journal-entries.js';
import { lookupToken, readEntryAt, ReadWindow } from '../../../src/checkpoint/journal-read-back.js';
import { TokenStateCode, TokenTable } from '../../../src/checkpoint/token-table.js';
import { finished, makeTempDir, sent } from './helpers.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** A journal body of these entries; returns the path and each line's start offset. */
async function journalOf(lines: string[]): Promise<{ path: string; offsets: number[] }> {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  const path = join(temp.dir, 'journal');
  const offsets: number[] = [];
  let at = 0;
  for (const line of lines) {
    offsets.push(at);
    at += Buffer.byteLength(line);
  }
  await writeFile(path, lines.join(''));
  return { path, offsets };
}

describe('TokenTable', () => {
  it("keeps each token's last state and offset through many growths", () => {
    const table = new TokenTable();
    for (let i = 0; i < 20_000; i += 1) table.set(`sot1-${i}`, TokenStateCode.inFlight, i * 300);
    for (let i = 0; i < 20_000; i += 2) table.set(`sot1-${i}`, i % 4 === 0 ? TokenStateCode.done : TokenStateCode.failed, i * 300 + 150);
    expect(table.size).toBe(20_000);
    expect(table.get('sot1-4')).toEqual({ state: TokenStateCode.done, offset: 1350 });
    expect(table.get('sot1-6')).toEqual({ state: TokenStateCode.failed, offset: 1950 });
    expect(table.get('sot1-7')).toEqual({ state: TokenStateCode.inFlight, offset: 2100 });
    expect(table.get('nope')).toBeUndefined();
    expect(table.counts()).toEqual({ done: 5000, failed: 5000, inFlight: 10_000 });
    // Offsets past 4 GiB (a journal of millions of rows) stay exact.
    table.set('big', TokenStateCode.done, 2 ** 40 + 3);
    expect(table.get('big')).toEqual({ state: TokenStateCode.done, offset: 2 ** 40 + 3 });
    expect(() => table.set('bad', TokenStateCode.done, -1)).toThrow(RangeError);
  });
});

describe('reading entries back', () => {
  it('answers a lookup with the entry at its offset, whatever its length', async () => {
    const long = { ...finished('b', 'failed'), errorMessage: 'x'.repeat(10_000) };
    const { path, offsets } = await journalOf([serializeSent(sent('a')), serializeFinished(long), serializeFinished(finished('c', 'succeeded'))]);
    const table = new TokenTable();
    table.set('a', TokenStateCode.inFlight, offsets[0]!);
    table.set('b', TokenStateCode.failed, offsets[1]!);
    table.set('c', TokenStateCode.done, offsets[2]!);
    const file = await open(path, 'r');
    try {
      expect(await lookupToken(table, file, 'a', path)).toEqual({ state: 'in-flight', sent: sent('a') });
      expect(await lookupToken(table, file, 'b', path)).toEqual({ state: 'failed', finished: long });
      expect(await lookupToken(table, file, 'c', path)).toEqual({ state: 'done', finished: finished('c', 'succeeded') });
      expect(await lookupToken(table, file, 'zzz', path)).toBeUndefined();
    } finally {
      await file.close();
    }
  });

  it("a token whose hash slot holds another token's entry reads as unknown (it is sent again under its own token)", async () => {
    const { path, offsets } = await journalOf([serializeFinished(finished('other', 'succeeded'))]);
    const table = new TokenTable();
    table.set('mine', TokenStateCode.done, offsets[0]!);
    const file = await open(path, 'r');
    try {
      expect(await lookupToken(table, file, 'mine', path)).toBeUndefined();
    } finally {
      await file.close();
    }
  });

  it('a line changed since the replay is CORRUPT, naming its offset', async () => {
    const { path } = await journalOf([serializeFinished(finished('a', 'succeeded')), '{"type":"finished","token":"b"}\n']);
    const file = await open(path, 'r');
    try {
      const offset = Buffer.byteLength(serializeFinished(finished('a', 'succeeded')));
      await expect(readEntryAt(file, offset, path)).rejects.toMatchObject({
        code: 'CORRUPT',
        message: expect.stringContaining(`corrupt at byte ${offset}: field "line"`),
      });
      const table = new TokenTable();
      table.set('a', TokenStateCode.inFlight, 0);
      await expect(lookupToken(table, file, 'a', path)).rejects.toMatchObject({
        code: 'CORRUPT',
        message: expect.stringContaining('a finished entry where the replay found a sent one'),
      });
    } finally {
      await file.close();
    }
  });

  it('reads a window at a time: entries in order cost one read, and a line cut by the window end is read again whole', async () => {
    const entries = Array.from({ length: 400 }, (_, i) =>
      serializeFinished({ ...finished(`t${i}`, 'succeeded'), errorMessage: 'x'.repeat(i % 7 === 0 ? 900 : 10) }),
    );
    const { path, offsets } = await journalOf(entries);
    const handle = await open(path, 'r');
    let reads = 0;
    const file = {
      read: handle.read.bind(handle),
      readSync: (buffer: Buffer, offset: number, length: number, position: number) => {
        reads += 1;
        return readSync(handle.fd, buffer, offset, length, position);
      },
      write: handle.write.bind(handle),
      sync: handle.sync.bind(handle),
      truncate: handle.truncate.bind(handle),
      close: handle.close.bind(handle),
    };
    try {
      const window = new ReadWindow();
      const tokens: string[] = [];
      for (const offset of offsets) tokens.push((await readEntryAt(file, offset, path, window)).token);
      expect(tokens).toEqual(entries.map((_, i) => `t${i}`));
      // About 100 KiB of lines in 64 KiB windows: a handful of reads, not 400.
      expect(reads).toBeLessThan(6);
    } finally {
      await handle.close();
    }
  });
});

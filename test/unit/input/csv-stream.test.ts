import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parseCsvStream } from '../../../src/input/csv-stream.js';

/** A byte source that makes its data only when asked, counting what it made. */
function lazySource(rows: number): { source: Readable; produced: () => number; total: number; lineLength: number } {
  const line = Buffer.from('pp-000000000000,arn:aws:iam::123456789012:user/bob,\n');
  const perChunk = 100;
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => line));
  let made = 0;
  const total = rows * line.length;
  const source = new Readable({
    read() {
      if (made >= total) {
        this.push(null);
        return;
      }
      made += chunk.length;
      this.push(chunk);
    },
  });
  return { source, produced: () => made, total, lineLength: line.length };
}

describe('parseCsvStream', () => {
  it('pulls bytes only as records are consumed', async () => {
    const { source, produced, total, lineLength } = lazySource(200_000); // ~10 MB
    const records = parseCsvStream(source);
    await records.next();
    await sleep(50);
    // However much the stream buffers ahead (Node 20 and 22 differ), it is a bounded part.
    expect(produced()).toBeLessThan(total / 10);
    const before = produced();
    // Consume everything made so far and more: only then must more bytes be pulled.
    const beyond = Math.ceil(before / lineLength) + 1000;
    for (let i = 0; i < beyond; i++) await records.next();
    expect(produced()).toBeGreaterThan(before);
    expect(produced()).toBeLessThan(total / 10);
    await records.return(undefined);
    expect(source.destroyed).toBe(true);
  });

  it('destroys the source on early return', async () => {
    const { source } = lazySource(10_000);
    for await (const record of parseCsvStream(source)) {
      expect(record.cells).toHaveLength(3);
      break;
    }
    expect(source.destroyed).toBe(true);
  });

  it('yields the records parsed before an error, then throws it', async () => {
    const source = Readable.from([Buffer.from('a,b\n1,2\n3,"x"y\n')]);
    const seen: string[][] = [];
    const error = await (async () => {
      for await (const record of parseCsvStream(source)) seen.push([...record.cells]);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(error).toMatchObject({ code: 'CSV_INVALID_CLOSING_QUOTE' });
  });

  it('gives each record its raw text, blank lines before it included', async () => {
    const source = Readable.from([Buffer.from('a,b\n\n1,"x\ny"\n')]);
    const raws: string[] = [];
    for await (const record of parseCsvStream(source)) raws.push(record.raw);
    expect(raws).toEqual(['a,b\n', '\n1,"x\ny"\n']);
  });

  it('passes every byte to onChunk', async () => {
    const { source, total } = lazySource(1000);
    let seen = 0;
    let rows = 0;
    for await (const _record of parseCsvStream(source, { onChunk: (c) => (seen += c.length) })) rows++;
    expect(rows).toBe(1000);
    expect(seen).toBe(total);
  });
});

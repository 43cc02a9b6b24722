import { describe, expect, it } from 'vitest';
import { argsWithShard, inShard, parseShard, shardOfPlace, shardRecords, shardScan } from '../../../src/input/shard.js';
import type { InputRecord, InputScan } from '../../../src/input/types.js';

describe('--shard K/N', () => {
  it('parses K/N and names what is wrong, repeating the value', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(' 1/1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '3', 'a/b', '1/1001', 'auto/0', 'auto', 'AUTO/3'])
      expect(parseShard(bad)).toBe(`expects K/N with 1 <= K <= N <= 1000 (this process's part, e.g. 2/8), or auto/N (K from the job's index), got '${bad}'`);
  });

  it('auto/N: K is one more than the 0-based index of a Kubernetes Indexed Job or an AWS Batch array job', () => {
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 8 });
    expect(parseShard(' auto/8 ', { AWS_BATCH_JOB_ARRAY_INDEX: '7' })).toEqual({ index: 8, count: 8 });
    expect(parseShard('auto/1', { JOB_COMPLETION_INDEX: ' 0 ' })).toEqual({ index: 1, count: 1 });
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '3', AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toEqual({ index: 4, count: 8 });
    // K/N never reads the environment.
    expect(parseShard('2/8', { JOB_COMPLETION_INDEX: '6' })).toEqual({ index: 2, count: 8 });
  });

  it('the ledger keeps auto/N as the K/N it stood for', () => {
    const shard = { index: 3, count: 8 };
    expect(argsWithShard(['--input', 'a.csv', '--shard', 'auto/8', '--yes'], shard)).toEqual(['--input', 'a.csv', '--shard', '3/8', '--yes']);
    expect(argsWithShard(['--shard=auto/8'], shard)).toEqual(['--shard=3/8']);
    expect(argsWithShard(['--input', 'a.csv'], undefined)).toEqual(['--input', 'a.csv']);
  });

  it('auto/N refuses an index it cannot use, naming the variables and their values', () => {
    const neither =
      'auto/8 takes K from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch array job), and neither is set: give K/8';
    expect(parseShard('auto/8')).toBe(neither);
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: ' ' })).toBe(neither);
    const range = "is not an index from 0 to 7: the job's completions (or array size) must be 8, the N of auto/8";
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '8' })).toBe(`auto/8: JOB_COMPLETION_INDEX=8 ${range}`);
    for (const bad of ['-1', '1.5', 'one', '1e1', '00001'])
      expect(parseShard('auto/8', { AWS_BATCH_JOB_ARRAY_INDEX: bad })).toBe(`auto/8: AWS_BATCH_JOB_ARRAY_INDEX=${bad} ${range}`);
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '1', AWS_BATCH_JOB_ARRAY_INDEX: '2' })).toBe(
      'auto/8: JOB_COMPLETION_INDEX=1 and AWS_BATCH_JOB_ARRAY_INDEX=2 disagree: give K/8',
    );
  });

  it('puts every place in exactly one shard, the same way every time, and spreads them', () => {
    const keys = Array.from({ length: 300 }, (_, i) => `${String(100000000000 + i)}/eu-west-1`);
    const counts = [0, 0, 0];
    for (const key of keys) {
      const owners = [1, 2, 3].filter((index) => inShard(key, { index, count: 3 }));
      expect(owners).toHaveLength(1);
      expect(shardOfPlace(key, 3)).toBe(owners[0]);
      counts[owners[0]! - 1]! += 1;
    }
    // sha256 spreads 300 places about evenly: no shard gets fewer than half its share.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    // Fixed by sha256 alone: these values must never change between versions or machines, or the
    // shards of a migration in progress would take rows of each other's.
    expect([shardOfPlace('111111111111', 8), shardOfPlace('222222222222/eu-west-1', 8), shardOfPlace('310000000000/us-east-1', 3)]).toEqual([7, 4, 1]);
  });

  it("a shard reads only its places' rows (duplicates included), and shard 1 the invalid ones", async () => {
    const a = '111111111111';
    const b = '222222222222';
    const shardOfA = shardOfPlace(a, 2);
    const shard = { index: shardOfA, count: 2 };
    const places = new Map([
      [a, { accountId: a, region: undefined, rows: 3, duplicates: 1 }],
      [b, { accountId: b, region: undefined, rows: 5, duplicates: 0 }],
    ]);
    const scan = { places, invalidRows: 2 } as unknown as InputScan;
    const sameShard = shardOfPlace(b, 2) === shardOfA;
    expect(shardScan(scan, shard).totalRows).toBe(4 + (sameShard ? 5 : 0) + (shardOfA === 1 ? 2 : 0));
    const row = (accountId: string, line: number) =>
      ({
        kind: 'valid',
        row: { line, provisionedProductId: `pp-${line}`, newOwner: undefined, launchRole: undefined, accountId, extra: {} },
        duplicateOfLine: undefined,
      }) as InputRecord;
    const invalid = { kind: 'invalid', line: 9, raw: {}, problems: [] } as InputRecord;
    async function* records() {
      yield row(a, 2);
      yield row(b, 3);
      yield invalid;
    }
    const lines: number[] = [];
    for await (const record of shardRecords(records(), shard)) lines.push(record.kind === 'valid' ? record.row.line : record.line);
    expect(lines).toEqual([2, ...(sameShard ? [3] : []), ...(shardOfA === 1 ? [9] : [])]);
  });
});

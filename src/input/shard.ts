/**
 * `--shard K/N`: this process's stable part of a CSV across accounts, for N processes on N
 * machines (a Kubernetes Indexed Job, an AWS Batch array job, a Step Functions Distributed Map).
 * A place (account, or account and region) belongs to shard 1 + (first 32 bits of
 * sha256(place key)) mod N: the same on every machine and in every rerun, whatever the row order,
 * so each shard keeps its own checkpoint and results and no row is in two shards. Invalid rows
 * (with --skip-invalid) have no trustworthy account: shard 1 reports them.
 */
import { createHash } from 'node:crypto';
import { placeKey } from './scan.js';
import type { InputRecord, InputScan } from './types.js';

export interface Shard {
  /** 1-based, as `K` of `--shard K/N`. */
  readonly index: number;
  readonly count: number;
}

/** `K/N` with 1 <= K <= N <= 1000, or the reason it is not. */
export function parseShard(text: string): Shard | string {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1 && count <= 1000 && index >= 1 && index <= count)) {
    return `expects K/N with 1 <= K <= N <= 1000 (this process's part, e.g. 2/8), got '${text}'`;
  }
  return { index, count };
}

/** The shard (1-based) a place belongs to. */
export function shardOfPlace(key: string, count: number): number {
  return (createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) % count) + 1;
}

export function inShard(key: string, shard: Shard): boolean {
  return shardOfPlace(key, shard.count) === shard.index;
}

/** The scan's places of this shard, and the rows this shard reports (its places' rows, and the invalid rows in shard 1). */
export function shardScan(scan: InputScan, shard: Shard): { places: InputScan['places']; totalRows: number } {
  const places = new Map([...scan.places].filter(([key]) => inShard(key, shard)));
  let totalRows = shard.index === 1 ? scan.invalidRows : 0;
  for (const place of places.values()) totalRows += place.rows + place.duplicates;
  return { places, totalRows };
}

/** The records of this shard: its places' rows; invalid rows in shard 1 only. */
export async function* shardRecords(records: AsyncIterable<InputRecord>, shard: Shard): AsyncGenerator<InputRecord> {
  for await (const record of records) {
    if (record.kind === 'invalid' ? shard.index === 1 : inShard(placeKey(record.row.accountId, record.row.region), shard)) yield record;
  }
}

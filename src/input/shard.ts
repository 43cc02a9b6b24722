/**
 * `--shard K/N`: this process's stable part of a CSV across accounts, for N processes on N
 * machines (a Kubernetes Indexed Job, an AWS Batch array job, a Step Functions Distributed Map).
 * A place (account, or account and region) belongs to shard 1 + (first 32 bits of
 * sha256(place key)) mod N: the same on every machine and in every rerun, whatever the row order,
 * so each shard keeps its own checkpoint and results and no row is in two shards. Invalid rows
 * (with --skip-invalid) have no trustworthy account: shard 1 reports them. `--shard auto/N` takes
 * K from the orchestrator's index variable (SHARD_INDEX_VARIABLES), given as `env`.
 */
import { createHash } from 'node:crypto';
import { placeKey } from './scan.js';
import type { InputRecord, InputScan } from './types.js';

export interface Shard {
  /** 1-based, as `K` of `--shard K/N`. */
  readonly index: number;
  readonly count: number;
}

/**
 * Where `--shard auto/N` reads this process's index, in this order: a Kubernetes Indexed Job's
 * completion index and an AWS Batch array job's child index. Both count from 0; K counts from 1.
 */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

const SHARD_SYNTAX = "expects K/N with 1 <= K <= N <= 1000 (this process's part, e.g. 2/8), or auto/N (K from the job's index)";

/**
 * `K/N` with 1 <= K <= N <= 1000, or `auto/N` with K one more than the index of SHARD_INDEX_VARIABLES
 * set in `env`; or the reason it is neither (the environment is not read unless K is `auto`).
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>> = {}): Shard | string {
  const match = /^(\d{1,4}|auto)\/(\d{1,4})$/.exec(text.trim());
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1 && count <= 1000)) return `${SHARD_SYNTAX}, got '${text}'`;
  if (match[1] === 'auto') return autoShard(count, env);
  const index = Number(match[1]);
  if (!(index >= 1 && index <= count)) return `${SHARD_SYNTAX}, got '${text}'`;
  return { index, count };
}

/** `auto/N`: K from the orchestrator's 0-based index, which must be set, agree, and be below N. */
function autoShard(count: number, env: Readonly<Record<string, string | undefined>>): Shard | string {
  const set = SHARD_INDEX_VARIABLES.flatMap((name) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? [] : [{ name, value }];
  });
  const [first] = set;
  if (first === undefined) {
    return `auto/${count} takes K from ${SHARD_INDEX_VARIABLES.join(' (a Kubernetes Indexed Job) or ')} (an AWS Batch array job), and neither is set: give K/${count}`;
  }
  const shown = set.map(({ name, value }) => `${name}=${value}`).join(' and ');
  if (set.some(({ value }) => value !== first.value)) return `auto/${count}: ${shown} disagree: give K/${count}`;
  const index = /^\d{1,4}$/.test(first.value) ? Number(first.value) : Number.NaN;
  if (!(index >= 0 && index < count)) {
    return `auto/${count}: ${shown} is not an index from 0 to ${count - 1}: the job's completions (or array size) must be ${count}, the N of auto/${count}`;
  }
  return { index: index + 1, count };
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

/**
 * The command line as the ledger keeps it: `--shard auto/N` as the K/N it stood for in this
 * process, so the ledger says which shard ran, whatever the environment is when it is read.
 */
export function argsWithShard(argv: readonly string[], shard: Shard | undefined): string[] {
  if (shard === undefined) return [...argv];
  const resolved = `${shard.index}/${shard.count}`;
  return argv.map((arg, i) => {
    if (arg.startsWith('--shard=')) return `--shard=${resolved}`;
    return argv[i - 1] === '--shard' ? resolved : arg;
  });
}

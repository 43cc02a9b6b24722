/**
 * Deterministic randomness: a seeded PRNG for faults and generated ids, and a hash that derives
 * stable ids from names, so the same seed and the same requests always give the same run.
 */
import { createHash } from 'node:crypto';

export type Random = () => number;

/** mulberry32: tiny, fast, good enough for fault injection; returns floats in [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` lowercase alphanumerics drawn from `random`, the alphabet of real pp-/rec- ids. */
export function randomAlnum(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALNUM[Math.floor(random() * ALNUM.length)];
  return out;
}

/** `length` lowercase alphanumerics derived from `text`: the same text always gives the same id. */
export function hashAlnum(text: string, length: number): string {
  const digest = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALNUM[digest[i % digest.length]! % ALNUM.length];
  return out;
}

/** A deterministic UUID-shaped string (for made-up CloudFormation stack ids). */
export function hashUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * What the journal knows of every token, compact: the token's state after its last entry (in
 * flight, done, failed) and the byte offset of that entry's line in the journal file, in an
 * open-addressing table keyed by a 64-bit hash of the token. 16 bytes a slot (two 32-bit key halves
 * and one float64 holding offset × 4 + state), so a million tokens cost about 32 MiB where the
 * parsed entries cost about 700 bytes a token. The entry itself is read back from the file when a
 * row needs it (journal-read-back.ts), and the token in that line is compared with the one asked
 * for: two tokens sharing a 64-bit hash (a chance of about n² / 2^65) read as unknown, so that row
 * is sent again under its own token and the service's idempotency answers it. Nothing is applied
 * twice; a request is spent.
 */
import { cyrb53Halves } from '../hash64.js';

export const TokenStateCode = { inFlight: 1, done: 2, failed: 3 } as const;
export type TokenStateCode = (typeof TokenStateCode)[keyof typeof TokenStateCode];

const INITIAL_CAPACITY = 1024;
const MAX_LOAD = 0.75;

/** Distinct tokens by their last entry. */
export interface ReplayCounts {
  readonly done: number;
  readonly failed: number;
  readonly inFlight: number;
}

export interface TokenSlot {
  readonly state: TokenStateCode;
  /** Byte offset of the token's last entry in the journal. */
  readonly offset: number;
}

export class TokenTable {
  #capacity = INITIAL_CAPACITY;
  #size = 0;
  #keys = new Uint32Array(INITIAL_CAPACITY * 2);
  /** offset × 4 + state; 0 marks an empty slot (state is never 0). */
  #values = new Float64Array(INITIAL_CAPACITY);

  get size(): number {
    return this.#size;
  }

  /** The token's state is now `state`, its last entry at `offset`. */
  set(token: string, state: TokenStateCode, offset: number): void {
    if (!(Number.isSafeInteger(offset) && offset >= 0 && offset < 2 ** 50)) throw new RangeError(`offset must be an integer from 0 to 2^50, got ${offset}`);
    const [h1, h2] = cyrb53Halves(token);
    let slot = probe(h1, h2, this.#keys, this.#values, this.#capacity);
    if (this.#values[slot] === 0) {
      if (this.#size + 1 > this.#capacity * MAX_LOAD) {
        this.#grow();
        slot = probe(h1, h2, this.#keys, this.#values, this.#capacity);
      }
      this.#size += 1;
      this.#keys[slot * 2] = h1;
      this.#keys[slot * 2 + 1] = h2;
    }
    this.#values[slot] = offset * 4 + state;
  }

  get(token: string): TokenSlot | undefined {
    const [h1, h2] = cyrb53Halves(token);
    const value = this.#values[probe(h1, h2, this.#keys, this.#values, this.#capacity)]!;
    return value === 0 ? undefined : decode(value);
  }

  /** Distinct tokens by their last entry. */
  counts(): ReplayCounts {
    const counts = { done: 0, failed: 0, inFlight: 0 };
    for (const { state } of this.slots()) {
      if (state === TokenStateCode.done) counts.done += 1;
      else if (state === TokenStateCode.failed) counts.failed += 1;
      else counts.inFlight += 1;
    }
    return counts;
  }

  /** Every token's state and offset, in no particular order. */
  *slots(): Generator<TokenSlot> {
    for (let slot = 0; slot < this.#capacity; slot += 1) {
      const value = this.#values[slot]!;
      if (value !== 0) yield decode(value);
    }
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const keys = new Uint32Array(capacity * 2);
    const values = new Float64Array(capacity);
    for (let old = 0; old < this.#capacity; old += 1) {
      const value = this.#values[old]!;
      if (value === 0) continue;
      const h1 = this.#keys[old * 2]!;
      const h2 = this.#keys[old * 2 + 1]!;
      const slot = probe(h1, h2, keys, values, capacity);
      keys[slot * 2] = h1;
      keys[slot * 2 + 1] = h2;
      values[slot] = value;
    }
    this.#capacity = capacity;
    this.#keys = keys;
    this.#values = values;
  }
}

function probe(h1: number, h2: number, keys: Uint32Array, values: Float64Array, capacity: number): number {
  const mask = capacity - 1;
  for (let slot = h1 & mask; ; slot = (slot + 1) & mask) {
    if (values[slot] === 0 || (keys[slot * 2] === h1 && keys[slot * 2 + 1] === h2)) return slot;
  }
}

function decode(value: number): TokenSlot {
  const state = (value % 4) as TokenStateCode;
  return { state, offset: (value - state) / 4 };
}

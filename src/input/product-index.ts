/**
 * The product ids of the input, compact: what the validation pass learns of each product (the first
 * line that names it and a hash of that line's target) in three typed arrays of an open-addressing
 * table keyed by a 64-bit hash of the id, about 20 bytes a slot, instead of a Map of strings (over
 * 100 bytes a product). A million-row CSV thus costs tens of megabytes, not hundreds.
 *
 * Two different ids share a 64-bit hash with a chance of about n² / 2^65 (3 in 100 million for a
 * million products). The run pass then tells them apart (see repeatedFirstLines), so no row is
 * skipped as a duplicate of another product; the validation pass cannot, so with different
 * targets it would refuse the file as CONFLICTING_DUPLICATE naming both lines. That is the price
 * of keeping no id.
 */

import { cyrb53Halves } from '../hash64.js';

export { cyrb53Halves } from '../hash64.js';

/** What preflight asks of the input's products. */
export interface ProductIds {
  readonly size: number;
  has(productId: string): boolean;
}

const INITIAL_CAPACITY = 1024;
/** Grow past this share of slots in use: linear probing stays short. */
const MAX_LOAD = 0.75;

export class ProductIndex implements ProductIds {
  readonly #hash: (text: string) => [number, number];
  /**
   * First lines that later rows repeated (few: duplicates are rare). The run pass keeps the ids
   * of just these lines, to tell a real duplicate from two ids that share a hash.
   */
  readonly repeatedFirstLines = new Set<number>();
  #capacity = INITIAL_CAPACITY;
  #size = 0;
  /** Two 32-bit halves of each slot's key hash. */
  #keys = new Uint32Array(INITIAL_CAPACITY * 2);
  /** First line naming the product; 0 marks an empty slot (data lines start at 2). */
  #lines = new Uint32Array(INITIAL_CAPACITY);
  /** targetHash of that line (53 bits, or INVALID_TARGET), exact in a float64. */
  #targets = new Float64Array(INITIAL_CAPACITY);

  /** @param hash the id's 64-bit hash; tests pass a colliding one. */
  constructor(hash: (text: string) => [number, number] = cyrb53Halves) {
    this.#hash = hash;
  }

  get size(): number {
    return this.#size;
  }

  has(productId: string): boolean {
    return this.#lines[this.#slot(productId)] !== 0;
  }

  firstLine(productId: string): number | undefined {
    const line = this.#lines[this.#slot(productId)]!;
    return line === 0 ? undefined : line;
  }

  targetOfFirst(productId: string): number | undefined {
    const slot = this.#slot(productId);
    return this.#lines[slot] === 0 ? undefined : this.#targets[slot];
  }

  /** Records (or replaces) the product's first line and its target hash. */
  set(productId: string, line: number, target: number): void {
    if (!(Number.isInteger(line) && line >= 1 && line <= 0xffffffff)) throw new RangeError(`line must be an integer from 1 to 2^32-1, got ${line}`);
    const [h1, h2] = this.#hash(productId);
    let slot = this.#probe(h1, h2, this.#keys, this.#lines, this.#capacity);
    if (this.#lines[slot] === 0) {
      if (this.#size + 1 > this.#capacity * MAX_LOAD) {
        this.#grow();
        slot = this.#probe(h1, h2, this.#keys, this.#lines, this.#capacity);
      }
      this.#size += 1;
      this.#keys[slot * 2] = h1;
      this.#keys[slot * 2 + 1] = h2;
    }
    this.#lines[slot] = line;
    this.#targets[slot] = target;
  }

  /** The slot holding the id's hash, or the empty slot where it would go. */
  #slot(productId: string): number {
    const [h1, h2] = this.#hash(productId);
    return this.#probe(h1, h2, this.#keys, this.#lines, this.#capacity);
  }

  #probe(h1: number, h2: number, keys: Uint32Array, lines: Uint32Array, capacity: number): number {
    const mask = capacity - 1;
    for (let slot = h1 & mask; ; slot = (slot + 1) & mask) {
      if (lines[slot] === 0 || (keys[slot * 2] === h1 && keys[slot * 2 + 1] === h2)) return slot;
    }
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const keys = new Uint32Array(capacity * 2);
    const lines = new Uint32Array(capacity);
    const targets = new Float64Array(capacity);
    for (let old = 0; old < this.#capacity; old += 1) {
      if (this.#lines[old] === 0) continue;
      const h1 = this.#keys[old * 2]!;
      const h2 = this.#keys[old * 2 + 1]!;
      const slot = this.#probe(h1, h2, keys, lines, capacity);
      keys[slot * 2] = h1;
      keys[slot * 2 + 1] = h2;
      lines[slot] = this.#lines[old]!;
      targets[slot] = this.#targets[old]!;
    }
    this.#capacity = capacity;
    this.#keys = keys;
    this.#lines = lines;
    this.#targets = targets;
  }
}

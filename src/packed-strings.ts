/**
 * Strings kept one per product (the report's ids and record ids, preflight's account read), as UTF-8 bytes in one
 * growable buffer instead of a JS string each. A JS string and the Map entry that finds it cost
 * about 100 bytes and, worse, keep the heap growing ahead of what is live; here a 20-character id
 * costs its 20 bytes plus 8 of offsets, off the JS heap. `PackedStringIndex` adds an exact lookup
 * (open addressing on a 32-bit hash, the bytes compared), for the product ids.
 */
import { cyrb53Halves } from './hash64.js';

const INITIAL_BYTES = 64 * 1024;
const INITIAL_COUNT = 1024;

/** `array`, or a copy twice as long (at least `length`) when it is shorter than `length`. */
export function grown<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(array: T, length: number): T {
  if (array.length >= length) return array;
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(length, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** Strings by number, in the order added; number 0 is ''. */
export class PackedStrings {
  #bytes = Buffer.alloc(INITIAL_BYTES);
  #used = 0;
  #starts = new Uint32Array(INITIAL_COUNT);
  #ends = new Uint32Array(INITIAL_COUNT);
  #count = 1;

  /** Strings added, '' (number 0) included. */
  get count(): number {
    return this.#count;
  }

  /** Keeps `text`; its number (0 for '', which is never stored). */
  add(text: string): number {
    if (text === '') return 0;
    const size = Buffer.byteLength(text, 'utf8');
    if (this.#used + size > this.#bytes.length) {
      const bigger = Buffer.alloc(Math.max(this.#used + size, this.#bytes.length * 2));
      this.#bytes.copy(bigger, 0, 0, this.#used);
      this.#bytes = bigger;
    }
    const number = this.#count;
    this.#count += 1;
    this.#starts = grown(this.#starts, this.#count);
    this.#ends = grown(this.#ends, this.#count);
    this.#starts[number] = this.#used;
    this.#used += this.#bytes.write(text, this.#used, size, 'utf8');
    this.#ends[number] = this.#used;
    return number;
  }

  at(number: number): string {
    if (number <= 0 || number >= this.#count) return '';
    return this.#bytes.toString('utf8', this.#starts[number], this.#ends[number]);
  }
}

/** Distinct strings, each numbered 1, 2, ... in the order first added, found by their text. */
export class PackedStringIndex {
  readonly #strings = new PackedStrings();
  /** Open addressing: a string's number, 0 for an empty place; capacity a power of two, under 3/4 full. */
  #places = new Uint32Array(INITIAL_COUNT * 2);
  #hashes = new Uint32Array(INITIAL_COUNT);

  /** Distinct strings held. */
  get size(): number {
    return this.#strings.count - 1;
  }

  at(number: number): string {
    return this.#strings.at(number);
  }

  /** The number of `text`, or undefined when it was never added. */
  find(text: string): number | undefined {
    const hash = cyrb53Halves(text)[0];
    const number = this.#places[this.#placeOf(text, hash)] ?? 0;
    return number === 0 ? undefined : number;
  }

  /** The number of `text`, added if new. */
  numberOf(text: string): number {
    const hash = cyrb53Halves(text)[0];
    const place = this.#placeOf(text, hash);
    const known = this.#places[place] ?? 0;
    if (known !== 0) return known;
    const number = this.#strings.add(text);
    this.#hashes = grown(this.#hashes, number + 1);
    this.#hashes[number] = hash;
    this.#places[place] = number;
    if ((this.size + 1) * 4 > this.#places.length * 3) this.#rehash();
    return number;
  }

  /** Where `text` is, or the empty place it would take. */
  #placeOf(text: string, hash: number): number {
    const mask = this.#places.length - 1;
    for (let place = hash & mask; ; place = (place + 1) & mask) {
      const number = this.#places[place] ?? 0;
      if (number === 0 || (this.#hashes[number] === hash && this.#strings.at(number) === text)) return place;
    }
  }

  #rehash(): void {
    const places = new Uint32Array(this.#places.length * 2);
    const mask = places.length - 1;
    for (let number = 1; number <= this.size; number += 1) {
      let place = (this.#hashes[number] ?? 0) & mask;
      while (places[place] !== 0) place = (place + 1) & mask;
      places[place] = number;
    }
    this.#places = places;
  }
}

/**
 * What the ledger knows of each product, compact, built while the journal is replayed:
 *
 * - where the product's first read is: the offset of the first entry carrying its previous values,
 *   the state before the first change the ledger holds. Results and `undo` put back that state, so
 *   a canary, the run and a month of reconciles still undo to what was there before the migration;
 * - the targets of the last entry that left the product done. A done row whose own targets are
 *   other (an undo's run came after it, or a row edited A→B→A) no longer describes the product:
 *   `lookup` calls it superseded, and a rerun decides that row again instead of calling it done.
 *
 * Open addressing on a 64-bit hash of the product id, like TokenTable: 25 bytes a slot. Two
 * products sharing a 64-bit hash (about n² / 2^65) would share a slot; the cost is a row decided
 * again (read, then skipped if in its target) or a first read that is another product's, which the
 * entry read back shows (its product id is compared, see journal-read-back.ts firstReadOf).
 */
import { cyrb53Halves } from '../hash64.js';

const INITIAL_CAPACITY = 1024;
const MAX_LOAD = 0.75;
/** firstRead slot values: 0 none yet; UNKNOWN a change was sent before any read (no previous values); else offset + 1. */
const UNKNOWN = -1;

export class ProductLedger {
  #capacity = INITIAL_CAPACITY;
  #size = 0;
  /** Product hash halves; a slot is used when `#used` says so. */
  #keys = new Uint32Array(INITIAL_CAPACITY * 2);
  /** The hash halves of the targets the product was last left done with (0, 0: none yet). */
  #doneTargets = new Uint32Array(INITIAL_CAPACITY * 2);
  #firstRead = new Float64Array(INITIAL_CAPACITY);
  #used = new Uint8Array(INITIAL_CAPACITY);

  get size(): number {
    return this.#size;
  }

  /** An entry at `offset` carries the product's previous values; only the first one counts. */
  noteRead(productId: string, offset: number): void {
    const slot = this.#slotFor(productId);
    if (this.#firstRead[slot] === 0) this.#firstRead[slot] = offset + 1;
  }

  /** A change went out with no previous values (no preflight): a later read is not the state before it. */
  noteBlindChange(productId: string): void {
    const slot = this.#slotFor(productId);
    if (this.#firstRead[slot] === 0) this.#firstRead[slot] = UNKNOWN;
  }

  /** A row left the product done (changed, or found there) with these targets. */
  noteDone(productId: string, targets: string): void {
    const slot = this.#slotFor(productId);
    this.#doneTargets.set(targetHash(targets), slot * 2);
  }

  /** Whether `targets` are what the product was last left done with; undefined when the ledger knows no such entry. */
  isCurrent(productId: string, targets: string): boolean | undefined {
    const slot = this.#find(productId);
    if (slot === undefined) return undefined;
    const [c1, c2] = [this.#doneTargets[slot * 2]!, this.#doneTargets[slot * 2 + 1]!];
    if (c1 === 0 && c2 === 0) return undefined;
    const [t1, t2] = targetHash(targets);
    return c1 === t1 && c2 === t2;
  }

  /** The offset of the product's first read; 'unknown' when a change preceded every read; undefined when none. */
  firstRead(productId: string): number | 'unknown' | undefined {
    const slot = this.#find(productId);
    if (slot === undefined) return undefined;
    const value = this.#firstRead[slot]!;
    return value === 0 ? undefined : value === UNKNOWN ? 'unknown' : value - 1;
  }

  #find(productId: string): number | undefined {
    if (this.#size === 0) return undefined;
    const [h1, h2] = cyrb53Halves(productId);
    const slot = this.#probe(h1, h2, this.#keys, this.#used, this.#capacity);
    return this.#used[slot] === 0 ? undefined : slot;
  }

  #slotFor(productId: string): number {
    const [h1, h2] = cyrb53Halves(productId);
    let slot = this.#probe(h1, h2, this.#keys, this.#used, this.#capacity);
    if (this.#used[slot] === 1) return slot;
    if (this.#size + 1 > this.#capacity * MAX_LOAD) {
      this.#grow();
      slot = this.#probe(h1, h2, this.#keys, this.#used, this.#capacity);
    }
    this.#size += 1;
    this.#used[slot] = 1;
    this.#keys[slot * 2] = h1;
    this.#keys[slot * 2 + 1] = h2;
    return slot;
  }

  #probe(h1: number, h2: number, keys: Uint32Array, used: Uint8Array, capacity: number): number {
    const mask = capacity - 1;
    for (let slot = h1 & mask; ; slot = (slot + 1) & mask) {
      if (used[slot] === 0 || (keys[slot * 2] === h1 && keys[slot * 2 + 1] === h2)) return slot;
    }
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const keys = new Uint32Array(capacity * 2);
    const doneTargets = new Uint32Array(capacity * 2);
    const firstRead = new Float64Array(capacity);
    const used = new Uint8Array(capacity);
    for (let old = 0; old < this.#capacity; old += 1) {
      if (this.#used[old] === 0) continue;
      const h1 = this.#keys[old * 2]!;
      const h2 = this.#keys[old * 2 + 1]!;
      const slot = this.#probe(h1, h2, keys, used, capacity);
      used[slot] = 1;
      keys[slot * 2] = h1;
      keys[slot * 2 + 1] = h2;
      doneTargets.set(this.#doneTargets.subarray(old * 2, old * 2 + 2), slot * 2);
      firstRead[slot] = this.#firstRead[old]!;
    }
    this.#capacity = capacity;
    this.#keys = keys;
    this.#doneTargets = doneTargets;
    this.#firstRead = firstRead;
    this.#used = used;
  }
}

/** The targets as a 64-bit hash, never (0, 0), which marks "nothing done yet". */
function targetHash(targets: string): [number, number] {
  const [t1, t2] = cyrb53Halves(targets);
  return t1 === 0 && t2 === 0 ? [0, 1] : [t1, t2];
}

/** The key a done entry's targets are compared by: owner and launch role ('' for a key left alone). */
export function targetsKey(newOwner: string, launchRole: string): string {
  return `${newOwner}\u0000${launchRole}`;
}

/**
 * Rows naming the same provisioned product. Pure.
 *
 * Kept per product: the first line that names it (the public `firstLineByProduct`) and a 53-bit
 * hash of its target (new owner + launch role, trimmed), or INVALID_TARGET when that first row was
 * invalid. Two maps of small values keep memory proportional to the number of distinct products,
 * with no row kept.
 *
 *   later row, same target as a valid first row       → duplicate of the first line (skipped)
 *   later row, different target from a valid first row → CONFLICTING_DUPLICATE
 *   later valid row, first row invalid                 → CONFLICTING_DUPLICATE (fix or remove one)
 *   later invalid row                                  → nothing more (it is refused already)
 */

export const INVALID_TARGET = -1;

export type DuplicateVerdict =
  | { readonly kind: 'first' }
  | { readonly kind: 'duplicate'; readonly firstLine: number }
  | { readonly kind: 'conflict'; readonly firstLine: number; readonly firstWasInvalid: boolean };

export class DuplicateTracker {
  readonly #known: ReadonlyMap<string, number> | undefined;
  readonly #firstLine = new Map<string, number>();
  readonly #targetOfFirst = new Map<string, number>();

  /**
   * @param known the validation pass's firstLineByProduct; when given (the run pass), only the
   *   target hashes are kept here and the first lines are taken from it.
   */
  constructor(known?: ReadonlyMap<string, number>) {
    this.#known = known;
  }

  /** productId → first line naming it (empty when built over `known`). */
  get firstLineByProduct(): ReadonlyMap<string, number> {
    return this.#firstLine;
  }

  /**
   * Records one otherwise valid row naming `productId` at `line`; `target` is targetHash(...).
   */
  observe(productId: string, line: number, target: number): DuplicateVerdict {
    return this.#observe(productId, line, target) ?? { kind: 'first' };
  }

  /** Records an invalid row with a valid id: a later valid row naming it is then a conflict. */
  observeInvalid(productId: string, line: number): void {
    this.#observe(productId, line, INVALID_TARGET);
  }

  /** undefined when the row is the first of its product, or a later invalid one (nothing to add). */
  #observe(productId: string, line: number, target: number): DuplicateVerdict | undefined {
    const known = this.#known?.get(productId);
    const firstLine = this.#known ? known : this.#firstLine.get(productId);
    const firstTarget = this.#targetOfFirst.get(productId);
    if (firstLine === undefined || firstLine === line || firstTarget === undefined) {
      if (!this.#known) this.#firstLine.set(productId, line);
      this.#targetOfFirst.set(productId, target);
      return undefined;
    }
    if (target === INVALID_TARGET) return undefined;
    if (firstTarget === INVALID_TARGET) return { kind: 'conflict', firstLine, firstWasInvalid: true };
    return firstTarget === target ? { kind: 'duplicate', firstLine } : { kind: 'conflict', firstLine, firstWasInvalid: false };
  }
}

/** 53-bit hash (cyrb53) of a row's target; collisions are ~2^-53 per pair of rows of one product. */
export function targetHash(newOwner: string | undefined, launchRole: string | undefined): number {
  // The \u0000 separator and the presence markers keep (a, undefined) apart from (undefined, a).
  const text = `${newOwner === undefined ? '-' : `+${newOwner}`}\u0000${launchRole === undefined ? '-' : `+${launchRole}`}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

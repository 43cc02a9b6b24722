/**
 * Rows naming the same provisioned product. Pure.
 *
 * Kept per product, in a ProductIndex (compact, no id kept): the first line that names it and a
 * 53-bit hash of its target (new owner + launch role, trimmed), or INVALID_TARGET when that first
 * row was invalid. Memory is proportional to the number of distinct products, with no row kept.
 *
 *   later row, same target as a valid first row       → duplicate of the first line (skipped)
 *   later row, different target from a valid first row → CONFLICTING_DUPLICATE
 *   later valid row, first row invalid                 → CONFLICTING_DUPLICATE (fix or remove one)
 *   later invalid row                                  → nothing more (it is refused already)
 */
import { cyrb53Halves, ProductIndex } from './product-index.js';

export const INVALID_TARGET = -1;

export type DuplicateVerdict =
  | { readonly kind: 'first' }
  | { readonly kind: 'duplicate'; readonly firstLine: number }
  | { readonly kind: 'conflict'; readonly firstLine: number; readonly firstWasInvalid: boolean };

export class DuplicateTracker {
  readonly #products: ProductIndex;
  /** The run pass reads the validation pass's index and adds nothing to it. */
  readonly #readOnly: boolean;
  /** Run pass: the ids of the first lines that later rows repeat (repeatedFirstLines). */
  readonly #idAtRepeatedLine = new Map<number, string>();
  /** Run pass: products whose id shares the hash of an earlier product's, with their own first line. */
  readonly #collided = new Map<string, number>();

  /**
   * @param known the validation pass's index, given by the run pass: the file is the same (the
   *   run pass checks its hash), so every verdict is read from it and nothing more is kept.
   * @param fresh makes the validation pass's index (tests pass one whose hash collides).
   */
  constructor(known?: ProductIndex, fresh: () => ProductIndex = () => new ProductIndex()) {
    this.#products = known ?? fresh();
    this.#readOnly = known !== undefined;
  }

  /** Every product named by a row, with its first line and target (the validation pass's, in the run pass). */
  get products(): ProductIndex {
    return this.#products;
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
    const firstLine = this.#products.firstLine(productId);
    if (firstLine === undefined || firstLine === line) {
      if (!this.#readOnly) this.#products.set(productId, line, target);
      else if (this.#products.repeatedFirstLines.has(line)) this.#idAtRepeatedLine.set(line, productId);
      return undefined;
    }
    const firstTarget = this.#products.targetOfFirst(productId)!;
    if (target === INVALID_TARGET) return undefined;
    if (firstTarget === INVALID_TARGET) return { kind: 'conflict', firstLine, firstWasInvalid: true };
    if (firstTarget !== target) return { kind: 'conflict', firstLine, firstWasInvalid: false };
    if (!this.#readOnly) this.#products.repeatedFirstLines.add(firstLine);
    // Another product whose id shares the hash (see ProductIndex): its first row is a first, its
    // repeats are duplicates of that row. (Its target equals the earlier product's, or the
    // validation pass would have refused the file as conflicting.)
    const firstId = this.#idAtRepeatedLine.get(firstLine);
    if (firstId !== undefined && firstId !== productId) {
      const ownFirst = this.#collided.get(productId);
      if (ownFirst === undefined || ownFirst === line) {
        this.#collided.set(productId, line);
        return undefined;
      }
      return { kind: 'duplicate', firstLine: ownFirst };
    }
    return { kind: 'duplicate', firstLine };
  }
}

/** 53-bit hash (cyrb53) of a row's target; collisions are ~2^-53 per pair of rows of one product. */
export function targetHash(newOwner: string | undefined, launchRole: string | undefined): number {
  // The \u0000 separator and the presence markers keep (a, undefined) apart from (undefined, a).
  const text = `${newOwner === undefined ? '-' : `+${newOwner}`}\u0000${launchRole === undefined ? '-' : `+${launchRole}`}`;
  const [h1, h2] = cyrb53Halves(text);
  return 4294967296 * (2097151 & h2) + h1;
}

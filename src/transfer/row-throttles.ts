/**
 * Retries each row made after a throttled answer (of its preflight reads, its update, its record
 * waits), for the row's `finished` entry: `report` draws them over time. Kept per row object, so a row
 * that never finishes (aborted in flight) leaves nothing behind.
 */
import type { TransferRow } from '../input/types.js';

export class RowThrottles {
  readonly #tally = new WeakMap<TransferRow, number>();

  add(row: TransferRow): void {
    this.#tally.set(row, (this.#tally.get(row) ?? 0) + 1);
  }

  /** The `finished` entry's field: absent when the row met no throttle (older entries lack it too). */
  fieldOf(row: TransferRow): { throttles?: number } {
    const throttles = this.#tally.get(row);
    return throttles === undefined ? {} : { throttles };
  }
}

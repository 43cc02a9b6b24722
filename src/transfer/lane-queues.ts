/**
 * The rows read ahead and waiting for a write slot, one FIFO per lane, and the rule that picks the
 * next one: lanes take turns, and a lane already holding its share of the slots,
 * ⌈concurrency ÷ lanes with rows waiting⌉, is passed over. So a slow or throttled account keeps
 * its share and no more, and a lane with nothing waiting (done, or on its last rows) leaves its
 * share to the others.
 */
import type { Lane } from './lane.js';

interface LaneState<T> {
  /** Waiting items from `head` on; the consumed start is cut off now and then, so a take costs O(1). */
  items: T[];
  head: number;
  writing: number;
}

export class LaneQueues<T extends { readonly lane: Lane }> {
  readonly #lanes: readonly Lane[];
  readonly #concurrency: number;
  readonly #state = new Map<Lane, LaneState<T>>();
  #queued = 0;
  #writing = 0;
  #turn = 0;

  constructor(lanes: readonly Lane[], concurrency: number) {
    this.#lanes = lanes;
    this.#concurrency = concurrency;
    for (const lane of lanes) this.#state.set(lane, { items: [], head: 0, writing: 0 });
  }

  /** Items waiting, all lanes together. */
  get queued(): number {
    return this.#queued;
  }

  /** Items taken and not yet released, all lanes together. */
  get writing(): number {
    return this.#writing;
  }

  push(item: T): void {
    this.#of(item.lane).items.push(item);
    this.#queued += 1;
  }

  /** The next item to start, counted as writing until `release`; undefined when no slot or no lane may take one. */
  take(): T | undefined {
    if (this.#queued === 0 || this.#writing >= this.#concurrency) return undefined;
    const share = this.#share();
    for (let i = 0; i < this.#lanes.length; i += 1) {
      const lane = this.#lanes[(this.#turn + i) % this.#lanes.length]!;
      const state = this.#of(lane);
      if (state.head < state.items.length && state.writing < share) {
        this.#turn = (this.#turn + i + 1) % this.#lanes.length;
        return this.#shift(state);
      }
    }
    return undefined;
  }

  /** An item taken by `take` is done with its slot. */
  release(item: T): void {
    this.#of(item.lane).writing -= 1;
    this.#writing -= 1;
  }

  #shift(state: LaneState<T>): T {
    const item = state.items[state.head]!;
    state.head += 1;
    // An emptied queue starts afresh, and a long one drops what it consumed: a row taken is never
    // kept alive by the queue (kept, each lived long enough to reach the old generation, and a
    // million-row run peaked 40 MiB higher).
    if (state.head === state.items.length) {
      state.items.length = 0;
      state.head = 0;
    } else if (state.head > 1024 && state.head * 2 > state.items.length) {
      state.items = state.items.slice(state.head);
      state.head = 0;
    }
    state.writing += 1;
    this.#writing += 1;
    this.#queued -= 1;
    return item;
  }

  #share(): number {
    let busy = 0;
    for (const state of this.#state.values()) if (state.head < state.items.length) busy += 1;
    return Math.max(1, Math.ceil(this.#concurrency / Math.max(1, busy)));
  }

  #of(lane: Lane): LaneState<T> {
    const state = this.#state.get(lane);
    // The router's lanes are fixed when the run starts; a row of another lane is a bug.
    if (state === undefined) throw new Error(`lane ${lane.name} is not one of the run's lanes`);
    return state;
  }
}

/**
 * The report's products, compact: one slot per product in the order the ledger first named them,
 * held in typed columns and byte buffers rather than an object and strings each, so the JS heap
 * does not grow with the products (bench/report-memory.ts measures it). What grows is their id and
 * record id as UTF-8 bytes (packed-strings.ts), a row of small numbers and their history as a
 * linked list of 32-bit events: about 100 bytes a product. Owner, role, region and error strings
 * are kept once per distinct combination: a migration has few and repeats them on every product.
 *
 * The builder reads a slot as a `ProductDraft`, changes it and writes it back; renderers read
 * finished `StoryProduct`s one at a time (`Symbol.iterator`, `slice`), made when asked for.
 */
import { accountOfArn } from '../../input/iam-arn.js';
import { grown, PackedStringIndex, PackedStrings } from '../../packed-strings.js';
import type { HistoryEvent, ProductState, StoryProduct, StoryProducts } from './story-types.js';

/** A product's state codes in its slot and its history events (code = invocation × 8 + state). */
const STATE_CODES: readonly ProductState[] = ['in-flight', 'succeeded', 'submitted', 'skipped', 'failed'];

export const historyCode = (invocation: number, state: ProductState): number => invocation * 8 + STATE_CODES.indexOf(state);

/** What the builder reads and writes of a product; strings are what the ledger said ('' for none). */
export interface ProductDraft {
  line: number;
  region: string;
  /** Whether any entry carried its previous owner: the first such is its first read. */
  readOwner: boolean;
  previousOwner: string;
  previousOwnerSession: string;
  previousLaunchRole: string;
  /** Whether a row that set the launch role read it (a row that left it alone did not). */
  readLaunchRole: boolean;
  newOwner: string;
  launchRole: string;
  state: ProductState;
  /** A change of it applied (succeeded, submitted, or found in target after its request left). */
  applied: boolean;
  /** Its last entry is a `sent`: the request left and no answer is known (it may have applied). */
  pending: boolean;
  recordId: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  lastAt: string;
}

/** A slot's text fields, in their order in a tuple of `#texts`. */
const TEXT_FIELDS = ['region', 'previousOwner', 'previousOwnerSession', 'previousLaunchRole', 'newOwner', 'launchRole', 'errorCode', 'errorMessage'] as const;
const FLAG = { readOwner: 1, readLaunchRole: 2, applied: 4, pending: 8 } as const;
const INITIAL_CAPACITY = 1024;

type TextTuple = readonly string[];

/**
 * Each distinct combination of a product's text fields once, by a number: a migration gives
 * thousands of products the same owner, role and region, so a slot keeps one number, not eight.
 */
class TextTuples {
  readonly #tuples: TextTuple[] = [TEXT_FIELDS.map(() => '')];
  readonly #numbers = new Map<string, number>([[TEXT_FIELDS.map(() => '').join('\u0000'), 0]]);

  numberOf(tuple: TextTuple): number {
    const key = tuple.join('\u0000');
    let number = this.#numbers.get(key);
    if (number === undefined) {
      number = this.#tuples.length;
      this.#tuples.push(tuple);
      this.#numbers.set(key, number);
    }
    return number;
  }

  at(number: number): TextTuple {
    return this.#tuples[number] ?? this.#tuples[0]!;
  }
}

export class ProductTable implements StoryProducts {
  readonly #texts = new TextTuples();
  /** Product ids, numbered from 1 in first-seen order: a product's slot is its number - 1. */
  readonly #ids = new PackedStringIndex();
  readonly #recordIds = new PackedStrings();
  #recordRefs = new Uint32Array(INITIAL_CAPACITY);
  #lines = new Uint32Array(INITIAL_CAPACITY);
  /** The number of each slot's text fields in `#texts`. */
  #text = new Uint32Array(INITIAL_CAPACITY);
  #flags = new Uint8Array(INITIAL_CAPACITY);
  #states = new Uint8Array(INITIAL_CAPACITY);
  #attempts = new Uint32Array(INITIAL_CAPACITY);
  /** lastAt as epoch ms when the ISO text reads back exactly; otherwise NaN and the text in `#oddTimes`. */
  #lastAt = new Float64Array(INITIAL_CAPACITY);
  readonly #oddTimes = new Map<number, string>();
  /** Each slot's first and last history event (-1: none); each event's code and next event. */
  #historyHead = new Int32Array(INITIAL_CAPACITY);
  #historyTail = new Int32Array(INITIAL_CAPACITY);
  #events = new Uint32Array(INITIAL_CAPACITY * 2);
  #nextEvent = new Int32Array(INITIAL_CAPACITY * 2);
  #eventCount = 0;

  get length(): number {
    return this.#ids.size;
  }

  /** The product's slot, made (with its line and region) the first time it is named. */
  slotOf(provisionedProductId: string, line: number, region: string): number {
    const size = this.#ids.size;
    const slot = this.#ids.numberOf(provisionedProductId) - 1;
    if (slot < size) return slot;
    const capacity = slot + 1;
    this.#lines = grown(this.#lines, capacity);
    this.#text = grown(this.#text, capacity);
    this.#flags = grown(this.#flags, capacity);
    this.#states = grown(this.#states, capacity);
    this.#attempts = grown(this.#attempts, capacity);
    this.#lastAt = grown(this.#lastAt, capacity);
    this.#historyHead = grown(this.#historyHead, capacity);
    this.#historyTail = grown(this.#historyTail, capacity);
    this.#recordRefs = grown(this.#recordRefs, capacity);
    this.#lines[slot] = line;
    this.#historyHead[slot] = -1;
    this.#historyTail[slot] = -1;
    this.write(slot, { ...EMPTY_DRAFT, line, region });
    return slot;
  }

  read(slot: number): ProductDraft {
    const texts = this.#texts.at(this.#text[slot] ?? 0);
    const text = (field: number) => texts[field] ?? '';
    const flags = this.#flags[slot] ?? 0;
    const ms = this.#lastAt[slot] ?? NaN;
    return {
      line: this.#lines[slot] ?? 0,
      region: text(0),
      readOwner: (flags & FLAG.readOwner) !== 0,
      previousOwner: text(1),
      previousOwnerSession: text(2),
      previousLaunchRole: text(3),
      readLaunchRole: (flags & FLAG.readLaunchRole) !== 0,
      newOwner: text(4),
      launchRole: text(5),
      state: STATE_CODES[this.#states[slot] ?? 0] ?? 'in-flight',
      applied: (flags & FLAG.applied) !== 0,
      pending: (flags & FLAG.pending) !== 0,
      recordId: this.#recordIds.at(this.#recordRefs[slot] ?? 0),
      errorCode: text(6),
      errorMessage: text(7),
      attempts: this.#attempts[slot] ?? 0,
      lastAt: Number.isNaN(ms) ? (this.#oddTimes.get(slot) ?? '') : new Date(ms).toISOString(),
    };
  }

  write(slot: number, draft: ProductDraft): void {
    this.#text[slot] = this.#texts.numberOf(TEXT_FIELDS.map((field) => draft[field]));
    this.#flags[slot] =
      (draft.readOwner ? FLAG.readOwner : 0) |
      (draft.readLaunchRole ? FLAG.readLaunchRole : 0) |
      (draft.applied ? FLAG.applied : 0) |
      (draft.pending ? FLAG.pending : 0);
    this.#states[slot] = STATE_CODES.indexOf(draft.state);
    // A record id is kept again only when it changed: a new one comes with each change, not each entry.
    if (draft.recordId !== this.#recordIds.at(this.#recordRefs[slot] ?? 0)) this.#recordRefs[slot] = this.#recordIds.add(draft.recordId);
    this.#attempts[slot] = Math.min(Math.max(draft.attempts, 0), 0xffffffff);
    const ms = Date.parse(draft.lastAt);
    if (!Number.isNaN(ms) && new Date(ms).toISOString() === draft.lastAt) {
      this.#lastAt[slot] = ms;
      this.#oddTimes.delete(slot);
    } else {
      this.#lastAt[slot] = NaN;
      this.#oddTimes.set(slot, draft.lastAt);
    }
  }

  /** The product's last history event's code, or undefined when it has none. */
  lastEvent(slot: number): number | undefined {
    const tail = this.#historyTail[slot] ?? -1;
    return tail < 0 ? undefined : this.#events[tail];
  }

  /** Replaces the last event (a `sent` answered by its `finished`), or appends one. */
  setLastEvent(slot: number, code: number, replace: boolean): void {
    const tail = this.#historyTail[slot] ?? -1;
    if (replace && tail >= 0) {
      this.#events[tail] = code;
      return;
    }
    const event = this.#eventCount;
    this.#eventCount += 1;
    this.#events = grown(this.#events, this.#eventCount);
    this.#nextEvent = grown(this.#nextEvent, this.#eventCount);
    this.#events[event] = code;
    this.#nextEvent[event] = -1;
    if (tail < 0) this.#historyHead[slot] = event;
    else this.#nextEvent[tail] = event;
    this.#historyTail[slot] = event;
  }

  history(slot: number): HistoryEvent[] {
    const events: HistoryEvent[] = [];
    for (let event = this.#historyHead[slot] ?? -1; event >= 0; event = this.#nextEvent[event] ?? -1) {
      const code = this.#events[event] ?? 0;
      events.push({ invocation: Math.floor(code / 8), state: STATE_CODES[code % 8] ?? 'in-flight' });
    }
    return events;
  }

  product(slot: number): StoryProduct {
    const draft = this.read(slot);
    return {
      provisionedProductId: this.#ids.at(slot + 1),
      line: draft.line,
      accountId: accountOfArn(draft.newOwner || draft.launchRole || draft.previousOwner) ?? '',
      region: draft.region,
      previousOwner: draft.previousOwnerSession || draft.previousOwner,
      previousOwnerSession: draft.previousOwnerSession,
      previousLaunchRole: draft.previousLaunchRole,
      newOwner: draft.newOwner,
      launchRole: draft.launchRole,
      state: draft.state,
      changed: draft.applied || draft.pending,
      recordId: draft.recordId,
      attempts: draft.attempts,
      errorCode: draft.errorCode,
      errorMessage: draft.errorMessage,
      lastAt: draft.lastAt,
      history: this.history(slot),
    };
  }

  slice(from: number, to: number): StoryProduct[] {
    const products: StoryProduct[] = [];
    for (let slot = Math.max(from, 0); slot < Math.min(to, this.length); slot += 1) products.push(this.product(slot));
    return products;
  }

  *[Symbol.iterator](): Iterator<StoryProduct> {
    for (let slot = 0; slot < this.length; slot += 1) yield this.product(slot);
  }
}

const EMPTY_DRAFT: ProductDraft = {
  line: 0,
  region: '',
  readOwner: false,
  previousOwner: '',
  previousOwnerSession: '',
  previousLaunchRole: '',
  readLaunchRole: false,
  newOwner: '',
  launchRole: '',
  state: 'in-flight',
  applied: false,
  pending: false,
  recordId: '',
  errorCode: '',
  errorMessage: '',
  attempts: 0,
  lastAt: '',
};

/**
 * What preflight's account-wide read keeps of the CSV's products, in fixed-size slots instead of
 * an object and three strings a product.
 *
 * Why: the read's `ProductFacts` objects cost about 300 bytes of JS heap a product (the id, the
 * ARN and the record id as strings, the object, the Map entry), and V8 sizes its heap from what is
 * live, so at 40,000 products the process's peak RSS grew by some 50 MiB, not the 12 of the data.
 * Here a product is its id and record id as UTF-8 bytes off the JS heap (`PackedStrings`), its
 * ARN as the stack name between a shared head (`arn:aws:servicecatalog:<region>:<account>:stack/`)
 * and its id, and 32-bit numbers for its status, owner, owner session and launch role, which a
 * migration's products share a few distinct values of (kept once each). About 100 bytes a product,
 * almost all of it outside the heap that V8 sizes itself by.
 *
 * `get` makes a fresh `ProductFacts` each time (a row asks once or twice); nothing else changes.
 */
import type { ProductFacts } from '../aws/service-catalog-api.js';
import { grown, PackedStringIndex, PackedStrings } from '../packed-strings.js';

/** A value of the few-distinct columns: 0 is "not told", n is `#values[n - 1]`. */
type ValueNumber = number;

const INITIAL_COUNT = 1024;

export class ProductSnapshot {
  /** Product ids, numbered 1, 2, ... in the order first kept; a product's number indexes every column. */
  readonly #ids = new PackedStringIndex();
  readonly #arns = new PackedStrings();
  readonly #records = new PackedStrings();
  /** The ARN is `#values[head] + #arns[middle] + ('/' + id when #arnEndsWithId)`. */
  #arnHead = new Uint32Array(INITIAL_COUNT);
  #arn = new Uint32Array(INITIAL_COUNT);
  #arnEndsWithId = new Uint8Array(INITIAL_COUNT);
  #record = new Uint32Array(INITIAL_COUNT);
  #status = new Uint32Array(INITIAL_COUNT);
  #owner = new Uint32Array(INITIAL_COUNT);
  #ownerSession = new Uint32Array(INITIAL_COUNT);
  #launchRole = new Uint32Array(INITIAL_COUNT);
  readonly #values: string[] = [];
  readonly #valueNumbers = new Map<string, number>();

  /** Products kept. */
  get size(): number {
    return this.#ids.size;
  }

  /** Keeps `facts` (the fields a row's judgement needs), replacing what was kept of its product. */
  set(facts: ProductFacts): void {
    const n = this.#slotOf(facts.id);
    this.#keepArn(n, facts.id, facts.arn);
    this.#record[n] = this.#records.add(facts.lastRecordId);
    this.#status[n] = this.#valueNumber(facts.status);
    this.#owner[n] = this.#valueNumber(facts.owner);
    this.#ownerSession[n] = this.#valueNumber(facts.ownerSession);
    this.#launchRole[n] = this.#valueNumber(facts.launchRole);
  }

  /** Scan's word on a product Search already showed: a fresher status, and the launch role. */
  setStatusAndLaunchRole(id: string, status: string, launchRole: string | undefined): boolean {
    const n = this.#ids.find(id);
    if (n === undefined) return false;
    this.#status[n] = this.#valueNumber(status);
    this.#launchRole[n] = this.#valueNumber(launchRole);
    return true;
  }

  get(id: string): ProductFacts | undefined {
    const n = this.#ids.find(id);
    if (n === undefined) return undefined;
    return {
      id,
      arn: this.#arnOf(n, id),
      status: this.#value(this.#status[n]!) ?? '',
      owner: this.#value(this.#owner[n]!),
      ownerSession: this.#value(this.#ownerSession[n]!),
      launchRole: this.#value(this.#launchRole[n]!),
      lastRecordId: this.#records.at(this.#record[n]!),
    };
  }

  #slotOf(id: string): number {
    const n = this.#ids.numberOf(id);
    this.#arnHead = grown(this.#arnHead, n + 1);
    this.#arn = grown(this.#arn, n + 1);
    this.#arnEndsWithId = grown(this.#arnEndsWithId, n + 1);
    this.#record = grown(this.#record, n + 1);
    this.#status = grown(this.#status, n + 1);
    this.#owner = grown(this.#owner, n + 1);
    this.#ownerSession = grown(this.#ownerSession, n + 1);
    this.#launchRole = grown(this.#launchRole, n + 1);
    return n;
  }

  #keepArn(n: number, id: string, arn: string): void {
    const headEnd = arn.indexOf('/') + 1;
    const suffix = `/${id}`;
    const endsWithId = arn.length - suffix.length >= headEnd && arn.endsWith(suffix);
    this.#arnHead[n] = this.#valueNumber(arn.slice(0, headEnd));
    this.#arn[n] = this.#arns.add(arn.slice(headEnd, endsWithId ? arn.length - suffix.length : arn.length));
    this.#arnEndsWithId[n] = endsWithId ? 1 : 0;
  }

  #arnOf(n: number, id: string): string {
    return `${this.#value(this.#arnHead[n]!) ?? ''}${this.#arns.at(this.#arn[n]!)}${this.#arnEndsWithId[n] === 1 ? `/${id}` : ''}`;
  }

  #valueNumber(value: string | undefined): ValueNumber {
    if (value === undefined) return 0;
    const known = this.#valueNumbers.get(value);
    if (known !== undefined) return known;
    this.#values.push(value);
    this.#valueNumbers.set(value, this.#values.length);
    return this.#values.length;
  }

  #value(n: ValueNumber): string | undefined {
    return n === 0 ? undefined : this.#values[n - 1];
  }
}

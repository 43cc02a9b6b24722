/**
 * Fakes for the transfer engine: a scripted ServiceCatalogApi, an in-memory journal and results
 * file, an input stream that counts how far it was read, and a builder for TransferOptions.
 * Everything that waits does so on a ManualClock.
 */
import type { FoundState } from '../../../src/transfer/row-result.js';
import { ServiceCatalogServiceException } from '@aws-sdk/client-service-catalog';
import type { JournalFinished, JournalSent, TokenState } from '../../../src/checkpoint/types.js';
import type {
  ProductFacts,
  ProductPage,
  RecordAnswer,
  ServiceCatalogApi,
  UpdatePropertiesAnswer,
  UpdatePropertiesRequest,
} from '../../../src/aws/service-catalog-api.js';
import type { HeaderMap, InputRecord, TransferRow } from '../../../src/input/types.js';
import type { RowResult } from '../../../src/report/types.js';
import { Lane, singleLane, type LaneOptions, type LaneRouter } from '../../../src/transfer/lane.js';
import { updateSender } from '../../../src/transfer/row-sender.js';
import { parseFailureBudget } from '../../../src/transfer/failure-budget.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/transfer/retry-policy.js';
import type { JournalPort, ResultsPort, TransferOptions } from '../../../src/transfer/transfer-run.js';
import { ManualClock } from '../../helpers/manual-clock.js';

export const OWNER = 'arn:aws:iam::123456789012:role/NewOwner';
export const ROLE = 'arn:aws:iam::123456789012:role/Launch';

/** One answer of the fake API: a status, an error, a delayed status, or a call that hangs until released or aborted. */
export type Step =
  { readonly status: string; readonly delayMs?: number } | { readonly error: () => unknown; readonly delayMs?: number } | { readonly hang: true };

export const ok = (status = 'SUCCEEDED', delayMs?: number): Step => (delayMs === undefined ? { status } : { status, delayMs });
export const fail = (name: string, status = 400, message = `${name} from the fake`): Step => ({
  error: () => new ServiceCatalogServiceException({ name, $fault: status >= 500 ? 'server' : 'client', message, $metadata: { httpStatusCode: status } }),
});
export const hang: Step = { hang: true };

export class FakeApi implements ServiceCatalogApi {
  readonly calls: Array<{ request: UpdatePropertiesRequest; at: number }> = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #scripts = new Map<string, Step[]>();
  readonly #hung = new Map<string, (answer: UpdatePropertiesAnswer) => void>();

  constructor(
    readonly clock: ManualClock,
    readonly log: string[] = [],
  ) {}

  /** Answers for one product, in order; once used up, the product succeeds. */
  script(productId: string, ...steps: Step[]): this {
    this.#scripts.set(productId, steps);
    return this;
  }

  callsFor(productId: string): UpdatePropertiesRequest[] {
    return this.calls.filter((c) => c.request.provisionedProductId === productId).map((c) => c.request);
  }

  get hungCount(): number {
    return this.#hung.size;
  }

  /** Lets a hanging call answer. */
  release(productId: string, status = 'SUCCEEDED'): void {
    const resolve = this.#hung.get(productId);
    if (!resolve) throw new Error(`no hung call for ${productId}`);
    this.#hung.delete(productId);
    resolve({ recordId: `rec-${productId}`, recordStatus: status });
  }

  async updateProperties(request: UpdatePropertiesRequest, signal: AbortSignal): Promise<UpdatePropertiesAnswer> {
    this.calls.push({ request, at: this.clock.now() });
    this.log.push(`call:${request.provisionedProductId}`);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const step = this.#scripts.get(request.provisionedProductId)?.shift() ?? ok();
      if ('hang' in step) {
        return await new Promise<UpdatePropertiesAnswer>((resolve, reject) => {
          this.#hung.set(request.provisionedProductId, resolve);
          // What the SDK does when the request's abortSignal fires.
          signal.addEventListener('abort', () => {
            this.#hung.delete(request.provisionedProductId);
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
          });
        });
      }
      if (step.delayMs !== undefined) await this.clock.sleep(step.delayMs, signal);
      if ('error' in step) throw step.error();
      return { recordId: `rec-${request.provisionedProductId}`, recordStatus: step.status };
    } finally {
      this.inFlight -= 1;
      this.log.push(`answer:${request.provisionedProductId}`);
    }
  }

  /** When the fake's records (`rec-<product id>`) were made; one not listed here was made now, by this run. */
  readonly createdAt = new Map<string, number>();
  /** Records read, in order: without --wait, only a finished record in an update's answer is (once). */
  readonly recordReads: string[] = [];

  /** The record as finished, made when `createdAt` says; WaitingApi scripts its statuses instead. */
  async describeRecord(recordId: string): Promise<RecordAnswer> {
    this.recordReads.push(recordId);
    this.log.push(`describe-record:${recordId}`);
    return { recordId, recordStatus: 'SUCCEEDED', errors: [], createdAt: this.createdAt.get(recordId) ?? this.clock.now() };
  }

  /** The products preflight reads; without any, a read is a test failure (no preflight asked). */
  readonly products = new Map<string, ProductFacts>();

  /** Adds a product as the reads see it (account 123456789012, AVAILABLE, no owner or role unless given). */
  product(id: string, facts: Partial<ProductFacts> = {}): this {
    this.products.set(id, {
      id,
      arn: `arn:aws:servicecatalog:us-east-1:123456789012:stack/p/${id}`,
      status: 'AVAILABLE',
      lastRecordId: `rec-seed-${id}`,
      owner: 'arn:aws:iam::123456789012:user/alice',
      ownerSession: 'arn:aws:iam::123456789012:user/alice',
      launchRole: '',
      ...facts,
    });
    return this;
  }

  #read(what: string, id: string): ProductFacts | undefined {
    if (this.products.size === 0) throw new Error(`the engine must not read products (${what} ${id}) without preflight`);
    this.log.push(`${what}:${id}`);
    return this.products.get(id);
  }

  async searchProduct(id: string): Promise<ProductFacts | undefined> {
    const facts = this.#read('search', id);
    return facts === undefined ? undefined : { ...facts, launchRole: undefined };
  }

  async describeProduct(id: string): Promise<ProductFacts> {
    const facts = this.#read('describe', id);
    if (facts === undefined) {
      throw new ServiceCatalogServiceException({
        name: 'ResourceNotFoundException',
        $fault: 'client',
        message: `${id} not found`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    return { ...facts, owner: undefined, ownerSession: undefined };
  }

  async searchPage(token: string | undefined): Promise<ProductPage> {
    return this.#page('search-page', token, 100, (facts) => ({ ...facts, launchRole: undefined }));
  }

  async scanPage(token: string | undefined): Promise<ProductPage> {
    return this.#page('scan-page', token, 20, (facts) => ({ ...facts, owner: undefined, ownerSession: undefined }));
  }

  #page(what: string, token: string | undefined, size: number, view: (facts: ProductFacts) => ProductFacts): ProductPage {
    const start = Number(token ?? '0');
    this.log.push(`${what}:${start}`);
    const all = [...this.products.values()].sort((a, b) => a.id.localeCompare(b.id));
    const next = start + size < all.length ? String(start + size) : undefined;
    return { products: all.slice(start, start + size).map(view), nextPageToken: next, total: all.length };
  }
}

export class MemoryJournal implements JournalPort {
  readonly states = new Map<string, TokenState>();
  readonly sent: JournalSent[] = [];
  readonly finished: JournalFinished[] = [];
  readonly lookups: string[] = [];

  constructor(readonly log: string[] = []) {}

  async lookup(token: string): Promise<TokenState | undefined> {
    this.lookups.push(token);
    return this.states.get(token);
  }

  /** What the ledger's first read of a product was, as firstRead answers it (empty: none). */
  readonly firstReads = new Map<string, FoundState>();

  async firstRead(productId: string): Promise<FoundState | undefined> {
    return this.firstReads.get(productId);
  }

  /** While set, a `sent` entry is not durable yet: its recordSent waits for this (the write-ahead tests release it). */
  hold: Promise<void> | undefined;

  async recordSent(entry: JournalSent): Promise<void> {
    this.sent.push(entry);
    this.log.push(`sent:${entry.provisionedProductId}`);
    await this.hold;
  }

  recordFinished(entry: JournalFinished): void {
    this.finished.push(entry);
    this.log.push(`finished:${entry.provisionedProductId}`);
  }
}

export class MemoryResults implements ResultsPort {
  readonly rows: RowResult[] = [];

  async write(result: RowResult): Promise<void> {
    this.rows.push(result);
  }

  byId(productId: string): RowResult {
    const found = this.rows.filter((r) => r.provisionedProductId === productId);
    if (found.length !== 1) throw new Error(`expected one result for ${productId}, got ${found.length}`);
    return found[0]!;
  }

  outcomes(): Record<string, string> {
    return Object.fromEntries(this.rows.map((r) => [r.provisionedProductId, r.outcome]));
  }
}

/** A valid row; pass `null` for an absent owner. */
export function row(line: number, id: string, owner: string | null = OWNER, launchRole?: string): TransferRow {
  return { line, provisionedProductId: id, newOwner: owner ?? undefined, launchRole, accountId: '123456789012', extra: { ticket: `T-${line}` } };
}

export const valid = (r: TransferRow, duplicateOfLine?: number): InputRecord => ({ kind: 'valid', row: r, duplicateOfLine });

/** An input stream that counts how many records were pulled from it. */
export class CountingInput implements AsyncIterable<InputRecord> {
  pulled = 0;
  constructor(readonly records: readonly InputRecord[]) {}

  async *[Symbol.asyncIterator](): AsyncIterator<InputRecord> {
    for (const record of this.records) {
      this.pulled += 1;
      yield record;
    }
  }
}

export const HEADER: HeaderMap = {
  columns: ['provisioned_product_id', 'new_owner', 'launch_role', 'ticket'],
  idColumn: 'provisioned_product_id',
  ownerColumn: 'new_owner',
  launchRoleColumn: 'launch_role',
  extraColumns: ['ticket'],
};

export interface Setup {
  readonly clock: ManualClock;
  readonly log: string[];
  readonly api: FakeApi;
  readonly journal: MemoryJournal;
  readonly results: MemoryResults;
  readonly controller: AbortController;
  readonly input: CountingInput;
  readonly options: TransferOptions;
}

/** One lane over `api` on the setup's clock, as the command builds it (every operation at 1000/s unless told). */
export function laneOf(clock: ManualClock, api: ServiceCatalogApi, options: Partial<LaneOptions> = {}): LaneRouter {
  // The engine's tests are not about finding the quota: the limiters start at their ceiling.
  return singleLane(new Lane({ name: 'test', api, maxRate: 1000, initialRate: 1000, clock, accessDeniedStreak: 5, ...options }));
}

/** TransferOptions to override, plus the lane's own options (its AccessDenied streak, say). */
export type SetupOverrides = Partial<TransferOptions> & {
  readonly lane?: Partial<LaneOptions>;
  /** A FakeApi subclass to use (one that answers DescribeRecord, say). */
  readonly makeApi?: (clock: ManualClock, log: string[]) => FakeApi;
};

export function setup(records: readonly InputRecord[], { lane, makeApi, ...overrides }: SetupOverrides = {}): Setup {
  const clock = new ManualClock();
  const log: string[] = [];
  const api = makeApi?.(clock, log) ?? new FakeApi(clock, log);
  const journal = new MemoryJournal(log);
  const results = new MemoryResults();
  const controller = new AbortController();
  const input = new CountingInput(records);
  const options: TransferOptions = {
    records: input,
    header: HEADER,
    totalRows: records.length,
    lanes: laneOf(clock, api, lane),
    sender: updateSender,
    journal,
    results,
    runId: 'run-1',
    concurrency: 2,
    retryPolicy: DEFAULT_RETRY_POLICY,
    failureBudget: parseFailureBudget('1000'),
    limit: undefined,
    clock,
    random: () => 0,
    signal: controller.signal,
    graceMs: 5000,
    ...overrides,
  };
  return { clock, log, api, journal, results, controller, input, options };
}

/** Lets simulated time run (in 10 ms steps) until the promise settles. */
export async function drive<T>(clock: ManualClock, promise: Promise<T>, maxSteps = 100_000): Promise<T> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < maxSteps && !done; i += 1) await clock.advance(10);
  if (!done) throw new Error('the run did not finish in simulated time');
  return promise;
}

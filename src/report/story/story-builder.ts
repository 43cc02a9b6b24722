/**
 * Builds the Story (story-types.ts) from ledgers fed entry by entry, in file order: the command
 * streams each checkpoint through `withCheckpoint`'s `onEntry` and never holds its entries. What is
 * kept: one draft per invocation (with its per-second counts), one per product (first read, last
 * targets, last state, a history of small numbers), and interned owner and role strings (a
 * migration has few distinct ones, and 100,000 products repeat them).
 */
import type { JournalBegin, JournalBody, JournalEnd, JournalFinished, JournalHeader, JournalSent } from '../../checkpoint/types.js';
import { accountOfArn } from '../../input/iam-arn.js';
import { OUTCOMES } from '../../outcomes.js';
import { buildAccounts, buildFailures } from './story-groups.js';
import { buildInvocation, type InvocationDraft } from './story-invocations.js';
import { emptyTally, type HistoryEvent, type ProductState, type StateTally, type Story, type StoryLedger, type StoryProduct } from './story-types.js';

export interface StoryOptions {
  /** The role session name a run id's runs across accounts use (aws/account-credentials.ts sessionNameFor). */
  readonly sessionNameFor: (runId: string) => string;
}

const STATE_CODES: readonly ProductState[] = ['in-flight', 'succeeded', 'submitted', 'skipped', 'failed'];

interface ProductDraft {
  line: number;
  region: string;
  previousOwner: string | undefined;
  previousOwnerSession: string;
  previousLaunchRole: string;
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
  /** invocation index × 8 + the state's code in STATE_CODES. */
  history: number[];
}

const timeOf = (iso: string): number | undefined => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

export class StoryBuilder {
  readonly #options: StoryOptions;
  readonly #ledgers: StoryLedger[] = [];
  readonly #invocations: InvocationDraft[] = [];
  readonly #products = new Map<string, ProductDraft>();
  readonly #strings = new Map<string, string>();
  /** The open invocation of the ledger being read (its `begin` seen, no `end` yet). */
  #open: InvocationDraft | undefined;
  #ledger = -1;

  constructor(options: StoryOptions) {
    this.#options = options;
  }

  /** Before a ledger's entries: they belong to it until the next call. */
  startLedger(): void {
    this.#ledger += 1;
    this.#open = undefined;
  }

  /** After a ledger's entries, with its header and what the scan counted. */
  endLedger(path: string, header: JournalHeader, scan: { readonly entries: number; readonly tornLastLine: boolean }): void {
    this.#ledgers.push({
      path,
      runId: header.runId,
      tokenScheme: header.tokenScheme,
      createdAt: header.createdAt,
      input: header.input,
      format: header.format,
      entries: scan.entries,
      tornLastLine: scan.tornLastLine,
    });
    this.#open = undefined;
  }

  add(entry: JournalBody): void {
    switch (entry.type) {
      case 'begin':
        this.#begin(entry);
        return;
      case 'end':
        this.#end(entry);
        return;
      case 'sent':
        this.#sent(entry);
        return;
      case 'finished':
        this.#finished(entry);
        return;
    }
  }

  #begin(entry: JournalBegin): InvocationDraft {
    const index = this.#invocations.length + 1;
    const draft: InvocationDraft = { index, ledger: this.#ledger, begin: entry, end: undefined, seconds: new Map(), rowThrottles: 0, lastAt: entry.startedAt };
    this.#invocations.push(draft);
    this.#open = draft;
    return draft;
  }

  #end(entry: JournalEnd): void {
    const open = this.#open;
    if (open === undefined || open.begin.invocation !== entry.invocation) return;
    open.end = entry;
    this.#open = undefined;
  }

  /** The invocation a row entry belongs to: the open one, or one standing for rows written before the ledger recorded invocations. */
  #current(at: string): InvocationDraft {
    if (this.#open !== undefined) return this.#open;
    const unrecorded: JournalBegin = {
      type: 'begin',
      invocation: '',
      command: 'run',
      mode: 'unrecorded',
      args: [],
      version: '',
      runId: '',
      input: '',
      callerArn: '',
      account: '',
      host: '',
      pid: 0,
      startedAt: at,
    };
    return this.#begin(unrecorded);
  }

  #intern(value: string | undefined): string {
    if (value === undefined || value === '') return '';
    const known = this.#strings.get(value);
    if (known !== undefined) return known;
    this.#strings.set(value, value);
    return value;
  }

  #product(entry: JournalSent | JournalFinished): ProductDraft {
    let product = this.#products.get(entry.provisionedProductId);
    if (product === undefined) {
      product = {
        line: entry.line,
        region: this.#intern(entry.region),
        previousOwner: undefined,
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
        history: [],
      };
      this.#products.set(entry.provisionedProductId, product);
    }
    // The first read, as ledger-changes.ts takes it: a read by a row that left the launch role alone did not read it.
    if (entry.previousOwner !== undefined) {
      if (product.previousOwner === undefined) {
        product.previousOwner = this.#intern(entry.previousOwner);
        product.previousOwnerSession = this.#intern(entry.previousOwnerSession);
      }
      if (!product.readLaunchRole && (entry.launchRole ?? '') !== '') {
        product.previousLaunchRole = this.#intern(entry.previousLaunchRole);
        product.readLaunchRole = true;
      }
    }
    if (entry.newOwner !== undefined || entry.launchRole !== undefined) {
      product.newOwner = this.#intern(entry.newOwner);
      product.launchRole = this.#intern(entry.launchRole);
    }
    if (entry.region !== undefined && product.region === '') product.region = this.#intern(entry.region);
    return product;
  }

  #sent(entry: JournalSent): void {
    const invocation = this.#current(entry.at);
    const product = this.#product(entry);
    product.state = 'in-flight';
    product.pending = true;
    product.lastAt = entry.at;
    product.history.push(invocation.index * 8);
    invocation.lastAt = entry.at;
  }

  #finished(entry: JournalFinished): void {
    const invocation = this.#current(entry.finishedAt);
    const product = this.#product(entry);
    const state: ProductState = entry.outcome;
    const { history } = product;
    const code = invocation.index * 8 + STATE_CODES.indexOf(state);
    // Its `sent` in this invocation is answered: the event is the outcome.
    if (history.at(-1) === invocation.index * 8) history[history.length - 1] = code;
    else history.push(code);
    // A later check that finds a changed product in its target (a reconcile night) leaves its state as the change left it.
    const stillAsChanged = entry.outcome === 'skipped' && product.applied && (product.state === 'succeeded' || product.state === 'submitted');
    // As ledger-changes.ts: found in target after its request left, the earlier request applied; failed, it changed nothing.
    if (OUTCOMES[entry.outcome].changedProduct || (entry.outcome === 'skipped' && product.pending)) product.applied = true;
    product.pending = false;
    if (!stillAsChanged) {
      product.state = state;
      product.recordId = entry.recordId;
      product.errorCode = this.#intern(entry.errorCode);
      product.errorMessage = entry.errorMessage;
      product.attempts = entry.attempts;
    }
    product.lastAt = entry.finishedAt;
    invocation.lastAt = entry.finishedAt;
    const second = timeOf(entry.finishedAt);
    if (second !== undefined) {
      const key = Math.floor(second / 1000);
      const counts = invocation.seconds.get(key) ?? [0, 0];
      if (OUTCOMES[entry.outcome].changedProduct) counts[0] += 1;
      counts[1] += entry.throttles ?? 0;
      invocation.seconds.set(key, counts);
    }
    invocation.rowThrottles += entry.throttles ?? 0;
  }

  build(): Story {
    const products: StoryProduct[] = [];
    // Each draft let go once it is a product (build is the last call): a large ledger holds one of the two at a time.
    for (const [provisionedProductId, draft] of this.#products) {
      products.push(this.#productOf(provisionedProductId, draft));
      this.#products.delete(provisionedProductId);
    }
    const tallies = invocationTallies(products, this.#invocations.length);
    const headerInputs = this.#ledgers.map((ledger) => ledger.input);
    const invocations = this.#invocations.map((draft, at) => buildInvocation(draft, headerInputs[draft.ledger] ?? '', tallies[at] ?? emptyTally()));
    const runIds = [
      ...new Set([...this.#ledgers.map((ledger) => ledger.runId), ...this.#invocations.map((draft) => draft.begin.runId)].filter((id) => id !== '')),
    ];
    if (runIds.length === 0) runIds.push('');
    const starts = invocations.map((invocation) => invocation.startedAt).filter((at) => timeOf(at) !== undefined);
    const ends = this.#invocations.map((draft) => draft.end?.endedAt ?? draft.lastAt).filter((at) => timeOf(at) !== undefined);
    const lastRun = [...invocations]
      .reverse()
      .find((invocation) => invocation.counts !== undefined && (invocation.mode === 'run' || invocation.mode === 'reconcile'));
    const { accounts, states, changed } = buildAccounts(products);
    return {
      ledgers: this.#ledgers,
      runIds,
      sessionNames: [...new Set(runIds.map(this.#options.sessionNameFor))],
      window: starts.length === 0 ? undefined : { from: starts.reduce(earliest), to: [...ends, ...starts].reduce(latest) },
      callers: [...new Set(invocations.map((invocation) => invocation.callerArn).filter((arn) => arn !== ''))],
      invocations,
      accounts,
      states,
      changed,
      resultsOnly: { drifted: lastRun?.counts?.drifted ?? 0, notStarted: lastRun?.counts?.notStarted ?? 0, invocation: lastRun?.index },
      failures: buildFailures(products),
      products,
      throttlesRecorded: this.#invocations.some((draft) => draft.rowThrottles > 0),
    };
  }

  #productOf(provisionedProductId: string, draft: ProductDraft): StoryProduct {
    const history: HistoryEvent[] = draft.history.map((code) => ({ invocation: Math.floor(code / 8), state: STATE_CODES[code % 8] ?? 'in-flight' }));
    return {
      provisionedProductId,
      line: draft.line,
      accountId: accountOfArn(draft.newOwner || draft.launchRole || draft.previousOwner || '') ?? '',
      region: draft.region,
      previousOwner: draft.previousOwnerSession || draft.previousOwner || '',
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
      history,
    };
  }
}

const earliest = (a: string, b: string): string => ((timeOf(b) ?? Infinity) < (timeOf(a) ?? Infinity) ? b : a);
const latest = (a: string, b: string): string => ((timeOf(b) ?? -Infinity) > (timeOf(a) ?? -Infinity) ? b : a);

/** Each invocation's own rows, by the last word of each product in it (from the products' histories). */
function invocationTallies(products: readonly StoryProduct[], count: number): StateTally[] {
  const tallies = Array.from({ length: count }, emptyTally);
  for (const { history } of products) {
    history.forEach((event, at) => {
      const next = history[at + 1];
      if (next !== undefined && next.invocation === event.invocation) return;
      const tally = tallies[event.invocation - 1];
      if (tally !== undefined) tally[event.state] += 1;
    });
  }
  return tallies;
}

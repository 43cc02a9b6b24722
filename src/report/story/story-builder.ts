/**
 * Builds the Story (story-types.ts) from ledgers fed entry by entry, in file order: the command
 * streams each checkpoint through `withCheckpoint`'s `onEntry` and never holds its entries. What is
 * kept: one draft per invocation (with its per-second counts) and one compact slot per product
 * (product-table.ts: first read, last targets, last state, a history of small numbers).
 */
import type { JournalBegin, JournalBody, JournalEnd, JournalFinished, JournalHeader, JournalSent } from '../../checkpoint/types.js';
import { OUTCOMES } from '../../outcomes.js';
import { buildAccounts, buildFailures } from './story-groups.js';
import { buildInvocation, type InvocationDraft } from './story-invocations.js';
import { historyCode, ProductTable, type ProductDraft } from './product-table.js';
import { emptyTally, type ProductState, type StateTally, type Story, type StoryLedger, type StoryProducts } from './story-types.js';

export interface StoryOptions {
  /** The role session name a run id's runs across accounts use (aws/account-credentials.ts sessionNameFor). */
  readonly sessionNameFor: (runId: string) => string;
}

const timeOf = (iso: string): number | undefined => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

export class StoryBuilder {
  readonly #options: StoryOptions;
  readonly #ledgers: StoryLedger[] = [];
  readonly #invocations: InvocationDraft[] = [];
  readonly #products = new ProductTable();
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

  /** The product's slot and draft, with what this entry tells of its first read and its targets. */
  #product(entry: JournalSent | JournalFinished): [number, ProductDraft] {
    const slot = this.#products.slotOf(entry.provisionedProductId, entry.line, entry.region ?? '');
    const product = this.#products.read(slot);
    // The first read, as ledger-changes.ts takes it: a read by a row that left the launch role alone did not read it.
    if (entry.previousOwner !== undefined) {
      if (!product.readOwner) {
        product.readOwner = true;
        product.previousOwner = entry.previousOwner;
        product.previousOwnerSession = entry.previousOwnerSession ?? '';
      }
      if (!product.readLaunchRole && (entry.launchRole ?? '') !== '') {
        product.previousLaunchRole = entry.previousLaunchRole ?? '';
        product.readLaunchRole = true;
      }
    }
    if (entry.newOwner !== undefined || entry.launchRole !== undefined) {
      product.newOwner = entry.newOwner ?? '';
      product.launchRole = entry.launchRole ?? '';
    }
    if (entry.region !== undefined && product.region === '') product.region = entry.region;
    return [slot, product];
  }

  #sent(entry: JournalSent): void {
    const invocation = this.#current(entry.at);
    const [slot, product] = this.#product(entry);
    product.state = 'in-flight';
    product.pending = true;
    product.lastAt = entry.at;
    this.#products.write(slot, product);
    this.#products.setLastEvent(slot, historyCode(invocation.index, 'in-flight'), false);
    invocation.lastAt = entry.at;
  }

  #finished(entry: JournalFinished): void {
    const invocation = this.#current(entry.finishedAt);
    const [slot, product] = this.#product(entry);
    const state: ProductState = entry.outcome;
    // Its `sent` in this invocation is answered: the event is the outcome.
    const answersSent = this.#products.lastEvent(slot) === historyCode(invocation.index, 'in-flight');
    this.#products.setLastEvent(slot, historyCode(invocation.index, state), answersSent);
    // A later check that finds a changed product in its target (a reconcile night) leaves its state as the change left it.
    const stillAsChanged = entry.outcome === 'skipped' && product.applied && (product.state === 'succeeded' || product.state === 'submitted');
    // As ledger-changes.ts: found in target after its request left, the earlier request applied; failed, it changed nothing.
    if (OUTCOMES[entry.outcome].changedProduct || (entry.outcome === 'skipped' && product.pending)) product.applied = true;
    product.pending = false;
    if (!stillAsChanged) {
      product.state = state;
      product.recordId = entry.recordId;
      product.errorCode = entry.errorCode;
      product.errorMessage = entry.errorMessage;
      product.attempts = entry.attempts;
    }
    product.lastAt = entry.finishedAt;
    this.#products.write(slot, product);
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
    const products = this.#products;
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
}

const earliest = (a: string, b: string): string => ((timeOf(b) ?? Infinity) < (timeOf(a) ?? Infinity) ? b : a);
const latest = (a: string, b: string): string => ((timeOf(b) ?? -Infinity) > (timeOf(a) ?? -Infinity) ? b : a);

/** Each invocation's own rows, by the last word of each product in it (from the products' histories). */
function invocationTallies(products: StoryProducts, count: number): StateTally[] {
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

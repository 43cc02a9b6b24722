/**
 * What a migration's ledger says it changed, product by product (pure: it is fed the ledger's
 * entries in file order). `undo` reads it instead of a results file, so nothing a later invocation
 * wrote (a verify, a reconcile night, another shard count) can hide a change:
 *
 * - a product counts as changed when a row's request left for it and that row did not end failed:
 *   `succeeded`, `submitted`, still in flight (killed after the write-ahead `sent`, outcome
 *   unknown), or found in its target by a later run after a `sent` (the earlier request applied);
 * - what to put back is the product's first read in the ledger: the state before the first change
 *   the ledger holds, so a canary, the run, reconciles and undo runs all undo to before the
 *   migration;
 * - which keys to put back: every key some change of the product set (owner, launch role).
 */
import { OUTCOMES } from '../outcomes.js';
import type { JournalRowEntry } from '../checkpoint/types.js';
import { accountOfArn } from '../input/iam-arn.js';
import type { ChangedRow } from './undo-plan.js';

interface ProductChanges {
  /** The first change's line (the undo row says which line it undoes). */
  line: number;
  firstRead: Pick<ChangedRow, 'previousOwner' | 'previousOwnerSession' | 'previousLaunchRole'> | undefined;
  /** Whether a read so far covered the launch role (preflight reads it only for a row that sets one). */
  readLaunchRole: boolean;
  /** Tokens whose request went out before any read: if one changed the product, the state before it is unknown. */
  blind: Set<string>;
  /** The last owner and launch role a change of it set ('' when none set that key). */
  owner: string;
  launchRole: string;
  accountId: string;
  region: string;
  finishedAt: string;
  /** Tokens whose request left, by whether their last word is that they changed (or may have). */
  sent: Map<string, boolean>;
  /** Tokens whose `finished` said succeeded or submitted. */
  applied: boolean;
}

export class LedgerChanges {
  readonly #products = new Map<string, ProductChanges>();

  add(entry: JournalRowEntry): void {
    const product = this.#productOf(entry);
    if (entry.previousOwner !== undefined) {
      const readsLaunchRole = (entry.launchRole ?? '') !== '';
      product.firstRead ??= {
        previousOwner: entry.previousOwner,
        previousOwnerSession: entry.previousOwnerSession ?? '',
        previousLaunchRole: entry.previousLaunchRole ?? '',
      };
      // A first read by a row that left the launch role alone did not read it ('' means "not
      // read", not "none"): the first later read that did is the launch role before any change of it.
      if (!product.readLaunchRole && readsLaunchRole) {
        product.firstRead = { ...product.firstRead, previousLaunchRole: entry.previousLaunchRole ?? '' };
        product.readLaunchRole = true;
      }
    }
    if (entry.type === 'sent') {
      if (product.firstRead === undefined) product.blind.add(entry.token);
      product.sent.set(entry.token, true);
      this.#noteTargets(product, entry);
      return;
    }
    // A journaled `skipped` (found in target) changed nothing: only an outcome that changed the product is undone.
    if (OUTCOMES[entry.outcome].changedProduct) {
      product.applied = true;
      this.#noteTargets(product, entry);
    } else if (entry.outcome === 'failed' && product.sent.has(entry.token)) {
      product.sent.set(entry.token, false);
    }
    if (product.finishedAt === '') product.finishedAt = entry.finishedAt;
  }

  /** One row per product the ledger changed, in order of the line that first changed it. */
  rows(): ChangedRow[] {
    const rows: ChangedRow[] = [];
    for (const [provisionedProductId, product] of this.#products) {
      const changed = product.applied || [...product.sent.values()].some(Boolean);
      if (!changed) continue;
      const blindChange = [...product.blind].some((token) => product.sent.get(token) === true);
      const read = blindChange ? undefined : product.firstRead;
      rows.push({
        line: product.line,
        provisionedProductId,
        newOwner: product.owner,
        launchRole: product.launchRole,
        changed,
        previousOwner: read?.previousOwner ?? '',
        previousOwnerSession: read?.previousOwnerSession ?? '',
        previousLaunchRole: read?.previousLaunchRole ?? '',
        finishedAt: product.finishedAt,
        accountId: product.accountId,
        region: product.region,
      });
    }
    return rows.sort((a, b) => a.line - b.line);
  }

  #productOf(entry: JournalRowEntry): ProductChanges {
    let product = this.#products.get(entry.provisionedProductId);
    if (product === undefined) {
      product = {
        line: entry.line,
        firstRead: undefined,
        readLaunchRole: false,
        blind: new Set(),
        owner: '',
        launchRole: '',
        accountId: '',
        region: '',
        finishedAt: '',
        sent: new Map(),
        applied: false,
      };
      this.#products.set(entry.provisionedProductId, product);
    }
    return product;
  }

  #noteTargets(product: ProductChanges, entry: JournalRowEntry): void {
    if (entry.newOwner) product.owner = entry.newOwner;
    if (entry.launchRole) product.launchRole = entry.launchRole;
    if (entry.region !== undefined && product.region === '') {
      // The journal keeps no account: the row's ARNs name it. Only rows with a region cell kept one.
      product.region = entry.region;
      product.accountId = accountOfArn(entry.newOwner || entry.launchRole || '') ?? '';
    }
  }
}

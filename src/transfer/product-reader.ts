/**
 * Preflight's reads: what a product looks like now, before anything is decided for its row.
 *
 * Only SearchProvisionedProducts tells the owner and only DescribeProvisionedProduct /
 * ScanProvisionedProducts tell the launch role, so a row costs one read (Search, filtered on its
 * id) or two (and Describe, when the row changes the launch role). For a CSV that covers a large
 * part of the account, reading the whole account a page at a time is cheaper: Search serves 100
 * products a page and Scan 20. `chooseProductReader` compares the two costs once the first Search
 * page has said how many products the account has, and keeps from the pages only the products the
 * CSV names, in fixed-size slots (`product-snapshot.ts`).
 *
 * Every read goes through its own operation's limiter in the lane, so a throttled read never
 * slows the writes, with the same retry policy as the writes.
 */
import type { ClassifiedError } from '../aws/classify-error.js';
import { SCAN_PAGE_SIZE, SEARCH_PAGE_SIZE, type ProductFacts, type ProductPage } from '../aws/service-catalog-api.js';
import type { ProductIds } from '../input/product-index.js';
import type { TransferRow } from '../input/types.js';
import type { Lane } from './lane.js';
import { ProductSnapshot } from './product-snapshot.js';
import type { AttemptOptions } from './row-sender.js';
import { sendWithRetry } from './send-with-retry.js';

export type ReadAnswer =
  { readonly kind: 'found'; readonly facts: ProductFacts } | { readonly kind: 'not-found' } | { readonly kind: 'failed'; readonly error: ClassifiedError };

export interface ProductReader {
  /** How the reader was chosen, for the log: `per-row`, or `account` with the pages read. */
  readonly strategy: string;
  /** The product of `row` now, covering what the row changes (its owner always, its launch role when the row sets one). */
  read(row: TransferRow, lane: Lane, attempt: AttemptOptions): Promise<ReadAnswer>;
  /** What the reader already holds of `row`'s product, with no call; undefined when it holds nothing complete. */
  peek?(row: TransferRow): ProductFacts | undefined;
}

/** One or two reads per row: Search for the owner, Describe for the launch role. */
export const perRowReader: ProductReader = {
  strategy: 'per-row',
  async read(row, lane, attempt) {
    const id = row.provisionedProductId;
    const searched = await sendWithRetry((signal) => lane.api.searchProduct(id, signal), { ...attempt, limiter: lane.limiter('SearchProvisionedProducts') });
    if (!searched.ok) return { kind: 'failed', error: searched.error };
    if (searched.value === undefined) return { kind: 'not-found' };
    if (row.launchRole === undefined) return { kind: 'found', facts: searched.value };
    const described = await sendWithRetry((signal) => lane.api.describeProduct(id, signal), {
      ...attempt,
      limiter: lane.limiter('DescribeProvisionedProduct'),
    });
    if (!described.ok) return described.error.code === 'ResourceNotFoundException' ? { kind: 'not-found' } : { kind: 'failed', error: described.error };
    return { kind: 'found', facts: { ...searched.value, launchRole: described.value.launchRole, status: described.value.status } };
  },
};

/**
 * Answers from an account-wide read. A product the pages did not show (created since, say) is
 * read on its own, so "not found" is always the service's word, never the snapshot's.
 */
export function snapshotReader(snapshot: Pick<ProductSnapshot, 'get'>, pages: number): ProductReader {
  const peek = (row: TransferRow): ProductFacts | undefined => {
    const facts = snapshot.get(row.provisionedProductId);
    const incomplete = facts === undefined || facts.owner === undefined || (row.launchRole !== undefined && facts.launchRole === undefined);
    return incomplete ? undefined : facts;
  };
  return {
    strategy: `account (${pages} pages read)`,
    async read(row, lane, attempt) {
      const facts = peek(row);
      return facts === undefined ? perRowReader.read(row, lane, attempt) : { kind: 'found', facts };
    },
    peek,
  };
}

/** What the CSV asks of the account: its product ids, and how many of its rows set a launch role. */
export interface ReadPlanInput {
  readonly productIds: ProductIds;
  readonly rowsSettingLaunchRole: number;
}

/** Calls per-row reads would cost. */
export function perRowCost({ productIds, rowsSettingLaunchRole }: ReadPlanInput): number {
  return productIds.size + rowsSettingLaunchRole;
}

/** Calls an account-wide read would cost for an account of `accountSize` products. */
export function accountReadCost(accountSize: number, needsLaunchRoles: boolean): number {
  const searchPages = Math.max(1, Math.ceil(accountSize / SEARCH_PAGE_SIZE));
  return searchPages + (needsLaunchRoles ? Math.max(1, Math.ceil(accountSize / SCAN_PAGE_SIZE)) : 0);
}

export type ChooseAnswer = { readonly kind: 'chosen'; readonly reader: ProductReader } | { readonly kind: 'failed'; readonly error: ClassifiedError };

/**
 * Picks the cheaper way to read the CSV's products. A CSV of a row or two is read per row without
 * asking; otherwise the first Search page (one call) tells the account's size, and the account is
 * read page by page only when that costs fewer calls than reading per row.
 */
export async function chooseProductReader(input: ReadPlanInput, lane: Lane, attempt: AttemptOptions): Promise<ChooseAnswer> {
  const perRow = perRowCost(input);
  if (perRow <= 2) return { kind: 'chosen', reader: perRowReader };
  const searchPage = (token: string | undefined) =>
    sendWithRetry((signal) => lane.api.searchPage(token, signal), { ...attempt, limiter: lane.limiter('SearchProvisionedProducts') });
  const first = await searchPage(undefined);
  if (!first.ok) return { kind: 'failed', error: first.error };
  const accountSize = first.value.total ?? Number.POSITIVE_INFINITY;
  const needsLaunchRoles = input.rowsSettingLaunchRole > 0;
  // The first page is spent either way: compare what is left to pay.
  if (accountReadCost(accountSize, needsLaunchRoles) - 1 >= perRow) return { kind: 'chosen', reader: perRowReader };

  const snapshot = new ProductSnapshot();
  let pages = 1;
  // Only the CSV's products, and only what a row's judgement needs (the ARN tells the product's
  // account; not the review fields plan shows), in fixed-size slots (product-snapshot.ts).
  const keepSearched = (page: ProductPage) => {
    for (const facts of page.products) if (input.productIds.has(facts.id)) snapshot.set(facts);
  };
  keepSearched(first.value);
  for (let token = first.value.nextPageToken; token !== undefined;) {
    const page = await searchPage(token);
    if (!page.ok) return { kind: 'failed', error: page.error };
    pages += 1;
    keepSearched(page.value);
    token = page.value.nextPageToken;
  }
  if (needsLaunchRoles) {
    // Scan adds the launch role (and a fresher status) to what Search said of the owner; a product
    // Search did not show (created since) is kept as Scan tells it, with no owner, so its row reads it alone.
    for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
      const page = await sendWithRetry((signal) => lane.api.scanPage(token, signal), { ...attempt, limiter: lane.limiter('ScanProvisionedProducts') });
      if (!page.ok) return { kind: 'failed', error: page.error };
      pages += 1;
      for (const facts of page.value.products) {
        if (input.productIds.has(facts.id) && !snapshot.setStatusAndLaunchRole(facts.id, facts.status, facts.launchRole)) snapshot.set(facts);
      }
      token = page.value.nextPageToken;
    }
  }
  return { kind: 'chosen', reader: snapshotReader(snapshot, pages) };
}

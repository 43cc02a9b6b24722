/**
 * `plan`'s one pass over the account: every provisioned product, whole-account access, Search
 * sorted by id (unsorted pages can repeat or skip products on AWS), duplicates dropped by id, the
 * count checked against TotalResultsCount. Launch roles, which only Scan and Describe tell, are
 * read first with Scan when a rule needs them. A fixed number of list calls for the account,
 * whatever the number of owners in the plan.
 */
import type { ClassifiedError } from '../aws/classify-error.js';
import type { ProductFacts } from '../aws/service-catalog-api.js';
import type { Lane } from '../transfer/lane.js';
import type { AttemptOptions } from '../transfer/row-sender.js';
import { sendWithRetry } from '../transfer/send-with-retry.js';

export interface AccountPass {
  readonly searchPages: number;
  readonly scanPages: number;
  /** Distinct products seen. */
  readonly products: number;
  /** TotalResultsCount as Search gave it. */
  readonly total: number | undefined;
  readonly warnings: readonly string[];
}

export type AccountPassAnswer = { readonly kind: 'done'; readonly pass: AccountPass } | { readonly kind: 'failed'; readonly error: ClassifiedError };

export async function listAccount(
  lane: Lane,
  attempt: AttemptOptions,
  options: { readonly launchRoles: boolean },
  onProduct: (facts: ProductFacts) => void,
): Promise<AccountPassAnswer> {
  const launchRoleOf = new Map<string, string>();
  let scanPages = 0;
  if (options.launchRoles) {
    for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
      const page = await sendWithRetry((signal) => lane.api.scanPage(token, signal), { ...attempt, limiter: lane.limiter('ScanProvisionedProducts') });
      if (!page.ok) return { kind: 'failed', error: page.error };
      scanPages += 1;
      for (const product of page.value.products) launchRoleOf.set(product.id, product.launchRole ?? '');
      token = page.value.nextPageToken;
    }
  }
  const seen = new Set<string>();
  let searchPages = 0;
  let total: number | undefined;
  for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
    const page = await sendWithRetry((signal) => lane.api.searchPage(token, signal), { ...attempt, limiter: lane.limiter('SearchProvisionedProducts') });
    if (!page.ok) return { kind: 'failed', error: page.error };
    searchPages += 1;
    total ??= page.value.total;
    for (const product of page.value.products) {
      if (seen.has(product.id)) continue;
      seen.add(product.id);
      onProduct(options.launchRoles ? { ...product, launchRole: launchRoleOf.get(product.id) } : product);
    }
    token = page.value.nextPageToken;
  }
  const warnings =
    total !== undefined && total !== seen.size
      ? [
          `Search said the account has ${total} products (TotalResultsCount), the pages gave ${seen.size}: products may have been created or deleted meanwhile; review the plan, or plan again`,
        ]
      : [];
  return { kind: 'done', pass: { searchPages, scanPages, products: seen.size, total, warnings } };
}

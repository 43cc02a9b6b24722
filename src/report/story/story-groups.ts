/** The story's tallies over products: per account and region, and failures grouped by reason. */
import { adviceFor, failureReason } from './failure-reasons.js';
import { emptyTally, type FailureGroup, type StateTally, type StoryAccount, type StoryProduct } from './story-types.js';

/** Examples a failure group names. */
const EXAMPLES = 5;

export function buildAccounts(products: Iterable<StoryProduct>): { accounts: StoryAccount[]; states: StateTally; changed: number } {
  const byPlace = new Map<string, { accountId: string; region: string; products: number; changed: number; states: StateTally }>();
  const states = emptyTally();
  let changed = 0;
  for (const product of products) {
    const key = `${product.accountId}/${product.region}`;
    let place = byPlace.get(key);
    if (place === undefined) {
      place = { accountId: product.accountId, region: product.region, products: 0, changed: 0, states: emptyTally() };
      byPlace.set(key, place);
    }
    place.products += 1;
    place.states[product.state] += 1;
    states[product.state] += 1;
    if (product.changed) {
      place.changed += 1;
      changed += 1;
    }
  }
  const accounts = [...byPlace.values()].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  return { accounts, states, changed };
}

/** Products whose last state is failed, grouped by reason and error code, largest group first. */
export function buildFailures(products: Iterable<StoryProduct>): FailureGroup[] {
  const groups = new Map<string, { reason: string; errorCode: string; products: number; advice: string; examples: string[]; message: string }>();
  for (const product of products) {
    if (product.state !== 'failed') continue;
    const reason = failureReason({ errorCode: product.errorCode, errorMessage: product.errorMessage, attempts: product.attempts });
    const key = `${reason}\u0000${product.errorCode}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { reason, errorCode: product.errorCode, products: 0, advice: adviceFor(reason), examples: [], message: product.errorMessage };
      groups.set(key, group);
    }
    group.products += 1;
    if (group.examples.length < EXAMPLES) group.examples.push(product.provisionedProductId);
  }
  return [...groups.values()].sort((a, b) => b.products - a.products || a.reason.localeCompare(b.reason));
}

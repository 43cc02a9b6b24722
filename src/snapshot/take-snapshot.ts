/**
 * `snapshot`'s reads, place by place (an account in a region): every provisioned product with
 * Search and Scan only (plan/list-account.ts: a fixed number of pages, sorted by id, duplicates
 * dropped, launch roles from Scan), then, once per account, the IAM principals its products name
 * (read-principals.ts). A place whose listing fails is named and left out, the others are kept;
 * an interrupt ends it with nothing kept. Reports through callbacks and never prints.
 */
import type { IdentityApi } from '../aws/identity-api.js';
import type { ProductFacts } from '../aws/service-catalog-api.js';
import { accountOfArn } from '../input/iam-arn.js';
import { listAccount } from '../plan/list-account.js';
import type { AdaptiveRateLimiter } from '../transfer/adaptive-limiter.js';
import type { Lane } from '../transfer/lane.js';
import type { AttemptOptions } from '../transfer/row-sender.js';
import { readPrincipals } from './read-principals.js';
import type { AccountSnapshot } from './snapshot-seed.js';

export interface SnapshotPlace {
  /** `default`, or `account` / `account/region` across accounts. */
  readonly key: string;
  readonly accountId: string;
  readonly region: string;
  readonly lane: Lane;
  readonly identity: IdentityApi;
  readonly access?: AccountSnapshot['access'];
}

export interface PlaceNotRead {
  readonly key: string;
  readonly accountId: string;
  readonly reason: string;
}

export interface SnapshotReads {
  readonly accounts: readonly AccountSnapshot[];
  readonly notRead: readonly PlaceNotRead[];
  /** Pages read in all. */
  readonly searchPages: number;
  readonly scanPages: number;
}

export interface SnapshotEvents {
  /** A place listed in full. */
  onPlaceRead?(place: SnapshotPlace, products: number): void;
  /** An account's principals looked up. */
  onPrincipalsRead?(accountId: string, found: number, missing: number): void;
  /** Search's count and its pages disagreed (products created or deleted meanwhile). */
  onWarning?(place: SnapshotPlace, warning: string): void;
}

export async function takeSnapshot(
  places: readonly SnapshotPlace[],
  options: {
    readonly attempt: AttemptOptions;
    readonly iamLimiter: AdaptiveRateLimiter;
    /** Users and roles looked up besides those the products name (the migration's targets), each in its own account. */
    readonly principals?: readonly string[];
    readonly events?: SnapshotEvents;
  },
): Promise<SnapshotReads | 'aborted'> {
  const { attempt, iamLimiter, events } = options;
  const read = new Map<string, { place: SnapshotPlace; products: ProductFacts[] }[]>();
  const notRead: PlaceNotRead[] = [];
  let searchPages = 0;
  let scanPages = 0;
  for (const place of places) {
    if (place.lane.stoppedBy !== undefined) continue;
    const products: ProductFacts[] = [];
    const answer = await listAccount(place.lane, attempt, { launchRoles: true }, (facts) => products.push(facts));
    if (answer.kind === 'failed') {
      if (answer.error.kind === 'aborted') return 'aborted';
      notRead.push({ key: place.key, accountId: place.accountId, reason: `listing failed (${answer.error.code}: ${answer.error.message})` });
      continue;
    }
    searchPages += answer.pass.searchPages;
    scanPages += answer.pass.scanPages;
    for (const warning of answer.pass.warnings) events?.onWarning?.(place, warning);
    events?.onPlaceRead?.(place, products.length);
    read.set(place.accountId, [...(read.get(place.accountId) ?? []), { place, products }]);
  }
  const accounts: AccountSnapshot[] = [];
  for (const [accountId, placesRead] of read) {
    const named = [
      ...placesRead.flatMap(({ products }) => products.flatMap((product) => [product.owner ?? '', product.launchRole ?? ''])),
      ...(options.principals ?? []),
    ];
    // IAM is global to the account: read once, with the first place's credentials.
    const first = placesRead[0]!.place;
    const iam = await readPrincipals(
      named.filter((arn) => accountOfArn(arn) === accountId),
      { identity: first.identity, iamLimiter },
      attempt,
    );
    if (iam instanceof Error) return 'aborted';
    if (iam.kind === 'read') events?.onPrincipalsRead?.(accountId, iam.principals.length, iam.missing.length);
    accounts.push({
      accountId,
      places: placesRead.map(({ place, products }) => ({ region: place.region, products })),
      iam,
      ...(first.access === undefined ? {} : { access: first.access }),
    });
  }
  return { accounts, notRead, searchPages, scanPages };
}

/**
 * What `snapshot` says on stdout when it has written its seed: what it read per account and
 * region, the principals IAM knew and did not, what it left out and why, which places it could
 * not read, and the command that starts the local Service Catalog on the copy.
 */
import type { AccountSnapshot, LeftOutProduct } from '../snapshot/snapshot-seed.js';
import type { PlaceNotRead, SnapshotReads } from '../snapshot/take-snapshot.js';

export interface SnapshotSummaryInput {
  readonly out: string;
  readonly reads: SnapshotReads;
  readonly leftOut: readonly LeftOutProduct[];
  /** Places not reached at all (their role could not be assumed), besides those whose listing failed. */
  readonly notReached: readonly PlaceNotRead[];
  /** The caller as STS named it: the copy's `--caller-arn`. */
  readonly callerArn: string;
}

/** At most this many left-out products are named one by one. */
const NAMED_LEFT_OUT = 20;

export function renderSnapshotSummary({ out, reads, leftOut, notReached, callerArn }: SnapshotSummaryInput): string {
  const products = reads.accounts.reduce((sum, account) => sum + account.places.reduce((n, place) => n + place.products.length, 0), 0) - leftOut.length;
  const regions = new Set(reads.accounts.flatMap((account) => account.places.map((place) => place.region)));
  const missed = [...notReached, ...reads.notRead];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `Snapshot: ${plural(products, 'product')} in ${plural(reads.accounts.length, 'account')} and ${plural(regions.size, 'region')}, written to ${out}`,
    ...reads.accounts.map((account) => `  ${accountLine(account)}`),
    ...(leftOut.length === 0
      ? []
      : [
          `  left out: ${plural(leftOut.length, 'product')} the local Service Catalog cannot hold:`,
          ...leftOut.slice(0, NAMED_LEFT_OUT).map((product) => `    ${product.accountId} ${product.region} ${product.id}  ${product.why}`),
          ...(leftOut.length > NAMED_LEFT_OUT ? [`    and ${leftOut.length - NAMED_LEFT_OUT} more (--log-level debug names them all)`] : []),
        ]),
    `  read: ${plural(reads.searchPages, 'Search page')} and ${plural(reads.scanPages, 'Scan page')}`,
    ...(missed.length === 0
      ? []
      : [
          `  INCOMPLETE: ${missed.length === 1 ? '1 account or region was' : `${missed.length} accounts or regions were`} not read, and ${missed.length === 1 ? 'is' : 'are'} not in the snapshot:`,
          ...missed.map(({ key, reason }) => `    ${key}  ${reason}`),
        ]),
    `Rehearse on it: sc-owner-transfer emulator --seed ${out} --caller-arn ${callerArn}`,
    '',
  ].join('\n');
}

function accountLine(account: AccountSnapshot): string {
  const places = account.places.map((place) => `${place.region} ${place.products.length}`).join(', ');
  const iam =
    account.iam.kind === 'read'
      ? `principals: ${account.iam.principals.length} found${account.iam.missing.length === 0 ? '' : `, ${account.iam.missing.length} missing (${account.iam.missing.join(' ')})`}`
      : `IAM not read (${account.iam.why}): the copy says every user and role exists there`;
  return `${account.accountId}  products: ${places}; ${iam}`;
}

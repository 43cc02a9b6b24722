/**
 * The places a command lists across accounts (`plan`): every account named (the accounts file,
 * `--account`, the accounts of the rules' ARNs), in each `--region` or in its own region, each
 * with its lane, and reached first: an account that cannot be reached is named, not listed.
 */
import { ACCOUNT_ID_PATTERN } from '../input/iam-arn.js';
import { placeKey } from '../input/scan.js';
import type { IdentityApi } from '../aws/identity-api.js';
import type { Lane } from '../transfer/lane.js';
import { openAccountLanes, type AccountLaneDeps, type AccountLaneSettings } from './account-lanes.js';
import { readAccountsFile } from './read-accounts-file.js';
import { reachAccounts, type UnreachableAccount } from './reach-accounts.js';

export interface PlaceSettings extends AccountLaneSettings {
  readonly accountsFile: string | undefined;
  /** Accounts named besides the accounts file's; anything that is not 12 digits is left out. */
  readonly accountIds: readonly string[];
  /** `--region`, repeatable: each account in each; none: each account in its own (file, flag, environment). */
  readonly regions: readonly string[];
}

export interface PlaceToList {
  readonly key: string;
  readonly lane: Lane;
  readonly accountId: string;
  /** The region the account is listed in, as its lane resolved it ('' when the profile decides). */
  readonly region: string;
  /** The account's STS and IAM reads, with its credentials. */
  readonly identity: IdentityApi;
}

export interface ReachedPlaces {
  readonly places: readonly PlaceToList[];
  readonly notReached: readonly UnreachableAccount[];
  readonly destroy: () => void;
}

/** Throws an AccountSetupError for an accounts file that cannot be read or is not valid. */
export async function reachPlaces(settings: PlaceSettings, deps: AccountLaneDeps & { readonly signal: AbortSignal }): Promise<ReachedPlaces> {
  const accountsFile = await readAccountsFile(settings.accountsFile);
  const named = [...(accountsFile?.keys() ?? []), ...settings.accountIds].filter((account) => ACCOUNT_ID_PATTERN.test(account));
  const planned = new Map<string, { accountId: string; region: string | undefined }>();
  for (const accountId of [...new Set(named)].sort()) {
    if (settings.regions.length === 0) planned.set(accountId, { accountId, region: undefined });
    for (const region of settings.regions) planned.set(placeKey(accountId, region), { accountId, region });
  }
  const opened = openAccountLanes(planned, settings, accountsFile, deps);
  const notReached = await reachAccounts(opened.lanes, opened.identities, deps.signal);
  const places = [...planned].map(([key, place]) => ({
    key,
    lane: opened.lanes.get(key)!,
    identity: opened.identities.get(key)!.identity,
    accountId: place.accountId,
    region: place.region ?? accountsFile?.get(place.accountId)?.region ?? settings.region ?? '',
  }));
  return { places, notReached, destroy: opened.destroy };
}

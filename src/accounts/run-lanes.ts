/**
 * The lanes of a run: one per account and region of the input across accounts (each reached
 * first, its targets checked), else the caller's own, after the identity checks. What the checks
 * found rides along for the engine (target problems) and the log (warnings, accounts not reached).
 */
import type { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import type { CredentialSource } from '../aws/credential-source.js';
import type { HttpAgents } from '../aws/http-agents.js';
import type { IdentityApi } from '../aws/identity-api.js';
import { createServiceCatalogApi } from '../aws/service-catalog-api.js';
import type { Clock } from '../clock.js';
import type { InputScan } from '../input/types.js';
import { Lane, placeLanes, singleLane, type LaneRouter } from '../transfer/lane.js';
import type { ReadPlanInput } from '../transfer/product-reader.js';
import type { TargetProblem } from '../transfer/target-check.js';
import { openAccountLanes, type AccountLaneSettings } from './account-lanes.js';
import { AccountSetupError } from './account-setup-error.js';
import { checkIdentity, type IdentityFindings } from './identity-check.js';
import { readAccountsFile } from './read-accounts-file.js';
import { checkAccountTargets, reachAccounts, type UnreachableAccount } from './reach-accounts.js';

export interface RunLaneSettings extends AccountLaneSettings {
  readonly acrossAccounts: boolean;
  readonly accountsFile: string | undefined;
  readonly expectAccounts: readonly string[];
  readonly targetCheck: boolean;
}

export interface RunLaneDeps {
  readonly agents: HttpAgents;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** A dry run that reads nothing reaches no account and checks nothing. */
  readonly readsAws: boolean;
  readonly defaultRegion: string | undefined;
  /**
   * The caller's own clients (the lane of a run in one account, and its identity checks), and the
   * command's credentials they use, which every account's lane shares (aws/credential-source.ts).
   */
  readonly caller: { readonly client: ServiceCatalogClient; readonly identity: IdentityApi; readonly credentials: CredentialSource };
}

/** The lanes of a run (one, or one per account and region), what the checks before it found, and the accounts not reached. */
export interface RunLanes {
  readonly router: LaneRouter;
  readonly findings: IdentityFindings;
  readonly unreachable: readonly UnreachableAccount[];
  /** Across accounts: destroys the lanes' own clients, when the run ends. */
  readonly destroy: () => void;
}

/** Throws an AccountSetupError for what the operator must fix first (nothing is sent). */
export async function setUpRunLanes(settings: RunLaneSettings, scan: InputScan, deps: RunLaneDeps): Promise<RunLanes> {
  if (!settings.acrossAccounts && [...scan.places.values()].some((place) => place.region !== undefined)) {
    throw new AccountSetupError(
      'REGION_NEEDS_ACCOUNTS',
      'the input names a region for some rows (its region column), which only a run across accounts follows: give --assume-role-name or --accounts, or empty the column and pass --region; nothing was sent',
    );
  }
  if (settings.acrossAccounts) return setUpAccountLanes(settings, scan, deps);
  const findings = deps.readsAws
    ? await checkIdentity(settings, scan.targets, deps.caller.identity, deps.signal)
    : { account: undefined, targetProblems: new Map<string, TargetProblem>(), warnings: [] };
  const api = createServiceCatalogApi(deps.caller.client, settings.acceptLanguage);
  const lane = new Lane({ name: settings.profile ?? 'default', api, maxRate: settings.ratePerSecond, clock: deps.clock });
  return { router: singleLane(lane), unreachable: [], findings, destroy: () => undefined };
}

async function setUpAccountLanes(settings: RunLaneSettings, scan: InputScan, deps: RunLaneDeps): Promise<RunLanes> {
  const accountsFile = await readAccountsFile(settings.accountsFile);
  const accounts = [...new Set([...scan.places.values()].map((place) => place.accountId))];
  const unexpected = settings.expectAccounts.length === 0 ? [] : accounts.filter((account) => !settings.expectAccounts.includes(account));
  if (unexpected.length > 0) {
    throw new AccountSetupError(
      'UNEXPECTED_ACCOUNT',
      `the input has rows of account${unexpected.length === 1 ? '' : 's'} ${unexpected.join(', ')}, not among --expect-account ${settings.expectAccounts.join(', ')}: wrong file? Nothing was sent`,
    );
  }
  // A place of duplicate lines alone (their region cell differs from the first line's) sends nothing: no lane.
  const places = new Map([...scan.places].filter(([, place]) => place.rows > 0));
  const { lanes, identities, destroy } = openAccountLanes(places, settings, accountsFile, { ...deps, credentials: deps.caller.credentials });
  const none = { account: undefined, targetProblems: new Map<string, TargetProblem>(), warnings: [] };
  if (!deps.readsAws) return { router: placeLanes(lanes), unreachable: [], findings: none, destroy };

  const unreachable = await reachAccounts(lanes, identities, deps.signal);
  const targets = { owners: [...scan.targets.owners.keys()], launchRoles: [...scan.targets.launchRoles.keys()] };
  const { targetProblems, warnings } = settings.targetCheck ? await checkAccountTargets(targets, identities, unreachable, deps.signal) : none;
  return { router: placeLanes(lanes), unreachable, findings: { account: undefined, targetProblems, warnings }, destroy };
}

/** What one lane's rows ask of its account: their count, and the input's ids to keep from an account-wide read. */
export function lanePlan(scan: InputScan, lane: string): ReadPlanInput {
  const rows = scan.places.get(lane)?.rows ?? 0;
  return { productIds: { size: rows, has: (id: string) => scan.products.has(id) }, rowsSettingLaunchRole: Math.min(rows, scan.rowsSettingLaunchRole) };
}

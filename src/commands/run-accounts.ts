/**
 * `run` across accounts (`--assume-role-name` / `--accounts`): wiring only. One lane per account
 * and region of the input, each with its own credentials (aws/account-credentials.ts), client and
 * limiters; then, before the first write, each account is reached (STS GetCallerIdentity with its
 * own credentials, which is where a role that cannot be assumed shows) and its targets checked
 * (IAM, once per account). An account that cannot be reached stops its lane only: its rows are
 * `not-started` with the reason, the others go on, and the run exits 7.
 */
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { accessFor, credentialsFor, sessionNameFor } from '../aws/account-credentials.js';
import { createServiceCatalogClient } from '../aws/client.js';
import type { HttpAgents } from '../aws/http-agents.js';
import { createIdentityApi, type IdentityApi } from '../aws/identity-api.js';
import { createServiceCatalogApi, type AcceptLanguage } from '../aws/service-catalog-api.js';
import type { Clock } from '../clock.js';
import { errorText, readErrorText } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseAccountsFile, type AccountAccessEntry } from '../input/accounts-file.js';
import type { InputScan } from '../input/types.js';
import type { PlaceColumnName } from '../report/types.js';
import type { ReadPlanInput } from '../transfer/product-reader.js';
import { Lane, placeLanes, type LaneRouter } from '../transfer/lane.js';
import { checkTargets, type TargetProblem } from '../transfer/target-check.js';
import type { RunConfig } from './run-options.js';
import { Refusal } from './steps.js';

/** Accounts reached at once before the run (each is one or two STS calls). */
const REACH_CONCURRENCY = 8;

export interface UnreachableAccount {
  readonly lane: string;
  readonly accountId: string;
  readonly reason: string;
}

export interface AccountLanes {
  readonly router: LaneRouter;
  readonly unreachable: readonly UnreachableAccount[];
  readonly targetProblems: ReadonlyMap<string, TargetProblem>;
  readonly warnings: readonly string[];
  readonly destroy: () => void;
}

export interface AccountLaneDeps {
  readonly agents: HttpAgents;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** A dry run that reads nothing reaches no account. */
  readonly readsAws: boolean;
  /** `--region`, or the environment's (AWS_REGION): the partition of roles to assume when a row names no region. */
  readonly defaultRegion: string | undefined;
}

/** The accounts file, read and checked; a Refusal (exit 2) names every problem with its line. */
export async function readAccountsFile(path: string | undefined): Promise<ReadonlyMap<string, AccountAccessEntry> | undefined | Refusal> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return new Refusal(ExitCode.Usage, `--accounts '${path}': ${readErrorText(error)}; nothing was sent`);
  }
  const parsed = parseAccountsFile(text, path);
  if ('problems' in parsed)
    return new Refusal(
      ExitCode.Usage,
      [`--accounts ${path} is not a valid accounts file; nothing was sent:`, ...parsed.problems.map((p) => `  ${p}`)].join('\n'),
    );
  return parsed.entries;
}

export async function setUpAccountLanes(config: RunConfig, scan: InputScan, deps: AccountLaneDeps): Promise<AccountLanes | Refusal> {
  const accountsFile = await readAccountsFile(config.accountsFile);
  if (accountsFile instanceof Refusal) return accountsFile;
  const accounts = [...new Set([...scan.places.values()].map((place) => place.accountId))];
  if (config.expectAccounts.length > 0) {
    const unexpected = accounts.filter((account) => !config.expectAccounts.includes(account));
    if (unexpected.length > 0) {
      return new Refusal(
        ExitCode.Usage,
        `the input has rows of account${unexpected.length === 1 ? '' : 's'} ${unexpected.join(', ')}, not among --expect-account ${config.expectAccounts.join(', ')}: wrong file? Nothing was sent`,
      );
    }
  }
  // A place of duplicate lines alone (their region cell differs from the first line's) sends nothing: no lane.
  const places = new Map([...scan.places].filter(([, place]) => place.rows > 0));
  const { lanes, identities, destroy } = openAccountLanes(places, config, accountsFile, deps);
  if (!deps.readsAws) return { router: placeLanes(lanes), unreachable: [], targetProblems: new Map(), warnings: [], destroy };

  const unreachable = await reachAccounts(lanes, identities, deps.signal);
  const { targetProblems, warnings } = config.targetCheck
    ? await checkAccountTargets(scan, identities, unreachable, deps.signal)
    : { targetProblems: new Map<string, TargetProblem>(), warnings: [] };
  return { router: placeLanes(lanes), unreachable, targetProblems, warnings, destroy };
}

/** What a command across accounts (`run`, `plan`) says about reaching them; RunConfig and PlanConfig both have it. */
export interface AccountLaneSettings {
  readonly assumeRoleName: string | undefined;
  readonly externalId: string | undefined;
  readonly profile: string | undefined;
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
  readonly stsEndpointUrl: string | undefined;
  readonly iamEndpointUrl: string | undefined;
  readonly requestTimeoutMs: number;
  readonly ratePerSecond: number;
  readonly acceptLanguage?: AcceptLanguage | undefined;
  readonly runId: string;
}

export interface OpenedAccountLanes {
  readonly lanes: Map<string, Lane>;
  readonly identities: Map<string, { readonly accountId: string; readonly identity: IdentityApi }>;
  readonly destroy: () => void;
}

/**
 * One lane per place (account, or account and region), each with the account's credentials, its
 * client and its identity reads; nothing is called yet.
 */
export function openAccountLanes(
  places: ReadonlyMap<string, { readonly accountId: string; readonly region: string | undefined }>,
  settings: AccountLaneSettings,
  accountsFile: ReadonlyMap<string, AccountAccessEntry> | undefined,
  deps: Pick<AccountLaneDeps, 'agents' | 'clock' | 'defaultRegion'>,
): OpenedAccountLanes {
  const sessionName = sessionNameFor(settings.runId);
  const lanes = new Map<string, Lane>();
  const identities = new Map<string, { accountId: string; identity: IdentityApi }>();
  const destroyers: (() => void)[] = [];
  for (const [key, place] of places) {
    // The region decides the partition of the role ARN too (aws-cn, aws-us-gov), so the resolved one is passed.
    const fileRegion = accountsFile?.get(place.accountId)?.region;
    const access = accessFor(place.accountId, place.region ?? fileRegion ?? deps.defaultRegion, {
      assumeRoleName: settings.assumeRoleName,
      externalId: settings.externalId,
      profile: settings.profile,
      accountsFile,
    });
    const region = place.region ?? access.region ?? settings.region;
    const credentials = credentialsFor(access, {
      region,
      stsEndpoint: settings.stsEndpointUrl,
      agents: deps.agents,
      requestTimeoutMs: settings.requestTimeoutMs,
      sessionName,
    });
    // Without credentials of its own the lane uses the run's --profile (or the default chain).
    const profile = credentials === undefined ? settings.profile : undefined;
    const client = createServiceCatalogClient({
      region,
      profile,
      endpoint: settings.endpointUrl,
      agents: deps.agents,
      requestTimeoutMs: settings.requestTimeoutMs,
      credentials,
    });
    const identity = createIdentityApi({
      region,
      profile,
      stsEndpoint: settings.stsEndpointUrl,
      iamEndpoint: settings.iamEndpointUrl,
      requestTimeoutMs: settings.requestTimeoutMs,
      agents: deps.agents,
      credentials,
    });
    destroyers.push(
      () => client.destroy(),
      () => identity.destroy(),
    );
    lanes.set(key, new Lane({ name: key, api: createServiceCatalogApi(client, settings.acceptLanguage), maxRate: settings.ratePerSecond, clock: deps.clock }));
    identities.set(key, { accountId: place.accountId, identity });
  }
  return {
    lanes,
    identities,
    destroy: () => {
      for (const done of destroyers) done();
    },
  };
}

/** Every lane's credentials, tried once: a lane that cannot act in its account is stopped before anything else. */
export async function reachAccounts(
  lanes: ReadonlyMap<string, Lane>,
  identities: ReadonlyMap<string, { accountId: string; identity: IdentityApi }>,
  signal: AbortSignal,
): Promise<UnreachableAccount[]> {
  const limit = pLimit(REACH_CONCURRENCY);
  const found = await Promise.all(
    [...identities].map(([key, { accountId, identity }]) =>
      limit(async (): Promise<UnreachableAccount | undefined> => {
        try {
          const caller = await identity.callerIdentity(signal);
          if (caller.account === accountId) return undefined;
          return { lane: key, accountId, reason: `its credentials act in account ${caller.account} (${caller.arn}), not in ${accountId}` };
        } catch (error) {
          // The service's error name (AccessDenied, ExpiredToken...) is the first thing an operator looks for.
          const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
          return { lane: key, accountId, reason: `${name}${errorText(error)}` };
        }
      }),
    ),
  );
  const unreachable = found.filter((entry): entry is UnreachableAccount => entry !== undefined);
  for (const { lane, reason } of unreachable) lanes.get(lane)?.stop('unreachable', `account ${lane} could not be reached: ${reason}`);
  return unreachable;
}

/** The target check of each account reached, once per account (IAM is global). */
async function checkAccountTargets(
  scan: InputScan,
  identities: ReadonlyMap<string, { accountId: string; identity: IdentityApi }>,
  unreachable: readonly UnreachableAccount[],
  signal: AbortSignal,
): Promise<{ targetProblems: Map<string, TargetProblem>; warnings: string[] }> {
  const targetProblems = new Map<string, TargetProblem>();
  const warnings: string[] = [];
  // IAM is global: one reachable lane of an account checks its targets (a region not reached does not skip them).
  const notReached = new Set(unreachable.map((entry) => entry.lane));
  const checked = new Set<string>();
  const targets = { owners: [...scan.targets.owners.keys()], launchRoles: [...scan.targets.launchRoles.keys()] };
  for (const [lane, { accountId, identity }] of identities) {
    if (checked.has(accountId) || notReached.has(lane)) continue;
    checked.add(accountId);
    const check = await checkTargets(targets, accountId, identity, signal);
    if (check.skipped !== undefined) warnings.push(`account ${accountId}: ${check.skipped}`);
    for (const [arn, problem] of check.problems) targetProblems.set(arn, problem);
  }
  return { targetProblems, warnings };
}

/**
 * The results' optional columns: the account in a run across accounts, or when the input has the
 * column (as it was echoed before the column was known); the region when the input has one.
 */
export function placeColumnsOf(config: RunConfig, scan: InputScan): PlaceColumnName[] {
  const account = config.acrossAccounts || scan.header.accountColumn !== undefined;
  return [...(account ? (['account_id'] as const) : []), ...(scan.header.regionColumn === undefined ? [] : (['region'] as const))];
}

/** What one lane's rows ask of its account: their count, and the input's ids to keep from an account-wide read. */
export function lanePlan(scan: InputScan, lane: string): ReadPlanInput {
  const rows = scan.places.get(lane)?.rows ?? 0;
  return { productIds: { size: rows, has: (id: string) => scan.products.has(id) }, rowsSettingLaunchRole: Math.min(rows, scan.rowsSettingLaunchRole) };
}

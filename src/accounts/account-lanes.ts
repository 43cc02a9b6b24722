/**
 * One lane per place (an account, or an account and region) of a command across accounts (`run`
 * and `plan` with `--assume-role-name` / `--accounts`): each with the account's credentials
 * (aws/account-credentials.ts), its own client, limiters and identity reads. Nothing is called here.
 */
import { accessFor, credentialsFor, sessionNameFor } from '../aws/account-credentials.js';
import { createServiceCatalogClient } from '../aws/client.js';
import type { CredentialSource } from '../aws/credential-source.js';
import type { HttpAgents } from '../aws/http-agents.js';
import { createIdentityApi, type IdentityApi } from '../aws/identity-api.js';
import { createServiceCatalogApi, type AcceptLanguage } from '../aws/service-catalog-api.js';
import type { Clock } from '../clock.js';
import type { AccountAccessEntry } from '../input/accounts-file.js';
import { Lane } from '../transfer/lane.js';

export interface AccountLaneDeps {
  readonly agents: HttpAgents;
  readonly clock: Clock;
  /** defaultRegion(): the partition of roles to assume, and the region, when neither a row nor the accounts file names one. */
  readonly defaultRegion: string | undefined;
  /** The command's base credentials (aws/credential-source.ts): each profile resolved once for every lane. */
  readonly credentials: CredentialSource;
}

/** An account's identity reads (STS, IAM), with the account the lane is for. */
export interface LaneIdentity {
  readonly accountId: string;
  readonly identity: IdentityApi;
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
  readonly identities: Map<string, LaneIdentity>;
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
  deps: AccountLaneDeps,
): OpenedAccountLanes {
  const sessionName = sessionNameFor(settings.runId);
  const lanes = new Map<string, Lane>();
  const identities = new Map<string, LaneIdentity>();
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
      source: deps.credentials,
    });
    const client = createServiceCatalogClient({
      region,
      endpoint: settings.endpointUrl,
      agents: deps.agents,
      requestTimeoutMs: settings.requestTimeoutMs,
      credentials,
    });
    const identity = createIdentityApi({
      region,
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

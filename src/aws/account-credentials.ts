/**
 * How a run across accounts acts in each account: the credentials of one account, from the SDK's
 * own providers. A role to assume (`--assume-role-name`, or the accounts file's `role_arn`) goes
 * through `fromTemporaryCredentials`, which calls STS AssumeRole with the base credentials (the
 * profile's, or the default chain) and refreshes the session before it expires, so a run longer
 * than a role session goes on. With no role, a profile acts in the account itself (`fromIni`);
 * with neither, the account is the caller's own and the default chain serves it. The base
 * credentials come from the command's CredentialSource, shared by every lane, so a profile (and its
 * MFA code) is resolved once however many accounts it reaches.
 */
import { createHash } from 'node:crypto';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AccountAccessEntry } from '../input/accounts-file.js';
import type { CredentialSource } from './credential-source.js';
import type { HttpAgents } from './http-agents.js';
import { TOOL_NAME, userAgentSettings } from './user-agent.js';

/** How to reach one account, once `--assume-role-name`, `--external-id` and the accounts file are merged. */
export interface AccountAccess {
  readonly accountId: string;
  /** The role to assume; undefined to use `profile` (or the default chain) as it is. */
  readonly roleArn: string | undefined;
  readonly externalId: string | undefined;
  /** Whose credentials assume the role (or act, with no role); undefined for the run's `--profile` / default chain. */
  readonly profile: string | undefined;
  /** The account's region when a row names none; undefined for the run's. */
  readonly region: string | undefined;
}

export interface AccessRules {
  readonly assumeRoleName: string | undefined;
  readonly externalId: string | undefined;
  /** The run's `--profile`: the base credentials when the accounts file names none. */
  readonly profile: string | undefined;
  readonly accountsFile: ReadonlyMap<string, AccountAccessEntry> | undefined;
}

/** The partition of a region: the one an account's role ARN is written in. */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-') === true) return 'aws-cn';
  if (region?.startsWith('us-gov-') === true) return 'aws-us-gov';
  return 'aws';
}

/** The accounts file's entry wins for the accounts it lists; `--assume-role-name` covers the rest. */
export function accessFor(accountId: string, region: string | undefined, rules: AccessRules): AccountAccess {
  const entry = rules.accountsFile?.get(accountId);
  const roleName = rules.assumeRoleName;
  const roleArn = entry?.roleArn ?? (roleName === undefined ? undefined : `arn:${partitionOf(region ?? entry?.region)}:iam::${accountId}:role/${roleName}`);
  return {
    accountId,
    roleArn,
    externalId: entry?.externalId ?? rules.externalId,
    profile: entry?.profile ?? rules.profile,
    region: entry?.region,
  };
}

export interface CredentialOptions {
  /** The region STS is called in (the lane's). */
  readonly region: string | undefined;
  /** `--sts-endpoint-url` or the environment's, for AssumeRole. */
  readonly stsEndpoint: string | undefined;
  readonly agents: HttpAgents;
  readonly requestTimeoutMs: number;
  /** RoleSessionName: names the run in the account's CloudTrail. */
  readonly sessionName: string;
  /** The command's base credentials: the caller's, and each profile's. */
  readonly source: CredentialSource;
}

/** The account's credentials: its role assumed with the base credentials, or the base credentials (a profile's, or the caller's) as they are. */
export function credentialsFor(access: AccountAccess, options: CredentialOptions): AwsCredentialIdentityProvider {
  const base = access.profile === undefined ? options.source.caller : options.source.profile(access.profile);
  if (access.roleArn === undefined) return base;
  return fromTemporaryCredentials({
    params: {
      RoleArn: access.roleArn,
      RoleSessionName: options.sessionName,
      ...(access.externalId === undefined ? {} : { ExternalId: access.externalId }),
    },
    masterCredentials: base,
    clientConfig: {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.stsEndpoint === undefined ? {} : { endpoint: options.stsEndpoint }),
      // AssumeRole itself names the tool and the run, in the caller's account's CloudTrail.
      ...userAgentSettings(options.agents.userAgent),
      maxAttempts: 3,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs,
        throwOnRequestTimeout: true,
        httpAgent: options.agents.httpAgent,
        httpsAgent: options.agents.httpsAgent,
      },
    },
  });
}

/** STS's RoleSessionName: 2-64 characters of [\w+=,.@-]. */
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const SESSION_NAME_MAX = 64;

/**
 * RoleSessionName for a run: `sc-owner-transfer-<run id>` (`sc-owner-transfer` without one),
 * always within STS's 64 characters of [\w+=,.@-], whatever the run id. A run id that does not
 * fit whole (over 46 characters, or with characters STS refuses: --run-id allows none, but plan and
 * tests pass anything) keeps its first 37 characters (others made `-`) and gains `-` and 8 hex
 * digits of its sha256, so two run ids never share a session name.
 */
export function sessionNameFor(runId: string): string {
  const prefix = `${TOOL_NAME}-`;
  if (runId === '') return TOOL_NAME;
  const whole = `${prefix}${runId}`;
  if (whole.length <= SESSION_NAME_MAX && SESSION_NAME_PATTERN.test(whole)) return whole;
  const digest = createHash('sha256').update(runId, 'utf8').digest('hex').slice(0, 8);
  const kept = runId.replace(/[^\w+=,.@-]/g, '-').slice(0, SESSION_NAME_MAX - prefix.length - digest.length - 1);
  return `${prefix}${kept}-${digest}`;
}

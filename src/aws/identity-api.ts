/**
 * The identity reads a run makes before its first write, in the tool's own vocabulary: who the
 * caller is (STS GetCallerIdentity) and whether an owner or launch role exists (IAM GetUser /
 * GetRole, with the role's trust policy). STS and IAM are reached at their own endpoints, never at
 * `--endpoint-url` (which may be a Service Catalog VPC endpoint): `--sts-endpoint-url` /
 * `AWS_ENDPOINT_URL_STS`, `--iam-endpoint-url` / `AWS_ENDPOINT_URL_IAM`, then `AWS_ENDPOINT_URL`,
 * then where the SDK reaches them. Clients are made on first use, so a run that needs neither
 * never builds them.
 */
import { GetRoleCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { partitionOf } from './account-credentials.js';
import type { HttpAgents } from './http-agents.js';
import { userAgentSettings } from './user-agent.js';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/** A user or role as IAM answers GetUser / GetRole. */
export interface PrincipalFacts {
  /** Its ARN, with its path. */
  readonly arn: string;
  /** `/` or `/a/b/`. */
  readonly path: string;
}

export interface RoleFacts extends PrincipalFacts {
  /** The role's trust policy lets `servicecatalog.amazonaws.com` assume it. */
  readonly trustsServiceCatalog: boolean;
  /** The longest session AssumeRole gives for it, in seconds (IAM's default 3600). */
  readonly maxSessionSeconds: number;
}

export interface IdentityApi {
  callerIdentity(signal: AbortSignal): Promise<CallerIdentity>;
  /** Resolves when the user exists; rejects with the service's error (NoSuchEntity, AccessDenied...). */
  getUser(userName: string, signal: AbortSignal): Promise<PrincipalFacts>;
  getRole(roleName: string, signal: AbortSignal): Promise<RoleFacts>;
}

export interface IdentityClientOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly stsEndpoint?: string | undefined;
  readonly iamEndpoint?: string | undefined;
  readonly requestTimeoutMs: number;
  /** The run's HTTP agents, so STS and IAM go through the same proxy as Service Catalog. Default: the SDK's. */
  readonly agents?: HttpAgents | undefined;
  /** An account's own credentials (account-credentials.ts); otherwise the profile's or the default chain. */
  readonly credentials?: AwsCredentialIdentityProvider | undefined;
}

/** A role's MaxSessionDuration when IAM's answer has none (its default). */
const DEFAULT_MAX_SESSION_SECONDS = 3600;

/** The region IAM's global endpoint is signed for, by partition. */
const IAM_SIGNING_REGION: Readonly<Record<string, string>> = { aws: 'us-east-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };

export function createIdentityApi(options: IdentityClientOptions): IdentityApi & { destroy(): void } {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...userAgentSettings(options.agents?.userAgent),
    maxAttempts: 3,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
      ...(options.agents ? { httpAgent: options.agents.httpAgent, httpsAgent: options.agents.httpsAgent } : {}),
    },
  };
  let sts: STSClient | undefined;
  let iam: IAMClient | undefined;
  const stsClient = () => (sts ??= new STSClient({ ...common, ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}) }));
  // IAM is global: with its own endpoint the SDK signs it for the partition's IAM region whatever
  // the run's region; with an endpoint given, it would sign for the client's region, which IAM refuses.
  const iamClient = () =>
    (iam ??= new IAMClient({
      ...common,
      ...(options.iamEndpoint ? { endpoint: options.iamEndpoint, region: IAM_SIGNING_REGION[partitionOf(options.region)] ?? 'us-east-1' } : {}),
    }));
  return {
    async callerIdentity(signal) {
      const output = await stsClient().send(new GetCallerIdentityCommand({}), { abortSignal: signal });
      return { account: output.Account ?? '', arn: output.Arn ?? '' };
    },
    async getUser(userName, signal) {
      const output = await iamClient().send(new GetUserCommand({ UserName: userName }), { abortSignal: signal });
      return { arn: output.User?.Arn ?? '', path: output.User?.Path ?? '/' };
    },
    async getRole(roleName, signal) {
      const output = await iamClient().send(new GetRoleCommand({ RoleName: roleName }), { abortSignal: signal });
      const role = output.Role;
      return {
        arn: role?.Arn ?? '',
        path: role?.Path ?? '/',
        trustsServiceCatalog: trustsServiceCatalog(role?.AssumeRolePolicyDocument ?? ''),
        maxSessionSeconds: role?.MaxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS,
      };
    },
    destroy() {
      sts?.destroy();
      iam?.destroy();
    },
  };
}

/** Whether a (URL-encoded, as IAM returns it) trust policy allows Service Catalog to assume the role. */
export function trustsServiceCatalog(document: string): boolean {
  let policy: unknown;
  try {
    policy = JSON.parse(decodeURIComponent(document));
  } catch {
    return false;
  }
  const statements = (policy as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
  return list.some((statement) => {
    const s = statement as { Effect?: string; Action?: string | string[]; Principal?: { Service?: string | string[] } | string };
    const actions = ([] as string[]).concat(s.Action ?? []);
    const services = typeof s.Principal === 'object' ? ([] as string[]).concat(s.Principal.Service ?? []) : [];
    return (
      s.Effect === 'Allow' && actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*') && services.includes('servicecatalog.amazonaws.com')
    );
  });
}

/**
 * Builds the one ServiceCatalogClient a run uses. Three SDK defaults are wrong for a batch job and
 * are overridden here on purpose:
 * - maxAttempts 1: the SDK would otherwise retry silently (3 attempts) underneath our retry policy,
 *   so throttles would be hidden from the adaptive limiter and attempts counted wrong.
 * - a request timeout that throws (the SDK's default is none, and its requestTimeout only logs a
 *   warning unless throwOnRequestTimeout is set): a hung socket must become a retryable error.
 * - HTTP agents with at least as many sockets as the pool's concurrency, kept alive, through a
 *   proxy when the environment names one (http-agents.ts).
 * The agents also carry the user agent every request names the tool with (user-agent.ts).
 */
import { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { HttpAgents } from './http-agents.js';
import { userAgentSettings } from './user-agent.js';

export interface ClientOptions {
  /** `--region`; when absent the SDK's chain (AWS_REGION, profile config) decides. */
  readonly region?: string | undefined;
  /** `--profile`; when absent AWS_PROFILE or `default`. */
  readonly profile?: string | undefined;
  /** `--endpoint-url`, e.g. the local Service Catalog. */
  readonly endpoint?: string | undefined;
  /** The HTTP agents (createHttpAgents: kept alive, enough sockets for the pool, a proxy if set). */
  readonly agents: HttpAgents;
  /** Whole-request timeout in ms; a request that takes longer fails as a retryable TimeoutError. */
  readonly requestTimeoutMs: number;
  /** An account's own credentials (account-credentials.ts), or static ones in tests; otherwise the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
}

export function createServiceCatalogClient(options: ClientOptions): ServiceCatalogClient {
  return new ServiceCatalogClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // The tool, its version and the run id in every request's User-Agent (CloudTrail's userAgent).
    ...userAgentSettings(options.agents.userAgent),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: options.agents.httpAgent,
      httpsAgent: options.agents.httpsAgent,
      connectionTimeout: Math.min(options.requestTimeoutMs, 10_000),
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}

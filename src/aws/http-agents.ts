/**
 * The HTTP agents behind every AWS client the tool makes (Service Catalog, STS, IAM).
 *
 * Direct: kept-alive agents with enough sockets for the worker pool.
 *
 * Behind a corporate proxy: the AWS CLI honours HTTPS_PROXY (https endpoints), HTTP_PROXY (http
 * endpoints) and NO_PROXY, in either case; the AWS SDK for JavaScript v3 does not by itself. When
 * the environment names a proxy, requests go through proxy-agent's ProxyAgent (maintained, from
 * the proxy-agents project), which picks per request: the proxy for the endpoint's scheme, or the
 * direct agents for hosts NO_PROXY lists. It also takes ALL_PROXY as a fallback, which the AWS
 * CLI does not. The choice per request is proxy-from-env's, which reads process.env itself, as the
 * SDK's credential chain does; whether to use a proxy at all is decided from the `env` passed in.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ProxyAgent } from 'proxy-agent';
import type { UserAgentConfig } from './user-agent.js';

export interface HttpAgents {
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  /** The proxy settings found, for the log: e.g. `HTTPS_PROXY=http://proxy:3128`; empty when direct. */
  readonly proxySettings: readonly string[];
  /**
   * How every client of the command names itself (user-agent.ts: the tool, its version, the run
   * id), carried with the agents because every client, lane and credential provider is given them.
   */
  readonly userAgent?: UserAgentConfig | undefined;
}

/** Variables that name a proxy, as the AWS CLI and curl read them (either case). */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY'] as const;

export function createHttpAgents(options: {
  readonly maxSockets: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly userAgent?: UserAgentConfig | undefined;
}): HttpAgents {
  const agentOptions = { keepAlive: true, maxSockets: Math.max(1, options.maxSockets) };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const { userAgent } = options;
  const proxySettings = proxySettingsOf(options.env);
  if (!proxySettings.some((setting) => !setting.startsWith('NO_PROXY='))) return { httpAgent, httpsAgent, proxySettings: [], userAgent };
  // A ProxyAgent per scheme; each falls back to the direct agents for NO_PROXY hosts. For https
  // endpoints (every real AWS one) the CONNECT tunnels are kept alive. For plain http endpoints (a
  // local rehearsal) connections to the proxy are not: http-proxy-agent rewrites the request line
  // to the absolute URL a proxy needs only when it opens a connection, so a reused one would carry
  // the bare path (the SDK writes the request before a socket is assigned).
  return {
    httpAgent: new ProxyAgent({ keepAlive: false, httpAgent, httpsAgent }),
    httpsAgent: new ProxyAgent({ ...agentOptions, httpAgent, httpsAgent }),
    proxySettings,
    userAgent,
  };
}

/**
 * The proxy variables set in `env`, lower case first as proxy-from-env (and Python's urllib, under
 * the AWS CLI) read them, with the credentials of a proxy URL masked, scheme or not.
 */
export function proxySettingsOf(env: Readonly<Record<string, string | undefined>>): string[] {
  const settings: string[] = [];
  for (const name of PROXY_VARIABLES) {
    const value = env[name.toLowerCase()] || env[name];
    if (!value) continue;
    settings.push(`${name}=${name === 'NO_PROXY' ? value : maskUrlCredentials(value)}`);
  }
  return settings;
}

/** A URL's `user:password@` (scheme or not; a password may hold / or @), masked: what the proxy line and the ledger show. */
export function maskUrlCredentials(url: string): string {
  return url.replace(/^([a-z][\w+.-]*:\/\/)?.*@/i, '$1***@');
}

/**
 * How every request the tool sends names itself, so an auditor finds a migration's calls in
 * CloudTrail (whose `userAgent` field is the request's User-Agent header). The SDK's own settings
 * carry it, on every client (Service Catalog, STS, IAM, each account's lane) and on the clients the
 * credential providers make for their own STS calls:
 *
 * - `userAgentAppId`: `sc-owner-transfer` (the SDK writes it `app/sc-owner-transfer`; the SDK
 *   refuses app ids over 50 characters, and this one is 17). An app id the operator set in
 *   AWS_SDK_UA_APP_ID is kept instead (within the SDK's 50; a longer one is replaced by ours).
 *   The SDK hands the app id on to the clients of nested providers (SSO) by itself.
 * - `customUserAgent`: `sc-owner-transfer/<version>` and, with a run id, `sc-owner-transfer-run/<run id>`,
 *   the last words of the header (no length limit there, so the whole run id fits).
 *
 * A header then reads `aws-sdk-js/3.x ua/2.1 os/linux#6.1 lang/js md/nodejs#20.19.0
 * api/service-catalog#3.x m/N,E app/sc-owner-transfer sc-owner-transfer/0.1.0 sc-owner-transfer-run/nightly-1`.
 */
import { toolVersion } from '../version.js';

export const TOOL_NAME = 'sc-owner-transfer';
/** The SDK's limit on `userAgentAppId` (it warns and sends a longer one anyway): ours stays within it. */
export const APP_ID_MAX_LENGTH = 50;

/** What the SDK clients are given: spread into a client's (or a credential provider's `clientConfig`) configuration. */
export interface UserAgentConfig {
  readonly userAgentAppId: string;
  readonly customUserAgent: [string, string][];
}

export interface ToolUserAgentOptions {
  /** The tool's version; default: src/version.ts's. */
  readonly version?: string | undefined;
  /** `--run-id`; '' for none (plan, or a run without one). */
  readonly runId: string;
  /** The environment: AWS_SDK_UA_APP_ID, the operator's own app id, is kept when set. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Characters the SDK keeps in a user agent's value; others it turns into `-` (so do we, to say what is sent). */
const UA_VALUE_UNSAFE = /[^!$%&'*+\-.^_`|~\w#]/g;

export function toolUserAgent(options: ToolUserAgentOptions): UserAgentConfig {
  const envAppId = options.env?.AWS_SDK_UA_APP_ID?.trim();
  const userAgentAppId = envAppId !== undefined && envAppId !== '' && envAppId.length <= APP_ID_MAX_LENGTH ? envAppId : TOOL_NAME;
  const customUserAgent: [string, string][] = [[TOOL_NAME, (options.version ?? toolVersion()).replace(UA_VALUE_UNSAFE, '-')]];
  if (options.runId !== '') customUserAgent.push([`${TOOL_NAME}-run`, options.runId.replace(UA_VALUE_UNSAFE, '-')]);
  return { userAgentAppId, customUserAgent };
}

/** The words the tool adds at the end of every User-Agent header: what a CloudTrail query looks for. */
export function userAgentSuffix(config: UserAgentConfig): string {
  return config.customUserAgent.map(([name, value]) => `${name}/${value}`).join(' ');
}

/** The SDK settings for a client, or nothing when no user agent was given (tests, a bench). */
export function userAgentSettings(config: UserAgentConfig | undefined): Partial<UserAgentConfig> {
  return config === undefined ? {} : { userAgentAppId: config.userAgentAppId, customUserAgent: config.customUserAgent.map(([n, v]) => [n, v]) };
}

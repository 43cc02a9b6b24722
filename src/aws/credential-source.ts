/**
 * Where a command's credentials come from: one provider per profile for the whole command, shared
 * by every client it makes (Service Catalog, STS, IAM, and each account's lane), so a profile that
 * assumes a role calls STS once a session, not once a client, and a profile with `mfa_serial` asks
 * for its code once, not once a client (STS would refuse a code used twice anyway).
 *
 * The caller's credentials are the SDK's default chain (environment, SSO, the shared files with
 * their roles and `credential_process`, web identity, container and instance roles), with
 * `--profile` when given, exactly what a client makes on its own. A profile of the accounts file
 * is that profile alone (`fromIni`): a profile missing from the files fails its account, never
 * falls back to another source (the instance's role) that would act as someone else.
 *
 * The MFA code comes from the command (`mfaCode`), which owns the terminal: aws/mfa-prompt.ts
 * (`commandCredentials` wires it to the command's streams).
 */
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createMfaPrompter, type MfaCodeProvider, type MfaTerminal } from './mfa-prompt.js';
import { userAgentSettings, type UserAgentConfig } from './user-agent.js';

export interface CredentialSourceOptions {
  /** `--profile`; undefined: the default chain (AWS_PROFILE, or `default`, among the rest). */
  readonly profile: string | undefined;
  /** The environment's AWS_PROFILE: names the default chain's profile in messages. */
  readonly envProfile: string | undefined;
  /** How a profile's MFA code is obtained, by the profile's name. */
  readonly mfaCode: (profile: string) => MfaCodeProvider;
  /** How the providers' own clients (STS for a profile's role, SSO, web identity) name the tool (user-agent.ts). */
  readonly userAgent?: UserAgentConfig | undefined;
}

export interface CredentialSource {
  /** The caller's credentials: the default chain with `--profile`. */
  readonly caller: AwsCredentialIdentityProvider;
  /** A named profile's own credentials, made once per name (the caller's when it is `--profile`). */
  profile(name: string): AwsCredentialIdentityProvider;
}

/** A command's source: its `--profile`, the environment's AWS_PROFILE, MFA codes asked on its terminal (CommandIo). */
export function commandCredentials(
  profile: string | undefined,
  io: MfaTerminal & { readonly env: Readonly<Record<string, string | undefined>> },
  userAgent?: UserAgentConfig,
): CredentialSource {
  return createCredentialSource({ profile, envProfile: io.env.AWS_PROFILE, mfaCode: createMfaPrompter(io), userAgent });
}

export function createCredentialSource(options: CredentialSourceOptions): CredentialSource {
  const callerProfile = options.profile ?? options.envProfile ?? 'default';
  // Only the user agent: the rest (region, agents) the providers take from the client that asks, as before.
  const clientConfig = options.userAgent === undefined ? {} : { clientConfig: userAgentSettings(options.userAgent) };
  // Memoized by the SDK: one resolution at a time, refreshed before it expires.
  const caller = fromNodeProviderChain({
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    mfaCodeProvider: options.mfaCode(callerProfile),
    ...clientConfig,
  });
  const profiles = new Map<string, AwsCredentialIdentityProvider>();
  if (options.profile !== undefined) profiles.set(options.profile, caller);
  return {
    caller,
    profile(name) {
      let provider = profiles.get(name);
      if (provider === undefined) {
        provider = sharedProvider(fromIni({ profile: name, mfaCodeProvider: options.mfaCode(name), ...clientConfig }));
        profiles.set(name, provider);
      }
      return provider;
    },
  };
}

/** Credentials are renewed this long before they expire, as the SDK's own chain does. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * One provider for many clients: one resolution at a time, its credentials reused until they are
 * within REFRESH_BEFORE_EXPIRY_MS of expiring. Then the next caller starts a renewal and goes on
 * with the credentials it has while they last (an MFA code asked mid-run holds nothing up); once
 * they have expired, callers wait for the renewal.
 */
export function sharedProvider(provider: AwsCredentialIdentityProvider, now: () => number = Date.now): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let renewal: Promise<AwsCredentialIdentity> | undefined;
  const renew = (properties: Parameters<AwsCredentialIdentityProvider>[0]): Promise<AwsCredentialIdentity> =>
    (renewal ??= provider(properties)
      .then((credentials) => {
        current = credentials;
        return credentials;
      })
      .finally(() => {
        renewal = undefined;
      }));
  return async (properties) => {
    const expiresAt = current?.expiration?.getTime();
    if (current === undefined || (expiresAt !== undefined && expiresAt <= now())) return renew(properties);
    if (expiresAt !== undefined && expiresAt - now() < REFRESH_BEFORE_EXPIRY_MS) {
      // A renewal that fails is tried again by the next caller; these credentials still hold.
      renew(properties).catch(() => undefined);
    }
    return current;
  };
}

/**
 * The accounts the emulator holds and who each request acts as. As on AWS, the credentials decide
 * the account: the emulator's own keys (or any key, when none are configured) act in the caller's
 * own account as `callerArn`; credentials that STS AssumeRole handed out act in the role's account
 * as `arn:aws:sts::<account>:assumed-role/<role>/<session>`, carry their session token, and expire.
 * A product of another account is therefore not found, exactly as a cross-account id is on AWS.
 *
 * Which roles can be assumed is the seed's (`assumableRoles`, `externalId` per account) plus the
 * `assumeRoleDenied` fault, so a refused AssumeRole can be rehearsed and then allowed at run time.
 * STS's own rules (members' shapes, session lengths, role chaining) are in sts-rules.ts; a role's
 * MaxSessionDuration is its account's IAM's (iam-principals.ts: declared, or IAM's default hour).
 */
import type { CatalogStore } from './catalog-store.js';
import type { FaultEngine } from './fault-engine.js';
import type { IamDirectory } from './iam-principals.js';
import { randomAlnum, type Random } from './prng.js';
import { ServiceError } from './service-error.js';
import { DEFAULT_MAX_SESSION_SECONDS, callerIdentityOf, checkAssumeRoleMembers, checkSessionDuration, isRoleSession, uniqueId } from './sts-rules.js';
import type { AccountSeed } from './types.js';

export interface EmulatedAccount {
  readonly seed: AccountSeed;
  readonly faults: FaultEngine;
  /** Its IAM users and roles (GetUser, GetRole, and a role's MaxSessionDuration). */
  readonly iam: IamDirectory;
  /** Its products in `region`: each region has its own (a region it has none in answers empty). */
  storeIn(region: string): CatalogStore;
  /** Its stores, in the order their regions were first used (the emulator's own region first). */
  stores(): CatalogStore[];
}

/** Who a request acts as. */
export interface Identity {
  readonly account: EmulatedAccount;
  readonly callerArn: string;
}

export interface AssumeRoleRequest {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId: string | undefined;
  readonly durationSeconds: number;
  /** The MFA device (`mfa_serial`) and its code, sent together by a profile that assumes its role with MFA. */
  readonly serialNumber?: string | undefined;
  readonly tokenCode?: string | undefined;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
  readonly assumedRoleArn: string;
  readonly assumedRoleId: string;
}

interface Session {
  readonly accountId: string;
  readonly callerArn: string;
  readonly secret: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
}

/** The protocol decides an error's name: `ExpiredTokenException` in JSON, `ExpiredToken` in the query protocol. */
export type Protocol = 'json' | 'query';

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export class AccountDirectory {
  readonly #accounts: ReadonlyMap<string, EmulatedAccount>;
  readonly #home: Identity;
  readonly #sessions = new Map<string, Session>();
  readonly #random: Random;
  /** Caps every session's lifetime (EmulatorOptions.sessionSeconds). */
  readonly #maxSessionSeconds: number | undefined;

  constructor(accounts: readonly EmulatedAccount[], callerArn: string, random: Random, maxSessionSeconds?: number) {
    const home = accounts[0];
    if (home === undefined) throw new TypeError('an emulator holds at least one account');
    this.#accounts = new Map(accounts.map((account) => [account.seed.accountId, account]));
    this.#home = { account: home, callerArn };
    this.#random = random;
    this.#maxSessionSeconds = maxSessionSeconds;
  }

  get home(): Identity {
    return this.#home;
  }

  get(accountId: string): EmulatedAccount | undefined {
    return this.#accounts.get(accountId);
  }

  all(): EmulatedAccount[] {
    return [...this.#accounts.values()];
  }

  /** The secret of credentials AssumeRole issued, for the SigV4 check. */
  secretOf(accessKeyId: string): string | undefined {
    return this.#sessions.get(accessKeyId)?.secret;
  }

  /**
   * Who a request signed with `accessKeyId` acts as. Throws the AWS error for a session token that
   * does not belong to the key, and for credentials past their expiry.
   */
  identify(accessKeyId: string, securityToken: string | undefined, now: number, protocol: Protocol): Identity {
    const session = this.#sessions.get(accessKeyId);
    if (session === undefined) return this.#home;
    if (securityToken !== session.sessionToken) {
      throw protocol === 'json'
        ? new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.')
        : new ServiceError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    }
    if (now >= session.expiresAt) {
      throw new ServiceError(protocol === 'json' ? 'ExpiredTokenException' : 'ExpiredToken', 'The security token included in the request is expired', 400);
    }
    return { account: this.#accounts.get(session.accountId)!, callerArn: session.callerArn };
  }

  /**
   * STS AssumeRole: the checks AWS makes (shape, trust, external id), then new credentials.
   * `denied` gives an account's `assumeRoleDenied` fault: the caller's and the role's account's both refuse.
   */
  assumeRole(caller: Identity, request: AssumeRoleRequest, now: number, denied: (account: EmulatedAccount) => readonly string[]): IssuedCredentials {
    checkAssumeRoleMembers(request);
    const match = ROLE_ARN.exec(request.roleArn);
    if (match === null) {
      throw new ServiceError('ValidationError', `${request.roleArn} is invalid: RoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    }
    if ((request.serialNumber === undefined) !== (request.tokenCode === undefined)) {
      throw new ServiceError('AccessDenied', 'MultiFactorAuthentication failed: SerialNumber and TokenCode go together', 403);
    }
    const [, partition, accountId, roleName] = match as unknown as [string, string, string, string];
    const account = this.#accounts.get(accountId);
    // The role's MaxSessionDuration: its account's declared one, else IAM's default (1 hour); a
    // role session's AssumeRole is role chaining.
    const roleMaxSeconds = account?.iam.roleMaxSessionSeconds(roleName) ?? DEFAULT_MAX_SESSION_SECONDS;
    checkSessionDuration(request.durationSeconds, roleMaxSeconds, isRoleSession(caller.callerArn));
    const refused =
      account === undefined ||
      (account.seed.assumableRoles !== undefined && !account.seed.assumableRoles.includes(roleName)) ||
      (account.seed.externalId !== undefined && account.seed.externalId !== request.externalId) ||
      [...denied(caller.account), ...denied(account)].some((entry) => entry === accountId || entry === request.roleArn);
    if (refused) {
      throw new ServiceError(
        'AccessDenied',
        `User: ${callerIdentityOf(caller.callerArn).arn} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`,
        403,
      );
    }
    const seconds = Math.min(request.durationSeconds, this.#maxSessionSeconds ?? Infinity);
    const accessKeyId = `ASIA${randomAlnum(this.#random, 16).toUpperCase()}`;
    const session: Session = {
      accountId,
      callerArn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${request.sessionName}`,
      secret: randomAlnum(this.#random, 40),
      sessionToken: `IQoJemulator${randomAlnum(this.#random, 64)}`,
      expiresAt: now + seconds * 1000,
    };
    this.#sessions.set(accessKeyId, session);
    return {
      accessKeyId,
      secretAccessKey: session.secret,
      sessionToken: session.sessionToken,
      expiresAt: session.expiresAt,
      assumedRoleArn: session.callerArn,
      assumedRoleId: `${uniqueId('AROA', accountId, roleName)}:${request.sessionName}`,
    };
  }
}

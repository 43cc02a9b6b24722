/**
 * IAM's users and roles of one account, as GetUser and GetRole answer them (query-protocol.ts) and
 * as STS AssumeRole holds a role's sessions to its MaxSessionDuration (accounts.ts), and the seed's
 * `principals` that declare them (`parsePrincipals`).
 *
 * An account whose seed declares `principals` (even none), or that the `iamPrincipals` option
 * names, knows principals as IAM does: those declared, the roles its `assumableRoles` let in, the
 * `iamPrincipals` of the account, and whoever a request acts as (the emulator's caller in its own
 * account, an AssumeRole session's role in the role's account); any other name is NoSuchEntity.
 * An account that declares none (seeds written before principals existed, and generateSeed's) is
 * open: every name IAM's rules allow exists, with path `/`, trusting Service Catalog, with IAM's
 * default MaxSessionDuration. That is the stated default, so older seeds keep working unchanged.
 * As in IAM, names are unique per kind in an account whatever the path, and a name IAM's own rules
 * refuse is a ValidationError before any lookup.
 */
import { parsePrincipal } from './arn-rules.js';
import { DEFAULT_MAX_SESSION_SECONDS, memberProblems, validationError, type Constraint } from './sts-rules.js';
import type { AccountSeed, SeedPrincipal } from './types.js';

export type IamKind = 'user' | 'role';

/** A user or role as GetUser / GetRole answer it. */
export interface IamEntity {
  readonly kind: IamKind;
  readonly name: string;
  /** The full ARN, with its path. */
  readonly arn: string;
  /** `/`, or `/a/b/` from the ARN. */
  readonly path: string;
  /** Roles: the trust policy lets `servicecatalog.amazonaws.com` assume it. */
  readonly trustsServiceCatalog: boolean;
  /** Roles: the longest AssumeRole session, in seconds. */
  readonly maxSessionSeconds: number;
}

// GetUser's UserName and GetRole's RoleName as IAM's model constrains them.
const NAME_PATTERN = { pattern: /^[\w+=,.@-]+$/, text: '[\\w+=,.@-]+' };
const NAME_CONSTRAINTS: Readonly<Record<IamKind, Constraint>> = { user: { min: 1, max: 128, ...NAME_PATTERN }, role: { min: 1, max: 64, ...NAME_PATTERN } };

/** The longest name a user or role can have (CreateUser's and CreateRole's limit). */
const MAX_NAME_LENGTH = 64;

/** Throws IAM's ValidationError when GetUser's UserName (`user`) or GetRole's RoleName (`role`) breaks the model. */
export function checkIamName(kind: IamKind, name: string): void {
  const error = validationError(memberProblems(name, kind === 'user' ? 'userName' : 'roleName', NAME_CONSTRAINTS[kind]));
  if (error !== undefined) throw error;
}

export class IamDirectory {
  readonly #accountId: string;
  readonly #partition: string;
  /** By `kind/name`; undefined: the account is open (every name exists). */
  readonly #entities: ReadonlyMap<string, IamEntity> | undefined;

  /**
   * The account's IAM: its seed's `principals`, `assumableRoles` and the `iamPrincipals` of it
   * (`extraArns`, already checked to be user or role ARNs of this account). `partition` is that of
   * the ARNs it makes up for names given without one.
   */
  constructor(seed: AccountSeed, extraArns: readonly string[], partition: string) {
    this.#accountId = seed.accountId;
    this.#partition = partition;
    if (seed.principals === undefined && extraArns.length === 0) {
      this.#entities = undefined;
      return;
    }
    const entities = new Map<string, IamEntity>();
    // Declared first: they carry their path and settings, which a role named elsewhere lacks.
    for (const principal of seed.principals ?? []) addEntity(entities, entityOf(principal.arn, principal));
    for (const arn of extraArns) addEntity(entities, entityOf(arn, {}));
    for (const role of seed.assumableRoles ?? []) addEntity(entities, this.#made('role', role));
    this.#entities = entities;
  }

  /** Whether the account knows only its declared principals (else every name exists). */
  get declares(): boolean {
    return this.#entities !== undefined;
  }

  /**
   * The user or role of that name, or undefined when the account has none. `callerArn`, who the
   * request acts as, exists in the account it acts in: a user or role as itself, a session as its role.
   */
  find(kind: IamKind, name: string, callerArn?: string): IamEntity | undefined {
    // GetUser takes names of up to 128 characters, but CreateUser and CreateRole name none longer than 64.
    if (name.length > MAX_NAME_LENGTH) return undefined;
    if (this.#entities === undefined) return this.#made(kind, name);
    const found = this.#entities.get(`${kind}/${name}`);
    if (found !== undefined || callerArn === undefined) return found;
    const caller = parsePrincipal(callerArn);
    if (caller === undefined || caller.name !== name || (caller.kind === 'user') !== (kind === 'user')) return undefined;
    // A session's ARN names its role but not the role's path: the role is answered with `/`.
    return caller.kind === 'assumed-role' ? this.#made('role', name, caller.partition) : entityOf(callerArn, {});
  }

  /** AssumeRole's limit for a session of this role: a declared role's MaxSessionDuration, else IAM's default. */
  roleMaxSessionSeconds(name: string): number {
    return this.#entities?.get(`role/${name}`)?.maxSessionSeconds ?? DEFAULT_MAX_SESSION_SECONDS;
  }

  /** A principal known by name only: path `/`, IAM's defaults. */
  #made(kind: IamKind, name: string, partition = this.#partition): IamEntity {
    return entityOf(`arn:${partition}:iam::${this.#accountId}:${kind}/${name}`, {});
  }
}

function addEntity(entities: Map<string, IamEntity>, entity: IamEntity): void {
  const key = `${entity.kind}/${entity.name}`;
  if (!entities.has(key)) entities.set(key, entity);
}

/** A user or role ARN (checked) → what IAM answers for it. */
function entityOf(arn: string, settings: Omit<SeedPrincipal, 'arn'>): IamEntity {
  const principal = parsePrincipal(arn)!;
  return {
    kind: principal.kind === 'user' ? 'user' : 'role',
    name: principal.name,
    arn,
    path: pathOf(arn),
    trustsServiceCatalog: settings.trustsServiceCatalog ?? true,
    maxSessionSeconds: settings.maxSessionSeconds ?? DEFAULT_MAX_SESSION_SECONDS,
  };
}

/** `…:role/service-role/X` → `/service-role/`; `…:user/X` → `/`. */
function pathOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.slice(resource.indexOf('/'), resource.lastIndexOf('/') + 1);
}

/** The IAM user or role `arn` names, when it is one of `accountId`'s; else why not. */
export function iamPrincipalProblem(arn: string, accountId: string): string | undefined {
  const principal = parsePrincipal(arn);
  if (principal === undefined || principal.kind === 'assumed-role') {
    return `expected an IAM user or role ARN (arn:aws:iam::${accountId}:user/NAME or …:role/PATH/NAME), got ${JSON.stringify(arn)}`;
  }
  if (principal.accountId !== accountId) return `'${arn}' must belong to the account ${accountId}`;
  return undefined;
}

const PRINCIPAL_KEYS = new Set(['arn', 'trustsServiceCatalog', 'maxSessionSeconds']);
const MIN_MAX_SESSION = 3600;
const MAX_MAX_SESSION = 43_200;

/**
 * A seed account's `principals`, checked: user or role ARNs of `accountId` (an assumed-role ARN is
 * a session, not a principal), one per kind and name, the role settings on roles only, in IAM's
 * range. Problems are pushed with their JSON path (`where` is the account's).
 */
export function parsePrincipals(input: unknown, accountId: string, where: string, problems: string[]): SeedPrincipal[] | undefined {
  if (input === undefined) return undefined;
  const at = `${where}.principals`;
  if (!Array.isArray(input)) {
    problems.push(`${at}: expected an array of {arn, trustsServiceCatalog?, maxSessionSeconds?}, got ${JSON.stringify(input)}`);
    return undefined;
  }
  const seen = new Map<string, number>();
  const parsed: SeedPrincipal[] = [];
  input.forEach((raw: unknown, index) => {
    const here = `${at}[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${here}: expected an object {arn, trustsServiceCatalog?, maxSessionSeconds?}`);
      return;
    }
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!PRINCIPAL_KEYS.has(key)) problems.push(`${here}.${key}: unknown field`);
    const { arn, trustsServiceCatalog, maxSessionSeconds } = entry;
    const why = typeof arn === 'string' ? iamPrincipalProblem(arn, accountId) : `expected an IAM user or role ARN, got ${JSON.stringify(arn)}`;
    if (why !== undefined) problems.push(`${here}.arn: ${why}`);
    const principal = why === undefined ? parsePrincipal(arn as string) : undefined;
    if (principal !== undefined) {
      const key = `${principal.kind}/${principal.name}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push(
          `${here}.arn: the ${principal.kind} ${principal.name} is already declared (${at}[${first}]); IAM names are unique per account whatever the path`,
        );
      } else seen.set(key, index);
    }
    const isRole = principal === undefined || principal.kind === 'role';
    if (trustsServiceCatalog !== undefined) {
      if (typeof trustsServiceCatalog !== 'boolean')
        problems.push(`${here}.trustsServiceCatalog: expected true or false, got ${JSON.stringify(trustsServiceCatalog)}`);
      else if (!isRole) problems.push(`${here}.trustsServiceCatalog: only a role has a trust policy`);
    }
    if (maxSessionSeconds !== undefined) {
      if (!(Number.isInteger(maxSessionSeconds) && (maxSessionSeconds as number) >= MIN_MAX_SESSION && (maxSessionSeconds as number) <= MAX_MAX_SESSION)) {
        problems.push(`${here}.maxSessionSeconds: expected an integer from ${MIN_MAX_SESSION} to ${MAX_MAX_SESSION}, got ${JSON.stringify(maxSessionSeconds)}`);
      } else if (!isRole) problems.push(`${here}.maxSessionSeconds: only a role has a MaxSessionDuration`);
    }
    parsed.push({
      arn: arn as string,
      ...(typeof trustsServiceCatalog === 'boolean' ? { trustsServiceCatalog } : {}),
      ...(typeof maxSessionSeconds === 'number' ? { maxSessionSeconds } : {}),
    });
  });
  return parsed;
}

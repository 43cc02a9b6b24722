/**
 * Parsing of the principals UpdateProvisionedProductProperties accepts:
 *
 *   IAM user          arn:<partition>:iam::<account>:user<path><name>
 *   IAM role          arn:<partition>:iam::<account>:role<path><name>
 *   STS assumed-role  arn:<partition>:sts::<account>:assumed-role/<role-name>/<session-name>
 *
 * Rules (IAM's own): partition `aws(-[a-z]+){0,2}` (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b,
 * aws-iso-e, aws-iso-f, aws-eusc...); no region; account exactly 12 digits; path `/` or `/.../`
 * of printable ASCII U+0021..U+007E, at most 512 characters; user and role names
 * `[\w+=,.@-]{1,64}`; role session names `[\w+=,.@-]{2,64}`.
 *
 * Pure: no I/O. A failure carries a short reason meant to follow
 * "... is not an IAM user, role or assumed-role ARN: ".
 */

import { quoteValue } from './format.js';

export type IamPrincipalKind = 'user' | 'role' | 'assumed-role';

export interface IamPrincipalArn {
  readonly partition: string;
  readonly accountId: string;
  readonly kind: IamPrincipalKind;
  /** IAM path, `/` or `/a/b/`; always `/` for an assumed-role (STS ARNs carry no path). */
  readonly path: string;
  /** User or role name; for an assumed-role, the role's name. */
  readonly name: string;
  /** Session name of an assumed-role ARN. */
  readonly session?: string;
}

export type IamArnParseResult = { readonly ok: true; readonly arn: IamPrincipalArn } | { readonly ok: false; readonly reason: string };

/**
 * Every AWS partition has the shape `aws`, `aws-x` or `aws-x-y` (aws, aws-cn, aws-us-gov, aws-iso,
 * aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc). The shape, not a list, so a new partition works
 * without a release; the emulator's arn-rules.ts uses the same rule (test/unit/arn-corpus.test.ts).
 */
export const PARTITION_PATTERN = /^aws(-[a-z]+){0,2}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** Any ARN cut into its six parts (`arn:partition:service:region:account:resource`), unchecked: '' for a part it lacks. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the fifth colon (a resource may hold colons itself). */
  readonly resource: string;
}

/** The one place an ARN is cut by its colons; undefined when it does not start with `arn:`. */
export function arnParts(arn: string): ArnParts | undefined {
  const [prefix, partition = '', service = '', region = '', account = '', ...resource] = arn.split(':');
  return prefix === 'arn' ? { partition, service, region, account, resource: resource.join(':') } : undefined;
}

/** The account of any ARN, if it names one. */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && ACCOUNT_ID_PATTERN.test(account) ? account : undefined;
}

/** The partition of any ARN (`aws`, `aws-cn`, `aws-us-gov`...), if it starts like one. */
export function partitionOfArn(arn: string): string | undefined {
  const partition = arnParts(arn)?.partition;
  return partition === '' ? undefined : partition;
}

export const IAM_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const IAM_PATH_MAX_LENGTH = 512;
const IAM_PATH_CHARS = /^[\u0021-\u007E]*$/;
const NAME_CHARS = /^[\w+=,.@-]*$/;

const fail = (reason: string): IamArnParseResult => ({ ok: false, reason });

/** Parses an IAM user, IAM role or STS assumed-role ARN, or says why `value` is none of them. */
export function parseIamPrincipalArn(value: string): IamArnParseResult {
  if (!value.startsWith('arn:')) {
    return fail(/^arn:/i.test(value) ? "it must start with 'arn:' in lower case" : "it must start with 'arn:'");
  }
  // arn:partition:service:region:account:resource — the resource may itself contain ':' (IAM paths may).
  const parts = value.split(':');
  if (parts.length < 6) {
    return fail('it must have the form arn:<partition>:<service>::<account>:<resource>');
  }
  const partition = parts[1]!;
  const service = parts[2]!;
  const region = parts[3]!;
  const accountId = parts[4]!;
  const resource = parts.slice(5).join(':');

  if (!PARTITION_PATTERN.test(partition)) {
    return fail(`${quoteValue(partition, 40)} is not an AWS partition (aws, aws-cn, aws-us-gov, aws-iso...)`);
  }
  if (service !== 'iam' && service !== 'sts') {
    return fail(`the service must be iam or sts, not ${quoteValue(service, 40)}`);
  }
  if (region !== '') {
    return fail(`IAM and STS ARNs have no region, found ${quoteValue(region, 40)}`);
  }
  if (!ACCOUNT_ID_PATTERN.test(accountId)) {
    return fail('the account must be 12 digits');
  }

  const slash = resource.indexOf('/');
  const type = slash === -1 ? resource : resource.slice(0, slash);
  const rest = slash === -1 ? '' : resource.slice(slash);

  if (service === 'sts') {
    if (type === 'user' || type === 'role') {
      return fail(`${type} ARNs belong to the iam service, not sts`);
    }
    if (type !== 'assumed-role') {
      return fail(`the STS resource must be assumed-role/<role-name>/<session-name>, not ${quoteValue(type, 40)}`);
    }
    return parseAssumedRole(partition, accountId, rest);
  }

  if (type === 'assumed-role') {
    return fail('assumed-role ARNs belong to the sts service, not iam');
  }
  if (type !== 'user' && type !== 'role') {
    return fail(`the resource must be user/<name> or role/<name>, not ${quoteValue(type || resource, 40)}`);
  }
  if (rest === '' || rest === '/') {
    return fail(`the ${type} name is missing`);
  }
  const lastSlash = rest.lastIndexOf('/');
  const path = rest.slice(0, lastSlash + 1);
  const name = rest.slice(lastSlash + 1);
  const pathProblem = checkPath(path);
  if (pathProblem) return fail(pathProblem);
  const nameProblem = checkName(name, `${type} name`, 1);
  if (nameProblem) return fail(nameProblem);
  return { ok: true, arn: { partition, accountId, kind: type, path, name } };
}

function parseAssumedRole(partition: string, accountId: string, rest: string): IamArnParseResult {
  // rest is "/<role-name>/<session-name>"
  const segments = rest.split('/').slice(1);
  if (segments.length !== 2) {
    return fail('an assumed-role ARN must be assumed-role/<role-name>/<session-name>');
  }
  const [roleName, session] = segments as [string, string];
  const roleProblem = checkName(roleName, 'role name', 1);
  if (roleProblem) return fail(roleProblem);
  const sessionProblem = checkName(session, 'session name', 2);
  if (sessionProblem) return fail(sessionProblem);
  return { ok: true, arn: { partition, accountId, kind: 'assumed-role', path: '/', name: roleName, session } };
}

function checkPath(path: string): string | undefined {
  if (path.length > IAM_PATH_MAX_LENGTH) {
    return `the path is ${path.length} characters long, IAM allows at most ${IAM_PATH_MAX_LENGTH}`;
  }
  if (!IAM_PATH_CHARS.test(path)) {
    return `the path ${quoteValue(path, 60)} may contain only printable ASCII characters, without spaces`;
  }
  return undefined;
}

function checkName(name: string, label: string, minLength: number): string | undefined {
  if (name.length === 0) return `the ${label} is missing`;
  if (!NAME_CHARS.test(name)) {
    return `the ${label} ${quoteValue(name, 64)} may contain only letters, digits and _+=,.@-`;
  }
  if (name.length < minLength || name.length > 64) {
    return `the ${label} must be ${minLength} to 64 characters, ${quoteValue(name, 64)} has ${name.length}`;
  }
  return undefined;
}

/**
 * Why a value given as an ARN (a flag, a map's cell) is refused for the whitespace around it, or
 * undefined. An ARN holds no whitespace, so such a value names no principal: a plan whose
 * from-owner kept a trailing space (a paste, a quote in the wrong place) would match nothing and
 * say that the owner owns nothing. Whitespace is what String.prototype.trim removes (spaces, tabs,
 * line breaks, no-break spaces). The reason follows the quoted value: "'arn:… ' has whitespace at its end".
 */
export function surroundingWhitespace(value: string): string | undefined {
  const leading = value.length - value.trimStart().length;
  const trailing = value.length - value.trimEnd().length;
  if (leading === 0 && trailing === 0) return undefined;
  if (value.trim() === '') return 'is only whitespace';
  const where = leading > 0 && trailing > 0 ? 'at its start and at its end' : leading > 0 ? 'at its start' : 'at its end';
  return `has whitespace ${where}, which no ARN has`;
}

/** "IAM user", "IAM role", "STS assumed-role". */
export function describePrincipalKind(kind: IamPrincipalKind): string {
  return kind === 'assumed-role' ? 'STS assumed-role' : `IAM ${kind}`;
}

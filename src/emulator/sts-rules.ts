/**
 * STS's own rules, as its API reference gives them: the shapes of AssumeRole's members
 * (RoleSessionName, ExternalId, DurationSeconds, SerialNumber, TokenCode), refused together in one
 * `N validation errors detected` message as AWS's model validation does; how long a role session
 * may last (900 s up to the role's MaxSessionDuration, 1 hour by default, and at most 1 hour when
 * a role session assumes a role: role chaining); and who GetCallerIdentity says the caller is.
 * On AWS a role never calls as itself, only through a session, so a `callerArn` that is a role is
 * answered as a session of it (`HOME_SESSION_NAME`); unique ids (AIDA… for users, AROA… for roles)
 * are derived from the principal's account and name, stable as IAM's are.
 */
import { createHash } from 'node:crypto';
import { parsePrincipal } from './arn-rules.js';
import { ServiceError } from './service-error.js';

/** A role's MaxSessionDuration when none was set (IAM's default), and STS's cap on a chained session. */
export const DEFAULT_MAX_SESSION_SECONDS = 3600;
export const CHAINED_SESSION_MAX_SECONDS = 3600;
const MIN_SESSION_SECONDS = 900;
const MAX_SESSION_SECONDS = 43_200;

/** The session the emulator's own caller acts through when `callerArn` names a role. */
export const HOME_SESSION_NAME = 'emulator';

/** A string member's model constraint (IAM's names are checked with it too: iam-principals.ts). */
export interface Constraint {
  readonly min: number;
  readonly max: number;
  readonly pattern: RegExp;
  /** The pattern as AWS's message spells it. */
  readonly text: string;
}

const ROLE_SESSION_NAME: Constraint = { min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' };
const EXTERNAL_ID: Constraint = { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/, text: '[\\w+=,.@:\\/-]*' };
const SERIAL_NUMBER: Constraint = { min: 9, max: 256, pattern: /^[\w+=/:,.@-]*$/, text: '[\\w+=/:,.@-]*' };
const TOKEN_CODE: Constraint = { min: 6, max: 6, pattern: /^\d*$/, text: '[\\d]*' };

/** The members of an AssumeRole request that STS's model constrains. */
export interface AssumeRoleMembers {
  readonly sessionName: string;
  readonly externalId: string | undefined;
  readonly durationSeconds: number;
  readonly serialNumber?: string | undefined;
  readonly tokenCode?: string | undefined;
}

/** Throws STS's ValidationError listing every member that breaks its model constraint. */
export function checkAssumeRoleMembers(request: AssumeRoleMembers): void {
  const problems = [
    ...memberProblems(request.sessionName, 'roleSessionName', ROLE_SESSION_NAME),
    ...memberProblems(request.externalId, 'externalId', EXTERNAL_ID),
    ...durationProblems(request.durationSeconds),
    ...memberProblems(request.serialNumber, 'serialNumber', SERIAL_NUMBER),
    ...memberProblems(request.tokenCode, 'tokenCode', TOKEN_CODE),
  ];
  const error = validationError(problems);
  if (error !== undefined) throw error;
}

/** The ValidationError AWS's model validation answers for these problems, all in one message; none: undefined. */
export function validationError(problems: readonly string[]): ServiceError | undefined {
  if (problems.length === 0) return undefined;
  return new ServiceError('ValidationError', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}

/** How `value` of `member` breaks its constraint, in AWS's words (length first, then pattern); undefined breaks nothing. */
export function memberProblems(value: string | undefined, member: string, constraint: Constraint): string[] {
  if (value === undefined) return [];
  const at = `Value '${value}' at '${member}' failed to satisfy constraint: Member must`;
  const problems: string[] = [];
  if (value.length < constraint.min) problems.push(`${at} have length greater than or equal to ${constraint.min}`);
  if (value.length > constraint.max) problems.push(`${at} have length less than or equal to ${constraint.max}`);
  if (!constraint.pattern.test(value)) problems.push(`${at} satisfy regular expression pattern: ${constraint.text}`);
  return problems;
}

function durationProblems(seconds: number): string[] {
  const at = `Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must`;
  // A value that is not a whole number: AWS does not document its answer (the SDKs never send one).
  if (!Number.isInteger(seconds)) return [`${at} be an integer`];
  if (seconds < MIN_SESSION_SECONDS) return [`${at} have value greater than or equal to ${MIN_SESSION_SECONDS}`];
  if (seconds > MAX_SESSION_SECONDS) return [`${at} have value less than or equal to ${MAX_SESSION_SECONDS}`];
  return [];
}

/**
 * A DurationSeconds the model allows, against the role's MaxSessionDuration and, when the caller
 * is itself a role session, the 1-hour limit of role chaining (that message when both apply).
 */
export function checkSessionDuration(seconds: number, roleMaxSeconds: number, chained: boolean): void {
  if (chained && seconds > CHAINED_SESSION_MAX_SECONDS) {
    throw new ServiceError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (seconds > roleMaxSeconds) {
    throw new ServiceError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
}

/** Whether credentials acting as `callerArn` are a role session (AssumeRole with them is role chaining). */
export function isRoleSession(callerArn: string): boolean {
  const kind = parsePrincipal(callerArn)?.kind;
  return kind === 'role' || kind === 'assumed-role';
}

/** What STS GetCallerIdentity answers. */
export interface CallerIdentity {
  readonly arn: string;
  readonly userId: string;
}

const ROOT_ARN = /^arn:aws(?:-[a-z]+){0,2}:iam::(\d{12}):root$/;

/** GetCallerIdentity's Arn and UserId for credentials acting as `callerArn`. */
export function callerIdentityOf(callerArn: string): CallerIdentity {
  const root = ROOT_ARN.exec(callerArn);
  if (root !== null) return { arn: callerArn, userId: root[1]! };
  const principal = parsePrincipal(callerArn);
  if (principal === undefined) throw new TypeError(`not a principal ARN: ${callerArn}`);
  const { kind, partition, accountId, name } = principal;
  if (kind === 'user') return { arn: callerArn, userId: uniqueId('AIDA', accountId, name) };
  const session = principal.session ?? HOME_SESSION_NAME;
  return {
    arn: `arn:${partition}:sts::${accountId}:assumed-role/${name}/${session}`,
    userId: `${uniqueId('AROA', accountId, name)}:${session}`,
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** IAM's unique id of a user (AIDA…) or role (AROA…): 21 characters, the same for the same account and name. */
export function uniqueId(prefix: 'AIDA' | 'AROA', accountId: string, name: string): string {
  const digest = createHash('sha256').update(`${prefix}:${accountId}:${name}`, 'utf8').digest();
  let id = prefix;
  for (let i = 0; i < 17; i += 1) id += ID_ALPHABET[digest[i]! % ID_ALPHABET.length];
  return id;
}

/**
 * STS and IAM as the local Service Catalog answers them, in the AWS query protocol those services
 * speak (form-encoded `Action=...&Version=...` in, XML out), on the same port: STS
 * GetCallerIdentity (the caller is `callerArn`, in the shapes STS answers: sts-rules.ts), IAM
 * GetUser and GetRole for principals of the emulator's account (ids as sts-rules.ts derives them,
 * roles with IAM's default MaxSessionDuration). Every principal exists and every role trusts
 * Service Catalog, except those the faults declare missing (`missingPrincipals`) or untrusted
 * (`untrustedRoles`); `iamAccessDenied` answers AccessDenied to the IAM reads, as for a caller
 * without IAM read rights.
 * STS AssumeRole hands out credentials for another account's role (accounts.ts decides who may),
 * with an MFA device's SerialNumber and TokenCode when a profile with `mfa_serial` sends them.
 */
import { randomUUID } from 'node:crypto';
import type { AssumeRoleRequest, IssuedCredentials } from './accounts.js';
import { ServiceError } from './service-error.js';
import { DEFAULT_MAX_SESSION_SECONDS, callerIdentityOf, uniqueId } from './sts-rules.js';

export interface QueryContext {
  readonly accountId: string;
  readonly callerArn: string;
  readonly missingPrincipals: readonly string[];
  readonly untrustedRoles: readonly string[];
  readonly iamAccessDenied: boolean;
  /** Checks and issues AssumeRole credentials; throws a ServiceError (AccessDenied, ValidationError). */
  readonly assumeRole: (request: AssumeRoleRequest) => IssuedCredentials;
}

export interface QueryAnswer {
  readonly status: number;
  readonly xml: string;
  readonly outcome: string;
}

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** The signing service each query action belongs to (the credential scope must name it). */
export const QUERY_ACTIONS: Readonly<Record<string, 'sts' | 'iam'>> = { GetCallerIdentity: 'sts', AssumeRole: 'sts', GetUser: 'iam', GetRole: 'iam' };

/** AssumeRole's DurationSeconds when the request names none (AWS's default). */
const DEFAULT_SESSION_SECONDS = 3600;

export function isQueryRequest(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function parseQueryBody(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}

export function answerQuery(action: string, params: URLSearchParams, context: QueryContext): QueryAnswer {
  try {
    switch (action) {
      case 'GetCallerIdentity': {
        const caller = callerIdentityOf(context.callerArn);
        return ok('sts', action, `<Arn>${xml(caller.arn)}</Arn><UserId>${xml(caller.userId)}</UserId><Account>${context.accountId}</Account>`);
      }
      case 'AssumeRole': {
        const duration = params.get('DurationSeconds');
        const issued = context.assumeRole({
          roleArn: required(params, 'RoleArn'),
          sessionName: required(params, 'RoleSessionName'),
          externalId: params.get('ExternalId') ?? undefined,
          durationSeconds: duration === null ? DEFAULT_SESSION_SECONDS : Number(duration),
          serialNumber: params.get('SerialNumber') ?? undefined,
          tokenCode: params.get('TokenCode') ?? undefined,
        });
        return ok(
          'sts',
          action,
          `<Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>` +
            `<SessionToken>${issued.sessionToken}</SessionToken><Expiration>${new Date(issued.expiresAt).toISOString()}</Expiration></Credentials>` +
            `<AssumedRoleUser><AssumedRoleId>${xml(issued.assumedRoleId)}</AssumedRoleId><Arn>${xml(issued.assumedRoleArn)}</Arn></AssumedRoleUser>`,
        );
      }
      case 'GetUser':
        return ok('iam', action, `<User>${principal(context, 'user', required(params, 'UserName'))}</User>`);
      case 'GetRole': {
        const name = required(params, 'RoleName');
        const trusted = !context.untrustedRoles.some((untrusted) => nameOf(untrusted, 'role') === name);
        const policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: trusted ? 'servicecatalog.amazonaws.com' : 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        });
        return ok(
          'iam',
          action,
          `<Role>${principal(context, 'role', name)}<AssumeRolePolicyDocument>${xml(encodeURIComponent(policy))}</AssumeRolePolicyDocument></Role>`,
        );
      }
      default:
        throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version.`);
    }
  } catch (caught) {
    const error = caught instanceof ServiceError ? new QueryError(caught.status, caught.type, caught.message) : caught;
    if (!(error instanceof QueryError)) throw error;
    const ns = QUERY_ACTIONS[action] === 'sts' ? STS_NS : IAM_NS;
    const body = `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${xml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
    return { status: error.status, xml: body, outcome: error.code };
  }
}

/** An IAM user's or role's members, after the access and existence checks. */
function principal(context: QueryContext, kind: 'user' | 'role', name: string): string {
  if (context.iamAccessDenied) {
    throw new QueryError(
      403,
      'AccessDenied',
      `User: ${callerIdentityOf(context.callerArn).arn} is not authorized to perform: iam:Get${kind === 'user' ? 'User' : 'Role'} on resource: ${kind} ${name}`,
    );
  }
  if (context.missingPrincipals.some((missing) => nameOf(missing, kind) === name)) {
    throw new QueryError(404, 'NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
  }
  const arn = `arn:aws:iam::${context.accountId}:${kind}/${name}`;
  const [nameTag, idTag] = kind === 'user' ? ['UserName', 'UserId'] : ['RoleName', 'RoleId'];
  const id = uniqueId(kind === 'user' ? 'AIDA' : 'AROA', context.accountId, name);
  // Every role has IAM's default MaxSessionDuration, the one AssumeRole holds sessions to.
  const maxSession = kind === 'role' ? `<MaxSessionDuration>${DEFAULT_MAX_SESSION_SECONDS}</MaxSessionDuration>` : '';
  return `<Path>/</Path><${nameTag}>${xml(name)}</${nameTag}><${idTag}>${id}</${idTag}><Arn>${xml(arn)}</Arn><CreateDate>2023-01-02T09:00:00Z</CreateDate>${maxSession}`;
}

/** The name of an IAM principal ARN of `kind` (`user/path/name` → `name`); an assumed role names its role. */
function nameOf(arn: string, kind: 'user' | 'role'): string | undefined {
  const resource = arn.split(':').slice(5).join(':');
  const [type, ...rest] = resource.split('/');
  if (kind === 'role' && type === 'assumed-role') return rest[0];
  return type === kind ? rest.at(-1) : undefined;
}

function ok(service: 'sts' | 'iam', action: string, result: string): QueryAnswer {
  const ns = service === 'sts' ? STS_NS : IAM_NS;
  const body = `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, xml: body, outcome: 'ok' };
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '')
    throw new QueryError(
      400,
      'ValidationError',
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

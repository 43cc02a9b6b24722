/**
 * STS and IAM as the local Service Catalog answers them, in the AWS query protocol those services
 * speak (form-encoded `Action=...&Version=...` in, XML out), on the same port: STS
 * GetCallerIdentity (the caller is `callerArn`, in the shapes STS answers: sts-rules.ts), IAM
 * GetUser and GetRole for principals of the account the request acts in (ids as sts-rules.ts
 * derives them). Which principals exist is the account's IAM (iam-principals.ts): with `principals`
 * in its seed (or `iamPrincipals` naming it), those, its `assumableRoles`, its `iamPrincipals` and
 * the caller, any other name NoSuchEntity as IAM answers it; without (seeds written before
 * principals existed, the stated default), every name, with path `/`. A principal is answered with
 * the Path and Arn of its ARN, a role with its MaxSessionDuration (default IAM's hour) and a trust
 * policy letting Service Catalog assume it unless declared `trustsServiceCatalog: false`. A
 * UserName or RoleName IAM's model refuses is a ValidationError before any lookup. The faults
 * still apply on top: `missingPrincipals` are NoSuchEntity, `untrustedRoles` do not trust Service
 * Catalog, and `iamAccessDenied` answers AccessDenied to the IAM reads, as for a caller without
 * IAM read rights.
 * STS AssumeRole hands out credentials for another account's role (accounts.ts decides who may),
 * with an MFA device's SerialNumber and TokenCode when a profile with `mfa_serial` sends them.
 */
import { randomUUID } from 'node:crypto';
import type { AssumeRoleRequest, IssuedCredentials } from './accounts.js';
import { checkIamName, type IamDirectory, type IamEntity, type IamKind } from './iam-principals.js';
import { ServiceError } from './service-error.js';
import { callerIdentityOf, uniqueId } from './sts-rules.js';

export interface QueryContext {
  readonly accountId: string;
  readonly callerArn: string;
  /** The IAM users and roles of the account the request acts in. */
  readonly iam: IamDirectory;
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
      case 'GetUser': {
        const user = principal(context, 'user', required(params, 'UserName'));
        return ok('iam', action, `<User>${principalMembers(context, user)}</User>`);
      }
      case 'GetRole': {
        const role = principal(context, 'role', required(params, 'RoleName'));
        const trusted = role.trustsServiceCatalog && !context.untrustedRoles.some((untrusted) => nameOf(untrusted, 'role') === role.name);
        const policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: trusted ? 'servicecatalog.amazonaws.com' : 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        });
        return ok(
          'iam',
          action,
          `<Role>${principalMembers(context, role)}<MaxSessionDuration>${role.maxSessionSeconds}</MaxSessionDuration><AssumeRolePolicyDocument>${xml(encodeURIComponent(policy))}</AssumeRolePolicyDocument></Role>`,
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

/** The IAM user or role GetUser / GetRole asks for, after IAM's checks: the name's shape, access, existence. */
function principal(context: QueryContext, kind: IamKind, name: string): IamEntity {
  // The model's constraints come first, as for any AWS request: a bad name is never looked up.
  checkIamName(kind, name);
  if (context.iamAccessDenied) {
    throw new QueryError(
      403,
      'AccessDenied',
      `User: ${callerIdentityOf(context.callerArn).arn} is not authorized to perform: iam:Get${kind === 'user' ? 'User' : 'Role'} on resource: ${kind} ${name}`,
    );
  }
  const found = context.missingPrincipals.some((missing) => nameOf(missing, kind) === name) ? undefined : context.iam.find(kind, name, context.callerArn);
  if (found === undefined) throw new QueryError(404, 'NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
  return found;
}

/** The members a user and a role have in common: Path, name, id, Arn, CreateDate. */
function principalMembers(context: QueryContext, entity: IamEntity): string {
  const [nameTag, idTag] = entity.kind === 'user' ? ['UserName', 'UserId'] : ['RoleName', 'RoleId'];
  const id = uniqueId(entity.kind === 'user' ? 'AIDA' : 'AROA', context.accountId, entity.name);
  return (
    `<Path>${xml(entity.path)}</Path><${nameTag}>${xml(entity.name)}</${nameTag}><${idTag}>${id}</${idTag}>` +
    `<Arn>${xml(entity.arn)}</Arn><CreateDate>2023-01-02T09:00:00Z</CreateDate>`
  );
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

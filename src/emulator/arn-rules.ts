/**
 * Which principals Service Catalog accepts as OWNER and LAUNCH_ROLE. The API reference says OWNER
 * takes IAM user, IAM role and STS assumed-role ARNs, LAUNCH_ROLE only role ARNs, and both must be
 * in the provisioned product's own account. Name and path alphabets are IAM's.
 */

export type PrincipalKind = 'user' | 'role' | 'assumed-role';

export interface ParsedPrincipal {
  readonly kind: PrincipalKind;
  readonly partition: string;
  readonly accountId: string;
  /** User or role name (without path); for assumed-role, the role name. */
  readonly name: string;
  /** STS session name of an assumed-role ARN. */
  readonly session?: string;
}

// Partitions: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc.
// The shape every partition has (aws, aws-x, aws-x-y), as the input validator's PARTITION_PATTERN.
const PARTITION = 'aws(?:-[a-z]+){0,2}';
// IAM path: "/" or "/segment/…/" of printable ASCII, at most 512 characters (checked apart);
// IAM names: [\w+=,.@-]{1,64}.
const IAM_PATH = '/(?:[\\x21-\\x7E]*/)?';
const IAM_PATH_MAX = 512;
const IAM_NAME = '[\\w+=,.@-]{1,64}';
const SESSION = '[\\w+=,.@-]{2,64}';

const IAM_ARN = new RegExp(`^arn:(${PARTITION}):iam::(\\d{12}):(user|role)${IAM_PATH}(${IAM_NAME})$`);
const ASSUMED_ROLE_ARN = new RegExp(`^arn:(${PARTITION}):sts::(\\d{12}):assumed-role/(${IAM_NAME})/(${SESSION})$`);

/** Parses an IAM user, IAM role or STS assumed-role ARN; anything else is undefined. */
export function parsePrincipal(arn: string): ParsedPrincipal | undefined {
  const iam = IAM_ARN.exec(arn);
  if (iam) {
    const resource = arn.split(':').slice(5).join(':');
    const path = resource.slice(resource.indexOf('/'), resource.lastIndexOf('/') + 1);
    if (path.length > IAM_PATH_MAX) return undefined;
    return { kind: iam[3] as 'user' | 'role', partition: iam[1]!, accountId: iam[2]!, name: iam[4]! };
  }
  const sts = ASSUMED_ROLE_ARN.exec(arn);
  if (sts) {
    return { kind: 'assumed-role', partition: sts[1]!, accountId: sts[2]!, name: sts[3]!, session: sts[4]! };
  }
  return undefined;
}

/** Why `arn` cannot be the OWNER of a product in `accountId`, or undefined when it can. */
export function ownerProblem(arn: string, accountId: string, partition = 'aws'): string | undefined {
  const principal = parsePrincipal(arn);
  if (!principal) {
    return `The OWNER '${arn}' is not a valid IAM user, IAM role or STS assumed-role ARN.`;
  }
  if (principal.partition !== partition) {
    return `The OWNER '${arn}' must be in the provisioned product's partition ${partition}.`;
  }
  if (principal.accountId !== accountId) {
    return `The OWNER '${arn}' must belong to the provisioned product's account ${accountId}.`;
  }
  return undefined;
}

/** Why `arn` cannot be the LAUNCH_ROLE of a product in `accountId`, or undefined when it can. */
export function launchRoleProblem(arn: string, accountId: string, partition = 'aws'): string | undefined {
  const principal = parsePrincipal(arn);
  if (!principal || principal.kind !== 'role') {
    return `The LAUNCH_ROLE '${arn}' is not a valid IAM role ARN. Only a role ARN is valid.`;
  }
  if (principal.partition !== partition) {
    return `The LAUNCH_ROLE '${arn}' must be in the provisioned product's partition ${partition}.`;
  }
  if (principal.accountId !== accountId) {
    return `The LAUNCH_ROLE '${arn}' must belong to the provisioned product's account ${accountId}.`;
  }
  return undefined;
}

/**
 * The role behind a principal, for AccessLevelFilter Role: an IAM role is its own role, an
 * assumed-role session belongs to its role; users have none.
 */
export function roleOf(arn: string): string | undefined {
  const principal = parsePrincipal(arn);
  if (!principal || principal.kind === 'user') return undefined;
  return `${principal.partition}:${principal.accountId}:${principal.name}`;
}

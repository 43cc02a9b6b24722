/**
 * One data row → TransferRow, or every problem of the row. Pure.
 *
 * Cells are trimmed (String.prototype.trim); an empty cell is `undefined`, never "". Rules:
 *   - id: required (ID_MISSING), at most 100 characters (VALUE_TOO_LONG), whole value
 *     `[a-zA-Z0-9_-]+` (ID_INVALID);
 *   - new owner and launch role: at most one may be empty (NOTHING_TO_CHANGE), each at most 1024
 *     characters (VALUE_TOO_LONG);
 *   - new owner: an IAM user, IAM role or STS assumed-role ARN (OWNER_INVALID);
 *   - launch role: an IAM role ARN that also whole-matches the model's RoleArn (LAUNCH_ROLE_INVALID);
 *   - both given: same partition and account (ACCOUNT_MISMATCH), since Service Catalog only
 *     accepts principals of the provisioned product's own account;
 *   - account_id (optional column): 12 digits (ACCOUNT_ID_INVALID), the account of the ARNs
 *     (ACCOUNT_MISMATCH); without the column the row's account is the ARNs';
 *   - region (optional column): a region name such as eu-west-1 (REGION_INVALID); empty means --region.
 * Extra columns are carried untouched (not trimmed, not checked).
 */
import {
  PROPERTY_VALUE_MAX_LENGTH,
  PROVISIONED_PRODUCT_ID_MAX_LENGTH,
  PROVISIONED_PRODUCT_ID_PATTERN,
  REGION_PATTERN,
  ROLE_ARN_MAX_LENGTH,
  ROLE_ARN_MODEL_PATTERN,
} from './api-constraints.js';
import { quoteValue } from './format.js';
import { ACCOUNT_ID_PATTERN, describePrincipalKind, parseIamPrincipalArn, type IamPrincipalArn } from './iam-arn.js';
import type { HeaderMap, InputProblem, InputProblemCode, TransferRow } from './types.js';

export type RowValidation = { readonly row: TransferRow } | { readonly problems: InputProblem[] };

/** Trimmed cell, `undefined` when empty or absent. */
export function cleanCell(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function validateRow(cells: Readonly<Record<string, string>>, line: number, header: HeaderMap): RowValidation {
  const problems: InputProblem[] = [];
  const add: AddProblem = (code, message, column) => {
    problems.push(column === undefined ? { code, line, message } : { code, line, column, message });
  };
  const { idColumn, ownerColumn, launchRoleColumn: roleColumn } = header;
  const id = cleanCell(cells[idColumn]);
  checkId(id, idColumn, add);
  const owner = ownerColumn === undefined ? undefined : cleanCell(cells[ownerColumn]);
  const launchRole = roleColumn === undefined ? undefined : cleanCell(cells[roleColumn]);
  if (owner === undefined && launchRole === undefined) {
    const named = [ownerColumn, roleColumn].filter((c): c is string => c !== undefined);
    add('NOTHING_TO_CHANGE', named.length === 2 ? `${named[0]} and ${named[1]} are both empty: nothing to change` : `${named[0]} is empty: nothing to change`);
  }
  const ownerArn = owner !== undefined && ownerColumn !== undefined ? ownerArnOf(owner, ownerColumn, add) : undefined;
  const roleArn = launchRole !== undefined && roleColumn !== undefined ? launchRoleArnOf(launchRole, roleColumn, add) : undefined;
  if (ownerArn && roleArn && ownerColumn !== undefined && roleColumn !== undefined) {
    if (ownerArn.accountId !== roleArn.accountId || ownerArn.partition !== roleArn.partition) {
      add(
        'ACCOUNT_MISMATCH',
        `${ownerColumn} is in account ${ownerArn.partition}:${ownerArn.accountId} but ${roleColumn} is in account ${roleArn.partition}:${roleArn.accountId}; both must be in the provisioned product's account`,
      );
    }
  }
  const arnAccount = ownerArn?.accountId ?? roleArn?.accountId;
  const accountColumn = header.accountColumn;
  const accountCell = accountColumn === undefined ? undefined : cleanCell(cells[accountColumn]);
  if (accountCell !== undefined && accountColumn !== undefined) {
    checkAccountCell(accountCell, accountColumn, arnAccount, ownerArn !== undefined ? ownerColumn : roleColumn, add);
  }
  const regionColumn = header.regionColumn;
  const region = regionColumn === undefined ? undefined : cleanCell(cells[regionColumn]);
  if (region !== undefined && regionColumn !== undefined && !REGION_PATTERN.test(region)) {
    add('REGION_INVALID', `${regionColumn} ${quoteValue(region)} is not an AWS region name (such as us-east-1 or eu-west-2)`, regionColumn);
  }
  if (problems.length > 0 || id === undefined || arnAccount === undefined) return { problems };
  const extra = Object.fromEntries(header.extraColumns.map((c) => [c, cells[c] ?? '']));
  const row = { line, provisionedProductId: id, newOwner: owner, launchRole, accountId: accountCell ?? arnAccount, extra };
  return { row: region === undefined ? row : { ...row, region } };
}

/** Records one problem of the row, at its column when it has one. */
type AddProblem = (code: InputProblemCode, message: string, column?: string) => void;

function checkId(id: string | undefined, idColumn: string, add: AddProblem): void {
  if (id === undefined) {
    add('ID_MISSING', `${idColumn} is empty: every row needs the provisioned product id`, idColumn);
  } else if (id.length > PROVISIONED_PRODUCT_ID_MAX_LENGTH) {
    add(
      'VALUE_TOO_LONG',
      `${idColumn} ${quoteValue(id)} is ${id.length} characters long; a provisioned product id has at most ${PROVISIONED_PRODUCT_ID_MAX_LENGTH}`,
      idColumn,
    );
  } else if (!PROVISIONED_PRODUCT_ID_PATTERN.test(id)) {
    const bad = Array.from(id).find((c) => !/[a-zA-Z0-9_-]/.test(c)) ?? '';
    add(
      'ID_INVALID',
      `${idColumn} ${quoteValue(id)} is not a provisioned product id: it may contain only letters, digits, '_' and '-' (found ${quoteValue(bad)})`,
      idColumn,
    );
  }
}

/** The new owner as an ARN, or undefined (its problem added). */
function ownerArnOf(owner: string, ownerColumn: string, add: AddProblem): IamPrincipalArn | undefined {
  if (owner.length > PROPERTY_VALUE_MAX_LENGTH) {
    add('VALUE_TOO_LONG', tooLong(ownerColumn, owner), ownerColumn);
    return undefined;
  }
  const parsed = parseIamPrincipalArn(owner);
  if (parsed.ok) return parsed.arn;
  add('OWNER_INVALID', `${ownerColumn} ${quoteValue(owner)} is not an IAM user, role or assumed-role ARN: ${parsed.reason}`, ownerColumn);
  return undefined;
}

/** The launch role as an ARN, or undefined (its problem added). */
function launchRoleArnOf(launchRole: string, roleColumn: string, add: AddProblem): IamPrincipalArn | undefined {
  if (launchRole.length > PROPERTY_VALUE_MAX_LENGTH) {
    add('VALUE_TOO_LONG', tooLong(roleColumn, launchRole), roleColumn);
    return undefined;
  }
  const reason = launchRoleProblem(launchRole);
  if (reason !== undefined) {
    add('LAUNCH_ROLE_INVALID', `${roleColumn} ${quoteValue(launchRole)} is not an IAM role ARN: ${reason}`, roleColumn);
    return undefined;
  }
  const parsed = parseIamPrincipalArn(launchRole);
  return parsed.ok ? parsed.arn : undefined;
}

/** The account column: 12 digits, and the account the row's ARNs name. */
function checkAccountCell(accountCell: string, accountColumn: string, arnAccount: string | undefined, arnColumn: string | undefined, add: AddProblem): void {
  if (!ACCOUNT_ID_PATTERN.test(accountCell)) {
    add('ACCOUNT_ID_INVALID', `${accountColumn} ${quoteValue(accountCell)} is not an AWS account id (12 digits)`, accountColumn);
  } else if (arnAccount !== undefined && arnAccount !== accountCell) {
    add(
      'ACCOUNT_MISMATCH',
      `${accountColumn} is ${accountCell} but ${arnColumn ?? 'the ARN'} is in account ${arnAccount}; a new owner and launch role must be in the provisioned product's account`,
      accountColumn,
    );
  }
}

function tooLong(column: string, value: string): string {
  return `${column} ${quoteValue(value, 40)} is longer than the ${PROPERTY_VALUE_MAX_LENGTH} characters the API accepts`;
}

/** Why `value` cannot be a LAUNCH_ROLE, or undefined. */
function launchRoleProblem(value: string): string | undefined {
  const parsed = parseIamPrincipalArn(value);
  if (!parsed.ok) return parsed.reason;
  const { arn } = parsed;
  if (arn.kind === 'user') {
    return 'it is an IAM user ARN; a launch role must be an IAM role';
  }
  if (arn.kind === 'assumed-role') {
    return `it is an ${describePrincipalKind(arn.kind)} (session) ARN; give the role's own ARN, arn:${arn.partition}:iam::${arn.accountId}:role/${arn.name} (with its path, if any)`;
  }
  if (value.length > ROLE_ARN_MAX_LENGTH || !ROLE_ARN_MODEL_PATTERN.test(value)) {
    return 'it does not match the API model RoleArn pattern';
  }
  return undefined;
}

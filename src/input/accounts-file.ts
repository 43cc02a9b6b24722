/**
 * `--accounts FILE`: how to reach each account of a run across accounts, for the accounts that
 * differ from `--assume-role-name` (in the spirit of the accounts files multi-account tools keep).
 * A CSV with a header naming these columns (any order; names matched as the input's are, ignoring
 * case and `_`, `-` and spaces):
 *
 *   account_id   required, 12 digits, once per file
 *   role_arn     the role to assume in it (an IAM role ARN of that account); empty: --assume-role-name's
 *   region       its region when a row names none; empty: --region
 *   external_id  the ExternalId its role's trust policy asks for; empty: --external-id
 *   profile      the shared-config profile whose credentials assume the role, or, with no role to
 *                assume, the profile that acts in the account itself; empty: the default chain
 *
 * Pure: the text in, the entries or every problem (with its line) out.
 */
import { EXTERNAL_ID_PATTERN, REGION_PATTERN } from './api-constraints.js';
import { columnKey, parseCsvTable } from './csv-table.js';
import { ACCOUNT_ID_PATTERN, parseIamPrincipalArn } from './iam-arn.js';

export interface AccountAccessEntry {
  readonly accountId: string;
  readonly roleArn: string | undefined;
  readonly region: string | undefined;
  readonly externalId: string | undefined;
  readonly profile: string | undefined;
  /** Its line in the file, for messages. */
  readonly line: number;
}

export type AccountsFileParse = { readonly entries: ReadonlyMap<string, AccountAccessEntry> } | { readonly problems: readonly string[] };

const COLUMNS = { accountid: 'accountId', rolearn: 'roleArn', region: 'region', externalid: 'externalId', profile: 'profile' } as const;
type Field = (typeof COLUMNS)[keyof typeof COLUMNS];

const PROFILE = /^[\w+=,.@/-]{1,128}$/;

export function parseAccountsFile(text: string, path: string): AccountsFileParse {
  const table = parseCsvTable(text);
  if (!table.ok) return { problems: [`${path}: ${table.message}`] };
  const { header, rows } = table;
  if (header.length === 0) return { problems: [`${path}: empty; its first line must name the columns account_id, role_arn, region, external_id, profile`] };
  const problems: string[] = [];
  const index = new Map<Field, number>();
  header.forEach((cell, i) => {
    const field = (COLUMNS as Record<string, Field>)[columnKey(cell)];
    if (field === undefined) problems.push(`${path} line 1: unknown column '${cell}' (the columns are account_id, role_arn, region, external_id, profile)`);
    else if (index.has(field)) problems.push(`${path} line 1: column '${cell}' is named twice`);
    else index.set(field, i);
  });
  if (!index.has('accountId')) problems.push(`${path} line 1: no account_id column`);
  if (problems.length > 0) return { problems };

  const entries = new Map<string, AccountAccessEntry>();
  rows.forEach(({ line, cells }) => {
    const cell = (field: Field): string | undefined => {
      const at = index.get(field);
      const value = at === undefined ? undefined : cells[at];
      return value === undefined || value === '' ? undefined : value;
    };
    const at = `${path} line ${line}`;
    const accountId = cell('accountId') ?? '';
    if (!ACCOUNT_ID_PATTERN.test(accountId)) {
      problems.push(`${at}: account_id '${accountId}' is not an AWS account id (12 digits)`);
      return;
    }
    const roleArn = cell('roleArn');
    if (roleArn !== undefined) {
      const parsed = parseIamPrincipalArn(roleArn);
      if (!parsed.ok || parsed.arn.kind !== 'role') problems.push(`${at}: role_arn '${roleArn}' is not an IAM role ARN`);
      else if (parsed.arn.accountId !== accountId) problems.push(`${at}: role_arn is a role of account ${parsed.arn.accountId}, not of ${accountId}`);
    }
    const region = cell('region');
    if (region !== undefined && !REGION_PATTERN.test(region)) problems.push(`${at}: region '${region}' is not an AWS region name (such as eu-west-1)`);
    const externalId = cell('externalId');
    if (externalId !== undefined && !EXTERNAL_ID_PATTERN.test(externalId)) problems.push(`${at}: external_id must be 2-1224 of letters, digits and +=,.@:/-_`);
    const profile = cell('profile');
    if (profile !== undefined && !PROFILE.test(profile)) problems.push(`${at}: profile '${profile}' is not a profile name`);
    const earlier = entries.get(accountId);
    if (earlier !== undefined) problems.push(`${at}: account ${accountId} is listed twice (also line ${earlier.line})`);
    else entries.set(accountId, { accountId, roleArn, region, externalId, profile, line });
  });
  return problems.length > 0 ? { problems } : { entries };
}

/**
 * `plan`'s flags and their parse, and the reading of its map files. Every ARN is checked before
 * any call: a to-owner that is not a user, role or assumed-role ARN, or an owner pair across two
 * accounts, is a usage error naming the flag or the map's line.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { columnKey, parseCsvTable } from '../input/csv-table.js';
import { readErrorText } from '../errors.js';
import { parseIamPrincipalArn, ACCOUNT_ID_PATTERN, surroundingWhitespace } from '../input/iam-arn.js';
import { quoteValue } from '../input/format.js';
import type { LaunchRoleRule, OwnerRule, PlanFilters } from '../plan/plan-rules.js';
import type { RunFile } from '../report/output-paths.js';
import { REGION_PATTERN } from '../input/api-constraints.js';
import { arnFlag, booleanFlag, listFlag, parseFlags, stringFlag, UsageError, type FlagSpec, type ParsedFlags } from './flags.js';
import { RUN_FLAGS } from './run-flags.js';
import { accessFlags, awsAndLogFlags, type AwsAndLogSettings } from './run-options.js';

/** The flags `plan` shares with `run`, by name: one description and default for both (`snapshot` takes them too). */
export const PLAN_FLAGS_FROM_RUN = [
  'region',
  'profile',
  'endpoint-url',
  'sts-endpoint-url',
  'iam-endpoint-url',
  'assume-role-name',
  'external-id',
  'accounts',
  'rate',
  'request-timeout',
  'log-level',
  'log-file',
  'log-format',
  'no-progress',
];

export const PLAN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'from-owner',
    type: 'string',
    valueName: 'ARN',
    description: 'Every product this owner has (a user, a role and all its sessions, or one assumed-role session).',
  },
  { name: 'to-owner', type: 'string', valueName: 'ARN', description: 'The new owner of those products (with --from-owner).' },
  { name: 'launch-role', type: 'string', valueName: 'ARN', description: 'Also give the moved products this launch role (with --from-owner).' },
  { name: 'owner-map', type: 'string', valueName: 'FILE', description: 'CSV old_owner,new_owner[,launch_role]: many owners in one pass over the account.' },
  {
    name: 'launch-role-map',
    type: 'string',
    valueName: 'FILE',
    description: 'CSV old_launch_role,new_launch_role: move every product that uses a retired launch role.',
  },
  { name: 'out', type: 'string', valueName: 'FILE', description: 'The plan: an input CSV for run, with review columns (required).' },
  { name: 'force', type: 'boolean', description: 'Replace --out if it exists.' },
  {
    name: 'status',
    type: 'string',
    multiple: true,
    valueName: 'STATUS',
    description: 'Only products in these statuses (repeatable, or comma-separated).',
    defaultText: 'every status',
  },
  { name: 'name-contains', type: 'string', valueName: 'TEXT', description: 'Only provisioned products whose name contains this (any case).' },
  { name: 'product-id', type: 'string', valueName: 'ID', description: 'Only provisioned products of this product (prod-…).' },
  { name: 'tag', type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'Only products with this tag (repeatable: all must match).' },
  {
    name: 'account',
    type: 'string',
    multiple: true,
    valueName: 'ID',
    description:
      "Across accounts: also list this account (repeatable, or comma-separated); the accounts file's accounts and those of the owner and launch-role rules are listed anyway.",
    defaultText: 'none',
  },
  { name: 'regions', type: 'string', valueName: 'R1,R2', description: 'Across accounts: list each account in these regions.', defaultText: '--region' },
  ...RUN_FLAGS.filter((flag) => PLAN_FLAGS_FROM_RUN.includes(flag.name)).map((flag) =>
    flag.name === 'rate'
      ? { ...flag, description: 'Ceiling of list requests per second; lowered automatically on throttling.' }
      : flag.name === 'no-progress'
        ? { ...flag, description: 'No progress line on a terminal (accounts, pages and products read).' }
        : flag,
  ),
];

/** Across accounts, `accountIds` are listed besides the accounts file's and the rules' accounts. */
export interface PlanConfig extends AwsAndLogSettings, AccountListSettings {
  readonly help: boolean;
  readonly owners: readonly OwnerRule[];
  readonly launchRoles: readonly LaunchRoleRule[];
  readonly filters: PlanFilters;
  readonly out: string;
  readonly force: boolean;
  /** `--owner-map` and `--launch-role-map`, resolved (their rules are already read into `owners` and `launchRoles`). */
  readonly ownerMap: string | undefined;
  readonly launchRoleMap: string | undefined;
  /** Where the listing is, on a terminal; false with --no-progress. */
  readonly progress: boolean;
  /** Plans have no run id: the role session is `sc-owner-transfer`. */
  readonly runId: string;
}

export function parsePlanConfig(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>>): PlanConfig {
  const flags = parseFlags(argv, PLAN_FLAGS);
  const help = booleanFlag(flags, 'help');
  if (help) return { help } as PlanConfig;
  const rules = ruleFlags(flags, cwd);
  const out = stringFlag(flags, 'out');
  if (out === undefined || out === '') throw new UsageError('MISSING_FLAG', '--out is required');
  const accounts = accountListFlags(flags, cwd);
  if (!accounts.acrossAccounts && (accounts.accountIds.length > 0 || accounts.regions.length > 0))
    throw new UsageError('BAD_VALUE', '--account and --regions plan across accounts: give --assume-role-name or --accounts');
  return {
    help,
    ...rules,
    ...accounts,
    runId: '',
    filters: filterFlags(flags),
    out: resolve(cwd, out),
    force: booleanFlag(flags, 'force'),
    progress: !booleanFlag(flags, 'no-progress'),
    ...awsAndLogFlags(flags, cwd, env),
  };
}

/** The accounts a command that lists them reads (`plan`, `snapshot`): how they are reached, which, in which regions. */
export interface AccountListSettings {
  /** Across accounts (`--assume-role-name` or `--accounts`). */
  readonly acrossAccounts: boolean;
  readonly assumeRoleName: string | undefined;
  readonly externalId: string | undefined;
  /** `--accounts`, resolved. */
  readonly accountsFile: string | undefined;
  /** `--account`: accounts besides the accounts file's. */
  readonly accountIds: readonly string[];
  /** `--regions`; empty for `--region` alone. */
  readonly regions: readonly string[];
}

/** `--assume-role-name`, `--external-id`, `--accounts`, `--account` and `--regions`, each value checked. */
export function accountListFlags(flags: ParsedFlags, cwd: string): AccountListSettings {
  const { assumeRoleName, externalId, accountsFile } = accessFlags(flags);
  const accountIds = listFlag(flags, 'account');
  for (const id of accountIds) if (!ACCOUNT_ID_PATTERN.test(id)) throw new UsageError('BAD_VALUE', `--account expects a 12-digit account id, got '${id}'`);
  const regions = listFlag(flags, 'regions');
  for (const region of regions)
    if (!REGION_PATTERN.test(region)) throw new UsageError('BAD_VALUE', `--regions expects region names such as eu-west-1, got '${region}'`);
  return {
    acrossAccounts: assumeRoleName !== undefined || accountsFile !== undefined,
    assumeRoleName,
    externalId,
    accountsFile: accountsFile === undefined ? undefined : resolve(cwd, accountsFile),
    accountIds,
    regions,
  };
}

/** What moves: --from-owner/--to-owner (and --launch-role), or the maps, read and checked. */
function ruleFlags(flags: ParsedFlags, cwd: string): Pick<PlanConfig, 'owners' | 'launchRoles' | 'ownerMap' | 'launchRoleMap'> {
  const from = arnFlag(flags, 'from-owner');
  const to = arnFlag(flags, 'to-owner');
  const ownerMap = stringFlag(flags, 'owner-map');
  const roleMap = stringFlag(flags, 'launch-role-map');
  if ((from === undefined) !== (to === undefined)) throw new UsageError('MISSING_FLAG', '--from-owner and --to-owner go together');
  if (from !== undefined && ownerMap !== undefined) throw new UsageError('BAD_VALUE', 'give --from-owner/--to-owner or --owner-map, not both');
  if (from === undefined && ownerMap === undefined && roleMap === undefined) {
    throw new UsageError('MISSING_FLAG', 'say what moves: --from-owner ARN --to-owner ARN, --owner-map FILE, or --launch-role-map FILE');
  }
  const launchRole = arnFlag(flags, 'launch-role');
  if (launchRole !== undefined && from === undefined)
    throw new UsageError('BAD_VALUE', '--launch-role goes with --from-owner (an owner map has its own launch_role column)');
  const ownerMapPath = ownerMap === undefined ? undefined : resolve(cwd, ownerMap);
  const launchRoleMapPath = roleMap === undefined ? undefined : resolve(cwd, roleMap);
  const owners: OwnerRule[] =
    from !== undefined ? [ownerRule('--from-owner', from, to!, launchRole)] : ownerMapPath !== undefined ? readOwnerMap(ownerMapPath) : [];
  const launchRoles = launchRoleMapPath !== undefined ? readLaunchRoleMap(launchRoleMapPath) : [];
  return { owners, launchRoles, ownerMap: ownerMapPath, launchRoleMap: launchRoleMapPath };
}

/** Which products of the account the plan keeps: statuses, a name's part, one id, tags. */
function filterFlags(flags: ParsedFlags): PlanConfig['filters'] {
  const tags: Record<string, string> = {};
  for (const tag of (flags.tag as string[] | undefined) ?? []) {
    const eq = tag.indexOf('=');
    if (eq <= 0) throw new UsageError('BAD_VALUE', `--tag expects KEY=VALUE, got '${tag}'`);
    tags[tag.slice(0, eq)] = tag.slice(eq + 1);
  }
  return {
    statuses: listFlag(flags, 'status').map((value) => value.toUpperCase()),
    nameContains: stringFlag(flags, 'name-contains'),
    productId: stringFlag(flags, 'product-id'),
    tags,
  };
}

/**
 * Every file a plan touches, by the flag that names it: the list the path checks read before the
 * log is opened or a call is made. `--out` is renamed over, so it must be a regular file or
 * missing, `--force` or not; no two flags may name one file (`--out` over the owner map).
 */
export function planFiles(config: PlanConfig): RunFile[] {
  const files: RunFile[] = [{ flag: '--out', path: config.out, use: 'replace' }];
  if (config.ownerMap !== undefined) files.push({ flag: '--owner-map', path: config.ownerMap, use: 'read' });
  if (config.launchRoleMap !== undefined) files.push({ flag: '--launch-role-map', path: config.launchRoleMap, use: 'read' });
  if (config.accountsFile !== undefined) files.push({ flag: '--accounts', path: config.accountsFile, use: 'read' });
  if (config.logFile !== undefined) files.push({ flag: '--log-file', path: config.logFile, use: 'append' });
  return files;
}

/** One owner rule, checked: principal ARNs, the new owner and launch role in the old owner's account. */
function ownerRule(where: string, from: string, to: string, launchRole: string | undefined): OwnerRule {
  const old = principal(where, 'old owner', from);
  const next = principal(where, 'new owner', to);
  if (old.accountId !== next.accountId)
    throw new UsageError(
      'BAD_VALUE',
      `${where}: the new owner ${to} is in account ${next.accountId}, the old owner in ${old.accountId}; a product's owner must be in its own account`,
    );
  if (launchRole !== undefined && launchRole !== '') {
    const role = principal(where, 'launch role', launchRole);
    if (role.kind !== 'role') throw new UsageError('BAD_VALUE', `${where}: the launch role must be an IAM role ARN, got '${launchRole}'`);
    if (role.accountId !== old.accountId)
      throw new UsageError('BAD_VALUE', `${where}: the launch role ${launchRole} is not in the owner's account ${old.accountId}`);
  }
  return { from, to, ...(launchRole ? { launchRole } : {}) };
}

function principal(where: string, what: string, arn: string) {
  // Never trimmed here: the rule keeps the value as given, so a value with whitespace would match nothing.
  const spaced = surroundingWhitespace(arn);
  if (spaced !== undefined) throw new UsageError('BAD_VALUE', `${where}: the ${what} ${quoteValue(arn)} ${spaced}`);
  const parsed = parseIamPrincipalArn(arn);
  if (!parsed.ok) throw new UsageError('BAD_VALUE', `${where}: the ${what} '${arn}' is not an IAM user, role or assumed-role ARN: ${parsed.reason}`);
  return parsed.arn;
}

function readMap(path: string, flag: string, columns: readonly string[]): Array<{ line: number; cells: Record<string, string> }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError('BAD_VALUE', `${flag} '${path}': ${readErrorText(error)}; nothing was sent or written`);
  }
  const table = parseCsvTable(text);
  if (!table.ok) throw new UsageError('BAD_VALUE', `${flag} '${path}': ${table.message}`);
  const at = new Map(table.header.map((name, i) => [columnKey(name), i]));
  const missing = columns.filter((column) => table.rows.length > 0 && !at.has(columnKey(column)));
  if (missing.length > 0) throw new UsageError('BAD_VALUE', `${flag} '${path}': the header needs ${columns.join(',')}; missing ${missing.join(', ')}`);
  // Each row's cells by the names the callers know them by (`old_owner`...), its line the one an editor shows.
  return table.rows.map(({ line, cells }) => ({
    line,
    cells: Object.fromEntries(
      [...columns, ...OPTIONAL_MAP_COLUMNS].flatMap((name) => {
        const i = at.get(columnKey(name));
        return i === undefined ? [] : [[name, cells[i] ?? '']];
      }),
    ),
  }));
}

/** Columns a map may have beyond its required ones (an owner map's launch role). */
const OPTIONAL_MAP_COLUMNS = ['launch_role'] as const;

function readOwnerMap(path: string): OwnerRule[] {
  const seen = new Set<string>();
  return readMap(path, '--owner-map', ['old_owner', 'new_owner']).map(({ line, cells }) => {
    const where = `--owner-map line ${line}`;
    if (seen.has(cells.old_owner!)) throw new UsageError('BAD_VALUE', `${where}: ${cells.old_owner} is mapped twice`);
    seen.add(cells.old_owner!);
    return ownerRule(where, cells.old_owner ?? '', cells.new_owner ?? '', cells.launch_role || undefined);
  });
}

function readLaunchRoleMap(path: string): LaunchRoleRule[] {
  return readMap(path, '--launch-role-map', ['old_launch_role', 'new_launch_role']).map(({ line, cells }) => {
    const where = `--launch-role-map line ${line}`;
    for (const [what, arn] of [
      ['old launch role', cells.old_launch_role ?? ''],
      ['new launch role', cells.new_launch_role ?? ''],
    ] as const) {
      if (principal(where, what, arn).kind !== 'role') throw new UsageError('BAD_VALUE', `${where}: the ${what} must be an IAM role ARN, got '${arn}'`);
    }
    return { from: cells.old_launch_role!, to: cells.new_launch_role! };
  });
}

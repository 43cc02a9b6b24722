/**
 * `snapshot`'s flags and their parse. The account flags are `plan`'s (one description and default
 * for both); `--regions` also reads the caller's own account in several regions.
 */
import { resolve } from 'node:path';
import { parseIamPrincipalArn } from '../input/iam-arn.js';
import type { RunFile } from '../report/output-paths.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './flags.js';
import { accountListFlags, PLAN_FLAGS, PLAN_FLAGS_FROM_RUN, type AccountListSettings } from './plan-options.js';
import { awsAndLogFlags, type AwsAndLogSettings } from './run-options.js';

/** The flags `snapshot` shares with `plan`, by name: plan's own from run (a snapshot draws no progress line) and `--account`. */
const SHARED: readonly string[] = [...PLAN_FLAGS_FROM_RUN.filter((name) => name !== 'no-progress'), 'account'];

export const SNAPSHOT_FLAGS: readonly FlagSpec[] = [
  { name: 'out', type: 'string', valueName: 'FILE', description: 'The snapshot: a seed for `emulator --seed FILE` (required).' },
  { name: 'force', type: 'boolean', description: 'Replace --out if it exists.' },
  {
    name: 'principal',
    type: 'string',
    multiple: true,
    valueName: 'ARN',
    description:
      'Also look up this IAM user or role (repeatable, or comma-separated): the new owners and launch roles of the migration to rehearse, which own nothing yet, so the copy knows whether they exist.',
    defaultText: 'none',
  },
  {
    name: 'regions',
    type: 'string',
    valueName: 'R1,R2',
    description: 'Read each account (the caller’s own too) in these regions.',
    defaultText: '--region',
  },
  ...PLAN_FLAGS.filter((flag) => SHARED.includes(flag.name)).map((flag) =>
    flag.name === 'account'
      ? { ...flag, description: "Across accounts: also read this account (repeatable, or comma-separated); the accounts file's accounts are read anyway." }
      : flag.name === 'rate'
        ? { ...flag, description: 'Ceiling of read requests per second (each of Search, Scan and IAM); lowered automatically on throttling.' }
        : flag.name === 'assume-role-name'
          ? {
              ...flag,
              description:
                'Read across accounts: each account of --account (and of the accounts file) through STS AssumeRole of arn:aws:iam::<account>:role/NAME, which the copy then lets in.',
              defaultText: "off: the caller's own account",
            }
          : flag.name === 'accounts'
            ? {
                ...flag,
                description: 'Read across accounts: a CSV account_id,role_arn,region,external_id,profile, every account of it read (as for run and plan).',
              }
            : flag,
  ),
];

export interface SnapshotConfig extends AwsAndLogSettings, AccountListSettings {
  readonly help: boolean;
  readonly out: string;
  readonly force: boolean;
  /** `--principal`: users and roles looked up besides those the products name. */
  readonly principals: readonly string[];
  /** Snapshots have no run id: the role session is `sc-owner-transfer`. */
  readonly runId: string;
}

export function parseSnapshotConfig(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>>): SnapshotConfig {
  const flags = parseFlags(argv, SNAPSHOT_FLAGS);
  const help = booleanFlag(flags, 'help');
  if (help) return { help } as SnapshotConfig;
  const out = stringFlag(flags, 'out');
  if (out === undefined || out === '') throw new UsageError('MISSING_FLAG', '--out is required');
  const accounts = accountListFlags(flags, cwd);
  if (!accounts.acrossAccounts && accounts.accountIds.length > 0)
    throw new UsageError('BAD_VALUE', '--account reads across accounts: give --assume-role-name or --accounts');
  if (accounts.assumeRoleName !== undefined && accounts.accountsFile === undefined && accounts.accountIds.length === 0)
    throw new UsageError('MISSING_FLAG', '--assume-role-name needs the accounts to read: --account ID (repeatable) or --accounts FILE');
  const principals = listFlag(flags, 'principal');
  for (const arn of principals) {
    const parsed = parseIamPrincipalArn(arn);
    if (!parsed.ok) throw new UsageError('BAD_VALUE', `--principal expects an IAM user, role or assumed-role ARN, got '${arn}': ${parsed.reason}`);
  }
  return {
    help,
    principals,
    out: resolve(cwd, out),
    force: booleanFlag(flags, 'force'),
    ...accounts,
    runId: '',
    ...awsAndLogFlags(flags, cwd, env),
  };
}

/** Every file a snapshot touches, by the flag that names it (the path checks read this before any call). */
export function snapshotFiles(config: SnapshotConfig): RunFile[] {
  const files: RunFile[] = [{ flag: '--out', path: config.out, use: 'replace' }];
  if (config.accountsFile !== undefined) files.push({ flag: '--accounts', path: config.accountsFile, use: 'read' });
  if (config.logFile !== undefined) files.push({ flag: '--log-file', path: config.logFile, use: 'append' });
  return files;
}

/**
 * `run`'s flags: their help text and defaults (one place, so `--help` and the README agree), and
 * the parse from argv to a validated RunConfig. Every bad value is a UsageError whose message
 * repeats it; nothing is read or sent before the whole command line is valid.
 */
import { resolve } from 'node:path';
import { DEFAULT_MAX_ERRORS, parseFailureBudget, BudgetSyntaxError, type FailureBudget } from '../transfer/failure-budget.js';
import { RUN_ID_PATTERN } from '../transfer/token.js';
import { parseShard, type Shard } from '../input/shard.js';
import type { AcceptLanguage } from '../aws/service-catalog-api.js';
import { lockPathOf } from '../checkpoint/lock.js';
import { LOG_FORMATS, LOG_LEVELS, parseLogLevel, type LogFormat, type LogLevel } from '../report/logger.js';
import type { RunFile } from '../report/output-paths.js';
import { EXTERNAL_ID_PATTERN } from '../input/api-constraints.js';
import { IAM_NAME_PATTERN, ACCOUNT_ID_PATTERN } from '../input/iam-arn.js';
import {
  booleanFlag,
  listFlag,
  choiceFlag,
  endpointFlag,
  integerFlag,
  numberFlag,
  parseFlags,
  parseInteger,
  requiredString,
  stringFlag,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from './flags.js';

/**
 * Defaults, chosen for Service Catalog's quotas: its API operations are throttled per account and
 * region at a few requests per second (the exact numbers are not published per operation and vary),
 * so the job starts at 5 updates/s and lets the adaptive limiter find the real quota below that;
 * 4 workers keep 5/s flowing with ~500 ms of latency without piling requests onto a throttle.
 */
export const RUN_DEFAULTS = {
  concurrency: 4,
  ratePerSecond: 5,
  /** The highest --rate: for a benchmark with no quota, or a fast local server; the limiter still adapts. */
  maxRate: 100_000,
  maxErrors: DEFAULT_MAX_ERRORS,
  requestTimeoutSeconds: 30,
  graceSeconds: 10,
  waitTimeoutSeconds: 300,
  busyTimeoutSeconds: 600,
  logLevel: 'info' as LogLevel,
  acceptLanguage: 'en' as AcceptLanguage,
} as const;

export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'input',
    short: 'i',
    type: 'string',
    valueName: 'FILE',
    description: 'CSV of rows: provisioned_product_id,new_owner,launch_role (required). Must be a regular file: it is read twice.',
  },
  {
    name: 'results',
    type: 'string',
    valueName: 'FILE',
    description: "Results CSV, one line per input row. A dry run and a verify write their own by default, never the run's (what undo reads).",
    defaultText: '<input>.results.csv; --dry-run: <input>.dry-run.csv; --dry-run --check: <input>.verify.csv',
  },
  { name: 'checkpoint', type: 'string', valueName: 'FILE', description: 'Checkpoint journal; rerunning with it resumes.', defaultText: '<input>.checkpoint' },
  { name: 'concurrency', type: 'string', valueName: 'N', description: 'Rows in flight at once, 1-64.', defaultText: String(RUN_DEFAULTS.concurrency) },
  {
    name: 'rate',
    type: 'string',
    valueName: 'N',
    description: 'Ceiling of requests per second of each operation (0.1-100000); the limiter starts low and settles just under the quota it finds below it.',
    defaultText: String(RUN_DEFAULTS.ratePerSecond),
  },
  {
    name: 'max-errors',
    type: 'string',
    valueName: 'N|N%',
    description:
      'Stop taking rows once more rows than this failed (a percentage is judged after 20 rows tried), exit 3 when rows were left. Rows failed by the checks before any write (not-found, cross-account, target-not-found...) do not count.',
    defaultText: RUN_DEFAULTS.maxErrors,
  },
  {
    name: 'run-id',
    type: 'string',
    valueName: 'ID',
    description: 'Part of every idempotency token: a new id applies the same rows again as a new operation.',
    defaultText: 'none',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description:
      'Validate, read each product and check the targets, and report what would change; send no write (the ledger records the dry run, not its rows). Exit 1 when some row would fail.',
  },
  { name: 'check', type: 'boolean', description: 'With --dry-run: the verify for cron. Exit 6 when rows would still change, 0 when everything is applied.' },
  { name: 'yes', short: 'y', type: 'boolean', description: 'Do not ask for confirmation on a terminal before the first write.' },
  {
    name: 'expect-account',
    type: 'string',
    multiple: true,
    valueName: 'ID',
    description:
      'Refuse to write unless the credentials are for this account (STS GetCallerIdentity); repeatable. Products of another account fail their rows. Across accounts: every account of the input must be one of these.',
  },
  {
    name: 'assume-role-name',
    type: 'string',
    valueName: 'NAME',
    description:
      "Run across accounts: each row acts in its own account (its account_id cell, else its ARNs' account) through STS AssumeRole of arn:aws:iam::<account>:role/NAME, e.g. OrganizationAccountAccessRole.",
    defaultText: "off: every row in the caller's account",
  },
  {
    name: 'external-id',
    type: 'string',
    valueName: 'ID',
    secret: 'value',
    description: 'ExternalId for the roles --assume-role-name assumes, when their trust policy requires one.',
    defaultText: 'none',
  },
  {
    name: 'accounts',
    type: 'string',
    valueName: 'FILE',
    description:
      'Run across accounts: a CSV account_id,role_arn,region,external_id,profile for accounts reached otherwise than by --assume-role-name (it wins for the accounts it lists).',
    defaultText: 'none',
  },
  {
    name: 'shard',
    type: 'string',
    valueName: 'K/N',
    description:
      "Across accounts: run only this process's part of the accounts (and regions), K of N, chosen by a hash of each; N processes with K = 1..N cover every row once. Its own default checkpoint and results. auto/N: K is 1 + JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job).",
    defaultText: 'all of them',
  },
  { name: 'no-target-check', type: 'boolean', description: 'Do not look up each new owner and launch role with IAM before the first write.' },
  {
    name: 'sts-endpoint-url',
    type: 'string',
    valueName: 'URL',
    secret: 'url',
    description: 'STS endpoint.',
    defaultText: "AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL / the SDK's",
  },
  {
    name: 'iam-endpoint-url',
    type: 'string',
    valueName: 'URL',
    secret: 'url',
    description: 'IAM endpoint.',
    defaultText: "AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL / the SDK's",
  },
  { name: 'skip-invalid', type: 'boolean', description: 'Run the valid rows and report invalid ones as `invalid`, instead of refusing the file.' },
  {
    name: 'no-preflight',
    type: 'boolean',
    description:
      'Do not read each product before deciding its row (no skip of products already in the target state, no cross-account or busy check, no previous values for undo).',
  },
  {
    name: 'busy-timeout',
    type: 'string',
    valueName: 'SECONDS',
    description: 'How long preflight waits for a product UNDER_CHANGE or PLAN_IN_PROGRESS before failing its row.',
    defaultText: String(RUN_DEFAULTS.busyTimeoutSeconds),
  },
  {
    name: 'reconcile',
    type: 'boolean',
    description: 'Read every row, even rows the checkpoint has done, and put back products that drifted from their target (cron).',
  },
  {
    name: 'wait',
    type: 'boolean',
    description: "Poll each accepted update's record (DescribeRecord, its own rate limit) until SUCCEEDED or FAILED. On by default.",
  },
  { name: 'no-wait', type: 'boolean', description: 'Do not wait for records: accepted rows end `submitted`.' },
  {
    name: 'wait-timeout',
    type: 'string',
    valueName: 'SECONDS',
    description: 'How long to wait for one record before leaving the row `submitted`.',
    defaultText: String(RUN_DEFAULTS.waitTimeoutSeconds),
  },
  { name: 'limit', type: 'string', valueName: 'N', description: 'Stop after N rows were sent (a canary); rerun with the same checkpoint for the rest.' },
  { name: 'region', type: 'string', valueName: 'REGION', description: 'AWS region.', defaultText: 'AWS_REGION / profile' },
  { name: 'profile', type: 'string', valueName: 'NAME', description: 'AWS shared-config profile.', defaultText: 'AWS_PROFILE / default chain' },
  {
    name: 'endpoint-url',
    type: 'string',
    valueName: 'URL',
    secret: 'url',
    description: 'Service endpoint, e.g. the local Service Catalog (http://127.0.0.1:4566).',
  },
  { name: 'accept-language', type: 'string', valueName: 'en|jp|zh', description: 'AcceptLanguage sent with each request.', defaultText: 'en' },
  {
    name: 'request-timeout',
    type: 'string',
    valueName: 'SECONDS',
    description: 'Timeout of one request; a timed-out request is retried with the same token.',
    defaultText: String(RUN_DEFAULTS.requestTimeoutSeconds),
  },
  {
    name: 'log-level',
    type: 'string',
    valueName: 'LEVEL',
    choices: LOG_LEVELS,
    description: 'trace, debug (one line per row), info, warn, error or silent.',
    defaultText: 'info',
  },
  { name: 'log-file', type: 'string', valueName: 'FILE', description: 'Write the log here instead of stderr (JSON lines unless --log-format text).' },
  { name: 'log-format', type: 'string', valueName: 'json|text', description: 'Log lines as text or as JSON.', defaultText: 'text to a terminal, else json' },
  { name: 'no-progress', type: 'boolean', description: 'No progress bar or progress log lines.' },
  { name: 'summary-json', type: 'string', valueName: 'FILE', description: 'Also write the run summary (counts, timings, exit code, paths) as JSON.' },
  { name: 'force-unlock', type: 'boolean', description: 'Take the checkpoint lock even if another host or a live process holds it.' },
  { name: 'notify-url', type: 'string', valueName: 'URL', secret: 'value', description: 'POST a JSON summary here when the run ends (Slack-compatible).' },
];

export interface RunConfig {
  readonly input: string;
  readonly results: string;
  readonly checkpoint: string;
  readonly concurrency: number;
  readonly ratePerSecond: number;
  readonly failureBudget: FailureBudget;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly skipInvalid: boolean;
  readonly limit: number | undefined;
  /** Waiting for records (the default): timeout per record in ms; undefined with --no-wait. */
  readonly waitTimeoutMs: number | undefined;
  /** Preflight reads (the default); false with --no-preflight. */
  readonly preflight: boolean;
  readonly busyTimeoutMs: number;
  readonly reconcile: boolean;
  /** `--dry-run --check`: rows that would still change make exit 6. */
  readonly check: boolean;
  /** `--yes`: never ask before the first write. */
  readonly yes: boolean;
  readonly expectAccounts: readonly string[];
  /** `--assume-role-name`: the role assumed in every account of a run across accounts. */
  readonly assumeRoleName: string | undefined;
  readonly externalId: string | undefined;
  /** `--accounts FILE`: how to reach the accounts it lists. */
  readonly accountsFile: string | undefined;
  /** A run across accounts: `--assume-role-name` or `--accounts` was given. */
  readonly acrossAccounts: boolean;
  /** `--shard K/N`: this process's part of the accounts. */
  readonly shard: Shard | undefined;
  /** The target check (the default); false with --no-target-check. */
  readonly targetCheck: boolean;
  readonly stsEndpointUrl: string | undefined;
  readonly iamEndpointUrl: string | undefined;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  readonly endpointUrl: string | undefined;
  readonly acceptLanguage: AcceptLanguage;
  readonly requestTimeoutMs: number;
  readonly graceMs: number;
  readonly logLevel: LogLevel;
  readonly logFile: string | undefined;
  /** `--log-format`; undefined: text on a terminal, JSON otherwise (`logFormatFor`). */
  readonly logFormat: LogFormat | undefined;
  readonly progress: boolean;
  readonly summaryJson: string | undefined;
  readonly forceUnlock: boolean;
  /** `--notify-url`: where the end of the invocation is posted (report/notify.ts); a failed post changes nothing. */
  readonly notifyUrl?: string | undefined;
  readonly help: boolean;
}

/**
 * Every file a run touches, by the flag that names it: the one list the path checks (clashes,
 * writable locations) read before anything is written or sent.
 */
export function runFiles(config: RunConfig): RunFile[] {
  const files: RunFile[] = [
    { flag: '--input', path: config.input, use: 'read' },
    { flag: '--results', path: config.results, use: 'replace' },
    { flag: '--results', derived: 'the temporary file of --results', path: `${config.results}.partial`, use: 'create' },
    // A dry run and a verify add their invocation to the ledger as a run does: the checkpoint and its lock.
    { flag: '--checkpoint', path: config.checkpoint, use: 'journal' },
    { flag: '--checkpoint', derived: 'the lock of --checkpoint', path: lockPathOf(config.checkpoint), use: 'create' },
  ];
  if (config.accountsFile !== undefined) files.push({ flag: '--accounts', path: config.accountsFile, use: 'read' });
  if (config.summaryJson !== undefined) files.push({ flag: '--summary-json', path: config.summaryJson, use: 'replace' });
  if (config.logFile !== undefined) files.push({ flag: '--log-file', path: config.logFile, use: 'append' });
  return files;
}

/**
 * The results file unless `--results` names one. A dry run and a verify each get their own, so
 * neither replaces the real run's results, which are what `undo --results` reads: the offboarding
 * recipe verifies between the run and its undo. `stem` is the input, or a shard's own stem.
 */
function defaultResultsPath(stem: string, dryRun: boolean, check: boolean): string {
  if (!dryRun) return `${stem}.results.csv`;
  return check ? `${stem}.verify.csv` : `${stem}.dry-run.csv`;
}

/** `--assume-role-name`, `--external-id` and `--accounts`, checked: `run` and `plan` reach accounts alike. */
export function accessFlags(flags: ParsedFlags): { assumeRoleName: string | undefined; externalId: string | undefined; accountsFile: string | undefined } {
  const assumeRoleName = stringFlag(flags, 'assume-role-name');
  if (assumeRoleName !== undefined && !IAM_NAME_PATTERN.test(assumeRoleName)) {
    throw new UsageError('BAD_VALUE', `--assume-role-name expects an IAM role name (1-64 of letters, digits and +=,.@_-; no path), got '${assumeRoleName}'`);
  }
  const externalId = stringFlag(flags, 'external-id');
  if (externalId !== undefined && !EXTERNAL_ID_PATTERN.test(externalId)) {
    throw new UsageError('BAD_VALUE', `--external-id expects 2-1224 of letters, digits and +=,.@:/-_, got '${externalId}'`);
  }
  if (externalId !== undefined && assumeRoleName === undefined) {
    throw new UsageError('BAD_VALUE', '--external-id goes with --assume-role-name (the accounts file has its own external_id column)');
  }
  return { assumeRoleName, externalId, accountsFile: stringFlag(flags, 'accounts') };
}

export function parseRunConfig(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>>): RunConfig {
  const flags = parseFlags(argv, RUN_FLAGS);
  const help = booleanFlag(flags, 'help');
  if (help) return { help } as RunConfig;
  const input = resolve(cwd, requiredString(flags, 'input'));
  const runId = stringFlag(flags, 'run-id') ?? '';
  if (runId !== '' && !RUN_ID_PATTERN.test(runId)) {
    throw new UsageError('BAD_VALUE', `--run-id expects 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit, got '${runId}'`);
  }
  const expectAccounts = listFlag(flags, 'expect-account');
  for (const account of expectAccounts) {
    if (!ACCOUNT_ID_PATTERN.test(account)) throw new UsageError('BAD_VALUE', `--expect-account expects a 12-digit account id, got '${account}'`);
  }
  const { assumeRoleName, externalId, accountsFile: accountsRaw } = accessFlags(flags);
  refuseFlagsThatConflict(flags);
  const limitRaw = stringFlag(flags, 'limit');
  const shard = shardFlag(flags, assumeRoleName !== undefined || accountsRaw !== undefined, env);
  return {
    help,
    input,
    ...outputFiles(flags, cwd, input, shard),
    concurrency: integerFlag(flags, 'concurrency', { min: 1, max: 64, defaultValue: RUN_DEFAULTS.concurrency }),
    failureBudget: failureBudgetFlag(flags),
    runId,
    dryRun: booleanFlag(flags, 'dry-run'),
    skipInvalid: booleanFlag(flags, 'skip-invalid'),
    limit: limitRaw === undefined ? undefined : parseInteger(limitRaw, '--limit', 1, Number.MAX_SAFE_INTEGER),
    waitTimeoutMs: booleanFlag(flags, 'no-wait')
      ? undefined
      : numberFlag(flags, 'wait-timeout', { min: 1, max: 86_400, defaultValue: RUN_DEFAULTS.waitTimeoutSeconds }) * 1000,
    preflight: !booleanFlag(flags, 'no-preflight'),
    busyTimeoutMs: numberFlag(flags, 'busy-timeout', { min: 0, max: 86_400, defaultValue: RUN_DEFAULTS.busyTimeoutSeconds }) * 1000,
    reconcile: booleanFlag(flags, 'reconcile'),
    check: booleanFlag(flags, 'check'),
    yes: booleanFlag(flags, 'yes'),
    expectAccounts,
    assumeRoleName,
    externalId,
    accountsFile: accountsRaw === undefined ? undefined : resolve(cwd, accountsRaw),
    acrossAccounts: assumeRoleName !== undefined || accountsRaw !== undefined,
    shard,
    targetCheck: !booleanFlag(flags, 'no-target-check'),
    ...awsAndLogFlags(flags, cwd, env),
    acceptLanguage: choiceFlag(flags, 'accept-language', ['en', 'jp', 'zh'] as const, RUN_DEFAULTS.acceptLanguage),
    graceMs: RUN_DEFAULTS.graceSeconds * 1000,
    progress: !booleanFlag(flags, 'no-progress'),
    summaryJson: stringFlag(flags, 'summary-json') === undefined ? undefined : resolve(cwd, stringFlag(flags, 'summary-json') as string),
    forceUnlock: booleanFlag(flags, 'force-unlock'),
    notifyUrl: endpointFlag(flags, {}, 'notify-url'),
  };
}

/** The AWS and logging flags `run` and `plan` share, read one way. */
export interface AwsAndLogSettings {
  readonly region: string | undefined;
  readonly profile: string | undefined;
  readonly endpointUrl: string | undefined;
  readonly stsEndpointUrl: string | undefined;
  readonly iamEndpointUrl: string | undefined;
  readonly ratePerSecond: number;
  readonly requestTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly logFile: string | undefined;
  /** `--log-format`; undefined: text on a terminal, JSON otherwise (`logFormatFor`). */
  readonly logFormat: LogFormat | undefined;
}

export function awsAndLogFlags(flags: ParsedFlags, cwd: string, env: Readonly<Record<string, string | undefined>>): AwsAndLogSettings {
  const endpoint = (flag: string, ...names: string[]) => endpointFlag(flags, env, flag, ...names);
  let logLevel: LogLevel;
  try {
    logLevel = parseLogLevel(stringFlag(flags, 'log-level') ?? RUN_DEFAULTS.logLevel);
  } catch (error) {
    throw new UsageError('BAD_VALUE', (error as Error).message);
  }
  const logFile = stringFlag(flags, 'log-file');
  return {
    region: stringFlag(flags, 'region'),
    profile: stringFlag(flags, 'profile'),
    endpointUrl: endpoint('endpoint-url', 'AWS_ENDPOINT_URL_SERVICE_CATALOG', 'AWS_ENDPOINT_URL'),
    stsEndpointUrl: endpoint('sts-endpoint-url', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL'),
    iamEndpointUrl: endpoint('iam-endpoint-url', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL'),
    ratePerSecond: numberFlag(flags, 'rate', { min: 0.1, max: RUN_DEFAULTS.maxRate, defaultValue: RUN_DEFAULTS.ratePerSecond }),
    requestTimeoutMs: numberFlag(flags, 'request-timeout', { min: 1, max: 600, defaultValue: RUN_DEFAULTS.requestTimeoutSeconds }) * 1000,
    logLevel,
    logFile: logFile === undefined ? undefined : resolve(cwd, logFile),
    logFormat: stringFlag(flags, 'log-format') === undefined ? undefined : choiceFlag(flags, 'log-format', LOG_FORMATS, 'json'),
  };
}

function failureBudgetFlag(flags: ParsedFlags): FailureBudget {
  try {
    return parseFailureBudget(stringFlag(flags, 'max-errors') ?? RUN_DEFAULTS.maxErrors);
  } catch (error) {
    // The library names the problem; the flag is the command's to name.
    if (error instanceof BudgetSyntaxError) throw new UsageError('BAD_VALUE', `--max-errors: ${error.message}`);
    throw error;
  }
}

/** Flags that undo each other, refused with why. */
function refuseFlagsThatConflict(flags: ParsedFlags): void {
  if (booleanFlag(flags, 'check') && !booleanFlag(flags, 'dry-run')) {
    throw new UsageError('BAD_VALUE', '--check is the verify of a dry run: give it with --dry-run');
  }
  for (const [a, b] of [
    ['no-wait', 'wait'],
    ['no-wait', 'wait-timeout'],
    ['no-preflight', 'reconcile'],
    ['no-preflight', 'busy-timeout'],
  ] as const) {
    if (flags[a] !== undefined && flags[b] !== undefined) {
      const why = a === 'no-wait' ? 'waiting is what --no-wait turns off' : `--${b} works on what preflight reads`;
      throw new UsageError('BAD_VALUE', `--${a} and --${b} cannot be given together: ${why}`);
    }
  }
}

function shardFlag(flags: ParsedFlags, acrossAccounts: boolean, env: Readonly<Record<string, string | undefined>>): Shard | undefined {
  const shardText = stringFlag(flags, 'shard');
  const shard = shardText === undefined ? undefined : parseShard(shardText, env);
  if (typeof shard === 'string') throw new UsageError('BAD_VALUE', `--shard ${shard}`);
  if (shard !== undefined && !acrossAccounts) throw new UsageError('BAD_VALUE', '--shard splits a run across accounts: give --assume-role-name or --accounts');
  return shard;
}

/** The results and the checkpoint: as given, or next to the input (each shard its own, a dry run and a verify their own results). */
function outputFiles(flags: ParsedFlags, cwd: string, input: string, shard: Shard | undefined): { results: string; checkpoint: string } {
  const stem = shard === undefined ? input : `${input}.shard-${shard.index}-of-${shard.count}`;
  const results = resolve(cwd, stringFlag(flags, 'results') ?? defaultResultsPath(stem, booleanFlag(flags, 'dry-run'), booleanFlag(flags, 'check')));
  const checkpoint = resolve(cwd, stringFlag(flags, 'checkpoint') ?? `${stem}.checkpoint`);
  return { results, checkpoint };
}

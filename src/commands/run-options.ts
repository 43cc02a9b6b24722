/**
 * `run`'s parse from argv to a validated RunConfig (the flags' table is run-flags.ts). Every bad value is a UsageError whose message
 * repeats it; nothing is read or sent before the whole command line is valid.
 */
import { resolve } from 'node:path';
import { parseFailureBudget, BudgetSyntaxError, type FailureBudget } from '../transfer/failure-budget.js';
import { RUN_ID_PATTERN } from '../transfer/token.js';
import { parseShard, type Shard } from '../input/shard.js';
import type { AcceptLanguage } from '../aws/service-catalog-api.js';
import { lockPathOf } from '../checkpoint/lock.js';
import { LOG_FORMATS, parseLogLevel, type LogFormat, type LogLevel } from '../report/logger.js';
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
  type ParsedFlags,
} from './flags.js';
import { RUN_DEFAULTS, RUN_FLAGS } from './run-flags.js';

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

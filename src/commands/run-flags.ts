/**
 * `run`'s flags: each one's help text and default, in one table (`RUN_FLAGS`) that `--help`, the
 * shell completion and the README read, and the defaults they name (`RUN_DEFAULTS`). `plan` and
 * `snapshot` take the flags they share from here. The parse is run-options.ts.
 */
import { DEFAULT_MAX_ERRORS } from '../transfer/failure-budget.js';
import type { AcceptLanguage } from '../aws/service-catalog-api.js';
import { LOG_LEVELS, type LogLevel } from '../report/logger.js';
import type { FlagSpec } from './flags.js';

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

/**
 * The flags of `sc-owner-transfer emulator` and their parser: each flag is checked (its message
 * repeats the bad value) before any seed is read or port opened, so a bad command line is a usage
 * error (exit 2) that starts nothing.
 */
import { resolve } from 'node:path';
import { DEFAULT_RECORD_DELAY_MS } from '../emulator/constants.js';
import { EmulatorConfigError, OPERATIONS, isOperationName, parseFaults, type EmulatorFaults, type OperationQuota } from '../emulator/index.js';
import { REGION_PATTERN } from '../input/api-constraints.js';
import { ACCOUNT_ID_PATTERN, parseIamPrincipalArn } from '../input/iam-arn.js';
import {
  booleanFlag,
  choiceFlag,
  integerFlag,
  numberFlag,
  parseFlags,
  parseInteger,
  repeatedFlag,
  stringFlag,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from './flags.js';

export const DEFAULT_PORT = 4566;
const DEFAULT_ACCOUNT = '123456789012';
export const BUNDLED_SEED = 'samples/catalog.json';

export const EMULATOR_FLAGS: readonly FlagSpec[] = [
  { name: 'port', type: 'string', valueName: 'N', description: 'Port on 127.0.0.1; 0 picks a free one.', defaultText: String(DEFAULT_PORT) },
  {
    name: 'seed',
    type: 'string',
    valueName: 'FILE',
    description: 'Catalog to start from (JSON: {accountId, products}).',
    defaultText: `the bundled ${BUNDLED_SEED}`,
  },
  { name: 'generate', type: 'string', valueName: 'N', description: 'Start from N generated products instead of a seed file.', defaultText: 'off' },
  {
    name: 'account-id',
    type: 'string',
    valueName: 'ID',
    description: 'Account of --generate; with --seed it must match the seed.',
    defaultText: DEFAULT_ACCOUNT,
  },
  {
    name: 'accounts',
    type: 'string',
    valueName: 'K',
    description:
      'With --generate: K accounts of N products each, the next account ids up; the others let in OrganizationAccountAccessRole and AWSControlTowerExecution through STS AssumeRole.',
    defaultText: '1',
  },
  {
    name: 'session-seconds',
    type: 'string',
    valueName: 'N',
    description: 'Credentials from STS AssumeRole expire after N seconds whatever was asked (to rehearse a run that outlives its sessions).',
    defaultText: 'as asked (1 hour by default)',
  },
  {
    name: 'deny-assume-role',
    type: 'string',
    multiple: true,
    valueName: 'ACCOUNT|ROLE_ARN',
    description: 'STS AssumeRole into this account (or of this role) answers AccessDenied; repeatable.',
    defaultText: 'none',
  },
  {
    name: 'iam-principal',
    type: 'string',
    multiple: true,
    valueName: 'ARN',
    description:
      "An IAM user or role (full ARN, with path) that exists besides the seed's, in an account the seed holds; that account's IAM then knows only its declared principals (GetUser/GetRole of any other name: NoSuchEntity); repeatable.",
    defaultText: "none: the seed's principals (a seed without any: every name exists)",
  },
  {
    name: 'caller-arn',
    type: 'string',
    valueName: 'ARN',
    description: 'Principal requests are made as (decides what AccessLevelFilter User sees).',
    defaultText: 'arn:aws:iam::<account>:role/Admin',
  },
  {
    name: 'record-delay-ms',
    type: 'string',
    valueName: 'N',
    description: 'Time a record spends CREATED, then IN_PROGRESS, before SUCCEEDED; 0 applies at once.',
    defaultText: String(DEFAULT_RECORD_DELAY_MS),
  },
  {
    name: 'region',
    type: 'string',
    valueName: 'REGION',
    description: 'The region served by default: products that name none are in it; a signature must be scoped to a region served.',
    defaultText: 'us-east-1',
  },
  {
    name: 'regions',
    type: 'string',
    valueName: 'R1,R2',
    description: 'More regions served, each with its own products (a request sees the region its signature names); with --generate, N products in each.',
    defaultText: 'none',
  },
  {
    name: 'search-default-access',
    type: 'string',
    valueName: 'Account|User',
    description: "SearchProvisionedProducts' access level without an AccessLevelFilter (Account: the current API reference; User: older documentation).",
    defaultText: 'Account',
  },
  {
    name: 'quota',
    type: 'string',
    multiple: true,
    valueName: 'OP=RATE[:BURST]',
    description: `Token bucket per operation, e.g. UpdateProvisionedProductProperties=5:10; repeatable. Operations: ${OPERATIONS.join(', ')}.`,
    defaultText: 'none',
  },
  { name: 'server-error-rate', type: 'string', valueName: 'F', description: 'Fraction of requests answered 500 InternalFailure.', defaultText: '0' },
  {
    name: 'drop-before-rate',
    type: 'string',
    valueName: 'F',
    description: 'Fraction of requests whose connection is cut before anything is applied.',
    defaultText: '0',
  },
  { name: 'drop-after-rate', type: 'string', valueName: 'F', description: 'Fraction of requests applied whose answer is then never sent.', defaultText: '0' },
  { name: 'latency-ms', type: 'string', valueName: 'N', description: 'Delay before every request is handled.', defaultText: '0' },
  {
    name: 'under-change',
    type: 'string',
    multiple: true,
    valueName: 'ID=MS',
    description: 'Hold a product UNDER_CHANGE for MS from start; repeatable.',
    defaultText: 'none',
  },
  {
    name: 'access-denied',
    type: 'string',
    multiple: true,
    valueName: 'ID',
    description: 'Answer AccessDeniedException to updates of this product; repeatable.',
    defaultText: 'none',
  },
  {
    name: 'fail-update',
    type: 'string',
    multiple: true,
    valueName: 'ID',
    description: 'Accept updates of this product, then end their record FAILED (nothing applied); repeatable.',
    defaultText: 'none',
  },
  {
    name: 'shuffle-unsorted-pages',
    type: 'boolean',
    description:
      'Order unsorted SearchProvisionedProducts pages anew on every request (seeded), so paging them can repeat or skip products, as AWS documents; a complete list needs a sort (plan and preflight sort).',
    defaultText: 'off (stable order)',
  },
  { name: 'random-seed', type: 'string', valueName: 'N', description: 'Seed of the PRNG behind random faults and record ids.', defaultText: '1' },
  {
    name: 'access-key',
    type: 'string',
    multiple: true,
    valueName: 'ID:SECRET',
    description: 'Accept only these credentials and verify SigV4 signatures; repeatable.',
    defaultText: 'any well-formed signature',
  },
  { name: 'log-requests', type: 'boolean', description: 'Print one line per answered request to stderr.', defaultText: 'off' },
];

/** The most products the emulator makes up (`--generate`, over the accounts and regions asked). */
const MAX_GENERATED = 1_000_000;

/**
 * Where the catalog comes from: N generated products per account (and per region served), or a
 * seed file (`path` undefined: the bundled one), whose account `--account-id` must match.
 */
export type CatalogSource =
  | {
      readonly kind: 'generate';
      readonly count: number;
      readonly accounts: number;
      readonly accountId: string;
      /** The regions each account has N products in (the default one first); undefined: the default region only. */
      readonly regions: readonly string[] | undefined;
    }
  | { readonly kind: 'seed'; readonly path: string | undefined; readonly accountId: string | undefined };

export interface EmulatorConfig {
  readonly help: boolean;
  readonly port: number;
  readonly catalog: CatalogSource;
  readonly callerArn: string | undefined;
  readonly recordDelayMs: number;
  readonly region: string;
  readonly regions: readonly string[];
  readonly searchDefaultAccessLevel: 'Account' | 'User';
  readonly faults: EmulatorFaults;
  readonly random: number;
  readonly credentials: Record<string, string> | undefined;
  readonly sessionSeconds: number | undefined;
  /** `--iam-principal`s: IAM user and role ARNs (the emulator checks their accounts). */
  readonly iamPrincipals: readonly string[];
  readonly logRequests: boolean;
}

/** Parses the emulator's command line; a bad flag is a `UsageError`. A seed path is resolved against `cwd`. */
export function parseEmulatorConfig(argv: readonly string[], cwd: string): EmulatorConfig {
  const flags = parseFlags(argv, EMULATOR_FLAGS);
  const help = booleanFlag(flags, 'help');
  if (help) return { help } as EmulatorConfig;
  const port = integerFlag(flags, 'port', { min: 0, max: 65535, defaultValue: DEFAULT_PORT });
  const accountId = stringFlag(flags, 'account-id');
  if (accountId !== undefined && !ACCOUNT_ID_PATTERN.test(accountId)) {
    throw new UsageError('BAD_VALUE', `--account-id expects a 12-digit AWS account id, got '${accountId}'`);
  }
  const seedPath = stringFlag(flags, 'seed');
  const generate = stringFlag(flags, 'generate');
  if (seedPath !== undefined && generate !== undefined) throw new UsageError('BAD_VALUE', '--seed and --generate cannot be used together');
  const random = integerFlag(flags, 'random-seed', { min: 0, max: 4294967295, defaultValue: 1 });
  const region = stringFlag(flags, 'region') ?? 'us-east-1';
  const regions = (stringFlag(flags, 'regions') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  for (const named of [region, ...regions]) {
    if (!REGION_PATTERN.test(named)) throw new UsageError('BAD_VALUE', `--region/--regions expect region names such as eu-west-1, got '${named}'`);
  }
  const catalog: CatalogSource =
    generate !== undefined
      ? generatedCatalog(flags, generate, accountId, region, regions)
      : { kind: 'seed', path: seedPath === undefined ? undefined : resolve(cwd, seedPath), accountId };
  if (catalog.kind === 'seed' && stringFlag(flags, 'accounts') !== undefined) {
    throw new UsageError('BAD_VALUE', '--accounts goes with --generate; a seed file lists its accounts');
  }
  return {
    help,
    port,
    catalog,
    faults: faultFlags(flags),
    callerArn: stringFlag(flags, 'caller-arn'),
    recordDelayMs: integerFlag(flags, 'record-delay-ms', { min: 0, max: 3_600_000, defaultValue: DEFAULT_RECORD_DELAY_MS }),
    region,
    regions,
    searchDefaultAccessLevel: choiceFlag(flags, 'search-default-access', ['Account', 'User'] as const, 'Account'),
    random,
    credentials: accessKeys(flags),
    sessionSeconds:
      stringFlag(flags, 'session-seconds') === undefined ? undefined : integerFlag(flags, 'session-seconds', { min: 1, max: 43_200, defaultValue: 3600 }),
    iamPrincipals: iamPrincipals(flags),
    logRequests: booleanFlag(flags, 'log-requests'),
  };
}

/** `--iam-principal ARN`...: each an IAM user or role ARN (an assumed-role ARN is a session, not a principal). */
function iamPrincipals(flags: ParsedFlags): string[] {
  const arns = repeatedFlag(flags, 'iam-principal');
  for (const arn of arns) {
    const parsed = parseIamPrincipalArn(arn);
    if (!parsed.ok || parsed.arn.kind === 'assumed-role') {
      throw new UsageError('BAD_VALUE', `--iam-principal expects an IAM user or role ARN (arn:aws:iam::ACCOUNT:user/NAME or ...:role/PATH/NAME), got '${arn}'`);
    }
  }
  return arns;
}

/** `--generate N [--accounts K]`: at most a million products over the accounts and regions asked. */
function generatedCatalog(flags: ParsedFlags, generate: string, accountId: string | undefined, region: string, regions: readonly string[]): CatalogSource {
  const count = parseInteger(generate, '--generate', 1, MAX_GENERATED);
  const accounts = integerFlag(flags, 'accounts', { min: 1, max: 1000, defaultValue: 1 });
  if (count * accounts > MAX_GENERATED) {
    throw new UsageError('BAD_VALUE', `--generate ${count} --accounts ${accounts} makes ${count * accounts} products; at most ${MAX_GENERATED}`);
  }
  // With --regions, each account has N products in the default region and in each other one.
  const generatedRegions = regions.length > 0 ? [region, ...regions.filter((r) => r !== region)] : undefined;
  if (count * accounts * (generatedRegions?.length ?? 1) > MAX_GENERATED) {
    throw new UsageError('BAD_VALUE', `--generate ${count} makes more than ${MAX_GENERATED} products over the accounts and regions asked`);
  }
  return { kind: 'generate', count, accounts, accountId: accountId ?? DEFAULT_ACCOUNT, regions: generatedRegions };
}

/** The faults the flags set, checked as `POST /_emulator/faults` checks its body. */
function faultFlags(flags: ParsedFlags): EmulatorFaults {
  const listed = (flag: string, key: 'accessDenied' | 'failUpdates' | 'assumeRoleDenied') => {
    const values = repeatedFlag(flags, flag);
    return values.length > 0 ? { [key]: values } : {};
  };
  const faults = {
    ...quotaFaults(flags),
    serverErrorRate: numberFlag(flags, 'server-error-rate', { min: 0, max: 1, defaultValue: 0 }),
    dropBeforeApplyRate: numberFlag(flags, 'drop-before-rate', { min: 0, max: 1, defaultValue: 0 }),
    dropAfterApplyRate: numberFlag(flags, 'drop-after-rate', { min: 0, max: 1, defaultValue: 0 }),
    latencyMs: integerFlag(flags, 'latency-ms', { min: 0, max: 600_000, defaultValue: 0 }),
    ...underChangeFaults(flags),
    ...listed('access-denied', 'accessDenied'),
    ...listed('fail-update', 'failUpdates'),
    ...listed('deny-assume-role', 'assumeRoleDenied'),
    ...(booleanFlag(flags, 'shuffle-unsorted-pages') ? { shuffleUnsortedPages: true } : {}),
  };
  try {
    return parseFaults(faults, 'flags');
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw new UsageError('BAD_VALUE', error.message, { cause: error });
    throw error;
  }
}

function quotaFaults(flags: ParsedFlags): { quotas?: Record<string, OperationQuota> } {
  const quotas: Record<string, OperationQuota> = {};
  for (const raw of repeatedFlag(flags, 'quota')) {
    const match = /^([A-Za-z]+)=(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(raw.trim());
    if (!match || !isOperationName(match[1]!) || !(Number(match[2]) > 0)) {
      throw new UsageError('BAD_VALUE', `--quota expects Operation=RATE[:BURST] with RATE > 0 and Operation one of ${OPERATIONS.join(', ')}, got '${raw}'`);
    }
    quotas[match[1]] = { ratePerSecond: Number(match[2]), ...(match[3] !== undefined ? { burst: Math.max(1, Number(match[3])) } : {}) };
  }
  return Object.keys(quotas).length > 0 ? { quotas } : {};
}

function underChangeFaults(flags: ParsedFlags): { underChange?: Record<string, number> } {
  const holds: Record<string, number> = {};
  for (const raw of repeatedFlag(flags, 'under-change')) {
    const match = /^([A-Za-z0-9_-]+)=(\d+)$/.exec(raw.trim());
    if (!match) throw new UsageError('BAD_VALUE', `--under-change expects PRODUCT_ID=MILLISECONDS, got '${raw}'`);
    holds[match[1]!] = Number(match[2]);
  }
  return Object.keys(holds).length > 0 ? { underChange: holds } : {};
}

function accessKeys(flags: ParsedFlags): Record<string, string> | undefined {
  const raws = repeatedFlag(flags, 'access-key');
  if (raws.length === 0) return undefined;
  const keys: Record<string, string> = {};
  for (const raw of raws) {
    const colon = raw.indexOf(':');
    if (colon <= 0 || colon === raw.length - 1) throw new UsageError('BAD_VALUE', `--access-key expects ACCESS_KEY_ID:SECRET, got '${raw}'`);
    keys[raw.slice(0, colon)] = raw.slice(colon + 1);
  }
  return keys;
}

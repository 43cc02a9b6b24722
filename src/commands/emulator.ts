/**
 * `sc-owner-transfer emulator`: runs the local Service Catalog (src/emulator) in the foreground so
 * operators can rehearse a migration against it with this tool, the AWS CLI or any SDK. Faults are
 * set from flags here and can be changed while it runs with `POST /_emulator/faults`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../exit-codes.js';
import { DEFAULT_RECORD_DELAY_MS } from '../emulator/constants.js';
import {
  EmulatorConfigError,
  OPERATIONS,
  generateSeed,
  isOperationName,
  loadSeed,
  parseFaults,
  startEmulator,
  type CatalogSeed,
  type EmulatorFaults,
  type OperationQuota,
} from '../emulator/index.js';
import type { Command, CommandIo } from './command.js';
import {
  booleanFlag,
  choiceFlag,
  integerFlag,
  numberFlag,
  parseFlags,
  parseInteger,
  renderHelp,
  stringFlag,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from './flags.js';

const DEFAULT_PORT = 4566;
const DEFAULT_ACCOUNT = '123456789012';
const BUNDLED_SEED = 'samples/catalog.json';

const EMULATOR_FLAGS: readonly FlagSpec[] = [
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

const FOOTER = [
  'Runs until SIGINT/SIGTERM, then exits 0. Exit 2: bad usage, unreadable or invalid seed, port in use.',
  'While running: GET /_emulator/state (products, records, calls as JSON); POST /_emulator/faults',
  '(JSON body replaces every fault: quotas, serverErrorRate, dropBeforeApplyRate, dropAfterApplyRate,',
  "latencyMs, underChange, accessDenied, failUpdates, assumeRoleDenied, script); ?account=ID reads or sets one account's.",
  'Several accounts: a seed with `accounts: [{accountId, products, assumableRoles?, externalId?}]`, or',
  "--generate N --accounts K. Plain credentials act in the first account; STS AssumeRole credentials in the role's.",
  '',
  'Example: sc-owner-transfer emulator --port 4566 --quota UpdateProvisionedProductProperties=5:10 --drop-after-rate 0.05',
].join('\n');

interface EmulatorSettings {
  readonly port: number;
  readonly seed: CatalogSeed;
  readonly seedSource: string;
  readonly callerArn: string | undefined;
  readonly recordDelayMs: number;
  readonly region: string;
  readonly regions: readonly string[];
  readonly searchDefaultAccessLevel: 'Account' | 'User';
  readonly faults: EmulatorFaults;
  readonly random: number;
  readonly credentials: Record<string, string> | undefined;
  readonly sessionSeconds: number | undefined;
  readonly logRequests: boolean;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run a local AWS Service Catalog to rehearse a migration against (with faults).',
  usage:
    'emulator [--port 4566] [--seed FILE | --generate N [--account-id ID] [--accounts K]] [--caller-arn ARN] [--record-delay-ms N]\n' +
    '         [--quota OP=RATE[:BURST]]... [--server-error-rate F] [--drop-before-rate F] [--drop-after-rate F]\n' +
    '         [--latency-ms N] [--under-change ID=MS]... [--access-denied ID]... [--fail-update ID]... [--random-seed N] [--access-key ID:SECRET]...',
  flags: EMULATOR_FLAGS,
  helpFooter: FOOTER,
  async execute(argv, io) {
    let settings: EmulatorSettings;
    try {
      const flags = parseFlags(argv, EMULATOR_FLAGS);
      if (booleanFlag(flags, 'help')) {
        io.stdout.write(renderHelp(emulatorCommand.summary, emulatorCommand.usage, EMULATOR_FLAGS, FOOTER));
        return ExitCode.Ok;
      }
      settings = await readSettings(flags, io);
    } catch (error) {
      if (error instanceof UsageError || error instanceof EmulatorConfigError) {
        io.stderr.write(`sc-owner-transfer emulator: ${error.message}\n`);
        return ExitCode.Usage;
      }
      throw error;
    }

    let emulator;
    try {
      emulator = await startEmulator({
        port: settings.port,
        seed: settings.seed,
        ...(settings.callerArn ? { callerArn: settings.callerArn } : {}),
        recordDelayMs: settings.recordDelayMs,
        region: settings.region,
        ...(settings.regions.length > 0 ? { regions: settings.regions } : {}),
        searchDefaultAccessLevel: settings.searchDefaultAccessLevel,
        faults: settings.faults,
        random: settings.random,
        ...(settings.credentials ? { credentials: settings.credentials } : {}),
        ...(settings.sessionSeconds === undefined ? {} : { sessionSeconds: settings.sessionSeconds }),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        io.stderr.write(`sc-owner-transfer emulator: cannot listen on 127.0.0.1:${settings.port} (${code}); pick another --port, or --port 0 for a free one\n`);
        return ExitCode.Usage;
      }
      if (error instanceof EmulatorConfigError) {
        io.stderr.write(`sc-owner-transfer emulator: ${error.message}\n`);
        return ExitCode.Usage;
      }
      throw error;
    }

    if (settings.logRequests) {
      emulator.on('response', (call) => {
        const params = call.params as { ProvisionedProductId?: unknown; Id?: unknown } | null;
        const subject = params?.ProvisionedProductId ?? params?.Id ?? '';
        io.stderr.write(
          `${call.at} #${call.seq} ${call.operation} ${typeof subject === 'string' ? subject : JSON.stringify(subject)} -> ${call.outcome}\n`.replace(
            /  +/g,
            ' ',
          ),
        );
      });
    }
    const { endpoint } = emulator;
    const keyHint = settings.credentials ? Object.entries(settings.credentials)[0]! : ['test', 'test'];
    io.stdout.write(
      [
        `Service Catalog emulator listening on ${endpoint}`,
        `  account ${settings.seed.accountId}, ${settings.seed.products.length} provisioned products from ${settings.seedSource}, caller ${emulator.callerArn}`,
        ...(settings.seed.accounts ?? []).map(
          (account) =>
            `  account ${account.accountId}, ${account.products.length} provisioned products, through sts assume-role of ${account.assumableRoles === undefined ? 'any role' : account.assumableRoles.join(' or ') || 'no role'}`,
        ),
        `  product ids and owners: curl -s ${endpoint}/_emulator/state   (or the search below)`,
        `  try:   AWS_ACCESS_KEY_ID=${keyHint[0]} AWS_SECRET_ACCESS_KEY=${keyHint[1]} aws servicecatalog search-provisioned-products --access-level-filter Key=Account,Value=Self --endpoint-url ${endpoint} --region ${settings.region}`,
        `  for a run: AWS_ENDPOINT_URL_STS=${endpoint} AWS_ENDPOINT_URL_IAM=${endpoint} sc-owner-transfer run --input FILE --endpoint-url ${endpoint} --region ${settings.region}`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );

    await new Promise<void>((done) => {
      if (io.signal.aborted) done();
      else io.signal.addEventListener('abort', () => done(), { once: true });
    });
    await emulator.close();
    io.stderr.write('sc-owner-transfer emulator: stopped\n');
    return ExitCode.Ok;
  },
};

async function readSettings(flags: ParsedFlags, io: CommandIo): Promise<EmulatorSettings> {
  const port = integerFlag(flags, 'port', { min: 0, max: 65535, defaultValue: DEFAULT_PORT });
  const seedPath = stringFlag(flags, 'seed');
  const generate = stringFlag(flags, 'generate');
  const accountFlag = stringFlag(flags, 'account-id');
  if (accountFlag !== undefined && !/^\d{12}$/.test(accountFlag)) {
    throw new UsageError('BAD_VALUE', `--account-id expects a 12-digit AWS account id, got '${accountFlag}'`);
  }
  if (seedPath !== undefined && generate !== undefined) throw new UsageError('BAD_VALUE', '--seed and --generate cannot be used together');
  const random = integerFlag(flags, 'random-seed', { min: 0, max: 4294967295, defaultValue: 1 });
  const region = stringFlag(flags, 'region') ?? 'us-east-1';
  const regions = (stringFlag(flags, 'regions') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  for (const named of [region, ...regions]) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(named))
      throw new UsageError('BAD_VALUE', `--region/--regions expect region names such as eu-west-1, got '${named}'`);
  }

  let seed: CatalogSeed;
  let seedSource: string;
  if (generate !== undefined) {
    const count = parseInteger(generate, '--generate', 1, 1_000_000);
    const accounts = integerFlag(flags, 'accounts', { min: 1, max: 1000, defaultValue: 1 });
    if (count * accounts > 1_000_000)
      throw new UsageError('BAD_VALUE', `--generate ${count} --accounts ${accounts} makes ${count * accounts} products; at most 1000000`);
    // With --regions, each account has N products in the default region and in each other one.
    const generatedRegions = regions.length > 0 ? [region, ...regions.filter((r) => r !== region)] : undefined;
    if (count * accounts * (generatedRegions?.length ?? 1) > 1_000_000)
      throw new UsageError('BAD_VALUE', `--generate ${count} makes more than 1000000 products over the accounts and regions asked`);
    seed = generateSeed({
      count,
      accountId: accountFlag ?? DEFAULT_ACCOUNT,
      accounts,
      random,
      ...(generatedRegions === undefined ? {} : { regions: generatedRegions }),
    });
    seedSource = `--generate ${count}${accounts > 1 ? ` --accounts ${accounts}` : ''}${generatedRegions === undefined ? '' : ` --regions ${regions.join(',')}`}`;
  } else {
    if (stringFlag(flags, 'accounts') !== undefined) throw new UsageError('BAD_VALUE', '--accounts goes with --generate; a seed file lists its accounts');
    const path = seedPath !== undefined ? resolve(io.cwd, seedPath) : bundledSeedPath();
    seed = await loadSeed(path);
    seedSource = path;
    if (accountFlag !== undefined && accountFlag !== seed.accountId) {
      throw new UsageError('BAD_VALUE', `--account-id ${accountFlag} does not match the seed's account ${seed.accountId}`);
    }
  }

  const faults = parseFaults(
    {
      ...quotaFaults(flags),
      serverErrorRate: numberFlag(flags, 'server-error-rate', { min: 0, max: 1, defaultValue: 0 }),
      dropBeforeApplyRate: numberFlag(flags, 'drop-before-rate', { min: 0, max: 1, defaultValue: 0 }),
      dropAfterApplyRate: numberFlag(flags, 'drop-after-rate', { min: 0, max: 1, defaultValue: 0 }),
      latencyMs: integerFlag(flags, 'latency-ms', { min: 0, max: 600_000, defaultValue: 0 }),
      ...underChangeFaults(flags),
      ...(list(flags, 'access-denied').length > 0 ? { accessDenied: list(flags, 'access-denied') } : {}),
      ...(list(flags, 'fail-update').length > 0 ? { failUpdates: list(flags, 'fail-update') } : {}),
      ...(list(flags, 'deny-assume-role').length > 0 ? { assumeRoleDenied: list(flags, 'deny-assume-role') } : {}),
    },
    'flags',
  );
  return {
    port,
    seed,
    seedSource,
    callerArn: stringFlag(flags, 'caller-arn'),
    recordDelayMs: integerFlag(flags, 'record-delay-ms', { min: 0, max: 3_600_000, defaultValue: DEFAULT_RECORD_DELAY_MS }),
    region,
    regions,
    searchDefaultAccessLevel: choiceFlag(flags, 'search-default-access', ['Account', 'User'] as const, 'Account'),
    faults,
    random,
    credentials: accessKeys(flags),
    sessionSeconds:
      stringFlag(flags, 'session-seconds') === undefined ? undefined : integerFlag(flags, 'session-seconds', { min: 1, max: 43_200, defaultValue: 3600 }),
    logRequests: booleanFlag(flags, 'log-requests'),
  };
}

function list(flags: ParsedFlags, name: string): string[] {
  const value = flags[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

function quotaFaults(flags: ParsedFlags): { quotas?: Record<string, OperationQuota> } {
  const quotas: Record<string, OperationQuota> = {};
  for (const raw of list(flags, 'quota')) {
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
  for (const raw of list(flags, 'under-change')) {
    const match = /^([A-Za-z0-9_-]+)=(\d+)$/.exec(raw.trim());
    if (!match) throw new UsageError('BAD_VALUE', `--under-change expects PRODUCT_ID=MILLISECONDS, got '${raw}'`);
    holds[match[1]!] = Number(match[2]);
  }
  return Object.keys(holds).length > 0 ? { underChange: holds } : {};
}

function accessKeys(flags: ParsedFlags): Record<string, string> | undefined {
  const raws = list(flags, 'access-key');
  if (raws.length === 0) return undefined;
  const keys: Record<string, string> = {};
  for (const raw of raws) {
    const colon = raw.indexOf(':');
    if (colon <= 0 || colon === raw.length - 1) throw new UsageError('BAD_VALUE', `--access-key expects ACCESS_KEY_ID:SECRET, got '${raw}'`);
    keys[raw.slice(0, colon)] = raw.slice(colon + 1);
  }
  return keys;
}

/** samples/catalog.json of this package, from src/commands (tests) or dist/src/commands (built). */
function bundledSeedPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const candidate = join(dir, BUNDLED_SEED);
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new UsageError('MISSING_FLAG', `the bundled ${BUNDLED_SEED} was not found; pass --seed FILE or --generate N`);
}

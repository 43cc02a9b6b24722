/**
 * `sc-owner-transfer emulator`: runs the local Service Catalog (src/emulator) in the foreground so
 * operators can rehearse a migration against it with this tool, the AWS CLI or any SDK. Faults are
 * set from flags here (emulator-options.ts) and can be changed while it runs with
 * `POST /_emulator/faults`. Wiring only: flags → the catalog (a seed file or generated) → the
 * server → the banner → wait for the signal.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, exitCodeHelp } from '../exit-codes.js';
import { EmulatorConfigError, generateSeed, loadSeed, startEmulator, type CatalogSeed, type RunningEmulator } from '../emulator/index.js';
import { parseCommandLine, printRefusal, type Command, type CommandIo } from './command.js';
import { UsageError } from './flags.js';
import { BUNDLED_SEED, EMULATOR_FLAGS, parseEmulatorConfig, type EmulatorConfig } from './emulator-options.js';
import { Refusal } from './steps.js';

const FOOTER = [
  'Runs until SIGINT/SIGTERM, then exits 0. Exit 2: bad usage, unreadable or invalid seed, port in use.',
  'While running: GET /_emulator/state (products, records, calls as JSON); POST /_emulator/faults',
  '(JSON body replaces every fault: quotas, serverErrorRate, dropBeforeApplyRate, dropAfterApplyRate,',
  "latencyMs, underChange, accessDenied, failUpdates, assumeRoleDenied, script); ?account=ID reads or sets one account's.",
  'Several accounts: a seed with `accounts: [{accountId, products, assumableRoles?, externalId?, principals?}]`, or',
  "--generate N --accounts K. Plain credentials act in the first account; STS AssumeRole credentials in the role's.",
  '',
  'Example: sc-owner-transfer emulator --port 4566 --quota UpdateProvisionedProductProperties=5:10 --drop-after-rate 0.05',
  '',
  exitCodeHelp('emulator'),
].join('\n');

/** The catalog the emulator starts from, and where it came from (for the banner). */
interface Catalog {
  readonly seed: CatalogSeed;
  readonly source: string;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run a local AWS Service Catalog to rehearse a migration against (with faults).',
  usage:
    'emulator [--port 4566] [--seed FILE | --generate N [--account-id ID] [--accounts K]] [--caller-arn ARN] [--record-delay-ms N]\n' +
    '         [--quota OP=RATE[:BURST]]... [--server-error-rate F] [--drop-before-rate F] [--drop-after-rate F]\n' +
    '         [--latency-ms N] [--under-change ID=MS]... [--access-denied ID]... [--fail-update ID]... [--random-seed N] [--access-key ID:SECRET]...\n' +
    '         [--iam-principal ARN]...',
  flags: EMULATOR_FLAGS,
  helpFooter: FOOTER,
  async execute(argv, io) {
    const config = parseCommandLine(emulatorCommand, argv, io, (args) => parseEmulatorConfig(args, io.cwd));
    if (typeof config === 'number') return config;
    const catalog = await readCatalog(config).catch(configRefusal);
    if (catalog instanceof Refusal) return printRefusal(io, 'emulator', catalog);
    const emulator = await start(config, catalog.seed);
    if (emulator instanceof Refusal) return printRefusal(io, 'emulator', emulator);
    if (config.logRequests) logRequests(emulator, io);
    io.stdout.write(banner(config, catalog, emulator));
    await new Promise<void>((done) => {
      if (io.signal.aborted) done();
      else io.signal.addEventListener('abort', () => done(), { once: true });
    });
    await emulator.close();
    io.stderr.write('sc-owner-transfer emulator: stopped\n');
    return ExitCode.Ok;
  },
};

/** The seed file (the bundled one when none is named), or the products `--generate` makes up. */
async function readCatalog({ catalog, random, regions }: EmulatorConfig): Promise<Catalog> {
  if (catalog.kind === 'generate') {
    const { count, accounts, accountId } = catalog;
    const seed = generateSeed({ count, accountId, accounts, random, ...(catalog.regions === undefined ? {} : { regions: catalog.regions }) });
    const source = `--generate ${count}${accounts > 1 ? ` --accounts ${accounts}` : ''}${catalog.regions === undefined ? '' : ` --regions ${regions.join(',')}`}`;
    return { seed, source };
  }
  const path = catalog.path ?? bundledSeedPath();
  const seed = await loadSeed(path);
  if (catalog.accountId !== undefined && catalog.accountId !== seed.accountId) {
    throw new UsageError('BAD_VALUE', `--account-id ${catalog.accountId} does not match the seed's account ${seed.accountId}`);
  }
  return { seed, source: path };
}

/** A seed or setting the emulator cannot start from is the operator's to fix (exit 2); anything else is a bug. */
function configRefusal(error: unknown): Refusal {
  if (error instanceof UsageError || error instanceof EmulatorConfigError) return new Refusal(ExitCode.Usage, error.message);
  throw error;
}

/** Starts the server; a port it cannot listen on, or a setting it refuses, is a refusal (exit 2). */
async function start(config: EmulatorConfig, seed: CatalogSeed): Promise<RunningEmulator | Refusal> {
  try {
    return await startEmulator({
      port: config.port,
      seed,
      ...(config.callerArn ? { callerArn: config.callerArn } : {}),
      recordDelayMs: config.recordDelayMs,
      region: config.region,
      ...(config.regions.length > 0 ? { regions: config.regions } : {}),
      searchDefaultAccessLevel: config.searchDefaultAccessLevel,
      faults: config.faults,
      random: config.random,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      ...(config.sessionSeconds === undefined ? {} : { sessionSeconds: config.sessionSeconds }),
      ...(config.iamPrincipals.length > 0 ? { iamPrincipals: config.iamPrincipals } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      return new Refusal(ExitCode.Usage, `cannot listen on 127.0.0.1:${config.port} (${code}); pick another --port, or --port 0 for a free one`);
    }
    return configRefusal(error);
  }
}

/** `--log-requests`: one line per answered request on stderr. */
function logRequests(emulator: RunningEmulator, io: CommandIo): void {
  emulator.on('response', (call) => {
    const params = call.params as { ProvisionedProductId?: unknown; Id?: unknown } | null;
    const subject = params?.ProvisionedProductId ?? params?.Id ?? '';
    io.stderr.write(
      `${call.at} #${call.seq} ${call.operation} ${typeof subject === 'string' ? subject : JSON.stringify(subject)} -> ${call.outcome}\n`.replace(/  +/g, ' '),
    );
  });
}

/** What is served where, and how to reach it with the AWS CLI and with this tool. */
function banner(config: EmulatorConfig, catalog: Catalog, emulator: RunningEmulator): string {
  const { endpoint } = emulator;
  const { seed } = catalog;
  const keyHint = config.credentials ? Object.entries(config.credentials)[0]! : ['test', 'test'];
  return [
    `Service Catalog emulator listening on ${endpoint}`,
    `  account ${seed.accountId}, ${seed.products.length} provisioned products from ${catalog.source}, caller ${emulator.callerArn}`,
    ...(seed.accounts ?? []).map(
      (account) =>
        `  account ${account.accountId}, ${account.products.length} provisioned products, through sts assume-role of ${account.assumableRoles === undefined ? 'any role' : account.assumableRoles.join(' or ') || 'no role'}`,
    ),
    `  product ids and owners: curl -s ${endpoint}/_emulator/state   (or the search below)`,
    `  try:   AWS_ACCESS_KEY_ID=${keyHint[0]} AWS_SECRET_ACCESS_KEY=${keyHint[1]} aws servicecatalog search-provisioned-products --access-level-filter Key=Account,Value=Self --endpoint-url ${endpoint} --region ${config.region}`,
    `  for a run: AWS_ENDPOINT_URL_STS=${endpoint} AWS_ENDPOINT_URL_IAM=${endpoint} sc-owner-transfer run --input FILE --endpoint-url ${endpoint} --region ${config.region}`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
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

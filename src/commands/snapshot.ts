/**
 * `sc-owner-transfer snapshot`: wiring only. Flags (checked before any call) → the caller's
 * identity → the places to read (the caller's account in each region, or across accounts with
 * `plan`'s account flags) → every product with Search and Scan, and the IAM principals they name
 * (snapshot/take-snapshot.ts) → the seed (snapshot/snapshot-seed.ts), checked with the emulator's
 * own seed parser and written atomically → a summary on stdout. Reads only; writes nothing but
 * `--out` (and the log). Cheap to rerun: a fixed number of list calls per account and region,
 * one IAM read per distinct principal.
 */
import { randomInt } from 'node:crypto';
import { accessFor } from '../aws/account-credentials.js';
import { createServiceCatalogClient } from '../aws/client.js';
import { commandCredentials } from '../aws/credential-source.js';
import { createHttpAgents, type HttpAgents } from '../aws/http-agents.js';
import { createIdentityApi, type IdentityApi } from '../aws/identity-api.js';
import { createServiceCatalogApi } from '../aws/service-catalog-api.js';
import { toolUserAgent } from '../aws/user-agent.js';
import { reachPlaces } from '../accounts/account-places.js';
import { defaultRegion } from '../accounts/default-region.js';
import { readAccountsFile } from '../accounts/read-accounts-file.js';
import { systemClock } from '../clock.js';
import { parseSeed } from '../emulator/seed.js';
import { errorText } from '../errors.js';
import { accountOfArn } from '../input/iam-arn.js';
import { ExitCode, exitCodeHelp, type ExitCodeValue } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import { NotRegularFileError, pathExists, writeFileAtomic } from '../report/atomic-file.js';
import { createLogger, logFormatFor, type LoggerHandle } from '../report/logger.js';
import { renderSnapshotSummary } from '../report/snapshot-summary.js';
import { snapshotSeed, seedJson } from '../snapshot/snapshot-seed.js';
import { takeSnapshot, type PlaceNotRead, type SnapshotPlace } from '../snapshot/take-snapshot.js';
import { AdaptiveRateLimiter } from '../transfer/adaptive-limiter.js';
import { Lane } from '../transfer/lane.js';
import { DEFAULT_RETRY_POLICY } from '../transfer/retry-policy.js';
import { parseCommandLine, printRefusal, type Command, type CommandIo } from './command.js';
import { parseSnapshotConfig, SNAPSHOT_FLAGS, snapshotFiles, type SnapshotConfig } from './snapshot-options.js';
import { accountSetupRefusal, checkAwsSettings, checkFiles, checkInputFiles, Refusal } from './steps.js';

const EXAMPLES = [
  'Examples:',
  '  sc-owner-transfer snapshot --principal arn:aws:iam::123456789012:user/bob --out copy.json',
  '  sc-owner-transfer snapshot --assume-role-name OrganizationAccountAccessRole --account 210987654321,345678901234 --regions us-east-1,eu-west-1 --out copy.json',
  '  sc-owner-transfer emulator --seed copy.json   # then plan, run --dry-run and run against the copy',
].join('\n');

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: "Copy accounts' provisioned products and the IAM principals they name into a seed for the local Service Catalog (reads only).",
  usage: 'snapshot --out FILE [--principal ARN...] [--regions R1,R2] [--assume-role-name NAME --account ID... | --accounts FILE]',
  flags: SNAPSHOT_FLAGS,
  helpFooter: `${exitCodeHelp('snapshot')}\n\n${EXAMPLES}`,
  async execute(argv, io) {
    const config = parseCommandLine(snapshotCommand, argv, io, (args) => parseSnapshotConfig(args, io.cwd, io.env));
    return typeof config === 'number' ? config : executeSnapshot(config, io);
  },
};

interface Places {
  readonly places: readonly SnapshotPlace[];
  readonly notReached: readonly PlaceNotRead[];
  readonly destroy: () => void;
}

async function executeSnapshot(config: SnapshotConfig, io: CommandIo): Promise<ExitCodeValue> {
  const fail = (refusal: Refusal): ExitCodeValue => printRefusal(io, 'snapshot', refusal);
  const files = snapshotFiles(config);
  const badFiles = (await checkFiles(files)) ?? (await checkInputFiles(files));
  if (badFiles) return fail(badFiles);
  if (!config.force && (await pathExists(config.out))) return fail(new Refusal(ExitCode.Usage, `--out '${config.out}' exists; pass --force to replace it`));
  const log = createLogger({
    level: config.logLevel,
    format: logFormatFor(config.logFormat, io.stderr, config.logFile),
    destination: config.logFile ? { kind: 'file', path: config.logFile } : { kind: 'stream', stream: io.stderr },
  });
  const agents = createHttpAgents({ maxSockets: 8, env: io.env, userAgent: toolUserAgent({ runId: '', env: io.env }) });
  const credentials = commandCredentials(config.profile, io, agents.userAgent);
  const region = defaultRegion(config.region, io.env);
  const { profile, endpointUrl, requestTimeoutMs } = config;
  const client = createServiceCatalogClient({ region, profile, endpoint: endpointUrl, agents, requestTimeoutMs, credentials: credentials.caller });
  const identity = createIdentityApi({
    region,
    stsEndpoint: config.stsEndpointUrl,
    iamEndpoint: config.iamEndpointUrl,
    requestTimeoutMs,
    agents,
    credentials: credentials.caller,
  });
  let places: Places | undefined;
  try {
    const unusable = await checkAwsSettings(client);
    if (unusable) return fail(unusable);
    const caller = await identity.callerIdentity(io.signal).catch((error: unknown) => error as Error);
    if (caller instanceof Error) {
      if (io.signal.aborted) return fail(new Refusal(io.interruptExitCode(), 'interrupted: no snapshot was written'));
      return fail(
        new Refusal(ExitCode.StoppedEarly, `STS GetCallerIdentity failed (${errorText(caller)}): whose account this is is unknown; nothing was written`),
      );
    }
    const opened = config.acrossAccounts
      ? await placesAcrossAccounts(config, io, agents, credentials)
      : await ownPlaces(config, caller.account, identity, agents, credentials, await client.config.region());
    if (opened instanceof Refusal) return fail(opened);
    places = opened;
    return await snapshotPlaces(config, io, log, places, caller);
  } finally {
    client.destroy();
    identity.destroy();
    places?.destroy();
    await log.close().catch(() => undefined);
  }
}

/** Read, build, check, write, summarize. */
async function snapshotPlaces(
  config: SnapshotConfig,
  io: CommandIo,
  log: LoggerHandle,
  places: Places,
  caller: { account: string; arn: string },
): Promise<ExitCodeValue> {
  const fail = (refusal: Refusal): ExitCodeValue => printRefusal(io, 'snapshot', refusal);
  const reads = await takeSnapshot(places.places, {
    attempt: {
      policy: DEFAULT_RETRY_POLICY,
      clock: systemClock,
      random: () => randomInt(0, 2 ** 32) / 2 ** 32,
      signal: io.signal,
      onRetry: (event) => log.logger.info({ attempt: event.attempt, error: event.error.code, delayMs: event.delayMs }, 'retrying a read'),
    },
    iamLimiter: new AdaptiveRateLimiter({ maxRate: config.ratePerSecond, clock: systemClock }),
    principals: config.principals,
    events: {
      onPlaceRead: (place, products) => log.logger.info({ place: place.key, products }, `read ${products} products in ${place.accountId} ${place.region}`),
      onPrincipalsRead: (accountId, found, missing) => log.logger.info({ account: accountId, found, missing }, `read the IAM principals of ${accountId}`),
      onWarning: (place, warning) => log.logger.warn({ place: place.key }, warning),
    },
  });
  if (reads === 'aborted') return fail(new Refusal(io.interruptExitCode(), 'interrupted: no snapshot was written'));
  const missed = [...places.notReached, ...reads.notRead];
  if (!config.acrossAccounts && reads.notRead.length > 0)
    return fail(new Refusal(ExitCode.StoppedEarly, `${missed.map((place) => `${place.key}: ${place.reason}`).join('; ')}; no snapshot was written`));
  if (reads.accounts.length === 0) return fail(new Refusal(ExitCode.AccountsUnreachable, 'no account could be read; no snapshot was written'));
  const read = new Set(reads.accounts.map((account) => account.accountId));
  for (const arn of config.principals.filter((principal) => !read.has(accountOfArn(principal) ?? '')))
    log.logger.warn({ principal: arn }, `--principal ${arn} is in no account this snapshot read: it was not looked up`);
  const { seed, leftOut } = snapshotSeed(caller.account, reads.accounts);
  for (const product of leftOut) log.logger.debug(product, `left out ${product.id}: ${product.why}`);
  try {
    // The emulator's own parser: a snapshot that would not load is a bug to report, never a file to write.
    parseSeed(seed, 'snapshot');
  } catch (error) {
    return fail(new Refusal(ExitCode.Internal, `the snapshot would not load in the local Service Catalog (${errorText(error)}); nothing was written`));
  }
  try {
    await writeFileAtomic(config.out, seedJson(seed));
  } catch (error) {
    if (error instanceof NotRegularFileError)
      return fail(new Refusal(ExitCode.Usage, `--out '${config.out}': is ${error.kind}, not a regular file. No snapshot was written.`));
    return fail(new Refusal(ExitCode.LocalWriteFailed, LocalFileError.wrap('snapshot', config.out, error).message));
  }
  io.stdout.write(renderSnapshotSummary({ out: config.out, reads, leftOut, notReached: places.notReached, callerArn: caller.arn }));
  return missed.length > 0 ? ExitCode.AccountsUnreachable : ExitCode.Ok;
}

/** The caller's own account, in `--regions` or the one region; one lane per region, one IAM reader. */
async function ownPlaces(
  config: SnapshotConfig,
  accountId: string,
  identity: IdentityApi,
  agents: HttpAgents,
  credentials: ReturnType<typeof commandCredentials>,
  resolvedRegion: string,
): Promise<Places> {
  const regions = config.regions.length > 0 ? config.regions : [resolvedRegion];
  const clients = regions.map((region) =>
    createServiceCatalogClient({
      region,
      profile: config.profile,
      endpoint: config.endpointUrl,
      agents,
      requestTimeoutMs: config.requestTimeoutMs,
      credentials: credentials.caller,
    }),
  );
  const places = regions.map((region, index) => ({
    key: regions.length === 1 ? 'default' : region,
    accountId,
    region,
    lane: new Lane({ name: region, api: createServiceCatalogApi(clients[index]!), maxRate: config.ratePerSecond, clock: systemClock }),
    identity,
  }));
  return { places, notReached: [], destroy: () => clients.forEach((client) => client.destroy()) };
}

/** Every account named, in each region, reached first; each keeps the role and external id that reached it, which the copy lets in. */
async function placesAcrossAccounts(
  config: SnapshotConfig,
  io: CommandIo,
  agents: HttpAgents,
  credentials: ReturnType<typeof commandCredentials>,
): Promise<Places | Refusal> {
  const region = defaultRegion(config.region, io.env);
  const deps = { agents, clock: systemClock, defaultRegion: region, signal: io.signal, credentials };
  // The seed names each product's region: AWS_REGION and AWS_DEFAULT_REGION count as --region does.
  const reached = await reachPlaces({ ...config, region }, deps).catch(accountSetupRefusal);
  if (reached instanceof Refusal) return reached;
  if (io.signal.aborted) {
    reached.destroy();
    return new Refusal(io.interruptExitCode(), 'interrupted: no snapshot was written');
  }
  const unnamed = reached.places.filter((place) => place.region === '');
  if (unnamed.length > 0) {
    reached.destroy();
    return new Refusal(
      ExitCode.Usage,
      `no region for account ${unnamed[0]!.accountId}: pass --region or --regions, set AWS_REGION, or fill the accounts file's region column`,
    );
  }
  const accountsFile = await readAccountsFile(config.accountsFile);
  const places = reached.places.map((place) => {
    const access = accessFor(place.accountId, place.region, { ...config, accountsFile });
    const roleName = access.roleArn?.split('/').at(-1);
    return { ...place, ...(roleName === undefined ? {} : { access: { roleName, externalId: access.externalId } }) };
  });
  return { places, notReached: reached.notReached.map(({ lane, accountId, reason }) => ({ key: lane, accountId, reason })), destroy: reached.destroy };
}

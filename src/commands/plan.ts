/**
 * `sc-owner-transfer plan`: wiring only. Flags and maps (checked before any call) → the shared
 * steps (region and credentials, a lane with its limiters and retries, the log) → one pass over
 * the account (plan/list-account.ts) judged product by product (plan/plan-rules.ts) → the plan CSV,
 * written atomically, and a summary on stdout. Reads only; writes nothing but `--out` (and the log),
 * and never over anything but a regular file.
 */
import { randomInt } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { createServiceCatalogClient } from '../aws/client.js';
import { commandCredentials, type CredentialSource } from '../aws/credential-source.js';
import { createHttpAgents } from '../aws/http-agents.js';
import { toolUserAgent } from '../aws/user-agent.js';
import { createServiceCatalogApi } from '../aws/service-catalog-api.js';
import { systemClock } from '../clock.js';
import { ExitCode, exitCodeHelp, type ExitCodeValue } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import { listAccount } from '../plan/list-account.js';
import { PLAN_COLUMNS, planProduct, STATUSES_TO_REVIEW, type OwnerRule, type PlannedRow } from '../plan/plan-rules.js';
import { OwnerHints } from '../plan/owner-hints.js';
import { NotRegularFileError, pathExists, writeFileAtomic } from '../report/atomic-file.js';
import { createLogger, logFormatFor, type LoggerHandle } from '../report/logger.js';
import { createStatusLine, progressModeFor } from '../report/progress.js';
import { createPlanProgress, type PlanTally } from '../report/plan-progress.js';
import { Lane } from '../transfer/lane.js';
import { DEFAULT_RETRY_POLICY } from '../transfer/retry-policy.js';
import { parseCommandLine, printRefusal, type Command, type CommandIo } from './command.js';
import { parsePlanConfig, PLAN_FLAGS, planFiles, type PlanConfig } from './plan-options.js';
import { accountSetupRefusal, checkAwsSettings, checkFiles, checkInputFiles, Refusal } from './steps.js';
import { accountOfArn } from '../input/iam-arn.js';
import { defaultRegion } from '../accounts/default-region.js';
import { reachPlaces } from '../accounts/account-places.js';
import type { UnreachableAccount } from '../accounts/reach-accounts.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Find what to transfer (an owner leaving, a reorg) and write it as an input CSV for run (reads only).',
  usage: 'plan (--from-owner ARN --to-owner ARN [--launch-role ARN] | --owner-map FILE) [--launch-role-map FILE] --out FILE [filters]',
  flags: PLAN_FLAGS,
  helpFooter: exitCodeHelp('plan'),
  async execute(argv, io) {
    const config = parseCommandLine(planCommand, argv, io, (args) => parsePlanConfig(args, io.cwd, io.env));
    return typeof config === 'number' ? config : executePlan(config, io);
  },
};

/** Where a plan lists: one lane (the caller's account), or one per account and region. */
interface PlanPlace {
  readonly key: string;
  readonly lane: Lane;
  /** Across accounts: the account and region, written into every row of the plan. */
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
}

type PlaceRow = PlannedRow & { readonly accountId: string; readonly region: string };

async function executePlan(config: PlanConfig, io: CommandIo): Promise<ExitCodeValue> {
  // On a terminal: where the listing is, on a line the log's lines go above (report/plan-progress.ts).
  const statusLine = progressModeFor(io.stderr, !config.progress) === 'bar' ? createStatusLine(io.stderr) : undefined;
  const progress = createPlanProgress({ statusLine, clock: systemClock, columns: () => io.stderr.columns });
  const fail = (refusal: Refusal): ExitCodeValue => {
    progress.stop();
    return printRefusal(io, 'plan', refusal);
  };
  const badFiles = await checkPlanFiles(config);
  if (badFiles) return fail(badFiles);
  const log = createLogger({
    level: config.logLevel,
    format: logFormatFor(config.logFormat, io.stderr, config.logFile),
    destination: config.logFile ? { kind: 'file', path: config.logFile } : { kind: 'stream', stream: statusLine?.writable ?? io.stderr },
  });
  const agents = createHttpAgents({ maxSockets: 8, env: io.env, userAgent: toolUserAgent({ runId: '', env: io.env }) });
  if (agents.proxySettings.length > 0) log.logger.info({ proxy: agents.proxySettings }, 'AWS requests go through the proxy the environment names');
  const { region, profile, requestTimeoutMs } = config;
  // One source for every client of the plan: a profile's MFA code is asked once, on the terminal.
  const credentials = commandCredentials(profile, io, agents.userAgent);
  const client = createServiceCatalogClient({ region, profile, endpoint: config.endpointUrl, agents, requestTimeoutMs, credentials: credentials.caller });
  let reached: ReachedPlaces | undefined;
  try {
    const unusable = await checkAwsSettings(client);
    if (unusable) return fail(unusable);
    progress.tally.reaching = config.acrossAccounts;
    progress.start();
    const places = await placesToList(config, io, client, agents, credentials);
    if (places instanceof Refusal) return fail(places);
    reached = places;
    progress.tally.places = config.acrossAccounts ? reached.places.length : undefined;
    const listed = await listPlaces(reached, config, io, log, progress.tally);
    progress.stop();
    if (listed instanceof Refusal) return fail(listed);
    const { rows, summary } = listed;
    const { notReached } = reached;
    for (const { lane, reason } of notReached) log.logger.warn({ account: lane, reason }, `account ${lane} could not be listed: the plan leaves it out`);
    const unwritten = await writePlan(config, rows);
    if (unwritten) return fail(unwritten);
    io.stdout.write(summary.render(config.out, rows.length, config.acrossAccounts ? reached.places.length : undefined, notReached));
    return notReached.length > 0 ? ExitCode.AccountsUnreachable : ExitCode.Ok;
  } finally {
    progress.stop();
    client.destroy();
    reached?.destroy();
    await log.close().catch(() => undefined);
  }
}

/**
 * Before the log is opened or a call is made: an --out that is a FIFO, a device, a socket or a
 * directory is refused with --force too, as are two flags naming one file and unreadable inputs.
 */
async function checkPlanFiles(config: PlanConfig): Promise<Refusal | undefined> {
  const files = planFiles(config);
  const badFiles = (await checkFiles(files)) ?? (await checkInputFiles(files));
  if (badFiles) return badFiles;
  if (!config.force && (await pathExists(config.out))) return new Refusal(ExitCode.Usage, `--out '${config.out}' exists; pass --force to replace it`);
  return undefined;
}

/** The places to list, each with its lane; across accounts, each account reached first (those not reached are named). */
interface ReachedPlaces {
  readonly places: readonly PlanPlace[];
  readonly notReached: UnreachableAccount[];
  readonly destroy: () => void;
}

async function placesToList(
  config: PlanConfig,
  io: CommandIo,
  client: ReturnType<typeof createServiceCatalogClient>,
  agents: ReturnType<typeof createHttpAgents>,
  credentials: CredentialSource,
): Promise<ReachedPlaces | Refusal> {
  if (!config.acrossAccounts) {
    const lane = new Lane({ name: config.profile ?? 'default', api: createServiceCatalogApi(client), maxRate: config.ratePerSecond, clock: systemClock });
    return { places: [{ key: 'default', lane }], notReached: [], destroy: () => undefined };
  }
  const ruleAccounts = [...config.owners, ...config.launchRoles].map((rule) => accountOfArn(rule.from) ?? '');
  const settings = { ...config, accountIds: [...config.accountIds, ...ruleAccounts] };
  const deps = { agents, clock: systemClock, defaultRegion: defaultRegion(config.region, io.env), signal: io.signal, credentials };
  const reached = await reachPlaces(settings, deps).catch(accountSetupRefusal);
  if (reached instanceof Refusal) return reached;
  // Interrupted while reaching: every account "failed"; that is no plan to write.
  if (io.signal.aborted) {
    reached.destroy();
    return new Refusal(io.interruptExitCode(), 'interrupted: no plan was written');
  }
  return { ...reached, notReached: [...reached.notReached] };
}

/** Lists every place reached: the rows to move, and what the summary says of each product (counted on `tally` as it goes). */
async function listPlaces(
  reached: ReachedPlaces,
  config: PlanConfig,
  io: CommandIo,
  log: LoggerHandle,
  tally: PlanTally,
): Promise<{ rows: PlaceRow[]; summary: PlanSummary } | Refusal> {
  const attempt = {
    policy: DEFAULT_RETRY_POLICY,
    clock: systemClock,
    random: () => randomInt(0, 2 ** 32) / 2 ** 32,
    signal: io.signal,
    onAttempt: () => tally.request(),
    onRetry: (event: { attempt: number; error: { code: string }; delayMs: number }) => {
      tally.retry();
      log.logger.info({ attempt: event.attempt, error: event.error.code, delayMs: event.delayMs }, 'retrying a list call');
    },
  };
  const rows: PlaceRow[] = [];
  const summary = new PlanSummary(config.owners);
  const launchRoles = config.launchRoles.length > 0 || config.owners.some((rule) => rule.launchRole !== undefined);
  for (const [index, place] of reached.places.entries()) {
    tally.placesDone = index;
    tally.current = place.accountId === undefined ? undefined : place.key;
    if (place.lane.stoppedBy !== undefined) continue;
    // Kept only when the account's listing finishes: a plan never holds part of an account it says it left out.
    const found: { row?: PlaceRow; id: string; status: string; owners: [string, string]; decision: ReturnType<typeof planProduct> }[] = [];
    const answer = await listAccount(place.lane, attempt, { launchRoles }, (facts) => {
      const decision = planProduct(facts, config.owners, config.launchRoles, config.filters);
      tally.product(decision.kind === 'move');
      const row = decision.kind === 'move' ? { row: { ...decision.row, accountId: place.accountId ?? '', region: place.region ?? '' } } : {};
      found.push({ id: facts.id, status: facts.status, owners: [facts.owner ?? '', facts.ownerSession ?? ''], decision, ...row });
    });
    if (answer.kind === 'failed') {
      if (answer.error.kind === 'aborted') return new Refusal(io.interruptExitCode(), 'interrupted: no plan was written');
      const why = `listing failed (${answer.error.code}: ${answer.error.message})`;
      if (!config.acrossAccounts)
        return new Refusal(ExitCode.StoppedEarly, `listing the account failed (${answer.error.code}: ${answer.error.message}); no plan was written`);
      // Across accounts the others still go into the plan, which says it is incomplete.
      reached.notReached.push({ lane: place.key, accountId: place.accountId ?? '', reason: why });
      continue;
    }
    for (const { id, status, owners, decision, row } of found) {
      summary.add(id, status, decision);
      summary.ownerHints.see(...owners);
      if (row !== undefined) rows.push(row);
    }
    summary.listed(answer.pass);
    for (const warning of answer.pass.warnings) log.logger.warn(place.accountId === undefined ? warning : `${place.key}: ${warning}`);
  }
  tally.placesDone = reached.places.length;
  tally.current = undefined;
  return { rows, summary };
}

/** The plan written whole (renamed into place); a target that became a FIFO or a device since the check is left as it is. */
async function writePlan(config: PlanConfig, rows: readonly PlaceRow[]): Promise<Refusal | undefined> {
  const columns = planColumns(config.acrossAccounts);
  const csv = stringify([columns.map(([name]) => name), ...rows.map((row) => columns.map(([, cell]) => cell(row)))]);
  try {
    await writeFileAtomic(config.out, csv);
    return undefined;
  } catch (error) {
    if (error instanceof NotRegularFileError)
      return new Refusal(ExitCode.Usage, `--out '${config.out}': is ${error.kind}, not a regular file. No plan was written.`);
    return new Refusal(ExitCode.LocalWriteFailed, LocalFileError.wrap('plan', config.out, error).message);
  }
}

/** The plan's columns: run's input, the account and region across accounts, then the review columns. */
function planColumns(acrossAccounts: boolean): ReadonlyArray<readonly [string, (row: PlaceRow) => string]> {
  if (!acrossAccounts) return PLAN_COLUMNS;
  const [id, owner, role, ...review] = PLAN_COLUMNS;
  return [id, owner, role, ['account_id', (row) => row.accountId], ['region', (row) => row.region], ...review];
}

/** Counts for the summary: per old owner, per old launch role, to review, left out. */
class PlanSummary {
  /** Owners that own nothing but have a near twin (another case, another path); a to-owner that is the from-owner. */
  readonly ownerHints: OwnerHints;
  constructor(owners: readonly OwnerRule[]) {
    this.ownerHints = new OwnerHints(owners);
  }
  readonly byOwner = new Map<string, number>();
  readonly byLaunchRole = new Map<string, number>();
  readonly toReview = new Map<string, string[]>();
  readonly leftOut = new Map<string, number>();
  readonly pass = { searchPages: 0, scanPages: 0, products: 0 };

  /** One account (and region) listed in full. */
  listed(pass: { searchPages: number; scanPages: number; products: number }): void {
    this.pass.searchPages += pass.searchPages;
    this.pass.scanPages += pass.scanPages;
    this.pass.products += pass.products;
  }

  add(id: string, status: string, decision: ReturnType<typeof planProduct>): void {
    if (decision.kind === 'unmatched') return;
    if (decision.kind === 'left-out') {
      this.leftOut.set(decision.why, (this.leftOut.get(decision.why) ?? 0) + 1);
      return;
    }
    const { byOwner, byLaunchRole } = decision.row;
    if (byOwner !== undefined) this.byOwner.set(byOwner, (this.byOwner.get(byOwner) ?? 0) + 1);
    if (byLaunchRole !== undefined) this.byLaunchRole.set(byLaunchRole, (this.byLaunchRole.get(byLaunchRole) ?? 0) + 1);
    if (STATUSES_TO_REVIEW.has(status)) this.toReview.set(status, [...(this.toReview.get(status) ?? []), id]);
  }

  render(out: string, rows: number, places: number | undefined, notReached: readonly UnreachableAccount[]): string {
    const { pass } = this;
    const counts = (title: string, map: ReadonlyMap<string, number | string[]>) =>
      map.size === 0
        ? []
        : [`  ${title}:`, ...[...map].map(([key, value]) => `    ${key}  ${Array.isArray(value) ? `${value.length}: ${value.join(' ')}` : value}`)];
    return [
      `Plan: ${rows} products to move, written to ${out}`,
      ...[...this.ownerHints.warnings(), ...this.ownerHints.hints()].map((line) => `  ${line}`),
      ...counts('by old owner', this.byOwner),
      ...counts('by old launch role', this.byLaunchRole),
      ...counts('in the plan, to review (status)', this.toReview),
      ...counts('left out by the filters', this.leftOut),
      `  read: ${pass.products} products ${places === undefined ? 'of the account' : `in ${places - notReached.length} of ${places} accounts and regions`} in ${pass.searchPages} Search pages${pass.scanPages > 0 ? ` and ${pass.scanPages} Scan pages` : ''}`,
      ...(notReached.length === 0
        ? []
        : [
            `  INCOMPLETE: ${notReached.length} ${notReached.length === 1 ? 'account was' : 'accounts were'} not listed, and ${notReached.length === 1 ? 'its' : 'their'} products are not in the plan:`,
            ...notReached.map(({ lane, reason }) => `    ${lane}  ${reason}`),
          ]),
      `Review it, then: sc-owner-transfer run --input ${out} --dry-run`,
      '',
    ].join('\n');
  }
}

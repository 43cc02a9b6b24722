/**
 * `sc-owner-transfer run`: wiring only. Flags → config → the shared steps (check the files,
 * validate the input, check the AWS settings, take the checkpoint) each of which may refuse → a
 * lane and the engine → one summary → the exit code from the table in exit-codes.ts. Every refusal
 * comes before anything is sent; a file that cannot be written mid-run (disk full) ends the run
 * with exit 5 and a summary, never a stack trace.
 */
import { randomInt } from 'node:crypto';
import { createServiceCatalogClient } from '../aws/client.js';
import { systemClock } from '../clock.js';
import { errorText } from '../errors.js';
import { ExitCode, exitCodeForRun, exitCodeHelp, withLocalWriteFailure, type ExitCodeValue } from '../exit-codes.js';
import { InputError, readInputRecords } from '../input/index.js';
import { argsWithShard, shardRecords, shardScan } from '../input/shard.js';
import type { InputScan } from '../input/types.js';
import { createLogger, LOG_LEVELS, logFormatFor, type LoggerHandle } from '../report/logger.js';
import { createProgressReporter, createStatusLine, progressModeFor } from '../report/progress.js';
import { openResultsWriter, type ResultsWriter } from '../report/results-writer.js';
import { logTransferEvents } from '../report/transfer-log.js';
import { emptyCounts } from '../transfer/counters.js';
import { AccountTally } from '../report/account-tally.js';
import { defaultRegion } from '../accounts/default-region.js';
import { lanePlan, setUpRunLanes, type RunLanes } from '../accounts/run-lanes.js';
import type { PlaceColumnName } from '../report/types.js';
import { DEFAULT_RETRY_POLICY } from '../transfer/retry-policy.js';
import { dryRunSender, updateSender } from '../transfer/row-sender.js';
import { parseFailureBudget } from '../transfer/failure-budget.js';
import { TransferRun, type TransferOptions, type TransferOutcome } from '../transfer/transfer-run.js';
import { createHttpAgents } from '../aws/http-agents.js';
import { toolUserAgent } from '../aws/user-agent.js';
import { createIdentityApi } from '../aws/identity-api.js';
import { commandCredentials, type CredentialSource } from '../aws/credential-source.js';
import { askToProceed, describeIntent, toldNothingToChange } from './run-confirm.js';
import { parseCommandLine, type Command, type CommandIo } from './command.js';
import { RUN_FLAGS } from './run-flags.js';
import { parseRunConfig, runFiles, type RunConfig } from './run-options.js';
import {
  accountSetupRefusal,
  checkAwsSettings,
  checkFiles,
  checkBeforeStart,
  localWriteRefusal,
  openCheckpoint,
  Refusal,
  validateInput,
  type OpenedCheckpoint,
} from './steps.js';
import { LedgerInvocation, startLanesWhereTheyLeftOff } from './run-ledger.js';
import { endWithNotice, finish, found, journalRefusal, refuse, rethrow, updateRate, type FinishParts, type RunContext } from './run-ending.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'Apply a CSV of owner / launch role changes (rate-limited, resumable).',
  usage: 'run --input FILE [options]',
  flags: RUN_FLAGS,
  helpFooter: `${exitCodeHelp('run')}\nRerun the same command to resume; a second SIGINT/SIGTERM exits at once.`,
  async execute(argv, io) {
    const config = parseCommandLine(runCommand, argv, io, (args) => parseRunConfig(args, io.cwd, io.env));
    return typeof config === 'number' ? config : executeRun(config, io, argsWithShard(argv, config.shard));
  },
};

async function executeRun(config: RunConfig, io: CommandIo, argv: readonly string[]): Promise<ExitCodeValue> {
  const startedAt = systemClock.now();
  const badFiles = await checkFiles(runFiles(config));
  if (badFiles) return endWithNotice({ config, io, startedAt }, (early) => refuse(early, badFiles, 0));
  const progressMode = progressModeFor(io.stderr, !config.progress);
  // A bar and JSON lines on one terminal garble each other: with a bar and no --log-file, only
  // warnings reach stderr (the bar is cleared for them).
  const quiet = progressMode === 'bar' && !config.logFile && LOG_LEVELS.indexOf(config.logLevel) < LOG_LEVELS.indexOf('warn');
  const statusLine = progressMode === 'bar' ? createStatusLine(io.stderr) : undefined;
  const log = createLogger({
    level: quiet ? 'warn' : config.logLevel,
    format: logFormatFor(config.logFormat, io.stderr, config.logFile),
    destination: config.logFile ? { kind: 'file', path: config.logFile } : { kind: 'stream', stream: statusLine?.writable ?? io.stderr },
  });
  const ctx: RunContext = { config, argv, io, log, startedAt, progressMode, statusLine };
  let exitCode: ExitCodeValue;
  try {
    exitCode = await endWithNotice(ctx, validateAndTransfer);
  } finally {
    const lost = await log.close().then(
      () => undefined,
      (error: unknown) => error,
    );
    // A log that failed after the summary was written is still reported, never silently lost.
    if (lost !== undefined && lost !== ctx.logFailure) {
      io.stderr.write(`sc-owner-transfer run: ${errorText(lost)}\n`);
      ctx.logFailure = lost;
    }
  }
  return ctx.logFailure === undefined ? exitCode : withLocalWriteFailure(exitCode);
}

async function validateAndTransfer(ctx: RunContext): Promise<ExitCodeValue> {
  const scan = await readInput(ctx);
  if (typeof scan === 'number') return scan;
  const { config, io } = ctx;
  const refused = await checkBeforeStart(config, scan, (warning) => ctx.log.logger.warn(warning));
  if (refused) return refuse(ctx, refused, scan.totalRows);
  const clients = openClients(config, io, ctx.log);
  let lanesMade: RunLanes | undefined;
  try {
    // A region and credentials must resolve before anything is written, or every row would fail
    // the same way. A dry run that reads nothing (--no-preflight --no-target-check) needs neither.
    const readsAws = !config.dryRun || config.preflight || config.targetCheck || config.expectAccounts.length > 0;
    const unusable = readsAws ? await checkAwsSettings(clients.client) : undefined;
    if (unusable) return await refuse(ctx, unusable, scan.totalRows);
    const lanes = await setUpLanes(ctx, scan, clients, readsAws);
    if (lanes instanceof Refusal) return await refuse(ctx, lanes, scan.totalRows);
    lanesMade = lanes;
    for (const warning of lanes.findings.warnings) ctx.log.logger.warn(warning);
    const checkpoint = await openCheckpoint(
      { path: config.checkpoint, runId: config.runId, input: config.input, forceUnlock: config.forceUnlock, clock: systemClock, pid: io.pid },
      config.dryRun,
    );
    if (checkpoint instanceof Refusal) return await refuse(ctx, checkpoint, scan.totalRows);
    return await transfer(ctx, scan, checkpoint, lanes);
  } finally {
    clients.client.destroy();
    clients.identity.destroy();
    lanesMade?.destroy();
  }
}

/** The input validated (a refusal or an interrupt: the exit code), this shard's part of it, and what the log says of it. */
async function readInput(ctx: RunContext): Promise<InputScan | ExitCodeValue> {
  const { config, io, log } = ctx;
  const validated = await validateInput(config.input, { signal: io.signal, skipInvalid: config.skipInvalid }).catch((error: unknown) => {
    if (io.signal.aborted) return undefined;
    throw error;
  });
  if (validated === undefined) return io.interruptExitCode();
  if (validated instanceof Refusal) return refuse(ctx, validated, 0);
  // A shard sees only its accounts: the whole file was validated, the rest is another process's.
  const scan = config.shard === undefined ? validated : { ...validated, ...shardScan(validated, config.shard) };
  if (config.shard !== undefined)
    log.logger.info({ shard: `${config.shard.index}/${config.shard.count}`, places: [...scan.places.keys()], rows: scan.totalRows }, "this shard's accounts");
  if (scan.duplicateRows > 0) {
    const rows = scan.duplicateRows === 1 ? 'row repeats' : 'rows repeat';
    log.logger.warn(
      { duplicates: scan.duplicateRows },
      `${scan.duplicateRows} ${rows} an earlier row exactly: reported as skipped (duplicate-of-line-N), sent once`,
    );
  }
  log.logger.info({ input: config.input, rows: scan.totalRows, valid: scan.validRows, invalid: scan.invalidRows }, 'input validated');
  return scan;
}

/** The caller's clients: Service Catalog, and STS/IAM for the checks, over the run's agents (and proxy). */
interface RunClients {
  readonly agents: ReturnType<typeof createHttpAgents>;
  readonly client: ReturnType<typeof createServiceCatalogClient>;
  readonly identity: ReturnType<typeof createIdentityApi>;
  /** The caller's credentials and each profile's, resolved once for every client (an MFA code asked once, on the terminal). */
  readonly credentials: CredentialSource;
}

function openClients(config: RunConfig, io: CommandIo, log: LoggerHandle): RunClients {
  const agents = createHttpAgents({ maxSockets: config.concurrency * 2, env: io.env, userAgent: toolUserAgent({ runId: config.runId, env: io.env }) });
  if (agents.proxySettings.length > 0) log.logger.info({ proxy: agents.proxySettings }, 'AWS requests go through the proxy the environment names');
  const { region, profile, requestTimeoutMs } = config;
  const credentials = commandCredentials(profile, io, agents.userAgent);
  const common = { region, profile, agents, requestTimeoutMs, credentials: credentials.caller };
  return {
    agents,
    credentials,
    client: createServiceCatalogClient({ ...common, endpoint: config.endpointUrl }),
    identity: createIdentityApi({ ...common, stsEndpoint: config.stsEndpointUrl, iamEndpoint: config.iamEndpointUrl }),
  };
}

/** The run's lanes (accounts/run-lanes.ts); what the operator must fix first is a refusal. */
async function setUpLanes(ctx: RunContext, scan: InputScan, clients: RunClients, readsAws: boolean): Promise<RunLanes | Refusal> {
  const { config, io, log } = ctx;
  const deps = {
    agents: clients.agents,
    clock: systemClock,
    signal: io.signal,
    readsAws,
    defaultRegion: defaultRegion(config.region, io.env),
    caller: clients,
  };
  const lanes = await setUpRunLanes(config, scan, deps).catch(accountSetupRefusal);
  if (lanes instanceof Refusal) return lanes;
  for (const { lane, reason } of lanes.unreachable)
    log.logger.warn({ account: lane, reason }, `account ${lane} cannot be reached: its rows will be not-started`);
  return lanes;
}

/** The results' optional columns: the account across accounts or when the input has the column; the region when the input has one. */
function placeColumnsOf(config: RunConfig, scan: InputScan): PlaceColumnName[] {
  const account = config.acrossAccounts || scan.header.accountColumn !== undefined;
  return [...(account ? (['account_id'] as const) : []), ...(scan.header.regionColumn === undefined ? [] : (['region'] as const))];
}

/** The engine's options for this run; `dryPass` makes the preview the confirmation shows. */
function engineOptions(
  ctx: RunContext,
  scan: InputScan,
  lanes: RunLanes,
  ports: Pick<TransferOptions, 'journal' | 'results'>,
  dryPass = false,
  tally?: AccountTally,
): TransferOptions {
  const { config, io, log } = ctx;
  const { findings } = lanes;
  const logEvents = logTransferEvents(log.logger);
  return {
    // No abort signal here: after a SIGINT the engine still reads the rest to report it `not-started`.
    records: config.shard === undefined ? readInputRecords(config.input, scan) : shardRecords(readInputRecords(config.input, scan), config.shard),
    header: scan.header,
    totalRows: scan.totalRows,
    lanes: lanes.router,
    sender: config.dryRun || dryPass ? dryRunSender : updateSender,
    ...ports,
    runId: config.runId,
    concurrency: config.concurrency,
    wait: config.waitTimeoutMs === undefined ? undefined : { timeoutMs: config.waitTimeoutMs },
    targetProblems: findings.targetProblems,
    preflight: config.preflight
      ? {
          plan: { productIds: scan.products, rowsSettingLaunchRole: scan.rowsSettingLaunchRole },
          // Across accounts each lane weighs its own rows against its account's size (at most, every one sets a launch role).
          ...(config.acrossAccounts ? { planFor: (lane: string) => lanePlan(scan, lane), acrossAccounts: true } : {}),
          busyWait: { timeoutMs: config.busyTimeoutMs },
          // A verify (--check) reads every row: a checkpoint's word is not what the products look like now.
          reconcile: config.reconcile || config.check,
          ...(config.expectAccounts.length > 0 ? { expectedAccounts: new Set(config.expectAccounts) } : {}),
        }
      : undefined,
    retryPolicy: DEFAULT_RETRY_POLICY,
    failureBudget: dryPass ? parseFailureBudget('100%') : config.failureBudget,
    limit: config.limit,
    clock: systemClock,
    random: () => randomInt(0, 2 ** 32) / 2 ** 32,
    signal: io.signal,
    graceMs: config.graceMs,
    events: dryPass
      ? {}
      : tally === undefined
        ? logEvents
        : {
            ...logEvents,
            onRowResult: (result) => {
              tally.add(result);
              logEvents.onRowResult?.(result);
            },
          },
  };
}

/**
 * On a terminal, before the first write: a dry pass over the rows (reads only, nothing recorded),
 * what it found, and the operator's yes. Off a terminal, with --yes, for a dry run, or when no row would change: no question.
 */
async function operatorAgrees(ctx: RunContext, scan: InputScan, journal: OpenedCheckpoint['journal'], lanes: RunLanes): Promise<boolean> {
  const { config, io } = ctx;
  if (config.dryRun || config.yes || io.stdin.isTTY !== true || io.stderr.isTTY !== true) return true;
  const lookupOnly = { lookup: (token: string) => journal.lookup(token), recordSent: () => Promise.resolve(), recordFinished: () => undefined };
  const preview = await new TransferRun(engineOptions(ctx, scan, lanes, { journal: lookupOnly, results: { write: async () => undefined } }, true)).run();
  // No row would change: nothing to agree to; say so and go on (the run writes its results and ledger, and no update).
  if (toldNothingToChange(io.stderr, preview.counts)) return true;
  const { findings } = lanes;
  const region = defaultRegion(config.region, io.env) ?? '(from the profile)';
  const accounts = config.acrossAccounts ? [...new Set([...scan.places.values()].map((place) => place.accountId))] : undefined;
  const text = describeIntent({
    region,
    endpoint: config.endpointUrl ?? 'AWS',
    account: accounts === undefined ? findings.account : accounts.join(', '),
    preview: preview.counts,
    targets: scan.targets,
  });
  return askToProceed(io.stdin, io.stderr, text);
}

async function transfer(ctx: RunContext, scan: InputScan, checkpoint: OpenedCheckpoint, lanes: RunLanes): Promise<ExitCodeValue> {
  const { config, log } = ctx;
  const { journal } = checkpoint;
  if (journal.resumed) log.logger.info({ checkpoint: config.checkpoint, ...journal.replayed }, 'resuming from checkpoint');
  startLanesWhereTheyLeftOff(journal.laneRates, lanes.router.lanes, log.logger);
  const ledger = await beginInLedger(ctx, scan, checkpoint, lanes);
  if (typeof ledger === 'number') return ledger;
  const results = await confirmAndOpenResults(ctx, scan, checkpoint, lanes, ledger);
  if (typeof results === 'number') return results;
  const tally = config.acrossAccounts ? new AccountTally(new Map([...scan.places].map(([key, place]) => [key, place.rows]))) : undefined;
  const engine = new TransferRun(engineOptions(ctx, scan, lanes, { journal, results }, false, tally));
  const ran = await runWithProgress(ctx, engine, lanes, tally);
  const run: EndedRun = { scan, checkpoint, results, ledger, engine, lanes, tally };
  return 'error' in ran ? endFailed(ctx, run, ran.error) : endFinished(ctx, run, ran);
}

/** What the ends of a run share. */
interface EndedRun {
  readonly scan: InputScan;
  readonly checkpoint: OpenedCheckpoint;
  readonly results: ResultsWriter;
  readonly ledger: LedgerInvocation;
  readonly engine: TransferRun;
  readonly lanes: RunLanes;
  readonly tally: AccountTally | undefined;
}

/** The invocation's `begin` in the ledger (its `end` records the lanes' limiters); a checkpoint that cannot take it is refused (the exit code). */
async function beginInLedger(ctx: RunContext, scan: InputScan, checkpoint: OpenedCheckpoint, lanes: RunLanes): Promise<LedgerInvocation | ExitCodeValue> {
  const { findings } = lanes;
  const ledger = new LedgerInvocation(checkpoint.journal, lanes.router.lanes);
  const facts = { argv: ctx.argv, config: ctx.config, pid: ctx.io.pid, startedAt: ctx.startedAt, callerArn: findings.callerArn, account: findings.account };
  const failed = await ledger.begin(facts).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (failed === undefined) return ledger;
  await checkpoint.abandon();
  return refuse(ctx, journalRefusal(failed), scan.totalRows);
}

/** The operator's yes (on a terminal) and the results file opened; a refusal adds its `end` to the ledger first. */
async function confirmAndOpenResults(
  ctx: RunContext,
  scan: InputScan,
  checkpoint: OpenedCheckpoint,
  lanes: RunLanes,
  ledger: LedgerInvocation,
): Promise<ResultsWriter | ExitCodeValue> {
  const { config } = ctx;
  const refuseAndEnd = async (refusal: Refusal): Promise<ExitCodeValue> => {
    await ledger.end(systemClock.now(), refusal.exitCode, undefined, emptyCounts(scan.totalRows));
    await checkpoint.close().catch(() => checkpoint.abandon());
    return refuse(ctx, refusal, scan.totalRows);
  };
  // The preview reads the checkpoint back: a file that went bad is refused, the lock released.
  const agreed = await operatorAgrees(ctx, scan, checkpoint.journal, lanes).catch((error: unknown) => journalRefusal(error));
  if (agreed instanceof Refusal) return refuseAndEnd(agreed);
  if (!agreed) return refuseAndEnd(new Refusal(ExitCode.Usage, 'not confirmed: nothing was written'));
  let results: ResultsWriter;
  try {
    results = await openResultsWriter({ path: config.results, extraColumns: scan.header.extraColumns, placeColumns: placeColumnsOf(config, scan) });
  } catch (error) {
    return refuseAndEnd(localWriteRefusal(error) ?? rethrow(error));
  }
  // The results' temporary file must stay where it is, as the checkpoint must: the journal checks both before every group.
  checkpoint.journal.watch(() => results.movedAway());
  return results;
}

/** The engine's run with the progress display around it; a failure (the input changed, a local write) comes back as data. */
async function runWithProgress(
  ctx: RunContext,
  engine: TransferRun,
  lanes: RunLanes,
  tally: AccountTally | undefined,
): Promise<TransferOutcome | { error: unknown }> {
  const progress = createProgressReporter({
    stream: ctx.io.stderr,
    mode: ctx.progressMode,
    statusLine: ctx.statusLine,
    clock: systemClock,
    logger: ctx.log.logger,
    getCounts: () => engine.counts(),
    getLimiterRate: () => updateRate(lanes.router),
    ...(tally === undefined ? {} : { getAccounts: () => tally.progress() }),
  });
  progress.start();
  try {
    return await engine.run();
  } catch (error) {
    return { error };
  } finally {
    progress.stop();
  }
}

/** Each account's counts for the summary (runs across accounts). */
function perAccount({ tally, lanes }: EndedRun): FinishParts['accounts'] {
  return tally?.counts(new Map(lanes.unreachable.map(({ lane, reason }) => [lane, reason])));
}

/** The engine failed: the input changed (exit 2) or a file of the run could not be written (the summary still goes out). */
async function endFailed(ctx: RunContext, run: EndedRun, error: unknown): Promise<ExitCodeValue> {
  const { scan, checkpoint, results, ledger, engine, lanes } = run;
  await results.abort();
  if (error instanceof InputError && error.code === 'FILE_CHANGED') {
    const message = `${error.message}\nThe input changed while the job ran; rows already sent are in the checkpoint. Rerun to resume.`;
    await ledger.end(systemClock.now(), ExitCode.Usage, 'input-changed', engine.counts());
    await checkpoint.abandon();
    return refuse(ctx, new Refusal(ExitCode.Usage, message), scan.totalRows);
  }
  const refusal = journalRefusal(error);
  await ledger.end(systemClock.now(), refusal.exitCode, 'local-error', engine.counts());
  await checkpoint.abandon();
  const { checkpoint: checkpointPath } = ctx.config;
  return finish(ctx, lanes.router, {
    counts: engine.counts(),
    exitCode: refusal.exitCode,
    stoppedBy: 'local-error',
    results: '',
    checkpoint: checkpointPath,
    error: refusal.message,
    accounts: perAccount(run),
    ...found(lanes.findings),
  });
}

/** The engine went through (or stopped): the results and the ledger's `end` written, the summary, the exit code. */
async function endFinished(ctx: RunContext, run: EndedRun, ran: TransferOutcome): Promise<ExitCodeValue> {
  const { config, io } = ctx;
  const ranExitCode = exitCodeForRun(ran.stoppedBy, ran.counts, io.interruptExitCode, config.check, ran.lanesStopped.length);
  const stoppedBy = ran.stoppedBy === 'signal' ? (ranExitCode === ExitCode.Terminated ? 'SIGTERM' : 'SIGINT') : ran.stoppedBy;
  const closeFailure = await closeOutputs(run.checkpoint, run.results, (resultsFailed) =>
    run.ledger.end(systemClock.now(), resultsFailed ? ExitCode.LocalWriteFailed : ranExitCode, resultsFailed ? 'local-error' : stoppedBy, ran.counts),
  );
  const closed = closeFailure === undefined ? undefined : (localWriteRefusal(closeFailure.error) ?? rethrow(closeFailure.error));
  return finish(ctx, run.lanes.router, {
    accounts: perAccount(run),
    counts: ran.counts,
    exitCode: closed?.exitCode ?? ranExitCode,
    stoppedBy: closed === undefined ? stoppedBy : 'local-error',
    results: closeFailure?.resultsLost ? '' : config.results,
    // A dry run's summary names no checkpoint to resume from: it only added its invocation to the ledger.
    checkpoint: config.dryRun ? '' : config.checkpoint,
    error: closed?.message,
    ...found(run.lanes.findings),
  });
}

/**
 * Closes the results, then the ledger: its `end` says whether the results were written, then the
 * journal closes. The results are kept even when the checkpoint could not be flushed (they say what
 * happened; the journal only decides what a rerun resends).
 */
async function closeOutputs(
  checkpoint: OpenedCheckpoint,
  results: ResultsWriter,
  end: (resultsFailed: boolean) => Promise<void>,
): Promise<{ error: unknown; resultsLost: boolean } | undefined> {
  const resultsFailure = await results.close().then(
    () => undefined,
    (error: unknown) => error,
  );
  if (resultsFailure !== undefined) await results.abort();
  await end(resultsFailure !== undefined);
  const journalFailure = await checkpoint.close().then(
    () => undefined,
    (error: unknown) => error,
  );
  if (journalFailure !== undefined) await checkpoint.abandon();
  const error = journalFailure ?? resultsFailure;
  return error === undefined ? undefined : { error, resultsLost: resultsFailure !== undefined };
}

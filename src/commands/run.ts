/* eslint-disable max-lines -- a debt of issue 23 (over the house's 400 lines of code): split it, then drop this line */
/**
 * `sc-owner-transfer run`: wiring only. Flags → config → the shared steps (check the files,
 * validate the input, check the AWS settings, take the checkpoint) each of which may refuse → a
 * lane and the engine → one summary → the exit code from the table in exit-codes.ts. Every refusal
 * comes before anything is sent; a file that cannot be written mid-run (disk full) ends the run
 * with exit 5 and a summary, never a stack trace.
 */
import { randomInt } from 'node:crypto';
import { createServiceCatalogClient } from '../aws/client.js';
import { createServiceCatalogApi } from '../aws/service-catalog-api.js';
import { systemClock } from '../clock.js';
import { errorText } from '../errors.js';
import { ExitCode, exitCodeForRun, exitCodeHelp, withLocalWriteFailure, type ExitCodeValue } from '../exit-codes.js';
import { InputError, readInputRecords } from '../input/index.js';
import { shardRecords, shardScan } from '../input/shard.js';
import type { InputScan } from '../input/types.js';
import { createLogger, LOG_LEVELS, type LoggerHandle } from '../report/logger.js';
import { createProgressReporter, createStatusLine, progressModeFor, type ProgressMode, type StatusLine } from '../report/progress.js';
import { LocalFileError } from '../local-file-error.js';
import { openResultsWriter, type ResultsWriter } from '../report/results-writer.js';
import { makeRunSummary, renderSummaryTable, writeSummaryJson, type SummaryParts } from '../report/summary.js';
import type { RunSummary } from '../report/types.js';
import { logTransferEvents } from '../report/transfer-log.js';
import { emptyCounts } from '../transfer/counters.js';
import { Lane, singleLane, type LaneRouter } from '../transfer/lane.js';
import { AccountTally } from '../report/account-tally.js';
import { lanePlan, placeColumnsOf, setUpAccountLanes, type AccountLanes, type UnreachableAccount } from './run-accounts.js';
import { DEFAULT_RETRY_POLICY } from '../transfer/retry-policy.js';
import { dryRunSender, updateSender } from '../transfer/row-sender.js';
import { parseFailureBudget } from '../transfer/failure-budget.js';
import { TransferRun, type TransferOptions } from '../transfer/transfer-run.js';
import { createHttpAgents } from '../aws/http-agents.js';
import { createIdentityApi } from '../aws/identity-api.js';
import { askToProceed, checkIdentity, describeIntent, type IdentityFindings } from './run-checks.js';
import { parseCommandLine, type Command, type CommandIo } from './command.js';
import { RUN_FLAGS, parseRunConfig, runFiles, type RunConfig } from './run-options.js';
import { checkAwsSettings, checkFiles, checkpointRefusal, localWriteRefusal, openCheckpoint, Refusal, validateInput, type OpenedCheckpoint } from './steps.js';
import { CheckpointError } from '../checkpoint/index.js';
import { LedgerInvocation } from './run-ledger.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'Apply a CSV of owner / launch role changes (rate-limited, resumable).',
  usage: 'run --input FILE [options]',
  flags: RUN_FLAGS,
  helpFooter: `${exitCodeHelp('run')}\nRerun the same command to resume; a second SIGINT/SIGTERM exits at once.`,
  async execute(argv, io) {
    const config = parseCommandLine(runCommand, argv, io, (args) => parseRunConfig(args, io.cwd, io.env));
    return typeof config === 'number' ? config : executeRun(config, io, argv);
  },
};

/** What every step of one run shares. */
interface RunContext {
  readonly config: RunConfig;
  /** The command line after `run`, for the ledger (secrets masked there). */
  readonly argv: readonly string[];
  readonly io: CommandIo;
  readonly log: LoggerHandle;
  readonly startedAt: number;
  readonly progressMode: ProgressMode;
  /** The terminal line the bar is drawn on, in bar mode; log lines to stderr go above it. */
  readonly statusLine: StatusLine | undefined;
  /** The log file's write failure, once reported (by the summary), so it is reported once. */
  logFailure?: unknown;
}

async function executeRun(config: RunConfig, io: CommandIo, argv: readonly string[]): Promise<ExitCodeValue> {
  const startedAt = systemClock.now();
  const badFiles = await checkFiles(runFiles(config));
  if (badFiles) return refuse({ config, io, startedAt }, badFiles, 0);
  const progressMode = progressModeFor(io.stderr, !config.progress);
  // A bar and JSON lines on one terminal garble each other: with a bar and no --log-file, only
  // warnings reach stderr (the bar is cleared for them).
  const quiet = progressMode === 'bar' && !config.logFile && LOG_LEVELS.indexOf(config.logLevel) < LOG_LEVELS.indexOf('warn');
  const statusLine = progressMode === 'bar' ? createStatusLine(io.stderr) : undefined;
  const log = createLogger({
    level: quiet ? 'warn' : config.logLevel,
    destination: config.logFile ? { kind: 'file', path: config.logFile } : { kind: 'stream', stream: statusLine?.writable ?? io.stderr },
  });
  const ctx: RunContext = { config, argv, io, log, startedAt, progressMode, statusLine };
  let exitCode: ExitCodeValue;
  try {
    exitCode = await validateAndTransfer(ctx);
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

// eslint-disable-next-line max-lines-per-function -- a debt of issue 23 (longer than the house's 80 lines): split it, then drop this line
async function validateAndTransfer(ctx: RunContext): Promise<ExitCodeValue> {
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

  const agents = createHttpAgents({ maxSockets: config.concurrency * 2, env: io.env });
  if (agents.proxySettings.length > 0) log.logger.info({ proxy: agents.proxySettings }, 'AWS requests go through the proxy the environment names');
  const client = createServiceCatalogClient({
    region: config.region,
    profile: config.profile,
    endpoint: config.endpointUrl,
    agents,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const identity = createIdentityApi({
    region: config.region,
    profile: config.profile,
    stsEndpoint: config.stsEndpointUrl,
    iamEndpoint: config.iamEndpointUrl,
    requestTimeoutMs: config.requestTimeoutMs,
    agents,
  });
  let accountLanes: AccountLanes | undefined;
  try {
    if (!config.acrossAccounts && [...scan.places.values()].some((place) => place.region !== undefined)) {
      return await refuse(
        ctx,
        new Refusal(
          ExitCode.Usage,
          'the input names a region for some rows (its region column), which only a run across accounts follows: give --assume-role-name or --accounts, or empty the column and pass --region; nothing was sent',
        ),
        scan.totalRows,
      );
    }
    // A region and credentials must resolve before anything is written, or every row would fail
    // the same way. A dry run that reads nothing (--no-preflight --no-target-check) needs neither.
    const readsAws = !config.dryRun || config.preflight || config.targetCheck || config.expectAccounts.length > 0;
    const unusable = readsAws ? await checkAwsSettings(client) : undefined;
    if (unusable) return await refuse(ctx, unusable, scan.totalRows);
    let lanes: RunLanes;
    if (config.acrossAccounts) {
      const defaultRegion = config.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
      const set = await setUpAccountLanes(config, scan, { agents, clock: systemClock, signal: io.signal, readsAws, defaultRegion });
      if (set instanceof Refusal) return await refuse(ctx, set, scan.totalRows);
      accountLanes = set;
      for (const { lane, reason } of set.unreachable)
        log.logger.warn({ account: lane, reason }, `account ${lane} cannot be reached: its rows will be not-started`);
      lanes = {
        router: set.router,
        unreachable: set.unreachable,
        findings: { account: undefined, targetProblems: set.targetProblems, warnings: set.warnings },
      };
    } else {
      const findings = readsAws
        ? await checkIdentity(config, scan.targets, identity, io.signal)
        : { account: undefined, targetProblems: new Map(), warnings: [] };
      if (findings instanceof Refusal) return await refuse(ctx, findings, scan.totalRows);
      const lane = new Lane({
        name: config.profile ?? 'default',
        api: createServiceCatalogApi(client, config.acceptLanguage),
        maxRate: config.ratePerSecond,
        clock: systemClock,
      });
      lanes = { router: singleLane(lane), unreachable: [], findings };
    }
    for (const warning of lanes.findings.warnings) log.logger.warn(warning);
    const checkpoint = await openCheckpoint(
      { path: config.checkpoint, runId: config.runId, input: config.input, forceUnlock: config.forceUnlock, clock: systemClock, pid: ctx.io.pid },
      config.dryRun,
    );
    if (checkpoint instanceof Refusal) return await refuse(ctx, checkpoint, scan.totalRows);
    return await transfer(ctx, scan, checkpoint, lanes);
  } finally {
    client.destroy();
    identity.destroy();
    accountLanes?.destroy();
  }
}

/** The lanes of a run (one, or one per account and region), what the checks before it found, and the accounts not reached. */
interface RunLanes {
  readonly router: LaneRouter;
  readonly findings: IdentityFindings;
  readonly unreachable: readonly UnreachableAccount[];
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
 * what it found, and the operator's yes. Off a terminal, with --yes, or for a dry run: no question.
 */
async function operatorAgrees(ctx: RunContext, scan: InputScan, journal: OpenedCheckpoint['journal'], lanes: RunLanes): Promise<boolean> {
  const { config, io } = ctx;
  if (config.dryRun || config.yes || io.stdin.isTTY !== true || io.stderr.isTTY !== true) return true;
  const lookupOnly = { lookup: (token: string) => journal.lookup(token), recordSent: () => Promise.resolve(), recordFinished: () => undefined };
  const preview = await new TransferRun(engineOptions(ctx, scan, lanes, { journal: lookupOnly, results: { write: async () => undefined } }, true)).run();
  const { findings } = lanes;
  const region = config.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? '(from the profile)';
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

// eslint-disable-next-line max-lines-per-function -- a debt of issue 23 (longer than the house's 80 lines): split it, then drop this line
async function transfer(ctx: RunContext, scan: InputScan, checkpoint: OpenedCheckpoint, lanes: RunLanes): Promise<ExitCodeValue> {
  const { config, io, log } = ctx;
  const { journal } = checkpoint;
  const { findings } = lanes;
  if (journal.resumed) log.logger.info({ checkpoint: config.checkpoint, ...journal.replayed }, 'resuming from checkpoint');
  const ledger = new LedgerInvocation(journal);
  const began = await ledger
    .begin({ argv: ctx.argv, config, pid: io.pid, startedAt: ctx.startedAt, callerArn: findings.callerArn, account: findings.account })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  if (began !== undefined) {
    await checkpoint.abandon();
    return refuse(ctx, journalRefusal(began), scan.totalRows);
  }
  // Every way out from here adds its `end` to the ledger before the checkpoint closes.
  const refuseAndEnd = async (refusal: Refusal): Promise<ExitCodeValue> => {
    await ledger.end(systemClock.now(), refusal.exitCode, undefined, emptyCounts(scan.totalRows));
    await checkpoint.close().catch(() => checkpoint.abandon());
    return refuse(ctx, refusal, scan.totalRows);
  };
  const agreed = await operatorAgrees(ctx, scan, journal, lanes).catch((error: unknown) => journalRefusal(error));
  // The preview reads the checkpoint back: a file that went bad is refused, the lock released.
  if (agreed instanceof Refusal) return refuseAndEnd(agreed);
  if (!agreed) return refuseAndEnd(new Refusal(ExitCode.Usage, 'not confirmed: nothing was written'));
  let results: ResultsWriter;
  try {
    results = await openResultsWriter({ path: config.results, extraColumns: scan.header.extraColumns, placeColumns: placeColumnsOf(config, scan) });
  } catch (error) {
    return refuseAndEnd(localWriteRefusal(error) ?? rethrow(error));
  }
  // The results' temporary file must stay where it is, as the checkpoint must: the journal checks both before every group.
  journal.watch(() => results.movedAway());
  const tally = config.acrossAccounts ? new AccountTally(new Map([...scan.places].map(([key, place]) => [key, place.rows]))) : undefined;
  const engine = new TransferRun(engineOptions(ctx, scan, lanes, { journal, results }, false, tally));
  const progress = createProgressReporter({
    stream: io.stderr,
    mode: ctx.progressMode,
    statusLine: ctx.statusLine,
    clock: systemClock,
    logger: log.logger,
    getCounts: () => engine.counts(),
    getLimiterRate: () => updateRate(lanes.router),
    ...(tally === undefined ? {} : { getAccounts: () => tally.progress() }),
  });
  const perAccount = () => tally?.counts(new Map(lanes.unreachable.map(({ lane, reason }) => [lane, reason])));
  progress.start();
  const ran = await engine.run().then(
    (outcome) => outcome,
    (error: unknown) => ({ error }),
  );
  progress.stop();
  if ('error' in ran) {
    await results.abort();
    const { error } = ran;
    if (error instanceof InputError && error.code === 'FILE_CHANGED') {
      const message = `${error.message}\nThe input changed while the job ran; rows already sent are in the checkpoint. Rerun to resume.`;
      await ledger.end(systemClock.now(), ExitCode.Usage, 'input-changed', engine.counts());
      await checkpoint.abandon();
      return refuse(ctx, new Refusal(ExitCode.Usage, message), scan.totalRows);
    }
    // The journal or the results file could not be written: the rows stop, the summary still goes out.
    const refusal = journalRefusal(error);
    await ledger.end(systemClock.now(), refusal.exitCode, 'local-error', engine.counts());
    await checkpoint.abandon();
    return finish(ctx, lanes.router, {
      counts: engine.counts(),
      exitCode: refusal.exitCode,
      stoppedBy: 'local-error',
      results: '',
      checkpoint: config.checkpoint,
      error: refusal.message,
      accounts: perAccount(),
      ...found(findings),
    });
  }
  const ranExitCode = exitCodeForRun(ran.stoppedBy, ran.counts, io.interruptExitCode, config.check, ran.lanesStopped.length);
  const stoppedBy = ran.stoppedBy === 'signal' ? (ranExitCode === ExitCode.Terminated ? 'SIGTERM' : 'SIGINT') : ran.stoppedBy;
  const closeFailure = await closeOutputs(checkpoint, results, (resultsFailed) =>
    ledger.end(systemClock.now(), resultsFailed ? ExitCode.LocalWriteFailed : ranExitCode, resultsFailed ? 'local-error' : stoppedBy, ran.counts),
  );
  const closed = closeFailure === undefined ? undefined : (localWriteRefusal(closeFailure.error) ?? rethrow(closeFailure.error));
  return finish(ctx, lanes.router, {
    accounts: perAccount(),
    counts: ran.counts,
    exitCode: closed?.exitCode ?? ranExitCode,
    stoppedBy: closed === undefined ? stoppedBy : 'local-error',
    results: closeFailure?.resultsLost ? '' : config.results,
    // A dry run's summary names no checkpoint to resume from: it only added its invocation to the ledger.
    checkpoint: config.dryRun ? '' : config.checkpoint,
    error: closed?.message,
    ...found(findings),
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

type FinishParts = Pick<SummaryParts, 'counts' | 'stoppedBy' | 'results' | 'checkpoint' | 'error' | 'warnings' | 'account' | 'limiterRate' | 'accounts'> & {
  readonly exitCode: ExitCodeValue;
};

/** Where the update limiters settled, summed over the lanes: the run's pace of updates. */
function updateRate(router: LaneRouter): number | undefined {
  const rates = router.lanes.flatMap((lane) => {
    const rate = lane.limiterStats().UpdateProvisionedProductProperties?.rate;
    return rate === undefined ? [] : [rate];
  });
  return rates.length === 0 ? undefined : rates.reduce((sum, rate) => sum + rate, 0);
}

/** What the identity checks add to the summary. */
function found(findings: IdentityFindings): Pick<FinishParts, 'warnings' | 'account'> {
  return { ...(findings.warnings.length > 0 ? { warnings: findings.warnings } : {}), ...(findings.account !== undefined ? { account: findings.account } : {}) };
}

/** The end of a run that sent rows: its error (if any) on stderr, the summary table and the summary JSON. */
async function finish(ctx: RunContext, router: LaneRouter, parts: FinishParts): Promise<ExitCodeValue> {
  const { io, log } = ctx;
  if (parts.error !== undefined) {
    io.stderr.write(`sc-owner-transfer run: ${parts.error}\n`);
    log.logger.error({ exitCode: parts.exitCode }, firstLine(parts.error));
  }
  let { exitCode, error } = parts;
  const limiterRate = updateRate(router);
  const summaryOf = () => makeRunSummary(summaryParts(ctx, { ...parts, exitCode, error, limiterRate }));
  const limiters = Object.fromEntries(router.lanes.map((lane) => [lane.name, lane.limiterStats()]));
  log.logger.info({ summary: summaryOf(), limiters: router.lanes.length === 1 ? router.lanes[0]?.limiterStats() : limiters }, 'run finished');
  // The log is flushed before the summary is written, so a log that could not be written is in it.
  const lost = await ctx.log.flush().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (lost !== undefined) {
    ctx.logFailure = lost;
    io.stderr.write(`sc-owner-transfer run: ${errorText(lost)}\n`);
    exitCode = withLocalWriteFailure(exitCode);
    error ??= errorText(lost);
  }
  const summary = summaryOf();
  io.stdout.write(renderSummaryTable(summary));
  return (await writeSummary(ctx, summary)) ? exitCode : withLocalWriteFailure(exitCode);
}

/** Writes `--summary-json` if asked; false (the reason printed) when it could not be written. */
async function writeSummary(ctx: Pick<RunContext, 'config' | 'io'>, summary: RunSummary): Promise<boolean> {
  if (ctx.config.summaryJson === undefined) return true;
  try {
    await writeSummaryJson(ctx.config.summaryJson, summary);
    return true;
  } catch (error) {
    if (!(error instanceof LocalFileError)) throw error;
    ctx.io.stderr.write(`sc-owner-transfer run: ${error.message}\n`);
    return false;
  }
}

/**
 * A refusal: its full text to stderr once, its headline to the log (when the log is open), and a
 * summary JSON as on every exit, unless the summary's own path is what was refused.
 */
async function refuse(
  ctx: Pick<RunContext, 'config' | 'io' | 'startedAt'> & { log?: LoggerHandle },
  refusal: Refusal,
  totalRows: number,
): Promise<ExitCodeValue> {
  const { io, log } = ctx;
  const { exitCode, message } = refusal;
  io.stderr.write(`sc-owner-transfer run: ${message}\n`);
  log?.logger.error({ exitCode }, firstLine(message));
  if (refusal.flags.includes('--summary-json')) return exitCode;
  const parts = summaryParts(ctx, {
    counts: emptyCounts(refusal.rows ?? totalRows),
    exitCode,
    stoppedBy: undefined,
    results: '',
    checkpoint: '',
    error: message,
  });
  return (await writeSummary(ctx, makeRunSummary(parts))) ? exitCode : withLocalWriteFailure(exitCode);
}

function summaryParts(ctx: Pick<RunContext, 'config' | 'startedAt'>, parts: FinishParts): SummaryParts {
  const { config, startedAt } = ctx;
  return { ...parts, startedAt, finishedAt: systemClock.now(), runId: config.runId, input: config.input, dryRun: config.dryRun };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * A run's own files failing mid-run: a write (exit 5), or a checkpoint entry that no longer reads
 * back (CORRUPT, exit 2; its message says to rerun). Anything else is a bug.
 */
function journalRefusal(error: unknown): Refusal {
  return localWriteRefusal(error) ?? (error instanceof CheckpointError ? checkpointRefusal(error) : rethrow(error));
}

/** For errors no step explains: they are bugs, and main.ts reports them with their stack (exit 70). */
function rethrow(error: unknown): never {
  throw error;
}

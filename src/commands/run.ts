/**
 * `sc-owner-transfer run`: wiring only. Validate the whole input, take the checkpoint lock, open
 * the journal and the results file, build the client and limiter, hand everything to the engine,
 * and turn what it returns into a summary and an exit code. Each step that can refuse does so
 * before anything is sent.
 */
import { hostname } from 'node:os';
import { randomInt } from 'node:crypto';
import { systemClock } from '../clock.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { createServiceCatalogClient } from '../aws/client.js';
import { createServiceCatalogApi } from '../aws/service-catalog-api.js';
import { acquireLock, CheckpointError, defaultIsProcessAlive, LockedError, openJournal, readJournalReadOnly, type Journal, type ReadOnlyJournal } from '../checkpoint/index.js';
import { formatProblem, InputError, readInputRecords, scanInput } from '../input/index.js';
import type { InputScan } from '../input/types.js';
import { createLogger, LOG_LEVELS, type LoggerHandle } from '../report/logger.js';
import { createProgressReporter, progressModeFor } from '../report/progress.js';
import { openResultsWriter } from '../report/results-writer.js';
import { renderSummaryTable, writeSummaryJson } from '../report/summary.js';
import type { RunSummary } from '../report/types.js';
import { AdaptiveRateLimiter } from '../transfer/adaptive-limiter.js';
import { DEFAULT_ACCESS_DENIED_STREAK } from '../transfer/failure-budget.js';
import { DEFAULT_RETRY_POLICY } from '../transfer/retry-policy.js';
import { TOKEN_SCHEME } from '../transfer/token.js';
import { emptyCounts } from '../transfer/counters.js';
import { TransferRun, type StopReason, type TransferOutcome } from '../transfer/transfer-run.js';
import type { Command, CommandIo } from './command.js';
import { renderHelp, UsageError } from './flags.js';
import { RUN_FLAGS, parseRunConfig, type RunConfig } from './run-options.js';

const PROBLEMS_SHOWN = 50;

export const runCommand: Command = {
  name: 'run',
  summary: 'Apply a CSV of owner / launch role changes (rate-limited, resumable).',
  usage: 'run --input FILE [options]',
  flags: RUN_FLAGS,
  helpFooter: [
    'Exit codes: 0 all done; 1 some rows failed or were invalid; 2 bad usage or input (nothing sent);',
    '3 stopped early by --max-errors or refused credentials (resumable); 4 checkpoint locked by another run;',
    '130/143 stopped by SIGINT/SIGTERM (resumable). Rerun the same command to resume.',
  ].join('\n'),
  async execute(argv, io) {
    let config: RunConfig;
    try {
      config = parseRunConfig(argv, io.cwd, io.env);
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr.write(`sc-owner-transfer run: ${error.message}\nTry 'sc-owner-transfer run --help'.\n`);
        return ExitCode.Usage;
      }
      throw error;
    }
    if (config.help) {
      io.stdout.write(renderHelp(runCommand.summary, runCommand.usage, RUN_FLAGS, runCommand.helpFooter));
      return ExitCode.Ok;
    }
    return executeRun(config, io);
  },
};

async function executeRun(config: RunConfig, io: CommandIo): Promise<ExitCodeValue> {
  const startedAt = systemClock.now();
  const progressMode = progressModeFor(io.stderr, !config.progress);
  // A bar and JSON lines on one terminal garble each other: with a bar and no --log-file, only
  // warnings reach stderr.
  const logLevel = progressMode === 'bar' && !config.logFile && LOG_LEVELS.indexOf(config.logLevel) < LOG_LEVELS.indexOf('warn') ? 'warn' : config.logLevel;
  const log: LoggerHandle = createLogger({
    level: logLevel,
    destination: config.logFile ? { kind: 'file', path: config.logFile } : { kind: 'stream', stream: io.stderr },
  });
  try {
    let totalRows = 0;
    const fail = async (code: ExitCodeValue, message: string): Promise<ExitCodeValue> => {
      io.stderr.write(`sc-owner-transfer run: ${message}\n`);
      // The full text (maybe 50 problem lines) went to stderr just above; the log gets its headline.
      log.logger.error({ exitCode: code }, message.split('\n')[0] ?? message);
      // Pipelines read --summary-json whatever happened: a refusal writes one too.
      if (config.summaryJson) {
        const now = systemClock.now();
        await writeSummaryJson(config.summaryJson, {
          counts: emptyCounts(totalRows), startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(now).toISOString(),
          elapsedMs: now - startedAt, exitCode: code, stoppedBy: undefined, runId: config.runId, input: config.input,
          results: '', checkpoint: '', dryRun: config.dryRun, error: message,
        });
      }
      return code;
    };

    // 1. Validate the whole file before anything else: nothing is sent for a bad file.
    let scan: InputScan;
    try {
      scan = await scanInput(config.input, { signal: io.signal });
    } catch (error) {
      if (io.signal.aborted) return io.interruptExitCode();
      if (error instanceof InputError) return fail(ExitCode.Usage, `${formatProblem({ code: error.code, line: error.line, message: error.message })} [${error.code}]\nNothing was sent.`);
      throw error;
    }
    totalRows = scan.totalRows;
    if (scan.fatal) return fail(ExitCode.Usage, `${config.input}: ${formatProblem(scan.fatal)} [${scan.fatal.code}]\nThe file cannot be read as a transfer CSV; nothing was sent.`);
    if (scan.problemCount > 0 && !config.skipInvalid) {
      const shown = scan.problems.slice(0, PROBLEMS_SHOWN).map((p) => `  ${formatProblem(p)} [${p.code}]`);
      const more = scan.problemCount > shown.length ? [`  ... and ${scan.problemCount - shown.length} more`] : [];
      return fail(
        ExitCode.Usage,
        [`${config.input}: ${scan.invalidRows} of ${scan.totalRows} rows are invalid; nothing was sent.`, ...shown, ...more,
          'Fix them, or pass --skip-invalid to run the valid rows and report the others as invalid.'].join('\n'),
      );
    }
    if (scan.duplicateRows > 0) {
      log.logger.warn({ duplicates: scan.duplicateRows }, `${scan.duplicateRows} ${scan.duplicateRows === 1 ? 'row repeats' : 'rows repeat'} an earlier row exactly: reported as skipped (duplicate-of-line-N), sent once`);
    }
    log.logger.info({ input: config.input, rows: scan.totalRows, valid: scan.validRows, invalid: scan.invalidRows }, 'input validated');

    // 2. The AWS side: a region and credentials must resolve before anything is written, or every
    // row would fail the same way. A dry run sends nothing and needs neither.
    const client = createServiceCatalogClient({
      region: config.region, profile: config.profile, endpoint: config.endpointUrl,
      maxSockets: config.concurrency * 2, requestTimeoutMs: config.requestTimeoutMs,
    });
    try {
      if (!config.dryRun) {
        const problem = await checkAwsSettings(client);
        if (problem) return fail(problem.code, problem.message);
      }
      return await withCheckpoint(config, io, log, scan, client, startedAt, progressMode, fail);
    } finally {
      client.destroy();
    }
  } finally {
    await log.close().catch(() => undefined);
  }
}

/** Region and credentials, resolved once up front; a clear message instead of N failed rows. */
async function checkAwsSettings(client: ServiceCatalogClient): Promise<{ code: ExitCodeValue; message: string } | undefined> {
  try {
    await client.config.region();
  } catch (error) {
    return { code: ExitCode.Usage, message: `no AWS region: pass --region or set AWS_REGION (${(error as Error).message}); nothing was sent` };
  }
  try {
    await client.config.credentials();
  } catch (error) {
    return {
      code: ExitCode.StoppedEarly,
      message: `no usable AWS credentials (${(error as Error).message}): pass --profile, or set AWS_PROFILE or the AWS_ACCESS_KEY_ID variables; nothing was sent`,
    };
  }
  return undefined;
}

async function withCheckpoint(
  config: RunConfig,
  io: CommandIo,
  log: LoggerHandle,
  scan: InputScan,
  client: ServiceCatalogClient,
  startedAt: number,
  progressMode: ReturnType<typeof progressModeFor>,
  fail: (code: ExitCodeValue, message: string) => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  // 3. The checkpoint: lock (exit 4 if held), then the journal (exit 2 if it belongs to another run id).
  const lock = config.dryRun
    ? undefined
    : await acquireLock({
        checkpointPath: config.checkpoint, runId: config.runId, host: hostname(), pid: process.pid,
        now: () => new Date(), isProcessAlive: defaultIsProcessAlive, force: config.forceUnlock,
      }).catch((error: unknown) => {
        if (error instanceof CheckpointError) return error;
        throw error;
      });
  if (lock instanceof LockedError) return fail(ExitCode.Locked, lock.message);
  // Any other lock failure (unwritable directory, a file system without hard links): nothing sent.
  if (lock instanceof CheckpointError) return fail(ExitCode.Usage, lock.message);
  try {
    const journal = await (config.dryRun
      ? readJournalReadOnly(config.checkpoint, config.runId, TOKEN_SCHEME)
      : openJournal({ path: config.checkpoint, runId: config.runId, tokenScheme: TOKEN_SCHEME, input: config.input, clock: systemClock })
    ).catch((error: unknown) => {
      if (error instanceof CheckpointError) return error;
      throw error;
    });
    if (journal instanceof CheckpointError) return fail(ExitCode.Usage, journal.message);
    return await transfer(config, io, log, scan, journal, client, startedAt, progressMode, fail);
  } finally {
    await lock?.release();
  }
}

async function transfer(
  config: RunConfig,
  io: CommandIo,
  log: LoggerHandle,
  scan: InputScan,
  journal: Journal | ReadOnlyJournal,
  client: ServiceCatalogClient,
  startedAt: number,
  progressMode: ReturnType<typeof progressModeFor>,
  fail: (code: ExitCodeValue, message: string) => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  const { logger } = log;
  if (journal.resumed) {
    logger.info({ checkpoint: config.checkpoint, ...journal.replayed }, 'resuming from checkpoint');
  }
  const results = await openResultsWriter({ path: config.results, extraColumns: scan.header.extraColumns });
  const engine = new TransferRun({
    // No abort signal here: after a SIGINT the engine still reads the rest to report it `not-started`.
    records: readInputRecords(config.input, scan),
    header: scan.header,
    totalRows: scan.totalRows,
    api: createServiceCatalogApi(client, config.acceptLanguage),
    journal,
    results,
    runId: config.runId,
    concurrency: config.concurrency,
    updateLimiter: new AdaptiveRateLimiter({ maxRate: config.ratePerSecond, clock: systemClock }),
    // DescribeRecord has its own quota at AWS, so its own limiter with the same ceiling.
    wait: config.waitTimeoutMs === undefined
      ? undefined
      : { options: { timeoutMs: config.waitTimeoutMs }, describeLimiter: new AdaptiveRateLimiter({ maxRate: config.ratePerSecond, clock: systemClock }) },
    retryPolicy: DEFAULT_RETRY_POLICY,
    failureBudget: config.failureBudget,
    accessDeniedStreak: DEFAULT_ACCESS_DENIED_STREAK,
    dryRun: config.dryRun,
    limit: config.limit,
    clock: systemClock,
    random: () => randomInt(0, 2 ** 32) / 2 ** 32,
    signal: io.signal,
    graceMs: config.graceMs,
    events: {
      onRowResult: (result) => logger.debug({ line: result.line, id: result.provisionedProductId, outcome: result.outcome, reason: result.reason, recordId: result.recordId, attempts: result.attempts, errorCode: result.errorCode || undefined }, 'row'),
      onRetry: (row, event) => logger.info({ line: row.line, id: row.provisionedProductId, attempt: event.attempt, error: event.error.code, delayMs: event.delayMs }, 'retrying'),
      onStop: (reason, detail) => logger.warn({ stoppedBy: reason }, detail),
    },
  });
  const progress = createProgressReporter({ stream: io.stderr, mode: progressMode, clock: systemClock, logger, getCounts: () => engine.counts() });
  progress.start();
  let outcome: TransferOutcome;
  try {
    outcome = await engine.run();
  } catch (error) {
    progress.stop();
    await results.abort();
    await journal.close().catch(() => undefined);
    if (error instanceof InputError && error.code === 'FILE_CHANGED') {
      return fail(ExitCode.Usage, `${error.message}\nThe input changed while the job ran; rows already sent are in the checkpoint. Rerun to resume.`);
    }
    throw error;
  }
  progress.stop();
  await journal.close();
  await results.close();

  const exitCode = exitCodeFor(outcome, io);
  const summary: RunSummary = {
    counts: outcome.counts,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(systemClock.now()).toISOString(),
    elapsedMs: systemClock.now() - startedAt,
    exitCode,
    stoppedBy: outcome.stoppedBy === 'signal' ? signalName(exitCode) : outcome.stoppedBy,
    runId: config.runId,
    input: config.input,
    results: config.results,
    checkpoint: config.dryRun ? '' : config.checkpoint,
    dryRun: config.dryRun,
  };
  logger.info({ summary }, 'run finished');
  io.stdout.write(renderSummaryTable(summary));
  if (config.summaryJson) await writeSummaryJson(config.summaryJson, summary);
  return exitCode;
}

function exitCodeFor(outcome: TransferOutcome, io: CommandIo): ExitCodeValue {
  const stopped: StopReason | undefined = outcome.stoppedBy;
  if (stopped === 'signal') return io.interruptExitCode();
  if (stopped === 'max-errors' || stopped === 'credentials' || stopped === 'access-denied') return ExitCode.StoppedEarly;
  if (outcome.counts.failed > 0 || outcome.counts.invalid > 0) return ExitCode.RowsFailed;
  return ExitCode.Ok;
}

function signalName(exitCode: ExitCodeValue): string {
  return exitCode === ExitCode.Terminated ? 'SIGTERM' : 'SIGINT';
}

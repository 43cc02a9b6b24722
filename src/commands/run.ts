/**
 * `sc-owner-transfer run`: wiring only. Flags → config → the shared steps (validate the input,
 * check the AWS settings, take the checkpoint) each of which may refuse → a lane and the engine →
 * one summary → the exit code from the table in exit-codes.ts. Every refusal comes before anything
 * is sent.
 */
import { randomInt } from 'node:crypto';
import { createServiceCatalogClient } from '../aws/client.js';
import { createServiceCatalogApi } from '../aws/service-catalog-api.js';
import { systemClock } from '../clock.js';
import { ExitCode, exitCodeForRun, exitCodeHelp, type ExitCodeValue } from '../exit-codes.js';
import { InputError, readInputRecords } from '../input/index.js';
import type { InputScan } from '../input/types.js';
import { createLogger, LOG_LEVELS, type LoggerHandle } from '../report/logger.js';
import { createProgressReporter, progressModeFor, type ProgressMode } from '../report/progress.js';
import { openResultsWriter } from '../report/results-writer.js';
import { makeRunSummary, renderSummaryTable, writeSummaryJson, type SummaryParts } from '../report/summary.js';
import { logTransferEvents } from '../report/transfer-log.js';
import { emptyCounts } from '../transfer/counters.js';
import { Lane, singleLane } from '../transfer/lane.js';
import { DEFAULT_RETRY_POLICY } from '../transfer/retry-policy.js';
import { dryRunSender, updateSender } from '../transfer/row-sender.js';
import { TransferRun, type TransferOutcome } from '../transfer/transfer-run.js';
import { parseCommandLine, type Command, type CommandIo } from './command.js';
import { RUN_FLAGS, parseRunConfig, type RunConfig } from './run-options.js';
import { checkAwsSettings, openCheckpoint, Refusal, validateInput, type OpenedCheckpoint } from './steps.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'Apply a CSV of owner / launch role changes (rate-limited, resumable).',
  usage: 'run --input FILE [options]',
  flags: RUN_FLAGS,
  helpFooter: `${exitCodeHelp('run')}\nRerun the same command to resume; a second SIGINT/SIGTERM exits at once.`,
  async execute(argv, io) {
    const config = parseCommandLine(runCommand, argv, io, (args) => parseRunConfig(args, io.cwd, io.env));
    return typeof config === 'number' ? config : executeRun(config, io);
  },
};

/** What every step of one run shares. */
interface RunContext {
  readonly config: RunConfig;
  readonly io: CommandIo;
  readonly log: LoggerHandle;
  readonly startedAt: number;
  readonly progressMode: ProgressMode;
}

async function executeRun(config: RunConfig, io: CommandIo): Promise<ExitCodeValue> {
  const progressMode = progressModeFor(io.stderr, !config.progress);
  // A bar and JSON lines on one terminal garble each other: with a bar and no --log-file, only
  // warnings reach stderr.
  const quiet = progressMode === 'bar' && !config.logFile && LOG_LEVELS.indexOf(config.logLevel) < LOG_LEVELS.indexOf('warn');
  const log = createLogger({
    level: quiet ? 'warn' : config.logLevel,
    destination: config.logFile ? { kind: 'file', path: config.logFile } : { kind: 'stream', stream: io.stderr },
  });
  const ctx: RunContext = { config, io, log, startedAt: systemClock.now(), progressMode };
  try {
    const scan = await validateInput(config.input, { signal: io.signal, skipInvalid: config.skipInvalid }).catch((error: unknown) => {
      if (io.signal.aborted) return undefined;
      throw error;
    });
    if (scan === undefined) return io.interruptExitCode();
    if (scan instanceof Refusal) return await refuse(ctx, scan, 0);
    if (scan.duplicateRows > 0) {
      const rows = scan.duplicateRows === 1 ? 'row repeats' : 'rows repeat';
      log.logger.warn({ duplicates: scan.duplicateRows }, `${scan.duplicateRows} ${rows} an earlier row exactly: reported as skipped (duplicate-of-line-N), sent once`);
    }
    log.logger.info({ input: config.input, rows: scan.totalRows, valid: scan.validRows, invalid: scan.invalidRows }, 'input validated');

    const client = createServiceCatalogClient({
      region: config.region, profile: config.profile, endpoint: config.endpointUrl,
      maxSockets: config.concurrency * 2, requestTimeoutMs: config.requestTimeoutMs,
    });
    try {
      // A region and credentials must resolve before anything is written, or every row would fail
      // the same way. A dry run sends nothing and needs neither.
      const unusable = config.dryRun ? undefined : await checkAwsSettings(client);
      if (unusable) return await refuse(ctx, unusable, scan.totalRows);
      const checkpoint = await openCheckpoint(
        { path: config.checkpoint, runId: config.runId, input: config.input, forceUnlock: config.forceUnlock, clock: systemClock, pid: process.pid },
        config.dryRun,
      );
      if (checkpoint instanceof Refusal) return await refuse(ctx, checkpoint, scan.totalRows);
      const lane = new Lane({ name: config.profile ?? 'default', api: createServiceCatalogApi(client, config.acceptLanguage), maxRate: config.ratePerSecond, clock: systemClock });
      return await transfer(ctx, scan, checkpoint, lane);
    } finally {
      client.destroy();
    }
  } finally {
    await log.close().catch(() => undefined);
  }
}

async function transfer(ctx: RunContext, scan: InputScan, checkpoint: OpenedCheckpoint, lane: Lane): Promise<ExitCodeValue> {
  const { config, io, log } = ctx;
  const { journal } = checkpoint;
  if (journal.resumed) log.logger.info({ checkpoint: config.checkpoint, ...journal.replayed }, 'resuming from checkpoint');
  const results = await openResultsWriter({ path: config.results, extraColumns: scan.header.extraColumns });
  const engine = new TransferRun({
    // No abort signal here: after a SIGINT the engine still reads the rest to report it `not-started`.
    records: readInputRecords(config.input, scan),
    header: scan.header,
    totalRows: scan.totalRows,
    lanes: singleLane(lane),
    sender: config.dryRun ? dryRunSender : updateSender,
    journal,
    results,
    runId: config.runId,
    concurrency: config.concurrency,
    wait: config.waitTimeoutMs === undefined ? undefined : { timeoutMs: config.waitTimeoutMs },
    retryPolicy: DEFAULT_RETRY_POLICY,
    failureBudget: config.failureBudget,
    limit: config.limit,
    clock: systemClock,
    random: () => randomInt(0, 2 ** 32) / 2 ** 32,
    signal: io.signal,
    graceMs: config.graceMs,
    events: logTransferEvents(log.logger),
  });
  const progress = createProgressReporter({ stream: io.stderr, mode: ctx.progressMode, clock: systemClock, logger: log.logger, getCounts: () => engine.counts() });
  progress.start();
  let outcome: TransferOutcome;
  try {
    outcome = await engine.run();
  } catch (error) {
    progress.stop();
    await results.abort();
    await checkpoint.abandon();
    if (error instanceof InputError && error.code === 'FILE_CHANGED') {
      const message = `${error.message}\nThe input changed while the job ran; rows already sent are in the checkpoint. Rerun to resume.`;
      return refuse(ctx, new Refusal(ExitCode.Usage, message), scan.totalRows);
    }
    throw error;
  }
  progress.stop();
  await checkpoint.close();
  await results.close();

  const exitCode = exitCodeForRun(outcome.stoppedBy, outcome.counts, io.interruptExitCode);
  const stoppedBy = outcome.stoppedBy === 'signal' ? (exitCode === ExitCode.Terminated ? 'SIGTERM' : 'SIGINT') : outcome.stoppedBy;
  const parts = summaryParts(ctx, { counts: outcome.counts, exitCode, stoppedBy, results: config.results, checkpoint: config.dryRun ? '' : config.checkpoint });
  const summary = makeRunSummary(parts);
  log.logger.info({ summary, limiters: lane.limiterStats() }, 'run finished');
  io.stdout.write(renderSummaryTable(summary));
  if (config.summaryJson) await writeSummaryJson(config.summaryJson, summary);
  return exitCode;
}

/** A refusal: its full text to stderr once, its headline to the log, and a summary JSON as on every exit. */
async function refuse(ctx: RunContext, refusal: Refusal, totalRows: number): Promise<ExitCodeValue> {
  const { config, io, log } = ctx;
  const { exitCode, message } = refusal;
  io.stderr.write(`sc-owner-transfer run: ${message}\n`);
  log.logger.error({ exitCode }, message.split('\n')[0] ?? message);
  if (config.summaryJson) {
    const parts = summaryParts(ctx, { counts: emptyCounts(refusal.rows ?? totalRows), exitCode, stoppedBy: undefined, results: '', checkpoint: '', error: message });
    await writeSummaryJson(config.summaryJson, makeRunSummary(parts));
  }
  return exitCode;
}

function summaryParts(ctx: RunContext, parts: Pick<SummaryParts, 'counts' | 'exitCode' | 'stoppedBy' | 'results' | 'checkpoint' | 'error'>): SummaryParts {
  const { config, startedAt } = ctx;
  return { ...parts, startedAt, finishedAt: systemClock.now(), runId: config.runId, input: config.input, dryRun: config.dryRun };
}

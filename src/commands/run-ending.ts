/**
 * How a run ends, in one place: a refusal (its message once to stderr, its headline to the log, a
 * summary JSON as on every exit), or the summary of a run that sent rows (table to stdout, JSON to
 * its file), and the exit code that a report which could not be written turns into 5.
 */
import { hostname } from 'node:os';
import { createHttpAgents } from '../aws/http-agents.js';
import { userAgentSuffix, toolUserAgent } from '../aws/user-agent.js';
import { systemClock } from '../clock.js';
import { CheckpointError } from '../checkpoint/index.js';
import { errorText } from '../errors.js';
import { ExitCode, withLocalWriteFailure, type ExitCodeValue } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import type { LoggerHandle } from '../report/logger.js';
import type { ProgressMode, StatusLine } from '../report/progress.js';
import { makeRunSummary, renderSummaryTable, writeSummaryJson, type SummaryParts } from '../report/summary.js';
import type { RunSummary } from '../report/types.js';
import { notifyPayload, notifyTarget, postJsonThrough, sendNotification, type PostJson } from '../report/notify.js';
import { toolVersion } from '../version.js';
import { emptyCounts } from '../transfer/counters.js';
import type { LaneRouter } from '../transfer/lane.js';
import { printRefusal, type CommandIo } from './command.js';
import type { IdentityFindings } from '../accounts/identity-check.js';
import type { RunConfig } from './run-options.js';
import { checkpointRefusal, localWriteRefusal, Refusal } from './steps.js';

/** What every step of one run shares. */
export interface RunContext {
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
  /** The summary of how the invocation ended (finish, refuse): what `--notify-url` is told. */
  ended?: RunSummary;
}

/** What the end of an invocation needs: a RunContext, or before the log is open, its first three fields. */
export type EndingContext = Pick<RunContext, 'config' | 'io' | 'startedAt'> & { log?: LoggerHandle; ended?: RunSummary };

export type FinishParts = Pick<
  SummaryParts,
  'counts' | 'stoppedBy' | 'results' | 'checkpoint' | 'error' | 'warnings' | 'account' | 'limiterRate' | 'accounts'
> & {
  readonly exitCode: ExitCodeValue;
};

/** Where the update limiters settled, summed over the lanes: the run's pace of updates. */
export function updateRate(router: LaneRouter): number | undefined {
  const rates = router.lanes.flatMap((lane) => {
    const rate = lane.limiterStats().UpdateProvisionedProductProperties?.rate;
    return rate === undefined ? [] : [rate];
  });
  return rates.length === 0 ? undefined : rates.reduce((sum, rate) => sum + rate, 0);
}

/** What the identity checks add to the summary. */
export function found(findings: IdentityFindings): Pick<FinishParts, 'warnings' | 'account'> {
  return { ...(findings.warnings.length > 0 ? { warnings: findings.warnings } : {}), ...(findings.account !== undefined ? { account: findings.account } : {}) };
}

/** The end of a run that sent rows: its error (if any) on stderr, the summary table and the summary JSON. */
export async function finish(ctx: RunContext, router: LaneRouter, parts: FinishParts): Promise<ExitCodeValue> {
  const { io, log } = ctx;
  if (parts.error !== undefined) {
    printRefusal(io, 'run', { exitCode: parts.exitCode, message: parts.error });
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
    exitCode = printRefusal(io, 'run', { exitCode: withLocalWriteFailure(exitCode), message: errorText(lost) });
    error ??= errorText(lost);
  }
  const summary = summaryOf();
  ctx.ended = summary;
  io.stdout.write(renderSummaryTable(summary));
  return (await writeSummary(ctx, summary)) ? exitCode : withLocalWriteFailure(exitCode);
}

/** Writes `--summary-json` if asked; false (the reason printed) when it could not be written. */
export async function writeSummary(ctx: Pick<RunContext, 'config' | 'io'>, summary: RunSummary): Promise<boolean> {
  if (ctx.config.summaryJson === undefined) return true;
  try {
    await writeSummaryJson(ctx.config.summaryJson, summary);
    return true;
  } catch (error) {
    if (!(error instanceof LocalFileError)) throw error;
    printRefusal(ctx.io, 'run', { exitCode: ExitCode.LocalWriteFailed, message: error.message });
    return false;
  }
}

/**
 * A refusal: its full text to stderr once, its headline to the log (when the log is open), and a
 * summary JSON as on every exit, unless the summary's own path is what was refused.
 */
export async function refuse(ctx: EndingContext, refusal: Refusal, totalRows: number): Promise<ExitCodeValue> {
  const { io, log } = ctx;
  const { exitCode, message } = refusal;
  printRefusal(io, 'run', refusal);
  log?.logger.error({ exitCode }, firstLine(message));
  const parts = summaryParts(ctx, {
    counts: emptyCounts(refusal.rows ?? totalRows),
    exitCode,
    stoppedBy: undefined,
    results: '',
    checkpoint: '',
    error: message,
  });
  ctx.ended = makeRunSummary(parts);
  if (refusal.flags.includes('--summary-json')) return exitCode;
  return (await writeSummary(ctx, ctx.ended)) ? exitCode : withLocalWriteFailure(exitCode);
}

/**
 * Ends an invocation: `end` decides its exit code (and the summary, kept in the context), then the
 * word to `--notify-url`. A notification that fails is a warning (the log, or stderr before the log
 * is open) and never another exit code; an invocation that ends in a bug (exit 70) is told too.
 */
export async function endWithNotice<C extends EndingContext>(ctx: C, end: (ctx: C) => Promise<ExitCodeValue>, post?: PostJson): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue;
  try {
    exitCode = await end(ctx);
  } catch (error) {
    await notifyEnd(ctx, ExitCode.Internal, errorText(error), post);
    throw error;
  }
  await notifyEnd(ctx, exitCode, undefined, post);
  return exitCode;
}

async function notifyEnd(ctx: EndingContext, exitCode: ExitCodeValue, bug: string | undefined, post: PostJson | undefined): Promise<void> {
  const { config } = ctx;
  if (config.notifyUrl === undefined) return;
  const target = notifyTarget(config.notifyUrl);
  // Whatever goes wrong here (a bug of its own included) is a warning: the run has already ended.
  const failed = await postNotice(ctx, config.notifyUrl, exitCode, bug, post).catch((error: unknown) => errorText(error));
  const { io, log } = ctx;
  if (failed === undefined) log?.logger.info({ notifyUrl: target }, 'end of run notified');
  else if (log !== undefined)
    log.logger.warn({ notifyUrl: target, reason: failed }, `--notify-url: the notification was not delivered (the exit code stays ${exitCode})`);
  else io.stderr.write(`sc-owner-transfer run: warning: --notify-url ${target}: the notification was not delivered: ${failed}\n`);
}

/** The POST of how the invocation ended; undefined when delivered, else why not. */
async function postNotice(
  ctx: EndingContext,
  url: string,
  exitCode: ExitCodeValue,
  bug: string | undefined,
  post: PostJson | undefined,
): Promise<string | undefined> {
  const { config, io } = ctx;
  const ended =
    ctx.ended ?? makeRunSummary(summaryParts(ctx, { counts: emptyCounts(0), exitCode, stoppedBy: undefined, results: '', checkpoint: '', error: bug }));
  const version = toolVersion();
  const payload = notifyPayload({
    // The exit code is the invocation's last word (a summary that could not be written made it 5).
    summary: { ...ended, exitCode, ...(bug === undefined ? {} : { error: bug }) },
    version,
    summaryJson: config.summaryJson,
    host: hostname(),
    secrets: [config.externalId],
  });
  // Agents of its own (the run's are closed by now), through the proxy the environment names.
  const agents = createHttpAgents({ maxSockets: 1, env: io.env });
  const userAgent = userAgentSuffix(toolUserAgent({ version, runId: config.runId }));
  return sendNotification(url, payload, { post: post ?? postJsonThrough(agents), userAgent }).finally(() => {
    agents.httpAgent.destroy();
    agents.httpsAgent.destroy();
  });
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
export function journalRefusal(error: unknown): Refusal {
  return localWriteRefusal(error) ?? (error instanceof CheckpointError ? checkpointRefusal(error) : rethrow(error));
}

/** For errors no step explains: they are bugs, and main.ts reports them with their stack (exit 70). */
export function rethrow(error: unknown): never {
  throw error;
}

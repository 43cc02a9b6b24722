/**
 * `sc-owner-transfer plan`: wiring only. Flags and maps (checked before any call) → the shared
 * steps (region and credentials, a lane with its limiters and retries, the log) → one pass over
 * the account (plan/list-account.ts) judged product by product (plan/plan-rules.ts) → the plan CSV,
 * written atomically, and a summary on stdout. Reads only; writes nothing but `--out`.
 */
import { randomInt } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { createServiceCatalogClient } from '../aws/client.js';
import { createHttpAgents } from '../aws/http-agents.js';
import { createServiceCatalogApi } from '../aws/service-catalog-api.js';
import { systemClock } from '../clock.js';
import { ExitCode, exitCodeHelp, type ExitCodeValue } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import { listAccount } from '../plan/list-account.js';
import { PLAN_COLUMNS, planProduct, STATUSES_TO_REVIEW, type PlannedRow } from '../plan/plan-rules.js';
import { pathExists, writeFileAtomic } from '../report/atomic-file.js';
import { createLogger } from '../report/logger.js';
import { Lane } from '../transfer/lane.js';
import { DEFAULT_RETRY_POLICY } from '../transfer/retry-policy.js';
import { parseCommandLine, type Command, type CommandIo } from './command.js';
import { parsePlanConfig, PLAN_FLAGS, type PlanConfig } from './plan-options.js';
import { checkAwsSettings, Refusal } from './steps.js';

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

async function executePlan(config: PlanConfig, io: CommandIo): Promise<ExitCodeValue> {
  const fail = (refusal: Refusal): ExitCodeValue => {
    io.stderr.write(`sc-owner-transfer plan: ${refusal.message}\n`);
    return refusal.exitCode;
  };
  if (!config.force && (await pathExists(config.out))) return fail(new Refusal(ExitCode.Usage, `--out '${config.out}' exists; pass --force to replace it`));
  const log = createLogger({ level: config.logLevel, destination: config.logFile ? { kind: 'file', path: config.logFile } : { kind: 'stream', stream: io.stderr } });
  const agents = createHttpAgents({ maxSockets: 4, env: io.env });
  if (agents.proxySettings.length > 0) log.logger.info({ proxy: agents.proxySettings }, 'AWS requests go through the proxy the environment names');
  const client = createServiceCatalogClient({ region: config.region, profile: config.profile, endpoint: config.endpointUrl, agents, requestTimeoutMs: config.requestTimeoutMs });
  try {
    const unusable = await checkAwsSettings(client);
    if (unusable) return fail(unusable);
    const lane = new Lane({ name: config.profile ?? 'default', api: createServiceCatalogApi(client), maxRate: config.ratePerSecond, clock: systemClock });
    const attempt = {
      policy: DEFAULT_RETRY_POLICY, clock: systemClock, random: () => randomInt(0, 2 ** 32) / 2 ** 32, signal: io.signal,
      onRetry: (event: { attempt: number; error: { code: string }; delayMs: number }) => log.logger.info({ attempt: event.attempt, error: event.error.code, delayMs: event.delayMs }, 'retrying a list call'),
    };
    const rows: PlannedRow[] = [];
    const summary = new PlanSummary();
    const answer = await listAccount(lane, attempt, { launchRoles: config.launchRoles.length > 0 || config.owners.some((rule) => rule.launchRole !== undefined) }, (facts) => {
      const decision = planProduct(facts, config.owners, config.launchRoles, config.filters);
      summary.add(facts.id, facts.status, decision);
      if (decision.kind === 'move') rows.push(decision.row);
    });
    if (answer.kind === 'failed') {
      if (answer.error.kind === 'aborted') return fail(new Refusal(io.interruptExitCode(), 'interrupted: no plan was written'));
      return fail(new Refusal(ExitCode.StoppedEarly, `listing the account failed (${answer.error.code}: ${answer.error.message}); no plan was written`));
    }
    for (const warning of answer.pass.warnings) log.logger.warn(warning);
    const csv = stringify([PLAN_COLUMNS.map(([name]) => name), ...rows.map((row) => PLAN_COLUMNS.map(([, cell]) => cell(row)))]);
    try {
      await writeFileAtomic(config.out, csv);
    } catch (error) {
      return fail(new Refusal(ExitCode.LocalWriteFailed, LocalFileError.wrap('plan', config.out, error).message));
    }
    io.stdout.write(summary.render(config.out, rows.length, answer.pass));
    return ExitCode.Ok;
  } finally {
    client.destroy();
    await log.close().catch(() => undefined);
  }
}

/** Counts for the summary: per old owner, per old launch role, to review, left out. */
class PlanSummary {
  readonly byOwner = new Map<string, number>();
  readonly byLaunchRole = new Map<string, number>();
  readonly toReview = new Map<string, string[]>();
  readonly leftOut = new Map<string, number>();

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

  render(out: string, rows: number, pass: { searchPages: number; scanPages: number; products: number }): string {
    const counts = (title: string, map: ReadonlyMap<string, number | string[]>) =>
      map.size === 0 ? [] : [`  ${title}:`, ...[...map].map(([key, value]) => `    ${key}  ${Array.isArray(value) ? `${value.length}: ${value.join(' ')}` : value}`)];
    return [
      `Plan: ${rows} products to move, written to ${out}`,
      ...counts('by old owner', this.byOwner),
      ...counts('by old launch role', this.byLaunchRole),
      ...counts('in the plan, to review (status)', this.toReview),
      ...counts('left out by the filters', this.leftOut),
      `  read: ${pass.products} products of the account in ${pass.searchPages} Search pages${pass.scanPages > 0 ? ` and ${pass.scanPages} Scan pages` : ''}`,
      `Review it, then: sc-owner-transfer run --input ${out} --dry-run`,
      '',
    ].join('\n');
  }
}

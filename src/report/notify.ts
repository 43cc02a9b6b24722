/**
 * `--notify-url`: a word when an invocation ends, for cron runs nobody watches. One POST of JSON in
 * a shape Slack-compatible incoming webhooks accept (`text`, one paragraph for a person; Mattermost,
 * Rocket.Chat and Google Chat read the same field) with the run's facts under `run` for any other
 * receiver (`schema` names the shape's version).
 *
 * A notification never changes how the run ended: it is sent after the summary, bounded by a
 * timeout, and any failure (refused, timed out, an answer that is not 2xx) comes back as a warning
 * for the log. Nothing secret is posted: no flag values but paths and the run id, no environment,
 * no endpoint, and URL credentials in an error message are masked. The URL itself is logged as its
 * origin only (a Slack webhook's path is its secret).
 *
 * The POST goes through a `PostJson` function given by the command (the run's HTTP agents, so the
 * proxy variables apply as they do to AWS requests); tests give their own.
 */
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { exitCodeMeaning } from '../exit-codes.js';
import { OUTCOMES } from '../outcomes.js';
import type { Outcome, RunSummary } from './types.js';

/** The version of the JSON's shape, in its `schema` field. */
export const NOTIFY_SCHEMA = 'sc-owner-transfer.notify/1';
/** How long a notification may take, connection to answer. */
export const NOTIFY_TIMEOUT_MS = 10_000;

/** A POST of a JSON body: resolves with the answer's status, rejects when there is none (refused, timed out). */
export type PostJson = (
  url: string,
  body: string,
  options: { readonly signal: AbortSignal; readonly userAgent: string },
) => Promise<{ readonly status: number }>;

export interface NotifyPayload {
  readonly text: string;
  readonly schema: typeof NOTIFY_SCHEMA;
  readonly run: NotifyRun;
}

export interface NotifyRun {
  readonly tool: 'sc-owner-transfer';
  readonly version: string;
  readonly command: 'run';
  readonly runId: string;
  readonly dryRun: boolean;
  readonly exitCode: number;
  readonly exitCodeMeaning: string;
  readonly stoppedBy: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedMs: number;
  readonly counts: RunSummary['counts'];
  readonly account?: string;
  readonly accounts?: RunSummary['accounts'];
  readonly input: string;
  readonly results: string;
  readonly checkpoint: string;
  readonly summaryJson?: string;
  /** The first line of why the run refused or failed (URL credentials masked), when it did. */
  readonly error?: string;
  readonly host?: string;
}

export interface NotifyFacts {
  readonly summary: RunSummary;
  readonly version: string;
  readonly summaryJson?: string | undefined;
  readonly host?: string | undefined;
  /** Values never to appear in what is posted (`--external-id`): replaced by `***` should a message quote one. */
  readonly secrets?: readonly (string | undefined)[];
}

/** A text's `scheme://user:password@` parts masked, wherever they are in it. */
export function maskCredentialsInText(text: string): string {
  return text.replace(/([a-z][\w+.-]*:\/\/)[^\s/@]+@/gi, '$1***@');
}

function masked(text: string, secrets: readonly (string | undefined)[]): string {
  let out = maskCredentialsInText(text);
  for (const secret of secrets) if (secret !== undefined && secret.length >= 2) out = out.split(secret).join('***');
  return out;
}

/** The outcomes that happened, in the summary table's order: `12 succeeded, 3 skipped`. */
function outcomeWords(counts: RunSummary['counts']): string {
  const words = (Object.keys(OUTCOMES) as Outcome[]).flatMap((outcome) => {
    const n = counts[OUTCOMES[outcome].countKey];
    return n > 0 ? [`${n} ${outcome}`] : [];
  });
  return words.length === 0 ? 'no row decided' : words.join(', ');
}

export function notifyPayload(facts: NotifyFacts): NotifyPayload {
  const { summary } = facts;
  const secrets = facts.secrets ?? [];
  const meaning = exitCodeMeaning(summary.exitCode);
  const error = summary.error === undefined ? undefined : masked(summary.error.split('\n')[0] ?? '', secrets);
  const run: NotifyRun = {
    tool: 'sc-owner-transfer',
    version: facts.version,
    command: 'run',
    runId: summary.runId,
    dryRun: summary.dryRun,
    exitCode: summary.exitCode,
    exitCodeMeaning: meaning,
    stoppedBy: summary.stoppedBy ?? null,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    elapsedMs: summary.elapsedMs,
    counts: summary.counts,
    ...(summary.account === undefined ? {} : { account: summary.account }),
    ...(summary.accounts === undefined ? {} : { accounts: summary.accounts }),
    input: summary.input,
    results: summary.results,
    checkpoint: summary.checkpoint,
    ...(facts.summaryJson === undefined ? {} : { summaryJson: facts.summaryJson }),
    ...(error === undefined ? {} : { error }),
    ...(facts.host === undefined ? {} : { host: facts.host }),
  };
  return { text: notifyText(run), schema: NOTIFY_SCHEMA, run };
}

/** One paragraph a person reads in a chat channel. */
function notifyText(run: NotifyRun): string {
  const what = `sc-owner-transfer ${run.dryRun ? 'dry run' : 'run'}${run.runId === '' ? '' : ` ${run.runId}`}${run.host === undefined ? '' : ` on ${run.host}`}`;
  const parts = [`${what} ended with exit ${run.exitCode} (${run.exitCodeMeaning}).`];
  parts.push(`${run.counts.total} rows: ${outcomeWords(run.counts)}; ${Math.round(run.elapsedMs / 1000)} s.`);
  if (run.stoppedBy !== null) parts.push(`Stopped by ${run.stoppedBy}.`);
  if (run.accounts !== undefined) {
    const unreached = run.accounts.filter((a) => a.unreachable !== undefined).length;
    parts.push(`${run.accounts.length} accounts${unreached > 0 ? `, ${unreached} not reached` : ''}.`);
  } else if (run.account !== undefined) parts.push(`Account ${run.account}.`);
  if (run.error !== undefined) parts.push(`Error: ${run.error}`);
  if (run.results !== '') parts.push(`Results: ${run.results}`);
  return parts.join(' ');
}

/** Where a notification went, for the log: the URL's origin, never its credentials or its path (a webhook's secret). */
export function notifyTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' && parsed.search === '' ? '' : '/…'}`;
  } catch {
    return '(not a URL)';
  }
}

/** What happened to a notification: undefined when it was delivered (a 2xx answer), else the warning's words. */
export async function sendNotification(
  url: string,
  payload: NotifyPayload,
  deps: { readonly post: PostJson; readonly timeoutMs?: number; readonly userAgent: string },
): Promise<string | undefined> {
  const timeoutMs = deps.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    const { status } = await deps.post(url, JSON.stringify(payload), { signal: controller.signal, userAgent: deps.userAgent });
    return status >= 200 && status < 300 ? undefined : `the receiver answered HTTP ${status}`;
  } catch (error) {
    const reason = controller.signal.aborted ? (controller.signal.reason as Error).message : error instanceof Error ? error.message : String(error);
    return maskCredentialsInText(reason);
  } finally {
    clearTimeout(timer);
  }
}

/** The PostJson of the command: node's http(s) through the given agents (the run's, which honour the proxy variables). */
export function postJsonThrough(agents: { readonly httpAgent: HttpAgent; readonly httpsAgent: HttpsAgent }): PostJson {
  return (url, body, { signal, userAgent }) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      // One request, then the connection closes: nothing of it outlives the run.
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': userAgent, connection: 'close' };
      const req = send(target, { method: 'POST', headers, agent: target.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent, signal }, (res) => {
        // The answer's body is not needed; reading it frees the socket.
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the answer was cut short'));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * One invocation of the ledger as the report tells it: its `begin` and `end` (or a `begin` alone:
 * killed), a label a reader knows (canary, run, reconcile, an undo's run), and its updates and
 * throttles over time, re-bucketed from per-second counts to at most MAX_BUCKETS points.
 */
import type { JournalBegin, JournalEnd } from '../../checkpoint/types.js';
import { exitCodeMeaning } from '../../exit-codes.js';
import type { Series, StateTally, StoryInvocation } from './story-types.js';

/** Points a figure draws at most: a bucket is as many seconds as it takes. */
export const MAX_BUCKETS = 120;

export interface InvocationDraft {
  readonly index: number;
  readonly ledger: number;
  readonly begin: JournalBegin;
  end: JournalEnd | undefined;
  /** Unix second → [updates accepted, throttles] of the rows that finished in it. */
  readonly seconds: Map<number, [number, number]>;
  rowThrottles: number;
  /** The latest time an entry of it carried (a killed invocation's end, as far as the ledger knows). */
  lastAt: string;
}

/** What an operator calls the invocation: `canary (--limit 3)`, `reconcile of put-back.csv` (an undo's run applies another input so). */
export function invocationLabel(begin: JournalBegin, ledgerInput: string): string {
  if (begin.mode === 'unrecorded') return 'rows written before the ledger recorded invocations';
  const at = begin.args.findIndex((arg) => arg === '--limit' || arg.startsWith('--limit='));
  const limit = at < 0 ? undefined : begin.args[at]?.includes('=') ? begin.args[at]?.split('=')[1] : begin.args[at + 1];
  const base = begin.mode === 'run' && limit !== undefined ? `canary (--limit ${limit})` : begin.mode;
  const other = begin.input !== '' && ledgerInput !== '' && begin.input !== ledgerInput;
  return other ? `${base} of ${baseName(begin.input)}` : base;
}

const baseName = (path: string): string => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

const msOf = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

export function buildInvocation(draft: InvocationDraft, ledgerInput: string, ledgerRows: StateTally): StoryInvocation {
  const { begin, end } = draft;
  const started = msOf(begin.startedAt);
  const ended = msOf(end?.endedAt);
  return {
    index: draft.index,
    ledger: draft.ledger,
    invocation: begin.invocation,
    label: invocationLabel(begin, ledgerInput),
    command: begin.command,
    mode: begin.mode,
    args: begin.args,
    version: begin.version,
    runId: begin.runId,
    input: begin.input,
    callerArn: begin.callerArn,
    account: begin.account,
    host: begin.host,
    pid: begin.pid,
    startedAt: begin.startedAt,
    endedAt: end?.endedAt,
    killed: end === undefined && begin.mode !== 'unrecorded',
    durationSeconds: started !== undefined && ended !== undefined ? Math.max(0, (ended - started) / 1000) : undefined,
    exitCode: end?.exitCode,
    exitMeaning: end === undefined ? '' : exitCodeMeaning(end.exitCode),
    stopReason: end?.stopReason ?? '',
    counts: end?.counts,
    ledgerRows,
    rowThrottles: draft.rowThrottles,
    series: seriesOf(draft, started, ended ?? msOf(draft.lastAt)),
  };
}

/** The per-second counts in at most MAX_BUCKETS buckets, from the start to the end (or the last entry). */
export function seriesOf(draft: Pick<InvocationDraft, 'seconds'>, startedMs: number | undefined, endedMs: number | undefined): Series {
  // A loop, not Math.min(...keys): a week-long invocation has more seconds than a call takes arguments.
  let first = startedMs === undefined ? Infinity : Math.floor(startedMs / 1000);
  let last = endedMs === undefined ? -Infinity : Math.floor(endedMs / 1000);
  for (const second of draft.seconds.keys()) {
    first = Math.min(first, second);
    last = Math.max(last, second);
  }
  if (!Number.isFinite(first) || !Number.isFinite(last)) return { from: '', bucketSeconds: 1, updates: [], throttles: [] };
  const span = last - first + 1;
  const bucketSeconds = Math.max(1, Math.ceil(span / MAX_BUCKETS));
  const buckets = Math.ceil(span / bucketSeconds);
  const updates = new Array<number>(buckets).fill(0);
  const throttles = new Array<number>(buckets).fill(0);
  for (const [second, [accepted, throttled]] of draft.seconds) {
    const at = Math.floor((second - first) / bucketSeconds);
    updates[at] = (updates[at] ?? 0) + accepted;
    throttles[at] = (throttles[at] ?? 0) + throttled;
  }
  return { from: new Date(first * 1000).toISOString(), bucketSeconds, updates, throttles };
}

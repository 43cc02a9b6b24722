/**
 * What happened to a row and why: the one table of outcomes and the one table of reasons. The
 * engine builds results from them, replay decides "done" with them, undo decides "changed" with
 * them, the per-account tally, the summary and the failure budget count with them, and the README's two tables are
 * held to them by test/unit/outcomes.test.ts. Adding an outcome or a reason is one row here.
 *
 * Two questions have different answers and are kept apart on purpose:
 * - done on resume: a rerun of the checkpoint skips the row (it never asks the service again);
 * - changed the product: this tool set the row's targets on the product, so `undo` puts it back.
 * A row `skipped` as `already-in-target-state` is done but changed nothing; a `failed` row is
 * neither; `already-succeeded` is both (an earlier run changed the product).
 */
import type { StopReason } from './exit-codes.js';

export interface OutcomeRow {
  /** Its counter in the run's counts (RunCounts) and the summary JSON. */
  readonly countKey: string;
  /** Kept in the checkpoint's `finished` entries (only rows actually tried or read are). */
  readonly journaled: boolean;
  /** A journaled outcome that a rerun of the checkpoint skips. */
  readonly doneOnResume: boolean;
  /** This tool set the row's targets (undo puts it back), unless the reason says otherwise. */
  readonly changedProduct: boolean;
  /** The README's sentence. */
  readonly doc: string;
}

/** In the summary's order. */
export const OUTCOMES = {
  succeeded: {
    countKey: 'succeeded',
    journaled: true,
    doneOnResume: true,
    changedProduct: true,
    doc: "The record is `SUCCEEDED`: the update's answer said so, or `--wait` saw it finish.",
  },
  submitted: {
    countKey: 'submitted',
    journaled: true,
    doneOnResume: true,
    changedProduct: true,
    doc: 'The service accepted the update (record `CREATED` / `IN_PROGRESS`) and the job did not see it finish (no `--wait`, or a reason says why the wait ended).',
  },
  'would-change': {
    countKey: 'wouldChange',
    journaled: false,
    doneOnResume: false,
    changedProduct: false,
    doc: 'Dry run: a run would send this row.',
  },
  drifted: {
    countKey: 'drifted',
    journaled: false,
    doneOnResume: false,
    changedProduct: false,
    doc: "Done by an earlier run of this checkpoint, but the product no longer has the row's targets: seen at no extra call, when this run read the account's products anyway (preflight's account-wide pages, which a resume that reads nothing does not make). Nothing sent (the row's token is spent: resent, the service would answer with the old record); `--reconcile` puts it back. The run exits 6 when nothing failed.",
  },
  skipped: {
    countKey: 'skipped',
    journaled: true,
    doneOnResume: true,
    changedProduct: false,
    doc: 'Nothing sent: the product is already as the row asks, or an earlier run of this checkpoint did it, or the line repeats an earlier one.',
  },
  failed: {
    countKey: 'failed',
    journaled: true,
    doneOnResume: false,
    changedProduct: false,
    doc: 'The row failed: `error_code` / `error_message` say why. A rerun tries it again.',
  },
  invalid: {
    countKey: 'invalid',
    journaled: false,
    doneOnResume: false,
    changedProduct: false,
    doc: 'Only with `--skip-invalid`: the row did not validate (`error_code` is the problem code).',
  },
  'not-started': {
    countKey: 'notStarted',
    journaled: false,
    doneOnResume: false,
    changedProduct: false,
    doc: "The run, or its account's lane, stopped before reaching the row. A rerun does it.",
  },
} as const satisfies Record<string, OutcomeRow>;

export type Outcome = keyof typeof OUTCOMES;
/** The outcomes a checkpoint's `finished` entry can hold. */
export type JournalOutcome = { [K in Outcome]: (typeof OUTCOMES)[K]['journaled'] extends true ? K : never }[Outcome];
export const JOURNAL_OUTCOMES = (Object.keys(OUTCOMES) as Outcome[]).filter((outcome) => OUTCOMES[outcome].journaled) as readonly JournalOutcome[];
/** The run's counts by outcome, under each outcome's `countKey`. */
export type OutcomeCounts = { readonly [K in Outcome as (typeof OUTCOMES)[K]['countKey']]: number };

export interface ReasonRow {
  readonly outcome: Outcome;
  /** Overrides the outcome's `changedProduct` (an earlier run's change, reported as `skipped`). */
  readonly changedProduct?: boolean;
  /**
   * False for a line that is not one of its account's rows to decide (a duplicate line echoes
   * its first line): the per-account progress does not wait for it.
   */
  readonly laneRow?: boolean;
  /**
   * False for a row failed by a check made before any write (the target check, preflight's
   * account and existence checks): a problem of the CSV's data, found with no write sent, which
   * says nothing about whether the service is failing the run. `--max-errors` counts it neither as
   * a failure nor as a row tried (transfer/failure-budget.ts); a dry run lists these rows. Any
   * other failed row counts.
   */
  readonly countsTowardBudget?: false;
  /** The README's sentence. */
  readonly doc: string;
}

/**
 * Every reason a results line can carry. A name with `<…>` is a family: the part in brackets is
 * filled in (a line number, a stop reason, an error code). An empty reason needs no row: the
 * outcome says it all.
 */
export const REASONS = {
  'already-in-target-state': { outcome: 'skipped', doc: 'Preflight found the owner and launch role already set.' },
  'already-succeeded': {
    outcome: 'skipped',
    changedProduct: true,
    doc: "Done by an earlier run of this checkpoint, and no later change in the ledger set the product to other targets (its record id is shown). A row whose product a later invocation set otherwise (an undo's run, the row edited A→B→A) is never `already-`: it is read and decided again.",
  },
  'already-submitted': {
    outcome: 'skipped',
    changedProduct: true,
    doc: 'As `already-succeeded`, for an update the earlier run saw accepted but not finished.',
  },
  'duplicate-of-line-<N>': { outcome: 'skipped', laneRow: false, doc: 'The same product with the same targets as line N: sent once, for line N.' },
  'wait-timed-out': { outcome: 'submitted', doc: '`--wait-timeout` passed before the record finished.' },
  'wait-interrupted': { outcome: 'submitted', doc: 'A signal stopped the wait; the update itself was accepted.' },
  'wait-failed-<code>': { outcome: 'submitted', doc: 'Reading the record failed with that error; the update itself was accepted.' },
  'not-found': { outcome: 'failed', countsTowardBudget: false, doc: 'Preflight: no such provisioned product (`ResourceNotFoundException`); nothing sent.' },
  'not-found-in-account': { outcome: 'failed', countsTowardBudget: false, doc: "Across accounts: the product is not in the row's own account; nothing sent." },
  'cross-account': {
    outcome: 'failed',
    countsTowardBudget: false,
    doc: 'Preflight: the new owner or launch role is in another account than the product; nothing sent.',
  },
  'unexpected-account': {
    outcome: 'failed',
    countsTowardBudget: false,
    doc: 'Preflight: the product is in an account not among `--expect-account`; nothing sent.',
  },
  'still-busy': { outcome: 'failed', doc: 'Preflight: the product stayed `UNDER_CHANGE` longer than `--busy-timeout`; nothing sent.' },
  'target-not-found': { outcome: 'failed', countsTowardBudget: false, doc: 'The target check: IAM has no such user or role; nothing sent.' },
  'launch-role-not-trusted': {
    outcome: 'failed',
    countsTowardBudget: false,
    doc: 'The target check: the launch role does not trust Service Catalog; nothing sent.',
  },
  'token-already-used': {
    outcome: 'failed',
    doc: 'The service answered with a record made before this run by an earlier use of the token and changed nothing (the original CSV run again after its `undo`); use `--reconcile` (a token of the state each product is found in) or a new `--run-id`.',
  },
  'interrupted-in-flight': { outcome: 'failed', doc: 'A signal stopped the run before the answer came; the next run resends it with the same token.' },
  'record-failed': {
    outcome: 'failed',
    doc: 'The record ended `FAILED` (its errors in `error_message`); a rerun resends the same token and gets the same failed record back, so fix the cause and use a new `--run-id` (and checkpoint).',
  },
  '<error-class>': {
    outcome: 'failed',
    doc: 'The update failed after its retries; the class of the error: `final`, `throttle`, `server`, `network`, `invalid-state`, `access-denied`, `credentials`.',
  },
  'would-retry-<state>': { outcome: 'would-change', doc: 'Dry run: the checkpoint holds this row `failed` or in flight; a run would resend it.' },
  '<problem-codes>': { outcome: 'invalid', doc: "The row's problem codes, joined by `;` (the first is `error_code`)." },
  'drifted-since-<outcome>': { outcome: 'drifted', doc: 'What the earlier run of the checkpoint reported for the row (`succeeded`, `submitted`).' },
  'stopped-by-<stop>': {
    outcome: 'not-started',
    doc: 'Why the run or the lane stopped: `max-errors`, `credentials`, `access-denied`, `limit`, `signal`, `local-error`, or `unreachable` (the account could not be reached; `error_message` says why).',
  },
} as const satisfies Record<string, ReasonRow>;

export type ReasonName = keyof typeof REASONS;
/** A reason of no family: written as it is. */
export type FixedReason = { [K in ReasonName]: K extends `${string}<${string}>${string}` ? never : K }[ReasonName];

/** A reason of a family, filled in by `reasonFor` (the brand keeps a hand-made string out of a result). */
export type FilledReason = string & { readonly filledReason: true };
/** What a result's `reason` holds: a reason of the table, or none. */
export type RowReason = FixedReason | FilledReason | '';

const filled = (reason: string): FilledReason => reason as FilledReason;

/** The reasons a row's outcome can carry that need a value filled in, built in one place. */
export const reasonFor = {
  duplicateOf: (line: number) => filled(`duplicate-of-line-${line}`),
  stoppedBy: (stop: StopReason | 'unknown') => filled(`stopped-by-${stop}`),
  waitFailed: (code: string) => filled(`wait-failed-${code}`),
  wouldRetry: (state: string) => filled(`would-retry-${state}`),
  driftedSince: (outcome: JournalOutcome) => filled(`drifted-since-${outcome}`),
  /** The class of the error a row failed with (aws/classify-error.ts's kinds). */
  errorClass: (kind: string) => filled(kind),
  /** An invalid row's problem codes. */
  problems: (codes: readonly string[]) => filled(codes.join(';')),
  /** A row an earlier run finished: `already-in-target-state` when it found the product so. */
  alreadyDone: (outcome: Exclude<JournalOutcome, 'failed'>): FixedReason => (outcome === 'skipped' ? 'already-in-target-state' : `already-${outcome}`),
} as const;

/** The row of the table a reason belongs to (a family's for a filled-in one), for its outcome. */
export function reasonRowOf(outcome: Outcome, reason: string): ReasonRow | undefined {
  if (Object.hasOwn(REASONS, reason)) return REASONS[reason as ReasonName];
  for (const [name, row] of Object.entries(REASONS) as [ReasonName, ReasonRow][]) {
    if (row.outcome !== outcome) continue;
    const open = name.indexOf('<');
    if (open >= 0 && reason.startsWith(name.slice(0, open)) && reason.length > open) return row;
  }
  return undefined;
}

/** Whether a result (outcome and reason) means the product was changed by this tool: what undo puts back. */
export function changedTheProduct(outcome: string, reason: string): boolean {
  if (!Object.hasOwn(OUTCOMES, outcome)) return false;
  const known = outcome as Outcome;
  return reasonRowOf(known, reason)?.changedProduct ?? OUTCOMES[known].changedProduct;
}

/** Whether a failed row counts toward `--max-errors`: not when a check before any write failed it (the table's `countsTowardBudget`). */
export function failureCountsTowardBudget(reason: string): boolean {
  return reasonRowOf('failed', reason)?.countsTowardBudget ?? true;
}

/** Whether a result line is one of its account's rows to decide (not an invalid row, not a duplicate line). */
export function isLaneRow(outcome: Outcome, reason: string): boolean {
  return outcome !== 'invalid' && (reasonRowOf(outcome, reason)?.laneRow ?? true);
}

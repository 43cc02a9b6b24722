/**
 * Journal entries on disk, described once: `ENTRY_FIELDS` says which fields each kind has, in the
 * order they are written, and what each must be. Validation (shared by the reader and the writer,
 * so the writer can never append a line the reader would later call corrupt, e.g. a NaN line
 * number that JSON turns into null) and canonical serialisation are both read off that table.
 *
 * Growth: `JOURNAL_FORMAT` is the format this version writes; a reader accepts every format from 1
 * up to it and refuses a newer one by name. A later format adds fields; older files simply lack
 * them, so a new field must be optional (`optional: true`) for as long as older formats are read.
 */
import { isPlainObject } from '../errors.js';
import { JOURNAL_OUTCOMES } from '../outcomes.js';
import type { JournalBegin, JournalBody, JournalEnd, JournalFinished, JournalHeader, JournalSent, LimiterRate } from './types.js';

/** Longest line the reader accepts; entries are a few hundred bytes, so this only stops garbage. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * The format this version writes, and the newest it reads. 2: previous values and targets in
 * `finished`. 3: write-ahead `sent` entries with the previous values and targets; the ledger's
 * `begin` / `end` entries of every invocation.
 */
export const JOURNAL_FORMAT = 3;

/**
 * `strings`: an array of strings; `tally`: an object of non-negative integers; `rates`: an object
 * of lanes, each an object of operations, each `{ "rate": a number > 0, "settled": a boolean }`.
 */
type FieldRule = 'string' | 'token' | 'count' | 'strings' | 'tally' | 'rates' | readonly string[];

interface FieldSpec {
  readonly rule: FieldRule;
  readonly optional?: boolean;
}

/**
 * What a change is about, optional (older entries lack them): what preflight read before it, so
 * `undo` works without the results file (format 2 in `finished`, format 3 in `sent` too); the
 * row's targets ('' for a key it left alone), so `undo` knows which keys it changed; and the row's
 * own region, when its region cell named one (runs across accounts), so `undo` keeps it.
 */
const CHANGE_FIELDS = {
  productStatus: { rule: 'string', optional: true },
  previousOwner: { rule: 'string', optional: true },
  previousOwnerSession: { rule: 'string', optional: true },
  previousLaunchRole: { rule: 'string', optional: true },
  newOwner: { rule: 'string', optional: true },
  launchRole: { rule: 'string', optional: true },
  region: { rule: 'string', optional: true },
} as const satisfies Record<string, FieldSpec>;

/** Each entry kind's fields after `type`, in the order they are written. */
export const ENTRY_FIELDS = {
  header: {
    format: { rule: 'count' },
    runId: { rule: 'string' },
    tokenScheme: { rule: 'string' },
    createdAt: { rule: 'string' },
    input: { rule: 'string' },
  },
  sent: {
    token: { rule: 'token' },
    line: { rule: 'count' },
    provisionedProductId: { rule: 'string' },
    at: { rule: 'string' },
    // Format 3 (write-ahead): durable before the request.
    ...CHANGE_FIELDS,
  },
  finished: {
    token: { rule: 'token' },
    line: { rule: 'count' },
    provisionedProductId: { rule: 'string' },
    outcome: { rule: JOURNAL_OUTCOMES },
    recordId: { rule: 'string' },
    recordStatus: { rule: 'string' },
    attempts: { rule: 'count' },
    errorCode: { rule: 'string' },
    errorMessage: { rule: 'string' },
    finishedAt: { rule: 'string' },
    ...CHANGE_FIELDS,
    // Retries the row made after a throttled answer (reads, update, record waits); optional: older entries lack it, and it is written only when above 0.
    throttles: { rule: 'count', optional: true },
  },
  // Format 3: the ledger of invocations.
  begin: {
    invocation: { rule: 'token' },
    command: { rule: 'string' },
    mode: { rule: 'string' },
    args: { rule: 'strings' },
    version: { rule: 'string' },
    runId: { rule: 'string' },
    input: { rule: 'string' },
    callerArn: { rule: 'string' },
    account: { rule: 'string' },
    host: { rule: 'string' },
    pid: { rule: 'count' },
    startedAt: { rule: 'string' },
  },
  end: {
    invocation: { rule: 'token' },
    endedAt: { rule: 'string' },
    exitCode: { rule: 'count' },
    stopReason: { rule: 'string' },
    counts: { rule: 'tally' },
    // Where each lane's limiters ended; optional: older entries lack it, and it is written only when a lane sent requests.
    rates: { rule: 'rates', optional: true },
  },
} as const satisfies Record<'header' | 'sent' | 'finished' | 'begin' | 'end', Record<string, FieldSpec>>;

type EntryKind = keyof typeof ENTRY_FIELDS;

function fieldProblem(value: unknown, name: string, spec: FieldSpec): string | undefined {
  if (value === undefined && spec.optional === true) return undefined;
  const { rule } = spec;
  if (rule === 'string') return typeof value === 'string' ? undefined : `field "${name}" is missing or not a string`;
  if (rule === 'token') return typeof value === 'string' && value !== '' ? undefined : `field "${name}" is missing or empty`;
  if (rule === 'count') return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `field "${name}" is not a non-negative integer`;
  if (rule === 'strings')
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? undefined : `field "${name}" is not a list of strings`;
  if (rule === 'rates') {
    return isLaneRates(value)
      ? undefined
      : `field "${name}" is not an object of lanes' limiter rates ({"<lane>": {"<operation>": {"rate": <number > 0>, "settled": <boolean>}}})`;
  }
  if (rule === 'tally') {
    const isTally = isPlainObject(value) && Object.values(value).every((count) => Number.isSafeInteger(count) && (count as number) >= 0);
    return isTally ? undefined : `field "${name}" is not an object of counts`;
  }
  return typeof value === 'string' && rule.includes(value)
    ? undefined
    : `field "${name}" is ${JSON.stringify(value)}, expected ${rule.slice(0, -1).join(', ')} or ${rule.at(-1) ?? ''}`;
}

function isLimiterRate(value: unknown): value is LimiterRate {
  return isPlainObject(value) && typeof value.rate === 'number' && Number.isFinite(value.rate) && value.rate > 0 && typeof value.settled === 'boolean';
}

/** Named objects (no '' name) whose every value passes `check`. */
function isNamedObjectOf(value: unknown, check: (item: unknown) => boolean): boolean {
  return isPlainObject(value) && Object.entries(value).every(([key, item]) => key !== '' && check(item));
}

function isLaneRates(value: unknown): boolean {
  return isNamedObjectOf(value, (lane) => isNamedObjectOf(lane, isLimiterRate));
}

/** The table as lists, made once: every entry read or written is checked, and Object.entries per entry showed in profiles. */
const FIELD_LISTS = Object.fromEntries(
  Object.entries(ENTRY_FIELDS).map(([kind, fields]) => [kind, Object.entries(fields as Record<string, FieldSpec>)]),
) as unknown as Readonly<Record<EntryKind, readonly (readonly [string, FieldSpec])[]>>;

function fieldsProblem(value: Record<string, unknown>, kind: EntryKind): string | undefined {
  for (const [name, spec] of FIELD_LISTS[kind]) {
    const problem = fieldProblem(value[name], name, spec);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Why `value` is not a valid header of a format this version reads, or undefined when it is. */
export function headerProblem(value: unknown): string | undefined {
  if (!isPlainObject(value) || value.type !== 'header') return 'it is not a journal header';
  const { format } = value;
  if (typeof format === 'number' && Number.isSafeInteger(format) && format > JOURNAL_FORMAT) {
    return `journal format ${format} was written by a newer version of sc-owner-transfer; this version reads formats 1 to ${JOURNAL_FORMAT}`;
  }
  if (!(Number.isSafeInteger(format) && (format as number) >= 1))
    return `journal format ${JSON.stringify(format)} is not supported (expected 1 to ${JOURNAL_FORMAT})`;
  const problem = fieldsProblem(value, 'header');
  return problem === undefined ? undefined : problem.replace(/^field/, 'header field');
}

const BODY_KINDS: ReadonlySet<unknown> = new Set<EntryKind>(['sent', 'finished', 'begin', 'end']);

/** Why `value` is not a valid entry after the header, or undefined when it is. */
export function entryProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'not a JSON object';
  if (value.type === 'header') return 'a second header';
  if (!BODY_KINDS.has(value.type)) return `unknown entry type ${JSON.stringify(value.type)}`;
  return fieldsProblem(value, value.type as EntryKind);
}

/*
 * Canonical lines: `type` first, then the table's fields in its order, and only those, so a caller
 * passing a richer object (a spread row, say) cannot leak extra fields into the file, and equal
 * entries are equal bytes.
 */
function serialize(kind: EntryKind, entry: object): string {
  const source = entry as Record<string, unknown>;
  const line: Record<string, unknown> = { type: kind };
  for (const name of Object.keys(ENTRY_FIELDS[kind])) {
    if (source[name] !== undefined) line[name] = source[name];
  }
  return `${JSON.stringify(line)}\n`;
}

export const serializeHeader = (h: JournalHeader): string => serialize('header', h);
export const serializeSent = (e: JournalSent): string => serialize('sent', e);
export const serializeFinished = (e: JournalFinished): string => serialize('finished', e);
export const serializeBegin = (e: JournalBegin): string => serialize('begin', e);
export const serializeEnd = (e: JournalEnd): string => serialize('end', e);

/** Any body entry, by its kind. */
export function serializeBody(entry: JournalBody): string {
  return serialize(entry.type, entry);
}

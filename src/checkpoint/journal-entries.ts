/**
 * Journal entries on disk: validation (shared by the reader and the writer, so the writer can
 * never append a line the reader would later call corrupt, e.g. a NaN line number that JSON turns
 * into null), canonical serialisation, and the replayed token → state map.
 */
import { isPlainObject } from '../errors.js';
import type { JournalFinished, JournalHeader, JournalSent, TokenState } from './types.js';

/** Longest line the reader accepts; entries are a few hundred bytes, so this only stops garbage. */
export const MAX_LINE_BYTES = 1024 * 1024;

const OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'submitted', 'failed']);


function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Why `value` is not a valid header, or undefined when it is. */
export function headerProblem(value: unknown): string | undefined {
  if (!isPlainObject(value) || value.type !== 'header') return 'it is not a journal header';
  if (value.format !== 1) return `journal format ${JSON.stringify(value.format)} is not supported (expected 1)`;
  for (const key of ['runId', 'tokenScheme', 'createdAt', 'input'] as const) {
    if (typeof value[key] !== 'string') return `header field "${key}" is missing or not a string`;
  }
  return undefined;
}

/** Why `value` is not a valid sent/finished entry, or undefined when it is. */
export function entryProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'not a JSON object';
  const strings: readonly string[] =
    value.type === 'sent'
      ? ['provisionedProductId', 'at']
      : value.type === 'finished'
        ? ['provisionedProductId', 'recordId', 'recordStatus', 'errorCode', 'errorMessage', 'finishedAt']
        : [];
  if (strings.length === 0) {
    return value.type === 'header' ? 'a second header' : `unknown entry type ${JSON.stringify(value.type)}`;
  }
  if (typeof value.token !== 'string' || value.token === '') return 'field "token" is missing or empty';
  if (!isCount(value.line)) return 'field "line" is not a non-negative integer';
  for (const key of strings) {
    if (typeof value[key] !== 'string') return `field "${key}" is missing or not a string`;
  }
  if (value.type === 'finished') {
    if (typeof value.outcome !== 'string' || !OUTCOMES.has(value.outcome)) {
      return `field "outcome" is ${JSON.stringify(value.outcome)}, expected succeeded, submitted or failed`;
    }
    if (!isCount(value.attempts)) return 'field "attempts" is not a non-negative integer';
  }
  return undefined;
}

/*
 * Canonical lines: fixed key order and only the known keys, so a caller passing a richer object
 * (a spread row, say) cannot leak extra fields into the file, and equal entries are equal bytes.
 */
export function serializeHeader(h: JournalHeader): string {
  const { type, format, runId, tokenScheme, createdAt, input } = h;
  return `${JSON.stringify({ type, format, runId, tokenScheme, createdAt, input })}\n`;
}

export function serializeSent(e: JournalSent): string {
  const { type, token, line, provisionedProductId, at } = e;
  return `${JSON.stringify({ type, token, line, provisionedProductId, at })}\n`;
}

export function serializeFinished(e: JournalFinished): string {
  const { type, token, line, provisionedProductId, outcome, recordId, recordStatus, attempts, errorCode, errorMessage, finishedAt } = e;
  return `${JSON.stringify({ type, token, line, provisionedProductId, outcome, recordId, recordStatus, attempts, errorCode, errorMessage, finishedAt })}\n`;
}

/**
 * The state of every token seen in the file, last entry wins. Only the last entry per token is
 * kept (a `sent` is dropped once its `finished` is read), and TokenState objects are built on
 * lookup, so memory is one parsed entry per distinct token.
 */
export class ReplayState {
  readonly #last = new Map<string, JournalSent | JournalFinished>();

  apply(entry: JournalSent | JournalFinished): void {
    this.#last.set(entry.token, entry);
  }

  lookup(token: string): TokenState | undefined {
    const entry = this.#last.get(token);
    if (entry === undefined) return undefined;
    if (entry.type === 'sent') return { state: 'in-flight', sent: entry };
    return entry.outcome === 'failed' ? { state: 'failed', finished: entry } : { state: 'done', finished: entry };
  }

  counts(): { done: number; failed: number; inFlight: number } {
    let done = 0;
    let failed = 0;
    let inFlight = 0;
    for (const entry of this.#last.values()) {
      if (entry.type === 'sent') inFlight += 1;
      else if (entry.outcome === 'failed') failed += 1;
      else done += 1;
    }
    return { done, failed, inFlight };
  }
}

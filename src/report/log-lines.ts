/**
 * Log lines a person reads: pino's JSON turned into `12:03:04 WARN  message  key=value ...`, the way
 * the AWS CLI and rclone print theirs. JSON stays what cron, CI and `--log-file` get by default
 * (`logFormatFor`); this is a destination of our own between pino and the terminal, in the same
 * thread, so a line is on the terminal when the call that logged it returns (no worker, no
 * pino-pretty).
 *
 * The line keeps what a reader needs: the local time to the second, the level, the message, and
 * the record's own fields (pid, hostname and the ISO time are left to the JSON form). Values that
 * hold a space, a quote or a control character are quoted JSON-style, so a line never carries an
 * escape sequence to the terminal and always splits back into its fields. A nested object is shown
 * whole when it is short and as `key={…}` when it is not (`run finished` carries the whole summary,
 * which the table on stdout already shows).
 */

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The format a log gets: the one asked for, else text when the log goes to stderr and stderr is a
 * terminal, JSON otherwise (a pipe, a file, cron, CI, `--log-file`).
 */
export function logFormatFor(chosen: LogFormat | undefined, stderr: { readonly isTTY?: boolean }, logFile: string | undefined): LogFormat {
  if (chosen !== undefined) return chosen;
  return logFile === undefined && stderr.isTTY === true ? 'text' : 'json';
}

/** Keys every pino record has, shown in the line's own places (or left to the JSON form). */
const RECORD_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg']);
/** A nested object longer than this (as compact JSON) is shown as `key={…}`. */
const MAX_NESTED = 120;
/** The width of `HH:MM:SS LEVEL `: continuation lines of a message start under it. */
const INDENT = ' '.repeat(15);

/** Printable ASCII with no quote, backslash or `=`: shown as it is; anything else is quoted. */
const BARE = /^[\x21-\x7e]+$/;
const NEEDS_QUOTES = /["\\=]/;

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `HH:MM:SS` in local time, as a terminal's clock shows it; the JSON form keeps the ISO time. */
export function clockTime(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

function timeOf(value: unknown): string {
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date(Number.NaN);
  return Number.isNaN(date.getTime()) ? '--:--:--' : clockTime(date);
}

function scalar(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return String(value);
  return BARE.test(value) && !NEEDS_QUOTES.test(value) ? value : JSON.stringify(value);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** One field's value as the line shows it. */
export function fieldText(key: string, value: unknown): string {
  if (isScalar(value)) return scalar(value);
  if (Array.isArray(value) && value.every(isScalar)) return value.length === 0 ? '[]' : value.map(scalar).join(',');
  // pino's error serializer: the message is what a reader needs; the stack stays in the JSON form.
  if (key === 'err' && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return scalar((value as { message: string }).message);
  }
  const json = JSON.stringify(value);
  return json.length <= MAX_NESTED ? json : Array.isArray(value) ? '[…]' : '{…}';
}

/** Control characters other than a newline, as JSON writes them: a log line never moves the cursor. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A pino record as one line (more only when the message itself has several), ending with a newline. */
export function formatLogRecord(record: Readonly<Record<string, unknown>>): string {
  const level = typeof record.level === 'string' ? record.level.toUpperCase() : typeof record.level === 'number' ? String(record.level) : '';
  const message = visible(typeof record.msg === 'string' ? record.msg : '').replace(/\n/g, `\n${INDENT}`);
  const fields = Object.entries(record)
    .filter(([key, value]) => !RECORD_KEYS.has(key) && value !== undefined)
    .map(([key, value]) => `${visible(key)}=${fieldText(key, value)}`);
  const tail = fields.length === 0 ? '' : `${message === '' ? '' : '  '}${fields.join(' ')}`;
  return `${timeOf(record.time)} ${level.padEnd(5)} ${message}${tail}`.trimEnd() + '\n';
}

/** pino's output (JSON lines) as text lines; a line that is not a JSON object passes as it came. */
export function formatLogLines(chunk: string): string {
  return chunk
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        return `${line}\n`;
      }
      return record !== null && typeof record === 'object' && !Array.isArray(record) ? formatLogRecord(record as Record<string, unknown>) : `${line}\n`;
    })
    .join('');
}

/** What pino writes to: anything with a `write(string)`. */
export interface LineSink {
  write(chunk: string): unknown;
}

/** A pino destination that writes each record to `target` as text. */
export function textDestination(target: LineSink): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      target.write(formatLogLines(chunk));
    },
  };
}

/** Human-readable rendering of input problems and of the values they quote. */
import type { InputProblem, TrimmedCells } from './types.js';

/** Longest part of a value quoted in a message; longer values are cut and their length given. */
export const QUOTED_VALUE_MAX_CHARS = 80;

/**
 * Quotes a cell value for a one-line message: `'value'`. Control characters are escaped (a quoted
 * CSV field may hold a newline) and a value longer than `max` characters is cut, with its length:
 * `'arn:aws:iam::1234…' (1500 characters)`.
 */
export function quoteValue(value: string, max = QUOTED_VALUE_MAX_CHARS): string {
  const chars = Array.from(value);
  const cut = chars.length > max;
  const shown = (cut ? chars.slice(0, max).join('') : value).replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this escapes
    /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g,
    (c) => CONTROL_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return cut ? `'${shown}…' (${chars.length} characters)` : `'${shown}'`;
}

const CONTROL_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One line per problem, for the CLI: `line 7: new_owner 'x' is not an IAM user, role or
 * assumed-role ARN: the account must be 12 digits`. Problems about the whole file (line 0) are
 * printed without a line.
 */
export function formatProblem(problem: InputProblem): string {
  return problem.line > 0 ? `line ${problem.line}: ${problem.message}` : problem.message;
}

/**
 * What a run says of the ARN cells it trimmed (none: undefined): `2 new_owner / launch_role cells
 * had whitespace around them (the first on line 7, new_owner) ...`.
 */
export function trimmedCellsNote(trimmed: TrimmedCells | undefined): string | undefined {
  if (trimmed === undefined || trimmed.count === 0 || trimmed.first === undefined) return undefined;
  const cells = trimmed.count === 1 ? 'ARN cell had' : 'ARN cells had';
  return `${trimmed.count} ${cells} whitespace around the value (the first on line ${trimmed.first.line}, ${trimmed.first.column}): trimmed, as every cell is; the trimmed ARN is the one checked, in the token and sent`;
}

/**
 * Flag parsing shared by every subcommand: node:util parseArgs underneath, a spec per flag that
 * carries its help text and default, and validators whose messages repeat the bad value, so
 * `--concurrency abc` says exactly what was wrong. Usage errors are `UsageError` (exit 2).
 */
import { maskUrlCredentials } from '../aws/http-agents.js';
import { parseArgs } from 'node:util';
import { CodedError } from '../coded-error.js';
import { errorText } from '../errors.js';
import { quoteValue } from '../input/format.js';
import { surroundingWhitespace } from '../input/iam-arn.js';

export type UsageErrorCode = 'UNKNOWN_FLAG' | 'BAD_VALUE' | 'MISSING_FLAG' | 'UNEXPECTED_ARGUMENT';

export class UsageError extends CodedError<UsageErrorCode> {}

export interface FlagSpec {
  /** Long name without dashes, e.g. `max-errors`. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder shown in help, e.g. `FILE`, `N`. */
  readonly valueName?: string;
  readonly description: string;
  /** Shown as "(default: ...)" in help; the value is applied by the command, not here. */
  readonly defaultText?: string;
  readonly multiple?: boolean;
  /** The values it takes, when they are a fixed few and `valueName` is a placeholder (shell completion offers them). */
  readonly choices?: readonly string[];
  /**
   * What of the value must not be recorded (the ledger keeps every invocation's flags): `value`,
   * all of it (an ExternalId); `url`, the user and password a URL may carry.
   */
  readonly secret?: 'value' | 'url';
}

export const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', type: 'boolean', description: 'Show this help and exit.' };

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** Parses argv against the specs; unknown flags and positionals are usage errors. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const spec of [...specs, HELP_FLAG]) {
    // A negation such as `--no-progress` is declared as a boolean flag of its own.
    options[spec.name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    if (positionals.length > 0) {
      throw new UsageError('UNEXPECTED_ARGUMENT', `unexpected argument '${positionals[0]}'`);
    }
    return values as ParsedFlags;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = errorText(error);
    throw new UsageError('UNKNOWN_FLAG', message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A flag that takes an ARN, as given; whitespace around it (`--from-owner "arn:… "`) is refused,
 * naming the flag and showing the value quoted: it would match nothing (input/iam-arn.ts).
 */
export function arnFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = stringFlag(flags, name);
  const problem = value === undefined ? undefined : surroundingWhitespace(value);
  if (value !== undefined && problem !== undefined)
    throw new UsageError('BAD_VALUE', `--${name} ${quoteValue(value)} ${problem}: give the ARN alone (check the quotes); nothing was read or written`);
  return value;
}

/**
 * An endpoint URL: the flag, else the first environment variable set (as the AWS CLI reads
 * AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL); refused unless http:// or https://.
 */
export function endpointFlag(flags: ParsedFlags, env: Readonly<Record<string, string | undefined>>, name: string, ...envNames: string[]): string | undefined {
  const url = stringFlag(flags, name) ?? envNames.map((envName) => env[envName]).find((value) => value !== undefined && value !== '');
  if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError('BAD_VALUE', `--${name} expects an http:// or https:// URL, got '${url}'`);
  return url;
}

export function requiredString(flags: ParsedFlags, name: string): string {
  const value = stringFlag(flags, name);
  if (value === undefined || value === '') {
    throw new UsageError('MISSING_FLAG', `--${name} is required`);
  }
  return value;
}

export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags[name] === true;
}

/** An integer flag within [min, max]; the message repeats the bad value. */
export function integerFlag(flags: ParsedFlags, name: string, { min, max, defaultValue }: { min: number; max: number; defaultValue: number }): number {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return defaultValue;
  return parseInteger(raw, `--${name}`, min, max);
}

export function parseInteger(raw: string, label: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new UsageError('BAD_VALUE', `${label} expects an integer from ${min} to ${max}, got '${raw}'`);
  }
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError('BAD_VALUE', `${label} expects an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

/** A decimal number within [min, max]; the message repeats the bad value. */
export function numberFlag(flags: ParsedFlags, name: string, { min, max, defaultValue }: { min: number; max: number; defaultValue: number }): number {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return defaultValue;
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError('BAD_VALUE', `--${name} expects a number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

export function choiceFlag<T extends string>(flags: ParsedFlags, name: string, choices: readonly T[], defaultValue: T): T {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return defaultValue;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError('BAD_VALUE', `--${name} expects one of ${choices.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

/** Renders `<command> --help`: usage, every flag with its placeholder, description and default. */
export function renderHelp(title: string, usage: string, specs: readonly FlagSpec[], footer?: string): string {
  const rows = [...specs, HELP_FLAG].map((spec) => {
    const names = `${spec.short ? `-${spec.short}, ` : '    '}--${spec.name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    const description = spec.defaultText ? `${spec.description} (default: ${spec.defaultText})` : spec.description;
    return { names, description };
  });
  const width = Math.min(34, Math.max(...rows.map((row) => row.names.length)) + 2);
  const lines = rows.map((row) =>
    row.names.length + 2 > width ? `  ${row.names}\n  ${' '.repeat(width)}${row.description}` : `  ${row.names.padEnd(width)}${row.description}`,
  );
  return [title, '', `Usage: sc-owner-transfer ${usage}`, '', 'Options:', ...lines, ...(footer ? ['', footer] : []), ''].join('\n');
}

/** A repeatable flag's values as given, in order (none: empty). For values that may hold commas: paths, ARNs, secrets. */
export function repeatedFlag(flags: ParsedFlags, name: string): string[] {
  const value = flags[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** A repeatable flag's values, each may list several with commas: `--account a,b --account c`. Blank ones dropped. */
export function listFlag(flags: ParsedFlags, name: string): string[] {
  return repeatedFlag(flags, name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

/**
 * The command line as the ledger keeps it: every value of a secret flag masked (`--flag value` and
 * `--flag=value` alike); everything else as given.
 */
export function maskedArgs(argv: readonly string[], specs: readonly FlagSpec[]): string[] {
  const secretOf = new Map<string, 'value' | 'url'>(specs.flatMap((spec) => (spec.secret === undefined ? [] : [[`--${spec.name}`, spec.secret] as const])));
  const mask = (kind: 'value' | 'url', value: string) => (kind === 'value' ? '***' : maskUrlCredentials(value));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const kind = secretOf.get(name);
    if (kind === undefined) out.push(arg);
    else if (eq !== -1) out.push(`${name}=${mask(kind, arg.slice(eq + 1))}`);
    else {
      out.push(arg);
      const value = argv[i + 1];
      if (value !== undefined) {
        out.push(mask(kind, value));
        i += 1;
      }
    }
  }
  return out;
}

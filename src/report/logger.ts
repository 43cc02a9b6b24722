/**
 * The structured log: pino JSON lines, to a stream (stderr, or a test buffer) or to a file; or the
 * same records as text lines a person reads (`format: 'text'`, report/log-lines.ts), the default
 * on a terminal.
 *
 * AWS SDK objects carry credentials in many shapes (`credentials`, STS `Credentials` with PascalCase
 * keys, signed request headers), and a debug log of an error or a request must never leak them, so
 * credential-like keys are redacted at the top level, one level down and two levels down.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { LocalFileError } from '../local-file-error.js';
import { textDestination, type LogFormat } from './log-lines.js';

export { LOG_FORMATS, logFormatFor, type LogFormat } from './log-lines.js';

export type Logger = pino.Logger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogDestination = { readonly kind: 'stream'; readonly stream: Writable } | { readonly kind: 'file'; readonly path: string };

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly destination: LogDestination;
  /** JSON lines (the default) or text lines (`logFormatFor` picks: text on a terminal). */
  readonly format?: LogFormat;
}

export interface LoggerHandle {
  readonly logger: Logger;
  /**
   * Resolves once every line logged so far has reached the destination: written and fsynced for a
   * file, handed over (write callback called) for a stream. For a file it rejects if the file could
   * not be opened or written (a LocalFileError), so awaiting flush() right after createLogger()
   * validates `--log-file`.
   */
  flush(): Promise<void>;
  /** Flushes, then closes a file destination (a stream destination is the caller's to end). */
  close(): Promise<void>;
}

/** Keys whose value is a secret, whatever object they appear in. Both SDK casings are listed. */
const SECRET_KEYS = [
  'accessKeyId',
  'AccessKeyId',
  'secretAccessKey',
  'SecretAccessKey',
  'sessionToken',
  'SessionToken',
  'credentials',
  'Credentials',
  'authorization',
  'Authorization',
  'signature',
  'Signature',
  'x-amz-security-token',
  'X-Amz-Security-Token',
  'password',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;

/** `headers.authorization` is listed separately so it is caught even deeper in a request object. */
const SECRET_SUFFIXES = [
  ...SECRET_KEYS.map((key) => [key]),
  ['headers', 'authorization'],
  ['headers', 'Authorization'],
  ['headers', 'x-amz-security-token'],
  ['headers', 'X-Amz-Security-Token'],
];

/** `a.b` or `["x-amz-..."]` as pino's redact path syntax wants it. */
function pathSegment(key: string, first: boolean): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return first ? key : `.${key}`;
  return `["${key}"]`;
}

function joinPath(segments: readonly string[]): string {
  return segments.map((segment, index) => (segment === '*' ? (index === 0 ? '*' : '.*') : pathSegment(segment, index === 0))).join('');
}

/**
 * Every redact path: each secret suffix at the top level, under one wildcard and under two, e.g.
 * `accessKeyId`, `*.accessKeyId`, `*.*.accessKeyId`. pino matches paths exactly (there is no
 * "any depth" wildcard), hence the explicit levels; three levels cover `err.credentials.x` and
 * `req.headers.authorization` style objects without the cost of a deep walk on every line.
 */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const suffix of SECRET_SUFFIXES) {
    paths.push(joinPath(suffix), joinPath(['*', ...suffix]), joinPath(['*', '*', ...suffix]));
  }
  return paths;
}

/** Validates `--log-level`; accepts any case and surrounding blanks, and repeats the bad value. */
export function parseLogLevel(raw: string): LogLevel {
  const value = raw.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`--log-level expects one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
}

/** The parts of sonic-boom we rely on beyond pino's DestinationStream type. */
interface SonicBoomLike {
  readonly fd: number;
  readonly destroyed?: boolean;
  flushSync(): void;
  end(): void;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Internal: an asynchronous fs.write is in flight (sonic-boom 4 has no public getter for it). */
  readonly _writing?: boolean;
}

export function createLogger(options: LoggerOptions): LoggerHandle {
  const level = parseLogLevel(options.level);
  const loggerOptions: pino.LoggerOptions = {
    level,
    redact: { paths: redactPaths(), censor: '[Redacted]' },
    // Labels ("info") rather than numbers (30): these logs are read by people and grepped by cron mail.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };

  if (options.destination.kind === 'stream') {
    const stream = options.destination.stream;
    const logger = pino(loggerOptions, options.format === 'text' ? textDestination(stream) : stream);
    const flush = (): Promise<void> => flushWritable(stream);
    return { logger, flush, close: flush };
  }

  // sync: false keeps logging off the hot path; mkdir: true so `--log-file logs/run.jsonl` just works.
  const { path } = options.destination;
  const dest = pino.destination({ dest: path, mkdir: true, sync: false }) as unknown as SonicBoomLike & pino.DestinationStream;
  let failure: LocalFileError | undefined;
  // Without a listener an open/write error would be an uncaught 'error' event and kill the run;
  // instead it is remembered and surfaced by flush(), and logging stops: the file is closed, so
  // pino's exit hook (which would retry the failed write on every 'beforeExit' and keep a run on a
  // full disk alive forever) finds it destroyed, and the logger is silenced so nothing writes to it.
  const stopLogging = (error: unknown): LocalFileError => {
    failure ??= LocalFileError.wrap('log file', path, error);
    logger.level = 'silent';
    if (!dest.destroyed) dest.destroy();
    return failure;
  };
  dest.on('error', stopLogging);
  const logger = pino(loggerOptions, options.format === 'text' ? textDestination(dest) : dest);

  const flush = async (): Promise<void> => {
    if (failure !== undefined) throw failure;
    if (dest.destroyed) return;
    try {
      // The file is opened asynchronously; wait for it (or for the error saying it cannot be opened).
      if (dest.fd < 0) await once(dest as never, 'ready');
      // sonic-boom's flush(cb) returns at once when minLength is 0, and flushSync() must not race an
      // asynchronous write still in flight, so wait for that write to drain first. The check and
      // flushSync() run in the same tick, so no new async write can start in between.
      while (dest._writing === true) await once(dest as never, 'drain');
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the stream's own error, passed on as it came
      if (failure !== undefined) throw failure;
      dest.flushSync(); // writes whatever is buffered, then fsyncs
    } catch (error) {
      throw stopLogging(error);
    }
  };

  const close = async (): Promise<void> => {
    await flush();
    if (dest.destroyed) return;
    const closed = once(dest as never, 'close');
    dest.end();
    await closed;
  };

  return { logger, flush, close };
}

/**
 * Waits until a Writable has handed every queued chunk to its resource. A zero-length write is
 * queued behind everything logged so far, so its callback fires only after those chunks are done.
 */
function flushWritable(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableEnded || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.write('', (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Turns whatever `client.send` threw into one of a closed set of kinds, which the retry policy and
 * the failure budget switch on. The SDK's own classifier is not used on purpose: it calls Service
 * Catalog's LimitExceededException a throttle, but for this service that is a resource limit
 * (retrying it can never succeed), and it does not know that a "Rate exceeded" message under an
 * unexpected error name is a throttle too.
 */

export type ErrorKind =
  /** Rate limited: ThrottlingException, HTTP 429, or a "Rate exceeded" message under any name. Retry, and slow down. */
  | 'throttle'
  /** HTTP 5xx. Retry with backoff. */
  | 'server'
  /** The connection failed or dropped, or the request timed out: we don't know if it was applied. Retry with the same token. */
  | 'network'
  /** InvalidStateException: the product is UNDER_CHANGE or busy. Retry later, with a longer bounded wait. */
  | 'invalid-state'
  /** The credentials are refused: every further request will be too. Stop the run. */
  | 'credentials'
  /** AccessDenied: may be per product (tag-based policies), so it fails the row. A streak stops the run. */
  | 'access-denied'
  /** Our own AbortSignal fired (SIGINT/SIGTERM): not the service's fault, not a row failure. */
  | 'aborted'
  /** Everything else (InvalidParametersException, ResourceNotFoundException, LimitExceededException...): final. */
  | 'final';

export interface ClassifiedError {
  readonly kind: ErrorKind;
  /** The service's error name (e.g. `ThrottlingException`), or a network code such as `ECONNRESET`. */
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number | undefined;
  /** From a Retry-After header, when the answer carried one. */
  readonly retryAfterMs: number | undefined;
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
]);

const CREDENTIAL_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'AuthFailure',
  'InvalidAccessKeyId',
  'RequestExpired',
  'CredentialsProviderError',
  'TokenProviderError',
  // A profile's MFA code could not be had (no terminal, or the operator gave none): aws/mfa-prompt.ts.
  'MfaCodeUnavailableError',
]);

const ACCESS_DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied']);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

export function classifyAwsError(error: unknown, signal?: AbortSignal): ClassifiedError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkLikeError;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const errno = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const httpStatus = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const retryAfterMs = parseRetryAfter(e.$response?.headers?.['retry-after']);
  const make = (kind: ErrorKind, code: string = name): ClassifiedError => ({ kind, code, message, httpStatus, retryAfterMs });

  // Our own abort wins over whatever the aborted request looked like.
  if (signal?.aborted || name === 'AbortError') return make('aborted', 'Aborted');
  if (THROTTLE_NAMES.has(name) || httpStatus === 429 || /rate exceeded/i.test(message)) return make('throttle');
  if (CREDENTIAL_NAMES.has(name)) return make('credentials');
  if (ACCESS_DENIED_NAMES.has(name)) return make('access-denied');
  if (name === 'InvalidStateException') return make('invalid-state');
  if (httpStatus !== undefined && httpStatus >= 500) return make('server');
  if (errno !== undefined && NETWORK_CODES.has(errno)) return make('network', errno);
  if (NETWORK_NAMES.has(name)) return make('network');
  // Node's socket errors reach us without $metadata: the request never got an HTTP answer.
  if (httpStatus === undefined && /socket hang up|ECONNRESET|EPIPE|network|timed? ?out/i.test(message)) {
    return make('network', errno ?? name);
  }
  return make('final');
}

/** Retry-After is either delta-seconds or an HTTP date; we accept seconds only (what AWS sends). */
export function parseRetryAfter(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw.trim());
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.round(seconds * 1000);
}

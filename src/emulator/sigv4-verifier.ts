/**
 * AWS Signature Version 4 checks, answered with the errors AWS gives, named as each protocol names
 * them (AWS JSON 1.1 for Service Catalog, the query protocol for STS and IAM).
 * Always, with or without credentials (what needs no secret): an Authorization header
 * (MissingAuthenticationTokenException / MissingAuthenticationToken), a complete SigV4 header
 * (IncompleteSignatureException / IncompleteSignature), a credential scope naming the endpoint's
 * service and a region served, a request date within 15 minutes of the emulator's clock and a
 * scope date that is the request's (InvalidSignatureException / SignatureDoesNotMatch, in the
 * words of AWS's "Troubleshoot signed requests" guide).
 * With credentials configured, also the secret: an unknown access key → UnrecognizedClientException
 * / InvalidClientTokenId, and a wrong signature → InvalidSignatureException / SignatureDoesNotMatch,
 * whose message carries the canonical request and string to sign as AWS's does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SIGNING_SERVICE } from './constants.js';
import { ServiceError } from './service-error.js';

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  /** Node's `rawHeaders`: name, value, name, value… */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

interface AuthorizationHeader {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** What a request that passes was signed with. */
export interface VerifiedSignature {
  readonly accessKeyId: string;
  /** The region of its credential scope: the region it is addressed to. */
  readonly region: string;
}

/** The wire protocol a request came in, which names the errors: AWS JSON 1.1, or the query protocol (STS, IAM). */
export type SigningProtocol = 'json' | 'query';

export interface SignatureExpectations {
  /** The service the credential scope must name: Service Catalog's, or `sts` / `iam` for the query protocol. */
  readonly service?: string;
  /** The regions the scope may name: those served (IAM, a global service, only its partition's signing region). */
  readonly regions: readonly string[];
  /** Now, by the emulator's clock, for the 15-minute window. */
  readonly now: number;
  /** `json` unless said. */
  readonly protocol?: SigningProtocol;
}

/** How far a request's date may be from the server's clock (AWS SigV4's window). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** Each failure's error code and HTTP status, by protocol (STS's and IAM's common errors for the query protocol). */
const AUTH_ERRORS = {
  json: {
    missing: ['MissingAuthenticationTokenException', 400],
    incomplete: ['IncompleteSignatureException', 400],
    mismatch: ['InvalidSignatureException', 400],
    unknownKey: ['UnrecognizedClientException', 400],
  },
  query: {
    missing: ['MissingAuthenticationToken', 403],
    incomplete: ['IncompleteSignature', 400],
    mismatch: ['SignatureDoesNotMatch', 403],
    unknownKey: ['InvalidClientTokenId', 403],
  },
} as const;

type Failure = (kind: keyof (typeof AUTH_ERRORS)['json'], message: string) => ServiceError;

/** accessKeyId → secret access key; undefined for a key the server does not know. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

/** Throws the AWS error for a request that does not pass; returns the access key id and region otherwise. */
export function verifySigV4(request: SignedRequest, secretOf: SecretLookup | undefined, expect: SignatureExpectations): VerifiedSignature {
  const errors = AUTH_ERRORS[expect.protocol ?? 'json'];
  const fail: Failure = (kind, message) => new ServiceError(errors[kind][0], message, errors[kind][1]);
  const headers = headerMap(request.rawHeaders);
  const authorization = headers.get('authorization');
  if (authorization === undefined || authorization.trim() === '') throw fail('missing', 'Missing Authentication Token');
  const amzDate = headers.get('x-amz-date') ?? headers.get('date');
  const parsed = parseAuthorization(authorization, amzDate !== undefined, fail);
  if (!parsed.signedHeaders.includes('host')) {
    throw fail('incomplete', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  checkScope(parsed, amzDate!, expect, fail);
  const verified = { accessKeyId: parsed.accessKeyId, region: parsed.region };
  if (secretOf === undefined) return verified;

  const secret = secretOf(parsed.accessKeyId);
  if (secret === undefined) throw fail('unknownKey', 'The security token included in the request is invalid.');
  const canonicalRequest = buildCanonicalRequest(request, headers, parsed.signedHeaders);
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate!, scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = signature(secret, parsed.date, parsed.region, parsed.service, stringToSign);
  const given = Buffer.from(parsed.signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
    throw fail(
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
        'Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${stringToSign}'\n`,
    );
  }
  return verified;
}

/**
 * What needs no secret: the scope's service and region, the request's date against the clock,
 * the scope's date against the request's. The order among them is the emulator's: AWS does not
 * document which it reports first.
 */
function checkScope(parsed: AuthorizationHeader, amzDate: string, expect: SignatureExpectations, fail: Failure): void {
  const service = expect.service ?? SIGNING_SERVICE;
  if (parsed.service !== service) throw fail('mismatch', `Credential should be scoped to correct service: '${service}'.`);
  if (!expect.regions.includes(parsed.region)) {
    throw fail('mismatch', `Credential should be scoped to a valid region, not '${parsed.region}'. `);
  }
  const signedAt = signingTime(amzDate, fail);
  checkClockSkew(signedAt, expect.now, fail);
  const day = compactTime(signedAt).slice(0, 8);
  if (parsed.date !== day) {
    throw fail(
      'mismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${day}', from '${amzDate}'.`,
    );
  }
}

function parseAuthorization(value: string, hasDate: boolean, fail: Failure): AuthorizationHeader {
  const problems: string[] = [];
  const trimmed = value.trim();
  const params = new Map<string, string>();
  if (trimmed.startsWith(`${ALGORITHM} `)) {
    for (const part of trimmed.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const credential = params.get('Credential');
  const signedHeaders = params.get('SignedHeaders');
  const sig = params.get('Signature');
  if (credential === undefined) problems.push("Authorization header requires 'Credential' parameter.");
  if (sig === undefined) problems.push("Authorization header requires 'Signature' parameter.");
  if (signedHeaders === undefined) problems.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!hasDate) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const scope = credential?.split('/') ?? [];
  if (credential !== undefined && (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1] ?? ''))) {
    problems.push(`Credential should be of the form AccessKeyId/yyyyMMdd/region/service/aws4_request, got '${credential}'.`);
  }
  if (sig !== undefined && !/^[0-9a-f]{64}$/.test(sig)) problems.push('Signature should be 64 lowercase hexadecimal characters.');
  if (problems.length > 0) {
    throw fail('incomplete', `${problems.join(' ')} Authorization=${value}`);
  }
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: signedHeaders!.split(';').map((name) => name.trim().toLowerCase()),
    signature: sig!,
  };
}

/** Header name → values joined by ',' with whitespace trimmed and runs collapsed, per SigV4. */
function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ');
    const previous = map.get(name);
    map.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return map;
}

function buildCanonicalRequest(request: SignedRequest, headers: Map<string, string>, signedHeaders: readonly string[]): string {
  const queryAt = request.url.indexOf('?');
  const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : request.url.slice(queryAt + 1);
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join('');
  // The hash of the body as received, never the client's claim in x-amz-content-sha256: a body
  // changed in transit must fail the signature check.
  const payloadHash = headers.get('x-amz-content-sha256') === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256Hex(request.body);
  return [request.method, path === '' ? '/' : path, canonicalQuery(query), canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, '%20'));
      return [rfc3986(key), rfc3986(value)] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function signature(secret: string, date: string, region: string, service: string, stringToSign: string): string {
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** `20240101T000000Z` (or an HTTP date, from `Date`) in ms; a date of neither form is an incomplete signature. */
function signingTime(amzDate: string, fail: Failure): number {
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  const signedAt = compact ? Date.UTC(+compact[1]!, +compact[2]! - 1, +compact[3]!, +compact[4]!, +compact[5]!, +compact[6]!) : Date.parse(amzDate);
  if (!Number.isFinite(signedAt)) throw fail('incomplete', `Date must be in ISO-8601 'basic format', got '${amzDate}'.`);
  return signedAt;
}

/** `20240101T000000Z`. */
function compactTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Within 15 minutes of `now`, else AWS's "Signature expired" / "Signature not yet current". */
function checkClockSkew(signedAt: number, now: number, fail: Failure): void {
  const iso = compactTime;
  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    throw fail('mismatch', `Signature expired: ${iso(signedAt)} is now earlier than ${iso(now - MAX_CLOCK_SKEW_MS)} (${iso(now)} - 15 min.)`);
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    throw fail('mismatch', `Signature not yet current: ${iso(signedAt)} is still later than ${iso(now + MAX_CLOCK_SKEW_MS)} (${iso(now)} + 15 min.)`);
  }
}

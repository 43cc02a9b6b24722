/**
 * AWS Signature Version 4 checks, answered with the errors AWS gives: no Authorization header →
 * MissingAuthenticationTokenException; a header that is not a complete SigV4 header →
 * IncompleteSignatureException; with credentials configured, an unknown access key →
 * UnrecognizedClientException and a wrong signature → InvalidSignatureException, whose message
 * carries the canonical request and string to sign as AWS's does, to debug signing code.
 * With credentials configured (full verification), the scope must name the region served and the
 * request's date must be within 15 minutes of the emulator's clock, as AWS requires of SigV4
 * ("Signature expired", InvalidSignatureException); without them neither is checked, so a test on
 * a manual clock needs no real time.
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

/** Throws the AWS error for a request that does not pass; returns the access key id and region otherwise. */
export interface SignatureExpectations {
  /** The service the credential scope must name: Service Catalog's, or `sts` / `iam` for the query protocol. */
  readonly service?: string;
  /** The regions the scope may name (IAM, a global service, is always signed for us-east-1). */
  readonly regions?: readonly string[];
  /** Now, by the emulator's clock, for the 15-minute window. */
  readonly now?: number;
}

/** How far a request's date may be from the server's clock (AWS SigV4's window). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** accessKeyId → secret access key; undefined for a key the server does not know. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

export function verifySigV4(request: SignedRequest, secretOf: SecretLookup | undefined, expect: SignatureExpectations = {}): VerifiedSignature {
  const service = expect.service ?? SIGNING_SERVICE;
  const headers = headerMap(request.rawHeaders);
  const authorization = headers.get('authorization');
  if (authorization === undefined || authorization.trim() === '') {
    throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const amzDate = headers.get('x-amz-date') ?? headers.get('date');
  const parsed = parseAuthorization(authorization, amzDate !== undefined);
  if (!parsed.signedHeaders.includes('host')) {
    throw new ServiceError('IncompleteSignatureException', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (parsed.service !== service) {
    throw new ServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
  }
  if (secretOf === undefined) return { accessKeyId: parsed.accessKeyId, region: parsed.region };

  const secret = secretOf(parsed.accessKeyId);
  if (secret === undefined) {
    throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  if (expect.regions !== undefined && !expect.regions.includes(parsed.region)) {
    throw new ServiceError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${parsed.region}'. `);
  }
  if (expect.now !== undefined && amzDate !== undefined) checkClockSkew(amzDate, expect.now);
  const canonicalRequest = buildCanonicalRequest(request, headers, parsed.signedHeaders);
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate!, scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = signature(secret, parsed.date, parsed.region, parsed.service, stringToSign);
  const given = Buffer.from(parsed.signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
    throw new ServiceError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
        'Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${stringToSign}'\n`,
    );
  }
  return { accessKeyId: parsed.accessKeyId, region: parsed.region };
}

function parseAuthorization(value: string, hasDate: boolean): AuthorizationHeader {
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
    throw new ServiceError('IncompleteSignatureException', `${problems.join(' ')} Authorization=${value}`);
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

/** `20240101T000000Z` (or an HTTP date) within 15 minutes of `now`, else AWS's "Signature expired". */
function checkClockSkew(amzDate: string, now: number): void {
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  const signedAt = compact ? Date.UTC(+compact[1]!, +compact[2]! - 1, +compact[3]!, +compact[4]!, +compact[5]!, +compact[6]!) : Date.parse(amzDate);
  if (!Number.isFinite(signedAt)) throw new ServiceError('IncompleteSignatureException', `Date must be in ISO-8601 'basic format', got '${amzDate}'.`);
  const iso = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    throw new ServiceError(
      'InvalidSignatureException',
      `Signature expired: ${iso(signedAt)} is now earlier than ${iso(now - MAX_CLOCK_SKEW_MS)} (${iso(now)} - 15 min.)`,
    );
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    throw new ServiceError(
      'InvalidSignatureException',
      `Signature not yet current: ${iso(signedAt)} is still later than ${iso(now + MAX_CLOCK_SKEW_MS)} (${iso(now)} + 15 min.)`,
    );
  }
}

import {
  InvalidParametersException,
  InvalidStateException,
  LimitExceededException,
  ResourceNotFoundException,
  ServiceCatalogServiceException,
} from '@aws-sdk/client-service-catalog';
import { describe, expect, it } from 'vitest';
import { classifyAwsError, parseRetryAfter } from '../../../src/aws/classify-error.js';
import { MfaCodeUnavailableError } from '../../../src/aws/mfa-prompt.js';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 });

/** An unmodeled service error as the SDK's JSON protocol builds it (name from `__type`). */
function serviceError(name: string, message: string, status: number, fault: 'client' | 'server' = 'client') {
  return new ServiceCatalogServiceException({ name, $fault: fault, message, $metadata: meta(status) });
}

/** The SDK attaches the raw response as a hidden, read-only `$response` (see @smithy/core). */
function withResponse<E extends object>(error: E, headers: Record<string, string>): E {
  Object.defineProperty(error, '$response', {
    value: { statusCode: 0, headers, body: undefined },
    enumerable: false,
    writable: false,
    configurable: false,
  });
  return error;
}

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, errno: -104, syscall: 'read' });
}

describe('classifyAwsError: modeled Service Catalog errors', () => {
  it('InvalidParametersException is final, with code, message and status', () => {
    const error = new InvalidParametersException({ message: 'Invalid owner ARN', $metadata: meta(400) });
    expect(classifyAwsError(error)).toEqual({
      kind: 'final',
      code: 'InvalidParametersException',
      message: 'Invalid owner ARN',
      httpStatus: 400,
      retryAfterMs: undefined,
    });
  });

  it('ResourceNotFoundException is final', () => {
    const error = new ResourceNotFoundException({ message: 'Provisioned product not found', $metadata: meta(400) });
    expect(classifyAwsError(error)).toMatchObject({ kind: 'final', code: 'ResourceNotFoundException' });
  });

  it('LimitExceededException is final, not a throttle (the SDK would call it one)', () => {
    const error = new LimitExceededException({ message: 'Limit exceeded for resource', $metadata: meta(400) });
    expect(classifyAwsError(error)).toMatchObject({ kind: 'final', code: 'LimitExceededException', httpStatus: 400 });
  });

  it('InvalidStateException is invalid-state', () => {
    const error = new InvalidStateException({ message: 'Provisioned product is UNDER_CHANGE', $metadata: meta(400) });
    expect(classifyAwsError(error)).toMatchObject({ kind: 'invalid-state', code: 'InvalidStateException' });
  });
});

describe('classifyAwsError: throttles', () => {
  it('ThrottlingException (unmodeled, by name)', () => {
    expect(classifyAwsError(serviceError('ThrottlingException', 'Rate exceeded', 400))).toMatchObject({
      kind: 'throttle',
      code: 'ThrottlingException',
      httpStatus: 400,
    });
    for (const name of ['Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']) {
      expect(classifyAwsError(serviceError(name, 'please slow down', 400)).kind).toBe('throttle');
    }
  });

  it('a "Rate exceeded" message under another error name', () => {
    expect(classifyAwsError(serviceError('SomethingElseException', 'Rate exceeded', 400))).toMatchObject({
      kind: 'throttle',
      code: 'SomethingElseException',
    });
    expect(classifyAwsError(serviceError('Weird', 'rate EXCEEDED for account', 400)).kind).toBe('throttle');
  });

  it('HTTP 429 whatever the name', () => {
    expect(classifyAwsError(serviceError('UnknownError', 'Too many', 429)).kind).toBe('throttle');
  });

  it('carries a Retry-After header as milliseconds', () => {
    const error = withResponse(serviceError('ThrottlingException', 'Rate exceeded', 400), { 'retry-after': '3' });
    expect(classifyAwsError(error).retryAfterMs).toBe(3000);
    expect(classifyAwsError(serviceError('ThrottlingException', 'Rate exceeded', 400)).retryAfterMs).toBeUndefined();
  });
});

describe('classifyAwsError: server and network', () => {
  it('5xx is server', () => {
    expect(classifyAwsError(serviceError('InternalFailure', 'internal', 500, 'server'))).toMatchObject({ kind: 'server', httpStatus: 500 });
    expect(classifyAwsError(serviceError('ServiceUnavailable', 'unavailable', 503, 'server')).kind).toBe('server');
    const withHint = withResponse(serviceError('ServiceUnavailable', 'x', 503, 'server'), { 'retry-after': '1.5' });
    expect(classifyAwsError(withHint).retryAfterMs).toBe(1500);
  });

  it('a 4xx that is none of the known names is final', () => {
    expect(classifyAwsError(serviceError('ValidationException', 'bad', 400)).kind).toBe('final');
  });

  it('Node socket errors are network, with the errno code', () => {
    expect(classifyAwsError(socketError('ECONNRESET', 'read ECONNRESET'))).toMatchObject({ kind: 'network', code: 'ECONNRESET', httpStatus: undefined });
    for (const code of ['ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']) {
      expect(classifyAwsError(socketError(code, `connect ${code}`))).toMatchObject({ kind: 'network', code });
    }
  });

  it('"socket hang up" without a code or status is network', () => {
    expect(classifyAwsError(new Error('socket hang up')).kind).toBe('network');
  });

  it("the HTTP handler's TimeoutError is network", () => {
    const timeout = Object.assign(new Error('@smithy/node-http-handler - a request has exceeded the configured 30000 ms requestTimeout.'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    expect(classifyAwsError(timeout).kind).toBe('network');
    const noCode = Object.assign(new Error('connect timeout'), { name: 'TimeoutError' });
    expect(classifyAwsError(noCode)).toMatchObject({ kind: 'network', code: 'TimeoutError' });
  });
});

describe('classifyAwsError: credentials and access', () => {
  it.each(['UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException', 'InvalidSignatureException'])(
    '%s is credentials',
    (name) => {
      expect(classifyAwsError(serviceError(name, 'The security token included in the request is invalid.', 400))).toMatchObject({
        kind: 'credentials',
        code: name,
      });
    },
  );

  it('CredentialsProviderError (no HTTP answer at all) is credentials', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false });
    expect(classifyAwsError(error)).toMatchObject({ kind: 'credentials', code: 'CredentialsProviderError', httpStatus: undefined });
  });

  it('an MFA code that could not be had (a session renewed mid-run, nobody at the terminal) is credentials', () => {
    const error = new MfaCodeUnavailableError('no MFA code given');
    expect(classifyAwsError(error)).toMatchObject({ kind: 'credentials', code: 'MfaCodeUnavailableError' });
  });

  it('AccessDeniedException is access-denied', () => {
    const error = serviceError('AccessDeniedException', 'User is not authorized to perform servicecatalog:UpdateProvisionedProductProperties', 400);
    expect(classifyAwsError(error)).toMatchObject({ kind: 'access-denied', code: 'AccessDeniedException' });
  });
});

describe('classifyAwsError: abort', () => {
  it("our signal's abort wins over whatever the error looks like", () => {
    const signal = AbortSignal.abort(new Error('SIGINT'));
    const throttle = serviceError('ThrottlingException', 'Rate exceeded', 400);
    expect(classifyAwsError(throttle, signal)).toMatchObject({ kind: 'aborted', code: 'Aborted' });
    expect(classifyAwsError(socketError('ECONNRESET', 'aborted'), signal).kind).toBe('aborted');
  });

  it('an AbortError from the SDK is aborted', () => {
    const abortError = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(classifyAwsError(abortError).kind).toBe('aborted');
  });

  it('a signal that did not abort changes nothing', () => {
    const signal = new AbortController().signal;
    expect(classifyAwsError(serviceError('ThrottlingException', 'Rate exceeded', 400), signal).kind).toBe('throttle');
  });
});

describe('classifyAwsError: odd values', () => {
  it('a plain bug is final, non-errors do not crash', () => {
    expect(classifyAwsError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({ kind: 'final', code: 'TypeError' });
    expect(classifyAwsError('boom')).toMatchObject({ kind: 'final', code: 'Error', message: 'boom' });
    expect(classifyAwsError(undefined)).toMatchObject({ kind: 'final', message: 'undefined' });
    expect(classifyAwsError(null).kind).toBe('final');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds, fractional too', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('5')).toBe(5000);
    expect(parseRetryAfter(' 2 ')).toBe(2000);
    expect(parseRetryAfter('0.25')).toBe(250);
  });

  it('ignores what it cannot use', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(parseRetryAfter('-3')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('Infinity')).toBeUndefined();
  });
});

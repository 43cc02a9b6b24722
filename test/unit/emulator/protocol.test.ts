/**
 * The wire protocol as AWS speaks it: JSON 1.1 targets, error bodies and headers, request ids,
 * epoch-second timestamps, SigV4 (missing, malformed, unknown key, bad signature) and model
 * validation (anchored patterns, lengths, ranges, required members, JSON types).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeProvisionedProductCommand,
  ScanProvisionedProductsCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  SearchProvisionedProductsCommand,
  UpdateProvisionedProductPropertiesCommand,
} from '@aws-sdk/client-service-catalog';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { startEmulator } from '../../../src/emulator/index.js';
import { amzDate, PAYMENTS_PROD, rawCall, rejectionOf, sampleSeed, sdkClient, startHarness, type Harness } from './helpers.js';

describe('AWS JSON 1.1 protocol', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('answers a real SDK call with the request id header and epoch-second timestamps', async () => {
    const out = await h.client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.ProvisionedProductDetail?.CreatedTime).toEqual(new Date('2023-03-14T09:21:07Z'));
    const raw = await rawCall(h.emulator.endpoint, 'DescribeProvisionedProduct', JSON.stringify({ Id: PAYMENTS_PROD }));
    expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect((raw.json.ProvisionedProductDetail as { CreatedTime: unknown }).CreatedTime).toBe(Date.parse('2023-03-14T09:21:07Z') / 1000);
  });

  it('answers errors with status 400, __type, message and x-amzn-ErrorType', async () => {
    const raw = await rawCall(h.emulator.endpoint, 'DescribeProvisionedProduct', JSON.stringify({ Id: 'pp-doesnotexist' }));
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(raw.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(raw.json).toEqual({ __type: 'ResourceNotFoundException', message: 'Provisioned product pp-doesnotexist not found.' });
  });

  it('answers UnknownOperationException to a target it does not serve', async () => {
    const raw = await rawCall(h.emulator.endpoint, 'TerminateProvisionedProduct', '{}');
    expect(raw.status).toBe(400);
    expect(raw.json.__type).toBe('UnknownOperationException');
    const noTarget = await rawCall(h.emulator.endpoint, undefined, '{}');
    expect(noTarget.json.__type).toBe('UnknownOperationException');
  });

  it('answers SerializationException to a body that is not JSON or a member of the wrong JSON type', async () => {
    expect((await rawCall(h.emulator.endpoint, 'ScanProvisionedProducts', '{nope')).json.__type).toBe('SerializationException');
    expect((await rawCall(h.emulator.endpoint, 'ScanProvisionedProducts', '{"PageSize":"5"}')).json.__type).toBe('SerializationException');
    expect((await rawCall(h.emulator.endpoint, 'DescribeProvisionedProduct', '{"Id":42}')).json.__type).toBe('SerializationException');
  });

  it('validates against the model with ValidationException, anchoring patterns to the whole value', async () => {
    // '^[a-zA-Z0-9_\-]*' unanchored would accept 'pp-abc!' (it matches the empty prefix); the service does not.
    const bad = await rejectionOf(h.client.send(new DescribeProvisionedProductCommand({ Id: 'pp-abc!' })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toBe(
      "1 validation error detected: Value 'pp-abc!' at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-]*",
    );
    const token = await rejectionOf(
      h.client.send(
        new UpdateProvisionedProductPropertiesCommand({
          ProvisionedProductId: PAYMENTS_PROD,
          ProvisionedProductProperties: { OWNER: 'x' },
          IdempotencyToken: '-leading-dash',
        }),
      ),
    );
    expect(token.name).toBe('ValidationException');
    expect(token.message).toContain("at 'idempotencyToken'");
    const tooLong = await rejectionOf(h.client.send(new DescribeProvisionedProductCommand({ Id: 'p'.repeat(101) })));
    expect(tooLong.message).toContain('Member must have length less than or equal to 100');
    const range = await rejectionOf(h.client.send(new ScanProvisionedProductsCommand({ PageSize: 21 })));
    expect(range.message).toBe(
      "1 validation error detected: Value '21' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 20",
    );
    const search = await rejectionOf(h.client.send(new SearchProvisionedProductsCommand({ PageSize: 101 })));
    expect(search.message).toContain('Member must have value less than or equal to 100');
    const name = await rejectionOf(h.client.send(new DescribeProvisionedProductCommand({ Name: '-starts-with-dash' })));
    expect(name.message).toContain("at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9._-]*");
  });

  it('reports every violated constraint and required member at once', async () => {
    const raw = await rawCall(h.emulator.endpoint, 'UpdateProvisionedProductProperties', JSON.stringify({ ProvisionedProductProperties: {} }));
    expect(raw.json.__type).toBe('ValidationException');
    expect(raw.json.message).toBe(
      '3 validation errors detected: ' +
        "Value null at 'provisionedProductId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'idempotencyToken' failed to satisfy constraint: Member must not be null; " +
        "Value '{}' at 'provisionedProductProperties' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const value = await rawCall(
      h.emulator.endpoint,
      'UpdateProvisionedProductProperties',
      JSON.stringify({ ProvisionedProductId: PAYMENTS_PROD, IdempotencyToken: 't1', ProvisionedProductProperties: { OWNER: 'a'.repeat(1025) } }),
    );
    expect(value.json.message).toContain('Map value must satisfy constraint: [Member must have length less than or equal to 1024]');
  });
});

describe('SigV4 authentication', () => {
  it('answers MissingAuthenticationTokenException without an Authorization header', async () => {
    const emulator = await startEmulator({ seed: await sampleSeed() });
    try {
      const response = await fetch(`${emulator.endpoint}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWS242ServiceCatalogService.ScanProvisionedProducts' },
        body: '{}',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(await response.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
      expect(emulator.state.calls().at(-1)?.outcome).toBe('MissingAuthenticationTokenException');
    } finally {
      await emulator.close();
    }
  });

  it('answers IncompleteSignatureException to an Authorization header that is not SigV4', async () => {
    const emulator = await startEmulator({ seed: await sampleSeed() });
    try {
      const raw = await rawCall(emulator.endpoint, 'ScanProvisionedProducts', '{}', { authorization: 'Bearer abc' });
      expect(raw.status).toBe(400);
      expect(raw.json.__type).toBe('IncompleteSignatureException');
      expect(raw.json.message).toContain("Authorization header requires 'Credential' parameter.");
    } finally {
      await emulator.close();
    }
  });

  it('accepts any well-formed signature when no credentials are configured', async () => {
    const emulator = await startEmulator({ seed: await sampleSeed() });
    try {
      const raw = await rawCall(emulator.endpoint, 'ScanProvisionedProducts', '{}');
      expect(raw.status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it('verifies signatures when credentials are configured', async () => {
    const emulator = await startEmulator({ seed: await sampleSeed(), credentials: { AKIDGOOD: 'good-secret' } });
    const good = sdkClient(emulator.endpoint, { accessKeyId: 'AKIDGOOD', secretAccessKey: 'good-secret' });
    const wrongSecret = sdkClient(emulator.endpoint, { accessKeyId: 'AKIDGOOD', secretAccessKey: 'bad-secret' });
    const unknownKey = sdkClient(emulator.endpoint, { accessKeyId: 'AKIDOTHER', secretAccessKey: 'good-secret' });
    try {
      const ok = await good.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD }));
      expect(ok.ProvisionedProductDetail?.Id).toBe(PAYMENTS_PROD);

      const bad = await rejectionOf(wrongSecret.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD })));
      expect(bad.name).toBe('InvalidSignatureException');
      expect(bad.$metadata?.httpStatusCode).toBe(400);
      expect(bad.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
      expect(bad.message).toContain('The Canonical String for this request should have been');

      const unknown = await rejectionOf(unknownKey.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD })));
      expect(unknown.name).toBe('UnrecognizedClientException');
      expect(unknown.message).toBe('The security token included in the request is invalid.');

      const forged = await rawCall(emulator.endpoint, 'ScanProvisionedProducts', '{}', {
        authorization: `AWS4-HMAC-SHA256 Credential=AKIDGOOD/${amzDate().slice(0, 8)}/us-east-1/servicecatalog/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
      });
      expect(forged.json.__type).toBe('InvalidSignatureException');
      expect(forged.json.message).toMatch(/^The request signature we calculated does not match/);

      // A body changed after signing no longer matches the signature.
      const tampering = sdkClient(emulator.endpoint, { accessKeyId: 'AKIDGOOD', secretAccessKey: 'good-secret' });
      const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
        // Same length, so only the signature can tell.
        (args.request as { body: unknown }).body = '{"PageSize":2}';
        return next(args);
      };
      tampering.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' });
      const tampered = await rejectionOf(tampering.send(new ScanProvisionedProductsCommand({ PageSize: 1 })));
      tampering.destroy();
      expect(tampered.name).toBe('InvalidSignatureException');
    } finally {
      good.destroy();
      wrongSecret.destroy();
      unknownKey.destroy();
      await emulator.close();
    }
  });
});

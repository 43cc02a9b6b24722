/**
 * What SigV4 refuses without a secret, checked with or without --access-key: a credential scope
 * naming another region or another service, a request dated more than 15 minutes from the
 * emulator's clock, no Authorization header. Real SDK clients over HTTP (the date against the
 * emulator's manual clock, which starts at the real time the SDK signs with), raw HTTP where an
 * SDK would never send the request. Service Catalog answers in JSON 1.1, STS and IAM in the query protocol.
 */
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeProvisionedProductCommand, ScanProvisionedProductsCommand, ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { FinalizeRequestMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { amzDate, ManualClock, PAYMENTS_PROD, rawCall, rejectionOf, sampleSeed } from './helpers.js';

const KEYS = { accessKeyId: 'AKIDSCOPE', secretAccessKey: 'scope-secret' };
const MINUTE = 60_000;
let emulator: RunningEmulator;
const clients: { destroy(): void }[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await emulator?.close();
});

async function start(options: { regions?: string[]; clock?: ManualClock; credentials?: Record<string, string> } = {}): Promise<RunningEmulator> {
  emulator = await startEmulator({ seed: await sampleSeed(), recordDelayMs: 0, ...options });
  return emulator;
}

const config = (region: string) => ({ endpoint: emulator.endpoint, region, credentials: KEYS, maxAttempts: 1 });

/** Signs for `service` instead of the client's own: the signing name of the auth scheme the SDK chose. */
const signingNameOf =
  (service: string): FinalizeRequestMiddleware<object, MetadataBearer> =>
  (next, context) =>
  async (args) => {
    const smithy = (context as Record<string, { selectedHttpAuthScheme?: { httpAuthOption: { signingProperties?: Record<string, unknown> } } }>)[
      '__smithy_context'
    ];
    const option = smithy!.selectedHttpAuthScheme!.httpAuthOption;
    option.signingProperties = { ...option.signingProperties, signingName: service };
    return next(args);
  };

/** `c`, signing for `service` instead of its own when given; destroyed after the test. */
function signingAs<C extends ServiceCatalogClient | STSClient | IAMClient>(c: C, service?: string): C {
  if (service !== undefined) {
    (c.middlewareStack as unknown as MiddlewareStack<object, MetadataBearer>).addRelativeTo(signingNameOf(service), {
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
      name: 'signForAnotherService',
    });
  }
  clients.push(c);
  return c;
}

const sc = (region: string, service?: string) => signingAs(new ServiceCatalogClient(config(region)), service);
const sts = (region: string, service?: string) => signingAs(new STSClient(config(region)), service);
const iam = (region: string) => signingAs(new IAMClient(config(region)));

const describeProduct = (c: ServiceCatalogClient) => c.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD }));

describe('the credential scope, without --access-key', () => {
  it('a request signed for another region than those served is refused; one for a served region is answered there', async () => {
    await start({ regions: ['eu-west-2'] });
    const east = sc('us-east-1');
    const london = sc('eu-west-2');
    const ireland = sc('eu-west-1');
    expect((await describeProduct(east)).ProvisionedProductDetail?.Id).toBe(PAYMENTS_PROD);
    // Served, so answered from eu-west-2's catalog, where the sample's us-east-1 product is not.
    expect((await rejectionOf(describeProduct(london))).name).toBe('ResourceNotFoundException');
    const refused = await rejectionOf(describeProduct(ireland));
    expect(refused).toMatchObject({ name: 'InvalidSignatureException', message: "Credential should be scoped to a valid region, not 'eu-west-1'. " });
    expect(refused.$metadata?.httpStatusCode).toBe(400);
    expect(emulator.state.calls().map((call) => [call.region, call.outcome])).toEqual([
      ['us-east-1', 'ok'],
      ['eu-west-2', 'ResourceNotFoundException'],
      [undefined, 'InvalidSignatureException'],
    ]);
  });

  it("a one-region emulator no longer answers a request signed for another region from its own catalog (the issue's eu-west-2 case)", async () => {
    await start();
    const refused = await rejectionOf(describeProduct(sc('eu-west-2')));
    expect(refused).toMatchObject({ name: 'InvalidSignatureException', message: expect.stringContaining("not 'eu-west-2'") });
  });

  it('a request signed for another service is refused, in each protocol', async () => {
    await start();
    const asSts = await rejectionOf(describeProduct(sc('us-east-1', 'sts')));
    expect(asSts).toMatchObject({ name: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'servicecatalog'." });
    const stsAsIam = await rejectionOf(sts('us-east-1', 'iam').send(new GetCallerIdentityCommand({})));
    expect(stsAsIam).toMatchObject({ name: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'sts'." });
    expect(stsAsIam.$metadata?.httpStatusCode).toBe(403);
    expect(await sts('us-east-1').send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: '123456789012' });
  });

  it('STS is signed for a region served, IAM for us-east-1 whatever the regions served', async () => {
    await start({ regions: ['eu-west-2'] });
    expect((await sts('eu-west-2').send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
    const stsElsewhere = await rejectionOf(sts('ap-south-1').send(new GetCallerIdentityCommand({})));
    expect(stsElsewhere).toMatchObject({ name: 'SignatureDoesNotMatch', message: "Credential should be scoped to a valid region, not 'ap-south-1'. " });
    await iam('us-east-1').send(new GetUserCommand({ UserName: 'bob' }));
    const iamInLondon = await rejectionOf(iam('eu-west-2').send(new GetUserCommand({ UserName: 'bob' })));
    expect(iamInLondon).toMatchObject({ name: 'SignatureDoesNotMatch', message: "Credential should be scoped to a valid region, not 'eu-west-2'. " });
  });
});

describe("the request's date against the emulator's clock, without --access-key", () => {
  it('16 minutes behind the clock is expired, 14 accepted; 16 ahead is not yet current, 14 accepted', async () => {
    const clock = new ManualClock();
    await start({ clock });
    const catalog = sc('us-east-1');
    clock.advance(14 * MINUTE); // the SDK signs 14 minutes before the emulator's now
    await describeProduct(catalog);
    clock.advance(2 * MINUTE);
    const expired = await rejectionOf(describeProduct(catalog));
    expect(expired).toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/),
    });
    expect(expired.$metadata?.httpStatusCode).toBe(400);
    clock.advance(-30 * MINUTE); // the SDK now signs 14 minutes after it
    await describeProduct(catalog);
    clock.advance(-2 * MINUTE);
    expect(await rejectionOf(describeProduct(catalog))).toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature not yet current: .* \+ 15 min\.\)$/),
    });
  });

  it('STS answers an expired signature SignatureDoesNotMatch (403), as AWS does', async () => {
    const clock = new ManualClock();
    await start({ clock });
    clock.advance(16 * MINUTE);
    const expired = await rejectionOf(sts('us-east-1').send(new GetCallerIdentityCommand({})));
    expect(expired).toMatchObject({ name: 'SignatureDoesNotMatch', message: expect.stringMatching(/^Signature expired: /) });
    expect(expired.$metadata?.httpStatusCode).toBe(403);
  });

  it('with --access-key the same checks come before the secret, and a good signature passes', async () => {
    const clock = new ManualClock();
    await start({ clock, credentials: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
    const catalog = sc('us-east-1');
    await describeProduct(catalog);
    clock.advance(16 * MINUTE);
    expect((await rejectionOf(describeProduct(catalog))).message).toMatch(/^Signature expired/);
    expect((await rejectionOf(describeProduct(sc('eu-west-2')))).message).toContain("not 'eu-west-2'");
  });
});

describe('raw HTTP', () => {
  it('no Authorization header: MissingAuthenticationTokenException in JSON 1.1, MissingAuthenticationToken (403) in the query protocol', async () => {
    await start();
    const json = await fetch(`${emulator.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWS242ServiceCatalogService.ScanProvisionedProducts', 'x-amz-date': amzDate() },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    const query = await fetch(`${emulator.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-amz-date': amzDate() },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(query.status).toBe(403);
    expect(await query.text()).toContain('<Code>MissingAuthenticationToken</Code><Message>Missing Authentication Token</Message>');
  });

  it('a scope whose date is not the request date, and a date in neither format, are refused', async () => {
    await start();
    const date = amzDate();
    const scopedYesterday = await rawCall(emulator.endpoint, 'ScanProvisionedProducts', '{}', {
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDTEST/${amzDate(Date.now() - 24 * 60 * MINUTE).slice(0, 8)}/us-east-1/servicecatalog/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      'x-amz-date': date,
    });
    expect(scopedYesterday.json).toMatchObject({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/^Date in Credential scope does not match YYYYMMDD/),
    });
    const garbled = await rawCall(emulator.endpoint, 'ScanProvisionedProducts', '{}', { 'x-amz-date': 'yesterday' });
    expect(garbled.json).toMatchObject({ __type: 'IncompleteSignatureException', message: "Date must be in ISO-8601 'basic format', got 'yesterday'." });
  });

  it("the emulator's own routes stay unsigned", async () => {
    await start();
    const state = await fetch(`${emulator.endpoint}/_emulator/state`);
    expect(state.status).toBe(200);
    const faults = await fetch(`${emulator.endpoint}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(faults.status).toBe(200);
    expect(
      (await sc('us-east-1').send(new ScanProvisionedProductsCommand({ AccessLevelFilter: { Key: 'Account', Value: 'self' } }))).ProvisionedProducts?.length,
    ).toBeGreaterThan(0);
  });
});

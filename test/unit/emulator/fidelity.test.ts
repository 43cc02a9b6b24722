/**
 * Where the local Service Catalog follows AWS's current documentation, checked through the real SDK
 * over HTTP: AccessLevelFilter spellings, Search's default access level, records that take time,
 * unsorted pages that shift, search fields, signature date and region, the partition rule.
 */
import {
  SearchProvisionedProductsCommand,
  ServiceCatalogClient,
  UpdateProvisionedProductPropertiesCommand,
  type ProvisionedProductAttribute,
} from '@aws-sdk/client-service-catalog';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { ADMIN, BOB, PAYMENTS_PROD, rejectionOf, sampleSeed, sdkClient } from './helpers.js';

const KEYS = { accessKeyId: 'AKIDFID', secretAccessKey: 'fid-secret' };
let emulator: RunningEmulator;
let client: ServiceCatalogClient;

afterEach(async () => {
  client?.destroy();
  await emulator?.close();
});

async function start(options: Parameters<typeof startEmulator>[0] extends infer O ? Partial<O> : never = {}) {
  emulator = await startEmulator({ seed: await sampleSeed(), callerArn: ADMIN, ...options });
  client = sdkClient(emulator.endpoint);
}

const searchAll = async (input: Record<string, unknown> = {}): Promise<ProvisionedProductAttribute[]> => {
  const out: ProvisionedProductAttribute[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new SearchProvisionedProducts({ ...input, PageSize: 2, ...(token ? { PageToken: token } : {}) }));
    out.push(...(page.ProvisionedProducts ?? []));
    token = page.NextPageToken;
  } while (token);
  return out;
};
const SearchProvisionedProducts = SearchProvisionedProductsCommand;

describe('access levels', () => {
  it('accepts the AccessLevelFilter value in any case (Self, self), as scripts send it', async () => {
    await start();
    for (const Value of ['Self', 'self', 'SELF']) {
      const page = await client.send(new SearchProvisionedProducts({ AccessLevelFilter: { Key: 'Account', Value } }));
      expect(page.TotalResultsCount).toBe(emulator.state.products().length);
    }
  });

  it('Search defaults to Account (the current reference); User stays available', async () => {
    await start();
    expect((await client.send(new SearchProvisionedProducts({}))).TotalResultsCount).toBe(emulator.state.products().length);
    await emulator.close();
    client.destroy();
    await start({ searchDefaultAccessLevel: 'User' });
    // The caller (Admin) owns none of the sample's products.
    expect((await client.send(new SearchProvisionedProducts({}))).TotalResultsCount).toBe(0);
  });
});

describe('records', () => {
  it('take time by default: the update answers CREATED, not SUCCEEDED', async () => {
    await start();
    const answer = await client.send(
      new UpdateProvisionedProductPropertiesCommand({
        ProvisionedProductId: PAYMENTS_PROD,
        ProvisionedProductProperties: { OWNER: BOB },
        IdempotencyToken: 'fid-1',
      }),
    );
    expect(answer.Status).toBe('CREATED');
  });
});

describe('paging', () => {
  it('with shuffleUnsortedPages, unsorted pages repeat or skip products; sorted ones never do', async () => {
    emulator = await startEmulator({ seed: generateSeed({ count: 30, accountId: '123456789012' }), faults: { shuffleUnsortedPages: true } });
    client = sdkClient(emulator.endpoint);
    const self = { AccessLevelFilter: { Key: 'Account' as const, Value: 'Self' } };
    const unsorted = (await searchAll(self)).map((p) => p.Id);
    expect(new Set(unsorted).size).toBeLessThan(30);
    const sorted = (await searchAll({ ...self, SortBy: 'id' })).map((p) => p.Id);
    expect(new Set(sorted).size).toBe(30);
    expect(sorted).toHaveLength(30);
  });
});

describe('search queries', () => {
  it('searches provisioningArtifact and createdTime as documented, and refuses every unknown field alike', async () => {
    await start();
    const self = { AccessLevelFilter: { Key: 'Account' as const, Value: 'Self' } };
    const product = emulator.state.product(PAYMENTS_PROD)!;
    const query = (term: string) => client.send(new SearchProvisionedProducts({ ...self, Filters: { SearchQuery: [term] } }));
    expect((await query(`provisioningArtifact:${product.provisioningArtifactId}`)).ProvisionedProducts?.map((p) => p.Id)).toContain(PAYMENTS_PROD);
    const created = product.createdTime; // ISO with milliseconds
    const ids = async (term: string) => (await query(term)).ProvisionedProducts?.map((p) => p.Id);
    expect(await ids(`createdTime:${created}`)).toEqual([PAYMENTS_PROD]);
    expect(await ids(`createdTime:${created.replace(/\.\d{3}Z$/, 'Z')}`)).toEqual([PAYMENTS_PROD]);
    for (const field of ['bogus', 'user_arn', 'last-record']) {
      expect((await rejectionOf(query(`${field}:x`))).name).toBe('InvalidParametersException');
    }
  });
});

describe('signatures (with --access-key)', () => {
  it('refuse a request dated 20 minutes off, and one scoped to another region', async () => {
    await start({ credentials: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
    const at = (options: { region?: string; offsetMs?: number }) =>
      new ServiceCatalogClient({
        endpoint: emulator.endpoint,
        region: options.region ?? 'us-east-1',
        credentials: KEYS,
        maxAttempts: 1,
        systemClockOffset: options.offsetMs ?? 0,
      });
    const ok = at({});
    const late = at({ offsetMs: -20 * 60_000 });
    const early = at({ offsetMs: 20 * 60_000 });
    const elsewhere = at({ region: 'eu-west-1' });
    try {
      await ok.send(new SearchProvisionedProducts({}));
      expect(await rejectionOf(late.send(new SearchProvisionedProducts({})))).toMatchObject({
        name: 'InvalidSignatureException',
        message: expect.stringMatching(/^Signature expired/),
      });
      expect(await rejectionOf(early.send(new SearchProvisionedProducts({})))).toMatchObject({
        name: 'InvalidSignatureException',
        message: expect.stringMatching(/^Signature not yet current/),
      });
      expect(await rejectionOf(elsewhere.send(new SearchProvisionedProducts({})))).toMatchObject({
        name: 'InvalidSignatureException',
        message: expect.stringContaining("not 'eu-west-1'"),
      });
    } finally {
      for (const c of [ok, late, early, elsewhere]) c.destroy();
    }
  });
});

describe('the partition rule', () => {
  it('refuses an owner of another partition than the product (aws-cn for a us-east-1 product)', async () => {
    await start();
    const error = await rejectionOf(
      client.send(
        new UpdateProvisionedProductPropertiesCommand({
          ProvisionedProductId: PAYMENTS_PROD,
          ProvisionedProductProperties: { OWNER: 'arn:aws-cn:iam::123456789012:user/bob' },
          IdempotencyToken: 'fid-2',
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'InvalidParametersException', message: expect.stringContaining('partition aws') });
  });
});

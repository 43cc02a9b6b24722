/**
 * The read operations: Describe (by id and name), DescribeRecord, Search (query, sort, pages),
 * Scan, ListRecordHistory, and the AccessLevelFilter default of User vs Account/Self.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeProvisionedProductCommand,
  DescribeRecordCommand,
  ListRecordHistoryCommand,
  ScanProvisionedProductsCommand,
  SearchProvisionedProductsCommand,
  UpdateProvisionedProductPropertiesCommand,
  type ServiceCatalogClient,
} from '@aws-sdk/client-service-catalog';
import { generateSeed, startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { ADMIN, ALICE, BOB, LEGACY_TAINTED, PAYMENTS_PROD, rejectionOf, sampleSeed, sdkClient, startHarness, type Harness } from './helpers.js';

const ACCOUNT_SELF = { Key: 'Account' as const, Value: 'Self' };

describe('describe operations', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('DescribeProvisionedProduct by Id and by Name, with LaunchRoleArn', async () => {
    const byId = (await h.client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD }))).ProvisionedProductDetail!;
    const byName = await h.client.send(new DescribeProvisionedProductCommand({ Name: 'payments-api-prod' }));
    expect(byName.ProvisionedProductDetail).toEqual(byId);
    expect(byName.CloudWatchDashboards).toEqual([]);
    expect(byId).toMatchObject({
      Id: PAYMENTS_PROD,
      Name: 'payments-api-prod',
      Arn: `arn:aws:servicecatalog:us-east-1:123456789012:stack/payments-api-prod/${PAYMENTS_PROD}`,
      Type: 'CFN_STACK',
      Status: 'AVAILABLE',
      ProductId: 'prod-q3fz7kd2vnw4e',
      LaunchRoleArn: 'arn:aws:iam::123456789012:role/SCLaunch-Payments',
    });
    expect(byId.LastRecordId).toMatch(/^rec-/);
    const tainted = (await h.client.send(new DescribeProvisionedProductCommand({ Id: LEGACY_TAINTED }))).ProvisionedProductDetail!;
    expect(tainted.Status).toBe('TAINTED');
    expect(tainted.StatusMessage).toContain('UPDATE_ROLLBACK_COMPLETE');
  });

  it('DescribeProvisionedProduct refuses both or neither of Id and Name, and unknown names', async () => {
    expect((await rejectionOf(h.client.send(new DescribeProvisionedProductCommand({})))).name).toBe('InvalidParametersException');
    expect((await rejectionOf(h.client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD, Name: 'x' })))).name).toBe('InvalidParametersException');
    expect((await rejectionOf(h.client.send(new DescribeProvisionedProductCommand({ Name: 'no-such-name' })))).name).toBe('ResourceNotFoundException');
  });

  it('DescribeRecord answers RecordDetail, empty RecordErrors and RecordOutputs; unknown ids and bad tokens are refused', async () => {
    const lastRecordId = h.emulator.state.product(PAYMENTS_PROD)!.lastRecordId;
    const out = await h.client.send(new DescribeRecordCommand({ Id: lastRecordId }));
    expect(out.RecordDetail).toMatchObject({
      RecordId: lastRecordId,
      RecordType: 'PROVISION_PRODUCT',
      Status: 'SUCCEEDED',
      ProvisionedProductId: PAYMENTS_PROD,
      LaunchRoleArn: 'arn:aws:iam::123456789012:role/SCLaunch-Payments',
      RecordErrors: [],
    });
    expect(out.RecordOutputs).toEqual([]);
    expect((await rejectionOf(h.client.send(new DescribeRecordCommand({ Id: 'rec-nope' })))).name).toBe('ResourceNotFoundException');
    expect((await rejectionOf(h.client.send(new DescribeRecordCommand({ Id: lastRecordId, PageToken: 'garbage' })))).name).toBe('InvalidParametersException');
  });
});

describe('access levels', () => {
  let h: Harness;
  beforeAll(async () => {
    // The caller is alice: User level shows only her products, Account/Self all of them.
    h = await startHarness({ callerArn: ALICE });
  });
  afterAll(() => h.close());

  it("Scan and ListRecordHistory default to User level, Search to Account (the current reference); User/Self sees the caller's", async () => {
    const searchDefault = await h.client.send(new SearchProvisionedProductsCommand({}));
    const searchUser = await h.client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: { Key: 'User', Value: 'Self' } }));
    const searchAccount = await h.client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF }));
    expect(searchDefault.TotalResultsCount).toBe(12);
    expect(searchUser.TotalResultsCount).toBe(6);
    expect(searchUser.ProvisionedProducts?.every((p) => p.UserArn === ALICE)).toBe(true);
    expect(searchAccount.TotalResultsCount).toBe(12);

    const scanUser = await h.client.send(new ScanProvisionedProductsCommand({}));
    const scanAccount = await h.client.send(new ScanProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF }));
    expect(scanUser.ProvisionedProducts).toHaveLength(6);
    expect(scanAccount.ProvisionedProducts).toHaveLength(12);

    const historyUser = await h.client.send(new ListRecordHistoryCommand({}));
    const historyAccount = await h.client.send(new ListRecordHistoryCommand({ AccessLevelFilter: ACCOUNT_SELF }));
    expect(historyUser.RecordDetails).toHaveLength(6);
    expect(historyAccount.RecordDetails).toHaveLength(12);
  });

  it('after a transfer the old owner keeps the history from when she owned it; the product leaves her User view', async () => {
    await h.client.send(
      new UpdateProvisionedProductPropertiesCommand({
        ProvisionedProductId: PAYMENTS_PROD,
        ProvisionedProductProperties: { OWNER: BOB },
        IdempotencyToken: 'xfer',
      }),
    );
    const search = await h.client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: { Key: 'User', Value: 'Self' } }));
    expect(search.ProvisionedProducts?.map((p) => p.Id)).not.toContain(PAYMENTS_PROD);
    const history = await h.client.send(new ListRecordHistoryCommand({ SearchFilter: { Key: 'provisionedproduct', Value: PAYMENTS_PROD } }));
    expect(history.RecordDetails?.map((r) => r.RecordType)).toEqual(['UPDATE_PROVISIONED_PRODUCT_PROPERTIES', 'PROVISION_PRODUCT']);
  });

  it('Role level sees products owned by the caller role and its sessions; bad keys and values are refused', async () => {
    const roleCaller = await startEmulator({ seed: await sampleSeed(), callerArn: 'arn:aws:sts::123456789012:assumed-role/PlatformTeam/someone-else' });
    const client = sdkClient(roleCaller.endpoint);
    try {
      const role = await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: { Key: 'Role', Value: 'Self' } }));
      expect(role.ProvisionedProducts?.map((p) => p.Name)).toEqual(['vpc-baseline-dev']);
      const user = await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: { Key: 'User', Value: 'Self' } }));
      expect(user.TotalResultsCount).toBe(0);
      expect(
        (await rejectionOf(client.send(new ScanProvisionedProductsCommand({ AccessLevelFilter: { Key: 'Everyone' as 'User', Value: 'Self' } })))).name,
      ).toBe('InvalidParametersException');
      expect((await rejectionOf(client.send(new ScanProvisionedProductsCommand({ AccessLevelFilter: { Key: 'User', Value: ALICE } })))).name).toBe(
        'InvalidParametersException',
      );
    } finally {
      client.destroy();
      await roleCaller.close();
    }
  });
});

describe('search, scan, history and pagination', () => {
  let emulator: RunningEmulator;
  let client: ServiceCatalogClient;
  beforeAll(async () => {
    // 57 products owned by the caller, so every level sees them all.
    emulator = await startEmulator({ seed: generateSeed({ count: 57, owners: [ADMIN, ALICE], random: 7 }), callerArn: ADMIN });
    client = sdkClient(emulator.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await emulator.close();
  });

  async function allSearchPages(input: ConstructorParameters<typeof SearchProvisionedProductsCommand>[0]) {
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const out = await client.send(new SearchProvisionedProductsCommand({ ...input, ...(token ? { PageToken: token } : {}) }));
      pages.push(out.ProvisionedProducts!.map((p) => p.Id!));
      token = out.NextPageToken;
    } while (token);
    return pages;
  }

  it('Search pages through everything with PageSize, default page size 20, TotalResultsCount on every page', async () => {
    const pages = await allSearchPages({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 10 });
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 10, 10, 7]);
    expect(new Set(pages.flat()).size).toBe(57);
    const defaults = await allSearchPages({ AccessLevelFilter: ACCOUNT_SELF });
    expect(defaults.map((p) => p.length)).toEqual([20, 20, 17]);
    const zero = await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 0 }));
    expect(zero.ProvisionedProducts).toHaveLength(20);
    expect(zero.TotalResultsCount).toBe(57);
    const max = await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 100 }));
    expect(max.ProvisionedProducts).toHaveLength(57);
    expect(max.NextPageToken).toBeUndefined();
  });

  it('Search sorts by name, createdTime, id, lastRecordId in both orders, across pages', async () => {
    const all = emulator.state.products();
    const sortedNames = all.map((p) => p.name).sort();
    const byName = await allSearchPages({ AccessLevelFilter: ACCOUNT_SELF, SortBy: 'name', PageSize: 25 });
    expect(byName.flat()).toEqual(sortedNames.map((name) => all.find((p) => p.name === name)!.id));
    const desc = await allSearchPages({ AccessLevelFilter: ACCOUNT_SELF, SortBy: 'createdTime', SortOrder: 'DESCENDING', PageSize: 25 });
    const created = desc.flat().map((id) => Date.parse(all.find((p) => p.id === id)!.createdTime));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const byId = await allSearchPages({ AccessLevelFilter: ACCOUNT_SELF, SortBy: 'id' });
    expect(byId.flat()).toEqual(all.map((p) => p.id).sort());
    const byRecord = await allSearchPages({ AccessLevelFilter: ACCOUNT_SELF, SortBy: 'lastRecordId', SortOrder: 'DESCENDING' });
    expect(byRecord.flat()).toHaveLength(57);
    expect((await rejectionOf(client.send(new SearchProvisionedProductsCommand({ SortBy: 'color' })))).name).toBe('InvalidParametersException');
    expect((await rejectionOf(client.send(new SearchProvisionedProductsCommand({ SortBy: 'name', SortOrder: 'UP' as 'ASCENDING' })))).name).toBe(
      'InvalidParametersException',
    );
  });

  it('Search filters with SearchQuery terms: id, name, userArn, userArnSession, status, bare terms (all must match)', async () => {
    const [first] = emulator.state.products();
    const search = (terms: string[]) =>
      client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, Filters: { SearchQuery: terms }, PageSize: 100 }));
    expect((await search([`id:${first!.id}`])).ProvisionedProducts?.map((p) => p.Id)).toEqual([first!.id]);
    // Looked up, not scanned for: the same answer whatever the case, with a count; nothing for an unknown id.
    expect(await search([` ID:${first!.id.toUpperCase()} `])).toMatchObject({ TotalResultsCount: 1, ProvisionedProducts: [{ Id: first!.id }] });
    expect(await search([`id:${first!.id}`, 'status:ERROR'])).toMatchObject({ TotalResultsCount: first!.status === 'ERROR' ? 1 : 0 });
    expect((await search(['id:pp-nosuchproduct'])).TotalResultsCount).toBe(0);
    expect((await search([`name:${first!.name}`])).TotalResultsCount).toBe(1);
    const alice = emulator.state.products().filter((p) => p.owner === ALICE).length;
    expect((await search([`userArn:${ALICE}`])).TotalResultsCount).toBe(alice);
    expect((await search([`userArnSession:${ALICE}`])).TotalResultsCount).toBe(alice);
    const tainted = emulator.state.products().filter((p) => p.status === 'TAINTED').length;
    expect((await search(['status:TAINTED'])).TotalResultsCount).toBe(tainted);
    expect((await search([`status:AVAILABLE`, `userArn:${ALICE}`])).ProvisionedProducts?.every((p) => p.UserArn === ALICE && p.Status === 'AVAILABLE')).toBe(
      true,
    );
    // A bare term matches any field: part of a name, or an owner ARN.
    expect((await search(['payments-api'])).TotalResultsCount).toBe(emulator.state.products().filter((p) => p.name.includes('payments-api')).length);
    expect((await search([ALICE])).TotalResultsCount).toBe(alice);
    expect((await rejectionOf(search(['colour:blue']))).name).toBe('InvalidParametersException');
    expect(
      (await rejectionOf(client.send(new SearchProvisionedProductsCommand({ Filters: { FullText: ['x'] } as unknown as Record<'SearchQuery', string[]> }))))
        .name,
    ).toBe('InvalidParametersException');
  });

  it('Search answers UserArn, UserArnSession, product and artifact names', async () => {
    const out = await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 1 }));
    const [p] = out.ProvisionedProducts!;
    const state = emulator.state.product(p!.Id!)!;
    expect(p).toMatchObject({ UserArn: state.owner, UserArnSession: state.owner, ProductName: state.productName, PhysicalId: state.physicalId, Tags: [] });
  });

  it('a bad or foreign page token is InvalidParametersException', async () => {
    const garbage = await rejectionOf(client.send(new SearchProvisionedProductsCommand({ PageToken: 'not-a-token' })));
    expect(garbage.name).toBe('InvalidParametersException');
    const page = await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 5 }));
    const foreign = await rejectionOf(
      client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, SortBy: 'name', PageToken: page.NextPageToken! })),
    );
    expect(foreign.name).toBe('InvalidParametersException');
    const scanWithSearchToken = await rejectionOf(
      client.send(new ScanProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, PageToken: page.NextPageToken! })),
    );
    expect(scanWithSearchToken.name).toBe('InvalidParametersException');
  });

  it('Scan pages with PageSize up to 20 and answers ProvisionedProductDetail with LaunchRoleArn', async () => {
    const sizes: number[] = [];
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new ScanProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 20, ...(token ? { PageToken: token } : {}) }),
      );
      sizes.push(out.ProvisionedProducts!.length);
      ids.push(...out.ProvisionedProducts!.map((p) => p.Id!));
      token = out.NextPageToken;
    } while (token);
    expect(sizes).toEqual([20, 20, 17]);
    expect(ids).toEqual(emulator.state.products().map((p) => p.id));
    const first = await client.send(new ScanProvisionedProductsCommand({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 20 }));
    const roles = first.ProvisionedProducts!.map((p) => p.LaunchRoleArn);
    expect(roles).toEqual(
      emulator.state
        .products()
        .slice(0, 20)
        .map((p) => p.launchRole),
    );
    expect(roles.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('ListRecordHistory pages newest first, filters by product and provisionedproduct, refuses other keys', async () => {
    const dates: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(new ListRecordHistoryCommand({ AccessLevelFilter: ACCOUNT_SELF, PageSize: 20, ...(token ? { PageToken: token } : {}) }));
      dates.push(...out.RecordDetails!.map((r) => r.CreatedTime!.getTime()));
      token = out.NextPageToken;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(dates).toHaveLength(57);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));

    const [product] = emulator.state.products();
    const family = emulator.state.products().filter((p) => p.productId === product!.productId).length;
    const byProduct = await client.send(
      new ListRecordHistoryCommand({ AccessLevelFilter: ACCOUNT_SELF, SearchFilter: { Key: 'product', Value: product!.productId }, PageSize: 20 }),
    );
    expect(byProduct.RecordDetails).toHaveLength(Math.min(20, family));
    const byPp = await client.send(
      new ListRecordHistoryCommand({ AccessLevelFilter: ACCOUNT_SELF, SearchFilter: { Key: 'provisionedproduct', Value: product!.id } }),
    );
    expect(byPp.RecordDetails?.map((r) => r.ProvisionedProductId)).toEqual([product!.id]);
    expect((await rejectionOf(client.send(new ListRecordHistoryCommand({ SearchFilter: { Key: 'owner', Value: ALICE } })))).name).toBe(
      'InvalidParametersException',
    );
    expect((await rejectionOf(client.send(new ListRecordHistoryCommand({ PageSize: 21 })))).name).toBe('ValidationException');
  });
});

/**
 * UpdateProvisionedProductProperties with the service's semantics: accepted principals, refusals,
 * idempotency before state checks, and the record lifecycle driven by a manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DescribeProvisionedProductCommand,
  DescribeRecordCommand,
  ListRecordHistoryCommand,
  UpdateProvisionedProductPropertiesCommand,
} from '@aws-sdk/client-service-catalog';
import { ALICE, BOB, LEGACY_TAINTED, ORDERS_PROD, PAYMENTS_PROD, rejectionOf, startHarness, type Harness } from './helpers.js';

let h: Harness;
afterEach(() => h?.close());

const update = (productId: string, properties: Record<string, string>, token?: string) =>
  new UpdateProvisionedProductPropertiesCommand({
    ProvisionedProductId: productId,
    ProvisionedProductProperties: properties,
    ...(token ? { IdempotencyToken: token } : {}),
  });

describe('UpdateProvisionedProductProperties', () => {
  it('changes OWNER and LAUNCH_ROLE at once with recordDelayMs 0 and answers the record', async () => {
    h = await startHarness();
    const out = await h.client.send(update(PAYMENTS_PROD, { OWNER: BOB, LAUNCH_ROLE: 'arn:aws:iam::123456789012:role/NewLaunchRole' }, 'tok-1'));
    expect(out.ProvisionedProductId).toBe(PAYMENTS_PROD);
    expect(out.ProvisionedProductProperties).toEqual({ OWNER: BOB, LAUNCH_ROLE: 'arn:aws:iam::123456789012:role/NewLaunchRole' });
    expect(out.RecordId).toMatch(/^rec-[a-z0-9]{13}$/);
    expect(out.Status).toBe('SUCCEEDED');
    const product = h.emulator.state.product(PAYMENTS_PROD)!;
    expect(product.owner).toBe(BOB);
    expect(product.launchRole).toBe('arn:aws:iam::123456789012:role/NewLaunchRole');
    expect(product.lastRecordId).toBe(out.RecordId);
    const described = await h.client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD }));
    expect(described.ProvisionedProductDetail?.LaunchRoleArn).toBe('arn:aws:iam::123456789012:role/NewLaunchRole');
    expect(described.ProvisionedProductDetail?.LastRecordId).toBe(out.RecordId);
  });

  it.each([
    ['an IAM user', 'arn:aws:iam::123456789012:user/new-owner'],
    ['an IAM user with a path', 'arn:aws:iam::123456789012:user/division/team/new.owner@example.com'],
    ['an IAM role', 'arn:aws:iam::123456789012:role/service-role/TeamRole'],
    ['an STS assumed role', 'arn:aws:sts::123456789012:assumed-role/TeamRole/jane.doe'],
  ])('accepts %s as OWNER', async (_label, owner) => {
    h = await startHarness();
    await h.client.send(update(ORDERS_PROD, { OWNER: owner }));
    expect(h.emulator.state.product(ORDERS_PROD)?.owner).toBe(owner);
  });

  it('accepts a GovCloud user for a product in a GovCloud region, and not for one in us-east-1 (one partition)', async () => {
    h = await startHarness({ region: 'us-gov-west-1' });
    await h.client.send(update(ORDERS_PROD, { OWNER: 'arn:aws-us-gov:iam::123456789012:user/gov-user' }));
    expect(h.emulator.state.product(ORDERS_PROD)?.owner).toBe('arn:aws-us-gov:iam::123456789012:user/gov-user');
    await h.close();
    h = await startHarness();
    const error = await rejectionOf(h.client.send(update(ORDERS_PROD, { OWNER: 'arn:aws-us-gov:iam::123456789012:user/gov-user' })));
    expect(error.message).toContain("must be in the provisioned product's partition aws");
  });

  it.each([
    ['a malformed ARN', { OWNER: 'alice' }, 'is not a valid IAM user, IAM role or STS assumed-role ARN'],
    ['an ARN of another account', { OWNER: 'arn:aws:iam::210987654321:user/alice' }, "must belong to the provisioned product's account 123456789012"],
    ['an ARN of another service', { OWNER: 'arn:aws:s3:::bucket/alice' }, 'is not a valid IAM user'],
    ['a group ARN', { OWNER: 'arn:aws:iam::123456789012:group/admins' }, 'is not a valid IAM user'],
    ['an empty OWNER', { OWNER: '' }, 'is not a valid IAM user'],
    ['a user ARN as LAUNCH_ROLE', { LAUNCH_ROLE: ALICE }, 'Only a role ARN is valid'],
    ['an assumed-role ARN as LAUNCH_ROLE', { LAUNCH_ROLE: 'arn:aws:sts::123456789012:assumed-role/R/s1' }, 'Only a role ARN is valid'],
    ['a cross-account LAUNCH_ROLE', { LAUNCH_ROLE: 'arn:aws:iam::999999999999:role/R' }, "must belong to the provisioned product's account"],
    ['an unknown property key', { OWNER: BOB, COLOR: 'blue' }, "Invalid provisioned product property key 'COLOR'"],
  ])('refuses %s with InvalidParametersException and applies nothing', async (_label, properties, message) => {
    h = await startHarness();
    const error = await rejectionOf(h.client.send(update(ORDERS_PROD, properties)));
    expect(error.name).toBe('InvalidParametersException');
    expect(error.message).toContain(message);
    expect(h.emulator.state.product(ORDERS_PROD)?.owner).toBe(BOB);
    expect(h.emulator.state.records().filter((r) => r.recordType === 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES')).toEqual([]);
  });

  it('answers ResourceNotFoundException for an unknown product', async () => {
    h = await startHarness();
    const error = await rejectionOf(h.client.send(update('pp-unknown000000', { OWNER: BOB })));
    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('updates a TAINTED product and keeps its status', async () => {
    h = await startHarness();
    await h.client.send(update(LEGACY_TAINTED, { OWNER: BOB }));
    expect(h.emulator.state.product(LEGACY_TAINTED)).toMatchObject({ owner: BOB, status: 'TAINTED' });
  });

  it('refuses products UNDER_CHANGE or PLAN_IN_PROGRESS with InvalidStateException', async () => {
    const seed = {
      accountId: '123456789012',
      products: [
        { id: 'pp-underchange01', name: 'busy', owner: ALICE, status: 'UNDER_CHANGE' as const },
        { id: 'pp-planinprog001', name: 'planning', owner: ALICE, status: 'PLAN_IN_PROGRESS' as const },
      ],
    };
    h = await startHarness({ seed });
    for (const id of ['pp-underchange01', 'pp-planinprog001']) {
      const error = await rejectionOf(h.client.send(update(id, { OWNER: BOB })));
      expect(error.name).toBe('InvalidStateException');
      expect(h.emulator.state.product(id)?.owner).toBe(ALICE);
    }
  });

  describe('idempotency', () => {
    it('returns the first record for the same token and parameters and applies nothing again', async () => {
      h = await startHarness({ recordDelayMs: 1000 });
      const first = await h.client.send(update(PAYMENTS_PROD, { OWNER: BOB }, 'same-token'));
      // Checked before the state: the product is UNDER_CHANGE because of this very call.
      const again = await h.client.send(update(PAYMENTS_PROD, { OWNER: BOB }, 'same-token'));
      expect(again.RecordId).toBe(first.RecordId);
      expect(again.Status).toBe('CREATED');
      h.clock.advance(2000);
      const later = await h.client.send(update(PAYMENTS_PROD, { OWNER: BOB }, 'same-token'));
      expect(later.RecordId).toBe(first.RecordId);
      expect(later.Status).toBe('SUCCEEDED');
      const updates = h.emulator.state.records().filter((r) => r.recordType === 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES');
      expect(updates).toHaveLength(1);
      expect(h.emulator.state.product(PAYMENTS_PROD)?.recordIds).toHaveLength(2);
    });

    it('refuses the same token with other parameters', async () => {
      h = await startHarness();
      await h.client.send(update(PAYMENTS_PROD, { OWNER: BOB }, 'reused'));
      const otherOwner = await rejectionOf(h.client.send(update(PAYMENTS_PROD, { OWNER: ALICE }, 'reused')));
      expect(otherOwner.name).toBe('InvalidParametersException');
      expect(otherOwner.message).toContain("idempotency token 'reused' was already used with different parameters");
      const otherProduct = await rejectionOf(h.client.send(update(ORDERS_PROD, { OWNER: BOB }, 'reused')));
      expect(otherProduct.name).toBe('InvalidParametersException');
      expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(BOB);
      expect(h.emulator.state.product(ORDERS_PROD)?.recordIds).toHaveLength(1);
    });

    it('treats the same properties in another order as the same parameters', async () => {
      h = await startHarness();
      const role = 'arn:aws:iam::123456789012:role/R';
      const first = await h.client.send(update(PAYMENTS_PROD, { OWNER: BOB, LAUNCH_ROLE: role }, 't-order'));
      const second = await h.client.send(update(PAYMENTS_PROD, { LAUNCH_ROLE: role, OWNER: BOB }, 't-order'));
      expect(second.RecordId).toBe(first.RecordId);
    });
  });

  describe('record lifecycle (manual clock)', () => {
    it('moves CREATED → IN_PROGRESS → SUCCEEDED, holds the product UNDER_CHANGE, then applies', async () => {
      h = await startHarness({ recordDelayMs: 500 });
      const start = h.clock.now();
      const out = await h.client.send(update(PAYMENTS_PROD, { OWNER: BOB }, 'life'));
      expect(out.Status).toBe('CREATED');
      const recordId = out.RecordId!;
      const look = async () => ({
        record: (await h.client.send(new DescribeRecordCommand({ Id: recordId }))).RecordDetail!,
        product: (await h.client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD }))).ProvisionedProductDetail!,
        owner: h.emulator.state.product(PAYMENTS_PROD)!.owner,
      });

      let now = await look();
      expect([now.record.Status, now.product.Status, now.owner]).toEqual(['CREATED', 'UNDER_CHANGE', ALICE]);
      const busy = await rejectionOf(h.client.send(update(PAYMENTS_PROD, { OWNER: ALICE }, 'other')));
      expect(busy.name).toBe('InvalidStateException');

      h.clock.advance(499);
      expect((await look()).record.Status).toBe('CREATED');
      h.clock.advance(1);
      now = await look();
      expect([now.record.Status, now.product.Status, now.owner]).toEqual(['IN_PROGRESS', 'UNDER_CHANGE', ALICE]);
      expect(now.record.UpdatedTime).toEqual(new Date(start + 500));

      h.clock.advance(500);
      now = await look();
      expect([now.record.Status, now.product.Status, now.owner]).toEqual(['SUCCEEDED', 'AVAILABLE', BOB]);
      expect(now.record).toMatchObject({
        RecordType: 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES',
        ProvisionedProductId: PAYMENTS_PROD,
        ProvisionedProductName: 'payments-api-prod',
        LaunchRoleArn: 'arn:aws:iam::123456789012:role/SCLaunch-Payments',
        RecordErrors: [],
        CreatedTime: new Date(start),
        UpdatedTime: new Date(start + 1000),
      });

      // The record joined the product's history, newest first.
      const history = await h.client.send(
        new ListRecordHistoryCommand({
          AccessLevelFilter: { Key: 'Account', Value: 'Self' },
          SearchFilter: { Key: 'provisionedproduct', Value: PAYMENTS_PROD },
        }),
      );
      expect(history.RecordDetails?.map((r) => r.RecordType)).toEqual(['UPDATE_PROVISIONED_PRODUCT_PROPERTIES', 'PROVISION_PRODUCT']);
      expect(history.RecordDetails?.[0]?.RecordId).toBe(recordId);
    });
  });
});

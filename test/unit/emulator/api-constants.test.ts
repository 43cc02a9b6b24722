/**
 * The emulator and the client each write the API's constants down (the emulator may borrow none
 * of the client's code, or it would agree with it by construction): this test holds them equal.
 */
import { describe, expect, it } from 'vitest';
import { PropertyKey } from '@aws-sdk/client-service-catalog';
import { SCAN_PAGE_SIZE, SEARCH_PAGE_SIZE } from '../../../src/aws/service-catalog-api.js';
import { PROPERTY_KEYS } from '../../../src/emulator/constants.js';
import { INPUT_SHAPES } from '../../../src/emulator/input-shapes.js';
import { PROPERTY_VALUE_MAX_LENGTH, PROVISIONED_PRODUCT_ID_MAX_LENGTH } from '../../../src/input/api-constraints.js';
import { IDEMPOTENCY_TOKEN_MAX_LENGTH, IDEMPOTENCY_TOKEN_PATTERN } from '../../../src/transfer/token.js';

type Shape = { kind: string; max?: number; pattern?: string; members?: Record<string, Shape>; value?: Shape };
const member = (operation: keyof typeof INPUT_SHAPES, name: string): Shape => {
  const shape = (INPUT_SHAPES[operation] as Shape).members?.[name];
  if (shape === undefined) throw new Error(`${operation} has no member ${name}`);
  return shape;
};

describe('the API constants, as the emulator and the client write them', () => {
  it('the idempotency token: length and pattern', () => {
    const token = member('UpdateProvisionedProductProperties', 'IdempotencyToken');
    expect(token.max).toBe(IDEMPOTENCY_TOKEN_MAX_LENGTH);
    expect(`^${token.pattern ?? ''}$`).toBe(IDEMPOTENCY_TOKEN_PATTERN.source);
  });

  it('page sizes: Search 100, Scan 20', () => {
    expect(member('SearchProvisionedProducts', 'PageSize').max).toBe(SEARCH_PAGE_SIZE);
    expect(member('ScanProvisionedProducts', 'PageSize').max).toBe(SCAN_PAGE_SIZE);
  });

  it('the product id and a property value: their longest', () => {
    expect(member('UpdateProvisionedProductProperties', 'ProvisionedProductId').max).toBe(PROVISIONED_PRODUCT_ID_MAX_LENGTH);
    expect(member('UpdateProvisionedProductProperties', 'ProvisionedProductProperties').value?.max).toBe(PROPERTY_VALUE_MAX_LENGTH);
  });

  it("the property keys: the SDK's model (what the client sends) and the emulator's", () => {
    expect([...PROPERTY_KEYS].sort()).toEqual(Object.values(PropertyKey).sort());
  });
});

import { describe, expect, it } from 'vitest';
import { PackedStringIndex, PackedStrings } from '../../../src/packed-strings.js';
import { historyCode, ProductTable, type ProductDraft } from '../../../src/report/story/product-table.js';

const OWNER = 'arn:aws:iam::123456789012:user/bob';

describe('PackedStrings and PackedStringIndex', () => {
  it('give back every string as added, multi-byte text and growth past the first buffer included', () => {
    const strings = new PackedStrings();
    const texts = Array.from({ length: 5000 }, (_, i) => `rec-${i}-${'é'.repeat(i % 7)}-${'x'.repeat(i % 40)}`);
    const numbers = texts.map((text) => strings.add(text));
    expect(strings.add('')).toBe(0);
    expect(numbers.map((n) => strings.at(n))).toEqual(texts);
    expect(strings.at(0)).toBe('');
  });

  it('numbers distinct strings from 1 in first-seen order and finds them exactly', () => {
    const index = new PackedStringIndex();
    const ids = Array.from({ length: 3000 }, (_, i) => `pp-${i.toString(36)}`);
    expect(ids.map((id) => index.numberOf(id))).toEqual(ids.map((_, i) => i + 1));
    expect(ids.map((id) => index.numberOf(id))).toEqual(ids.map((_, i) => i + 1));
    expect(index.size).toBe(3000);
    expect(index.find('pp-0')).toBe(1);
    expect(index.find('pp-nope')).toBeUndefined();
    expect(index.at(3000)).toBe(ids[2999]);
  });
});

describe('ProductTable', () => {
  it('reads back what was written for thousands of products, in first-seen order', () => {
    const table = new ProductTable();
    const count = 2500;
    for (let i = 0; i < count; i += 1) {
      const slot = table.slotOf(`pp-${i}`, i + 2, i % 2 === 0 ? '' : 'eu-west-1');
      const draft: ProductDraft = {
        ...table.read(slot),
        readOwner: true,
        previousOwner: `arn:aws:iam::123456789012:user/u${i % 3}`,
        newOwner: OWNER,
        state: i % 5 === 0 ? 'failed' : 'succeeded',
        applied: i % 5 !== 0,
        recordId: i % 5 === 0 ? '' : `rec-${i}`,
        errorCode: i % 5 === 0 ? 'ResourceNotFoundException' : '',
        errorMessage: i % 5 === 0 ? `pp-${i} not found` : '',
        attempts: i % 4,
        lastAt: new Date(Date.UTC(2026, 11, 1) + i * 37).toISOString(),
      };
      table.write(slot, draft);
      table.setLastEvent(slot, historyCode(1, 'in-flight'), false);
      table.setLastEvent(slot, historyCode(1, draft.state), true);
      if (i % 2 === 0) table.setLastEvent(slot, historyCode(2, 'skipped'), false);
    }
    expect(table.length).toBe(count);
    expect(table.slotOf('pp-7', 999, 'us-west-2')).toBe(7);
    const products = [...table];
    expect(products.map((p) => p.provisionedProductId)).toEqual(Array.from({ length: count }, (_, i) => `pp-${i}`));
    expect(products[10]).toMatchObject({
      line: 12,
      region: '',
      state: 'failed',
      changed: false,
      recordId: '',
      errorMessage: 'pp-10 not found',
      attempts: 2,
      accountId: '123456789012',
      history: [
        { invocation: 1, state: 'failed' },
        { invocation: 2, state: 'skipped' },
      ],
    });
    expect(products[2499]).toMatchObject({
      region: 'eu-west-1',
      recordId: 'rec-2499',
      changed: true,
      lastAt: new Date(Date.UTC(2026, 11, 1) + 2499 * 37).toISOString(),
    });
    expect(products[2499]!.history).toEqual([{ invocation: 1, state: 'succeeded' }]);
    expect(table.slice(2498, 9999).map((p) => p.line)).toEqual([2500, 2501]);
  });

  it('keeps a time the ledger wrote in another shape as it was written, and a record id only when it changed', () => {
    const table = new ProductTable();
    const slot = table.slotOf('pp-odd', 2, '');
    table.write(slot, { ...table.read(slot), lastAt: '2026-12-01T09:00:00Z', recordId: 'rec-1' });
    expect(table.read(slot)).toMatchObject({ lastAt: '2026-12-01T09:00:00Z', recordId: 'rec-1' });
    table.write(slot, { ...table.read(slot), lastAt: 'not a time' });
    expect(table.read(slot).lastAt).toBe('not a time');
    table.write(slot, { ...table.read(slot), lastAt: '2026-12-01T09:00:00.000Z', recordId: 'rec-2' });
    expect(table.read(slot)).toMatchObject({ lastAt: '2026-12-01T09:00:00.000Z', recordId: 'rec-2' });
  });
});

import { describe, expect, it } from 'vitest';
import { INVALID_TARGET } from '../../../src/input/duplicates.js';
import { ProductIndex } from '../../../src/input/product-index.js';

describe('ProductIndex', () => {
  it('keeps each product\'s first line and target, through many growths, and answers has/size', () => {
    const index = new ProductIndex();
    const n = 50_000; // grows from 1,024 slots to 131,072
    for (let i = 0; i < n; i += 1) index.set(`pp-${i.toString(36).padStart(12, '0')}`, i + 2, i % 3 === 0 ? INVALID_TARGET : 2 ** 52 + i);
    expect(index.size).toBe(n);
    for (let i = 0; i < n; i += 1) {
      const id = `pp-${i.toString(36).padStart(12, '0')}`;
      expect(index.has(id)).toBe(true);
      expect(index.firstLine(id)).toBe(i + 2);
      expect(index.targetOfFirst(id)).toBe(i % 3 === 0 ? INVALID_TARGET : 2 ** 52 + i);
    }
    expect(index.has('pp-notthere0000')).toBe(false);
    expect(index.firstLine('pp-notthere0000')).toBeUndefined();
    expect(index.targetOfFirst('pp-notthere0000')).toBeUndefined();
  });

  it('replaces a product\'s entry without counting it twice', () => {
    const index = new ProductIndex();
    index.set('pp-a', 2, INVALID_TARGET);
    index.set('pp-a', 2, 42);
    expect(index.size).toBe(1);
    expect(index.targetOfFirst('pp-a')).toBe(42);
  });

  it('refuses a line it could not store (0 marks an empty slot)', () => {
    expect(() => new ProductIndex().set('pp-a', 0, 1)).toThrow('line must be an integer from 1 to 2^32-1, got 0');
  });
});

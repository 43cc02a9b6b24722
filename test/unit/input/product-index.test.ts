import { describe, expect, it } from 'vitest';
import { DuplicateTracker, INVALID_TARGET } from '../../../src/input/duplicates.js';
import { ProductIndex } from '../../../src/input/product-index.js';

describe('ProductIndex', () => {
  it("keeps each product's first line and target, through many growths, and answers has/size", () => {
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

  it("replaces a product's entry without counting it twice", () => {
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

describe('DuplicateTracker over a ProductIndex whose hash collides', () => {
  const colliding = () => new ProductIndex(() => [7, 7]);

  it("the run pass tells two products sharing a hash apart: neither is skipped as the other's duplicate", () => {
    const validation = new DuplicateTracker(undefined, colliding);
    expect(validation.observe('pp-a', 2, 99)).toEqual({ kind: 'first' });
    // The validation pass cannot tell: same hash, same target.
    expect(validation.observe('pp-b', 3, 99)).toEqual({ kind: 'duplicate', firstLine: 2 });
    const run = new DuplicateTracker(validation.products);
    expect(run.observe('pp-a', 2, 99)).toEqual({ kind: 'first' });
    expect(run.observe('pp-b', 3, 99)).toEqual({ kind: 'first' });
    // A real repeat of pp-a is still a duplicate, and a repeat of pp-b is one of pp-b's first line.
    expect(validation.observe('pp-a', 4, 99)).toEqual({ kind: 'duplicate', firstLine: 2 });
    expect(validation.observe('pp-b', 5, 99)).toEqual({ kind: 'duplicate', firstLine: 2 });
    expect(run.observe('pp-a', 4, 99)).toEqual({ kind: 'duplicate', firstLine: 2 });
    expect(run.observe('pp-b', 5, 99)).toEqual({ kind: 'duplicate', firstLine: 3 });
  });

  it("without a collision, the run pass gives the validation pass's verdicts", () => {
    const validation = new DuplicateTracker();
    validation.observe('pp-a', 2, 1);
    validation.observe('pp-a', 3, 1);
    validation.observe('pp-b', 4, 1);
    const run = new DuplicateTracker(validation.products);
    expect([run.observe('pp-a', 2, 1), run.observe('pp-a', 3, 1), run.observe('pp-b', 4, 1)]).toEqual([
      { kind: 'first' },
      { kind: 'duplicate', firstLine: 2 },
      { kind: 'first' },
    ]);
    expect([...validation.products.repeatedFirstLines]).toEqual([2]);
  });
});

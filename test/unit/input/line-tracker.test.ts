import { describe, expect, it } from 'vitest';
import { LineTracker } from '../../../src/input/line-tracker.js';
import { targetHash } from '../../../src/input/duplicates.js';

describe('LineTracker', () => {
  it('counts LF, CRLF and lone CR as one line break each', () => {
    const t = new LineTracker();
    expect(t.consume('a,b\n')).toBe(1);
    expect(t.consume('\r\n\r\nc,d\r\n')).toBe(4);
    expect(t.consume('e,"f\r\ng"\r')).toBe(5); // csv-parse drops the LF of a CRLF delimiter from raw
    expect(t.consume('h\ri\n')).toBe(7);
    expect(t.line).toBe(9);
  });

  it('does not count an LF that follows a CR ending the previous raw text', () => {
    const t = new LineTracker();
    t.consume('a\r');
    expect(t.consume('\nb')).toBe(2);
  });
});

describe('targetHash', () => {
  it('tells owner-only from launch-role-only and is stable', () => {
    expect(targetHash('x', undefined)).not.toBe(targetHash(undefined, 'x'));
    expect(targetHash('x', 'y')).toBe(targetHash('x', 'y'));
    expect(targetHash('x', 'y')).not.toBe(targetHash('y', 'x'));
    expect(Number.isSafeInteger(targetHash('a', 'b'))).toBe(true);
    expect(targetHash('a', 'b')).toBeGreaterThanOrEqual(0);
  });
});

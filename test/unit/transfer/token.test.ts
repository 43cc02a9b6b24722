import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  IDEMPOTENCY_TOKEN_MAX_LENGTH,
  IDEMPOTENCY_TOKEN_PATTERN,
  RUN_ID_PATTERN,
  TOKEN_SCHEME,
  deriveIdempotencyToken,
  type TokenFields,
} from '../../../src/transfer/token.js';

const OWNER = 'arn:aws:iam::123456789012:role/NewOwner';
const ROLE = 'arn:aws:iam::123456789012:role/LaunchRole';
const base: TokenFields = { provisionedProductId: 'pp-4kq2x7mzp1ab', newOwner: OWNER, launchRole: ROLE };

/** The formula of the header comment of token.ts, written out independently. */
function documentedFormula(runId: string, productId: string, owner: string, launchRole: string): string {
  const material = JSON.stringify(['sot1', runId, productId, owner, launchRole]);
  return `sot1-${createHash('sha256').update(material, 'utf8').digest('hex').slice(0, 64)}`;
}

describe('deriveIdempotencyToken', () => {
  it('matches the documented formula (golden value)', () => {
    const token = deriveIdempotencyToken('run-2024-07', base);
    expect(token).toBe(documentedFormula('run-2024-07', base.provisionedProductId, OWNER, ROLE));
    // Hard-coded once: a change of scheme (salt, field order, encoding) must be a deliberate bump.
    expect(token).toBe('sot1-a3ff4f4205b0ff7ae12cd2af21f9a4627c8597ba869c73702f71a6b2d21a16b6');
    expect(TOKEN_SCHEME).toBe('sot1');
  });

  it('is deterministic: the same row gives the same token every time', () => {
    const a = deriveIdempotencyToken('r1', base);
    const b = deriveIdempotencyToken('r1', { ...base });
    expect(a).toBe(b);
  });

  it('changes when any of product, owner, launch role or run id changes', () => {
    const reference = deriveIdempotencyToken('r1', base);
    const variants = [
      deriveIdempotencyToken('r2', base),
      deriveIdempotencyToken('', base),
      deriveIdempotencyToken('r1', { ...base, provisionedProductId: 'pp-4kq2x7mzp1ac' }),
      deriveIdempotencyToken('r1', { ...base, newOwner: `${OWNER}2` }),
      deriveIdempotencyToken('r1', { ...base, newOwner: undefined }),
      deriveIdempotencyToken('r1', { ...base, launchRole: `${ROLE}2` }),
      deriveIdempotencyToken('r1', { ...base, launchRole: undefined }),
    ];
    for (const variant of variants) expect(variant).not.toBe(reference);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('does not let one field bleed into the next (owner vs launch role swapped)', () => {
    const a = deriveIdempotencyToken('r', { provisionedProductId: 'pp-1', newOwner: 'x', launchRole: undefined });
    const b = deriveIdempotencyToken('r', { provisionedProductId: 'pp-1', newOwner: undefined, launchRole: 'x' });
    const c = deriveIdempotencyToken('r', { provisionedProductId: 'pp-1', newOwner: 'a","b', launchRole: undefined });
    const d = deriveIdempotencyToken('r', { provisionedProductId: 'pp-1', newOwner: 'a', launchRole: 'b' });
    expect(a).not.toBe(b);
    expect(c).not.toBe(d);
  });

  it('trims every field, run id included', () => {
    const trimmed = deriveIdempotencyToken('r1', base);
    const padded = deriveIdempotencyToken('  r1\t', {
      provisionedProductId: ` ${base.provisionedProductId} `,
      newOwner: `\t${OWNER}  `,
      launchRole: ` ${ROLE}\n`,
    });
    expect(padded).toBe(trimmed);
  });

  it('treats an absent value and an empty (or blank) one alike', () => {
    const absent = deriveIdempotencyToken('r1', { ...base, launchRole: undefined });
    expect(deriveIdempotencyToken('r1', { ...base, launchRole: '' })).toBe(absent);
    expect(deriveIdempotencyToken('r1', { ...base, launchRole: '   ' })).toBe(absent);
    expect(absent).toBe(documentedFormula('r1', base.provisionedProductId, OWNER, ''));
  });

  it('ignores extra columns and the line number of a row', () => {
    const row1 = { line: 2, ...base, extra: { ticket: 'CHG-1' } };
    const row2 = { line: 917, ...base, extra: { ticket: 'CHG-2', note: 'moved' } };
    expect(deriveIdempotencyToken('r1', row1)).toBe(deriveIdempotencyToken('r1', row2));
  });

  it('fits the API: pattern and length, also for long and unusual inputs', () => {
    const inputs: Array<[string, TokenFields]> = [
      ['', base],
      ['x'.repeat(64), { provisionedProductId: 'pp-' + 'z'.repeat(200), newOwner: 'é☃ "quoted" \\', launchRole: undefined }],
      ['r', { provisionedProductId: 'pp-1', newOwner: undefined, launchRole: undefined }],
    ];
    for (const [runId, fields] of inputs) {
      const token = deriveIdempotencyToken(runId, fields);
      expect(token).toMatch(IDEMPOTENCY_TOKEN_PATTERN);
      expect(token).toMatch(/^sot1-[0-9a-f]{64}$/);
      expect(token.length).toBe(69);
      expect(token.length).toBeLessThanOrEqual(IDEMPOTENCY_TOKEN_MAX_LENGTH);
    }
  });
});

describe('token patterns', () => {
  it('IDEMPOTENCY_TOKEN_PATTERN matches the whole value', () => {
    expect(IDEMPOTENCY_TOKEN_PATTERN.test('a_b-C9')).toBe(true);
    expect(IDEMPOTENCY_TOKEN_PATTERN.test('-abc')).toBe(false);
    expect(IDEMPOTENCY_TOKEN_PATTERN.test('abc def')).toBe(false);
    expect(IDEMPOTENCY_TOKEN_PATTERN.test('')).toBe(false);
  });

  it('RUN_ID_PATTERN accepts short printable ids only', () => {
    expect(RUN_ID_PATTERN.test('run-2024.07_a')).toBe(true);
    expect(RUN_ID_PATTERN.test('a'.repeat(64))).toBe(true);
    expect(RUN_ID_PATTERN.test('a'.repeat(65))).toBe(false);
    expect(RUN_ID_PATTERN.test('.hidden')).toBe(false);
    expect(RUN_ID_PATTERN.test('has space')).toBe(false);
  });
});

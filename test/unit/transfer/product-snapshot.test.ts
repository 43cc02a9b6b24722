/** The account read's compact store: what goes in comes out, by id, with few-distinct values kept once. */
import { describe, expect, it } from 'vitest';
import type { ProductFacts } from '../../../src/aws/service-catalog-api.js';
import { ProductSnapshot } from '../../../src/transfer/product-snapshot.js';

const facts = (i: number, over: Partial<ProductFacts> = {}): ProductFacts => ({
  id: `pp-${String(i).padStart(12, '0')}`,
  arn: `arn:aws:servicecatalog:us-east-1:123456789012:stack/stack-${i}/pp-${String(i).padStart(12, '0')}`,
  status: i % 3 === 0 ? 'TAINTED' : 'AVAILABLE',
  owner: `arn:aws:iam::123456789012:user/owner-${i % 4}`,
  ownerSession: undefined,
  launchRole: undefined,
  lastRecordId: `rec-${i}`,
  ...over,
});

describe('ProductSnapshot', () => {
  it('gives back each kept product as it was kept, across its columns growing', () => {
    const snapshot = new ProductSnapshot();
    for (let i = 0; i < 5000; i += 1) snapshot.set(facts(i, i === 7 ? { ownerSession: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' } : {}));
    expect(snapshot.size).toBe(5000);
    for (const i of [0, 7, 1023, 1024, 4999]) {
      expect(snapshot.get(facts(i).id)).toEqual(i === 7 ? facts(7, { ownerSession: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' }) : facts(i));
    }
    expect(snapshot.get('pp-nothere')).toBeUndefined();
  });

  it('takes Scan’s status and launch role for a product Search showed, keeping its owner', () => {
    const snapshot = new ProductSnapshot();
    snapshot.set(facts(1));
    expect(snapshot.setStatusAndLaunchRole(facts(1).id, 'UNDER_CHANGE', 'arn:aws:iam::123456789012:role/Launch')).toBe(true);
    expect(snapshot.get(facts(1).id)).toEqual(facts(1, { status: 'UNDER_CHANGE', launchRole: 'arn:aws:iam::123456789012:role/Launch' }));
    // A product Search did not show is not made up: the caller keeps Scan's facts whole.
    expect(snapshot.setStatusAndLaunchRole(facts(2).id, 'AVAILABLE', undefined)).toBe(false);
    expect(snapshot.get(facts(2).id)).toBeUndefined();
  });

  it('replaces what it kept of a product shown twice, and keeps an empty status as empty', () => {
    const snapshot = new ProductSnapshot();
    snapshot.set(facts(1));
    snapshot.set(facts(1, { owner: undefined, status: '', lastRecordId: 'rec-new' }));
    expect(snapshot.size).toBe(1);
    expect(snapshot.get(facts(1).id)).toEqual(facts(1, { owner: undefined, status: '', lastRecordId: 'rec-new' }));
  });

  it('gives back any ARN exactly, whether or not it has the usual shape', () => {
    const snapshot = new ProductSnapshot();
    const arns = ['arn:aws:servicecatalog:us-east-1:123456789012:stack/s/pp-1', 'no-slash-at-all', 'x/pp-1', 'a/b/pp-1/extra', '/pp-1', ''];
    for (const [i, arn] of arns.entries()) {
      snapshot.set(facts(1, { id: `pp-1`, arn }));
      expect(snapshot.get('pp-1')?.arn, `ARN ${i}`).toBe(arn);
    }
  });
});

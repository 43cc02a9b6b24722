/** The confirmation on a terminal: no question when nothing would change; an endpoint's user and password masked. */
import { describe, expect, it } from 'vitest';
import { describeIntent, nothingToChange } from '../../../src/commands/run-confirm.js';
import { emptyCounts } from '../../../src/transfer/counters.js';

const counts = (over: Partial<ReturnType<typeof emptyCounts>>) => ({ ...emptyCounts(4), ...over });

describe('nothingToChange', () => {
  it('says so when every row was decided and none would change', () => {
    expect(nothingToChange(counts({ skipped: 3, failed: 1, finished: 4 }))).toBe(
      'Nothing to change: 3 rows to skip (done or already in target), 1 failing (run --dry-run to see why); not asking, and no update will be sent.\n',
    );
    expect(nothingToChange(counts({ skipped: 1, finished: 1 }))).toContain('1 row to skip');
  });

  it('asks when a row would change, or when the preview left rows undecided', () => {
    expect(nothingToChange(counts({ wouldChange: 1, skipped: 3, finished: 4 }))).toBeUndefined();
    expect(nothingToChange(counts({ notStarted: 4, finished: 4 }))).toBeUndefined();
  });
});

describe('describeIntent', () => {
  it("masks an endpoint's user and password as the log does", () => {
    const text = describeIntent({
      region: 'us-east-1',
      endpoint: 'http://me:pw@127.0.0.1:4566',
      account: '123456789012',
      preview: counts({ wouldChange: 2, finished: 2 }),
      targets: { owners: new Map([['arn:aws:iam::123456789012:user/zoe', 2]]), launchRoles: new Map() },
    });
    expect(text).toContain('endpoint http://***@127.0.0.1:4566:');
    expect(text).not.toContain('pw');
  });
});

/** Choosing per-row or account-wide reads by their cost in calls. */
import { describe, expect, it } from 'vitest';
import { accountReadCost, chooseProductReader, perRowCost } from '../../../src/transfer/product-reader.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/transfer/retry-policy.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { drive, FakeApi, laneOf, row, ROLE } from './transfer-run-fakes.js';

function account(size: number) {
  const clock = new ManualClock();
  const api = new FakeApi(clock);
  for (let i = 0; i < size; i += 1) api.product(`pp-${String(i).padStart(5, '0')}`, { launchRole: `arn:aws:iam::123456789012:role/R${i}` });
  const lane = laneOf(clock, api).lanes[0]!;
  const attempt = { policy: DEFAULT_RETRY_POLICY, clock, random: () => 0, signal: lane.signal };
  return { api, lane, attempt, clock };
}

const ids = (n: number) => new Set(Array.from({ length: n }, (_, i) => `pp-${String(i).padStart(5, '0')}`));

describe('costs', () => {
  it('per row: one Search, plus a Describe for a row that sets a launch role; account-wide: Search pages of 100, Scan pages of 20', () => {
    expect(perRowCost({ productIds: ids(10), rowsSettingLaunchRole: 4 })).toBe(14);
    expect(accountReadCost(250, false)).toBe(3);
    expect(accountReadCost(250, true)).toBe(3 + 13);
    expect(accountReadCost(0, true)).toBe(2);
  });
});

describe('chooseProductReader', () => {
  it('reads a row or two one by one without asking the account size', async () => {
    const { api, lane, attempt } = account(500);
    const chosen = await chooseProductReader({ productIds: ids(2), rowsSettingLaunchRole: 0 }, lane, attempt);
    expect(chosen).toMatchObject({ kind: 'chosen', reader: { strategy: 'per-row' } });
    expect(api.log).toEqual([]);
  });

  it('reads a large account page by page when most of it is in the CSV, keeping only its products', async () => {
    const { api, lane, attempt, clock } = account(250);
    // The reads go through the lane's limiters, which wait on the manual clock.
    const chosen = await drive(clock, chooseProductReader({ productIds: ids(200), rowsSettingLaunchRole: 100 }, lane, attempt));
    expect(chosen).toMatchObject({ kind: 'chosen', reader: { strategy: 'account (16 pages read)' } });
    expect(api.log.filter((entry) => entry.startsWith('search-page'))).toHaveLength(3);
    expect(api.log.filter((entry) => entry.startsWith('scan-page'))).toHaveLength(13);
    if (chosen.kind !== 'chosen') throw new Error('unreachable');
    const before = api.log.length;
    // Answered from the pages: owner from Search, launch role from Scan, no call.
    const answer = await chosen.reader.read(row(2, 'pp-00007', undefined, ROLE), lane, attempt);
    expect(answer).toMatchObject({ kind: 'found', facts: { owner: 'arn:aws:iam::123456789012:user/alice', launchRole: 'arn:aws:iam::123456789012:role/R7' } });
    expect(api.log).toHaveLength(before);
    // A product the pages did not show is read on its own, so "not found" is the service's word.
    expect(await chosen.reader.read(row(3, 'pp-99999'), lane, attempt)).toEqual({ kind: 'not-found' });
    expect(api.log.at(-1)).toBe('search:pp-99999');
  });

  it('reads per row when the account is much larger than the CSV', async () => {
    const { api, lane, attempt } = account(1000);
    const chosen = await chooseProductReader({ productIds: ids(5), rowsSettingLaunchRole: 0 }, lane, attempt);
    expect(chosen).toMatchObject({ kind: 'chosen', reader: { strategy: 'per-row' } });
    expect(api.log).toEqual(['search-page:0']);
  });
});

/** A lane's limiters started where an earlier invocation of the checkpoint left them, and what a lane gives the ledger to remember (issue 25). */
import { describe, expect, it } from 'vitest';
import { Lane, startingPoint } from '../../../src/transfer/lane.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { FakeApi } from './transfer-run-fakes.js';

function lane(options: Partial<ConstructorParameters<typeof Lane>[0]> = {}): Lane {
  const clock = new ManualClock();
  return new Lane({ name: '123456789012', api: new FakeApi(clock), maxRate: 10, clock, ...options });
}

describe('startingPoint', () => {
  it('caps a remembered rate by the ceiling of today, floors it, and probes only from a settled one', () => {
    expect(startingPoint({ rate: 7.5, settled: true }, 10)).toEqual({ initialRate: 7.5, startProbing: true });
    expect(startingPoint({ rate: 7.5, settled: false }, 10)).toEqual({ initialRate: 7.5, startProbing: false });
    // --rate lowered since.
    expect(startingPoint({ rate: 40, settled: true }, 10)).toEqual({ initialRate: 10, startProbing: true });
    // A settled rate is evidence of the quota, however low (down to the limiter's floor); a rate
    // never throttled (an earlier ceiling of 2) never starts below where a limiter starts anyway.
    expect(startingPoint({ rate: 0.5, settled: true }, 10)).toEqual({ initialRate: 0.5, startProbing: true });
    expect(startingPoint({ rate: 0.01, settled: true }, 10)).toEqual({ initialRate: 0.2, startProbing: true });
    expect(startingPoint({ rate: 2, settled: false }, 10)).toEqual({ initialRate: 4, startProbing: false });
    expect(startingPoint({ rate: 2, settled: false }, 3)).toEqual({ initialRate: 3, startProbing: false });
    expect(startingPoint({ rate: 0.01, settled: true }, 0.1)).toEqual({ initialRate: 0.1, startProbing: true });
    // Not a rate: the limiter starts as it would have.
    expect(startingPoint({ rate: Number.NaN, settled: true }, 10)).toBeUndefined();
    expect(startingPoint({ rate: 0, settled: false }, 10)).toBeUndefined();
  });
});

describe('Lane start rates', () => {
  it('starts each remembered operation there (under its own ceiling), the others as before', () => {
    const l = lane({
      maxRateFor: { DescribeRecord: 3 },
      startRates: { UpdateProvisionedProductProperties: { rate: 6.5, settled: true }, DescribeRecord: { rate: 8, settled: false } },
    });
    expect(l.limiter('UpdateProvisionedProductProperties').stats).toMatchObject({ rate: 6.5, settled: true });
    expect(l.limiter('DescribeRecord').stats).toMatchObject({ rate: 3, settled: false });
    expect(l.limiter('SearchProvisionedProducts').rate).toBe(4);
  });

  it('startFrom sets where the limiters not made yet start, and says where each will', () => {
    const l = lane({ initialRate: 5 });
    const made = l.limiter('DescribeRecord');
    const starts = l.startFrom({
      UpdateProvisionedProductProperties: { rate: 25, settled: true },
      DescribeRecord: { rate: 2, settled: true },
      SearchProvisionedProducts: { rate: 6, settled: false },
    });
    expect(starts).toEqual({ UpdateProvisionedProductProperties: { rate: 10, settled: true }, SearchProvisionedProducts: { rate: 6, settled: false } });
    expect(l.limiter('DescribeRecord')).toBe(made); // made already: it goes on as it is
    expect(made.rate).toBe(5);
    expect(l.limiter('UpdateProvisionedProductProperties').stats).toMatchObject({ rate: 10, settled: true });
    expect(l.limiter('SearchProvisionedProducts').stats).toMatchObject({ rate: 6, settled: false });
    expect(l.limiter('ScanProvisionedProducts').rate).toBe(5); // not remembered: the lane's own start
  });

  it('remembers each operation that sent requests: its rate now, and whether a throttle settled it', async () => {
    const l = lane({ maxRate: 50 });
    expect(l.ratesToRemember()).toEqual({});
    const update = l.limiter('UpdateProvisionedProductProperties');
    l.limiter('DescribeRecord'); // made, never used: nothing to remember
    const search = l.limiter('SearchProvisionedProducts');
    const permit = await update.acquire();
    update.onThrottle(permit);
    search.take(search.reserve());
    expect(l.ratesToRemember()).toEqual({
      UpdateProvisionedProductProperties: { rate: 3.8, settled: true },
      SearchProvisionedProducts: { rate: 4, settled: false },
    });
    // A lane started probing at a settled rate stays settled, throttled or not.
    const resumed = lane({ startRates: { UpdateProvisionedProductProperties: { rate: 7.123456789, settled: true } } });
    const again = resumed.limiter('UpdateProvisionedProductProperties');
    again.take(again.reserve());
    expect(resumed.ratesToRemember()).toEqual({ UpdateProvisionedProductProperties: { rate: 7.12346, settled: true } });
  });
});

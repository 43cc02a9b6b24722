import { describe, expect, it } from 'vitest';
import { Lane, singleLane } from '../../../src/transfer/lane.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { FakeApi, row } from './transfer-run-fakes.js';

function lane(options: Partial<ConstructorParameters<typeof Lane>[0]> = {}): Lane {
  const clock = new ManualClock();
  return new Lane({ name: '123456789012', api: new FakeApi(clock), maxRate: 10, clock, ...options });
}

describe('Lane', () => {
  it('has one limiter per operation, made on first use, each with its own ceiling', () => {
    // Started at their ceiling, so the ceilings show.
    const l = lane({ maxRateFor: { DescribeRecord: 3 }, initialRate: 1000 });
    const update = l.limiter('UpdateProvisionedProductProperties');
    expect(l.limiter('UpdateProvisionedProductProperties')).toBe(update);
    expect(l.limiter('DescribeRecord')).not.toBe(update);
    expect(update.rate).toBe(10);
    expect(l.limiter('DescribeRecord').rate).toBe(3);
    // By default a limiter starts low, to find the quota from below.
    expect(lane().limiter('UpdateProvisionedProductProperties').rate).toBe(4);
    expect(Object.keys(l.limiterStats()).sort()).toEqual(['DescribeRecord', 'UpdateProvisionedProductProperties']);
  });

  it('stops once (the first reason stays) and abandons its requests in flight on its own signal', () => {
    const l = lane();
    expect(l.stoppedBy).toBeUndefined();
    expect(l.stop('access-denied')).toBe(true);
    expect(l.stop('credentials')).toBe(false);
    expect(l.stoppedBy).toBe('access-denied');
    expect(l.signal.aborted).toBe(false);
    l.abandonInFlight(new Error('grace over'));
    expect(l.signal.aborted).toBe(true);
  });

  it('keeps its own AccessDenied streak', () => {
    const l = lane({ accessDeniedStreak: 2 });
    expect(l.accessDenied.denied('pp-1')).toBe(false);
    expect(l.accessDenied.denied('pp-2')).toBe(true);
  });

  it('refuses a ceiling that is not a positive number, repeating it', () => {
    expect(() => lane({ maxRate: 0 })).toThrow('lane 123456789012: maxRate must be a number > 0, got 0');
  });

  it('singleLane routes every row to the one lane', () => {
    const l = lane();
    const router = singleLane(l);
    expect(router.lanes).toEqual([l]);
    expect(router.laneFor(row(2, 'pp-1'))).toBe(l);
  });
});

/** `plan`'s progress line: what it counts, how it reads, and that it draws only on a terminal. */
import { describe, expect, it } from 'vitest';
import { createPlanProgress, formatPlanProgress, PlanTally } from '../../../src/report/plan-progress.js';
import { createStatusLine } from '../../../src/report/progress.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { CollectingStream } from './fixtures.js';

describe('PlanTally and formatPlanProgress', () => {
  it("the caller's account: pages (a retried page once), products, rows to move, time", () => {
    const tally = new PlanTally();
    for (let i = 0; i < 3; i += 1) tally.request();
    tally.retry();
    tally.request();
    for (let i = 0; i < 250; i += 1) tally.product(i % 5 === 0);
    expect(tally.pages).toBe(3);
    expect(formatPlanProgress(tally, 12_000, 120)).toBe('plan: pages 3  products 250  to move 50  12s');
  });

  it('across accounts: reaching them first, then which account of how many', () => {
    const tally = new PlanTally();
    tally.reaching = true;
    expect(formatPlanProgress(tally, 3000, 120)).toBe('plan: reaching the accounts  3s');
    tally.places = 5;
    tally.placesDone = 2;
    tally.current = '210000000001/eu-west-1';
    tally.request();
    expect(formatPlanProgress(tally, 65_000, 120)).toBe('plan: accounts 2/5 (210000000001/eu-west-1)  pages 1  products 0  to move 0  1m05s');
    // Never wider than the terminal (a wrapped line cannot be redrawn in place).
    expect(formatPlanProgress(tally, 65_000, 30)).toHaveLength(29);
  });
});

describe('createPlanProgress', () => {
  it('on a terminal: draws in place, redraws, and ends the line once', async () => {
    const clock = new ManualClock();
    const stream = new CollectingStream();
    const progress = createPlanProgress({ statusLine: createStatusLine(stream), clock, columns: () => 0, intervalMs: 60_000 });
    progress.start();
    progress.tally.request();
    progress.tally.product(true);
    await clock.advance(2000);
    progress.stop();
    progress.stop();
    expect(stream.text).toBe('\r\x1b[2Kplan: pages 0  products 0  to move 0  0s\r\x1b[2Kplan: pages 1  products 1  to move 1  2s\n');
  });

  it('off a terminal: counts, draws nothing', () => {
    const progress = createPlanProgress({ statusLine: undefined, clock: new ManualClock(), columns: () => undefined });
    progress.start();
    progress.tally.product(false);
    progress.stop();
    expect(progress.tally.products).toBe(1);
  });
});

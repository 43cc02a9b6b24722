import { describe, expect, it } from 'vitest';
import { AccountTally } from '../../../src/report/account-tally.js';
import { formatProgressLine } from '../../../src/report/progress.js';
import { renderSummaryTable } from '../../../src/report/summary.js';
import { makeCounts, makeResult, makeSummary } from './fixtures.js';

const A = '111111111111';
const B = '222222222222';

describe('AccountTally', () => {
  it("counts each account's rows by outcome, and says which accounts have every row decided", () => {
    const tally = new AccountTally(
      new Map([
        [A, 2],
        [`${B}/eu-west-1`, 1],
      ]),
    );
    expect(tally.progress()).toEqual({ done: 0, total: 2 });
    tally.add(makeResult({ accountId: A, outcome: 'succeeded' }));
    // A duplicate line is not one of the rows the account must decide.
    tally.add(makeResult({ accountId: A, outcome: 'skipped', reason: 'duplicate-of-line-2' }));
    expect(tally.progress()).toEqual({ done: 0, total: 2 });
    tally.add(makeResult({ accountId: A, outcome: 'failed', reason: 'final' }));
    tally.add(makeResult({ accountId: B, region: 'eu-west-1', outcome: 'not-started', reason: 'stopped-by-unreachable' }));
    expect(tally.progress()).toEqual({ done: 2, total: 2 });
    expect(tally.counts(new Map([[`${B}/eu-west-1`, 'AccessDenied: no']]))).toEqual([
      { accountId: A, rows: 3, outcomes: { succeeded: 1, skipped: 1, failed: 1 } },
      { accountId: B, region: 'eu-west-1', rows: 1, outcomes: { 'not-started': 1 }, unreachable: 'AccessDenied: no' },
    ]);
  });

  it('shows in the progress line and the summary table', () => {
    expect(formatProgressLine(makeCounts({ total: 10, finished: 4, succeeded: 4 }), 2, 200, undefined, { done: 1, total: 3 })).toMatch(
      /throttled 0  accounts 1\/3$/,
    );
    const table = renderSummaryTable(
      makeSummary({
        accounts: [
          { accountId: A, rows: 3, outcomes: { succeeded: 2, failed: 1 } },
          { accountId: B, rows: 1, outcomes: { 'not-started': 1 }, unreachable: 'AccessDenied: no' },
        ],
      }),
    );
    expect(table).toContain(`account ${A}`);
    expect(table).toMatch(new RegExp(`account ${A}\\s+2 succeeded, 1 failed\\n`));
    expect(table).toMatch(new RegExp(`account ${B}\\s+1 not-started \\(not reached: AccessDenied: no\\)`));
  });
});

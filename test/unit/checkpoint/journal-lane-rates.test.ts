/** The `end` entry's `rates` (where each lane's limiters ended): written, validated, and replayed into Journal.laneRates (issue 25). */
import { describe, expect, it } from 'vitest';
import { ENTRY_FIELDS, entryProblem, serializeEnd } from '../../../src/checkpoint/journal-entries.js';
import { viewCheckpoint } from '../../../src/checkpoint/read-only-journal.js';
import type { JournalEnd } from '../../../src/checkpoint/types.js';
import { finished, ledgerFilePerTest, sent } from './helpers.js';

const ledgerFile = ledgerFilePerTest();
const path = (): string => ledgerFile.path;

const UPDATE = 'UpdateProvisionedProductProperties';

function end(invocation: string, rates?: JournalEnd['rates']): JournalEnd {
  return {
    type: 'end',
    invocation,
    endedAt: '2024-02-01T00:01:00.000Z',
    exitCode: 0,
    stopReason: '',
    counts: { succeeded: 1 },
    ...(rates === undefined ? {} : { rates }),
  };
}

const writeLedger = ledgerFile.write;
const reopen = ledgerFile.reopen;

describe("the end entry's rates", () => {
  it('are optional (older ends lack them) and written last, after the counts', () => {
    expect(entryProblem(end('i-1'))).toBeUndefined();
    expect(Object.keys(JSON.parse(serializeEnd(end('i-1'))) as object)).not.toContain('rates');
    const rates = { default: { [UPDATE]: { rate: 9.5, settled: true }, DescribeRecord: { rate: 12, settled: false } } };
    expect(entryProblem(end('i-1', rates))).toBeUndefined();
    const line = serializeEnd(end('i-1', rates));
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['type', ...Object.keys(ENTRY_FIELDS.end)]);
    expect(Object.keys(ENTRY_FIELDS.end).at(-1)).toBe('rates');
    expect((JSON.parse(line) as JournalEnd).rates).toEqual(rates);
  });

  it('refuse garbage, naming the field', () => {
    const problem = `field "rates" is not an object of lanes' limiter rates ({"<lane>": {"<operation>": {"rate": <number > 0>, "settled": <boolean>}}})`;
    const bad: unknown[] = [
      [],
      'fast',
      { default: 9.5 },
      { default: [] },
      { default: { [UPDATE]: 9.5 } },
      { default: { [UPDATE]: { rate: 0, settled: true } } },
      { default: { [UPDATE]: { rate: -1, settled: true } } },
      { default: { [UPDATE]: { rate: null, settled: true } } },
      { default: { [UPDATE]: { rate: '9.5', settled: true } } },
      { default: { [UPDATE]: { rate: 9.5 } } },
      { default: { [UPDATE]: { rate: 9.5, settled: 'yes' } } },
      { '': { [UPDATE]: { rate: 9.5, settled: true } } },
      { default: { '': { rate: 9.5, settled: true } } },
    ];
    for (const rates of bad) expect(entryProblem({ ...end('i-1'), rates }), JSON.stringify(rates)).toBe(problem);
  });

  it('a ledger whose end has bad rates is CORRUPT, naming the field and its line', async () => {
    writeLedger(3, [sent('a'), { ...end('i-1'), rates: { default: { [UPDATE]: { rate: 'fast', settled: true } } } }, finished('a', 'succeeded')]);
    await expect(reopen()).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(/corrupt at line 3: field "rates"/) as unknown });
  });

  it('a ledger without any (written before them, format 2 or 3) still reads: no lane rates', async () => {
    writeLedger(2, [sent('old'), finished('old', 'succeeded')]);
    const older = await reopen();
    expect(older.laneRates.size).toBe(0);
    await older.close();
    writeLedger(3, [
      {
        type: 'begin',
        invocation: 'i-1',
        command: 'run',
        mode: 'run',
        args: [],
        version: '0.1.0',
        runId: '',
        input: 'in.csv',
        callerArn: '',
        account: '',
        host: 'h',
        pid: 1,
        startedAt: '2024-02-01T00:00:00.000Z',
      },
      sent('a'),
      finished('a', 'succeeded'),
      end('i-1'),
    ]);
    const scan = await viewCheckpoint(path());
    expect(scan?.laneRates.size).toBe(0);
    expect(scan?.invocations).toBe(1);
  });

  it("replay keeps each lane's last word: a later end's operations replace an earlier one's, the rest kept", async () => {
    writeLedger(3, [
      end('i-1', {
        '111111111111': { [UPDATE]: { rate: 9.5, settled: true }, DescribeRecord: { rate: 20, settled: false } },
        '222222222222/eu-west-1': { [UPDATE]: { rate: 4.2, settled: true } },
      }),
      // A dry run that only read: its update rate stays the run's before it.
      end('i-2', { '111111111111': { DescribeProvisionedProduct: { rate: 7, settled: false } } }),
      end('i-3'),
      // A field a later version may add to an operation's rate is not this version's to keep.
      {
        ...end('i-4'),
        rates: { '111111111111': { [UPDATE]: { rate: 8.25, settled: true, ceiling: 50 } }, '333333333333': { [UPDATE]: { rate: 5, settled: false } } },
      },
    ]);
    const journal = await reopen();
    expect(Object.fromEntries(journal.laneRates)).toEqual({
      '111111111111': {
        [UPDATE]: { rate: 8.25, settled: true }, // only rate and settled are kept
        DescribeRecord: { rate: 20, settled: false },
        DescribeProvisionedProduct: { rate: 7, settled: false },
      },
      '222222222222/eu-west-1': { [UPDATE]: { rate: 4.2, settled: true } },
      '333333333333': { [UPDATE]: { rate: 5, settled: false } },
    });
    // What this invocation records is replayed by the next open, not by this one (the memory contract).
    await journal.recordInvocation(end('i-5', { '333333333333': { [UPDATE]: { rate: 6, settled: true } } }));
    expect(journal.laneRates.get('333333333333')).toEqual({ [UPDATE]: { rate: 5, settled: false } });
    await journal.close();
    const next = await reopen();
    await next.close();
    expect(next.laneRates.get('333333333333')).toEqual({ [UPDATE]: { rate: 6, settled: true } });
  });

  it('a new checkpoint has none; the writer refuses bad rates before they reach the file', async () => {
    const journal = await reopen();
    expect(journal.resumed).toBe(false);
    expect(journal.laneRates.size).toBe(0);
    expect(() => journal.recordInvocation(end('i-1', { default: { [UPDATE]: { rate: Number.NaN, settled: true } } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ENTRY', message: expect.stringContaining('field "rates"') as unknown }),
    );
    await journal.close();
  });
});

/** What `run` keeps of its lanes' limiters in the ledger's `end`, and how the next invocation starts its lanes from it (issue 25). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, viewCheckpoint } from '../../../src/checkpoint/index.js';
import { systemClock } from '../../../src/clock.js';
import { laneRatesOf, LedgerInvocation, startLanesWhereTheyLeftOff } from '../../../src/commands/run-ledger.js';
import type { Logger } from '../../../src/report/logger.js';
import { emptyCounts } from '../../../src/transfer/counters.js';
import { Lane } from '../../../src/transfer/lane.js';
import { TOKEN_SCHEME } from '../../../src/transfer/token.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { FakeApi } from '../transfer/transfer-run-fakes.js';

const UPDATE = 'UpdateProvisionedProductProperties';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sot-ledger-rates-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lane(name: string, maxRate = 20): Lane {
  const clock = new ManualClock();
  return new Lane({ name, api: new FakeApi(clock), maxRate, clock });
}

/** One request through the operation's limiter (its slot taken, whenever it comes: the clock stands still), throttled or accepted. */
async function request(l: Lane, operation: Parameters<Lane['limiter']>[0], throttled: boolean): Promise<void> {
  const limiter = l.limiter(operation);
  const permit = limiter.take(limiter.reserve());
  if (throttled) limiter.onThrottle(permit);
  else limiter.onSuccess();
}

function fakeLogger(): { logger: Logger; lines: Array<{ fields: object; message: string }> } {
  const lines: Array<{ fields: object; message: string }> = [];
  const logger = { info: (fields: object, message: string) => lines.push({ fields, message }) } as unknown as Logger;
  return { logger, lines };
}

describe("the end's rates", () => {
  it('keep each lane that sent requests, by name; none when no lane did', async () => {
    const a = lane('111111111111');
    const b = lane('222222222222/eu-west-1');
    const idle = lane('333333333333');
    idle.limiter(UPDATE); // made, nothing sent
    expect(laneRatesOf([a, b, idle])).toBeUndefined();
    await request(a, UPDATE, true);
    await request(b, 'DescribeRecord', false);
    expect(laneRatesOf([a, b, idle])).toEqual({
      '111111111111': { [UPDATE]: { rate: 3.8, settled: true } },
      '222222222222/eu-west-1': { DescribeRecord: { rate: 5, settled: false } },
    });
  });

  it('stay far under the longest line the journal reads, however many lanes (the others keep what an earlier end said)', async () => {
    const lanes = Array.from({ length: 5000 }, (_, i) => lane(String(100_000_000_000 + i)));
    for (const l of lanes) for (const operation of [UPDATE, 'DescribeRecord', 'DescribeProvisionedProduct'] as const) await request(l, operation, false);
    const rates = laneRatesOf(lanes)!;
    expect(JSON.stringify(rates).length).toBeLessThanOrEqual(256 * 1024);
    expect(Object.keys(rates).length).toBeGreaterThan(1000);
    expect(Object.keys(rates).length).toBeLessThan(5000);
  });

  it("are in the invocation's end entry, and the next invocation's lanes start there, logged once a lane", async () => {
    const path = join(dir, 'x.checkpoint');
    const open = () => openJournal({ path, runId: '', tokenScheme: TOKEN_SCHEME, input: 'x.csv', clock: systemClock });
    const first = lane('default');
    await request(first, UPDATE, false);
    await request(first, UPDATE, true);
    const journal = await open();
    await new LedgerInvocation(journal, [first]).end(Date.now(), 0, undefined, emptyCounts(1));
    // Without lanes (a refusal before any was made): no rates.
    await new LedgerInvocation(journal).end(Date.now(), 2, undefined, emptyCounts(1));
    await journal.close();
    const ends: unknown[] = [];
    await viewCheckpoint(path, { onEntry: (entry) => entry.type === 'end' && ends.push(entry.rates) });
    const settledAt = first.limiterStats()[UPDATE]!.rate;
    expect(ends).toEqual([{ default: { [UPDATE]: { rate: Number(settledAt.toPrecision(6)), settled: true } } }, undefined]);

    const resumed = await open();
    const next = lane('default');
    const other = lane('profile-b');
    const unreached = lane('default');
    unreached.stop('unreachable');
    const { logger, lines } = fakeLogger();
    startLanesWhereTheyLeftOff(resumed.laneRates, [next, other, unreached], logger);
    await resumed.close();
    expect(next.limiter(UPDATE).stats).toMatchObject({ rate: Number(settledAt.toPrecision(6)), settled: true });
    expect(other.limiter(UPDATE).rate).toBe(4); // not in the ledger: from below, as ever
    expect(unreached.limiter(UPDATE).rate).toBe(4); // stopped before its first request: left alone, and not logged
    expect(lines).toEqual([
      {
        fields: { lane: 'default', startRates: { [UPDATE]: { rate: Number(settledAt.toPrecision(6)), settled: true } } },
        message: `lane default starts where the checkpoint's ledger last left it: ${UPDATE} at ${Number(settledAt.toPrecision(6))}/s (probing up)`,
      },
    ]);
  });
});

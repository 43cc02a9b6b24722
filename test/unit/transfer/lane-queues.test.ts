import { describe, expect, it } from 'vitest';
import { Lane } from '../../../src/transfer/lane.js';
import { LaneQueues } from '../../../src/transfer/lane-queues.js';
import { FakeApi } from './transfer-run-fakes.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const clock = new ManualClock();
const lane = (name: string) => new Lane({ name, api: new FakeApi(clock), maxRate: 10, clock });

describe('LaneQueues', () => {
  it('lanes take turns; a lane holding its share is passed over while another has rows', () => {
    const [a, b] = [lane('A'), lane('B')];
    const queues = new LaneQueues<{ lane: Lane; id: string }>([a, b], 4);
    for (let i = 1; i <= 6; i += 1) queues.push({ lane: a, id: `a${i}` });
    // Only A has rows: it may take every slot.
    const first = [queues.take(), queues.take(), queues.take()].map((item) => item?.id);
    expect(first).toEqual(['a1', 'a2', 'a3']);
    for (let i = 1; i <= 3; i += 1) queues.push({ lane: b, id: `b${i}` });
    // Now both have rows: the share is 2; A holds 3, so the last slot goes to B.
    expect(queues.take()?.id).toBe('b1');
    expect(queues.take()).toBeUndefined(); // every slot taken
    queues.release({ lane: a, id: 'a1' });
    expect(queues.take()?.id).toBe('b2'); // A still holds its share (2), B holds 1
    queues.release({ lane: a, id: 'a2' });
    queues.release({ lane: a, id: 'a3' });
    // B holds its share (b1, b2): both free slots go to A.
    expect([queues.take()?.id, queues.take()?.id]).toEqual(['a4', 'a5']);
    queues.release({ lane: b, id: 'b1' });
    expect(queues.take()?.id).toBe('b3');
    expect(queues.queued).toBe(1);
    expect(queues.writing).toBe(4);
  });

  it('keeps FIFO order through many rows, cutting off what it consumed', () => {
    const a = lane('A');
    const queues = new LaneQueues<{ lane: Lane; n: number }>([a], 1);
    for (let n = 0; n < 5000; n += 1) queues.push({ lane: a, n });
    const seen: number[] = [];
    for (let item = queues.take(); item !== undefined; item = queues.take()) {
      seen.push(item.n);
      queues.release(item);
    }
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, n) => n));
    expect(queues.queued).toBe(0);
  });
});

/** The journal's growth rules: formats it reads, formats it refuses, each kind's fields and their rules. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/checkpoint/checkpoint-error.js';
import { ENTRY_FIELDS, entryProblem, headerProblem, JOURNAL_FORMAT, serializeFinished, serializeSent } from '../../../src/checkpoint/journal-entries.js';
import { openJournal } from '../../../src/checkpoint/journal.js';
import { systemClock } from '../../../src/clock.js';
import { finished, makeTempDir, sent } from './helpers.js';

let dir: string;
let cleanup: () => void;
let path: string;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  path = join(dir, 'run.checkpoint');
});
afterEach(() => cleanup());

const header = (format: unknown) => ({ type: 'header', format, runId: 'r1', tokenScheme: 'v1', createdAt: '2024-01-01T00:00:00.000Z', input: 'in.csv' });

describe('journal format', () => {
  it('accepts every format up to the one this version writes, and refuses a newer one by name', async () => {
    expect(headerProblem(header(JOURNAL_FORMAT))).toBeUndefined();
    expect(headerProblem(header(1))).toBeUndefined();
    expect(headerProblem(header(JOURNAL_FORMAT + 1))).toBe(
      `journal format ${JOURNAL_FORMAT + 1} was written by a newer version of sc-owner-transfer; this version reads formats 1 to ${JOURNAL_FORMAT}`,
    );
    expect(headerProblem(header('1'))).toMatch(/journal format "1" is not supported/);
    writeFileSync(path, `${JSON.stringify(header(JOURNAL_FORMAT + 1))}\n`);
    const error = await openJournal({ path, runId: 'r1', tokenScheme: 'v1', input: 'in.csv', clock: systemClock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ code: 'NOT_A_CHECKPOINT', message: expect.stringContaining('newer version of sc-owner-transfer') });
  });

  it('writes each kind with exactly the fields of its table row, in that order', () => {
    const found = {
      productStatus: 'AVAILABLE',
      previousOwner: 'arn:aws:iam::1:user/a',
      previousOwnerSession: 'arn:aws:iam::1:user/a',
      previousLaunchRole: '',
      newOwner: 'arn:aws:iam::1:user/b',
      launchRole: '',
      region: 'eu-west-1',
    };
    // Format 3's write-ahead `sent` carries what preflight read and the targets, in the table's order.
    const extra = { ...sent('t'), ticket: 'T-1', ...found } as ReturnType<typeof sent>;
    expect(Object.keys(JSON.parse(serializeSent(extra)) as object)).toEqual(['type', ...Object.keys(ENTRY_FIELDS.sent)]);
    expect(Object.keys(JSON.parse(serializeFinished({ ...finished('t', 'failed'), ...found, throttles: 2 })) as object)).toEqual([
      'type',
      ...Object.keys(ENTRY_FIELDS.finished),
    ]);
    // Format 2's fields are optional: an entry without them (as format 1 wrote) is valid, and they are left out.
    const older = JSON.parse(serializeFinished(finished('t', 'failed'))) as object;
    expect(Object.keys(older)).not.toContain('previousOwner');
    expect(entryProblem(older)).toBeUndefined();
  });

  it('validates each field by its rule, naming the field', () => {
    expect(entryProblem({ ...finished('t', 'succeeded'), outcome: 'maybe' })).toBe(
      'field "outcome" is "maybe", expected succeeded, submitted, skipped or failed',
    );
    expect(entryProblem({ ...sent('t'), line: -1 })).toBe('field "line" is not a non-negative integer');
    expect(entryProblem({ ...sent('t'), token: '' })).toBe('field "token" is missing or empty');
    expect(entryProblem({ ...sent('t'), at: 5 })).toBe('field "at" is missing or not a string');
    // A row's throttled retries (optional: older entries lack them).
    expect(entryProblem({ ...finished('t', 'succeeded'), throttles: -1 })).toBe('field "throttles" is not a non-negative integer');
    expect(entryProblem({ ...finished('t', 'succeeded'), throttles: 3 })).toBeUndefined();
  });
});

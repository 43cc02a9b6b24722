/** undo's plan: only the keys a row changed, put back to the exact previous value; the rest listed. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamCsvTable } from '../../../src/input/csv-table.js';
import { InputError } from '../../../src/input/input-error.js';
import { csvLine, resultCells, resultHeader } from '../../../src/report/results-writer.js';
import { changedRowFromResult, changedRowsFromResults, planUndo, RehearsalResultsError, type ChangedRow } from '../../../src/report/undo-plan.js';
import { makeResult } from './fixtures.js';

const ALICE = 'arn:aws:iam::123456789012:user/alice';
const SESSION = 'arn:aws:sts::123456789012:assumed-role/Team/carol';
const ROLE_OLD = 'arn:aws:iam::123456789012:role/Old';

const changed = (overrides: Partial<ChangedRow>): ChangedRow => ({
  line: 2,
  provisionedProductId: 'pp-1',
  newOwner: 'arn:aws:iam::123456789012:user/bob',
  launchRole: '',
  changed: true,
  previousOwner: ALICE,
  previousOwnerSession: ALICE,
  previousLaunchRole: '',
  finishedAt: '2026-01-01T00:00:00Z',
  accountId: '',
  region: '',
  ...overrides,
});

describe('planUndo', () => {
  it('puts back only the keys each row changed, the owner as its session ARN', () => {
    const plan = planUndo([
      changed({ line: 2, provisionedProductId: 'pp-1' }),
      changed({ line: 3, provisionedProductId: 'pp-2', newOwner: '', launchRole: 'arn:aws:iam::123456789012:role/New', previousLaunchRole: ROLE_OLD }),
      changed({ line: 4, provisionedProductId: 'pp-3', previousOwner: 'arn:aws:iam::123456789012:role/Team', previousOwnerSession: SESSION }),
    ]);
    expect(plan.rows).toEqual([
      { provisionedProductId: 'pp-1', newOwner: ALICE, launchRole: '', accountId: '', region: '', undoOfLine: 2 },
      { provisionedProductId: 'pp-2', newOwner: '', launchRole: ROLE_OLD, accountId: '', region: '', undoOfLine: 3 },
      { provisionedProductId: 'pp-3', newOwner: SESSION, launchRole: '', accountId: '', region: '', undoOfLine: 4 },
    ]);
    expect(plan.leftOut).toEqual([]);
    expect(plan.changed).toBe(3);
  });

  it('lists what cannot be put back: no previous value, or a launch role that was empty', () => {
    const plan = planUndo([
      changed({ line: 2, previousOwner: '', previousOwnerSession: '' }),
      changed({ line: 3, provisionedProductId: 'pp-2', launchRole: 'arn:aws:iam::123456789012:role/New', previousLaunchRole: '' }),
      changed({ line: 4, provisionedProductId: 'pp-3', changed: false }),
    ]);
    expect(plan.rows).toEqual([{ provisionedProductId: 'pp-2', newOwner: ALICE, launchRole: '', accountId: '', region: '', undoOfLine: 3 }]);
    expect(plan.leftOut).toEqual([
      { line: 2, provisionedProductId: 'pp-1', why: 'left out: no previous owner was recorded (run without preflight?)' },
      { line: 3, provisionedProductId: 'pp-2', why: 'put back in part: the launch role was empty before, and the API accepts only a role ARN' },
    ]);
    expect(plan.changed).toBe(2);
  });

  it('keeps the earliest change of a product changed twice (the state before the migration)', () => {
    const plan = planUndo([
      changed({ finishedAt: '2026-01-02T00:00:00Z', previousOwner: 'arn:aws:iam::123456789012:user/mallory', previousOwnerSession: '' }),
      changed({ finishedAt: '2026-01-01T00:00:00Z' }),
    ]);
    expect(plan.rows.map((r) => r.newOwner)).toEqual([ALICE]);
  });

  it("reads a results line, counting earlier runs' changes and not rows already in target", () => {
    const cells = {
      line: '5',
      provisioned_product_id: 'pp-9',
      new_owner: 'x',
      launch_role: '',
      outcome: 'skipped',
      reason: 'already-succeeded',
      previous_owner: ALICE,
    };
    expect(changedRowFromResult(cells)).toMatchObject({ line: 5, changed: true, previousOwner: ALICE });
    expect(changedRowFromResult({ ...cells, reason: 'already-in-target-state' }).changed).toBe(false);
    expect(changedRowFromResult({ ...cells, outcome: 'failed', reason: 'final' }).changed).toBe(false);
  });

  it("keeps each row's account and region, and the undo CSV has their columns only when the run had them", async () => {
    const { undoCells, undoColumns } = await import('../../../src/report/undo-plan.js');
    const plan = planUndo([changed({ accountId: '210000000001', region: 'eu-west-1' })]);
    expect(plan.rows).toEqual([
      { provisionedProductId: 'pp-1', newOwner: ALICE, launchRole: '', accountId: '210000000001', region: 'eu-west-1', undoOfLine: 2 },
    ]);
    const columns = undoColumns(plan.rows);
    expect(columns).toEqual(['provisioned_product_id', 'new_owner', 'launch_role', 'account_id', 'region', 'undo_of_line']);
    expect(undoCells(plan.rows[0]!, columns)).toEqual(['pp-1', ALICE, '', '210000000001', 'eu-west-1', '2']);
    expect(undoColumns(planUndo([changed({})]).rows)).toEqual(['provisioned_product_id', 'new_owner', 'launch_role', 'undo_of_line']);
  });
});

/** A results CSV's rows as `undo --results` reads them: through csv-table. */
function readResults(text: string): Promise<ChangedRow[]> {
  return changedRowsFromResults(streamCsvTable(Readable.from([Buffer.from(text)])));
}

function readError(text: string): Promise<unknown> {
  return readResults(text).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** A results file as the run writes it, with the input's `extra` columns echoed. */
function resultsText(results: readonly ReturnType<typeof makeResult>[], extra: readonly string[] = []): string {
  return [csvLine(resultHeader(extra)), ...results.map((result) => csvLine(resultCells(result, extra)))].join('');
}

describe('changedRowsFromResults (undo --results)', () => {
  it('reads a results file as the run wrote it, each row with its line in the run', async () => {
    const text = resultsText([
      makeResult({ line: 2, provisionedProductId: 'pp-1', previousOwner: ALICE, errorMessage: 'two\nlines' }),
      makeResult({ line: 3, provisionedProductId: 'pp-2', outcome: 'failed', reason: 'final' }),
    ]);
    expect(await readResults(text)).toMatchObject([
      { line: 2, provisionedProductId: 'pp-1', changed: true, previousOwner: ALICE, finishedAt: '2024-05-01T10:00:00.000Z', accountId: '' },
      { line: 3, provisionedProductId: 'pp-2', changed: false },
    ]);
  });

  it("compares header names as every CSV of the tool does, and reads the results' own column before an echoed input column of the same name", async () => {
    const text =
      'Line,Provisioned Product ID,NEW-OWNER,launch_role,Outcome,reason,previous_owner,previous_launch_role,Previous Owner\n5,pp-9,x,,succeeded,,arn:ours,,arn:echoed\n';
    expect(await readResults(text)).toMatchObject([{ line: 5, provisionedProductId: 'pp-9', newOwner: 'x', changed: true, previousOwner: 'arn:ours' }]);
  });

  it('refuses a header that lacks a column undo needs (HEADER_MISSING_COLUMN, on the header line); a file with no rows plans nothing', async () => {
    const error = await readError('\n\nline,provisioned_product_id,outcome\n2,pp-1,succeeded\n');
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      code: 'HEADER_MISSING_COLUMN',
      line: 3,
      message: 'not a results CSV of this version (missing column new_owner, launch_role, reason, previous_owner, previous_launch_role)',
    });
    expect(await readResults('line,provisioned_product_id,outcome\n')).toEqual([]);
    expect(await readResults('')).toEqual([]);
  });

  it('names the physical line of a row whose cells do not match the header, after blank lines and a quoted line break', async () => {
    const good = resultsText([makeResult({ line: 2, errorMessage: 'a\nb' })]);
    const error = await readError(`${good}\n\n3,pp-short\n`);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'CSV_MALFORMED', line: 6, message: expect.stringContaining('this row has 2 cells but the header has') });
  });

  it("passes csv-table's coded error on, with its physical line", async () => {
    // Saved on Windows: csv-parse itself would say line 6, counting the CRLF inside the quotes twice.
    const good = resultsText([makeResult({ line: 2, errorMessage: 'a\nb' })]).replaceAll('\n', '\r\n');
    expect(await readError(`${good}\r\n3,"pp-x"y\r\n`)).toMatchObject({
      code: 'CSV_MALFORMED',
      line: 5,
      message: expect.stringContaining('[CSV_INVALID_CLOSING_QUOTE]'),
    });
  });

  it("refuses a dry run's or a verify's results at their first row that says what would change", async () => {
    const dryRun = resultsText([makeResult({ line: 2 }), makeResult({ line: 3, outcome: 'would-change' })]);
    const error = await readError(dryRun);
    expect(error).toBeInstanceOf(RehearsalResultsError);
    expect(error).toMatchObject({ code: 'REHEARSAL_RESULTS', line: 3 });
    expect(await readError(resultsText([makeResult({ outcome: 'skipped', reason: 'would-be-skipped' })]))).toBeInstanceOf(RehearsalResultsError);
  });
});

/** undo's plan: only the keys a row changed, put back to the exact previous value; the rest listed. */
import { describe, expect, it } from 'vitest';
import { changedRowFromResult, planUndo, type ChangedRow } from '../../../src/report/undo-plan.js';

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

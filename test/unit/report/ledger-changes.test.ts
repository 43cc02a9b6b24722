/** What a ledger says it changed, product by product: the products undo puts back, and the state before the first change. */
import { describe, expect, it } from 'vitest';
import type { JournalFinished, JournalSent } from '../../../src/checkpoint/types.js';
import { LedgerChanges } from '../../../src/report/ledger-changes.js';
import { planUndo } from '../../../src/report/undo-plan.js';

const A = 'arn:aws:iam::123456789012';
const ALICE = `${A}:user/alice`;
const BOB = `${A}:user/bob`;
const OLD_ROLE = `${A}:role/Old`;
const NEW_ROLE = `${A}:role/New`;

type Read = { previousOwner: string; previousLaunchRole?: string };
const sent = (token: string, product: string, targets: { owner?: string; role?: string }, read?: Read): JournalSent => ({
  type: 'sent',
  token,
  line: 2,
  provisionedProductId: product,
  at: 't',
  newOwner: targets.owner ?? '',
  launchRole: targets.role ?? '',
  ...(read === undefined ? {} : { productStatus: 'AVAILABLE', previousOwnerSession: '', previousLaunchRole: '', ...read }),
});
const finished = (
  token: string,
  product: string,
  outcome: JournalFinished['outcome'],
  targets: { owner?: string; role?: string },
  read?: Read,
): JournalFinished => ({
  ...sent(token, product, targets, read),
  type: 'finished',
  outcome,
  recordId: 'r',
  recordStatus: 'SUCCEEDED',
  attempts: 1,
  errorCode: '',
  errorMessage: '',
  finishedAt: 't',
});

function changes(...entries: (JournalSent | JournalFinished)[]) {
  const ledger = new LedgerChanges();
  for (const entry of entries) ledger.add(entry);
  return ledger.rows();
}

describe('LedgerChanges', () => {
  it('counts a product whose request left (in flight after a kill) as changed, with the read the write-ahead entry kept', () => {
    const rows = changes(
      sent('t1', 'pp-1', { owner: BOB }, { previousOwner: ALICE }),
      finished('t1', 'pp-1', 'skipped', { owner: BOB }, { previousOwner: BOB }),
    );
    expect(rows).toMatchObject([{ provisionedProductId: 'pp-1', changed: true, previousOwner: ALICE, newOwner: BOB }]);
  });

  it('leaves out a product whose only request failed, and one only found in its target', () => {
    const rows = changes(
      sent('t1', 'pp-1', { owner: BOB }, { previousOwner: ALICE }),
      finished('t1', 'pp-1', 'failed', { owner: BOB }, { previousOwner: ALICE }),
      finished('t2', 'pp-2', 'skipped', { owner: BOB }, { previousOwner: BOB }),
    );
    expect(rows).toEqual([]);
  });

  it('keeps an empty launch role read by a row that set one: a later read after the change is not the state before it', () => {
    const rows = changes(
      sent('t1', 'pp-1', { owner: BOB, role: NEW_ROLE }, { previousOwner: ALICE, previousLaunchRole: '' }),
      finished('t1', 'pp-1', 'skipped', { owner: BOB, role: NEW_ROLE }, { previousOwner: BOB, previousLaunchRole: NEW_ROLE }),
    );
    expect(rows[0]).toMatchObject({ previousOwner: ALICE, previousLaunchRole: '' });
    expect(planUndo(rows).leftOut).toMatchObject([
      { provisionedProductId: 'pp-1', why: expect.stringContaining('the launch role was empty before') as unknown },
    ]);
  });

  it('takes the launch role from the first read that covered it when the first read of the product did not (its row left the role alone)', () => {
    const rows = changes(
      finished('t1', 'pp-1', 'succeeded', { owner: BOB }, { previousOwner: ALICE }),
      finished('t2', 'pp-1', 'succeeded', { role: NEW_ROLE }, { previousOwner: BOB, previousLaunchRole: OLD_ROLE }),
    );
    expect(rows[0]).toMatchObject({ previousOwner: ALICE, previousLaunchRole: OLD_ROLE, newOwner: BOB, launchRole: NEW_ROLE });
    expect(planUndo(rows).rows).toMatchObject([{ provisionedProductId: 'pp-1', newOwner: ALICE, launchRole: OLD_ROLE }]);
  });

  it('knows no state before a change sent without preflight', () => {
    const rows = changes(
      sent('t1', 'pp-1', { owner: BOB }),
      finished('t1', 'pp-1', 'succeeded', { owner: BOB }),
      finished('t2', 'pp-1', 'skipped', { owner: BOB }, { previousOwner: BOB }),
    );
    expect(rows[0]).toMatchObject({ changed: true, previousOwner: '' });
    expect(planUndo(rows).leftOut).toHaveLength(1);
  });
});

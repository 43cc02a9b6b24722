/** The ledger's replay: invocations, superseded rows, each product's first read, and older formats resumed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { viewCheckpoint } from '../../../src/checkpoint/read-only-journal.js';
import type { JournalBody, JournalFinished, JournalSent } from '../../../src/checkpoint/types.js';
import { finished, ledgerFilePerTest, sent } from './helpers.js';

const ledgerFile = ledgerFilePerTest();
const path = (): string => ledgerFile.path;

const OWNER_A = 'arn:aws:iam::111122223333:user/alice';
const OWNER_B = 'arn:aws:iam::111122223333:user/bob';

/** A row entry of product `pp-1` setting `owner`, as format 3 writes it (with what preflight read). */
function change<E extends JournalSent | JournalFinished>(entry: E, owner: string, previousOwner?: string): E {
  return {
    ...entry,
    provisionedProductId: 'pp-1',
    newOwner: owner,
    launchRole: '',
    ...(previousOwner === undefined ? {} : { previousOwner, previousOwnerSession: '', previousLaunchRole: '', productStatus: 'AVAILABLE' }),
  };
}

const writeLedger = ledgerFile.write;
const reopen = ledgerFile.reopen;

describe('the ledger replayed', () => {
  it("marks a done row superseded when a later change set its product to other targets (an undo's run), and done again when it is re-applied", async () => {
    writeLedger(3, [
      change(sent('t-migrate'), OWNER_B, OWNER_A),
      change(finished('t-migrate', 'succeeded'), OWNER_B, OWNER_A),
      change(sent('t-undo'), OWNER_A, OWNER_B),
      change(finished('t-undo', 'succeeded'), OWNER_A, OWNER_B),
    ]);
    let journal = await reopen();
    expect((await journal.lookup('t-migrate'))?.state).toBe('superseded');
    expect((await journal.lookup('t-undo'))?.state).toBe('done');
    // Counted by their last entry (done); what the product looks like now is decided when the row is looked up.
    expect(journal.replayed).toEqual({ done: 2, failed: 0, inFlight: 0 });
    // Found in target again under its own token: done again, and the undo's row is the one superseded.
    journal.recordFinished(change(finished('t-migrate', 'skipped'), OWNER_B, OWNER_B));
    await journal.close();
    journal = await reopen();
    expect((await journal.lookup('t-migrate'))?.state).toBe('done');
    expect((await journal.lookup('t-undo'))?.state).toBe('superseded');
    await journal.close();
  });

  it('keeps a row done when a later change set the same targets (a reconcile night put a drift back), and supersedes both after an undo', async () => {
    writeLedger(3, [
      change(finished('t-row', 'succeeded'), OWNER_B, OWNER_A),
      change(finished('t-reconcile', 'succeeded'), OWNER_B, 'arn:aws:iam::111122223333:user/mallory'),
    ]);
    let journal = await reopen();
    expect((await journal.lookup('t-row'))?.state).toBe('done');
    expect((await journal.lookup('t-reconcile'))?.state).toBe('done');
    // The undo's run: every earlier row of the product, not only the last, no longer holds.
    journal.recordFinished(change(finished('t-undo', 'succeeded'), OWNER_A, OWNER_B));
    await journal.close();
    journal = await reopen();
    expect((await journal.lookup('t-row'))?.state).toBe('superseded');
    expect((await journal.lookup('t-reconcile'))?.state).toBe('superseded');
    await journal.close();
  });

  it("answers a product's first read: the state before the first change, not what a resume found after it", async () => {
    // A kill -9 after the update left: the write-ahead `sent` has the read, the resume finds the product in its target.
    writeLedger(3, [change(sent('t-1'), OWNER_B, OWNER_A), change(finished('t-1', 'skipped'), OWNER_B, OWNER_B)]);
    const journal = await reopen();
    expect(await journal.firstRead('pp-1')).toEqual({
      productStatus: 'AVAILABLE',
      previousOwner: OWNER_A,
      previousOwnerSession: '',
      previousLaunchRole: '',
      readsLaunchRole: false,
    });
    expect(await journal.firstRead('pp-unknown')).toBeUndefined();
    await journal.close();
  });

  it('knows no first read when a change went out before any read (a run without preflight)', async () => {
    writeLedger(3, [
      change(sent('t-blind'), OWNER_B),
      change(finished('t-blind', 'succeeded'), OWNER_B),
      change(finished('t-later', 'skipped'), OWNER_B, OWNER_B),
    ]);
    const journal = await reopen();
    expect(await journal.firstRead('pp-1')).toBeUndefined();
    await journal.close();
  });

  it('resumes a format-2 checkpoint and appends format-3 entries that read back', async () => {
    writeLedger(2, [sent('old'), finished('old', 'succeeded')]);
    const journal = await reopen();
    expect((await journal.lookup('old'))?.state).toBe('done');
    await journal.recordInvocation({
      type: 'begin',
      invocation: 'i-1',
      command: 'run',
      mode: 'run',
      args: ['--input', 'in.csv'],
      version: '0.2.0',
      runId: '',
      input: 'in.csv',
      callerArn: 'arn:aws:iam::111122223333:user/admin',
      account: '111122223333',
      host: 'h',
      pid: 42,
      startedAt: '2024-02-01T00:00:00.000Z',
    });
    await journal.recordSent(change(sent('new'), OWNER_B, OWNER_A));
    await journal.recordInvocation({
      type: 'end',
      invocation: 'i-1',
      endedAt: '2024-02-01T00:01:00.000Z',
      exitCode: 0,
      stopReason: '',
      counts: { succeeded: 1 },
    });
    await journal.close();
    expect(JSON.parse(readFileSync(path(), 'utf8').split('\n')[0]!)).toMatchObject({ format: 2 }); // the header is never rewritten
    const seen: JournalBody[] = [];
    const scan = await viewCheckpoint(path(), { onEntry: (entry) => seen.push(entry) });
    expect(seen.map((entry) => entry.type)).toEqual(['sent', 'finished', 'begin', 'sent', 'end']);
    expect(scan?.invocations).toBe(1);
    expect(seen[3]).toMatchObject({ previousOwner: OWNER_A, newOwner: OWNER_B });
    expect(scan?.state.size).toBeGreaterThan(0);
    // A reader that keeps its own record (report) sees the same entries and pays for no token or product table.
    const entriesOnly: JournalBody[] = [];
    const light = await viewCheckpoint(path(), { onEntry: (entry) => entriesOnly.push(entry), replay: false });
    expect(entriesOnly).toEqual(seen);
    expect(light).toMatchObject({ entries: scan?.entries, invocations: 1 });
    expect(light?.state.size).toBe(0);
    expect(light?.products.size).toBe(0);
  });

  it('refuses a begin entry that is missing a field, naming it', async () => {
    writeLedger(3, [{ type: 'begin', invocation: 'i-1', command: 'run' }, finished('a', 'succeeded')]);
    await expect(reopen()).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('field "mode"') as unknown });
  });
});

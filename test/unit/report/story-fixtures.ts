/** Ledger entries for the report's story tests (not a test file itself). */
import type { JournalBegin, JournalBody, JournalEnd, JournalFinished, JournalHeader, JournalSent } from '../../../src/checkpoint/types.js';
import { StoryBuilder } from '../../../src/report/story/story-builder.js';
import type { Story } from '../../../src/report/story/story-types.js';

export const ACCOUNT = '123456789012';
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
export const ROLE_OLD = `arn:aws:iam::${ACCOUNT}:role/SCLaunch-Old`;
export const ROLE_NEW = `arn:aws:iam::${ACCOUNT}:role/SCLaunch-New`;
export const HOSTILE = `pp-"><img src=x onerror=alert(1)><script>alert(2)</script>|*_[x](y)`;

export const header = (input = '/work/offboard.csv', runId = ''): JournalHeader => ({
  type: 'header',
  format: 3,
  runId,
  tokenScheme: 'sot1',
  createdAt: '2026-12-01T10:00:00.000Z',
  input,
});

export function begin(invocation: string, startedAt: string, overrides: Partial<JournalBegin> = {}): JournalBegin {
  return {
    type: 'begin',
    invocation,
    command: 'run',
    mode: 'run',
    args: ['--input', 'offboard.csv'],
    version: '0.1.0',
    runId: '',
    input: '/work/offboard.csv',
    callerArn: `arn:aws:iam::${ACCOUNT}:user/operator`,
    account: ACCOUNT,
    host: 'admin-1',
    pid: 42,
    startedAt,
    ...overrides,
  };
}

export function end(invocation: string, endedAt: string, counts: Record<string, number>, exitCode = 0, stopReason = ''): JournalEnd {
  return { type: 'end', invocation, endedAt, exitCode, stopReason, counts };
}

/** What a row entry carries by default: preflight's read (alice, available) and the targets it set (bob). */
const READ_AND_TARGETS = {
  productStatus: 'AVAILABLE',
  previousOwner: ALICE,
  previousOwnerSession: '',
  previousLaunchRole: '',
  newOwner: BOB,
  launchRole: '',
} as const;

export function sent(id: string, line: number, at: string, overrides: Partial<JournalSent> = {}): JournalSent {
  return {
    type: 'sent',
    token: `tok-${id}-${line}`,
    line,
    provisionedProductId: id,
    at,
    ...READ_AND_TARGETS,
    ...overrides,
  };
}

export function finished(id: string, line: number, finishedAt: string, overrides: Partial<JournalFinished> = {}): JournalFinished {
  return {
    type: 'finished',
    token: `tok-${id}-${line}`,
    line,
    provisionedProductId: id,
    outcome: 'succeeded',
    recordId: `rec-${id}`,
    recordStatus: 'SUCCEEDED',
    attempts: 1,
    errorCode: '',
    errorMessage: '',
    finishedAt,
    ...READ_AND_TARGETS,
    ...overrides,
  };
}

export const at = (second: number): string => new Date(Date.UTC(2026, 11, 1, 10, 0, 0) + second * 1000).toISOString();

/**
 * A migration: a dry run, a canary of 2, the run (3 more, a throttled one, a failed one, a
 * hostile id), a run killed after a `sent`, and an undo's run (`reconcile` of put-back.csv) that
 * puts p1 back.
 */
export function migration(): JournalBody[] {
  return [
    begin('i-dry', at(0), { mode: 'dry-run', args: ['--input', 'offboard.csv', '--dry-run'] }),
    end('i-dry', at(2), { wouldChange: 6, throttles: 0 }),
    begin('i-canary', at(10), { args: ['--input', 'offboard.csv', '--limit', '2'] }),
    sent('p1', 2, at(11)),
    finished('p1', 2, at(11)),
    sent('p2', 3, at(12), { launchRole: ROLE_NEW, previousLaunchRole: ROLE_OLD }),
    finished('p2', 3, at(12), { launchRole: ROLE_NEW, previousLaunchRole: ROLE_OLD }),
    end('i-canary', at(13), { succeeded: 2, notStarted: 4, throttles: 0 }, 0, 'limit'),
    begin('i-run', at(20)),
    sent('p3', 4, at(21)),
    finished('p3', 4, at(22), { throttles: 3 }),
    finished('p4', 5, at(22), { outcome: 'failed', attempts: 0, errorCode: 'NoSuchEntity', errorMessage: 'the new owner does not exist', recordId: '' }),
    sent(HOSTILE, 6, at(23), { newOwner: `arn:aws:iam::${ACCOUNT}:user/<script>x</script>` }),
    finished(HOSTILE, 6, at(24), { newOwner: `arn:aws:iam::${ACCOUNT}:user/<script>x</script>`, outcome: 'submitted', recordStatus: 'IN_PROGRESS' }),
    finished('p6', 7, at(24), { outcome: 'skipped', attempts: 0, recordId: '', previousOwner: BOB }),
    end('i-run', at(30), { succeeded: 1, submitted: 1, failed: 1, skipped: 3, drifted: 0, notStarted: 0, throttles: 3, requests: 9 }, 1),
    begin('i-killed', at(40)),
    sent('p4', 5, at(41)),
    begin('i-undo', at(50), { mode: 'reconcile', input: '/work/put-back.csv', args: ['--input', 'put-back.csv', '--reconcile'] }),
    sent('p1', 2, at(51), { previousOwner: BOB, newOwner: ALICE, token: 'tok-undo-p1' }),
    finished('p1', 2, at(52), { previousOwner: BOB, newOwner: ALICE, token: 'tok-undo-p1' }),
    end('i-undo', at(53), { succeeded: 1, drifted: 1, throttles: 0 }),
  ];
}

export function storyOf(entries: readonly JournalBody[], ledgerHeader = header()): Story {
  const builder = new StoryBuilder({ sessionNameFor: (runId) => `sc-owner-transfer${runId === '' ? '' : `-${runId}`}` });
  builder.startLedger();
  for (const entry of entries) builder.add(entry);
  builder.endLedger('/work/offboard.csv.checkpoint', ledgerHeader, { entries: entries.length, tornLastLine: false });
  return builder.build();
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ErrorKind } from '../../src/aws/classify-error.js';
import { STOP_REASONS } from '../../src/exit-codes.js';
import {
  changedTheProduct,
  failureCountsTowardBudget,
  isLaneRow,
  JOURNAL_OUTCOMES,
  OUTCOMES,
  REASONS,
  reasonFor,
  reasonRowOf,
  type Outcome,
  type ReasonRow,
} from '../../src/outcomes.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the README table that starts with `header`, cut at `|` (the table ends at its first blank line). */
function readmeTable(header: string): string[][] {
  const table = readme.slice(readme.indexOf(header));
  return table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .slice(2)
    .map((line) => line.replace(/^\| /, '').replace(/ \|$/, '').split(' | '));
}

describe('the outcome and reason tables', () => {
  it('are the README tables, row for row', () => {
    expect(readmeTable('| outcome | meaning |')).toEqual(Object.entries(OUTCOMES).map(([name, row]) => [`\`${name}\``, row.doc]));
    expect(readmeTable('| reason | outcome | meaning |')).toEqual(Object.entries(REASONS).map(([name, row]) => [`\`${name}\``, `\`${row.outcome}\``, row.doc]));
  });

  it('name every stop reason and every error class a reason can be filled with', () => {
    for (const stop of Object.keys(STOP_REASONS)) expect(REASONS['stopped-by-<stop>'].doc).toContain(`\`${stop}\``);
    // A Record over the union: adding an error kind fails the type check here until it is named.
    const classes: Record<Exclude<ErrorKind, 'aborted'>, true> = {
      throttle: true,
      server: true,
      network: true,
      'invalid-state': true,
      credentials: true,
      'access-denied': true,
      final: true,
    };
    for (const kind of Object.keys(classes)) expect(REASONS['<error-class>'].doc).toContain(`\`${kind}\``);
  });

  it('journal only the outcomes of rows tried or read, and call done only journaled ones but failed', () => {
    expect([...JOURNAL_OUTCOMES].sort()).toEqual(['failed', 'skipped', 'submitted', 'succeeded']);
    for (const [name, row] of Object.entries(OUTCOMES)) {
      if (row.doneOnResume) expect(row.journaled, name).toBe(true);
    }
    expect(OUTCOMES.failed.doneOnResume).toBe(false);
  });

  it('find the family of a filled-in reason, for its outcome only', () => {
    expect(reasonRowOf('skipped', reasonFor.duplicateOf(7))).toBe(REASONS['duplicate-of-line-<N>']);
    expect(reasonRowOf('not-started', reasonFor.stoppedBy('limit'))).toBe(REASONS['stopped-by-<stop>']);
    expect(reasonRowOf('submitted', reasonFor.waitFailed('ThrottlingException'))).toBe(REASONS['wait-failed-<code>']);
    expect(reasonRowOf('failed', reasonFor.errorClass('throttle'))).toBe(REASONS['<error-class>']);
    expect(reasonRowOf('failed', 'record-failed')).toBe(REASONS['record-failed']);
    // A family's prefix alone is not a reason of it, and a family belongs to one outcome.
    expect(reasonRowOf('skipped', 'duplicate-of-line-')).toBeUndefined();
    expect(reasonRowOf('failed', reasonFor.duplicateOf(7))).toBe(REASONS['<error-class>']);
    expect(reasonRowOf('skipped', 'constructor')).toBeUndefined();
    expect(reasonFor.alreadyDone('skipped')).toBe('already-in-target-state');
    expect(reasonFor.alreadyDone('succeeded')).toBe('already-succeeded');
  });

  it('say which results changed the product (what undo puts back)', () => {
    const changed = (outcome: Outcome, reason = ''): boolean => changedTheProduct(outcome, reason);
    expect(changed('succeeded')).toBe(true);
    expect(changed('submitted', 'wait-timed-out')).toBe(true);
    expect(changed('skipped', 'already-succeeded')).toBe(true);
    expect(changed('skipped', 'already-submitted')).toBe(true);
    expect(changed('skipped', 'already-in-target-state')).toBe(false);
    expect(changed('skipped', reasonFor.duplicateOf(3))).toBe(false);
    expect(changed('failed', 'token-already-used')).toBe(false);
    expect(changed('drifted', reasonFor.driftedSince('succeeded'))).toBe(false);
    expect(changed('would-change')).toBe(false);
    expect(changedTheProduct('toString', '')).toBe(false);
  });

  it("say which failed rows --max-errors leaves out, and README's --max-errors row names exactly those", () => {
    const notCounted = (Object.entries(REASONS) as [string, ReasonRow][]).filter(([, row]) => row.countsTowardBudget === false);
    // Only failed rows are judged by the budget: the property means nothing on another outcome.
    for (const [name, row] of notCounted) expect(row.outcome, name).toBe('failed');
    expect(notCounted.map(([name]) => name).sort()).toEqual(
      ['cross-account', 'launch-role-not-trusted', 'not-found', 'not-found-in-account', 'target-not-found', 'unexpected-account'].sort(),
    );
    const flagRow = readme.split('\n').find((line) => line.startsWith('| `--max-errors '));
    expect(flagRow).toBeDefined();
    const named = [...flagRow!.matchAll(/`([a-z<>-]+)`/g)].map((match) => match[1]!).filter((name) => Object.hasOwn(REASONS, name));
    expect(named.sort()).toEqual(notCounted.map(([name]) => name).sort());
    expect(failureCountsTowardBudget('target-not-found')).toBe(false);
    expect(failureCountsTowardBudget('still-busy')).toBe(true);
    expect(failureCountsTowardBudget('token-already-used')).toBe(true);
    expect(failureCountsTowardBudget(reasonFor.errorClass('throttle'))).toBe(true);
  });

  it('leave invalid rows and duplicate lines out of their lane', () => {
    expect(isLaneRow('invalid', reasonFor.problems(['BAD_ARN']))).toBe(false);
    expect(isLaneRow('skipped', reasonFor.duplicateOf(2))).toBe(false);
    expect(isLaneRow('skipped', 'already-succeeded')).toBe(true);
    expect(isLaneRow('not-started', reasonFor.stoppedBy('unreachable'))).toBe(true);
  });
});

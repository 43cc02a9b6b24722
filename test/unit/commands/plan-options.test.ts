/** plan's maps: a bad row is named by the line an editor shows, whatever blank lines precede it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlanConfig } from '../../../src/commands/plan-options.js';

const A = '123456789012';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sot-plan-options-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const parse = (...argv: string[]) => parsePlanConfig(['--out', 'plan.csv', '--region', 'us-east-1', ...argv], dir, {});

describe('--owner-map and --launch-role-map', () => {
  it('names line 6 for a bad row on line 6, after blank lines and a quoted line break', () => {
    writeFileSync(
      join(dir, 'owners.csv'),
      [
        'Old Owner,new_owner', // header names compared as every CSV of the tool compares them
        `arn:aws:iam::${A}:user/alice,arn:aws:iam::${A}:user/bob`,
        '',
        `"arn:aws:iam::${A}:user/carol","arn:aws:iam::${A}:user/bob"`,
        '',
        `arn:aws:iam::${A}:user/dave,not-an-arn`,
        '',
      ].join('\n'),
    );
    expect(() => parse('--owner-map', 'owners.csv')).toThrow(/--owner-map line 6: /);
  });

  it('names the line of the second mapping of one owner', () => {
    writeFileSync(
      join(dir, 'owners.csv'),
      `old_owner,new_owner\n\n\narn:aws:iam::${A}:user/alice,arn:aws:iam::${A}:user/bob\n\narn:aws:iam::${A}:user/alice,arn:aws:iam::${A}:user/zoe\n`,
    );
    expect(() => parse('--owner-map', 'owners.csv')).toThrow(/--owner-map line 6: .* is mapped twice/);
  });

  it('reads the rules of a well-formed map', () => {
    writeFileSync(join(dir, 'roles.csv'), `old_launch_role,new_launch_role\n\narn:aws:iam::${A}:role/Old,arn:aws:iam::${A}:role/New\n`);
    writeFileSync(join(dir, 'owners.csv'), `old_owner,new_owner,launch_role\narn:aws:iam::${A}:user/alice,arn:aws:iam::${A}:user/bob,\n`);
    const config = parse('--owner-map', 'owners.csv', '--launch-role-map', 'roles.csv');
    expect(config.launchRoles).toEqual([{ from: `arn:aws:iam::${A}:role/Old`, to: `arn:aws:iam::${A}:role/New` }]);
    expect(config.owners).toHaveLength(1);
  });
});

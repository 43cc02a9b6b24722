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

describe('ARNs with whitespace around them', () => {
  const ALICE = `arn:aws:iam::${A}:user/alice`;
  const BOB = `arn:aws:iam::${A}:user/bob`;
  const ROLE = `arn:aws:iam::${A}:role/SCLaunch`;

  it.each([
    ['from-owner', ['--from-owner', `${ALICE} `, '--to-owner', BOB], `--from-owner '${ALICE} ' has whitespace at its end`],
    ['to-owner', ['--from-owner', ALICE, '--to-owner', ` ${BOB}`], `--to-owner ' ${BOB}' has whitespace at its start`],
    ['launch-role', ['--from-owner', ALICE, '--to-owner', BOB, '--launch-role', `${ROLE}\t`], `--launch-role '${ROLE}\\t' has whitespace at its end`],
  ])('refuses --%s naming the flag and quoting the value', (_flag, argv, message) => {
    expect(() => parse(...argv)).toThrow(expect.objectContaining({ code: 'BAD_VALUE', message: expect.stringContaining(message) }));
  });

  it("trims a map's cells, quoted ones too: the rule holds the ARN itself", () => {
    writeFileSync(join(dir, 'owners.csv'), `old_owner,new_owner,launch_role\n"${ALICE} ", ${BOB} ," ${ROLE}"\n`);
    writeFileSync(join(dir, 'roles.csv'), `old_launch_role,new_launch_role\n"${ROLE} ",${ROLE}\n`);
    const config = parse('--owner-map', 'owners.csv', '--launch-role-map', 'roles.csv');
    expect(config.owners).toEqual([{ from: ALICE, to: BOB, launchRole: ROLE }]);
    expect(config.launchRoles).toEqual([{ from: ROLE, to: ROLE }]);
  });
});

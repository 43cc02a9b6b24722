import { describe, expect, it } from 'vitest';
import { parseAccountsFile } from '../../../src/input/accounts-file.js';

const A = '111111111111';
const B = '222222222222';

describe('parseAccountsFile', () => {
  it('reads every column, in any order and any spelling of the names; empty cells are undefined', () => {
    const text = `\ufeffProfile,Account-Id,ROLE_ARN,region,External Id\n,${A},arn:aws:iam::${A}:role/path/Admin,eu-west-1,reorg-2026\nteam-b,${B},,,\n\n`;
    const parsed = parseAccountsFile(text, 'accounts.csv');
    expect('entries' in parsed && [...parsed.entries.values()]).toEqual([
      { accountId: A, roleArn: `arn:aws:iam::${A}:role/path/Admin`, region: 'eu-west-1', externalId: 'reorg-2026', profile: undefined, line: 2 },
      { accountId: B, roleArn: undefined, region: undefined, externalId: undefined, profile: 'team-b', line: 3 },
    ]);
  });

  it('names every problem with its line', () => {
    const text = [
      'account_id,role_arn,region,external_id,profile',
      `${A},arn:aws:iam::${B}:role/X,,,`,
      `${B},arn:aws:iam::${B}:user/bob,Paris,x,`,
      `1234,,,,`,
      `${A},,,,`,
    ].join('\n');
    const parsed = parseAccountsFile(text, 'a.csv');
    expect('problems' in parsed && parsed.problems).toEqual([
      `a.csv line 2: role_arn is a role of account ${B}, not of ${A}`,
      `a.csv line 3: role_arn 'arn:aws:iam::${B}:user/bob' is not an IAM role ARN`,
      "a.csv line 3: region 'Paris' is not an AWS region name (such as eu-west-1)",
      'a.csv line 3: external_id must be 2-1224 of letters, digits and +=,.@:/-_',
      "a.csv line 4: account_id '1234' is not an AWS account id (12 digits)",
      `a.csv line 5: account ${A} is listed twice (also line 2)`,
    ]);
  });

  it('refuses a header without account_id, an unknown column, and an empty file', () => {
    expect(parseAccountsFile('role_arn,colour\n', 'f')).toEqual({
      problems: ["f line 1: unknown column 'colour' (the columns are account_id, role_arn, region, external_id, profile)", 'f line 1: no account_id column'],
    });
    expect(parseAccountsFile('', 'f')).toEqual({
      problems: ['f: empty; its first line must name the columns account_id, role_arn, region, external_id, profile'],
    });
  });
});

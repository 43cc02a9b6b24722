import { describe, expect, it } from 'vitest';
import { formatProblem, quoteValue } from '../../../src/input/format.js';
import { validateRow } from '../../../src/input/validate-row.js';
import type { HeaderMap, InputProblem, TransferRow } from '../../../src/input/types.js';
import { BOB, ROLE, STANDARD_HEADER } from './helpers.js';

function cells(id: string, owner: string, role: string, extra: Record<string, string> = {}): Record<string, string> {
  return { provisioned_product_id: id, new_owner: owner, launch_role: role, ...extra };
}

function valid(c: Record<string, string>, header: HeaderMap = STANDARD_HEADER): TransferRow {
  const result = validateRow(c, 7, header);
  if ('problems' in result) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.row;
}

function problems(c: Record<string, string>, header: HeaderMap = STANDARD_HEADER): InputProblem[] {
  const result = validateRow(c, 7, header);
  if ('row' in result) throw new Error('expected problems');
  return result.problems;
}

function codes(c: Record<string, string>): string[] {
  return problems(c).map((p) => p.code);
}

describe('validateRow', () => {
  it('trims fields and turns empty cells into undefined', () => {
    expect(valid(cells('  pp-a1ice0000001 ', ` ${BOB}\t`, '   '))).toEqual({
      line: 7,
      provisionedProductId: 'pp-a1ice0000001',
      newOwner: BOB,
      launchRole: undefined,
      accountId: BOB.split(':')[4],
      extra: {},
    });
    expect(valid(cells('pp-1', '', ROLE))).toMatchObject({ newOwner: undefined, launchRole: ROLE, accountId: ROLE.split(':')[4] });
  });

  it('carries extra columns untouched, in header order', () => {
    const header: HeaderMap = { ...STANDARD_HEADER, columns: [...STANDARD_HEADER.columns, 'ticket', 'note'], extraColumns: ['ticket', 'note'] };
    const row = valid(cells('pp-1', BOB, '', { note: ' a, b ', ticket: '' }), header);
    expect(Object.entries(row.extra)).toEqual([
      ['ticket', ''],
      ['note', ' a, b '],
    ]);
  });

  it('keeps an extra column named __proto__ as a plain value', () => {
    const header: HeaderMap = { ...STANDARD_HEADER, extraColumns: ['__proto__'] };
    const row = valid(cells('pp-1', BOB, '', { ['__proto__']: 'x' }), header);
    expect(Object.getOwnPropertyDescriptor(row.extra, '__proto__')?.value).toBe('x');
  });

  it('ID_MISSING for an empty id', () => {
    expect(problems(cells('  ', BOB, ''))).toEqual([
      {
        code: 'ID_MISSING',
        line: 7,
        column: 'provisioned_product_id',
        message: 'provisioned_product_id is empty: every row needs the provisioned product id',
      },
    ]);
  });

  it('ID_INVALID for characters outside [a-zA-Z0-9_-], matching the whole value', () => {
    // The model's pattern ^[a-zA-Z0-9_\-]* is unanchored at the end: it would match the prefix 'pp-abc'.
    expect(codes(cells('pp-abc!', BOB, ''))).toEqual(['ID_INVALID']);
    expect(problems(cells('pp-abc!', BOB, ''))[0]!.message).toBe(
      "provisioned_product_id 'pp-abc!' is not a provisioned product id: it may contain only letters, digits, '_' and '-' (found '!')",
    );
    expect(codes(cells('pp abc', BOB, ''))).toEqual(['ID_INVALID']);
    expect(codes(cells('pp-ábc', BOB, ''))).toEqual(['ID_INVALID']);
    expect(codes(cells('pp-a\nb', BOB, ''))).toEqual(['ID_INVALID']);
    expect(valid(cells('A_b-9', BOB, '')).provisionedProductId).toBe('A_b-9');
  });

  it('VALUE_TOO_LONG for an id over 100 characters', () => {
    expect(valid(cells('p'.repeat(100), BOB, '')).provisionedProductId).toHaveLength(100);
    const [p] = problems(cells('p'.repeat(101), BOB, ''));
    expect(p).toMatchObject({ code: 'VALUE_TOO_LONG', column: 'provisioned_product_id' });
    expect(p!.message).toMatch(/is 101 characters long; a provisioned product id has at most 100/);
  });

  it('NOTHING_TO_CHANGE when owner and launch role are both empty', () => {
    expect(problems(cells('pp-1', ' ', ''))).toEqual([
      { code: 'NOTHING_TO_CHANGE', line: 7, message: 'new_owner and launch_role are both empty: nothing to change' },
    ]);
    const ownerOnly: HeaderMap = { ...STANDARD_HEADER, columns: ['provisioned_product_id', 'OWNER'], ownerColumn: 'OWNER', launchRoleColumn: undefined };
    expect(problems({ provisioned_product_id: 'pp-1', OWNER: '' }, ownerOnly)[0]!.message).toBe('OWNER is empty: nothing to change');
  });

  it('VALUE_TOO_LONG for an owner or launch role over 1024 characters, with the value cut in the message', () => {
    const long = `arn:aws:iam::123456789012:user/${'p/'.repeat(500)}bob`;
    expect(long.length).toBeGreaterThan(1024);
    const [p] = problems(cells('pp-1', long, ''));
    expect(p).toMatchObject({ code: 'VALUE_TOO_LONG', column: 'new_owner' });
    expect(p!.message).toMatch(/^new_owner 'arn:aws:iam::123456789012:user\/p\/p\/p\/p\/p…' \(1034 characters\) is longer than the 1024 characters/);
    expect(codes(cells('pp-1', '', `arn:aws:iam::123456789012:role/${'p/'.repeat(500)}r`))).toEqual(['VALUE_TOO_LONG']);
  });

  it('OWNER_INVALID names the column, the value and the reason', () => {
    const [p] = problems(cells('pp-1', 'arn:aws:iam::12345:user/bob', ''));
    expect(p).toMatchObject({ code: 'OWNER_INVALID', line: 7, column: 'new_owner' });
    expect(formatProblem(p!)).toBe(
      "line 7: new_owner 'arn:aws:iam::12345:user/bob' is not an IAM user, role or assumed-role ARN: the account must be 12 digits",
    );
    expect(codes(cells('pp-1', 'bob', ''))).toEqual(['OWNER_INVALID']);
    expect(codes(cells('pp-1', 'arn:aws:iam::123456789012:group/admins', ''))).toEqual(['OWNER_INVALID']);
  });

  it('accepts IAM user, IAM role and STS assumed-role ARNs as owner', () => {
    expect(valid(cells('pp-1', BOB, '')).newOwner).toBe(BOB);
    expect(valid(cells('pp-1', 'arn:aws:iam::123456789012:role/team/Owner', '')).newOwner).toBe('arn:aws:iam::123456789012:role/team/Owner');
    expect(valid(cells('pp-1', 'arn:aws:sts::123456789012:assumed-role/Admin/alice', '')).newOwner).toBe('arn:aws:sts::123456789012:assumed-role/Admin/alice');
    expect(valid(cells('pp-1', 'arn:aws-cn:iam::123456789012:user/bob', '')).newOwner).toBe('arn:aws-cn:iam::123456789012:user/bob');
  });

  it('LAUNCH_ROLE_INVALID for a user ARN', () => {
    const [p] = problems(cells('pp-1', '', BOB));
    expect(p).toMatchObject({ code: 'LAUNCH_ROLE_INVALID', column: 'launch_role' });
    expect(p!.message).toBe(`launch_role '${BOB}' is not an IAM role ARN: it is an IAM user ARN; a launch role must be an IAM role`);
  });

  it('LAUNCH_ROLE_INVALID for an assumed-role ARN, pointing at the role ARN', () => {
    const [p] = problems(cells('pp-1', '', 'arn:aws:sts::123456789012:assumed-role/SCLaunch/s1'));
    expect(p!.code).toBe('LAUNCH_ROLE_INVALID');
    expect(p!.message).toMatch(/give the role's own ARN, arn:aws:iam::123456789012:role\/SCLaunch/);
  });

  it('LAUNCH_ROLE_INVALID for a malformed role ARN', () => {
    expect(codes(cells('pp-1', '', 'arn:aws:iam::123456789012:role/my role'))).toEqual(['LAUNCH_ROLE_INVALID']);
    expect(codes(cells('pp-1', '', 'SCLaunchRole'))).toEqual(['LAUNCH_ROLE_INVALID']);
  });

  it('accepts role ARNs with a path and in any partition as launch role', () => {
    expect(valid(cells('pp-1', '', 'arn:aws-us-gov:iam::123456789012:role/service-role/SC')).launchRole).toBe(
      'arn:aws-us-gov:iam::123456789012:role/service-role/SC',
    );
  });

  it('ACCOUNT_MISMATCH when owner and launch role are in different accounts or partitions', () => {
    const [p] = problems(cells('pp-1', BOB, 'arn:aws:iam::210987654321:role/R'));
    expect(p).toEqual({
      code: 'ACCOUNT_MISMATCH',
      line: 7,
      message: "new_owner is in account aws:123456789012 but launch_role is in account aws:210987654321; both must be in the provisioned product's account",
    });
    expect(codes(cells('pp-1', BOB, 'arn:aws-cn:iam::123456789012:role/R'))).toEqual(['ACCOUNT_MISMATCH']);
    expect(valid(cells('pp-1', 'arn:aws:sts::123456789012:assumed-role/A/s1', ROLE)).launchRole).toBe(ROLE);
  });

  it('reports every problem of a row, in column order', () => {
    expect(codes(cells('bad id', 'nope', BOB))).toEqual(['ID_INVALID', 'OWNER_INVALID', 'LAUNCH_ROLE_INVALID']);
  });
});

describe('quoteValue and formatProblem', () => {
  it('escapes control characters and cuts long values', () => {
    expect(quoteValue('a\nb\tc\u0001')).toBe("'a\\nb\\tc\\u0001'");
    expect(quoteValue('x'.repeat(100), 10)).toBe("'xxxxxxxxxx…' (100 characters)");
  });

  it('prints whole-file problems without a line', () => {
    expect(formatProblem({ code: 'EMPTY_FILE', line: 0, message: 'the input file is empty' })).toBe('the input file is empty');
    expect(formatProblem({ code: 'ID_MISSING', line: 3, message: 'x' })).toBe('line 3: x');
  });

  describe('account_id and region columns', () => {
    const header: HeaderMap = {
      ...STANDARD_HEADER,
      columns: [...STANDARD_HEADER.columns, 'AccountId', 'region'],
      accountColumn: 'AccountId',
      regionColumn: 'region',
    };
    const account = BOB.split(':')[4]!;
    const withPlace = (accountId: string, region: string) => cells('pp-1', BOB, '', { AccountId: accountId, region });

    it('takes the account from the cell, which must agree with the ARNs, and the region when given', () => {
      expect(valid(withPlace(` ${account} `, ' eu-west-1 '), header)).toMatchObject({ accountId: account, region: 'eu-west-1' });
      expect(valid(withPlace('', ''), header)).toMatchObject({ accountId: account });
      expect(valid(withPlace('', ''), header).region).toBeUndefined();
    });

    it("refuses an account id that is not 12 digits, another account than the ARNs', and a region that is no region name", () => {
      expect(problems(withPlace('12345', ''), header).map((p) => [p.code, p.column])).toEqual([['ACCOUNT_ID_INVALID', 'AccountId']]);
      const other = problems(withPlace('999999999999', ''), header);
      expect(other.map((p) => p.code)).toEqual(['ACCOUNT_MISMATCH']);
      expect(other[0]?.message).toBe(
        `AccountId is 999999999999 but new_owner is in account ${account}; a new owner and launch role must be in the provisioned product's account`,
      );
      expect(problems(withPlace(account, 'Europe'), header).map((p) => [p.code, p.column])).toEqual([['REGION_INVALID', 'region']]);
      for (const region of ['us-gov-west-1', 'cn-north-1', 'ap-southeast-5']) expect(valid(withPlace(account, region), header).region).toBe(region);
    });
  });
});

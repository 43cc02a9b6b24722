import { describe, expect, it } from 'vitest';
import { accountOfArn, arnParts, parseIamPrincipalArn, partitionOfArn, surroundingWhitespace } from '../../../src/input/iam-arn.js';

function reason(value: string): string {
  const result = parseIamPrincipalArn(value);
  if (result.ok) throw new Error(`expected ${value} to be refused`);
  return result.reason;
}

describe('parseIamPrincipalArn', () => {
  it('parses an IAM user ARN with the default path', () => {
    expect(parseIamPrincipalArn('arn:aws:iam::123456789012:user/bob')).toEqual({
      ok: true,
      arn: { partition: 'aws', accountId: '123456789012', kind: 'user', path: '/', name: 'bob' },
    });
  });

  it('parses an IAM role ARN with a path', () => {
    expect(parseIamPrincipalArn('arn:aws:iam::123456789012:role/service-role/team/SCLaunch')).toEqual({
      ok: true,
      arn: { partition: 'aws', accountId: '123456789012', kind: 'role', path: '/service-role/team/', name: 'SCLaunch' },
    });
  });

  it('parses an STS assumed-role ARN', () => {
    expect(parseIamPrincipalArn('arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com')).toEqual({
      ok: true,
      arn: {
        partition: 'aws',
        accountId: '123456789012',
        kind: 'assumed-role',
        path: '/',
        name: 'Admin',
        session: 'alice@example.com',
      },
    });
  });

  it.each(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'])('accepts the %s partition', (partition) => {
    const result = parseIamPrincipalArn(`arn:${partition}:iam::123456789012:user/bob`);
    expect(result.ok && result.arn.partition).toBe(partition);
  });

  it.each(['AWS', 'aws-', 'aws--cn', 'aws-1', 'azure', 'aws-CN', ''])('refuses the partition %j', (partition) => {
    expect(reason(`arn:${partition}:iam::123456789012:user/bob`)).toMatch(/partition/);
  });

  it('requires the arn: prefix', () => {
    expect(reason('bob')).toBe("it must start with 'arn:'");
    expect(reason('ARN:aws:iam::123456789012:user/bob')).toMatch(/lower case/);
  });

  it('requires all six parts', () => {
    expect(reason('arn:aws:iam::123456789012')).toMatch(/form arn:<partition>/);
  });

  it('requires the account to be exactly 12 digits', () => {
    expect(reason('arn:aws:iam::12345:user/bob')).toBe('the account must be 12 digits');
    expect(reason('arn:aws:iam::1234567890123:user/bob')).toBe('the account must be 12 digits');
    expect(reason('arn:aws:iam::12345678901a:user/bob')).toBe('the account must be 12 digits');
    expect(reason('arn:aws:iam:::user/bob')).toBe('the account must be 12 digits');
  });

  it('refuses a region', () => {
    expect(reason('arn:aws:iam:us-east-1:123456789012:user/bob')).toMatch(/no region.*us-east-1/);
  });

  it('refuses other services and resource types', () => {
    expect(reason('arn:aws:s3:::123456789012:bucket')).toMatch(/service must be iam or sts, not 's3'/);
    expect(reason('arn:aws:iam::123456789012:group/admins')).toMatch(/user\/<name> or role\/<name>, not 'group'/);
    expect(reason('arn:aws:iam::123456789012:root')).toMatch(/not 'root'/);
    expect(reason('arn:aws:iam::123456789012:policy/p')).toMatch(/not 'policy'/);
  });

  it('refuses a service/resource mix-up', () => {
    expect(reason('arn:aws:iam::123456789012:assumed-role/Admin/s1')).toMatch(/belong to the sts service/);
    expect(reason('arn:aws:sts::123456789012:role/Admin')).toMatch(/belong to the iam service/);
    expect(reason('arn:aws:sts::123456789012:user/bob')).toMatch(/belong to the iam service/);
    expect(reason('arn:aws:sts::123456789012:federated-user/bob')).toMatch(/assumed-role\/<role-name>/);
  });

  it('requires a name', () => {
    expect(reason('arn:aws:iam::123456789012:user')).toBe('the user name is missing');
    expect(reason('arn:aws:iam::123456789012:user/')).toBe('the user name is missing');
    expect(reason('arn:aws:iam::123456789012:role/path/')).toBe('the role name is missing');
  });

  describe('names', () => {
    it('accepts the whole IAM name alphabet and 64 characters', () => {
      expect(parseIamPrincipalArn('arn:aws:iam::123456789012:user/a_b+c=d,e.f@g-h').ok).toBe(true);
      expect(parseIamPrincipalArn(`arn:aws:iam::123456789012:role/${'r'.repeat(64)}`).ok).toBe(true);
    });

    it('refuses 65 characters', () => {
      expect(reason(`arn:aws:iam::123456789012:role/${'r'.repeat(65)}`)).toMatch(/role name must be 1 to 64 characters/);
    });

    it.each(['b ob', 'bob!', 'bób', 'bob*', 'bob#'])('refuses the name %j', (name) => {
      expect(reason(`arn:aws:iam::123456789012:user/${name}`)).toMatch(/user name .* may contain only/);
    });
  });

  describe('paths', () => {
    it('accepts printable ASCII paths', () => {
      const result = parseIamPrincipalArn('arn:aws:iam::123456789012:user/division_abc/!~"#$%&()*<>?[]^`{|}/bob');
      expect(result).toEqual({
        ok: true,
        arn: { partition: 'aws', accountId: '123456789012', kind: 'user', path: '/division_abc/!~"#$%&()*<>?[]^`{|}/', name: 'bob' },
      });
    });

    it('keeps a ":" of the path inside the resource', () => {
      const result = parseIamPrincipalArn('arn:aws:iam::123456789012:user/a:b/bob');
      expect(result.ok && result.arn.path).toBe('/a:b/');
      expect(result.ok && result.arn.name).toBe('bob');
    });

    it('refuses spaces and non-ASCII in a path', () => {
      expect(reason('arn:aws:iam::123456789012:user/my team/bob')).toMatch(/path '\/my team\/' may contain only printable ASCII/);
      expect(reason('arn:aws:iam::123456789012:user/équipe/bob')).toMatch(/printable ASCII/);
    });

    it('accepts a 512-character path and refuses 513', () => {
      const path512 = `/${'p'.repeat(510)}/`;
      expect(parseIamPrincipalArn(`arn:aws:iam::123456789012:user${path512}bob`).ok).toBe(true);
      const path513 = `/${'p'.repeat(511)}/`;
      expect(reason(`arn:aws:iam::123456789012:user${path513}bob`)).toMatch(/path is 513 characters long/);
    });
  });

  describe('assumed-role sessions', () => {
    it('requires role name and session name', () => {
      expect(reason('arn:aws:sts::123456789012:assumed-role/Admin')).toMatch(/assumed-role\/<role-name>\/<session-name>/);
      expect(reason('arn:aws:sts::123456789012:assumed-role/Admin/s1/extra')).toMatch(/assumed-role\/<role-name>/);
      expect(reason('arn:aws:sts::123456789012:assumed-role//s1')).toMatch(/role name is missing/);
    });

    it('requires a session name of 2 to 64 characters', () => {
      expect(reason('arn:aws:sts::123456789012:assumed-role/Admin/s')).toMatch(/session name must be 2 to 64/);
      expect(parseIamPrincipalArn('arn:aws:sts::123456789012:assumed-role/Admin/s1').ok).toBe(true);
      expect(parseIamPrincipalArn(`arn:aws:sts::123456789012:assumed-role/Admin/${'s'.repeat(64)}`).ok).toBe(true);
      expect(reason(`arn:aws:sts::123456789012:assumed-role/Admin/${'s'.repeat(65)}`)).toMatch(/session name must be 2 to 64/);
      expect(reason('arn:aws:sts::123456789012:assumed-role/Admin/my session')).toMatch(/session name .* may contain only/);
    });
  });
});

describe('arnParts, accountOfArn, partitionOfArn', () => {
  it('cut any ARN into its six parts, keeping colons of the resource', () => {
    expect(arnParts('arn:aws-cn:sts::123456789012:assumed-role/ops/alice')).toEqual({
      partition: 'aws-cn',
      service: 'sts',
      region: '',
      account: '123456789012',
      resource: 'assumed-role/ops/alice',
    });
    expect(arnParts('arn:aws:servicecatalog:eu-west-1:123456789012:stack/a:b')?.resource).toBe('stack/a:b');
    expect(arnParts('arn:aws')).toEqual({ partition: 'aws', service: '', region: '', account: '', resource: '' });
    expect(arnParts('pp-abc:def')).toBeUndefined();
  });

  it('name the account and partition only when the ARN has them', () => {
    expect(accountOfArn('arn:aws:iam::123456789012:user/bob')).toBe('123456789012');
    expect(accountOfArn('arn:aws:iam::12345:user/bob')).toBeUndefined();
    expect(partitionOfArn('arn:aws-us-gov:iam::123456789012:role/x')).toBe('aws-us-gov');
    expect(partitionOfArn('arn::iam::123456789012:role/x')).toBeUndefined();
    expect(partitionOfArn('nope')).toBeUndefined();
  });
});

describe('surroundingWhitespace', () => {
  const ALICE = 'arn:aws:iam::123456789012:user/alice';
  it('says nothing of an ARN without whitespace around it', () => {
    expect(surroundingWhitespace(ALICE)).toBeUndefined();
  });

  it('says where the whitespace is: a trailing space, a leading tab, a line break at both ends, a no-break space', () => {
    expect(surroundingWhitespace(`${ALICE} `)).toBe('has whitespace at its end, which no ARN has');
    expect(surroundingWhitespace(`\t${ALICE}`)).toBe('has whitespace at its start, which no ARN has');
    expect(surroundingWhitespace(`\n${ALICE}\r\n`)).toBe('has whitespace at its start and at its end, which no ARN has');
    expect(surroundingWhitespace(`${ALICE}\u00A0`)).toBe('has whitespace at its end, which no ARN has');
    expect(surroundingWhitespace('  ')).toBe('is only whitespace');
  });
});

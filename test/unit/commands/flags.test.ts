/** The command line as the ledger keeps it, and repeatable flags read one way. */
import { describe, expect, it } from 'vitest';
import { listFlag, maskedArgs } from '../../../src/commands/flags.js';
import { RUN_FLAGS } from '../../../src/commands/run-flags.js';

describe('maskedArgs', () => {
  it("masks an ExternalId whole and an endpoint URL's user and password, in both spellings of a flag, and leaves the rest", () => {
    const argv = [
      '--input',
      'in.csv',
      '--external-id',
      'Sup3r-secret',
      '--endpoint-url=https://user:pa%40ss@sc.example.com/path',
      '--sts-endpoint-url',
      'http://me:pw@127.0.0.1:4566',
      '--iam-endpoint-url',
      'http://127.0.0.1:4566',
      '--assume-role-name',
      'Org',
    ];
    expect(maskedArgs(argv, RUN_FLAGS)).toEqual([
      '--input',
      'in.csv',
      '--external-id',
      '***',
      '--endpoint-url=https://***@sc.example.com/path',
      '--sts-endpoint-url',
      'http://***@127.0.0.1:4566',
      '--iam-endpoint-url',
      'http://127.0.0.1:4566',
      '--assume-role-name',
      'Org',
    ]);
  });
});

describe('listFlag', () => {
  it('reads repeated values and commas alike, dropping blanks', () => {
    expect(listFlag({ account: ['1, 2', '3', ''] }, 'account')).toEqual(['1', '2', '3']);
    expect(listFlag({ account: '4,5' }, 'account')).toEqual(['4', '5']);
    expect(listFlag({}, 'account')).toEqual([]);
  });
});

/**
 * One corpus of principal ARNs, judged by both parsers: the input validator's (src/input/iam-arn.ts)
 * and the local Service Catalog's (src/emulator/arn-rules.ts). They stay two pieces of code on
 * purpose (the server judges on its own, so a shared bug cannot hide); this table keeps them
 * agreeing, each with the AWS rule that decides the case.
 */
import { describe, expect, it } from 'vitest';
import { parsePrincipal } from '../../src/emulator/arn-rules.js';
import { parseIamPrincipalArn } from '../../src/input/iam-arn.js';

const A = '123456789012';

/** [arn, the kind AWS accepts it as (undefined: not a principal ARN), the rule that decides]. */
const CORPUS: ReadonlyArray<readonly [string, 'user' | 'role' | 'assumed-role' | undefined, string]> = [
  [`arn:aws:iam::${A}:user/alice`, 'user', 'IAM user ARN'],
  [`arn:aws:iam::${A}:user/division_abc/subdivision_xyz/alice`, 'user', 'IAM path: / or /…/ of U+0021–U+007E'],
  [`arn:aws:iam::${A}:user/a//b/alice`, 'user', 'IAM path pattern (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F) allows an empty segment'],
  [`arn:aws:iam::${A}:role/service-role/SCLaunch`, 'role', 'IAM role ARN with a path'],
  [`arn:aws:sts::${A}:assumed-role/Team/carol@example.com`, 'assumed-role', 'STS assumed-role ARN'],
  [`arn:aws-cn:iam::${A}:user/alice`, 'user', 'partition aws-cn'],
  [`arn:aws-us-gov:iam::${A}:role/R`, 'role', 'partition aws-us-gov'],
  [`arn:aws-iso-b:iam::${A}:role/R`, 'role', 'partition aws-iso-b'],
  [`arn:aws-eusc:iam::${A}:user/u`, 'user', 'partition aws-eusc'],
  [`arn:aws-mars:iam::${A}:user/u`, 'user', 'the partition shape aws, aws-x, aws-x-y (a new partition needs no release)'],
  [`arn:aws-iso-b-x:iam::${A}:user/u`, undefined, 'no partition has three segments'],
  [`arn:amazon:iam::${A}:user/u`, undefined, 'every partition starts with aws'],
  [`arn:aws:iam::${A}:user/${'n'.repeat(64)}`, 'user', 'IAM names: 1 to 64 of [\\w+=,.@-]'],
  [`arn:aws:iam::${A}:user/${'n'.repeat(65)}`, undefined, 'IAM name longer than 64'],
  [`arn:aws:iam::${A}:user/al ice`, undefined, 'a space is not a name character'],
  [`arn:aws:iam::${A}:user/${'p'.repeat(511)}/x`, undefined, 'IAM path longer than 512'],
  [`arn:aws:iam::12345:user/alice`, undefined, 'account: 12 digits'],
  [`arn:aws:iam:us-east-1:${A}:user/alice`, undefined, 'IAM ARNs have no region'],
  [`arn:aws:sts::${A}:assumed-role/Team/c`, undefined, 'role session names: 2 to 64'],
  [`arn:aws:iam::${A}:assumed-role/Team/carol`, undefined, 'assumed-role belongs to sts'],
  [`arn:aws:sts::${A}:user/alice`, undefined, 'users belong to iam'],
  [`arn:aws:iam::${A}:group/admins`, undefined, 'a group cannot own'],
  [`arn:aws:iam::${A}:user/`, undefined, 'the name is missing'],
];

describe('one ARN corpus, two parsers', () => {
  it.each(CORPUS)('%s → %s (%s)', (arn, kind) => {
    const input = parseIamPrincipalArn(arn);
    expect(input.ok ? input.arn.kind : undefined).toBe(kind);
    expect(parsePrincipal(arn)?.kind).toBe(kind);
  });
});

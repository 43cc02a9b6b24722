/** The target check: each distinct owner and launch role looked up once; IAM trouble is a warning, never a failed row. */
import { describe, expect, it } from 'vitest';
import { trustsServiceCatalog, type IdentityApi } from '../../../src/aws/identity-api.js';
import { checkTargets, lookupOf } from '../../../src/transfer/target-check.js';

const ACCOUNT = '123456789012';
const arn = (resource: string, account = ACCOUNT) => `arn:aws:iam::${account}:${resource}`;
const named = (name: string) => Object.assign(new Error(`${name} from the fake`), { name });

class FakeIam implements IdentityApi {
  readonly calls: string[] = [];
  constructor(
    readonly missing: ReadonlySet<string> = new Set(),
    readonly untrusted: ReadonlySet<string> = new Set(),
    readonly denied = false,
  ) {}
  async callerIdentity() {
    return { account: ACCOUNT, arn: arn('role/Admin') };
  }
  async getUser(name: string) {
    this.calls.push(`user:${name}`);
    if (this.denied) throw named('AccessDenied');
    if (this.missing.has(name)) throw named('NoSuchEntityException');
    return { arn: arn(`user/${name}`), path: '/' };
  }
  async getRole(name: string) {
    this.calls.push(`role:${name}`);
    if (this.denied) throw named('AccessDenied');
    if (this.missing.has(name)) throw named('NoSuchEntityException');
    return { arn: arn(`role/${name}`), path: '/', trustsServiceCatalog: !this.untrusted.has(name), maxSessionSeconds: 3600 };
  }
}

const signal = new AbortController().signal;

describe('checkTargets', () => {
  it('finds missing owners and untrusted launch roles, looking each name up once', async () => {
    const api = new FakeIam(new Set(['bbo', 'Gone']), new Set(['Ec2Only']));
    const check = await checkTargets(
      {
        owners: [arn('user/bob'), arn('user/bbo'), arn('user/bbo'), 'arn:aws:sts::123456789012:assumed-role/Team/carol', arn('user/x', '999999999999')],
        launchRoles: [arn('role/Ec2Only'), arn('role/Gone'), arn('role/Team')],
      },
      ACCOUNT,
      api,
      signal,
    );
    expect([...check.problems].map(([target, problem]) => [target, problem.reason])).toEqual([
      [arn('user/bbo'), 'target-not-found'],
      [arn('role/Ec2Only'), 'launch-role-not-trusted'],
      [arn('role/Gone'), 'target-not-found'],
    ]);
    // The other account's user is not looked up (IAM reads are per account); the Team role once, for both uses.
    expect(api.calls).toEqual(['user:bob', 'user:bbo', 'role:Team', 'role:Ec2Only', 'role:Gone']);
    expect(check.skipped).toBeUndefined();
  });

  it('skips with one reason when IAM is denied, failing no target', async () => {
    const check = await checkTargets({ owners: [arn('user/bob')], launchRoles: [arn('role/R')] }, ACCOUNT, new FakeIam(new Set(), new Set(), true), signal);
    expect(check.problems.size).toBe(0);
    expect(check.skipped).toMatch(/^the IAM reads failed \(AccessDenied: /);
  });

  it('reads a user, a role and an assumed role by name', () => {
    expect(lookupOf(arn('user/team/ops/bob'))).toEqual({ kind: 'user', name: 'bob' });
    expect(lookupOf(arn('role/service-role/SCLaunch'))).toEqual({ kind: 'role', name: 'SCLaunch' });
    expect(lookupOf('arn:aws:sts::123456789012:assumed-role/Team/carol@example.com')).toEqual({ kind: 'role', name: 'Team' });
    expect(lookupOf('arn:aws:iam::123456789012:group/x')).toBeUndefined();
  });
});

describe('trustsServiceCatalog', () => {
  const doc = (statement: object) => encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: statement }));
  it('needs an Allow of sts:AssumeRole to servicecatalog.amazonaws.com', () => {
    expect(trustsServiceCatalog(doc([{ Effect: 'Allow', Principal: { Service: 'servicecatalog.amazonaws.com' }, Action: 'sts:AssumeRole' }]))).toBe(true);
    expect(
      trustsServiceCatalog(doc({ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'servicecatalog.amazonaws.com'] }, Action: ['sts:AssumeRole'] })),
    ).toBe(true);
    expect(trustsServiceCatalog(doc([{ Effect: 'Deny', Principal: { Service: 'servicecatalog.amazonaws.com' }, Action: 'sts:AssumeRole' }]))).toBe(false);
    expect(trustsServiceCatalog(doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]))).toBe(false);
    expect(trustsServiceCatalog('%not json')).toBe(false);
  });
});

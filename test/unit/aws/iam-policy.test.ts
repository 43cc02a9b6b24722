/**
 * docs/iam-policy.json against the code: every request the tool can make passes through one of two
 * seams (createServiceCatalogApi, createIdentityApi); calling each of their methods once with a
 * recording client gives the SDK commands the code sends, and the policy must allow exactly those
 * (STS GetCallerIdentity needs no permission). A new call without a policy line, or a policy line
 * the code no longer needs, fails here.
 */
import { readFileSync } from 'node:fs';
import type { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { describe, expect, it, vi } from 'vitest';
import { createIdentityApi } from '../../../src/aws/identity-api.js';
import { createServiceCatalogApi } from '../../../src/aws/service-catalog-api.js';

interface Policy {
  readonly Statement: ReadonlyArray<{ readonly Effect: string; readonly Action: readonly string[] }>;
}

const policy = JSON.parse(readFileSync(new URL('../../../docs/iam-policy.json', import.meta.url), 'utf8')) as Policy;
const allowed = new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));

/** `servicecatalog:UpdateProvisionedProductProperties` from an SDK command object. */
const actionOf = (service: string, command: object) => `${service}:${command.constructor.name.replace(/Command$/, '')}`;

describe('the IAM policy in docs/', () => {
  it('allows exactly the Service Catalog and IAM actions the code sends, with no wildcard', async () => {
    const sent: string[] = [];
    const recording = { send: async (command: object) => (sent.push(actionOf('servicecatalog', command)), {}) } as unknown as ServiceCatalogClient;
    const api = createServiceCatalogApi(recording);
    const signal = new AbortController().signal;
    await api.updateProperties({ provisionedProductId: 'pp-1', owner: 'o', launchRole: undefined, idempotencyToken: 't' }, signal);
    await api.describeRecord('rec-1', signal);
    await api.searchProduct('pp-1', signal);
    await api.describeProduct('pp-1', signal);
    await api.searchPage(undefined, signal);
    await api.scanPage(undefined, signal);
    // The method list above must be the whole interface: a new method needs a line here.
    expect(Object.keys(api).sort()).toEqual(['describeProduct', 'describeRecord', 'scanPage', 'searchPage', 'searchProduct', 'updateProperties']);

    const identity = createIdentityApi({ region: 'us-east-1', requestTimeoutMs: 1000 });
    const identitySent: string[] = [];
    // Intercept the SDK clients' send: the prototypes are shared by every client instance.
    const { STSClient } = await import('@aws-sdk/client-sts');
    const { IAMClient } = await import('@aws-sdk/client-iam');
    const sts = vi
      .spyOn(STSClient.prototype, 'send')
      .mockImplementation((command: object) => Promise.resolve((identitySent.push(actionOf('sts', command)), { Account: '1', Arn: 'a' })) as never);
    const iam = vi
      .spyOn(IAMClient.prototype, 'send')
      .mockImplementation((command: object) => Promise.resolve((identitySent.push(actionOf('iam', command)), { Role: {} })) as never);
    try {
      await identity.callerIdentity(signal);
      await identity.getUser('bob', signal);
      await identity.getRole('R', signal);
    } finally {
      sts.mockRestore();
      iam.mockRestore();
      identity.destroy();
    }
    expect(Object.keys(identity).sort()).toEqual(['callerIdentity', 'destroy', 'getRole', 'getUser']);

    // GetCallerIdentity needs no permission (AWS documents it), so the policy does not list it.
    const needed = new Set([...sent, ...identitySent].filter((action) => action !== 'sts:GetCallerIdentity'));
    expect([...allowed].sort()).toEqual([...needed].sort());
    expect([...allowed].every((action) => !action.includes('*'))).toBe(true);
  });

  it('docs/iam-policy-assume-role.json lets the caller assume only the transfer role, by name, in any account', async () => {
    const assume = JSON.parse(readFileSync(new URL('../../../docs/iam-policy-assume-role.json', import.meta.url), 'utf8')) as {
      Statement: { Effect: string; Action: string; Resource: string }[];
    };
    expect(assume.Statement).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole' })]);
    // The role ARN the run assumes (account-credentials.ts) must be what the policy's resource matches.
    const { accessFor } = await import('../../../src/aws/account-credentials.js');
    const roleArn = accessFor('210000000001', 'eu-west-1', {
      assumeRoleName: 'OrganizationAccountAccessRole',
      externalId: undefined,
      profile: undefined,
      accountsFile: undefined,
    }).roleArn!;
    const pattern = new RegExp(`^${assume.Statement[0]!.Resource.replace(/[.]/g, '\\.').replace(/\*/g, '[0-9]{12}')}$`);
    expect(roleArn).toMatch(pattern);
  });
});

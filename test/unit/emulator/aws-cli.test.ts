/**
 * The AWS CLI (botocore) against the emulator: it must sign requests the emulator verifies, and
 * parse every operation's answer and the errors. Runs when `aws` is on PATH; skipped otherwise.
 */
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { BOB, LEGACY_TAINTED, PAYMENTS_PROD, sampleSeed } from './helpers.js';

/** Which AWS CLI to check: `aws` on PATH, or e.g. SOT_AWS_CLI=/usr/bin/aws for Debian's v2 package. */
const AWS_BIN = process.env.SOT_AWS_CLI ?? 'aws';
const probe = spawnSync(AWS_BIN, ['--version'], { encoding: 'utf8' });
const awsVersion = probe.status === 0 ? `${probe.stdout}${probe.stderr}`.trim() : undefined;
const skipReason = awsVersion ? '' : ` (skipped: 'aws --version' failed: ${probe.error?.message ?? probe.stderr?.trim() ?? 'not on PATH'})`;

interface AwsResult {
  readonly code: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the AWS CLI's JSON, read field by field as each test needs
  readonly json: Record<string, any> | undefined;
  readonly error: { type: string; operation: string; message: string } | undefined;
  readonly stderr: string;
}

function aws(
  endpoint: string,
  args: string[],
  keys: { id: string; secret: string; token?: string } = { id: 'AKIDCLI', secret: 'cli-secret' },
  service = 'servicecatalog',
): Promise<AwsResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: keys.id,
    AWS_SECRET_ACCESS_KEY: keys.secret,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
    AWS_PAGER: '',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  if (keys.token !== undefined) env.AWS_SESSION_TOKEN = keys.token;
  return new Promise((resolve) => {
    execFile(
      AWS_BIN,
      [service, ...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json'],
      { env, timeout: 20_000 },
      (error, stdout, stderr) => {
        const match = /An error occurred \(([\w.]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: ([\s\S]*)/.exec(stderr);
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          json: stdout.trim() ? (JSON.parse(stdout) as AwsResult['json']) : undefined,
          error: match ? { type: match[1]!, operation: match[2]!, message: match[3]!.trim() } : undefined,
          stderr,
        });
      },
    );
  });
}

describe.skipIf(!awsVersion)(`AWS CLI ${awsVersion ?? ''}${skipReason}`, () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    // recordDelayMs 0: the CLI's answers are checked as final at once.
    emulator = await startEmulator({ seed: await sampleSeed(), credentials: { AKIDCLI: 'cli-secret' }, recordDelayMs: 0 });
  });
  afterAll(() => emulator?.close());

  it('speaks STS and IAM in the query protocol on the same port', async () => {
    const ep = emulator.endpoint;
    const keys = { id: 'AKIDCLI', secret: 'cli-secret' };
    // The faults bite on principals the sample declares: one missing, one launch role untrusted.
    emulator.setFaults({ missingPrincipals: ['arn:aws:iam::123456789012:user/dan.smith'], untrustedRoles: ['arn:aws:iam::123456789012:role/SCLaunch-CI'] });
    const [caller, user, role, untrusted, missing, nobody, withPath] = await Promise.all([
      aws(ep, ['get-caller-identity'], keys, 'sts'),
      aws(ep, ['get-user', '--user-name', 'bob'], keys, 'iam'),
      aws(ep, ['get-role', '--role-name', 'SCLaunch-Payments'], keys, 'iam'),
      aws(ep, ['get-role', '--role-name', 'SCLaunch-CI'], keys, 'iam'),
      aws(ep, ['get-user', '--user-name', 'dan.smith'], keys, 'iam'),
      aws(ep, ['get-user', '--user-name', 'nobody'], keys, 'iam'),
      aws(ep, ['get-role', '--role-name', 'SCLaunch-DataPlatform'], keys, 'iam'),
    ]);
    emulator.setFaults({});
    expect(caller.code, caller.stderr).toBe(0);
    // The caller is a role (Admin): STS names a session of it, never the role ARN itself.
    expect(caller.json).toMatchObject({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Admin/emulator' });
    expect(caller.json?.UserId).toMatch(/^AROA[A-Z2-7]{17}:emulator$/);
    expect(user.json?.User).toMatchObject({ UserName: 'bob', Arn: 'arn:aws:iam::123456789012:user/bob' });
    // The CLI decodes the URL-encoded trust policy, as it does for the real IAM.
    const principal = (result: AwsResult) => result.json?.Role.AssumeRolePolicyDocument.Statement[0].Principal.Service as string;
    expect(principal(role)).toBe('servicecatalog.amazonaws.com');
    expect(principal(untrusted)).toBe('ec2.amazonaws.com');
    expect(missing.error).toMatchObject({ type: 'NoSuchEntity', operation: 'GetUser' });
    // The sample declares its principals: any other name is missing, as in IAM; a declared one has its path.
    expect(nobody.code).not.toBe(0);
    expect(nobody.error).toEqual({ type: 'NoSuchEntity', operation: 'GetUser', message: 'The user with name nobody cannot be found.' });
    expect(withPath.code, withPath.stderr).toBe(0);
    expect(withPath.json?.Role).toMatchObject({
      Path: '/service-role/',
      RoleName: 'SCLaunch-DataPlatform',
      Arn: 'arn:aws:iam::123456789012:role/service-role/SCLaunch-DataPlatform',
    });
  });

  it('parses every operation and the errors', async () => {
    const ep = emulator.endpoint;
    const self = ['--access-level-filter', 'Key=Account,Value=Self'];
    const [describe, search, scan, missing, invalidId, badSignature, badOwner] = await Promise.all([
      aws(ep, ['describe-provisioned-product', '--id', PAYMENTS_PROD]),
      aws(ep, ['search-provisioned-products', ...self, '--filters', 'SearchQuery=status:TAINTED']),
      aws(ep, ['scan-provisioned-products', ...self, '--page-size', '5']),
      aws(ep, ['describe-provisioned-product', '--id', 'pp-missing000000']),
      aws(ep, ['describe-provisioned-product', '--id', 'pp-abc!']),
      aws(ep, ['describe-provisioned-product', '--id', PAYMENTS_PROD], { id: 'AKIDCLI', secret: 'wrong' }),
      aws(ep, ['update-provisioned-product-properties', '--provisioned-product-id', PAYMENTS_PROD, '--provisioned-product-properties', '{"OWNER":"bob"}']),
    ]);
    expect(describe.code, describe.stderr).toBe(0);
    expect(describe.json?.ProvisionedProductDetail).toMatchObject({ Id: PAYMENTS_PROD, LaunchRoleArn: 'arn:aws:iam::123456789012:role/SCLaunch-Payments' });
    // CLI v1 prints timestamps as the epoch seconds it received, v2 as ISO-8601.
    const created = describe.json?.ProvisionedProductDetail.CreatedTime as number | string;
    expect(typeof created === 'number' ? created * 1000 : Date.parse(created)).toBe(Date.parse('2023-03-14T09:21:07Z'));
    expect(search.json?.ProvisionedProducts.map((p: { Id: string }) => p.Id)).toEqual([LEGACY_TAINTED]);
    // The seed's tags, in Search's shape.
    expect(search.json?.ProvisionedProducts[0].Tags).toEqual([
      { Key: 'cost-center', Value: 'data-platform' },
      { Key: 'retire-after', Value: '2026-12-31' },
    ]);
    expect(search.json?.TotalResultsCount).toBe(1);
    // CLI v1 turns its own pagination off when --page-size is given (the model's names collide
    // with its flags), so follow NextPageToken by hand: 12 products in pages of 5.
    const ids: string[] = scan.json?.ProvisionedProducts.map((p: { Id: string }) => p.Id);
    let token = scan.json?.NextPageToken as string | undefined;
    while (token) {
      const next = await aws(ep, ['scan-provisioned-products', ...self, '--page-size', '5', '--page-token', token]);
      expect(next.code, next.stderr).toBe(0);
      ids.push(...(next.json?.ProvisionedProducts ?? []).map((p: { Id: string }) => p.Id));
      token = next.json?.NextPageToken;
    }
    expect(ids).toEqual(emulator.state.products().map((p) => p.id));

    expect(missing.code).not.toBe(0);
    expect(missing.error).toEqual({
      type: 'ResourceNotFoundException',
      operation: 'DescribeProvisionedProduct',
      message: 'Provisioned product pp-missing000000 not found.',
    });
    expect(invalidId.error?.type).toBe('ValidationException');
    expect(invalidId.error?.message).toContain("Value 'pp-abc!' at 'id' failed to satisfy constraint");
    expect(badSignature.error?.type).toBe('InvalidSignatureException');
    expect(badSignature.error?.message).toContain('The request signature we calculated does not match');
    expect(badOwner.error?.type).toBe('InvalidParametersException');
  });

  it('updates, describes the record, lists history; a throttled call shows ThrottlingException', async () => {
    const ep = emulator.endpoint;
    const update = await aws(ep, [
      'update-provisioned-product-properties',
      '--provisioned-product-id',
      PAYMENTS_PROD,
      '--provisioned-product-properties',
      JSON.stringify({ OWNER: BOB }),
    ]);
    expect(update.code, update.stderr).toBe(0);
    expect(update.json).toMatchObject({ ProvisionedProductId: PAYMENTS_PROD, ProvisionedProductProperties: { OWNER: BOB }, Status: 'SUCCEEDED' });
    // botocore filled in the idempotency token itself.
    expect(emulator.state.calls().find((c) => c.operation === 'UpdateProvisionedProductProperties' && c.outcome === 'ok')?.token).toMatch(/^[0-9a-f-]{36}$/);
    const recordId = update.json?.RecordId as string;

    emulator.setFaults({ quotas: { ScanProvisionedProducts: { ratePerSecond: 0.001, burst: 1 } } });
    const [record, history, firstScan] = await Promise.all([
      aws(ep, ['describe-record', '--id', recordId]),
      aws(ep, ['list-record-history', '--access-level-filter', 'Key=Account,Value=Self', '--search-filter', `Key=provisionedproduct,Value=${PAYMENTS_PROD}`]),
      aws(ep, ['scan-provisioned-products']),
    ]);
    const secondScan = await aws(ep, ['scan-provisioned-products']);
    emulator.setFaults({ quotas: {} });

    expect(record.json?.RecordDetail).toMatchObject({
      RecordId: recordId,
      RecordType: 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES',
      Status: 'SUCCEEDED',
      RecordErrors: [],
    });
    expect(record.json?.RecordOutputs).toEqual([]);
    expect(history.json?.RecordDetails.map((r: { RecordType: string }) => r.RecordType)).toEqual([
      'UPDATE_PROVISIONED_PRODUCT_PROPERTIES',
      'PROVISION_PRODUCT',
    ]);
    expect(firstScan.code, firstScan.stderr).toBe(0);
    expect(secondScan.error?.type).toBe('ThrottlingException');
    expect(secondScan.error?.message).toBe('Rate exceeded');
  });
});

describe.skipIf(!awsVersion)(`AWS CLI across accounts ${awsVersion ?? ''}${skipReason}`, () => {
  it("aws sts assume-role gives credentials that act in the role's account", async () => {
    const other = '222222222222';
    const home = await sampleSeed();
    const emulator = await startEmulator({
      seed: {
        ...home,
        accounts: [
          {
            accountId: other,
            products: [{ id: 'pp-other0000001', name: 'other-svc', owner: `arn:aws:iam::${other}:user/alice` }],
            assumableRoles: ['OrganizationAccountAccessRole'],
          },
        ],
      },
      credentials: { AKIDCLI: 'cli-secret' },
      recordDelayMs: 0,
    });
    try {
      const ep = emulator.endpoint;
      const assumed = await aws(
        ep,
        ['assume-role', '--role-arn', `arn:aws:iam::${other}:role/OrganizationAccountAccessRole`, '--role-session-name', 'cli-check'],
        undefined,
        'sts',
      );
      expect(assumed.code, assumed.stderr).toBe(0);
      const creds = assumed.json?.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
      expect(assumed.json?.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${other}:assumed-role/OrganizationAccountAccessRole/cli-check`);
      const keys = { id: creds.AccessKeyId, secret: creds.SecretAccessKey, token: creds.SessionToken };
      const [who, described, foreign] = await Promise.all([
        aws(ep, ['get-caller-identity'], keys, 'sts'),
        aws(ep, ['describe-provisioned-product', '--id', 'pp-other0000001'], keys),
        aws(ep, ['describe-provisioned-product', '--id', PAYMENTS_PROD], keys),
      ]);
      expect(who.json).toMatchObject({ Account: other });
      expect(described.json?.ProvisionedProductDetail.Arn).toContain(`:${other}:stack/other-svc/`);
      expect(foreign.error?.type).toBe('ResourceNotFoundException');
      const refused = await aws(ep, ['assume-role', '--role-arn', `arn:aws:iam::${other}:role/NotLetIn`, '--role-session-name', 'cli-check'], undefined, 'sts');
      expect(refused.error).toMatchObject({ type: 'AccessDenied', operation: 'AssumeRole' });
    } finally {
      await emulator.close();
    }
  });
});

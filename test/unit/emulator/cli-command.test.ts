/** `sc-owner-transfer emulator`: flags, output, runs until the signal aborts, usage errors. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  DescribeProvisionedProductCommand,
  SearchProvisionedProductsCommand,
  UpdateProvisionedProductPropertiesCommand,
} from '@aws-sdk/client-service-catalog';
import { emulatorCommand } from '../../../src/commands/emulator.js';
import { ALICE, BOB, PAYMENTS_PROD, rejectionOf, sdkClient } from './helpers.js';
import { captureIo } from '../../helpers/command-io.js';

const makeIo = captureIo;

/** Starts the command and waits for the endpoint line. */
async function launch(argv: string[]) {
  const harness = makeIo();
  const exit = emulatorCommand.execute(argv, harness.io);
  let endpoint: string | undefined;
  await expect
    .poll(() => {
      endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(harness.out())?.[1];
      return endpoint ?? harness.err();
    })
    .toMatch(/^http:/);
  return { ...harness, exit, endpoint: endpoint! };
}

describe('emulator command', () => {
  it('serves the bundled sample with the flags given, prints the endpoint and an aws example, and stops on abort', async () => {
    const run = await launch([
      '--port',
      '0',
      '--caller-arn',
      ALICE,
      '--access-key',
      'AKIDCLI:cli-secret',
      '--quota',
      'DescribeProvisionedProduct=1:1',
      '--record-delay-ms',
      '0',
      '--random-seed',
      '5',
    ]);
    expect(run.out()).toContain('account 123456789012, 12 provisioned products');
    expect(run.out()).toContain(
      `aws servicecatalog search-provisioned-products --access-level-filter Key=Account,Value=Self --endpoint-url ${run.endpoint} --region us-east-1`,
    );
    expect(run.out()).toContain('AWS_ACCESS_KEY_ID=AKIDCLI AWS_SECRET_ACCESS_KEY=cli-secret');
    const client = sdkClient(run.endpoint, { accessKeyId: 'AKIDCLI', secretAccessKey: 'cli-secret' });
    const stranger = sdkClient(run.endpoint, { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' });
    try {
      // --caller-arn alice: her products at User level.
      expect((await client.send(new SearchProvisionedProductsCommand({ AccessLevelFilter: { Key: 'User', Value: 'Self' } }))).TotalResultsCount).toBe(6);
      await client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD }));
      expect((await rejectionOf(client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD })))).name).toBe('ThrottlingException');
      expect((await rejectionOf(stranger.send(new SearchProvisionedProductsCommand({})))).name).toBe('UnrecognizedClientException');
    } finally {
      client.destroy();
      stranger.destroy();
    }
    run.controller.abort();
    expect(await run.exit).toBe(0);
    await expect(fetch(`${run.endpoint}/_emulator/state`)).rejects.toThrow();
  });

  it('generates products, holds and denies from flags, logs requests', async () => {
    const run = await launch(['--port', '0', '--generate', '30', '--account-id', '210987654321', '--log-requests', '--under-change', 'pp-whatever00000=60000']);
    expect(run.out()).toContain('account 210987654321, 30 provisioned products from --generate 30');
    const state = (await (await fetch(`${run.endpoint}/_emulator/state`)).json()) as { products: { id: string; owner: string }[] };
    const [first] = state.products;
    const client = sdkClient(run.endpoint);
    try {
      await client.send(
        new UpdateProvisionedProductPropertiesCommand({
          ProvisionedProductId: first!.id,
          ProvisionedProductProperties: { OWNER: 'arn:aws:iam::210987654321:user/new' },
          IdempotencyToken: 'cli-1',
        }),
      );
      const wrongAccount = await rejectionOf(
        client.send(new UpdateProvisionedProductPropertiesCommand({ ProvisionedProductId: first!.id, ProvisionedProductProperties: { OWNER: BOB } })),
      );
      expect(wrongAccount.name).toBe('InvalidParametersException');
    } finally {
      client.destroy();
    }
    run.controller.abort();
    expect(await run.exit).toBe(0);
    expect(run.err()).toMatch(/#1 UpdateProvisionedProductProperties pp-[a-z0-9]{12} -> ok/);
    expect(run.err()).toMatch(/#2 UpdateProvisionedProductProperties pp-[a-z0-9]{12} -> InvalidParametersException/);
  });

  it('applies access-denied and fault rates from flags', async () => {
    const run = await launch(['--port', '0', '--access-denied', PAYMENTS_PROD, '--server-error-rate', '1']);
    const client = sdkClient(run.endpoint);
    try {
      expect((await rejectionOf(client.send(new DescribeProvisionedProductCommand({ Id: PAYMENTS_PROD })))).name).toBe('InternalFailure');
      const faults = await (await fetch(`${run.endpoint}/_emulator/faults`)).json();
      expect(faults).toMatchObject({ accessDenied: [PAYMENTS_PROD], serverErrorRate: 1, dropAfterApplyRate: 0, dropBeforeApplyRate: 0, latencyMs: 0 });
    } finally {
      client.destroy();
    }
    run.controller.abort();
    expect(await run.exit).toBe(0);
  });

  it('shuffles unsorted Search pages with --shuffle-unsorted-pages: the same page asks twice, two orders; sorted pages stay put', async () => {
    const run = await launch(['--port', '0', '--generate', '300', '--shuffle-unsorted-pages']);
    const client = sdkClient(run.endpoint);
    const firstPage = async (sort?: string) =>
      ((await client.send(new SearchProvisionedProductsCommand({ PageSize: 100, ...(sort ? { SortBy: sort } : {}) }))).ProvisionedProducts ?? []).map(
        (p) => p.Id,
      );
    try {
      expect(await (await fetch(`${run.endpoint}/_emulator/faults`)).json()).toMatchObject({ shuffleUnsortedPages: true });
      const [a, b] = [await firstPage(), await firstPage()];
      expect(a).toHaveLength(100);
      expect(a).not.toEqual(b);
      expect(await firstPage('createdTime')).toEqual(await firstPage('createdTime'));
    } finally {
      client.destroy();
    }
    run.controller.abort();
    expect(await run.exit).toBe(0);
  });

  it('prints help with every flag and its default', async () => {
    const { io, out } = makeIo();
    expect(await emulatorCommand.execute(['--help'], io)).toBe(0);
    for (const flag of emulatorCommand.flags) {
      expect(out()).toContain(`--${flag.name}`);
      expect(flag.defaultText, flag.name).toBeTruthy();
    }
    expect(out()).toContain('(default: 4566)');
  });

  it.each([
    [['--quota', 'Bogus=1'], '--quota expects Operation=RATE[:BURST]'],
    [['--quota', 'ScanProvisionedProducts=0'], '--quota expects'],
    [['--seed', 'a.json', '--generate', '3'], '--seed and --generate cannot be used together'],
    [['--drop-after-rate', '2'], '--drop-after-rate expects a number from 0 to 1'],
    [['--under-change', 'pp-1'], '--under-change expects PRODUCT_ID=MILLISECONDS'],
    [['--access-key', 'nocolon'], '--access-key expects ACCESS_KEY_ID:SECRET'],
    [['--port', '70000'], '--port expects an integer from 0 to 65535'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--seed', 'does-not-exist.json'], "does-not-exist.json': does not exist"],
    [['--account-id', '210987654321'], "does not match the seed's account 123456789012"],
    [['--caller-arn', 'admin', '--port', '0'], 'callerArn must be an IAM user, role or assumed-role ARN'],
  ])('exits 2 on %j', async (argv, message) => {
    const { io, err } = makeIo();
    expect(await emulatorCommand.execute(argv, io)).toBe(2);
    expect(err()).toContain(message);
  });

  it('exits 2 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { io, err } = makeIo();
      expect(await emulatorCommand.execute(['--port', String(port)], io)).toBe(2);
      expect(err()).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      blocker.close();
    }
  });
});

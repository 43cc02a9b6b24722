/**
 * Behind a corporate proxy: with HTTP_PROXY / HTTPS_PROXY set, every AWS request of a run (Service
 * Catalog, STS, IAM) goes through the proxy, as the AWS CLI's do; NO_PROXY hosts go direct. The
 * proxy here is a small forward proxy that records what passed and relays it to the emulator
 * (plain http: the emulator has no TLS, so the CONNECT tunnel of https endpoints is not exercised).
 */
import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { awsTestEnv, runCli } from './helpers/cli.js';
import { serviceCatalogCalls } from './helpers/emulator-checks.js';
import { createWorkspace, CSV_HEADER, transferRows, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const OWNER = `arn:aws:iam::${ACCOUNT}:user/bob`;

interface Relayed {
  /** The absolute URL the client asked the proxy for. */
  readonly url: string;
  /** The Service Catalog operation (X-Amz-Target), or the query protocol's Action (STS, IAM). */
  readonly operation: string;
}

/** A forward proxy for http URLs (absolute-form requests), recording each request it relays. */
async function startRecordingProxy(): Promise<{ server: Server; url: string; relayed: Relayed[] }> {
  const relayed: Relayed[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('utf8'))?.[1] ?? '';
      relayed.push({ url: req.url ?? '', operation: target || action });
      if (!URL.canParse(req.url ?? '')) {
        res.writeHead(400).end('a forward proxy needs the absolute URL');
        return;
      }
      const upstream = request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, relayed };
}

let emulator: RunningEmulator;
let ws: Workspace;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;

beforeEach(async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 6, accountId: ACCOUNT, random: 5 }), recordDelayMs: 0 });
  ws = await createWorkspace('sot-proxy-');
  proxy = await startRecordingProxy();
});

afterEach(async () => {
  proxy.server.closeAllConnections();
  proxy.server.close();
  await emulator.close();
  await ws.remove();
});

const runWith = async (env: Record<string, string>) => {
  const input = await ws.writeCsv('in.csv', CSV_HEADER, transferRows(emulator.state.products(), OWNER));
  const endpoints = { AWS_ENDPOINT_URL_STS: emulator.endpoint, AWS_ENDPOINT_URL_IAM: emulator.endpoint };
  return runCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--rate', '1000', '--yes', '--expect-account', ACCOUNT], {
    cwd: ws.dir,
    env: awsTestEnv({ ...endpoints, ...env }),
  });
};

it('sends every Service Catalog, STS and IAM request through HTTP_PROXY, and the run succeeds', async () => {
  const result = await runWith({ HTTP_PROXY: proxy.url });
  expect(result.code).toBe(0);
  const operations = proxy.relayed.map((r) => r.operation);
  // Everything the emulator answered came through the proxy, and nothing else did.
  expect(proxy.relayed).toHaveLength(emulator.state.calls().length);
  expect(operations.filter((op) => op === 'UpdateProvisionedProductProperties').length).toBeGreaterThan(0);
  expect(operations.filter((op) => op !== 'GetCallerIdentity' && op !== 'GetUser')).toHaveLength(serviceCatalogCalls(emulator).length);
  expect(operations).toContain('GetCallerIdentity');
  expect(operations).toContain('GetUser');
  expect(proxy.relayed.every((r) => r.url.startsWith(emulator.endpoint))).toBe(true);
  // The log says which proxy, so an operator can tell why requests go where they go.
  expect(result.stderr).toContain(`HTTP_PROXY=${proxy.url}`);
});

it('goes direct to hosts no_proxy lists (either case, as the AWS CLI reads it)', async () => {
  const result = await runWith({ http_proxy: proxy.url, no_proxy: '127.0.0.1' });
  expect(result.code).toBe(0);
  expect(proxy.relayed).toEqual([]);
  expect(serviceCatalogCalls(emulator).length).toBeGreaterThan(0);
});

it('without proxy variables, nothing goes through the proxy', async () => {
  const result = await runWith({});
  expect(result.code).toBe(0);
  expect(proxy.relayed).toEqual([]);
});

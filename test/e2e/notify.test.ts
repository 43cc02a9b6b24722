/**
 * `--notify-url` through the compiled CLI: a run posts how it ended to a local receiver (Slack's
 * `text` and the structured `run`), a refusal is told too, and a receiver that answers 500, never
 * answers or refuses the connection leaves a warning and the run's own exit code. The waits are on
 * events (the request arriving, the process closing), never on sleeps.
 */
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { NotifyPayload } from '../../src/report/notify.js';
import { awsTestEnv, runCli } from './helpers/cli.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace, CSV_HEADER, transferRows, type Workspace } from './helpers/workspace.js';

const ACCOUNT = '123456789012';
const OWNER = `arn:aws:iam::${ACCOUNT}:user/bob`;
const resources = closedAfterEach();

interface Receiver {
  readonly url: string;
  /** Resolves with the first request's JSON body and headers once it has arrived whole. */
  readonly received: Promise<{ body: NotifyPayload; contentType: string | undefined }>;
  readonly count: () => number;
}

let receivers: Server[] = [];
afterEach(() => {
  for (const server of receivers) {
    server.closeAllConnections();
    server.close();
  }
  receivers = [];
});

async function startReceiver(answer: (res: ServerResponse) => void): Promise<Receiver> {
  let resolve: (value: { body: NotifyPayload; contentType: string | undefined }) => void = () => undefined;
  const received = new Promise<{ body: NotifyPayload; contentType: string | undefined }>((r) => (resolve = r));
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      count++;
      resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as NotifyPayload, contentType: req.headers['content-type'] });
      answer(res);
    });
  });
  receivers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T0/B0/secret-token`, received, count: () => count };
}

async function start(): Promise<{ emulator: RunningEmulator; ws: Workspace; input: string }> {
  const emulator = await startEmulator({ seed: generateSeed({ count: 3, accountId: ACCOUNT, random: 3 }), recordDelayMs: 0 });
  const ws = await createWorkspace('sot-notify-');
  resources.keep({ emulator, ws });
  const input = await ws.writeCsv('in.csv', CSV_HEADER, transferRows(emulator.state.products(), OWNER));
  return { emulator, ws, input };
}

const runArgs = (em: RunningEmulator, input: string, url: string, ...extra: string[]) => [
  'run',
  '--input',
  input,
  '--endpoint-url',
  em.endpoint,
  '--run-id',
  'nightly-1',
  '--expect-account',
  ACCOUNT,
  '--yes',
  '--no-progress',
  '--notify-url',
  url,
  ...extra,
];

describe('--notify-url', () => {
  it('posts how the run ended: a text for Slack and the run for other receivers, with nothing secret', async () => {
    const { emulator: em, ws, input } = await start();
    const receiver = await startReceiver((res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    const run = await runCli(runArgs(em, input, receiver.url, '--summary-json', ws.path('summary.json')), { cwd: ws.dir });
    expect(run.code, run.stderr).toBe(0);
    const { body, contentType } = await receiver.received;
    expect(receiver.count()).toBe(1);
    expect(contentType).toBe('application/json');
    expect(body.text).toMatch(
      /^sc-owner-transfer run nightly-1 on .+ ended with exit 0 \(all done\)\. 3 rows: \d+ succeeded(, \d+ skipped)?; \d+ s\. Account 123456789012\. Results: /,
    );
    expect(body.schema).toBe('sc-owner-transfer.notify/1');
    expect(body.run).toMatchObject({
      runId: 'nightly-1',
      exitCode: 0,
      exitCodeMeaning: 'all done',
      stoppedBy: null,
      dryRun: false,
      account: ACCOUNT,
      input,
      results: `${input}.results.csv`,
      checkpoint: `${input}.checkpoint`,
      summaryJson: ws.path('summary.json'),
      counts: { total: 3, failed: 0 },
    });
    // The seed may hold a product bob owns already: skipped, the rest succeeded.
    expect(body.run.counts.succeeded + body.run.counts.skipped).toBe(3);
    const posted = JSON.stringify(body);
    for (const secret of ['test-secret', 'AKIDTESTEXAMPLE', em.endpoint, 'secret-token']) expect(posted).not.toContain(secret);
    // The log names the receiver by its origin only: a webhook's path is its secret.
    expect(run.stderr).toContain('end of run notified');
    expect(run.stderr).not.toContain('secret-token');
  });

  it('a refusal is told too, with its exit code and why', async () => {
    const { emulator: em, ws } = await start();
    const receiver = await startReceiver((res) => res.writeHead(204).end());
    const run = await runCli(runArgs(em, ws.path('missing.csv'), receiver.url), { cwd: ws.dir });
    expect(run.code).toBe(2);
    const { body } = await receiver.received;
    expect(body.run.exitCode).toBe(2);
    expect(body.run.error).toContain('missing.csv');
    expect(body.text).toContain('ended with exit 2');
  });

  it('a receiver answering 500: a warning, and the exit code is the run’s', async () => {
    const { emulator: em, ws, input } = await start();
    const receiver = await startReceiver((res) => res.writeHead(500).end('boom'));
    const run = await runCli(runArgs(em, input, receiver.url), { cwd: ws.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(receiver.count()).toBe(1);
    expect(run.stderr).toContain('the notification was not delivered');
    expect(run.stderr).toContain('the receiver answered HTTP 500');
    expect(em.state.products().every((p) => p.owner === OWNER)).toBe(true);
  });

  it('a receiver that never answers: given up after 10 s, a warning, the exit code unchanged (a failing run keeps its 1)', async () => {
    const { emulator: em, ws } = await start();
    const bad = await ws.writeCsv('bad.csv', CSV_HEADER, [...transferRows(em.state.products(), OWNER), ['pp-doesnotexist1', OWNER, '']]);
    const receiver = await startReceiver(() => undefined);
    const started = Date.now();
    const finished = runCli(runArgs(em, bad, receiver.url), { cwd: ws.dir });
    const { body } = await receiver.received;
    expect(body.run.exitCode).toBe(1);
    const run = await finished;
    expect(run.code, run.stderr).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(run.stderr).toContain('no answer within 10 s');
  });

  it('a receiver that refuses the connection, before the log is open: a warning on stderr, the refusal’s exit code', async () => {
    const { emulator: em, ws, input } = await start();
    const receiver = await startReceiver(() => undefined);
    for (const server of receivers) server.close();
    await Promise.all(receivers.map((server) => once(server, 'close')));
    receivers = [];
    // A --results that is a directory is refused before the log is opened.
    const run = await runCli(runArgs(em, input, receiver.url, '--results', ws.dir), { cwd: ws.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/sc-owner-transfer run: warning: --notify-url http:\/\/127\.0\.0\.1:\d+\/…: the notification was not delivered: .*ECONNREFUSED/);
  });

  it('goes through the proxy the environment names, as AWS requests do', async () => {
    const { emulator: em, ws, input } = await start();
    const receiver = await startReceiver((res) => res.writeHead(200).end('ok'));
    const relayed: string[] = [];
    // A forward proxy for http URLs that records each absolute URL it relays.
    const proxy = createServer((req, res) => {
      relayed.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const upstream = request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    receivers.push(proxy);
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const run = await runCli(runArgs(em, input, receiver.url), { cwd: ws.dir, env: awsTestEnv({ HTTP_PROXY: proxyUrl }) });
    expect(run.code, run.stderr).toBe(0);
    expect((await receiver.received).body.run.exitCode).toBe(0);
    expect(relayed).toContain(`POST ${receiver.url}`);
  });

  it('refuses a URL that is not http(s) before anything is sent (exit 2)', async () => {
    const { emulator: em, ws, input } = await start();
    const run = await runCli(runArgs(em, input, 'ftp://example.com/hook'), { cwd: ws.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--notify-url expects an http:// or https:// URL, got 'ftp://example.com/hook'");
    expect(em.state.calls()).toEqual([]);
  });
});

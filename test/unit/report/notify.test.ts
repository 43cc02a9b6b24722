/**
 * `--notify-url`'s payload and its delivery against a local HTTP server: what a chat channel shows
 * (`text`), what other receivers parse (`run`), nothing secret in either, and every failure (an
 * error answer, no answer, a refused connection) a warning's words, never a throw.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpAgents } from '../../../src/aws/http-agents.js';
import { maskCredentialsInText, NOTIFY_SCHEMA, notifyPayload, notifyTarget, postJsonThrough, sendNotification } from '../../../src/report/notify.js';
import { makeCounts, makeSummary } from './fixtures.js';

describe('notifyPayload', () => {
  it('a one-paragraph text for a chat channel and the run facts for other receivers', () => {
    const payload = notifyPayload({ summary: makeSummary(), version: '0.1.0', summaryJson: '/data/last.json', host: 'ops-1' });
    expect(payload.schema).toBe(NOTIFY_SCHEMA);
    expect(payload.text).toBe(
      'sc-owner-transfer run run-42 on ops-1 ended with exit 1 (some rows failed or invalid). 4000 rows: 3990 succeeded, 3 failed, 7 invalid; 66 s. Results: /data/results.csv',
    );
    expect(payload.text).not.toContain('\n');
    expect(payload.run).toMatchObject({
      tool: 'sc-owner-transfer',
      version: '0.1.0',
      command: 'run',
      runId: 'run-42',
      exitCode: 1,
      exitCodeMeaning: 'some rows failed or invalid',
      stoppedBy: null,
      counts: { total: 4000, succeeded: 3990, failed: 3 },
      results: '/data/results.csv',
      checkpoint: '/data/.sc-owner-transfer/checkpoint',
      summaryJson: '/data/last.json',
      host: 'ops-1',
    });
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });

  it('across accounts: the accounts, and how many were not reached', () => {
    const accounts = [
      { accountId: '111111111111', rows: 2, outcomes: { succeeded: 2 } },
      { accountId: '222222222222', rows: 1, outcomes: { 'not-started': 1 }, unreachable: 'AccessDenied' },
    ];
    const payload = notifyPayload({ summary: makeSummary({ accounts, exitCode: 7, stoppedBy: undefined }), version: '0.1.0' });
    expect(payload.run.accounts).toEqual(accounts);
    expect(payload.text).toContain('2 accounts, 1 not reached.');
  });

  it('a refusal: its first line, with URL credentials and --external-id masked; no counts to speak of', () => {
    const summary = makeSummary({
      counts: makeCounts(),
      exitCode: 3,
      results: '',
      error: 'cannot reach http://alice:s3cret@proxy:3128 with ExternalId reorg-secret-77\nmore detail',
    });
    const payload = notifyPayload({ summary, version: '0.1.0', secrets: ['reorg-secret-77', undefined] });
    const text = JSON.stringify(payload);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('reorg-secret-77');
    expect(text).not.toContain('more detail');
    expect(payload.run.error).toBe('cannot reach http://***@proxy:3128 with ExternalId ***');
    expect(payload.text).toContain('0 rows: no row decided');
    expect(payload.text).toContain('Error: cannot reach http://***@proxy:3128');
    expect(payload.text).not.toContain('Results:');
  });
});

describe('masking', () => {
  it('URL credentials anywhere in a text; the log names a receiver by its origin only', () => {
    expect(maskCredentialsInText('a https://u:p@h/x and http://v@k b')).toBe('a https://***@h/x and http://***@k b');
    expect(notifyTarget('https://user:pw@hooks.slack.com/services/T0/B0/XYZ')).toBe('https://hooks.slack.com/…');
    expect(notifyTarget('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(notifyTarget('not a url')).toBe('(not a URL)');
  });
});

describe('sendNotification through postJsonThrough, against a local receiver', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  interface Received {
    readonly headers: IncomingHttpHeaders;
    readonly method: string;
    readonly body: string;
  }

  /** A receiver answering `answer`; `received` resolves with the first request, whole. */
  async function receiver(answer: (res: ServerResponse) => void): Promise<{ url: string; received: Promise<Received> }> {
    let resolve: (value: Received) => void = () => undefined;
    const received = new Promise<Received>((r) => (resolve = r));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        resolve({ headers: req.headers, method: req.method ?? '', body: Buffer.concat(chunks).toString('utf8') });
        answer(res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-path`, received };
  }

  const payload = notifyPayload({ summary: makeSummary(), version: '0.1.0' });
  const post = () => postJsonThrough(createHttpAgents({ maxSockets: 1, env: {} }));

  it('a 2xx answer: delivered, the JSON as sent, named by the tool', async () => {
    const { url, received } = await receiver((res) => res.writeHead(200).end('ok'));
    expect(await sendNotification(url, payload, { post: post(), userAgent: 'sc-owner-transfer/0.1.0' })).toBeUndefined();
    const request = await received;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('sc-owner-transfer/0.1.0');
    expect(JSON.parse(request.body)).toEqual(payload);
  });

  it('an answer of 500: the warning says so', async () => {
    const { url } = await receiver((res) => res.writeHead(500).end('boom'));
    expect(await sendNotification(url, payload, { post: post(), userAgent: 'x' })).toBe('the receiver answered HTTP 500');
  });

  it('no answer: given up after the timeout, the request abandoned', async () => {
    const { url, received } = await receiver(() => undefined);
    const outcome = sendNotification(url, payload, { post: post(), userAgent: 'x', timeoutMs: 300 });
    await received;
    expect(await outcome).toBe('no answer within 0.3 s');
  });

  it('a connection refused: the reason, no throw', async () => {
    const { url } = await receiver(() => undefined);
    server?.close();
    await once(server!, 'close');
    server = undefined;
    expect(await sendNotification(url, payload, { post: post(), userAgent: 'x', timeoutMs: 5000 })).toMatch(/ECONNREFUSED/);
  });

  it('a post function that throws something odd is still only a warning', async () => {
    const failing = () => Promise.reject(new Error('refused by https://u:p@proxy'));
    expect(await sendNotification('http://127.0.0.1:1', payload, { post: failing, userAgent: 'x' })).toBe('refused by https://***@proxy');
  });
});

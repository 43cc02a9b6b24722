/**
 * CloudTrail attribution on the wire: every client the tool makes (Service Catalog, STS, IAM, the
 * AssumeRole of an account's role) sends a User-Agent that ends with the tool, its version and the
 * run id, and carries the SDK's app id; and a role's session name is valid for any run id.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeRecordCommand } from '@aws-sdk/client-service-catalog';
import { credentialsFor, SESSION_NAME_PATTERN, sessionNameFor } from '../../../src/aws/account-credentials.js';
import { createServiceCatalogClient } from '../../../src/aws/client.js';
import type { CredentialSource } from '../../../src/aws/credential-source.js';
import { createHttpAgents } from '../../../src/aws/http-agents.js';
import { createIdentityApi } from '../../../src/aws/identity-api.js';
import { APP_ID_MAX_LENGTH, TOOL_NAME, toolUserAgent, userAgentSuffix } from '../../../src/aws/user-agent.js';
import { RUN_ID_PATTERN } from '../../../src/transfer/token.js';

const RUN_ID = 'reorg-2026.q4_nightly-1';
const userAgent = toolUserAgent({ version: '1.2.3', runId: RUN_ID });
const SUFFIX = `sc-owner-transfer/1.2.3 sc-owner-transfer-run/${RUN_ID}`;

describe('toolUserAgent', () => {
  it('names the tool, its version and the run id; the app id is the tool, within the SDK limit', () => {
    expect(userAgent).toEqual({
      userAgentAppId: TOOL_NAME,
      customUserAgent: [
        ['sc-owner-transfer', '1.2.3'],
        ['sc-owner-transfer-run', RUN_ID],
      ],
    });
    expect(userAgentSuffix(userAgent)).toBe(SUFFIX);
    expect(TOOL_NAME.length).toBeLessThanOrEqual(APP_ID_MAX_LENGTH);
    expect(toolUserAgent({ version: '1.2.3', runId: '' }).customUserAgent).toEqual([['sc-owner-transfer', '1.2.3']]);
  });

  it("keeps the operator's AWS_SDK_UA_APP_ID when it is within 50 characters, else uses the tool's", () => {
    expect(toolUserAgent({ version: '1', runId: '', env: { AWS_SDK_UA_APP_ID: 'acme-platform' } }).userAgentAppId).toBe('acme-platform');
    expect(toolUserAgent({ version: '1', runId: '', env: { AWS_SDK_UA_APP_ID: 'a'.repeat(51) } }).userAgentAppId).toBe(TOOL_NAME);
    expect(toolUserAgent({ version: '1', runId: '', env: { AWS_SDK_UA_APP_ID: '  ' } }).userAgentAppId).toBe(TOOL_NAME);
  });

  it('writes a version with characters the SDK would change as the SDK sends it', () => {
    expect(toolUserAgent({ version: '1.0.0 (dev)/x', runId: '' }).customUserAgent[0]).toEqual(['sc-owner-transfer', '1.0.0--dev--x']);
  });
});

describe('sessionNameFor', () => {
  const chars = 'abcXYZ019._-';
  const randomRunId = (seed: number): string => {
    let state = seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const length = 1 + (next() % 64);
    let id = 'a';
    while (id.length < length) id += chars[next() % chars.length];
    return id;
  };

  it('is valid for STS (2-64 of [\\w+=,.@-]) and names the tool, for every run id --run-id accepts', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const runId = randomRunId(seed);
      expect(RUN_ID_PATTERN.test(runId), runId).toBe(true);
      const name = sessionNameFor(runId);
      expect(name, runId).toMatch(SESSION_NAME_PATTERN);
      expect(name.startsWith('sc-owner-transfer-')).toBe(true);
    }
  });

  it('keeps a run id that fits whole; a longer one keeps its start and a hash, so two run ids never share a name', () => {
    expect(sessionNameFor('')).toBe('sc-owner-transfer');
    expect(sessionNameFor('x'.repeat(46))).toBe(`sc-owner-transfer-${'x'.repeat(46)}`);
    const long = sessionNameFor('x'.repeat(47));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^sc-owner-transfer-x{37}-[0-9a-f]{8}$/);
    const a = sessionNameFor(`${'p'.repeat(50)}-a`);
    const b = sessionNameFor(`${'p'.repeat(50)}-b`);
    expect(a).not.toBe(b);
    expect(a).toMatch(SESSION_NAME_PATTERN);
  });

  it('is valid even for a run id --run-id would refuse (plan, tests): spaces, slashes, non-ASCII', () => {
    for (const runId of ['a b/c', 'ünïcødé', 'x:y*z', '🙂', 'a'.repeat(500)]) {
      expect(sessionNameFor(runId), runId).toMatch(SESSION_NAME_PATTERN);
    }
    expect(sessionNameFor('a b')).not.toBe(sessionNameFor('a-b'));
  });
});

describe('the User-Agent every client sends', () => {
  let server: Server;
  let endpoint: string;
  let seen: { target: string; body: string; headers: IncomingHttpHeaders }[];

  beforeEach(async () => {
    seen = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ target: String(req.headers['x-amz-target'] ?? ''), body, headers: req.headers });
        // A refusal in each protocol: enough for the SDK to have sent its request.
        if (req.headers['x-amz-target'] !== undefined) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end('{"__type":"ResourceNotFoundException","message":"no"}');
        } else {
          res
            .writeHead(403, { 'content-type': 'text/xml' })
            .end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>1</RequestId></ErrorResponse>');
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  const agents = () => createHttpAgents({ maxSockets: 2, env: {}, userAgent });
  const staticCredentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
  const expectNamed = (headers: IncomingHttpHeaders) => {
    const header = String(headers['user-agent']);
    expect(header.endsWith(` app/sc-owner-transfer ${SUFFIX}`), header).toBe(true);
  };

  it('Service Catalog, STS and IAM clients', async () => {
    const client = createServiceCatalogClient({ region: 'us-east-1', endpoint, agents: agents(), requestTimeoutMs: 5000, credentials: staticCredentials });
    await expect(client.send(new DescribeRecordCommand({ Id: 'rec-1' }))).rejects.toThrow();
    client.destroy();
    const identity = createIdentityApi({
      region: 'us-east-1',
      stsEndpoint: endpoint,
      iamEndpoint: endpoint,
      requestTimeoutMs: 5000,
      agents: agents(),
      credentials: () => Promise.resolve(staticCredentials),
    });
    const signal = new AbortController().signal;
    await expect(identity.callerIdentity(signal)).rejects.toThrow();
    await expect(identity.getUser('bob', signal)).rejects.toThrow();
    identity.destroy();
    expect(new Set(seen.map((s) => s.target || /Action=(\w+)/.exec(s.body)?.[1]))).toEqual(
      new Set(['AWS242ServiceCatalogService.DescribeRecord', 'GetCallerIdentity', 'GetUser']),
    );
    for (const request of seen) expectNamed(request.headers);
  });

  it("an account's role: the AssumeRole the credential provider sends, with the run's session name", async () => {
    const source: CredentialSource = { caller: () => Promise.resolve(staticCredentials), profile: () => () => Promise.resolve(staticCredentials) };
    const provider = credentialsFor(
      { accountId: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/Admin', externalId: undefined, profile: undefined, region: undefined },
      { region: 'us-east-1', stsEndpoint: endpoint, agents: agents(), requestTimeoutMs: 5000, sessionName: sessionNameFor(RUN_ID), source },
    );
    await expect(provider()).rejects.toThrow();
    const assumeRole = seen.filter((s) => s.body.includes('Action=AssumeRole'));
    expect(assumeRole.length).toBeGreaterThan(0);
    for (const request of assumeRole) {
      expectNamed(request.headers);
      expect(new URLSearchParams(request.body).get('RoleSessionName')).toBe(`sc-owner-transfer-${RUN_ID}`);
    }
  });
});

import { Agent as HttpAgent } from 'node:http';
import { ProxyAgent } from 'proxy-agent';
import { describe, expect, it } from 'vitest';
import { createHttpAgents, proxySettingsOf } from '../../../src/aws/http-agents.js';

describe('createHttpAgents', () => {
  it('uses plain kept-alive agents when no proxy is named (NO_PROXY alone names none)', () => {
    for (const env of [{}, { NO_PROXY: '*' }]) {
      const agents = createHttpAgents({ maxSockets: 8, env });
      expect(agents.httpAgent).toBeInstanceOf(HttpAgent);
      expect(agents.httpAgent).not.toBeInstanceOf(ProxyAgent);
      expect(agents.httpAgent.maxSockets).toBe(8);
      expect(agents.proxySettings).toEqual([]);
    }
  });

  it('uses a ProxyAgent for both schemes when HTTPS_PROXY or http_proxy is set', () => {
    for (const env of [{ HTTPS_PROXY: 'http://proxy:3128' }, { http_proxy: 'http://proxy:3128' }, { ALL_PROXY: 'http://proxy:3128' }]) {
      const agents = createHttpAgents({ maxSockets: 8, env });
      expect(agents.httpAgent).toBeInstanceOf(ProxyAgent);
      expect(agents.httpsAgent).toBeInstanceOf(ProxyAgent);
    }
  });
});

describe('proxySettingsOf', () => {
  it('lists the proxy variables in either case, lower case winning as proxy-from-env reads them, with credentials masked', () => {
    expect(
      proxySettingsOf({
        https_proxy: 'http://alice:s3cret@proxy:3128',
        HTTP_PROXY: 'http://ignored:8080',
        http_proxy: 'http://proxy:8080',
        no_proxy: '169.254.169.254,.internal',
      }),
    ).toEqual(['HTTPS_PROXY=http://***@proxy:3128', 'HTTP_PROXY=http://proxy:8080', 'NO_PROXY=169.254.169.254,.internal']);
  });

  it('masks credentials with no scheme, and passwords holding / or @', () => {
    expect(proxySettingsOf({ HTTPS_PROXY: 'alice:s3cret@proxy:3128' })).toEqual(['HTTPS_PROXY=***@proxy:3128']);
    expect(proxySettingsOf({ HTTPS_PROXY: 'https://alice:a/b@c@proxy:3128' })).toEqual(['HTTPS_PROXY=https://***@proxy:3128']);
  });
});

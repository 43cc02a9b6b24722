import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFileError } from '../../../src/local-file-error.js';
import { createLogger, LOG_LEVELS, parseLogLevel, redactPaths } from '../../../src/report/logger.js';
import { CollectingStream, withTempDir } from './fixtures.js';

const SECRETS = [
  'AKIAEXAMPLEKEYID0001',
  'AKIAEXAMPLEKEYID0002',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET01',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET02',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET03',
  'FwoGZXIvYXdzSESSIONTOKEN01',
  'FwoGZXIvYXdzSESSIONTOKEN02',
  'FwoGZXIvYXdzSESSIONTOKEN03',
  'AWS4-HMAC-SHA256 Credential=AKIA/20240501/us-east-1/servicecatalog/aws4_request, Signature=deadbeef01',
  'AWS4-HMAC-SHA256 Credential=AKIA/20240501/us-east-1/servicecatalog/aws4_request, Signature=deadbeef02',
  'AWS4-HMAC-SHA256 Credential=AKIA/20240501/us-east-1/servicecatalog/aws4_request, Signature=deadbeef03',
  'cafebabe-signature-01',
  'hunter2-password-01',
] as const;

describe('parseLogLevel', () => {
  it.each(LOG_LEVELS)('accepts %s', (level) => {
    expect(parseLogLevel(level)).toBe(level);
  });

  it('accepts any case and surrounding blanks', () => {
    expect(parseLogLevel(' DEBUG ')).toBe('debug');
  });

  it('rejects anything else, repeating the bad value', () => {
    expect(() => parseLogLevel('verbose')).toThrow(new Error("--log-level expects one of trace, debug, info, warn, error, silent, got 'verbose'"));
    expect(() => parseLogLevel('')).toThrow("got ''");
  });
});

describe('createLogger (stream destination)', () => {
  it('writes JSON lines with a level label, an ISO time and the message', async () => {
    const stream = new CollectingStream();
    const { logger, flush } = createLogger({ level: 'info', destination: { kind: 'stream', stream } });
    logger.info({ line: 7, provisionedProductId: 'pp-1' }, 'row done');
    logger.debug('not shown at info');
    await flush();
    const lines = stream.json();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'row done', line: 7, provisionedProductId: 'pp-1' });
    expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('filters by level, and silent writes nothing', async () => {
    const warnStream = new CollectingStream();
    const warn = createLogger({ level: 'warn', destination: { kind: 'stream', stream: warnStream } });
    warn.logger.info('hidden');
    warn.logger.warn('shown');
    warn.logger.error('shown too');
    await warn.flush();
    expect(warnStream.json().map((line) => line.level)).toEqual(['warn', 'error']);

    const silentStream = new CollectingStream();
    const silent = createLogger({ level: 'silent', destination: { kind: 'stream', stream: silentStream } });
    silent.logger.error('nothing');
    await silent.flush();
    expect(silentStream.text).toBe('');
  });

  it('rejects an invalid level', () => {
    expect(() => createLogger({ level: 'loud' as never, destination: { kind: 'stream', stream: new CollectingStream() } })).toThrow("got 'loud'");
  });

  it('never writes credentials, wherever they appear in the logged object', async () => {
    const stream = new CollectingStream();
    const { logger, flush } = createLogger({ level: 'trace', destination: { kind: 'stream', stream } });
    const [key1, key2, secret1, secret2, secret3, token1, token2, token3, auth1, auth2, auth3, signature, password] = SECRETS;

    // Top level.
    logger.info({ accessKeyId: key1, secretAccessKey: secret1, sessionToken: token1, password }, 'top level');
    // One level down: an SDK client config, STS-style PascalCase credentials, request headers.
    logger.debug({ config: { credentials: { accessKeyId: key2, secretAccessKey: secret2 } } }, 'client config');
    logger.debug({ sts: { Credentials: { AccessKeyId: key1, SecretAccessKey: secret3, SessionToken: token2 } } }, 'assumed role');
    logger.trace({ request: { headers: { authorization: auth1, 'x-amz-security-token': token3, 'content-type': 'x' } } }, 'request');
    // Two and three levels down.
    logger.trace({ http: { request: { headers: { Authorization: auth2 } } } }, 'nested request');
    logger.trace({ a: { b: { signature, SessionToken: token1 } } }, 'deep');
    // Errors carrying SDK response metadata.
    const error = Object.assign(new Error('AccessDenied'), {
      credentials: { secretAccessKey: secret1 },
      $response: { headers: { authorization: auth3, 'X-Amz-Security-Token': token2 } },
    });
    logger.error({ err: error, line: 9 }, 'call failed');
    // Arrays of objects.
    logger.info({ clients: [{ credentials: { accessKeyId: key2 } }] }, 'array');
    // Non-secret neighbours must survive.
    logger.info({ idempotencyToken: 'tok-keep', newOwner: 'arn:keep' }, 'keep');
    await flush();

    const output = stream.text;
    expect(stream.json()).toHaveLength(9);
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    expect(output).toContain('[Redacted]');
    expect(output).toContain('tok-keep');
    expect(output).toContain('arn:keep');
    expect(output).toContain('content-type');
    expect(output).toContain('AccessDenied');
  });

  it('lists redact paths at three depths for every credential key', () => {
    const paths = redactPaths();
    for (const path of [
      'accessKeyId',
      '*.accessKeyId',
      '*.*.accessKeyId',
      '*.headers.authorization',
      '*.*.headers.authorization',
      '*["x-amz-security-token"]',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('flush() waits until a slow stream has taken every line', async () => {
    const stream = new CollectingStream(5);
    const { logger, flush } = createLogger({ level: 'info', destination: { kind: 'stream', stream } });
    for (let i = 0; i < 5; i += 1) logger.info({ i }, 'line');
    expect(stream.completed).toBeLessThan(5);
    await flush();
    expect(stream.completed).toBeGreaterThanOrEqual(5);
    expect(stream.json()).toHaveLength(5);
  });
});

describe('createLogger (file destination)', () => {
  it('creates missing directories, and flush() puts every line in the file', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'logs', 'nested', 'run.jsonl');
      const { logger, flush, close } = createLogger({ level: 'info', destination: { kind: 'file', path } });
      for (let i = 0; i < 2000; i += 1) logger.info({ i, accessKeyId: SECRETS[0] }, 'row');
      await flush();
      const text = await readFile(path, 'utf8');
      const lines = text.trimEnd().split('\n');
      expect(lines).toHaveLength(2000);
      expect(JSON.parse(lines[1999]!)).toMatchObject({ i: 1999, msg: 'row', accessKeyId: '[Redacted]' });
      expect(text).not.toContain(SECRETS[0]);

      logger.warn('after flush');
      await close();
      expect((await readFile(path, 'utf8')).trimEnd().split('\n')).toHaveLength(2001);
      await close(); // harmless twice
    });
  });

  it('appends to an existing log file', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'run.jsonl');
      await writeFile(path, '{"old":true}\n');
      const { logger, close } = createLogger({ level: 'info', destination: { kind: 'file', path } });
      logger.info('new');
      await close();
      const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'new' });
    });
  });

  it('flush() rejects when the file cannot be opened, instead of crashing the process', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'not-a-dir'), 'x');
      const { logger, flush } = createLogger({ level: 'info', destination: { kind: 'file', path: join(dir, 'not-a-dir', 'run.jsonl') } });
      logger.info('lost');
      await expect(flush()).rejects.toThrow();
    });
  });
});

describe('a log file that cannot be written', () => {
  it('rejects flush and close with a LocalFileError, stops logging, and lets the process end', async () => {
    const handle = createLogger({ level: 'info', destination: { kind: 'file', path: '/dev/full' } });
    handle.logger.info('one line too many');
    const failure = await handle.flush().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LocalFileError);
    expect((failure as Error).message).toBe("cannot write the log file '/dev/full': no space left on device (ENOSPC)");
    // Silenced: later lines are dropped rather than written to a file that is gone.
    expect(handle.logger.level).toBe('silent');
    handle.logger.info('dropped');
    await expect(handle.close()).rejects.toBe(failure);
  });
});

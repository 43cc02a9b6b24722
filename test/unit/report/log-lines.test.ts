/** Log lines a person reads: pino's records as `HH:MM:SS LEVEL message  key=value`, and which format a log gets. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clockTime, fieldText, formatLogLines, formatLogRecord, logFormatFor } from '../../../src/report/log-lines.js';
import { createLogger } from '../../../src/report/logger.js';
import { CollectingStream, withTempDir } from './fixtures.js';

const TIME = '2026-12-06T12:03:04.567Z';
const AT = clockTime(new Date(TIME));

describe('formatLogRecord', () => {
  it('time, level padded to five, the message, then the fields; pid and hostname are left to JSON', () => {
    const line = formatLogRecord({
      level: 'warn',
      time: TIME,
      pid: 42,
      hostname: 'box',
      msg: 'account 210000000002 cannot be reached: its rows will be not-started',
      account: '210000000002',
      reason: 'AccessDenied: not authorized',
    });
    expect(line).toBe(
      `${AT} WARN  account 210000000002 cannot be reached: its rows will be not-started  account=210000000002 reason="AccessDenied: not authorized"\n`,
    );
    expect(AT).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(formatLogRecord({ level: 'info', time: TIME, msg: 'input validated' })).toBe(`${AT} INFO  input validated\n`);
    expect(formatLogRecord({ level: 'error', time: TIME, msg: 'x', exitCode: 2 })).toBe(`${AT} ERROR x  exitCode=2\n`);
  });

  it('shows arrays of values joined, short objects as JSON, long ones as {…}, and an error by its message', () => {
    expect(fieldText('places', ['a', 'b c'])).toBe('a,"b c"');
    expect(fieldText('places', [])).toBe('[]');
    expect(fieldText('limiters', { rate: 4 })).toBe('{"rate":4}');
    expect(fieldText('summary', { text: 'x'.repeat(200) })).toBe('{…}');
    expect(fieldText('err', { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' })).toBe('boom');
    expect(fieldText('ok', true)).toBe('true');
    expect(fieldText('nothing', null)).toBe('null');
    expect(fieldText('arn', 'arn:aws:iam::123456789012:user/bob')).toBe('arn:aws:iam::123456789012:user/bob');
    expect(fieldText('eq', 'a=b')).toBe('"a=b"');
  });

  it('never passes a control character to the terminal, and indents a message of several lines', () => {
    const line = formatLogRecord({ level: 'warn', time: TIME, msg: 'red \u001b[31mtext\nsecond line', reason: 'bell\u0007' });
    expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(line).toBe(`${AT} WARN  red \\u001b[31mtext\n${' '.repeat(15)}second line  reason="bell\\u0007"\n`);
  });

  it('passes a line that is not a JSON object as it came', () => {
    expect(formatLogLines('not json\n[1]\n')).toBe('not json\n[1]\n');
    expect(formatLogLines('{"level":"info","time":"x","msg":"m"}\n')).toBe('--:--:-- INFO  m\n');
  });
});

describe('logFormatFor', () => {
  it('text only where a person reads stderr: a terminal, no --log-file; a choice wins either way', () => {
    expect(logFormatFor(undefined, { isTTY: true }, undefined)).toBe('text');
    expect(logFormatFor(undefined, { isTTY: false }, undefined)).toBe('json');
    expect(logFormatFor(undefined, {}, undefined)).toBe('json');
    expect(logFormatFor(undefined, { isTTY: true }, '/var/log/run.jsonl')).toBe('json');
    expect(logFormatFor('json', { isTTY: true }, undefined)).toBe('json');
    expect(logFormatFor('text', { isTTY: false }, '/var/log/run.log')).toBe('text');
  });
});

describe('createLogger with format text', () => {
  it('writes text lines to a stream, redacted as the JSON is', async () => {
    const stream = new CollectingStream();
    const { logger, flush } = createLogger({ level: 'info', format: 'text', destination: { kind: 'stream', stream } });
    logger.warn({ duplicates: 1, credentials: { secretAccessKey: 'wJalrXUtnFEMI/SECRET' } }, '1 row repeats an earlier row exactly');
    logger.debug('not shown at info');
    await flush();
    expect(stream.text).toMatch(/^\d\d:\d\d:\d\d WARN {2}1 row repeats an earlier row exactly {2}duplicates=1 credentials=\[Redacted\]\n$/);
    expect(stream.text).not.toContain('SECRET');
  });

  it('writes text lines to a file when asked, and JSON by default', async () => {
    await withTempDir(async (dir) => {
      const text = createLogger({ level: 'info', format: 'text', destination: { kind: 'file', path: join(dir, 'run.log') } });
      text.logger.info({ rows: 3 }, 'input validated');
      await text.close();
      expect(await readFile(join(dir, 'run.log'), 'utf8')).toMatch(/^\d\d:\d\d:\d\d INFO {2}input validated {2}rows=3\n$/);
      const json = createLogger({ level: 'info', destination: { kind: 'file', path: join(dir, 'run.jsonl') } });
      json.logger.info({ rows: 3 }, 'input validated');
      await json.close();
      expect(JSON.parse(await readFile(join(dir, 'run.jsonl'), 'utf8'))).toMatchObject({ level: 'info', msg: 'input validated', rows: 3 });
    });
  });
});

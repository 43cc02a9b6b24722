/** `--notify-url`: an http(s) URL or a usage error; masked whole in the ledger (a webhook's path is its secret). */
import { describe, expect, it } from 'vitest';
import { maskedArgs, UsageError } from '../../../src/commands/flags.js';
import { RUN_FLAGS } from '../../../src/commands/run-flags.js';
import { parseRunConfig } from '../../../src/commands/run-options.js';

const parse = (...extra: string[]) => parseRunConfig(['--input', 'in.csv', ...extra], '/work', {});

describe('--notify-url', () => {
  it('takes an http or https URL; none by default', () => {
    expect(parse().notifyUrl).toBeUndefined();
    expect(parse('--notify-url', 'https://hooks.slack.com/services/T0/B0/x').notifyUrl).toBe('https://hooks.slack.com/services/T0/B0/x');
    expect(parse('--notify-url=http://127.0.0.1:9000/hook').notifyUrl).toBe('http://127.0.0.1:9000/hook');
  });

  it('refuses anything else, naming the value', () => {
    expect(() => parse('--notify-url', 'ftp://example.com/x')).toThrow(UsageError);
    expect(() => parse('--notify-url', 'hooks.slack.com/x')).toThrow("--notify-url expects an http:// or https:// URL, got 'hooks.slack.com/x'");
  });

  it('is masked whole in the ledger', () => {
    expect(maskedArgs(['--notify-url', 'https://hooks.slack.com/services/T0/B0/secret'], RUN_FLAGS)).toEqual(['--notify-url', '***']);
  });
});

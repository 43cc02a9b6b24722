/** `run`'s flags: defaults applied, every bad value refused with a message that repeats it. */
import { describe, expect, it } from 'vitest';
import { RUN_DEFAULTS, RUN_FLAGS, parseRunConfig } from '../../../src/commands/run-options.js';
import { renderHelp, UsageError } from '../../../src/commands/flags.js';

const parse = (args: string[], env: Record<string, string> = {}) => parseRunConfig(['--input', 'moves.csv', ...args], '/work', env);

describe('parseRunConfig', () => {
  it('applies the documented defaults, paths next to the input', () => {
    const config = parse([]);
    expect(config).toMatchObject({
      input: '/work/moves.csv',
      results: '/work/moves.csv.results.csv',
      checkpoint: '/work/moves.csv.checkpoint',
      concurrency: RUN_DEFAULTS.concurrency,
      ratePerSecond: RUN_DEFAULTS.ratePerSecond,
      failureBudget: { kind: 'percent', percent: 10 },
      runId: '',
      dryRun: false,
      skipInvalid: false,
      limit: undefined,
      waitTimeoutMs: undefined,
      requestTimeoutMs: 30_000,
      progress: true,
      acceptLanguage: 'en',
    });
  });

  it('reads every flag', () => {
    const config = parse([
      '--results', 'out/r.csv', '--checkpoint', '/tmp/c', '--concurrency', '8', '--rate', '2.5', '--max-errors', '25',
      '--run-id', 'reorg-2026.q4', '--dry-run', '--skip-invalid', '--limit', '10', '--wait', '--wait-timeout', '60',
      '--accept-language', 'jp', '--request-timeout', '5', '--log-level', 'debug', '--no-progress', '--force-unlock',
    ]);
    expect(config).toMatchObject({
      results: '/work/out/r.csv', checkpoint: '/tmp/c', concurrency: 8, ratePerSecond: 2.5,
      failureBudget: { kind: 'count', maxFailures: 25 }, runId: 'reorg-2026.q4', dryRun: true, skipInvalid: true,
      limit: 10, waitTimeoutMs: 60_000, acceptLanguage: 'jp', requestTimeoutMs: 5_000, logLevel: 'debug',
      progress: false, forceUnlock: true,
    });
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_SERVICE_CATALOG, then AWS_ENDPOINT_URL, as the AWS CLI does', () => {
    expect(parse([], { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SERVICE_CATALOG: 'http://b:2' }).endpointUrl).toBe('http://b:2');
    expect(parse([], { AWS_ENDPOINT_URL: 'http://a:1' }).endpointUrl).toBe('http://a:1');
    expect(parse(['--endpoint-url', 'http://c:3'], { AWS_ENDPOINT_URL: 'http://a:1' }).endpointUrl).toBe('http://c:3');
  });

  it.each([
    [['--concurrency', '0'], "got '0'"],
    [['--concurrency', '65'], "got '65'"],
    [['--concurrency', 'many'], "got 'many'"],
    [['--rate', '0'], "got '0'"],
    [['--rate', 'fast'], "got 'fast'"],
    [['--max-errors', '120%'], "--max-errors: a failure budget percentage must be at most 100%, got '120%'"],
    [['--max-errors', 'ten'], "got 'ten'"],
    [['--run-id', 'has space'], "got 'has space'"],
    [['--limit', '0'], "got '0'"],
    [['--accept-language', 'fr'], "got 'fr'"],
    [['--log-level', 'loud'], "got 'loud'"],
    [['--endpoint-url', 'localhost:4566'], "got 'localhost:4566'"],
    [['--wait', '--wait-timeout=-1'], "got '-1'"],
    [['--bogus'], '--bogus'],
  ])('%j is a usage error naming the bad value', (args, text) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(text);
  });

  it('refuses a results or checkpoint path that is the input or each other', () => {
    expect(() => parse(['--results', 'moves.csv'])).toThrow("--input and --results must be different files, both are '/work/moves.csv'");
    expect(() => parse(['--checkpoint', './moves.csv'])).toThrow('--input and --checkpoint must be different files');
    expect(() => parse(['--results', 'x', '--checkpoint', 'x'])).toThrow('--results and --checkpoint must be different files');
  });

  it('--input is required', () => {
    expect(() => parseRunConfig([], '/work', {})).toThrow('--input is required');
  });
});

describe('help', () => {
  it('shows each flag with its placeholder and default', () => {
    const help = renderHelp('title', 'run --input FILE', RUN_FLAGS);
    expect(help).toContain('-i, --input FILE');
    expect(help).toContain(`--concurrency N`);
    expect(help).toContain(`(default: ${RUN_DEFAULTS.concurrency})`);
    expect(help).toContain('--max-errors N|N%');
    expect(help).toContain('-h, --help');
  });
});

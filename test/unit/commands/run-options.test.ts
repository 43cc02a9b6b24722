/** `run`'s flags: defaults applied, every bad value refused with a message that repeats it. */
import { describe, expect, it } from 'vitest';
import { RUN_DEFAULTS, RUN_FLAGS } from '../../../src/commands/run-flags.js';
import { parseRunConfig, runFiles } from '../../../src/commands/run-options.js';
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
      waitTimeoutMs: RUN_DEFAULTS.waitTimeoutSeconds * 1000,
      preflight: true,
      busyTimeoutMs: RUN_DEFAULTS.busyTimeoutSeconds * 1000,
      reconcile: false,
      requestTimeoutMs: 30_000,
      progress: true,
      acceptLanguage: 'en',
    });
  });

  it('reads every flag', () => {
    const config = parse([
      '--results',
      'out/r.csv',
      '--checkpoint',
      '/tmp/c',
      '--concurrency',
      '8',
      '--rate',
      '2.5',
      '--max-errors',
      '25',
      '--run-id',
      'reorg-2026.q4',
      '--dry-run',
      '--skip-invalid',
      '--limit',
      '10',
      '--wait',
      '--wait-timeout',
      '60',
      '--accept-language',
      'jp',
      '--request-timeout',
      '5',
      '--log-level',
      'debug',
      '--no-progress',
      '--force-unlock',
    ]);
    expect(config).toMatchObject({
      results: '/work/out/r.csv',
      checkpoint: '/tmp/c',
      concurrency: 8,
      ratePerSecond: 2.5,
      failureBudget: { kind: 'count', maxFailures: 25 },
      runId: 'reorg-2026.q4',
      dryRun: true,
      skipInvalid: true,
      limit: 10,
      waitTimeoutMs: 60_000,
      acceptLanguage: 'jp',
      requestTimeoutMs: 5_000,
      logLevel: 'debug',
      progress: false,
      forceUnlock: true,
    });
  });

  it("a dry run and a verify write their own results by default, never the run's; --results still wins", () => {
    expect(parse(['--dry-run']).results).toBe('/work/moves.csv.dry-run.csv');
    expect(parse(['--dry-run', '--check']).results).toBe('/work/moves.csv.verify.csv');
    expect(parse(['--dry-run', '--check', '--results', 'v.csv']).results).toBe('/work/v.csv');
    expect(parse(['--dry-run', '--results', 'd.csv']).results).toBe('/work/d.csv');
    // A shard keeps its shard part in each of them.
    const shard = ['--assume-role-name', 'R', '--shard', '2/8'];
    expect(parse([...shard, '--dry-run']).results).toBe('/work/moves.csv.shard-2-of-8.dry-run.csv');
    expect(parse([...shard, '--dry-run', '--check']).results).toBe('/work/moves.csv.shard-2-of-8.verify.csv');
    // The checkpoint a dry run reads is the run's own.
    expect(parse(['--dry-run', '--check']).checkpoint).toBe('/work/moves.csv.checkpoint');
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

  it('waits by default; --no-wait turns it off, --wait stays accepted', () => {
    expect(parse(['--wait-timeout', '45']).waitTimeoutMs).toBe(45_000);
    expect(parse(['--wait']).waitTimeoutMs).toBe(RUN_DEFAULTS.waitTimeoutSeconds * 1000);
    expect(parse(['--no-wait']).waitTimeoutMs).toBeUndefined();
    expect(() => parse(['--no-wait', '--wait-timeout', '5'])).toThrow('--no-wait and --wait-timeout cannot be given together');
  });

  it('reads before writing by default; --reconcile needs preflight', () => {
    expect(parse(['--no-preflight']).preflight).toBe(false);
    expect(parse(['--reconcile', '--busy-timeout', '30'])).toMatchObject({ preflight: true, reconcile: true, busyTimeoutMs: 30_000 });
    expect(() => parse(['--no-preflight', '--reconcile'])).toThrow(
      '--no-preflight and --reconcile cannot be given together: --reconcile works on what preflight reads',
    );
  });

  it('lists every file the run touches, by its flag', () => {
    const files = runFiles(parse(['--summary-json', 'out/s.json', '--log-file', 'run.log']));
    expect(files.map((file) => [file.flag, file.path, file.use])).toEqual([
      ['--input', '/work/moves.csv', 'read'],
      ['--results', '/work/moves.csv.results.csv', 'replace'],
      ['--results', '/work/moves.csv.results.csv.partial', 'create'],
      ['--checkpoint', '/work/moves.csv.checkpoint', 'journal'],
      ['--checkpoint', '/work/moves.csv.checkpoint.lock', 'create'],
      ['--summary-json', '/work/out/s.json', 'replace'],
      ['--log-file', '/work/run.log', 'append'],
    ]);
    // A dry run adds its invocation to the ledger: the checkpoint and its lock, as a run.
    expect(
      runFiles(parse(['--dry-run']))
        .filter((file) => file.flag === '--checkpoint')
        .map((file) => file.use),
    ).toEqual(['journal', 'create']);
    expect(
      runFiles(parse(['--dry-run', '--check']))
        .filter((file) => file.flag === '--results')
        .map((file) => file.path),
    ).toEqual(['/work/moves.csv.verify.csv', '/work/moves.csv.verify.csv.partial']);
  });

  it('across accounts: --assume-role-name, --external-id, --accounts, --shard, each checked with its value repeated', () => {
    expect(parse([])).toMatchObject({ acrossAccounts: false, shard: undefined, assumeRoleName: undefined });
    const config = parse(['--assume-role-name', 'OrganizationAccountAccessRole', '--external-id', 'reorg-2026', '--shard', '2/8']);
    expect(config).toMatchObject({
      acrossAccounts: true,
      assumeRoleName: 'OrganizationAccountAccessRole',
      externalId: 'reorg-2026',
      shard: { index: 2, count: 8 },
      // Each shard resumes its own part: its own files by default.
      results: '/work/moves.csv.shard-2-of-8.results.csv',
      checkpoint: '/work/moves.csv.shard-2-of-8.checkpoint',
    });
    expect(parse(['--accounts', 'accounts.csv'])).toMatchObject({ acrossAccounts: true, accountsFile: '/work/accounts.csv' });
    const refusal = (args: string[]) => {
      try {
        parse(args);
      } catch (error) {
        if (error instanceof UsageError) return error.message;
        throw error;
      }
      throw new Error(`accepted ${args.join(' ')}`);
    };
    expect(refusal(['--assume-role-name', 'path/Role'])).toContain("got 'path/Role'");
    expect(refusal(['--external-id', 'abc'])).toContain('--external-id goes with --assume-role-name');
    expect(refusal(['--shard', '2/8'])).toContain('--shard splits a run across accounts');
    expect(refusal(['--assume-role-name', 'R', '--shard', '9/8'])).toContain("got '9/8'");
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
    // The results' defaults, a dry run's and a verify's among them.
    expect(help).toContain('(default: <input>.results.csv; --dry-run: <input>.dry-run.csv; --dry-run --check: <input>.verify.csv)');
  });
});

describe('repeatable flags, read one way', () => {
  it("--expect-account takes commas as plan's --account does, and names a bad id", () => {
    expect(parse(['--expect-account', '111122223333,444455556666', '--expect-account', '777788889999']).expectAccounts).toEqual([
      '111122223333',
      '444455556666',
      '777788889999',
    ]);
    expect(() => parse(['--expect-account', '111122223333,12345'])).toThrow("--expect-account expects a 12-digit account id, got '12345'");
  });
});

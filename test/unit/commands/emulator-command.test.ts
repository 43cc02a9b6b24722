/**
 * The emulator command as the other commands are: its flags through `parseCommandLine`, its exit
 * codes from the table, its refusals through the one printer (test/unit/emulator/cli-command.test.ts
 * runs the server itself).
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, printRefusal } from '../../../src/commands/command.js';
import { emulatorCommand } from '../../../src/commands/emulator.js';
import { parseEmulatorConfig } from '../../../src/commands/emulator-options.js';
import { repeatedFlag } from '../../../src/commands/flags.js';
import { EXIT_CODES, ExitCode, exitCodeHelp, type ExitCodeRow } from '../../../src/exit-codes.js';
import { captureIo } from '../../helpers/command-io.js';

const makeIo = captureIo;

describe('printRefusal', () => {
  it("prints `sc-owner-transfer <command>: <message>` once on stderr and returns the refusal's code", () => {
    const { io, out, err } = makeIo();
    expect(printRefusal(io, 'status', { exitCode: ExitCode.Locked, message: 'held by pid 7\nsecond line' })).toBe(4);
    expect(err()).toBe('sc-owner-transfer status: held by pid 7\nsecond line\n');
    expect(out()).toBe('');
  });

  it("is what parseCommandLine prints a usage error with, and the pointer to the command's --help", () => {
    const { io, err } = makeIo();
    expect(parseCommandLine(emulatorCommand, ['--bogus'], io, (args) => parseEmulatorConfig(args, '/'))).toBe(ExitCode.Usage);
    expect(err()).toBe("sc-owner-transfer emulator: Unknown option '--bogus'\nTry 'sc-owner-transfer emulator --help'.\n");
  });
});

describe('emulator command', () => {
  it('lists its exit codes from the table in --help: 0, 2 and 70', async () => {
    const { io, out } = makeIo();
    expect(await emulatorCommand.execute(['--help'], io)).toBe(ExitCode.Ok);
    expect(emulatorCommand.helpFooter).toContain(exitCodeHelp('emulator'));
    expect(out()).toContain(`${exitCodeHelp('emulator')}\n`);
    const listed = (Object.values(EXIT_CODES) as ExitCodeRow[]).filter((row) => row.commands.includes('emulator')).map((row) => row.code);
    expect(listed).toEqual([ExitCode.Ok, ExitCode.Usage, ExitCode.Internal]);
  });

  it('refuses a bad flag through parseCommandLine (exit 2, with the pointer to --help), before reading any seed', async () => {
    const { io, out, err } = makeIo();
    expect(await emulatorCommand.execute(['--seed', 'missing.json', '--latency-ms', 'soon'], io)).toBe(ExitCode.Usage);
    expect(err()).toBe("sc-owner-transfer emulator: --latency-ms expects an integer from 0 to 600000, got 'soon'\nTry 'sc-owner-transfer emulator --help'.\n");
    expect(out()).toBe('');
  });

  it('refuses a seed it cannot read on one line (exit 2), with no pointer to --help', async () => {
    const { io, err } = makeIo('/nonexistent-dir');
    expect(await emulatorCommand.execute(['--seed', 'missing.json', '--port', '0'], io)).toBe(ExitCode.Usage);
    expect(err()).toMatch(/^sc-owner-transfer emulator: seed file '\/nonexistent-dir\/missing\.json': [^\n]+\n$/);
  });

  it('refuses --generate that would make too many products across accounts and regions, and --accounts without --generate', () => {
    expect(() => parseEmulatorConfig(['--generate', '600000', '--accounts', '2'], '/')).toThrow('makes 1200000 products; at most 1000000');
    expect(() => parseEmulatorConfig(['--generate', '600000', '--regions', 'eu-west-1'], '/')).toThrow('more than 1000000 products');
    expect(() => parseEmulatorConfig(['--accounts', '2'], '/')).toThrow('--accounts goes with --generate');
    expect(() => parseEmulatorConfig(['--region', 'mars-1'], '/')).toThrow("expect region names such as eu-west-1, got 'mars-1'");
    expect(() => parseEmulatorConfig(['--account-id', '12345'], '/')).toThrow("--account-id expects a 12-digit AWS account id, got '12345'");
  });

  it('reads the flags into the config: the catalog, the faults, the keys', () => {
    const config = parseEmulatorConfig(
      [
        '--generate',
        '3',
        '--accounts',
        '2',
        '--account-id',
        '210987654321',
        '--region',
        'eu-west-1',
        '--regions',
        'us-east-1,eu-west-1',
        '--access-denied',
        'pp-a',
        '--access-denied',
        'pp-b',
        '--deny-assume-role',
        'arn:aws:iam::210987654322:role/a,b',
        '--under-change',
        'pp-c=500',
        '--access-key',
        'AKID:se:cret',
      ],
      '/work',
    );
    expect(config.catalog).toEqual({ kind: 'generate', count: 3, accounts: 2, accountId: '210987654321', regions: ['eu-west-1', 'us-east-1'] });
    expect(config.faults).toMatchObject({
      accessDenied: ['pp-a', 'pp-b'],
      assumeRoleDenied: ['arn:aws:iam::210987654322:role/a,b'],
      underChange: { 'pp-c': 500 },
    });
    expect(config.credentials).toEqual({ AKID: 'se:cret' });
    expect(parseEmulatorConfig(['--seed', 'cat.json', '--account-id', '111122223333'], '/work').catalog).toEqual({
      kind: 'seed',
      path: '/work/cat.json',
      accountId: '111122223333',
    });
    expect(parseEmulatorConfig([], '/work').catalog).toEqual({ kind: 'seed', path: undefined, accountId: undefined });
  });

  it('--iam-principal: repeatable IAM user or role ARNs (none by default); anything else is a usage error repeating it', () => {
    const bob = 'arn:aws:iam::123456789012:user/bob';
    const launch = 'arn:aws:iam::123456789012:role/service-role/SCLaunch';
    expect(parseEmulatorConfig(['--iam-principal', bob, '--iam-principal', launch], '/').iamPrincipals).toEqual([bob, launch]);
    expect(parseEmulatorConfig([], '/').iamPrincipals).toEqual([]);
    for (const bad of ['bob', 'arn:aws:sts::123456789012:assumed-role/Team/jane']) {
      expect(() => parseEmulatorConfig(['--iam-principal', bad], '/')).toThrow(`--iam-principal expects an IAM user or role ARN`);
      expect(() => parseEmulatorConfig(['--iam-principal', bad], '/')).toThrow(`got '${bad}'`);
    }
    expect(emulatorCommand.flags.find((flag) => flag.name === 'iam-principal')).toMatchObject({ multiple: true, valueName: 'ARN' });
  });

  it('refuses an --iam-principal of an account the seed does not hold (exit 2), naming it, before listening', async () => {
    const { io, out, err } = makeIo();
    const foreign = 'arn:aws:iam::999999999999:user/bob';
    expect(await emulatorCommand.execute(['--port', '0', '--iam-principal', foreign], io)).toBe(ExitCode.Usage);
    expect(err()).toContain(`'${foreign}' is in account 999999999999, which the seed does not hold`);
    expect(out()).toBe('');
  });
});

describe('repeatedFlag', () => {
  it('keeps each value as given (commas too), in order; none is empty', () => {
    expect(repeatedFlag({ checkpoint: ['a,b.checkpoint', 'c'] }, 'checkpoint')).toEqual(['a,b.checkpoint', 'c']);
    expect(repeatedFlag({ checkpoint: 'one' }, 'checkpoint')).toEqual(['one']);
    expect(repeatedFlag({}, 'checkpoint')).toEqual([]);
  });
});

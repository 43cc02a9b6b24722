import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createMfaPrompter, MfaCodeUnavailableError, noTerminalMessage } from '../../../src/aws/mfa-prompt.js';

const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';

/** A terminal: stdin and stderr that say they are TTYs, stdin with raw mode recorded. */
function terminal(tty = true) {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: tty,
    modes: [] as boolean[],
    setRawMode(mode: boolean) {
      stdin.modes.push(mode);
      return stdin;
    },
  });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let shown = '';
  stderr.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  /** Until `text` was shown `times` times. */
  const waitFor = async (text: string, times = 1) => {
    while (shown.split(text).length - 1 < times) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  return { stdin, stderr, shown: () => shown, waitFor };
}

describe('the MFA prompt', () => {
  it('asks as the AWS CLI does, reads the code in raw mode (no echo), Backspace included', async () => {
    const t = terminal();
    const code = createMfaPrompter(t)('ops')(SERIAL);
    await t.waitFor(`Enter MFA code for ${SERIAL}: `);
    t.stdin.write('1234599\u007f\u007f6\r');
    await expect(code).resolves.toBe('123456');
    expect(t.stdin.modes).toEqual([true, false]);
    expect(t.shown()).toBe(`Enter MFA code for ${SERIAL}: \n`);
  });

  it('turns echo off before the prompt shows: a code typed the moment it appears is never echoed', async () => {
    const t = terminal();
    const order: string[] = [];
    const setRawMode = t.stdin.setRawMode.bind(t.stdin);
    t.stdin.setRawMode = (mode: boolean) => (order.push(`raw ${mode}`), setRawMode(mode));
    const write = t.stderr.write.bind(t.stderr) as (chunk: string) => boolean;
    t.stderr.write = ((chunk: string) => (order.push(`shown ${chunk}`), write(chunk))) as typeof t.stderr.write;
    const code = createMfaPrompter(t)('ops')(SERIAL);
    await t.waitFor('Enter MFA code');
    t.stdin.write('246810\r');
    await expect(code).resolves.toBe('246810');
    expect(order).toEqual(['raw true', `shown Enter MFA code for ${SERIAL}: `, 'raw false', 'shown \n']);
  });

  it('asks again for a code that is not 6 digits, three times at most', async () => {
    const t = terminal();
    const code = createMfaPrompter(t)('ops')(SERIAL);
    const asked = (times: number) => t.waitFor(`Enter MFA code for ${SERIAL}: `, times);
    await asked(1);
    t.stdin.write('12345\n');
    await asked(2);
    t.stdin.write('abcdef\n');
    await asked(3);
    t.stdin.write('1\n');
    await expect(code).rejects.toThrow(`no MFA code for ${SERIAL}: an MFA code is 6 digits`);
    expect(t.shown().split('An MFA code is 6 digits.\n')).toHaveLength(3);
  });

  it('Ctrl-C, Ctrl-D or the end of the input gives up', async () => {
    for (const keys of ['\u0003', '\u0004']) {
      const t = terminal();
      const code = createMfaPrompter(t)('ops')(SERIAL);
      await t.waitFor('Enter MFA code');
      t.stdin.write(keys);
      await expect(code).rejects.toBeInstanceOf(MfaCodeUnavailableError);
      expect(t.stdin.modes).toEqual([true, false]);
    }
    const t = terminal();
    const code = createMfaPrompter(t)('ops')(SERIAL);
    await t.waitFor('Enter MFA code');
    t.stdin.end();
    await expect(code).rejects.toThrow('no MFA code given: the input ended');
  });

  it('one question at a time, whoever asks', async () => {
    const t = terminal();
    const prompter = createMfaPrompter(t);
    const first = prompter('a')(SERIAL);
    const second = prompter('b')('arn:aws:iam::111122223333:mfa/bob');
    await t.waitFor(`Enter MFA code for ${SERIAL}: `);
    expect(t.shown()).not.toContain('mfa/bob');
    t.stdin.write('111111\r');
    await expect(first).resolves.toBe('111111');
    await t.waitFor('Enter MFA code for arn:aws:iam::111122223333:mfa/bob: ');
    t.stdin.write('222222\r');
    await expect(second).resolves.toBe('222222');
  });

  it('without a terminal: refused at once, saying a code is needed and how to get a session first', async () => {
    for (const [stdinTty, stderrTty] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      const t = terminal();
      t.stdin.isTTY = stdinTty!;
      t.stderr.isTTY = stderrTty!;
      await expect(createMfaPrompter(t)('ops')(SERIAL)).rejects.toThrow(noTerminalMessage('ops', SERIAL));
      expect(t.shown()).toBe('');
    }
    expect(noTerminalMessage('ops', SERIAL)).toBe(
      `profile ops assumes its role with MFA (mfa_serial ${SERIAL}) and needs a code, but there is no terminal to ask for it. ` +
        'Run the command on a terminal, or get a session first: on a terminal, eval "$(aws configure export-credentials --profile ops --format env)" ' +
        '(it asks for the code), then run without --profile (AWS_PROFILE unset) while that session lasts',
    );
  });
});

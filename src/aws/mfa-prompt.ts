/**
 * The MFA code of a profile that assumes a role with `mfa_serial`, asked as the AWS CLI asks it:
 * `Enter MFA code for arn:aws:iam::111122223333:mfa/alice: ` on the terminal, the code not echoed.
 * Without a terminal (cron, CI, a pipe) nobody can type it, so it fails at once, saying how to get
 * a session first. The streams are the command's (CommandIo): nothing here touches `process`.
 */
import type { Readable, Writable } from 'node:stream';

/** The code of the MFA device `mfaSerial` names (the SDK's `mfaCodeProvider`), or a rejection saying why there is none. */
export type MfaCodeProvider = (mfaSerial: string) => Promise<string>;

export interface MfaTerminal {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stderr: Writable & { isTTY?: boolean };
}

/** STS's TokenCode: six digits. */
const MFA_CODE = /^\d{6}$/;
/** Tries before giving up on a code that is not six digits. */
const TRIES = 3;

/** The error of a profile whose MFA code could not be had; its message says what to do. */
export class MfaCodeUnavailableError extends Error {
  override readonly name = 'MfaCodeUnavailableError';
}

/**
 * `(profile) => mfaCodeProvider` for CredentialSourceOptions.mfaCode. On a terminal (stdin and
 * stderr both), one question at a time, whoever asks; anywhere else, a rejection at once.
 */
export function createMfaPrompter(terminal: MfaTerminal): (profile: string) => MfaCodeProvider {
  let queue: Promise<unknown> = Promise.resolve();
  return (profile) => (serial) => {
    if (terminal.stdin.isTTY !== true || terminal.stderr.isTTY !== true) return Promise.reject(new MfaCodeUnavailableError(noTerminalMessage(profile, serial)));
    const asked = queue.then(() => askForCode(terminal, serial));
    queue = asked.catch(() => undefined);
    return asked;
  };
}

export function noTerminalMessage(profile: string, serial: string): string {
  return (
    `profile ${profile} assumes its role with MFA (mfa_serial ${serial}) and needs a code, but there is no terminal to ask for it. ` +
    `Run the command on a terminal, or get a session first: on a terminal, ` +
    `eval "$(aws configure export-credentials --profile ${profile} --format env)" (it asks for the code), then run without --profile ` +
    '(AWS_PROFILE unset) while that session lasts'
  );
}

async function askForCode(terminal: MfaTerminal, serial: string): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    const code = (await readHidden(terminal, `Enter MFA code for ${serial}: `)).trim();
    if (MFA_CODE.test(code)) return code;
    if (attempt >= TRIES) throw new MfaCodeUnavailableError(`no MFA code for ${serial}: an MFA code is 6 digits`);
    terminal.stderr.write('An MFA code is 6 digits.\n');
  }
}

/**
 * One line from the terminal without echo (raw mode, as getpass reads it): Enter ends it,
 * Backspace takes back a character, Ctrl-C or Ctrl-D on an empty line gives up.
 */
function readHidden({ stdin, stderr }: MfaTerminal, prompt: string): Promise<string> {
  const raw = typeof stdin.setRawMode === 'function';
  // Echo off before the prompt shows, as getpass does: a code typed the moment the prompt appears
  // (a quick hand, a password manager) must never be echoed in the window between the two.
  if (raw) stdin.setRawMode?.(true);
  stderr.write(prompt);
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      if (raw) stdin.setRawMode?.(false);
      stdin.pause();
      // In raw mode the terminal echoed nothing, not even the Enter.
      if (raw) stderr.write('\n');
      if (error === undefined) resolve(text);
      else reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || (char === '\u0004' && text === '')) return finish(new MfaCodeUnavailableError('no MFA code given'));
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else if (char >= ' ') text += char;
      }
      return undefined;
    };
    const onEnd = () => finish(new MfaCodeUnavailableError('no MFA code given: the input ended'));
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}

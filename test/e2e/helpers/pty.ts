/**
 * Runs a command on a real pseudo-terminal, as an operator at a shell does: stdin, stdout and
 * stderr are all the terminal (isTTY true), 160 columns wide, and what it shows comes back as the
 * lines a person sees. util-linux `script` makes the pty (`-q` quiet, `-f` flush each write, `-e`
 * its exit code is the command's, `-c` the command), so no npm package is needed; a test skips
 * where `script` is missing (`hasPty`).
 *
 * `output` is what the terminal received (`\r\n` line ends, escapes, the echo of what was typed);
 * `lines` is each line once the carriage returns and line clears of a redrawn status line have done
 * their work. Waits are on output (`waitForOutput`), never on time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { CLI_PATH } from './cli.js';

export const hasPty = spawnSync('script', ['-qfec', 'true', '/dev/null'], { stdio: 'ignore' }).status === 0;

export interface PtyResult {
  readonly code: number | null;
  /** Everything the terminal received (the command's stdout and stderr, and the echo of what was typed). */
  readonly output: string;
  /** The screen's lines: `\r\n` ends, and what a `\r` (or `\r` and a line clear) redrew in place, resolved. */
  readonly lines: string[];
}

export interface PtySession {
  readonly result: Promise<PtyResult>;
  /** Resolves once the terminal has shown `text`. */
  waitForOutput(text: string): Promise<void>;
  /** Types on the terminal (`'y\n'`). */
  type(text: string): void;
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** The lines a person sees: each line's last redraw. */
export function screenLines(output: string): string[] {
  return output
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.split(/\r(?:\x1b\[2K)?/).pop() ?? '');
}

export function spawnOnPty(command: readonly string[], options: { cwd: string; env: Record<string, string> }): PtySession {
  const shellCommand = `stty cols 160 rows 50 2>/dev/null; exec ${command.map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', shellCommand, '/dev/null'], {
    cwd: options.cwd,
    env: { SHELL: '/bin/sh', TERM: 'dumb', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<{ text: string; resolve: () => void; reject: (error: Error) => void }> = [];
  let closed = false;
  const check = () => {
    for (const waiter of [...waiters]) {
      if (output.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const collect = (chunk: string) => {
    output += chunk;
    check();
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const result = new Promise<PtyResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      closed = true;
      // A wait for text that never came fails now, with what the screen showed (not at the test's timeout).
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error(`exited (${String(code)}) without showing ${JSON.stringify(waiter.text)}; it showed:\n${output}`));
      resolve({ code, output, lines: screenLines(output) });
    });
  });
  return {
    result,
    waitForOutput: (text) =>
      new Promise<void>((resolve, reject) => {
        if (closed && !output.includes(text)) {
          reject(new Error(`exited without showing ${JSON.stringify(text)}; it showed:\n${output}`));
          return;
        }
        waiters.push({ text, resolve, reject });
        check();
      }),
    type: (text) => {
      child.stdin.write(text);
    },
  };
}

/** The compiled CLI on a pseudo-terminal. */
export function spawnCliOnPty(args: readonly string[], options: { cwd: string; env: Record<string, string> }): PtySession {
  return spawnOnPty([process.execPath, CLI_PATH, ...args], options);
}

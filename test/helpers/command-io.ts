/** A command's outside world for in-process command tests: output captured, an abort controller, no stdin. */
import { PassThrough, Readable } from 'node:stream';
import type { CommandIo } from '../../src/commands/command.js';

export function captureIo(cwd = process.cwd()): { io: CommandIo; controller: AbortController; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const controller = new AbortController();
  const io: CommandIo = { stdin: Readable.from([]), stdout, stderr, env: {}, cwd, pid: process.pid, signal: controller.signal, interruptExitCode: () => 130 };
  return { io, controller, out: () => out, err: () => err };
}

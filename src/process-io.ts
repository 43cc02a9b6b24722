/**
 * The one place that binds a command to the real process: stdout/stderr, env, cwd, the
 * SIGINT/SIGTERM → AbortSignal wiring, and the AWS SDK's Node.js notice said in one line of our own
 * (sdk-node-notice.ts). Used by the two entry points (main.ts, demo.ts); nothing else in the tool
 * touches `process`.
 */
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { CommandIo } from './commands/command.js';
import { sayTheSdkNodeNoticeOnce } from './sdk-node-notice.js';

export interface ProcessIo {
  readonly io: CommandIo;
  /** Removes the signal handlers, and gives process.emitWarning back. */
  readonly dispose: () => void;
}

export function createProcessIo(): ProcessIo {
  const controller = new AbortController();
  let interruptCode: ExitCodeValue = ExitCode.Interrupted;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
    if (controller.signal.aborted) {
      // Second signal: the operator means it. The checkpoint is consistent at every instant
      // (append-only journal; tokens make resends harmless), so exiting now loses nothing.
      process.stderr.write(`\nsc-owner-transfer: second ${signal}, exiting now\n`);
      process.exit(code);
    }
    interruptCode = code;
    process.stderr.write(`\nsc-owner-transfer: ${signal} received, finishing rows in flight (send it again to exit now)\n`);
    controller.abort(new Error(`${signal} received`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The SDK's nine-line notice (Node.js 20) becomes one line of ours; other warnings are Node's as before.
  const restoreWarnings = sayTheSdkNodeNoticeOnce(process, (line) => process.stderr.write(line), process.versions.node);
  return {
    io: {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      signal: controller.signal,
      pid: process.pid,
      interruptExitCode: () => interruptCode,
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      restoreWarnings();
    },
  };
}

/**
 * The command line, once cli.ts checked the Node.js version: picks the subcommand, wires process
 * signals to one AbortSignal, and sets process.exitCode. With cli.ts, demo.ts and process-io.ts it
 * is the only code that touches `process`; it never calls process.exit() on the normal path, so
 * pino and the results file flush before Node exits.
 */
import { toolVersion } from './version.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { Command } from './commands/command.js';
import { createProcessIo } from './process-io.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { emulatorCommand } from './commands/emulator.js';
import { undoCommand } from './commands/undo.js';
import { reportCommand } from './commands/report.js';
import { planCommand } from './commands/plan.js';
import { snapshotCommand } from './commands/snapshot.js';
import { completionCommand } from './commands/completion.js';

const COMMANDS: readonly Command[] = [
  planCommand,
  snapshotCommand,
  runCommand,
  statusCommand,
  undoCommand,
  reportCommand,
  emulatorCommand,
  completionCommand(() => COMMANDS),
];

function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'sc-owner-transfer: move the OWNER and LAUNCH_ROLE of many AWS Service Catalog provisioned products,',
    'rate-limited, idempotent and resumable.',
    '',
    'Usage: sc-owner-transfer <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'sc-owner-transfer <command> --help' for a command's options.",
    'Options: -h, --help  this help;  --version  print the version.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(topLevelHelp());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${toolVersion()}\n`);
    return ExitCode.Ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`sc-owner-transfer: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n`);
    return ExitCode.Usage;
  }

  const { io, dispose } = createProcessIo();
  try {
    return await command.execute(rest, io);
  } finally {
    dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sc-owner-transfer: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);

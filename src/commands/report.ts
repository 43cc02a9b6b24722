/**
 * `sc-owner-transfer report --checkpoint FILE... --format html|md|json|csv --out FILE`: wiring
 * only. Reads the ledgers (read-only, entry by entry: report/story/), renders the migration's
 * story in the format asked for, writes it (an existing --out only with --force), and prints what
 * an auditor queries CloudTrail with. No AWS call; nothing written but --out.
 */
import { resolve } from 'node:path';
import { sessionNameFor } from '../aws/account-credentials.js';
import { ExitCode, exitCodeHelp, type ExitCodeValue } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import { NotRegularFileError, pathExists, writeFileAtomic } from '../report/atomic-file.js';
import { readStory, renderStory, REPORT_FORMATS, type ReportFormat, type Story } from '../report/story/index.js';
import { parseCommandLine, printRefusal, type Command, type CommandIo } from './command.js';
import { booleanFlag, choiceFlag, parseFlags, repeatedFlag, stringFlag, UsageError, type FlagSpec } from './flags.js';
import { checkFiles, checkInputFiles, checkpointRefusal, Refusal } from './steps.js';

const REPORT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'checkpoint',
    type: 'string',
    multiple: true,
    valueName: 'FILE',
    description: "The migration's ledger (its checkpoint) to tell; repeatable, e.g. one per shard (required).",
  },
  {
    name: 'format',
    type: 'string',
    valueName: 'html|md|json|csv',
    choices: REPORT_FORMATS,
    description: 'html: one self-contained page with pictures; md: for a change ticket; json: for tools (formatVersion 1); csv: one line per product.',
    defaultText: "from --out's extension",
  },
  { name: 'out', type: 'string', valueName: 'FILE', description: 'Where to write the report (required).' },
  { name: 'force', type: 'boolean', description: 'Replace --out if it exists.' },
];

interface ReportConfig {
  readonly help: boolean;
  readonly checkpoints: readonly string[];
  readonly format: ReportFormat;
  readonly out: string;
  readonly force: boolean;
}

const EXTENSIONS: Readonly<Record<string, ReportFormat>> = { html: 'html', htm: 'html', md: 'md', markdown: 'md', json: 'json', csv: 'csv' };

export const reportCommand: Command = {
  name: 'report',
  summary: "Tell a migration's story from its ledger: HTML with pictures, Markdown, JSON or CSV (sends nothing).",
  usage: 'report --checkpoint FILE [--checkpoint FILE]... [--format html|md|json|csv] --out FILE [--force]',
  flags: REPORT_FLAGS,
  helpFooter: exitCodeHelp('report'),
  async execute(argv, io) {
    const config = parseCommandLine(reportCommand, argv, io, (args) => parseReportConfig(args, io.cwd));
    if (typeof config === 'number') return config;
    return executeReport(config, io);
  },
};

function parseReportConfig(argv: readonly string[], cwd: string): ReportConfig {
  const flags = parseFlags(argv, REPORT_FLAGS);
  const help = booleanFlag(flags, 'help');
  if (help) return { help, checkpoints: [], format: 'html', out: '', force: false };
  const checkpoints = repeatedFlag(flags, 'checkpoint').map((path) => resolve(cwd, path));
  if (checkpoints.length === 0) throw new UsageError('MISSING_FLAG', '--checkpoint is required (repeatable: one per ledger)');
  const out = stringFlag(flags, 'out');
  if (out === undefined || out === '') throw new UsageError('MISSING_FLAG', '--out is required');
  const byExtension = EXTENSIONS[/\.([a-z]+)$/i.exec(out)?.[1]?.toLowerCase() ?? ''];
  if (stringFlag(flags, 'format') === undefined && byExtension === undefined)
    throw new UsageError('MISSING_FLAG', `--format is required (${REPORT_FORMATS.join(', ')}): --out '${out}' has no extension that names one`);
  const format = choiceFlag(flags, 'format', REPORT_FORMATS, byExtension ?? 'html');
  return { help, checkpoints, format, out: resolve(cwd, out), force: booleanFlag(flags, 'force') };
}

/** Before anything is read: --out a regular file or missing (and not a ledger), the ledgers readable, an existing --out only with --force. */
async function checkReportFiles(config: ReportConfig): Promise<Refusal | undefined> {
  const ledgers = config.checkpoints.map((path) => ({ flag: '--checkpoint', path, use: 'read' as const }));
  const files = [{ flag: '--out', path: config.out, use: 'replace' as const }, ...ledgers];
  const bad = (await checkFiles(files)) ?? (await checkInputFiles(ledgers));
  if (bad) return bad;
  if (!config.force && (await pathExists(config.out))) return new Refusal(ExitCode.Usage, `--out '${config.out}' exists; pass --force to replace it`);
  return undefined;
}

async function executeReport(config: ReportConfig, io: CommandIo): Promise<ExitCodeValue> {
  const fail = (refusal: Refusal): ExitCodeValue => printRefusal(io, 'report', refusal);
  const bad = await checkReportFiles(config);
  if (bad) return fail(bad);
  let story: Story;
  try {
    story = await readStory(config.checkpoints, { sessionNameFor });
  } catch (error) {
    return fail(checkpointRefusal(error));
  }
  try {
    await writeFileAtomic(config.out, renderStory(config.format, story, new Date().toISOString()));
  } catch (error) {
    if (error instanceof NotRegularFileError)
      return fail(new Refusal(ExitCode.Usage, `--out '${config.out}': is ${error.kind}, not a regular file. No report was written.`));
    return fail(new Refusal(ExitCode.LocalWriteFailed, LocalFileError.wrap('report', config.out, error).message));
  }
  const killed = story.invocations.filter((invocation) => invocation.killed).length;
  const window = story.window === undefined ? '(no invocation recorded)' : `${story.window.from} .. ${story.window.to}`;
  io.stdout.write(
    [
      `Wrote the ${config.format} report of ${story.products.length} products and ${story.invocations.length} invocations${killed > 0 ? ` (${killed} killed)` : ''} to ${config.out}.`,
      `For CloudTrail: run id ${story.runIds.map((id) => (id === '' ? '(none)' : id)).join(', ')}; role session name ${story.sessionNames.join(', ')}; time window ${window}.`,
      '',
    ].join('\n'),
  );
  return ExitCode.Ok;
}

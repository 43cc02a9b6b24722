/**
 * `sc-owner-transfer undo`: wiring only. Reads what a migration changed, from its ledger (the
 * checkpoint: every invocation's changes, with the state before the first of them) or from a run's
 * results CSV, plans the rows that put it back (report/ledger-changes.ts, report/undo-plan.ts),
 * writes them as an input CSV for `run`, and prints the command that applies it within the same
 * ledger, so the undo belongs to the migration it undoes. Reads and writes local files only.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { withCheckpoint, type JournalHeader } from '../checkpoint/index.js';
import { errorText, systemErrorText } from '../errors.js';
import { streamCsvTable } from '../input/csv-table.js';
import { InputError } from '../input/input-error.js';
import { ExitCode, exitCodeHelp, type ExitCodeValue } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import { pathExists, writeFileAtomic } from '../report/atomic-file.js';
import { LedgerChanges } from '../report/ledger-changes.js';
import { changedRowsFromResults, planUndo, RehearsalResultsError, undoCells, undoColumns, type ChangedRow, type UndoPlan } from '../report/undo-plan.js';
import { parseCommandLine, printRefusal, type Command, type CommandIo } from './command.js';
import { booleanFlag, parseFlags, repeatedFlag, stringFlag, UsageError, type FlagSpec } from './flags.js';
import { checkInputFiles, checkpointRefusal, Refusal } from './steps.js';

const UNDO_FLAGS: readonly FlagSpec[] = [
  {
    name: 'checkpoint',
    type: 'string',
    multiple: true,
    valueName: 'FILE',
    description: "The migration's ledger (its checkpoint) to undo; repeatable, e.g. one per shard.",
  },
  {
    name: 'input',
    type: 'string',
    valueName: 'FILE',
    description: "The run's input CSV: undo its default checkpoint (<input>.checkpoint) and its shards' (<input>.shard-K-of-N.checkpoint).",
  },
  {
    name: 'results',
    type: 'string',
    valueName: 'FILE',
    description: "A real run's results CSV, when its checkpoint is lost (a dry run's or a verify's is refused).",
  },
  { name: 'out', type: 'string', valueName: 'FILE', description: 'Where to write the undo CSV (required; an existing file is never replaced).' },
];

type UndoSource =
  | { readonly kind: 'ledger'; readonly paths: readonly string[]; readonly flag: '--checkpoint' | '--input' }
  | { readonly kind: 'results'; readonly path: string };

interface UndoConfig {
  readonly help: boolean;
  readonly source: UndoSource;
  readonly out: string;
}

export const undoCommand: Command = {
  name: 'undo',
  summary: 'Write the CSV that puts back what a migration changed (sends nothing).',
  usage: 'undo (--checkpoint FILE [--checkpoint FILE]... | --input FILE | --results FILE) --out FILE',
  flags: UNDO_FLAGS,
  helpFooter: exitCodeHelp('undo'),
  async execute(argv, io) {
    const config = parseCommandLine(undoCommand, argv, io, (args) => parseUndoConfig(args, io.cwd));
    if (typeof config === 'number') return config;
    return executeUndo(config, io);
  },
};

function parseUndoConfig(argv: readonly string[], cwd: string): UndoConfig {
  const flags = parseFlags(argv, UNDO_FLAGS);
  const help = booleanFlag(flags, 'help');
  const checkpoints = repeatedFlag(flags, 'checkpoint').map((path) => resolve(cwd, path));
  const input = stringFlag(flags, 'input');
  const results = stringFlag(flags, 'results');
  const out = stringFlag(flags, 'out');
  if (help) return { help, source: { kind: 'results', path: '' }, out: '' };
  const given = [checkpoints.length > 0, input !== undefined, results !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('MISSING_FLAG', 'give one of --checkpoint (the ledger; repeatable), --input (its default checkpoint) or --results');
  if (out === undefined || out === '') throw new UsageError('MISSING_FLAG', '--out is required');
  const outPath = resolve(cwd, out);
  const source: UndoSource =
    results !== undefined
      ? { kind: 'results', path: resolve(cwd, results) }
      : input !== undefined
        ? { kind: 'ledger', paths: [resolve(cwd, input)], flag: '--input' }
        : { kind: 'ledger', paths: checkpoints, flag: '--checkpoint' };
  const sources = source.kind === 'results' ? [source.path] : source.paths;
  if (sources.includes(outPath))
    throw new UsageError('BAD_VALUE', `--out must be a new file, not the ${source.kind === 'results' ? 'results' : 'ledger or input'} it reads: '${outPath}'`);
  return { help, source, out: outPath };
}

/** Why the source cannot be undone from (a wrong file, a dry run's results, no checkpoint for an input). */
class UndoSourceError extends Error {}

/** The ledgers an undo reads: the ones named, or an input's default checkpoint and its shards'. */
async function ledgerPaths(source: Extract<UndoSource, { kind: 'ledger' }>): Promise<string[]> {
  if (source.flag === '--checkpoint') return [...source.paths];
  const input = source.paths[0] ?? '';
  const prefix = `${basename(input)}.shard-`;
  const shards = (await readdir(dirname(input)).catch(() => [] as string[]))
    .filter((name) => name.startsWith(prefix) && /\.shard-\d+-of-\d+\.checkpoint$/.test(name))
    .sort()
    .map((name) => join(dirname(input), name));
  const own = `${input}.checkpoint`;
  const paths = [...((await pathExists(own)) ? [own] : []), ...shards];
  if (paths.length === 0)
    throw new UndoSourceError(`no checkpoint of --input '${input}' was found ('${own}', or '${input}.shard-K-of-N.checkpoint'); name it with --checkpoint`);
  return paths;
}

async function executeUndo(config: UndoConfig, io: CommandIo): Promise<ExitCodeValue> {
  const fail = (refusal: Refusal): ExitCodeValue => printRefusal(io, 'undo', refusal);
  if (await pathExists(config.out)) return fail(new Refusal(ExitCode.Usage, `--out '${config.out}' exists; undo never replaces a file: give a new name`));
  let plan: UndoPlan;
  let ledgers: LedgerRead[] = [];
  try {
    if (config.source.kind === 'results') {
      const unreadable = await checkInputFiles([{ flag: '--results', path: config.source.path, use: 'read' }]);
      if (unreadable) return fail(unreadable);
      plan = planUndo(await readResultsRows(config.source.path));
    } else {
      const paths = await ledgerPaths(config.source);
      const unreadable = await checkInputFiles(
        paths.map((path) => ({ flag: config.source.kind === 'ledger' ? config.source.flag : '--checkpoint', path, use: 'read' as const })),
      );
      if (unreadable) return fail(unreadable);
      ledgers = await Promise.all(paths.map(readLedgerRows));
      plan = planUndo(ledgers.flatMap((ledger) => ledger.rows));
    }
  } catch (error) {
    return fail(error instanceof UndoSourceError ? new Refusal(ExitCode.Usage, error.message) : checkpointRefusal(error));
  }
  const columns = undoColumns(plan.rows);
  const csv = stringify([columns, ...plan.rows.map((row) => undoCells(row, columns))]);
  try {
    await writeFileAtomic(config.out, csv);
  } catch (error) {
    return fail(new Refusal(ExitCode.LocalWriteFailed, LocalFileError.wrap('undo CSV', config.out, error).message));
  }
  const lines = [
    `Wrote ${plan.rows.length} undo rows to ${config.out} (${plan.changed} products changed; ${plan.leftOut.length} cannot be put back in full).`,
    ...plan.leftOut.map((left) => `  line ${left.line} ${left.provisionedProductId}: ${left.why}`),
  ];
  if (plan.rows.length > 0) lines.push(...applyCommands(config.out, ledgers, columns.includes('account_id')));
  io.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.Ok;
}

/**
 * How to apply the undo CSV. From a ledger: into that ledger (the undo belongs to the migration it
 * undoes, so a rerun of the original CSV is not taken as done), with --reconcile, whose tokens
 * name the state each product is found in: never a token of the migration, so the service cannot
 * answer with the migration's own records. From a results file: under a new run id, as before.
 */
function applyCommands(out: string, ledgers: readonly LedgerRead[], acrossAccounts: boolean): string[] {
  const across = acrossAccounts ? ' --assume-role-name ROLE (or --accounts FILE, as the run had)' : '';
  if (ledgers.length === 0) {
    const runId = `undo-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 13)}`;
    return ['Apply it under a new run id:', `  sc-owner-transfer run --input ${out} --run-id ${runId}${across}`];
  }
  const commands = ledgers.map(({ path, header }) => {
    const shard = /\.shard-(\d+)-of-(\d+)\.checkpoint$/.exec(path);
    const runId = header.runId === '' ? '' : ` --run-id ${header.runId}`;
    return `  sc-owner-transfer run --input ${out} --checkpoint ${path} --reconcile${runId}${shard ? ` --shard ${shard[1]}/${shard[2]}` : ''}${across}`;
  });
  return [`Apply it within the migration's ledger${ledgers.length > 1 ? ' (one run a ledger)' : ''}:`, ...commands];
}

/** What one ledger changed, and its header (the run id its undo runs under). */
interface LedgerRead {
  readonly path: string;
  readonly header: JournalHeader;
  readonly rows: ChangedRow[];
}

async function readLedgerRows(path: string): Promise<LedgerRead> {
  const changes = new LedgerChanges();
  return withCheckpoint(path, { onEntry: (entry) => (entry.type === 'sent' || entry.type === 'finished' ? changes.add(entry) : undefined) }, async (scan) => {
    if (scan === undefined) throw new UndoSourceError(`--checkpoint '${path}' does not exist`);
    return { path, header: scan.header, rows: changes.rows() };
  });
}

/** A results CSV's rows, read by csv-table (report/undo-plan.ts changedRowsFromResults); its coded errors in the words undo has always used. */
async function readResultsRows(path: string): Promise<ChangedRow[]> {
  if (/\.(dry-run|verify)\.csv$/.test(path)) throw new UndoSourceError(rehearsalMessage(path));
  try {
    return await changedRowsFromResults(streamCsvTable(createReadStream(path)));
  } catch (error) {
    if (error instanceof RehearsalResultsError) throw new UndoSourceError(rehearsalMessage(path));
    if (error instanceof InputError && error.code === 'HEADER_MISSING_COLUMN') throw new UndoSourceError(`${path}: ${error.message}`);
    if (error instanceof InputError) throw new UndoSourceError(`cannot read --results '${path}': line ${error.line}: ${error.message}`);
    throw new UndoSourceError(`cannot read --results '${path}': ${systemErrorText(error) || errorText(error)}`);
  }
}

function rehearsalMessage(path: string): string {
  return `--results '${path}' was written by a dry run or a verify: it records what would change, not what changed. Undo from the ledger: --checkpoint FILE (or --input FILE for its default checkpoint)`;
}

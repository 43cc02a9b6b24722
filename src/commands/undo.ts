/**
 * `sc-owner-transfer undo`: wiring only. Reads what a run changed (its results CSV, or its
 * checkpoint when the results are lost), plans the rows that put it back (report/undo-plan.ts),
 * writes them as an input CSV for `run`, and prints the command to apply it under a new run id.
 * Reads and writes local files only; sends nothing.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { finishedEntries, withCheckpoint } from '../checkpoint/index.js';
import { systemClock } from '../clock.js';
import { errorText, systemErrorText } from '../errors.js';
import { ExitCode, exitCodeHelp, type ExitCodeValue } from '../exit-codes.js';
import { LocalFileError } from '../local-file-error.js';
import { pathExists, writeFileAtomic } from '../report/atomic-file.js';
import { changedRowFromJournal, changedRowFromResult, planUndo, undoCells, undoColumns, type ChangedRow, type UndoPlan } from '../report/undo-plan.js';
import { parseCommandLine, type Command, type CommandIo } from './command.js';
import { booleanFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './flags.js';
import { checkpointRefusal } from './steps.js';

const UNDO_FLAGS: readonly FlagSpec[] = [
  { name: 'results', type: 'string', valueName: 'FILE', description: 'The results CSV of the run to undo (this or --checkpoint).' },
  { name: 'checkpoint', type: 'string', valueName: 'FILE', description: 'The checkpoint of the run to undo, when its results file is lost.' },
  { name: 'out', type: 'string', valueName: 'FILE', description: 'Where to write the undo CSV (required; an existing file is never replaced).' },
];

interface UndoConfig {
  readonly help: boolean;
  readonly source: { readonly kind: 'results' | 'checkpoint'; readonly path: string };
  readonly out: string;
}

export const undoCommand: Command = {
  name: 'undo',
  summary: 'Write the CSV that puts back what a run changed (sends nothing).',
  usage: 'undo (--results FILE | --checkpoint FILE) --out FILE',
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
  const results = stringFlag(flags, 'results');
  const checkpoint = stringFlag(flags, 'checkpoint');
  const out = stringFlag(flags, 'out');
  if (help) return { help, source: { kind: 'results', path: '' }, out: '' };
  if ((results === undefined) === (checkpoint === undefined)) throw new UsageError('MISSING_FLAG', 'give exactly one of --results or --checkpoint');
  if (out === undefined || out === '') throw new UsageError('MISSING_FLAG', '--out is required');
  const source = results !== undefined ? { kind: 'results' as const, path: resolve(cwd, results) } : { kind: 'checkpoint' as const, path: resolve(cwd, checkpoint as string) };
  if (resolve(cwd, out) === source.path) throw new UsageError('BAD_VALUE', `--out and --${source.kind} must be different files, both are '${source.path}'`);
  return { help, source, out: resolve(cwd, out) };
}

async function executeUndo(config: UndoConfig, io: CommandIo): Promise<ExitCodeValue> {
  const fail = (exitCode: ExitCodeValue, message: string): ExitCodeValue => {
    io.stderr.write(`sc-owner-transfer undo: ${message}\n`);
    return exitCode;
  };
  if (await pathExists(config.out)) return fail(ExitCode.Usage, `--out '${config.out}' exists; undo never replaces a file: give a new name`);
  let plan: UndoPlan;
  try {
    plan = planUndo(config.source.kind === 'results' ? await readResultsRows(config.source.path) : await readCheckpointRows(config.source.path));
  } catch (error) {
    if (error instanceof UndoSourceError) return fail(ExitCode.Usage, error.message);
    const refusal = checkpointRefusal(error);
    return fail(refusal.exitCode, refusal.message);
  }
  const columns = undoColumns(plan.rows);
  const csv = stringify([columns, ...plan.rows.map((row) => undoCells(row, columns))]);
  try {
    await writeFileAtomic(config.out, csv);
  } catch (error) {
    return fail(ExitCode.LocalWriteFailed, LocalFileError.wrap('undo CSV', config.out, error).message);
  }
  const lines = [
    `Wrote ${plan.rows.length} undo rows to ${config.out} (${plan.changed} rows changed products; ${plan.leftOut.length} cannot be put back in full).`,
    ...plan.leftOut.map((left) => `  line ${left.line} ${left.provisionedProductId}: ${left.why}`),
  ];
  if (plan.rows.length > 0) {
    // The undo's tokens must differ from the run's: the same run id would replay the earlier records.
    const runId = `undo-${new Date(systemClock.now()).toISOString().replace(/[-:]/g, '').slice(0, 13)}`;
    const across = columns.includes('account_id') ? ' --assume-role-name ROLE (or --accounts FILE, as the run had)' : '';
    lines.push('Apply it under a new run id:', `  sc-owner-transfer run --input ${config.out} --run-id ${runId}${across}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.Ok;
}

/** The source cannot be read as a results CSV of this tool (a wrong file, say). */
class UndoSourceError extends Error {}

const NEEDED_COLUMNS = ['line', 'provisioned_product_id', 'new_owner', 'launch_role', 'outcome', 'reason', 'previous_owner', 'previous_launch_role'];

async function readResultsRows(path: string): Promise<ChangedRow[]> {
  const rows: ChangedRow[] = [];
  try {
    const parser = createReadStream(path).pipe(parse({ columns: true, bom: true, skip_empty_lines: true }));
    let checked = false;
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      if (!checked) {
        const missing = NEEDED_COLUMNS.filter((name) => !(name in record));
        if (missing.length > 0) throw new UndoSourceError(`${path}: not a results CSV of this version (missing column ${missing.join(', ')})`);
        checked = true;
      }
      rows.push(changedRowFromResult(record));
    }
  } catch (error) {
    if (error instanceof UndoSourceError) throw error;
    throw new UndoSourceError(`cannot read --results '${path}': ${systemErrorText(error) || errorText(error)}`);
  }
  return rows;
}

async function readCheckpointRows(path: string): Promise<ChangedRow[]> {
  return withCheckpoint(path, {}, async (scan, file) => {
    if (scan === undefined || file === undefined) throw new UndoSourceError(`--checkpoint '${path}' does not exist`);
    const rows: ChangedRow[] = [];
    for await (const entry of finishedEntries(scan.state, file, path)) rows.push(changedRowFromJournal(entry));
    return rows;
  });
}

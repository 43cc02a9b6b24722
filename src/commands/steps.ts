/**
 * The steps commands share, each returning what it prepared or a `Refusal`: the exit code and the
 * message to print, decided here once. A command reads as a list of these steps; `run` uses all of
 * them, `status` the checkpoint reader, and `plan`/`undo` will take what they need. Steps never
 * print; the command prints a refusal and writes its summary.
 */
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { acquireLock, CheckpointError, defaultIsProcessAlive, openJournal, type CheckpointErrorCode, type Journal, type Lock } from '../checkpoint/index.js';
import { AccountSetupError } from '../accounts/account-setup-error.js';
import type { Clock } from '../clock.js';
import { errorText, systemErrorText } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatProblem, InputError, scanInput, trimmedCellsNote } from '../input/index.js';
import { LocalFileError } from '../local-file-error.js';
import type { Shard } from '../input/shard.js';
import { otherShardCountCheckpoints, shardInvocations } from './run-ledger.js';
import { makeFolder } from '../report/atomic-file.js';
import { checkRunFiles, findUnreadable, type PathProbe, type RunFile } from '../report/output-paths.js';
import type { InputScan } from '../input/types.js';
import { TOKEN_SCHEME } from '../transfer/token.js';

/** Why a command will not go on, and the exit code that says so. Nothing was sent. */
export class Refusal {
  constructor(
    readonly exitCode: ExitCodeValue,
    readonly message: string,
    /** Data rows of the input, when the step that refused had counted them (for the summary). */
    readonly rows?: number,
    /** The flags whose files are the problem: the command writes none of them (not even a summary). */
    readonly flags: readonly string[] = [],
  ) {}
}

/** An account set-up problem (accounts/account-setup-error.ts) as the refusal it is (exit 2); anything else is rethrown. */
export function accountSetupRefusal(error: unknown): Refusal {
  if (error instanceof AccountSetupError) return new Refusal(ExitCode.Usage, error.message);
  throw error;
}

/**
 * The files first: two flags naming one file, or a file that cannot be written where it is, are
 * refused before any file is opened (the log file included) and before anything is sent.
 */
export async function checkFiles(files: readonly RunFile[], probe?: PathProbe): Promise<Refusal | undefined> {
  const problem = await checkRunFiles(files, probe);
  return problem === undefined ? undefined : new Refusal(ExitCode.Usage, problem.message, undefined, problem.flags);
}

/**
 * The files a command only reads (a map, an accounts file, a checkpoint to show): one that is
 * missing, a directory or unreadable is refused with its flag (exit 2) before anything is sent.
 */
export async function checkInputFiles(files: readonly RunFile[], probe?: PathProbe): Promise<Refusal | undefined> {
  const problem = await findUnreadable(files, probe);
  return problem === undefined ? undefined : new Refusal(ExitCode.Usage, problem.message, undefined, problem.flags);
}

/**
 * A file of the run that could not be written mid-run (disk full, I/O error): the operator's to
 * fix, exit 5, and the message says why a rerun is safe. Anything else is not ours to explain:
 * undefined, and the caller rethrows it.
 */
export function localWriteRefusal(error: unknown): Refusal | undefined {
  const isLocal = error instanceof LocalFileError || (error instanceof CheckpointError && (error.code === 'IO_ERROR' || error.code === 'MOVED'));
  if (!isLocal) return undefined;
  return new Refusal(
    ExitCode.LocalWriteFailed,
    `${error.message}. Nothing is applied twice: rows already sent are resent with the same idempotency token. Fix the cause (free space) and rerun the same command to resume.`,
  );
}

const PROBLEMS_SHOWN = 50;

/** Validates the whole input before anything else: nothing is sent for a bad file. */
export async function validateInput(path: string, options: { signal: AbortSignal; skipInvalid: boolean }): Promise<InputScan | Refusal> {
  let scan: InputScan;
  try {
    scan = await scanInput(path, { signal: options.signal });
  } catch (error) {
    if (error instanceof InputError) {
      return new Refusal(ExitCode.Usage, `${formatProblem({ code: error.code, line: error.line, message: error.message })} [${error.code}]\nNothing was sent.`);
    }
    throw error;
  }
  if (scan.fatal) {
    return new Refusal(
      ExitCode.Usage,
      `${path}: ${formatProblem(scan.fatal)} [${scan.fatal.code}]\nThe file cannot be read as a transfer CSV; nothing was sent.`,
      scan.totalRows,
    );
  }
  if (scan.problemCount > 0 && !options.skipInvalid) {
    const shown = scan.problems.slice(0, PROBLEMS_SHOWN).map((p) => `  ${formatProblem(p)} [${p.code}]`);
    const more = scan.problemCount > shown.length ? [`  ... and ${scan.problemCount - shown.length} more`] : [];
    return new Refusal(
      ExitCode.Usage,
      [
        `${path}: ${scan.invalidRows} of ${scan.totalRows} rows are invalid; nothing was sent.`,
        ...shown,
        ...more,
        'Fix them, or pass --skip-invalid to run the valid rows and report the others as invalid.',
      ].join('\n'),
      scan.totalRows,
    );
  }
  return scan;
}

/** Region and credentials, resolved once up front: a clear message instead of N failed rows. */
export async function checkAwsSettings(client: ServiceCatalogClient): Promise<Refusal | undefined> {
  try {
    await client.config.region();
  } catch (error) {
    return new Refusal(ExitCode.Usage, `no AWS region: pass --region or set AWS_REGION (${errorText(error)}); nothing was sent`);
  }
  try {
    await client.config.credentials();
  } catch (error) {
    // An MFA code nobody can type: the error says what to do instead (a session first), not --profile.
    const mfa = causeNamed(error, 'MfaCodeUnavailableError');
    if (mfa !== undefined) return new Refusal(ExitCode.StoppedEarly, `${errorText(mfa)}; nothing was sent`);
    return new Refusal(
      ExitCode.StoppedEarly,
      `no usable AWS credentials (${errorText(error)}): pass --profile, or set AWS_PROFILE or the AWS_ACCESS_KEY_ID variables; nothing was sent`,
    );
  }
  return undefined;
}

/** The error, or one of its causes, of that name (the SDK may wrap what a credential provider threw). */
function causeNamed(error: unknown, name: string): unknown {
  for (let at = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth += 1) if (at.name === name) return at;
  return undefined;
}

/**
 * The exit code of each checkpoint refusal, in one place. A held lock is its own code (scripts
 * wait and retry it), and so is a file that cannot be read or written (5, a disk to fix);
 * everything else about the checkpoint is the operator's to fix (2).
 */
const CHECKPOINT_EXIT_CODES: Readonly<Record<CheckpointErrorCode, ExitCodeValue>> = {
  LOCKED: ExitCode.Locked,
  RUN_ID_MISMATCH: ExitCode.Usage,
  SCHEME_MISMATCH: ExitCode.Usage,
  CORRUPT: ExitCode.Usage,
  NOT_A_CHECKPOINT: ExitCode.Usage,
  NOT_FOUND: ExitCode.Usage,
  IO_ERROR: ExitCode.LocalWriteFailed,
  INVALID_ENTRY: ExitCode.Internal,
  CLOSED: ExitCode.Internal,
  MOVED: ExitCode.LocalWriteFailed,
};

/** A CheckpointError as a refusal; anything else is rethrown (a bug, exit 70). */
export function checkpointRefusal(error: unknown): Refusal {
  if (error instanceof CheckpointError) return new Refusal(CHECKPOINT_EXIT_CODES[error.code], error.message);
  throw error;
}

/**
 * A shard's checkpoint, before anything is sent or written. Refused (exit 2): a checkpoint whose
 * ledger records a run of another shard (`--shard 1/3`, then `--shard 2/3` with the same
 * `--checkpoint`): the shards' accounts differ, so one ledger would hold two shards' rows and each
 * shard's results only part of them. A run without `--shard` on it (an undo's run) is not a shard
 * and is never refused. Warned (returned): default checkpoints of this input for another shard
 * count (`--shard 1/2` earlier, `--shard 1/3` now): the accounts are split otherwise, so what those
 * ledgers did is theirs alone (found in target here, undone only from them).
 */
export async function checkShardCheckpoint(config: {
  readonly checkpoint: string;
  readonly input: string;
  readonly shard: Shard | undefined;
}): Promise<Refusal | string[]> {
  const { shard } = config;
  if (shard === undefined) return [];
  const here = `${shard.index}/${shard.count}`;
  const other = (await shardInvocations(config.checkpoint)).find((seen) => `${seen.shard.index}/${seen.shard.count}` !== here);
  if (other !== undefined)
    return new Refusal(
      ExitCode.Usage,
      `--checkpoint '${config.checkpoint}' is shard ${other.shard.index}/${other.shard.count}'s: its ledger records a run with --shard ${other.shard.index}/${other.shard.count} (started ${other.startedAt} on ${other.host}), and this is --shard ${here}, whose accounts are others. Give each shard its own checkpoint (by default ${config.input}.shard-K-of-N.checkpoint); nothing was sent or written.`,
    );
  const others = await otherShardCountCheckpoints(config.input, shard.count);
  if (others.length === 0) return [];
  return [
    `--shard ${here}: this input also has checkpoints of another shard count (${others.join(', ')}). A new N splits the accounts otherwise: rows those runs did are found already in their target here, and only those checkpoints can undo them; keep them, or go on with the shard count they used.`,
  ];
}

/**
 * What a run refuses or warns of once its input is read and before it reaches an account or opens
 * its checkpoint: a shard's checkpoint (checkShardCheckpoint), and the ARN cells of the input that
 * were trimmed (said, never silent: input/format.ts trimmedCellsNote). The warnings go to `warn`
 * (the command's log); the refusal, if any, is returned.
 */
export async function checkBeforeStart(
  config: Parameters<typeof checkShardCheckpoint>[0],
  scan: Pick<InputScan, 'trimmedArnCells'>,
  warn: (warning: string) => void,
): Promise<Refusal | undefined> {
  const shard = await checkShardCheckpoint(config);
  if (shard instanceof Refusal) return shard;
  const trimmed = trimmedCellsNote(scan.trimmedArnCells);
  for (const warning of trimmed === undefined ? shard : [trimmed, ...shard]) warn(warning);
  return undefined;
}

export interface CheckpointStepOptions {
  readonly path: string;
  readonly runId: string;
  readonly input: string;
  readonly forceUnlock: boolean;
  readonly clock: Clock;
  readonly pid: number;
}

/** The checkpoint as a run uses it: its lock and its journal, released by `close()`. */
export interface OpenedCheckpoint {
  readonly journal: Journal;
  /** Closes the journal (flushing it) and releases the lock. */
  close(): Promise<void>;
  /** After a failure: closes what can be closed, never throws. */
  abandon(): Promise<void>;
}

/**
 * Takes the lock (exit 4 when another run holds it), then opens the journal (exit 2 for a
 * checkpoint of another run id, scheme, or no checkpoint at all). A dry run (or a verify) takes
 * the lock too and opens the ledger to add its invocation: it records nothing about rows.
 */
export async function openCheckpoint(options: CheckpointStepOptions, dryRun: boolean): Promise<OpenedCheckpoint | Refusal> {
  const { path, runId, input, forceUnlock, clock, pid } = options;
  // Its folder, as the results' and the log's are made: the file checks found it creatable.
  const folder = await makeFolder(dirname(path)).catch((error: unknown) =>
    checkpointRefusal(new CheckpointError('IO_ERROR', `Cannot create the folder of checkpoint ${path}: ${systemErrorText(error)}`, { cause: error })),
  );
  if (folder instanceof Refusal) return folder;
  const lock: Lock | Refusal = await acquireLock({
    checkpointPath: path,
    runId,
    host: hostname(),
    pid,
    now: () => new Date(clock.now()),
    isProcessAlive: defaultIsProcessAlive,
    force: forceUnlock,
  }).catch(checkpointRefusal);
  if (lock instanceof Refusal) return lock;
  const journal = await openJournal({ path, runId, tokenScheme: TOKEN_SCHEME, input, clock, recordRows: !dryRun }).catch(checkpointRefusal);
  if (journal instanceof Refusal) {
    await lock.release();
    return journal;
  }
  return {
    journal,
    async close() {
      try {
        await journal.close();
      } finally {
        await lock.release();
      }
    },
    async abandon() {
      await journal.close().catch(() => undefined);
      await lock.release().catch(() => undefined);
    },
  };
}

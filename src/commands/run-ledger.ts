/**
 * What `run` adds to the migration's ledger: a `begin` entry when it has the checkpoint (what this
 * invocation is: command, mode, flags with secrets masked, version, caller, host, pid, start) and
 * an `end` entry with how it ended (counts, exit code, stop reason). Wiring only: the entries'
 * shape is checkpoint/journal-entries.ts's.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Journal, JournalBegin, JournalEnd } from '../checkpoint/index.js';
import type { RunCounts } from '../report/types.js';
import { toolVersion } from '../version.js';
import { maskedArgs } from './flags.js';
import { RUN_FLAGS, type RunConfig } from './run-options.js';

/** What kind of invocation a run is, as the ledger and the report name it. */
export function runMode(config: Pick<RunConfig, 'dryRun' | 'check' | 'reconcile'>): 'run' | 'dry-run' | 'verify' | 'reconcile' {
  if (config.dryRun) return config.check ? 'verify' : 'dry-run';
  return config.reconcile ? 'reconcile' : 'run';
}

export interface InvocationFacts {
  readonly argv: readonly string[];
  readonly config: RunConfig;
  readonly pid: number;
  readonly startedAt: number;
  readonly callerArn: string | undefined;
  readonly account: string | undefined;
}

/** One invocation's place in the ledger: begin() once the checkpoint is open, end() before it closes. */
export class LedgerInvocation {
  readonly #id = randomUUID();
  readonly #journal: Journal;

  constructor(journal: Journal) {
    this.#journal = journal;
  }

  begin(facts: InvocationFacts): Promise<void> {
    const { config } = facts;
    const entry: JournalBegin = {
      type: 'begin',
      invocation: this.#id,
      command: 'run',
      mode: runMode(config),
      args: maskedArgs(facts.argv, RUN_FLAGS),
      version: toolVersion(),
      runId: config.runId,
      input: config.input,
      callerArn: facts.callerArn ?? '',
      account: facts.account ?? '',
      host: hostname(),
      pid: facts.pid,
      startedAt: new Date(facts.startedAt).toISOString(),
    };
    return this.#journal.recordInvocation(entry);
  }

  /** Best effort: a journal that failed already has its error reported by its close. */
  async end(endedAt: number, exitCode: number, stopReason: string | undefined, counts: RunCounts): Promise<void> {
    const entry: JournalEnd = {
      type: 'end',
      invocation: this.#id,
      endedAt: new Date(endedAt).toISOString(),
      exitCode,
      stopReason: stopReason ?? '',
      counts: { ...counts },
    };
    try {
      await this.#journal.recordInvocation(entry);
    } catch {
      // The journal failed (and says why where it is closed) or is closed: the `end` is lost with it.
    }
  }
}

/** Shared builders for the report tests (not a test file itself). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RowResult, RunCounts, RunSummary } from '../../../src/report/types.js';

export function makeResult(overrides: Partial<RowResult> = {}): RowResult {
  return {
    line: 2,
    provisionedProductId: 'pp-abc123',
    newOwner: 'arn:aws:iam::123456789012:role/Owner',
    launchRole: 'arn:aws:iam::123456789012:role/Launch',
    accountId: '123456789012',
    region: '',
    outcome: 'succeeded',
    reason: '',
    recordId: 'rec-1',
    recordStatus: 'SUCCEEDED',
    attempts: 1,
    idempotencyToken: 'tok-1',
    errorCode: '',
    errorMessage: '',
    finishedAt: '2024-05-01T10:00:00.000Z',
    productStatus: '',
    previousOwner: '',
    previousOwnerSession: '',
    previousLaunchRole: '',
    extra: {},
    ...overrides,
  };
}

export function makeCounts(overrides: Partial<RunCounts> = {}): RunCounts {
  return {
    total: 0,
    succeeded: 0,
    submitted: 0,
    failed: 0,
    skipped: 0,
    invalid: 0,
    notStarted: 0,
    wouldChange: 0,
    drifted: 0,
    finished: 0,
    requests: 0,
    throttles: 0,
    retries: 0,
    ...overrides,
  };
}

export function makeSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    counts: makeCounts({ total: 4000, succeeded: 3990, failed: 3, invalid: 7, finished: 4000, requests: 8123, throttles: 12, retries: 15 }),
    startedAt: '2024-05-01T10:00:00.000Z',
    finishedAt: '2024-05-01T10:01:06.000Z',
    elapsedMs: 66_000,
    exitCode: 1,
    stoppedBy: undefined,
    runId: 'run-42',
    input: '/data/input.csv',
    results: '/data/results.csv',
    checkpoint: '/data/.sc-owner-transfer/checkpoint',
    dryRun: false,
    ...overrides,
  };
}

/** A Writable that keeps every chunk as text; `delayMs` makes each write complete later. */
export class CollectingStream extends Writable {
  readonly chunks: string[] = [];
  completed = 0;
  isTTY?: boolean;
  columns?: number;

  constructor(private readonly delayMs = 0) {
    super({ decodeStrings: false });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const done = () => {
      this.chunks.push(String(chunk));
      this.completed += 1;
      callback();
    };
    if (this.delayMs > 0) setTimeout(done, this.delayMs);
    else done();
  }

  get text(): string {
    return this.chunks.join('');
  }

  /** Non-empty lines parsed as JSON (for pino output). */
  json(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-report-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

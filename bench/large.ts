/**
 * The benchmark's large scenarios (`npm run bench -- --large`): a million rows. A real run of a
 * million updates takes far too long here, so:
 * - the validation pass is timed as a dry run that reads nothing (no preflight, no target check);
 * - resuming is timed on a checkpoint made by a generator: every row of a 1,000,000-row input is
 *   done, in the journal's own format, through the journal's own serializers; 10 more rows follow
 *   whose products the emulator holds. The figure is the time from the process's start to the
 *   first update the emulator sees.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { JOURNAL_FORMAT, serializeFinished, serializeHeader } from '../src/checkpoint/journal-entries.js';
import { deriveIdempotencyToken, TOKEN_SCHEME } from '../src/transfer/token.js';
import { CLI, startEmulatorProcess } from './emulator-process.js';
import { benchEnv, NEW_OWNER } from './job.js';
import { measureProcess, round } from './measure.js';
import type { Figures } from './scenarios.js';

const HEADER = 'provisioned_product_id,new_owner,launch_role\n';
/** A product id of the right shape that no emulator holds (the done rows are never sent). */
const fakeId = (i: number) => `pp-${i.toString(36).padStart(12, '0')}`;

/** Writes `rows` rows of fake products, then `extra` real ones; returns the path. */
export async function writeBigInput(dir: string, rows: number, extra: readonly string[] = []): Promise<string> {
  const path = join(dir, 'big.csv');
  const out = createWriteStream(path);
  out.write(HEADER);
  let chunk = '';
  for (let i = 0; i < rows; i += 1) {
    chunk += `${fakeId(i)},${NEW_OWNER},\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk + extra.map((id) => `${id},${NEW_OWNER},\n`).join(''));
  await finished(out);
  return path;
}

/** A checkpoint in which the first `rows` rows of writeBigInput's file are done. */
export async function writeDoneCheckpoint(path: string, input: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(serializeHeader({ type: 'header', format: JOURNAL_FORMAT, runId: '', tokenScheme: TOKEN_SCHEME, createdAt: new Date().toISOString(), input }));
  const at = new Date().toISOString();
  let chunk = '';
  for (let i = 0; i < rows; i += 1) {
    const provisionedProductId = fakeId(i);
    const token = deriveIdempotencyToken('', { provisionedProductId, newOwner: NEW_OWNER, launchRole: undefined });
    chunk += serializeFinished({
      type: 'finished',
      token,
      line: i + 2,
      provisionedProductId,
      outcome: 'succeeded',
      recordId: `rec-${i}`,
      recordStatus: 'SUCCEEDED',
      attempts: 1,
      errorCode: '',
      errorMessage: '',
      finishedAt: at,
    });
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

/** The validation pass over `rows` rows: a dry run that reads nothing. */
export async function validationPass(o: { rows: number }): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'sot-bench-'));
  try {
    const input = await writeBigInput(dir, o.rows);
    const m = await measureProcess(
      process.execPath,
      [CLI, 'run', '--input', input, '--dry-run', '--no-preflight', '--no-target-check', '--no-progress', '--log-level', 'error'],
      {
        cwd: dir,
        env: benchEnv('http://127.0.0.1:9'),
      },
    );
    return { exitCode: m.exitCode, seconds: round(m.seconds), peakRssMiB: round(m.peakRssMiB) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resuming a checkpoint of `rows` done rows with 10 new rows after them. */
export async function resumeDone(o: { rows: number }): Promise<Figures> {
  const emulator = await startEmulatorProcess({ products: 10 });
  const dir = await mkdtemp(join(tmpdir(), 'sot-bench-'));
  try {
    const input = await writeBigInput(dir, o.rows, await emulator.productIds());
    await writeDoneCheckpoint(`${input}.checkpoint`, input, o.rows);
    const started = Date.now();
    const m = await measureProcess(
      process.execPath,
      [CLI, 'run', '--input', input, '--yes', '--no-progress', '--log-level', 'error', '--endpoint-url', emulator.endpoint],
      {
        cwd: dir,
        env: benchEnv(emulator.endpoint),
      },
    );
    const first = (await emulator.calls()).find((c) => c.operation === 'UpdateProvisionedProductProperties');
    const results = (await readFile(`${input}.results.csv`, 'utf8')).split('\n').length - 2;
    return {
      exitCode: m.exitCode,
      seconds: round(m.seconds),
      toFirstUpdateSeconds: first ? round((Date.parse(first.at) - started) / 1000, 2) : null,
      peakRssMiB: round(m.peakRssMiB),
      resultLines: results,
    };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

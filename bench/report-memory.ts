/**
 * `report`'s memory on a large ledger (`npm run build && node dist/bench/report-memory.js [rows...]`,
 * default 1,000, 100,000 and 300,000): a generated ledger of a canary, the run (every row sent and
 * finished, one in 50 throttled) and a reconcile night (every row found in target), written through
 * the journal's own serializers; then `report` in each format as a child process, its peak RSS
 * (VmHWM) and wall time printed, and per format the growth of peak RSS per product from the
 * smallest size to each larger one. The ledger is streamed; what grows with the products is one
 * compact slot each (report/story/product-table.ts).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { JOURNAL_FORMAT, serializeBegin, serializeEnd, serializeFinished, serializeHeader, serializeSent } from '../src/checkpoint/journal-entries.js';
import { CLI } from './emulator-process.js';
import { measureProcess, round } from './measure.js';

const ACCOUNT = '123456789012';
const OWNER = `arn:aws:iam::${ACCOUNT}:user/bob`;
const PREVIOUS = `arn:aws:iam::${ACCOUNT}:user/alice`;
const id = (i: number) => `pp-${i.toString(36).padStart(12, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString();

function invocation(name: string, mode: string, args: string[], startedAt: number): string {
  return serializeBegin({
    type: 'begin',
    invocation: name,
    command: 'run',
    mode,
    args,
    version: '0.1.0',
    runId: '',
    input: '/work/big.csv',
    callerArn: `arn:aws:iam::${ACCOUNT}:user/operator`,
    account: ACCOUNT,
    host: 'bench',
    pid: 1,
    startedAt: iso(startedAt),
  });
}

/** Writes the ledger of `rows` products; the run goes at 30 rows a second. */
export async function writeLedger(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const start = Date.UTC(2026, 11, 1, 9, 0, 0);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(serializeHeader({ type: 'header', format: JOURNAL_FORMAT, runId: '', tokenScheme: 'sot1', createdAt: iso(start), input: '/work/big.csv' }));
  const canary = Math.min(10, rows);
  const passes: Array<[string, string, string[], number, number, 'succeeded' | 'skipped']> = [
    ['canary', 'run', ['--input', 'big.csv', '--limit', String(canary)], 0, canary, 'succeeded'],
    ['run', 'run', ['--input', 'big.csv'], canary, rows, 'succeeded'],
    ['night', 'reconcile', ['--input', 'big.csv', '--reconcile'], 0, rows, 'skipped'],
  ];
  let clock = start;
  for (const [name, mode, args, from, to, outcome] of passes) {
    await write(invocation(name, mode, args, clock));
    let chunk = '';
    for (let i = from; i < to; i += 1) {
      const at = iso(clock + Math.floor(((i - from) * 1000) / 30));
      const fields = {
        token: `sot1-${name}-${i}`,
        line: i + 2,
        provisionedProductId: id(i),
        previousOwner: outcome === 'skipped' ? OWNER : PREVIOUS,
        newOwner: OWNER,
        launchRole: '',
      };
      if (outcome === 'succeeded') chunk += serializeSent({ type: 'sent', ...fields, at });
      chunk += serializeFinished({
        type: 'finished',
        ...fields,
        outcome,
        recordId: outcome === 'skipped' ? '' : `rec-${i}`,
        recordStatus: outcome === 'skipped' ? '' : 'SUCCEEDED',
        attempts: outcome === 'skipped' ? 0 : 1,
        errorCode: '',
        errorMessage: '',
        finishedAt: at,
        ...(i % 50 === 0 && outcome === 'succeeded' ? { throttles: 2 } : {}),
      });
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
    clock += Math.ceil(((to - from) * 1000) / 30) + 1000;
    await write(serializeEnd({ type: 'end', invocation: name, endedAt: iso(clock), exitCode: 0, stopReason: '', counts: { [outcome]: to - from } }));
    clock += 60_000;
  }
  out.end();
  await finished(out);
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const dir = await mkdtemp(join(tmpdir(), 'sot-report-bench-'));
  const smallest = new Map<string, { rows: number; peakRssMiB: number }>();
  try {
    for (const rows of sizes.length > 0 ? sizes : [1_000, 100_000, 300_000]) {
      const ledger = join(dir, `ledger-${rows}.checkpoint`);
      await writeLedger(ledger, rows);
      const bytes = (await stat(ledger)).size;
      for (const format of ['html', 'md', 'json', 'csv']) {
        const out = join(dir, `report-${rows}.${format}`);
        const measure = await measureProcess(process.execPath, [CLI, 'report', '--checkpoint', ledger, '--format', format, '--out', out, '--force']);
        const size = (await stat(out).catch(() => undefined))?.size ?? 0;
        const base = smallest.get(format) ?? { rows, peakRssMiB: measure.peakRssMiB };
        smallest.set(format, base);
        const growth =
          rows > base.rows ? `, +${round(((measure.peakRssMiB - base.peakRssMiB) * 1024) / (rows - base.rows), 3)} KiB a product over ${base.rows}` : '';
        process.stdout.write(
          `${rows} rows (ledger ${round(bytes / 2 ** 20)} MiB), --format ${format}: exit ${String(measure.exitCode)}, ${round(measure.seconds, 2)} s, peak RSS ${round(measure.peakRssMiB)} MiB${growth}, report ${round(size / 2 ** 20, 2)} MiB\n`,
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * The benchmark's scenarios. Each starts its own emulator process, runs the job (and the peers it
 * is compared with) side by side, and returns figures; the medians are taken by the caller.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulatorProcess, type EmulatorCall } from './emulator-process.js';
import { benchEnv, NEW_OWNER, runJob, runJobOn, writeInput } from './job.js';
import { measureProcess, round } from './measure.js';

const UPDATE = 'UpdateProvisionedProductProperties';
const BARE_LOOP = fileURLToPath(new URL('./bare-sdk-loop.js', import.meta.url));
const NAIVE = fileURLToPath(new URL('./naive-promise-all.js', import.meta.url));

export type Figures = Record<string, number | string | null>;

/** Accepted updates per second between the first and the last accepted one, and the share throttled. */
function updateFigures(
  calls: readonly EmulatorCall[],
  from = 0,
  to = Number.POSITIVE_INFINITY,
): { accepted: number; perSecond: number; throttledShare: number } {
  const updates = calls.filter((c) => c.operation === UPDATE).map((c) => ({ ...c, t: Date.parse(c.at) }));
  const start = updates[0]?.t ?? 0;
  const inRange = updates.filter((c) => c.t - start >= from && c.t - start < to);
  const ok = inRange.filter((c) => c.outcome === 'ok').map((c) => c.t);
  const throttled = inRange.filter((c) => c.outcome === 'ThrottlingException').length;
  const span = ok.length > 1 ? (ok[ok.length - 1]! - ok[0]!) / 1000 : 0;
  return { accepted: ok.length, perSecond: span > 0 ? (ok.length - 1) / span : 0, throttledShare: inRange.length ? throttled / inRange.length : 0 };
}

/**
 * Updates per second over the second half of a process's updates: its pace once started, without
 * the process start, the validation pass and the limiter's slow start.
 */
function secondHalfRate(updates: readonly EmulatorCall[]): number {
  const times = updates.map((c) => Date.parse(c.at));
  const mid = times.length >> 1;
  const span = (times[times.length - 1]! - times[mid]!) / 1000;
  return span > 0 ? (times.length - 1 - mid) / span : 0;
}

/** The job under an UpdateProvisionedProductProperties quota: how close to it it settles. */
export async function quotaSaturation(o: { quota: number; burst: number; rate: number; rows: number; args?: readonly string[] }): Promise<Figures> {
  const emulator = await startEmulatorProcess({ products: o.rows, quota: { rate: o.quota, burst: o.burst } });
  try {
    const job = await runJob(emulator, ['--concurrency', '16', '--rate', String(o.rate), ...(o.args ?? [])]);
    const f = updateFigures(await emulator.calls());
    return {
      exitCode: job.exitCode,
      seconds: round(job.seconds),
      ratio: round(f.perSecond / o.quota, 3),
      throttledPercent: round(f.throttledShare * 100, 2),
      settledRate: job.summary.limiterRate ?? null,
    };
  } finally {
    await emulator.close();
  }
}

/**
 * One CSV across `accounts` accounts, each with its own quota (`--generate N --accounts K`): the
 * accepted updates per second of the whole run against the sum of the quotas, and of each account
 * against its own.
 */
export async function accountsSaturation(o: {
  accounts: number;
  rowsPerAccount: number;
  quota: number;
  burst: number;
  rate: number;
  concurrency: number;
}): Promise<Figures> {
  const emulator = await startEmulatorProcess({ products: o.rowsPerAccount, accounts: o.accounts, quota: { rate: o.quota, burst: o.burst } });
  const dir = await mkdtemp(join(tmpdir(), 'sot-bench-'));
  try {
    const byAccount = await emulator.productsByAccount();
    const lines = [...byAccount].flatMap(([account, ids]) => ids.map((id) => `${account},${id},arn:aws:iam::${account}:user/bench-owner\n`));
    const input = join(dir, 'reorg.csv');
    await writeFile(input, `account_id,provisioned_product_id,new_owner\n${lines.join('')}`);
    const job = await runJobOn(emulator, input, dir, [
      '--assume-role-name',
      'OrganizationAccountAccessRole',
      '--concurrency',
      String(o.concurrency),
      '--rate',
      String(o.rate),
    ]);
    const calls = await emulator.calls();
    const all = updateFigures(calls);
    const perAccount = [...byAccount.keys()].map((account) => updateFigures(calls.filter((c) => c.accountId === account)).perSecond / o.quota);
    return {
      exitCode: job.exitCode,
      seconds: round(job.seconds),
      rowsPerSecond: round(all.perSecond, 1),
      sumOfQuotas: o.accounts * o.quota,
      ratio: round(all.perSecond / (o.accounts * o.quota), 3),
      throttledPercent: round(all.throttledShare * 100, 2),
      worstAccountRatio: round(Math.min(...perAccount), 3),
      bestAccountRatio: round(Math.max(...perAccount), 3),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

/** The quota is halved after `changeAt` s and restored after `restoreAt` s: the accepted rate in each phase. */
export async function quotaChange(o: { quota: number; burst: number; rate: number; rows: number; changeAt: number; restoreAt: number }): Promise<Figures> {
  const emulator = await startEmulatorProcess({ products: o.rows, quota: { rate: o.quota, burst: o.burst } });
  const quotas = (rate: number) => ({ quotas: { [UPDATE]: { ratePerSecond: rate, burst: o.burst } } });
  const timers = [
    setTimeout(() => void emulator.setFaults(quotas(o.quota / 2)), o.changeAt * 1000),
    setTimeout(() => void emulator.setFaults(quotas(o.quota)), o.restoreAt * 1000),
  ];
  try {
    const job = await runJob(emulator, ['--concurrency', '16', '--rate', String(o.rate)]);
    const calls = await emulator.calls();
    // Phases by the job's own clock of updates; the first seconds of each phase are the adaptation.
    const settle = 5_000;
    const before = updateFigures(calls, 5_000, o.changeAt * 1000 - 1000);
    const halved = updateFigures(calls, o.changeAt * 1000 + settle, o.restoreAt * 1000);
    const restored = updateFigures(calls, o.restoreAt * 1000 + 15_000);
    return {
      exitCode: job.exitCode,
      seconds: round(job.seconds),
      ratioBefore: round(before.perSecond / o.quota, 3),
      ratioHalved: round(halved.perSecond / (o.quota / 2), 3),
      throttledPercentHalved: round(halved.throttledShare * 100, 2),
      ratioRestored: round(restored.perSecond / o.quota, 3),
    };
  } finally {
    timers.forEach(clearTimeout);
    await emulator.close();
  }
}

/** Job rows/s against a bare SDK loop's, like with like: no preflight, no waiting, no target check, no quota. */
export async function overhead(o: { rows: number; concurrency: number }): Promise<Figures> {
  // Records that take time, as on AWS (an update answers CREATED): an answer already SUCCEEDED is
  // read once (the token-already-used check), which AWS never makes a fresh update pay.
  const emulator = await startEmulatorProcess({ products: o.rows, recordDelayMs: 100 });
  const dir = await mkdtemp(join(tmpdir(), 'sot-bench-'));
  try {
    const ids = await emulator.productIds();
    const job = await runJob(emulator, ['--concurrency', String(o.concurrency), '--rate', '100000', '--no-preflight', '--no-wait', '--no-target-check'], ids);
    // The same products again: the loop sends the same updates (the emulator accepts a repeat).
    const input = await writeInput(dir, ids);
    const bare = await measureProcess(process.execPath, [BARE_LOOP, input, emulator.endpoint, String(o.concurrency)], { env: benchEnv(emulator.endpoint) });
    // The job's updates come first in the call log, the loop's after them.
    const updates = (await emulator.calls()).filter((c) => c.operation === UPDATE);
    const jobSteady = secondHalfRate(updates.slice(0, o.rows));
    const bareSteady = secondHalfRate(updates.slice(o.rows));
    const cpuMsPerRow = (cpuSeconds: number | null) => (cpuSeconds === null ? null : round((cpuSeconds * 1000) / o.rows, 3));
    const jobCpu = cpuMsPerRow(job.cpuSeconds);
    const bareCpu = cpuMsPerRow(bare.cpuSeconds);
    return {
      jobRowsPerSecond: round(o.rows / job.seconds),
      bareRowsPerSecond: round(o.rows / bare.seconds),
      ratio: round(bare.seconds / job.seconds, 3),
      steadyRatio: round(jobSteady / bareSteady, 3),
      jobCpuMsPerRow: jobCpu,
      bareCpuMsPerRow: bareCpu,
      cpuRatio: jobCpu === null || bareCpu === null ? null : round(jobCpu / bareCpu, 3),
      jobPeakRssMiB: round(job.peakRssMiB),
      barePeakRssMiB: round(bare.peakRssMiB),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

/** Peers on the same server: a naive Promise.all under a quota (rows lost), the AWS CLI in a shell loop. */
export async function naiveUnderQuota(o: { rows: number; quota: number; burst: number }): Promise<Figures> {
  const emulator = await startEmulatorProcess({ products: o.rows, quota: { rate: o.quota, burst: o.burst } });
  const dir = await mkdtemp(join(tmpdir(), 'sot-bench-'));
  try {
    const input = await writeInput(dir, await emulator.productIds());
    const run = await measureProcess(process.execPath, [NAIVE, input, emulator.endpoint], { env: benchEnv(emulator.endpoint) });
    const answer = JSON.parse(run.stdout) as { ok: number; failed: number };
    const f = updateFigures(await emulator.calls());
    return {
      seconds: round(run.seconds),
      failedRows: answer.failed,
      failedPercent: round((answer.failed / o.rows) * 100, 1),
      throttledPercent: round(f.throttledShare * 100, 1),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

export async function awsCliLoop(o: { rows: number }): Promise<Figures> {
  // As the suite's AWS CLI check: SOT_AWS_CLI (CI installs Debian's awscli v2), else `aws` on PATH.
  const aws = process.env.SOT_AWS_CLI ?? 'aws';
  const version = spawnSync(aws, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return { skipped: `the AWS CLI (${aws}) is not there` };
  const emulator = await startEmulatorProcess({ products: o.rows });
  try {
    const started = performance.now();
    for (const id of await emulator.productIds()) {
      // --region: AWS CLI v1 reads AWS_DEFAULT_REGION, not AWS_REGION.
      spawnSync(
        aws,
        [
          'servicecatalog',
          'update-provisioned-product-properties',
          '--provisioned-product-id',
          id,
          '--region',
          'us-east-1',
          '--provisioned-product-properties',
          `OWNER=${NEW_OWNER}`,
          '--endpoint-url',
          emulator.endpoint,
        ],
        { env: benchEnv(emulator.endpoint), stdio: 'ignore' },
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const f = updateFigures(await emulator.calls());
    return { rowsPerSecond: round(o.rows / seconds, 2), accepted: f.accepted, cli: `${version.stdout}${version.stderr}`.trim().split(' ')[0] ?? '' };
  } finally {
    await emulator.close();
  }
}

/** API calls per row, by operation, with the defaults and with preflight and waiting off. */
export async function callsPerRow(o: { rows: number; args: readonly string[] }): Promise<Figures> {
  const emulator = await startEmulatorProcess({ products: o.rows });
  try {
    const job = await runJob(emulator, ['--concurrency', '16', '--rate', '100000', ...o.args]);
    const byOperation: Figures = { exitCode: job.exitCode };
    for (const call of await emulator.calls()) byOperation[call.operation] = ((byOperation[call.operation] as number | undefined) ?? 0) + 1;
    for (const [op, n] of Object.entries(byOperation)) if (op !== 'exitCode') byOperation[op] = round((n as number) / o.rows, 3);
    return byOperation;
  } finally {
    await emulator.close();
  }
}

/** Peak RSS of a whole run (defaults, no quota). */
export async function memory(o: { rows: number }): Promise<Figures> {
  const emulator = await startEmulatorProcess({ products: o.rows });
  try {
    const job = await runJob(emulator, ['--concurrency', '16', '--rate', '100000']);
    return { exitCode: job.exitCode, seconds: round(job.seconds), peakRssMiB: round(job.peakRssMiB) };
  } finally {
    await emulator.close();
  }
}

/** Peak RSS with the defaults at `small` and at `large` rows (each its own account of that size), one after the other, and their ratio. */
export async function memoryGrowth(o: { small: number; large: number }): Promise<Figures> {
  const small = await memory({ rows: o.small });
  const large = await memory({ rows: o.large });
  const ratio = typeof small.peakRssMiB === 'number' && typeof large.peakRssMiB === 'number' ? round(large.peakRssMiB / small.peakRssMiB, 3) : null;
  return {
    smallExitCode: small.exitCode ?? null,
    largeExitCode: large.exitCode ?? null,
    smallPeakRssMiB: small.peakRssMiB ?? null,
    largePeakRssMiB: large.peakRssMiB ?? null,
    ratio,
  };
}

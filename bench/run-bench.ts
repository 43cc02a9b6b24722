/**
 * `npm run bench [-- --rows 10000 --quota 50 --concurrency 8 --rate 100 --compare]`
 *
 * Measures the job the way an operator runs it: the compiled CLI as a child process against the
 * local Service Catalog (in this process, on loopback), reporting rows per second, the share of
 * throttled calls, and the CLI's peak RSS (VmHWM, sampled from /proc while it runs). With
 * `--compare` it also times a bare SDK loop (one request at a time, no limiter, no checkpoint)
 * and a shell-style AWS CLI loop over the first rows, as the baseline the tool replaces.
 *
 * This is a benchmark, not a test: numbers depend on the machine; nothing here asserts a time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ServiceCatalogClient, UpdateProvisionedProductPropertiesCommand } from '@aws-sdk/client-service-catalog';
import { generateSeed, startEmulator, type RunningEmulator } from '../src/emulator/index.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const ACCOUNT = '123456789012';
const NEW_OWNER = `arn:aws:iam::${ACCOUNT}:user/bench-owner`;
const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface CliMeasure {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number | null;
}

async function measureCli(args: string[], cwd: string, endpoint: string): Promise<CliMeasure> {
  const started = performance.now();
  // The local Service Catalog answers STS and IAM too (the target check), never the real ones.
  const env = { ...ENV, AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_IAM: endpoint };
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'ignore'] });
  let peakKiB = 0;
  const sample = async () => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
  };
  const timer = setInterval(() => void sample(), 50);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearInterval(timer);
  return { seconds: (performance.now() - started) / 1000, peakRssMiB: peakKiB / 1024, exitCode };
}

async function scenario(name: string, rows: number, quota: number | undefined, cliArgs: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sot-bench-'));
  const emulator = await startEmulator({
    seed: generateSeed({ count: rows, accountId: ACCOUNT, random: 42 }),
    ...(quota ? { faults: { quotas: { UpdateProvisionedProductProperties: { ratePerSecond: quota, burst: Math.max(1, Math.ceil(quota / 5)) } } } } : {}),
  });
  try {
    const input = join(dir, 'rows.csv');
    const lines = ['provisioned_product_id,new_owner,launch_role', ...emulator.state.products().map((p) => `${p.id},${NEW_OWNER},`)];
    await writeFile(input, `${lines.join('\n')}\n`);
    const m = await measureCli(['run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--log-level', 'warn', ...cliArgs], dir, emulator.endpoint);
    const updates = emulator.state.calls().filter((c) => c.operation === 'UpdateProvisionedProductProperties');
    const throttled = updates.filter((c) => c.outcome === 'ThrottlingException').length;
    const applied = emulator.state.products().filter((p) => p.owner === NEW_OWNER).length;
    console.log(JSON.stringify({
      scenario: name, rows, quotaPerSecond: quota ?? null, args: cliArgs.join(' '), exitCode: m.exitCode, applied,
      seconds: round(m.seconds), rowsPerSecond: round(rows / m.seconds), calls: updates.length,
      throttledShare: round(updates.length ? throttled / updates.length : 0, 3), peakRssMiB: round(m.peakRssMiB),
    }));
    if (applied !== rows) console.log(`  !! only ${applied} of ${rows} products reached the target owner`);
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function bareSdkLoop(rows: number): Promise<void> {
  const emulator: RunningEmulator = await startEmulator({ seed: generateSeed({ count: rows, accountId: ACCOUNT, random: 42 }) });
  const client = new ServiceCatalogClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } });
  const started = performance.now();
  for (const p of emulator.state.products()) {
    await client.send(new UpdateProvisionedProductPropertiesCommand({ ProvisionedProductId: p.id, ProvisionedProductProperties: { OWNER: NEW_OWNER } }));
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ scenario: 'bare SDK loop (sequential, SDK retries, random tokens, no checkpoint)', rows, seconds: round(seconds), rowsPerSecond: round(rows / seconds) }));
  client.destroy();
  await emulator.close();
}

async function awsCliLoop(rows: number): Promise<void> {
  if (spawnSync('aws', ['--version'], { env: ENV }).status !== 0) {
    console.log(JSON.stringify({ scenario: 'AWS CLI loop', skipped: 'aws not on PATH' }));
    return;
  }
  const emulator = await startEmulator({ seed: generateSeed({ count: rows, accountId: ACCOUNT, random: 42 }) });
  const started = performance.now();
  for (const p of emulator.state.products()) {
    await new Promise<void>((resolve) => {
      spawn('aws', ['servicecatalog', 'update-provisioned-product-properties', '--provisioned-product-id', p.id,
        '--provisioned-product-properties', `OWNER=${NEW_OWNER}`, '--endpoint-url', emulator.endpoint, '--region', 'us-east-1'],
      { env: ENV, stdio: 'ignore' }).on('exit', () => resolve());
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const applied = emulator.state.products().filter((p) => p.owner === NEW_OWNER).length;
  console.log(JSON.stringify({ scenario: 'AWS CLI shell loop', rows, applied, seconds: round(seconds), rowsPerSecond: round(rows / seconds) }));
  await emulator.close();
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    quota: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    rate: { type: 'string', default: '1000' },
    compare: { type: 'boolean', default: false },
    /** More `run` flags for the custom scenario, e.g. '--no-preflight --no-wait' to compare like with like. */
    'cli-args': { type: 'string', default: '' },
    suite: { type: 'boolean', default: false },
  },
});

if (values.suite || values.rows === undefined) {
  // The standard set, as quoted in the README.
  await scenario('quota 20/s, --rate 50 (adapts below the quota)', 1000, 20, ['--concurrency', '8', '--rate', '50']);
  await scenario('no quota, concurrency 16', 10_000, undefined, ['--concurrency', '16', '--rate', '1000']);
  await scenario('memory, 100k rows, no quota', 100_000, undefined, ['--concurrency', '16', '--rate', '1000']);
  await bareSdkLoop(2000);
  await awsCliLoop(20);
} else {
  const rows = Number(values.rows);
  const quota = values.quota ? Number(values.quota) : undefined;
  const extra = values['cli-args']!.split(' ').filter(Boolean);
  await scenario(`custom`, rows, quota, ['--concurrency', values.concurrency!, '--rate', values.rate!, ...extra]);
  if (values.compare) {
    await bareSdkLoop(Math.min(rows, 2000));
    await awsCliLoop(Math.min(rows, 20));
  }
}

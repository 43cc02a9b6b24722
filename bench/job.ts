/** One benchmark run of the compiled CLI (`run`) against an emulator process, as an operator runs it. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, type EmulatorProcess } from './emulator-process.js';
import { measureProcess, type ProcessMeasure } from './measure.js';

export const ACCOUNT = '123456789012';
export const NEW_OWNER = `arn:aws:iam::${ACCOUNT}:user/bench-owner`;

/** Credentials and endpoints of every process the benchmark starts: the emulator, never AWS. */
export function benchEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: endpoint,
    AWS_ENDPOINT_URL_IAM: endpoint,
  };
}

/** Writes the input CSV: every product to NEW_OWNER. */
export async function writeInput(dir: string, ids: readonly string[]): Promise<string> {
  const input = join(dir, 'rows.csv');
  await writeFile(input, `provisioned_product_id,new_owner,launch_role\n${ids.map((id) => `${id},${NEW_OWNER},\n`).join('')}`);
  return input;
}

export interface JobMeasure extends ProcessMeasure {
  /** The run's --summary-json. */
  readonly summary: { readonly exitCode: number; readonly limiterRate?: number; readonly counts: Record<string, number> };
}

/** Runs `sc-owner-transfer run` on every product of the emulator, in a fresh folder. */
export async function runJob(emulator: EmulatorProcess, args: readonly string[], ids?: readonly string[]): Promise<JobMeasure> {
  const dir = await mkdtemp(join(tmpdir(), 'sot-bench-'));
  try {
    return await runJobOn(emulator, await writeInput(dir, ids ?? (await emulator.productIds())), dir, args);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `sc-owner-transfer run` on `input`, in `dir`. */
export async function runJobOn(emulator: EmulatorProcess, input: string, dir: string, args: readonly string[]): Promise<JobMeasure> {
  const summaryPath = join(dir, 'summary.json');
  const measure = await measureProcess(
    process.execPath,
    [
      CLI,
      'run',
      '--input',
      input,
      '--endpoint-url',
      emulator.endpoint,
      '--yes',
      '--no-progress',
      '--log-level',
      'error',
      '--summary-json',
      summaryPath,
      ...args,
    ],
    { cwd: dir, env: benchEnv(emulator.endpoint) },
  );
  return { ...measure, summary: JSON.parse(await readFile(summaryPath, 'utf8')) as JobMeasure['summary'] };
}

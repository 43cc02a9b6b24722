/**
 * Runs the compiled CLI (dist/src/cli.js, built by `npm test` before vitest starts) as a real
 * child process, the way an operator or cron does, with AWS settings pointed at an emulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../../dist/src/cli.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnedCli {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  /** Resolves when stderr or stdout has contained `text`. */
  waitForOutput(text: string): Promise<void>;
}

/** Environment that makes the SDK use static test credentials and never look at ~/.aws or IMDS. */
export function awsTestEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'AKIDTESTEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    ...overrides,
  };
}

/**
 * The local Service Catalog also answers STS and IAM: a run pointed at it with `--endpoint-url`
 * reaches them there too (as an operator's rehearsal sets AWS_ENDPOINT_URL_STS / _IAM), never the
 * real services, unless the test set its own.
 */
function withIdentityEndpoints(args: readonly string[], env: Record<string, string>): Record<string, string> {
  const at = args.indexOf('--endpoint-url');
  const endpoint = at >= 0 ? args[at + 1] : undefined;
  if (endpoint === undefined) return env;
  return { AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_IAM: endpoint, ...env };
}

export function spawnCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): SpawnedCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    env: withIdentityEndpoints(args, options.env ?? awsTestEnv()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (stdout.includes(waiter.text) || stderr.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    result,
    waitForOutput: (text) =>
      new Promise<void>((resolve) => {
        waiters.push({ text, resolve });
        check();
      }),
  };
}

export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return spawnCli(args, options).result;
}

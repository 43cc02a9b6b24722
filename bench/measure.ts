/**
 * Runs a child process and measures it as a whole: wall time, peak RSS (VmHWM from /proc) and, for
 * a Node.js child, the CPU it used itself (user + system, from its own `process.resourceUsage()`
 * at exit, written by a `--require` hook: exact, and none of the emulator's or this process's).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessMeasure {
  readonly seconds: number;
  readonly peakRssMiB: number;
  /** The child's own user + system CPU seconds; null when it wrote none (not Node.js, or killed). */
  readonly cpuSeconds: number | null;
  readonly exitCode: number | null;
  readonly stdout: string;
}

export async function measureProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcessMeasure> {
  const hookDir = await mkdtemp(join(tmpdir(), 'sot-rusage-'));
  const hook = join(hookDir, 'rusage-hook.cjs');
  const usageFile = join(hookDir, 'usage.json');
  await writeFile(
    hook,
    `process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(${JSON.stringify(usageFile)}, JSON.stringify({ user: u.userCPUTime, system: u.systemCPUTime })); });\n`,
  );
  const env = options.env ?? process.env;
  const nodeOptions = [env.NODE_OPTIONS, `--require ${hook}`].filter(Boolean).join(' ');
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: { ...env, NODE_OPTIONS: nodeOptions }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-4000)));
  let peakKiB = 0;
  // VmHWM is the kernel's own high-water mark, so sampling late still sees the peak.
  const sample = async () => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
  };
  const timer = setInterval(() => void sample(), 100);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearInterval(timer);
  if (exitCode !== 0 && stderr)
    process.stderr.write(`  (${command} ${args[1] ?? ''} exited ${String(exitCode)}: ${stderr.trim().split('\n').slice(-3).join(' | ')})\n`);
  const seconds = (performance.now() - started) / 1000;
  const usage = await readFile(usageFile, 'utf8').then(
    (text) => JSON.parse(text) as { user: number; system: number },
    () => undefined,
  );
  await rm(hookDir, { recursive: true, force: true });
  return { seconds, peakRssMiB: peakKiB / 1024, cpuSeconds: usage === undefined ? null : (usage.user + usage.system) / 1e6, exitCode, stdout };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

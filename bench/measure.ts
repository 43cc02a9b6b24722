/** Runs a child process and measures it as a whole: wall time and peak RSS (VmHWM from /proc). */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ProcessMeasure {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number | null;
  readonly stdout: string;
}

export async function measureProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcessMeasure> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  return { seconds: (performance.now() - started) / 1000, peakRssMiB: peakKiB / 1024, exitCode, stdout };
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

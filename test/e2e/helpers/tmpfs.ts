/**
 * A small tmpfs, for the tests that need a real full disk or a real read-only folder. Mounting
 * needs root (or CAP_SYS_ADMIN) on Linux; elsewhere `mountTmpfs` returns undefined and the test
 * reports itself skipped. The same code paths are covered everywhere by unit tests with an
 * injected error (test/unit/report/output-paths.test.ts, test/unit/commands/local-write.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export interface Tmpfs {
  readonly dir: string;
  /** Changes the size (KiB) or mode of the mounted file system in place, keeping its files. */
  remount(options: string): void;
  unmount(): void;
}

export function mountTmpfs(dir: string, options: string): Tmpfs | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return {
    dir,
    remount: (more) => execFileSync('mount', ['-o', `remount,${more}`, dir], { stdio: 'ignore' }),
    unmount: () => execFileSync('umount', [dir], { stdio: 'ignore' }),
  };
}

/** Whether this machine can mount a tmpfs (checked once, with a throwaway mount). */
export function canMountTmpfs(probeDir: string): boolean {
  const fs = mountTmpfs(probeDir, 'size=4k');
  fs?.unmount();
  return fs !== undefined;
}

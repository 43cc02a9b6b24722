/**
 * FIFOs, character devices and sockets for the tests that prove no command writes over them.
 * Every one is made inside the test's own temporary folder: a test never targets a path under
 * /dev, so a broken check replaces a throwaway node, never a system file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeFifo(path: string): void {
  execFileSync('mkfifo', [path], { stdio: 'ignore' });
}

/** A character device 1,3 (what /dev/null is), made with mknod; needs root or CAP_MKNOD. */
export function makeCharacterDevice(path: string): void {
  execFileSync('mknod', [path, 'c', '1', '3'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Whether this machine lets the tests make a character device, tried once in a throwaway folder:
 * `undefined` when it can, else why not (shown in the name of the test that is skipped).
 */
export function characterDeviceUnsupported(): string | undefined {
  if (process.platform !== 'linux') return `mknod of a character device is only tried on Linux, not ${process.platform}`;
  const dir = mkdtempSync(join(tmpdir(), 'sot-mknod-probe-'));
  try {
    makeCharacterDevice(join(dir, 'null'));
    return statSync(join(dir, 'null')).isCharacterDevice() ? undefined : 'mknod made something other than a character device';
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `mknod failed (no CAP_MKNOD?): ${stderr || (error as Error).message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A listening Unix socket at `path`; close it to remove it. */
export async function makeSocket(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return server;
}

/** What is at `path` now: `fifo`, `character-device`, `socket`, `directory`, `file`, or `missing`. */
export function kindAt(path: string): string {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 'missing';
  }
  if (stats.isFIFO()) return 'fifo';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isSocket()) return 'socket';
  if (stats.isDirectory()) return 'directory';
  return stats.isFile() ? 'file' : 'other';
}

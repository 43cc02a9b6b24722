/** `npm run demo` is the README's first command: it must work, and show what it says it shows. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

const DEMO = fileURLToPath(new URL('../../dist/src/demo.js', import.meta.url));
let ws: Workspace;

beforeEach(async () => {
  ws = await createWorkspace('sot-demo-');
});
afterEach(async () => {
  await ws.remove();
});

it('runs the sample offboarding twice on the embedded Service Catalog; the rerun sends nothing', async () => {
  const child = spawn(process.execPath, [DEMO], { cwd: ws.dir, env: { PATH: process.env.PATH ?? '', HOME: ws.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  expect(stdout).toContain('Service Catalog requests sent by run 2: 0');
  expect(stdout).toMatch(/1 applied but answer lost \(resent with the same token\)/);
  const results = await ws.readResults('.demo/offboard-alice.csv.results.csv');
  expect(results).toHaveLength(7);
  expect(results.every((r) => r.outcome === 'skipped')).toBe(true);
  expect(results.find((r) => r.line === '8')!.reason).toBe('duplicate-of-line-3');
  expect(results.find((r) => r.line === '2')!.ticket).toContain('OFFBOARD-1042');
});

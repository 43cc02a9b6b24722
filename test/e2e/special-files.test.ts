/**
 * Through the CLI: no command writes over what is not a regular file (a FIFO, a character device,
 * a socket, a directory), `--force` included, and a missing or directory input file is exit 2
 * with a message naming the flag and the path, before any request. Every FIFO and device is made
 * in the test's own folder (never a path under /dev): if the check broke, a throwaway node would
 * be replaced, not a system file.
 */
import { statSync, writeFileSync, mkdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { characterDeviceUnsupported, kindAt, makeCharacterDevice, makeFifo } from '../helpers/special-files.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { createWorkspace, transferRows, CSV_HEADER, type Workspace } from './helpers/workspace.js';

const A = '123456789012';
const ALICE = `arn:aws:iam::${A}:user/alice`;
const ZOE = `arn:aws:iam::${A}:user/zoe`;

/** Tried once before the tests: why a character device cannot be made here, or undefined. */
const noDevice = characterDeviceUnsupported();

let emulator: RunningEmulator;
let ws: Workspace;

beforeEach(async () => {
  emulator = await startEmulator({ seed: generateSeed({ count: 20, accountId: A, owners: [ALICE], random: 5 }) });
  ws = await createWorkspace('sot-special-');
});

afterEach(async () => {
  await emulator.close();
  await ws.remove();
});

const cli = (...args: string[]) => runCli(args, { cwd: ws.dir });
const plan = (...flags: string[]) => cli('plan', '--endpoint-url', emulator.endpoint, '--from-owner', ALICE, '--to-owner', ZOE, ...flags);

/** Refused as bad usage: exit 2, one message, no stack, and not a single request sent. */
function expectRefused(result: CliResult, message: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('unexpected error');
  expect(emulator.state.calls()).toHaveLength(0);
}

describe('plan --out that is not a regular file', () => {
  it.each([[[]], [['--force']]])('a FIFO, with %j: exit 2, nothing sent, the FIFO left as it is', async (force) => {
    const out = ws.path('plan.fifo');
    makeFifo(out);
    const before = statSync(out);
    expectRefused(await plan('--out', out, ...force), `--out '${out}': is a FIFO (named pipe), not a regular file`);
    expect(kindAt(out)).toBe('fifo');
    expect(statSync(out).ino).toBe(before.ino);
  });

  it.skipIf(noDevice !== undefined)(
    `a character device, --force included: exit 2, the device left as it is${noDevice === undefined ? '' : ` (skipped: ${noDevice})`}`,
    async () => {
      // Made here with mknod (what /dev/null is, 1,3), never /dev/null itself.
      const out = ws.path('null');
      makeCharacterDevice(out);
      const before = statSync(out);
      expectRefused(await plan('--out', out, '--force'), `--out '${out}': is a character device, not a regular file`);
      const after = statSync(out);
      expect(kindAt(out)).toBe('character-device');
      expect([after.ino, after.rdev]).toEqual([before.ino, before.rdev]);
    },
  );

  it('a directory, --force included: exit 2', async () => {
    mkdirSync(ws.path('plans'));
    expectRefused(await plan('--out', 'plans', '--force'), `--out '${ws.path('plans')}': is a directory`);
    expect(kindAt(ws.path('plans'))).toBe('directory');
  });

  it('a regular file is still replaced with --force (the check refuses only what is not a file)', async () => {
    writeFileSync(ws.path('plan.csv'), 'old\n');
    const result = await plan('--out', 'plan.csv', '--force');
    expect(result.code, result.stderr).toBe(0);
    expect(kindAt(ws.path('plan.csv'))).toBe('file');
  });
});

describe('other commands never write over a FIFO either', () => {
  it('run --summary-json and --results on a FIFO: exit 2, nothing sent', async () => {
    const input = await ws.writeCsv('in.csv', CSV_HEADER, transferRows(emulator.state.products().slice(0, 2), ZOE));
    makeFifo(ws.path('fifo'));
    for (const flag of ['--summary-json', '--results']) {
      const result = await cli('run', '--input', input, '--endpoint-url', emulator.endpoint, '--no-progress', '--yes', flag, 'fifo');
      expectRefused(result, `${flag} '${ws.path('fifo')}': is a FIFO (named pipe), not a regular file`);
      expect(kindAt(ws.path('fifo'))).toBe('fifo');
    }
  });

  it('undo --out on a FIFO: exit 2, the FIFO left as it is', async () => {
    writeFileSync(ws.path('results.csv'), 'line,provisioned_product_id,new_owner,launch_role,outcome,reason,previous_owner,previous_launch_role\n');
    makeFifo(ws.path('fifo'));
    const result = await cli('undo', '--results', 'results.csv', '--out', 'fifo');
    expect(result.code, result.stderr).toBe(2);
    expect(kindAt(ws.path('fifo'))).toBe('fifo');
  });
});

describe('input files that are missing or directories: exit 2 naming the flag', () => {
  beforeEach(() => mkdirSync(ws.path('folder')));

  it.each([
    ['missing', 'nope.csv', 'does not exist'],
    ['a directory', 'folder', 'is a directory'],
  ])('plan --owner-map %s', async (_what, path, why) => {
    expectRefused(await cli('plan', '--endpoint-url', emulator.endpoint, '--owner-map', path, '--out', 'plan.csv'), `--owner-map '${ws.path(path)}': ${why}`);
    expect(kindAt(ws.path('plan.csv'))).toBe('missing');
  });

  it.each([
    ['missing', 'nope.csv', 'does not exist'],
    ['a directory', 'folder', 'is a directory'],
  ])('plan --launch-role-map and --accounts %s', async (_what, path, why) => {
    expectRefused(
      await cli('plan', '--endpoint-url', emulator.endpoint, '--launch-role-map', path, '--out', 'plan.csv'),
      `--launch-role-map '${ws.path(path)}': ${why}`,
    );
    expectRefused(await plan('--accounts', path, '--out', 'plan.csv'), `--accounts '${ws.path(path)}': ${why}`);
    expect(kindAt(ws.path('plan.csv'))).toBe('missing');
  });

  it.each([
    ['missing', 'nope.checkpoint', 'does not exist'],
    ['a directory', 'folder', 'is a directory'],
  ])('status --checkpoint %s', async (_what, path, why) => {
    expectRefused(await cli('status', '--checkpoint', path), `--checkpoint '${ws.path(path)}': ${why}`);
  });

  it.each([
    ['missing', 'nope.json', 'does not exist'],
    ['a directory', 'folder', 'is a directory'],
  ])('emulator --seed %s', async (_what, path, why) => {
    const result = await cli('emulator', '--port', '0', '--seed', path);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`seed file '${ws.path(path)}': ${why}`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it.each([
    ['missing', 'nope.csv', 'not found'],
    ['a directory', 'folder', 'is a directory'],
  ])('run --input %s', async (_what, path, why) => {
    expectRefused(await cli('run', '--input', path, '--endpoint-url', emulator.endpoint, '--no-progress'), why);
  });
});

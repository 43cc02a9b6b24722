/**
 * No command writes over what is not a regular file: the up-front check (output-paths.ts) names
 * the flag, the path and what it is, and writeFileAtomic itself refuses to rename over a FIFO, a
 * device, a socket or a directory. Input files that are missing, directories or unreadable are
 * named too. Every special file is made in this test's own folder, never under /dev.
 */
import type { Server } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertReplaceable, NotRegularFileError, writeFileAtomic } from '../../../src/report/atomic-file.js';
import { writeSummaryJson } from '../../../src/report/summary.js';
import { checkRunFiles, fileKindText, findUnreadable, nodePathProbe, type FileUse, type PathProbe } from '../../../src/report/output-paths.js';
import { LocalFileError } from '../../../src/local-file-error.js';
import { characterDeviceUnsupported, kindAt, makeCharacterDevice, makeFifo, makeSocket } from '../../helpers/special-files.js';
import { makeSummary } from './fixtures.js';

/** Computed before any test, so a machine without CAP_MKNOD shows why those cases are skipped. */
const noDevice = characterDeviceUnsupported();
const deviceCase = (name: string) => (noDevice === undefined ? name : `${name} (skipped: ${noDevice})`);

let dir: string;
let servers: Server[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sot-special-'));
  servers = [];
});
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  rmSync(dir, { recursive: true, force: true });
});

const fifo = () => {
  const path = join(dir, 'fifo');
  makeFifo(path);
  return path;
};
const device = () => {
  const path = join(dir, 'null');
  makeCharacterDevice(path);
  return path;
};
const socket = async () => {
  const path = join(dir, 'sock');
  servers.push(await makeSocket(path));
  return path;
};
/** The folder's entries apart from the special file: a temp file left behind would show here. */
const leftovers = (except: string) => readdirSync(dir).filter((name) => join(dir, name) !== except);

describe('fileKindText', () => {
  it('names each kind as stat does', async () => {
    writeFileSync(join(dir, 'f'), '');
    mkdirSync(join(dir, 'd'));
    expect(fileKindText(statSync(join(dir, 'f')))).toBe('a regular file');
    expect(fileKindText(statSync(join(dir, 'd')))).toBe('a directory');
    expect(fileKindText(statSync(fifo()))).toBe('a FIFO (named pipe)');
    expect(fileKindText(statSync(await socket()))).toBe('a socket');
  });

  it.skipIf(noDevice !== undefined)(deviceCase('names a character device'), () => {
    expect(fileKindText(statSync(device()))).toBe('a character device');
  });
});

describe('the up-front check of a file to write', () => {
  const check = (flag: string, path: string, use: FileUse) => checkRunFiles([{ flag, path, use }]);

  it.each([['replace'], ['create'], ['journal']] as const)('refuses a FIFO to %s, naming the flag, the path and what it is', async (use) => {
    const path = fifo();
    const problem = await check('--out', path, use);
    expect(problem?.flags).toEqual(['--out']);
    expect(problem?.message).toMatch(new RegExp(`^--out '${path}': is a FIFO \\(named pipe\\), not a regular file[,.]`));
    expect(problem?.message).toMatch(/Nothing was sent or written\.$/);
  });

  it('says a file renamed over is never replaced', async () => {
    const path = fifo();
    expect((await check('--out', path, 'replace'))?.message).toBe(
      `--out '${path}': is a FIFO (named pipe), not a regular file, and is never replaced. Nothing was sent or written.`,
    );
  });

  it('refuses a socket, and a symbolic link to a FIFO (judged through the link)', async () => {
    const sock = await socket();
    expect((await check('--summary-json', sock, 'replace'))?.message).toContain(`--summary-json '${sock}': is a socket, not a regular file`);
    symlinkSync(fifo(), join(dir, 'link'));
    expect((await check('--out', join(dir, 'link'), 'replace'))?.message).toContain('is a FIFO (named pipe), not a regular file');
  });

  it.skipIf(noDevice !== undefined)(deviceCase('refuses a character device to replace, and lets a log go to it'), async () => {
    const path = device();
    expect((await check('--out', path, 'replace'))?.message).toBe(
      `--out '${path}': is a character device, not a regular file, and is never replaced. Nothing was sent or written.`,
    );
    expect(await check('--log-file', path, 'append')).toBeUndefined();
    expect(kindAt(path)).toBe('character-device');
  });

  it('lets a log go to a pipe, never to a socket or a directory', async () => {
    expect(await check('--log-file', fifo(), 'append')).toBeUndefined();
    const sock = await socket();
    expect((await check('--log-file', sock, 'append'))?.message).toBe(
      `--log-file '${sock}': is a socket: a log goes to a regular file, a pipe or a terminal. Nothing was sent or written.`,
    );
    mkdirSync(join(dir, 'd'));
    expect((await check('--log-file', join(dir, 'd'), 'append'))?.message).toBe(`--log-file '${join(dir, 'd')}': is a directory. Nothing was sent or written.`);
  });

  it('accepts a regular file and a path still to be made', async () => {
    writeFileSync(join(dir, 'plan.csv'), 'old');
    expect(await check('--out', join(dir, 'plan.csv'), 'replace')).toBeUndefined();
    expect(await check('--out', join(dir, 'new', 'plan.csv'), 'replace')).toBeUndefined();
  });
});

describe('the up-front check of a file to read', () => {
  const read = (path: string, probe?: PathProbe) => findUnreadable([{ flag: '--owner-map', path, use: 'read' }], probe);

  it('names a missing file, a directory, and a path through a file', async () => {
    expect((await read(join(dir, 'nope.csv')))?.message).toBe(`--owner-map '${join(dir, 'nope.csv')}': does not exist. Nothing was sent or written.`);
    mkdirSync(join(dir, 'd'));
    expect((await read(join(dir, 'd')))?.message).toBe(`--owner-map '${join(dir, 'd')}': is a directory. Nothing was sent or written.`);
    writeFileSync(join(dir, 'f'), '');
    expect((await read(join(dir, 'f', 'x.csv')))?.message).toContain('does not exist (a part of its path is a file, not a folder)');
  });

  it('names a file the system will not let it read (EACCES, as non-root meets it)', async () => {
    writeFileSync(join(dir, 'secret.csv'), 'x');
    const probe: PathProbe = {
      ...nodePathProbe,
      access: async (path, mode) => {
        if (path.endsWith('secret.csv')) throw Object.assign(new Error(`EACCES: permission denied, access '${path}'`), { code: 'EACCES' });
        return nodePathProbe.access(path, mode);
      },
    };
    const problem = await read(join(dir, 'secret.csv'), probe);
    expect(problem).toEqual({
      flags: ['--owner-map'],
      message: `--owner-map '${join(dir, 'secret.csv')}': cannot be read: permission denied (EACCES). Nothing was sent or written.`,
    });
  });

  it('accepts a regular file and a pipe (`--owner-map <(...)`), and skips files that are written', async () => {
    writeFileSync(join(dir, 'map.csv'), 'x');
    expect(await read(join(dir, 'map.csv'))).toBeUndefined();
    expect(await read(fifo())).toBeUndefined();
    expect(await findUnreadable([{ flag: '--out', path: join(dir, 'nope.csv'), use: 'replace' }])).toBeUndefined();
  });
});

describe('writeFileAtomic right before the rename', () => {
  it('refuses a FIFO: it stays a FIFO, and no temp file is left', async () => {
    const path = fifo();
    const error = await writeFileAtomic(path, 'plan\n').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotRegularFileError);
    expect(error).toMatchObject({ code: 'NOT_REGULAR_FILE', path, kind: 'a FIFO (named pipe)' });
    expect(kindAt(path)).toBe('fifo');
    expect(leftovers(path)).toEqual([]);
  });

  it.skipIf(noDevice !== undefined)(deviceCase('refuses a character device: it stays the same device'), async () => {
    const path = device();
    const before = statSync(path);
    await expect(writeFileAtomic(path, 'plan\n')).rejects.toMatchObject({ code: 'NOT_REGULAR_FILE', kind: 'a character device' });
    const after = statSync(path);
    expect(after.isCharacterDevice()).toBe(true);
    expect([after.ino, after.rdev]).toEqual([before.ino, before.rdev]);
    expect(leftovers(path)).toEqual([]);
  });

  it('refuses a socket and a directory, and a symbolic link to a FIFO', async () => {
    const sock = await socket();
    await expect(writeFileAtomic(sock, 'x')).rejects.toMatchObject({ code: 'NOT_REGULAR_FILE', kind: 'a socket' });
    expect(kindAt(sock)).toBe('socket');
    mkdirSync(join(dir, 'd'));
    await expect(writeFileAtomic(join(dir, 'd'), 'x')).rejects.toMatchObject({ code: 'NOT_REGULAR_FILE', kind: 'a directory' });
    symlinkSync(fifo(), join(dir, 'link'));
    await expect(writeFileAtomic(join(dir, 'link'), 'x')).rejects.toMatchObject({ code: 'NOT_REGULAR_FILE', kind: 'a FIFO (named pipe)' });
    expect(kindAt(join(dir, 'fifo'))).toBe('fifo');
  });

  it('still writes a new file and replaces a regular one', async () => {
    await writeFileAtomic(join(dir, 'a', 'new.csv'), 'one\n');
    expect(readFileSync(join(dir, 'a', 'new.csv'), 'utf8')).toBe('one\n');
    await writeFileAtomic(join(dir, 'a', 'new.csv'), 'two\n');
    expect(readFileSync(join(dir, 'a', 'new.csv'), 'utf8')).toBe('two\n');
    await expect(assertReplaceable(join(dir, 'missing'))).resolves.toBeUndefined();
  });

  it('a summary JSON over a FIFO is a LocalFileError naming the file (exit 5 mid-run)', async () => {
    const path = fifo();
    const error = await writeSummaryJson(path, makeSummary()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LocalFileError);
    expect((error as LocalFileError).message).toBe(
      `cannot write the summary JSON '${path}': the target is a FIFO (named pipe), not a regular file, and was left as it is`,
    );
    expect(kindAt(path)).toBe('fifo');
  });
});

/** The run's files: no two flags may name one file, and every written file must be writable where it is. */
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeFolder } from '../../../src/report/atomic-file.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRunFiles, nodePathProbe, type PathProbe, type RunFile } from '../../../src/report/output-paths.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sot-paths-'));
  writeFileSync(join(dir, 'in.csv'), 'provisioned_product_id,new_owner,launch_role\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The files of a run with the default names, plus any overrides. */
function files(extra: RunFile[] = [], results = join(dir, 'in.csv.results.csv')): RunFile[] {
  const checkpoint = join(dir, 'in.csv.checkpoint');
  return [
    { flag: '--input', path: join(dir, 'in.csv'), use: 'read' },
    { flag: '--results', path: results, use: 'replace' },
    { flag: '--results', derived: 'the temporary file of --results', path: `${results}.partial`, use: 'create' },
    { flag: '--checkpoint', path: checkpoint, use: 'journal' },
    { flag: '--checkpoint', derived: 'the lock of --checkpoint', path: `${checkpoint}.lock`, use: 'create' },
    ...extra,
  ];
}

describe('two flags naming one file', () => {
  it('accepts distinct files', async () => {
    expect(await checkRunFiles(files([{ flag: '--summary-json', path: join(dir, 's.json'), use: 'replace' }]))).toBeUndefined();
  });

  it('refuses --summary-json naming the checkpoint, and names both flags', async () => {
    const problem = await checkRunFiles(files([{ flag: '--summary-json', path: join(dir, 'in.csv.checkpoint'), use: 'replace' }]));
    expect(problem?.flags).toEqual(['--checkpoint', '--summary-json']);
    expect(problem?.message).toContain(`--checkpoint and --summary-json name the same file: '${join(dir, 'in.csv.checkpoint')}'`);
  });

  it('refuses --log-file naming the input through a symbolic link', async () => {
    symlinkSync(join(dir, 'in.csv'), join(dir, 'log-link'));
    const problem = await checkRunFiles(files([{ flag: '--log-file', path: join(dir, 'log-link'), use: 'append' }]));
    expect(problem?.flags).toEqual(['--input', '--log-file']);
    expect(problem?.message).toContain('the same file once links are resolved');
  });

  it('refuses a hard link of the input as --summary-json', async () => {
    linkSync(join(dir, 'in.csv'), join(dir, 'hard.json'));
    const problem = await checkRunFiles(files([{ flag: '--summary-json', path: join(dir, 'hard.json'), use: 'replace' }]));
    expect(problem?.flags).toEqual(['--input', '--summary-json']);
  });

  it('refuses a folder link that makes a new file the same as another', async () => {
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'alias'));
    const problem = await checkRunFiles(
      files([
        { flag: '--summary-json', path: join(dir, 'real', 's.json'), use: 'replace' },
        { flag: '--log-file', path: join(dir, 'alias', 's.json'), use: 'append' },
      ]),
    );
    expect(problem?.flags).toEqual(['--summary-json', '--log-file']);
  });

  it("refuses a file that is another's temporary file, naming it", async () => {
    const problem = await checkRunFiles(files([{ flag: '--summary-json', path: join(dir, 'in.csv.results.csv.partial'), use: 'replace' }]));
    expect(problem?.message).toMatch(/^the temporary file of --results and --summary-json name the same file/);
    expect(problem?.flags).toEqual(['--results', '--summary-json']);
  });

  it('refuses --results naming the input', async () => {
    const problem = await checkRunFiles(files([], join(dir, 'in.csv')));
    expect(problem?.flags).toEqual(['--input', '--results']);
  });
});

describe('where the written files go', () => {
  it('accepts folders still to be made under a writable one', async () => {
    expect(await checkRunFiles(files([{ flag: '--summary-json', path: join(dir, 'a', 'b', 's.json'), use: 'replace' }]))).toBeUndefined();
  });

  it('refuses a results path that is a directory', async () => {
    mkdirSync(join(dir, 'out'));
    const problem = await checkRunFiles(files([], join(dir, 'out')));
    expect(problem).toEqual({ flags: ['--results'], message: `--results '${join(dir, 'out')}': is a directory. Nothing was sent or written.` });
  });

  it('refuses a summary path under a regular file', async () => {
    const problem = await checkRunFiles(files([{ flag: '--summary-json', path: join(dir, 'in.csv', 's.json'), use: 'replace' }]));
    expect(problem?.message).toBe(
      `--summary-json '${join(dir, 'in.csv', 's.json')}': '${join(dir, 'in.csv')}' is not a directory. Nothing was sent or written.`,
    );
  });

  it('refuses to rename over a device, but lets the log go to one', async () => {
    // Only stat()ed: nothing is written here (the writing tests use a device of their own folder).
    const problem = await checkRunFiles(files([{ flag: '--summary-json', path: '/dev/null', use: 'replace' }]));
    expect(problem?.message).toBe("--summary-json '/dev/null': is a character device, not a regular file, and is never replaced. Nothing was sent or written.");
    expect(await checkRunFiles(files([{ flag: '--log-file', path: '/dev/null', use: 'append' }]))).toBeUndefined();
  });

  it.each([
    ['EACCES', 'permission denied'],
    ['EROFS', 'read-only file system'],
  ])('refuses a folder the system answers %s for (as non-root would meet it)', async (code, text) => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const probe: PathProbe = {
      ...nodePathProbe,
      access: async (path, mode) => {
        if (path === ro) throw Object.assign(new Error(`${code}: ${text}, access '${path}'`), { code });
        return nodePathProbe.access(path, mode);
      },
    };
    const problem = await checkRunFiles(files([], join(ro, 'out.csv')), probe);
    expect(problem).toEqual({
      flags: ['--results'],
      message: `--results '${join(ro, 'out.csv')}': cannot write in '${ro}': ${text} (${code}). Nothing was sent or written.`,
    });
  });

  it('refuses an existing log or checkpoint it cannot append to', async () => {
    writeFileSync(join(dir, 'in.csv.checkpoint'), '');
    const probe: PathProbe = {
      ...nodePathProbe,
      access: async (path, mode) => {
        if (path.endsWith('.checkpoint')) throw Object.assign(new Error(`EACCES: permission denied, access '${path}'`), { code: 'EACCES' });
        return nodePathProbe.access(path, mode);
      },
    };
    const problem = await checkRunFiles(files(), probe);
    expect(problem?.message).toContain("': cannot be written: permission denied (EACCES). Nothing was sent or written.");
    expect(problem?.flags).toEqual(['--checkpoint']);
  });
});

describe('folders that cannot be made', () => {
  const onLinux = process.platform === 'linux';

  it.runIf(onLinux)('refuses a path under /proc (which root may "write") at once, naming the flag and the folder', async () => {
    const started = Date.now();
    const problem = await checkRunFiles(files([], '/proc/nope/x.csv'));
    expect(problem).toEqual({
      flags: ['--results'],
      message: "--results '/proc/nope/x.csv': '/proc' is on the proc file system, where no file or folder can be created. Nothing was sent or written.",
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await checkRunFiles(files([], '/proc/x.csv')))?.message).toContain("'/proc' is on the proc file system, where no file can be created");
    expect((await checkRunFiles(files([], '/sys/nope/x.csv')))?.message).toContain("'/sys' is on the sysfs file system");
  });

  it('refuses any pseudo file system, but lets a log append to a file or pipe that exists there', async () => {
    const probe: PathProbe = { ...nodePathProbe, fileSystemType: async () => 0x62656572 };
    expect((await checkRunFiles(files(), probe))?.message).toContain(`is on the sysfs file system`);
    writeFileSync(join(dir, 'log'), '');
    const log: RunFile = { flag: '--log-file', path: join(dir, 'log'), use: 'append' };
    expect(await checkRunFiles([log], probe)).toBeUndefined();
    expect((await checkRunFiles([{ ...log, path: join(dir, 'new.log') }], probe))?.flags).toEqual(['--log-file']);
  });

  it('refuses a folder to make through a symbolic link to nothing', async () => {
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
    const problem = await checkRunFiles(files([], join(dir, 'dangling', 'sub', 'r.csv')));
    expect(problem).toEqual({
      flags: ['--results'],
      message: `--results '${join(dir, 'dangling', 'sub', 'r.csv')}': '${join(dir, 'dangling')}' is a symbolic link to a path that does not exist, so no folder can be made there. Nothing was sent or written.`,
    });
  });

  it('accepts folders still to make on a real file system', async () => {
    expect(await checkRunFiles(files([], join(dir, 'new', 'deeper', 'r.csv')))).toBeUndefined();
  });
});

describe('makeFolder', () => {
  it('makes every missing folder, and accepts one that exists', async () => {
    await makeFolder(join(dir, 'a', 'b', 'c'));
    await makeFolder(join(dir, 'a', 'b', 'c'));
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
  });

  it('fails with ENOTDIR on a file in the way', async () => {
    await expect(makeFolder(join(dir, 'in.csv', 'x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it.runIf(process.platform === 'linux')('fails at once under /proc, where mkdir({recursive: true}) spins for ever', async () => {
    const started = Date.now();
    await expect(makeFolder('/proc/nope/deeper')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

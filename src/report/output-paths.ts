/**
 * The files a command touches (run's, plan's), checked before anything is written or sent: no two
 * of them may be the same file (after resolving relative paths, symbolic links and hard links),
 * and every file it writes must be a regular file (or not yet exist) and writable where it is. A typo such as `--summary-json in.csv.checkpoint` would
 * otherwise replace the journal after a successful run, and a results path that is a directory
 * would be found only at the final rename, after every product was updated.
 *
 * Nothing here writes: locations are judged with stat() and access(), which also see a read-only
 * file system (EROFS) for root. The files a command only reads are checked here too
 * (`findUnreadable`: missing, a directory, or unreadable). What can still fail late (a disk that
 * fills up, a FIFO made after the check) is the job of the write paths themselves (LocalFileError,
 * and writeFileAtomic's own check right before its rename).
 */
import { constants, promises as fsp, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode, readErrorText, systemErrorText } from '../errors.js';

/**
 * How a run uses a file:
 * - `read`: only read (the input).
 * - `replace`: written under another name, then renamed over this one (results, summary JSON).
 * - `create`: created or truncated in place (the results' `.partial`, the checkpoint's lock).
 * - `journal`: opened for appending, or created (the checkpoint).
 * - `append`: appended to; may be a terminal or a pipe (the log file).
 */
export type FileUse = 'read' | 'replace' | 'create' | 'journal' | 'append';

export interface RunFile {
  /** The flag that names the file, e.g. `--results`. */
  readonly flag: string;
  /** For a file derived from a flag's path: what it is, e.g. `the temporary file of --results`. */
  readonly derived?: string;
  /** Absolute path. */
  readonly path: string;
  readonly use: FileUse;
}

/** Why the files cannot be used; `flags` lists every flag involved (the summary JSON's is not written when its own is). */
export interface FileProblem {
  readonly flags: readonly string[];
  readonly message: string;
}

/** The file-system calls used, injectable so a test can answer EACCES or EROFS without being root. */
export interface PathProbe {
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  access(path: string, mode: number): Promise<void>;
  /** The entry itself, a symbolic link not followed (a dangling link in a missing folder's path). Absent: not looked at. */
  lstat?(path: string): Promise<Stats>;
  /** The file system's type (statfs's f_type), for a folder on a pseudo file system. Absent: not looked at. */
  fileSystemType?(path: string): Promise<number>;
}

export const nodePathProbe: PathProbe = {
  stat: (path) => fsp.stat(path),
  realpath: (path) => fsp.realpath(path),
  access: (path, mode) => fsp.access(path, mode),
  lstat: (path) => fsp.lstat(path),
  fileSystemType: async (path) => (await fsp.statfs(path)).type,
};

/**
 * Linux's pseudo file systems, by statfs magic number: the kernel's views (proc, sysfs, cgroup,
 * debugfs...), where no file can be created and a folder is never what it seems (in cgroup and
 * configfs a mkdir makes a kernel object). A root's access(W_OK) says yes to them all, and Node.js's
 * mkdir({recursive: true}) spins at full CPU for ever under /proc (the kernel answers ENOENT for
 * the child of a folder that exists, and Node.js takes that for a missing parent): they are refused
 * before anything is written.
 */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x1cd1, 'devpts'],
  [0x42494e4d, 'binfmt_misc'],
  [0x65735543, 'fusectl'],
  [0x6e736673, 'nsfs'],
]);

/** The first problem with the run's files (clashes first, then locations), or undefined. */
export async function checkRunFiles(files: readonly RunFile[], probe: PathProbe = nodePathProbe): Promise<FileProblem | undefined> {
  return (await findClash(files, probe)) ?? (await findUnwritable(files, probe));
}

/** What a file is to the user: `--results`, or `the temporary file of --results`. */
function describeFile(file: RunFile): string {
  return file.derived ?? file.flag;
}

/** Two entries naming one file, by resolved path or by device and inode (a hard link). */
export async function findClash(files: readonly RunFile[], probe: PathProbe = nodePathProbe): Promise<FileProblem | undefined> {
  const seen: Array<{ file: RunFile; identity: FileIdentity }> = [];
  for (const file of files) {
    const identity = await identify(file.path, probe);
    const twin = seen.find((other) => other.identity.real === identity.real || (identity.inode !== undefined && other.identity.inode === identity.inode));
    if (twin !== undefined) {
      const same = twin.file.path === file.path ? `'${file.path}'` : `'${twin.file.path}' and '${file.path}' (the same file once links are resolved)`;
      return {
        flags: [...new Set([twin.file.flag, file.flag])],
        message: `${describeFile(twin.file)} and ${describeFile(file)} name the same file: ${same}; one would overwrite the other. Give them different paths; nothing was sent or written.`,
      };
    }
    seen.push({ file, identity });
  }
  return undefined;
}

interface FileIdentity {
  /** The path with every symbolic link of its existing part resolved. */
  readonly real: string;
  /** `dev:ino` of an existing file, so two hard links of one file are one file. */
  readonly inode: string | undefined;
}

async function identify(path: string, probe: PathProbe): Promise<FileIdentity> {
  const real = await resolveExisting(path, probe);
  try {
    const stats = await probe.stat(path);
    return { real, inode: `${stats.dev}:${stats.ino}` };
  } catch {
    return { real, inode: undefined };
  }
}

/** realpath of the longest existing prefix, with the missing rest appended as written. */
async function resolveExisting(path: string, probe: PathProbe): Promise<string> {
  try {
    return await probe.realpath(path);
  } catch (error) {
    const parent = dirname(path);
    if (parent === path || errnoCode(error) !== 'ENOENT') return path;
    return join(await resolveExisting(parent, probe), basename(path));
  }
}

/** The first file the run would fail to write where it is. */
export async function findUnwritable(files: readonly RunFile[], probe: PathProbe = nodePathProbe): Promise<FileProblem | undefined> {
  for (const file of files) {
    if (file.use === 'read') continue;
    const problem = await locationProblem(file, probe);
    if (problem !== undefined) {
      return { flags: [file.flag], message: `${describeFile(file)} '${file.path}': ${problem}. Nothing was sent or written.` };
    }
  }
  return undefined;
}

async function locationProblem(file: RunFile, probe: PathProbe): Promise<string | undefined> {
  const stats = await statIfExists(file.path, probe);
  if (stats instanceof Error) return `cannot be checked: ${systemErrorText(stats)}`;
  const kind = stats === undefined ? undefined : kindProblem(file.use, stats);
  if (kind !== undefined) return kind;
  if (stats !== undefined && (file.use === 'journal' || file.use === 'append')) {
    const denied = await accessProblem(file.path, constants.W_OK, probe);
    if (denied !== undefined) return `cannot be written: ${denied}`;
  }
  // New names are made in the directory (a temp file renamed or linked into place): it must exist
  // or be creatable, and be writable.
  const dir = await nearestExisting(dirname(file.path), probe);
  if (dir instanceof Error) return `its folder cannot be checked: ${systemErrorText(dir)}`;
  if (dir.danglingLink !== undefined) return `'${dir.danglingLink}' is a symbolic link to a path that does not exist, so no folder can be made there`;
  if (!dir.stats.isDirectory()) return `'${dir.path}' is not a directory`;
  // A log appended to a pipe that exists (`/proc/self/fd/2`) makes no name in its folder.
  const makesNames = stats === undefined || file.use === 'replace' || file.use === 'create';
  const pseudo = makesNames ? await pseudoFileSystem(dir.path, probe) : undefined;
  if (pseudo !== undefined)
    return `'${dir.path}' is on the ${pseudo} file system, where no file ${dir.path === dirname(file.path) ? '' : 'or folder '}can be created`;
  const denied = await accessProblem(dir.path, constants.W_OK | constants.X_OK, probe);
  return denied === undefined ? undefined : `cannot write in '${dir.path}': ${denied}`;
}

/** The name of the pseudo file system `path` is on, or undefined (a real one, or not known: no statfs). */
async function pseudoFileSystem(path: string, probe: PathProbe): Promise<string | undefined> {
  if (probe.fileSystemType === undefined) return undefined;
  const type = await probe.fileSystemType(path).catch(() => undefined);
  return type === undefined ? undefined : PSEUDO_FILE_SYSTEMS.get(type);
}

/**
 * What an existing path is, when a command may not write it: anything renamed over, created or
 * journalled must be a regular file (a rename over a FIFO or a device node would replace it with a
 * plain file: as root, `--out /dev/null` breaks the machine). A log may also go to a pipe or a
 * terminal (`/dev/stderr`), never to a block device or a socket.
 */
function kindProblem(use: FileUse, stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'is a directory';
  if (use === 'replace') return `is ${fileKindText(stats)}, not a regular file, and is never replaced`;
  if (use !== 'append') return `is ${fileKindText(stats)}, not a regular file`;
  if (stats.isFIFO() || stats.isCharacterDevice()) return undefined;
  return `is ${fileKindText(stats)}: a log goes to a regular file, a pipe or a terminal`;
}

/** What a file system object is, in the words `stat` uses, for a message naming a path. */
export function fileKindText(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/**
 * The first input file that cannot be read: missing, a directory, or not readable. Checked before
 * anything is sent or written, so a command says which flag and why (exit 2) rather than failing
 * half-way or with a stack. A pipe or a terminal is accepted (`--owner-map <(...)`): a command that
 * reads a file twice (run's input) refuses those itself.
 */
export async function findUnreadable(files: readonly RunFile[], probe: PathProbe = nodePathProbe): Promise<FileProblem | undefined> {
  for (const file of files) {
    if (file.use !== 'read') continue;
    const problem = await readProblem(file.path, probe);
    if (problem !== undefined) {
      return { flags: [file.flag], message: `${describeFile(file)} '${file.path}': ${problem}. Nothing was sent or written.` };
    }
  }
  return undefined;
}

async function readProblem(path: string, probe: PathProbe): Promise<string | undefined> {
  let stats: Stats;
  try {
    stats = await probe.stat(path);
  } catch (error) {
    return readErrorText(error);
  }
  if (stats.isDirectory()) return 'is a directory';
  const denied = await accessProblem(path, constants.R_OK, probe);
  return denied === undefined ? undefined : `cannot be read: ${denied}`;
}

async function statIfExists(path: string, probe: PathProbe): Promise<Stats | undefined | Error> {
  try {
    return await probe.stat(path);
  } catch (error) {
    // ENOTDIR: an ancestor is a file, which the folder check reports by name.
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * The path itself if it exists, else its closest existing ancestor (the rest is made by
 * atomic-file.ts's makeFolder). A missing part that is a symbolic link to nothing is named
 * (`danglingLink`): a folder cannot be made through it.
 */
async function nearestExisting(path: string, probe: PathProbe): Promise<{ path: string; stats: Stats; danglingLink?: string } | Error> {
  const stats = await statIfExists(path, probe);
  if (stats instanceof Error) return stats;
  if (stats !== undefined) return { path, stats };
  const link = await probe.lstat?.(path).catch(() => undefined);
  const parent = dirname(path);
  if (parent === path) return new Error(`no existing folder above '${path}'`);
  const above = await nearestExisting(parent, probe);
  return above instanceof Error || above.danglingLink !== undefined || link?.isSymbolicLink() !== true ? above : { ...above, danglingLink: path };
}

async function accessProblem(path: string, mode: number, probe: PathProbe): Promise<string | undefined> {
  try {
    await probe.access(path, mode);
    return undefined;
  } catch (error) {
    return systemErrorText(error);
  }
}

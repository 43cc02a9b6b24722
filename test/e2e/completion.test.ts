/**
 * `sc-owner-transfer completion bash|zsh`, through the CLI: the script it prints, sourced in a real
 * shell and asked what it completes (bash's COMP_WORDS / COMP_CWORD, as the shell sets them on
 * Tab), offers every flag each command's `--help` lists (both come from the same tables), files
 * after a FILE flag, and the values of a flag that takes a fixed few. zsh is tried where installed.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsTestEnv, runCli } from './helpers/cli.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

const COMMANDS = ['plan', 'snapshot', 'run', 'status', 'undo', 'report', 'emulator', 'completion'];
const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;
const hasZsh = spawnSync('zsh', ['-fc', 'true']).status === 0;

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace('sot-completion-');
});
afterEach(async () => {
  await ws.remove();
});

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  const printed = await runCli(['completion', shell], { cwd: ws.dir, env: awsTestEnv() });
  expect(printed.code, printed.stderr).toBe(0);
  expect(printed.stderr).toBe('');
  const path = ws.path(`completion.${shell}`);
  await writeFile(path, printed.stdout);
  return path;
}

/** What bash offers for `words` (the last one being completed), as Tab asks it. */
function bashComplete(path: string, words: readonly string[]): string[] {
  const asked = spawnSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      'source "$1" && COMP_WORDS=("${@:2}") && COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )) && _sc_owner_transfer && printf "%s\\n" "${COMPREPLY[@]}"',
      'bash',
      path,
      ...words,
    ],
    { cwd: ws.dir, encoding: 'utf8' },
  );
  expect(asked.stderr).toBe('');
  expect(asked.status).toBe(0);
  return asked.stdout.split('\n').filter(Boolean).sort();
}

/** The long flags a command's --help lists. */
async function helpFlags(command: string): Promise<string[]> {
  const help = await runCli([command, '--help'], { cwd: ws.dir, env: awsTestEnv() });
  expect(help.code).toBe(0);
  return [...new Set(help.stdout.match(/^ {2}(?:-\w, | {4})(--[\w-]+)/gm)!.map((line) => line.trim().replace(/^-\w, /, '')))].sort();
}

describe.skipIf(!hasBash)('completion bash', () => {
  it('completes `run --dry` to --dry-run, the commands, and every flag --help lists', async () => {
    const path = await script('bash');
    expect(bashComplete(path, ['sc-owner-transfer', 'run', '--dry'])).toEqual(['--dry-run']);
    expect(bashComplete(path, ['sc-owner-transfer', 'ru'])).toEqual(['run']);
    expect(bashComplete(path, ['sc-owner-transfer', ''])).toEqual([...COMMANDS, '--help', '--version'].sort());
    expect(bashComplete(path, ['sc-owner-transfer', 'plan', '--from'])).toEqual(['--from-owner']);
    for (const command of COMMANDS) {
      const offered = bashComplete(path, ['sc-owner-transfer', command, '--']);
      expect(offered, command).toEqual(await helpFlags(command));
    }
  });

  it('offers files after a FILE flag, the values of a flag that takes a few, nothing after another value', async () => {
    const path = await script('bash');
    await writeFile(ws.path('rows.csv'), 'provisioned_product_id,new_owner\n');
    expect(bashComplete(path, ['sc-owner-transfer', 'run', '--input', 'ro'])).toEqual(['rows.csv']);
    expect(bashComplete(path, ['sc-owner-transfer', 'run', '-i', 'ro'])).toEqual(['rows.csv']);
    expect(bashComplete(path, ['sc-owner-transfer', 'run', '--results', '=', 'ro'])).toEqual(['rows.csv']);
    expect(bashComplete(path, ['sc-owner-transfer', 'run', '--log-level', 'w'])).toEqual(['warn']);
    expect(bashComplete(path, ['sc-owner-transfer', 'run', '--accept-language', ''])).toEqual(['en', 'jp', 'zh']);
    expect(bashComplete(path, ['sc-owner-transfer', 'run', '--region', ''])).toEqual([]);
    expect(bashComplete(path, ['sc-owner-transfer', 'completion', ''])).toEqual(['bash', 'zsh']);
  });
});

describe('completion, its usage', () => {
  it('needs bash or zsh (exit 2 otherwise); --help says how to install it', async () => {
    for (const argv of [['completion'], ['completion', 'fish'], ['completion', 'bash', 'zsh']]) {
      const refused = await runCli(argv, { cwd: ws.dir, env: awsTestEnv() });
      expect(refused.code, argv.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(/^sc-owner-transfer completion: .*\nTry 'sc-owner-transfer completion --help'\.\n$/);
    }
    const help = await runCli(['completion', '--help'], { cwd: ws.dir, env: awsTestEnv() });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: sc-owner-transfer completion bash|zsh');
    expect(help.stdout).toContain('~/.local/share/bash-completion/completions/sc-owner-transfer');
    const top = await runCli(['--help'], { cwd: ws.dir, env: awsTestEnv() });
    expect(top.stdout).toMatch(/^ {2}completion +Print a bash or zsh completion script/m);
  });
});

describe.skipIf(!hasZsh)(hasZsh ? 'completion zsh' : 'completion zsh (skipped: zsh is not installed here; apt-get install zsh to try it)', () => {
  it('is valid zsh, and registers its function with compinit', async () => {
    const path = await script('zsh');
    expect(spawnSync('zsh', ['-n', path], { encoding: 'utf8' }).stderr).toBe('');
    const loaded = spawnSync('zsh', ['-fc', 'autoload -U compinit && compinit -u -D && source "$1" && print -r -- ${_comps[sc-owner-transfer]}', 'zsh', path], {
      cwd: ws.dir,
      encoding: 'utf8',
    });
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim()).toBe('_sc_owner_transfer');
  });
});

/**
 * `sc-owner-transfer completion bash|zsh`: prints a shell completion script, generated from the
 * same tables `--help` renders (each command's name, summary and FlagSpecs), so a flag added to a
 * command is completed the moment it is in its help. Files are offered after a flag whose value is
 * a FILE, the values after a flag that takes a fixed few (`choices`, or a placeholder such as
 * `en|jp|zh`), and nothing after any other flag that takes a value.
 */
import { ExitCode, exitCodeHelp } from '../exit-codes.js';
import { parseCommandLine, type Command } from './command.js';
import { HELP_FLAG, UsageError, type FlagSpec } from './flags.js';

const PROGRAM = 'sc-owner-transfer';
const SHELLS = ['bash', 'zsh'] as const;
type Shell = (typeof SHELLS)[number];

/** The options the program itself takes before any command. */
const TOP_LEVEL = [
  { name: 'help', description: 'Show the help and exit.' },
  { name: 'version', description: 'Print the version and exit.' },
] as const;

const INSTALL = [
  'Install it once:',
  `  bash: ${PROGRAM} completion bash > ~/.local/share/bash-completion/completions/${PROGRAM}`,
  `        (or add  source <(${PROGRAM} completion bash)  to ~/.bashrc)`,
  `  zsh:  ${PROGRAM} completion zsh > "\${fpath[1]}/_${PROGRAM}"  (a folder of your $fpath; then a new shell)`,
  `        (or add  source <(${PROGRAM} completion zsh)  to ~/.zshrc, after compinit)`,
].join('\n');

/** The completion command of `commands` (main.ts's list, itself included): a getter, as the list holds this command too. */
export function completionCommand(commands: () => readonly Command[]): Command {
  const command: Command = {
    name: 'completion',
    summary: 'Print a bash or zsh completion script (source it, or install it once).',
    usage: 'completion bash|zsh',
    flags: [],
    helpFooter: `${INSTALL}\n\n${exitCodeHelp('completion')}`,
    execute(argv, io) {
      const config = parseCommandLine(command, argv, io, parseCompletionArgs);
      if (typeof config === 'number') return Promise.resolve(config);
      const script = config.shell === 'bash' ? bashCompletion(commands()) : zshCompletion(commands());
      io.stdout.write(script);
      return Promise.resolve(ExitCode.Ok);
    },
  };
  return command;
}

function parseCompletionArgs(argv: readonly string[]): { help: boolean; shell: Shell } {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true, shell: 'bash' };
  const [shell, extra] = argv;
  if (shell === undefined) throw new UsageError('MISSING_FLAG', `which shell? ${SHELLS.join(' or ')}`);
  if (shell.startsWith('-')) throw new UsageError('UNKNOWN_FLAG', `unknown option '${shell}'`);
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError('BAD_VALUE', `expects ${SHELLS.join(' or ')}, got '${shell}'`);
  if (extra !== undefined) throw new UsageError('UNEXPECTED_ARGUMENT', `unexpected argument '${extra}'`);
  return { help: false, shell: shell as Shell };
}

/** What a flag's value is completed with. */
type ValueKind =
  { readonly kind: 'none' } | { readonly kind: 'file' } | { readonly kind: 'choice'; readonly values: readonly string[] } | { readonly kind: 'free' };

function valueOf(spec: FlagSpec): ValueKind {
  if (spec.type === 'boolean') return { kind: 'none' };
  if (spec.choices !== undefined) return { kind: 'choice', values: spec.choices };
  const placeholder = spec.valueName ?? '';
  if (placeholder === 'FILE') return { kind: 'file' };
  // `en|jp|zh`, `Account|User`: literal values (a placeholder is in capitals: `N|N%`, `ACCOUNT|ROLE_ARN`).
  const alternatives = placeholder.split('|');
  if (alternatives.length > 1 && alternatives.every((value) => /[a-z]/.test(value) && /^[\w.-]+$/.test(value))) return { kind: 'choice', values: alternatives };
  return { kind: 'free' };
}

/** A command's flags as completion offers them: its own, then --help. */
function flagsOf(command: Command): FlagSpec[] {
  return [...command.flags, HELP_FLAG];
}

const optionWords = (spec: FlagSpec): string[] => [`--${spec.name}`, ...(spec.short === undefined ? [] : [`-${spec.short}`])];

/** A word list for bash: plain words, nothing the shell would expand. */
const bashWords = (words: readonly string[]): string => words.filter((word) => /^[\w.,:/@%+=-]+$/.test(word)).join(' ');

export function bashCompletion(commands: readonly Command[]): string {
  const fn = `_${PROGRAM.replace(/-/g, '_')}`;
  const cases = commands.map((command) => {
    const flags = flagsOf(command);
    const byKind = (test: (kind: ValueKind) => boolean) => flags.filter((spec) => test(valueOf(spec))).flatMap(optionWords);
    const files = byKind((kind) => kind.kind === 'file');
    const free = byKind((kind) => kind.kind === 'free');
    const choices = flags.flatMap((spec) => {
      const kind = valueOf(spec);
      return kind.kind === 'choice'
        ? [`        ${optionWords(spec).join('|')}) COMPREPLY=($(compgen -W "${bashWords(kind.values)}" -- "$cur")); return 0 ;;`]
        : [];
    });
    const positional =
      command.name === 'completion' ? `      if [[ "$cur" != -* ]]; then COMPREPLY=($(compgen -W "${bashWords(SHELLS)}" -- "$cur")); return 0; fi` : '';
    return [
      `    ${command.name})`,
      ...(positional === '' ? [] : [positional]),
      '      case "$prev" in',
      ...(files.length === 0
        ? []
        : [`        ${files.join('|')}) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); compopt -o filenames 2>/dev/null; return 0 ;;`]),
      ...choices,
      ...(free.length === 0 ? [] : [`        ${free.join('|')}) return 0 ;;`]),
      '      esac',
      `      COMPREPLY=($(compgen -W "${bashWords(flags.map((spec) => `--${spec.name}`))}" -- "$cur"))`,
      '      ;;',
    ].join('\n');
  });
  return [
    `# bash completion for ${PROGRAM}; generated by \`${PROGRAM} completion bash\` from its flag tables.`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev=""',
    '  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  # --flag=value: bash splits at the "=" (COMP_WORDBREAKS); the flag is the word before it.',
    '  if [[ "$prev" == "=" ]] && (( COMP_CWORD > 1 )); then prev="${COMP_WORDS[COMP_CWORD-2]}"; fi',
    '  COMPREPLY=()',
    '  if (( COMP_CWORD <= 1 )); then',
    `    COMPREPLY=($(compgen -W "${bashWords([...commands.map((c) => c.name), ...TOP_LEVEL.map((o) => `--${o.name}`)])}" -- "$cur"))`,
    '    return 0',
    '  fi',
    '  case "${COMP_WORDS[1]}" in',
    ...cases,
    '  esac',
    '  return 0',
    '}',
    `complete -F ${fn} ${PROGRAM}`,
    '',
  ].join('\n');
}

/** Text for inside single quotes in zsh. */
const zshQuote = (text: string): string => text.replace(/'/g, `'\\''`);
/** A description as a completion menu shows it: its first sentence, on one line. */
function firstSentence(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const sentence = /^(.*?[.;])(\s|$)/.exec(line)?.[1] ?? line;
  return (sentence.length > 100 ? `${sentence.slice(0, 97)}...` : sentence).replace(/[.;]$/, '');
}
/** A description for `_arguments`' brackets: backslashes and brackets escaped. */
const zshExplanation = (text: string): string =>
  zshQuote(
    firstSentence(text)
      .replace(/\\/g, '\\\\')
      .replace(/([[\]])/g, '\\$1'),
  );

function zshSpec(spec: FlagSpec): string {
  const kind = valueOf(spec);
  const message = zshQuote((spec.valueName ?? 'VALUE').replace(/[:[\]]/g, ' '));
  const action =
    kind.kind === 'none'
      ? ''
      : kind.kind === 'file'
        ? `:${message}:_files`
        : kind.kind === 'choice'
          ? `:${message}:(${kind.values.map(zshQuote).join(' ')})`
          : `:${message}: `;
  const repeat = spec.multiple === true ? '*' : '';
  const described = `[${zshExplanation(spec.description)}]${action}`;
  if (spec.short === undefined) return `'${repeat}--${spec.name}${described}'`;
  const exclusive = spec.multiple === true ? '' : `'(-${spec.short} --${spec.name})'`;
  return `${exclusive}${repeat === '' ? '' : `'${repeat}'`}{-${spec.short},--${spec.name}}'${described}'`;
}

export function zshCompletion(commands: readonly Command[]): string {
  const fn = `_${PROGRAM.replace(/-/g, '_')}`;
  const described = commands.map((c) => `'${zshQuote(c.name)}:${zshQuote(firstSentence(c.summary))}'`);
  const cases = commands.map((command) => {
    const specs = flagsOf(command).map(zshSpec);
    const positional = command.name === 'completion' ? [`'1:shell:(${SHELLS.join(' ')})'`] : [];
    return [
      `    ${command.name})`,
      `      _arguments -s -S \\`,
      ...[...specs, ...positional].map((spec) => `        ${spec} \\`),
      '        && return 0',
      '      ;;',
    ].join('\n');
  });
  return [
    `#compdef ${PROGRAM}`,
    `# zsh completion for ${PROGRAM}; generated by \`${PROGRAM} completion zsh\` from its flag tables.`,
    `${fn}() {`,
    '  local -a commands',
    `  commands=(${described.join(' ')})`,
    '  if (( CURRENT == 2 )); then',
    `    _describe -t commands '${PROGRAM} command' commands`,
    `    compadd -- ${TOP_LEVEL.map((o) => `--${o.name}`).join(' ')}`,
    '    return',
    '  fi',
    '  # The command is the first word after the program: complete its flags as if it were the program.',
    '  local command=${words[2]}',
    '  shift words',
    '  (( CURRENT-- ))',
    '  case $command in',
    ...cases,
    '  esac',
    '  return 1',
    '}',
    '# Loaded from $fpath by compinit (autoload), or sourced after compinit.',
    `if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${PROGRAM}; fi`,
    '',
  ].join('\n');
}

// The linter `npm test` runs (npm run lint): typescript-eslint's type-aware recommended rules, and
// limits that keep the house's shape (see docs/ARCHITECTURE.md, "Rules the suite enforces").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', '.ci/**', 'node_modules/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error: every one is awaited, returned, or marked `void` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `async` is how a port's implementation says it answers with a promise (a fake, the dry-run
      // sender), await or not.
      '@typescript-eslint/require-await': 'off',
      // An abort rejects with `signal.reason` and a stop rethrows what stopped it: both are whatever
      // was thrown, and are passed on as they are.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true, allowThrowingAny: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true, allowThrowingAny: true }],
    },
  },
  {
    // Core modules never touch the process or the console: they are handed what they need
    // (CommandIo, a logger, a clock). Only the entry points see them.
    files: ['src/**/*.ts'],
    ignores: ['src/cli.ts', 'src/main.ts', 'src/demo.ts', 'src/process-io.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'take it from CommandIo (process-io.ts) or as a parameter' }],
      'no-console': 'error',
    },
  },
  {
    // Tests read JSON back (results, ledgers, call logs) and hand methods to `expect`: the unsafe-any
    // and unbound-method rules would only add casts there. Floating promises stay errors.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Expected terminal output: ANSI escapes and column padding are what is tested.
      'no-control-regex': 'off',
      'no-regex-spaces': 'off',
    },
  },
  {
    // The shape: a file a reader can hold, a function a reader can hold. Counted without blank lines
    // and comments, so a file is never shortened by deleting its explanations.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);

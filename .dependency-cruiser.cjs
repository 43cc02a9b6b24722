/**
 * The stages' import rules, checked by `npm test` (npm run lint): which folder of src/ may import
 * which, and no cycles. One folder per stage of the data's way (docs/ARCHITECTURE.md): the
 * commands wire the stages; no stage reaches back into the commands; the emulator is a server of
 * its own, which shares only the AWS API's constants with the client.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle means two modules are one: merge them or cut the loop.',
      from: { path: '^src' },
      to: { circular: true },
    },
    {
      name: 'stages-do-not-import-commands',
      severity: 'error',
      comment: 'commands/ is wiring: it imports the stages, never the other way round.',
      from: { path: '^src/(input|transfer|checkpoint|report|aws|accounts|plan|snapshot|emulator)/' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'stages-do-not-import-the-entry-points',
      severity: 'error',
      comment: 'cli.ts, main.ts, demo.ts and process-io.ts are where process is touched; nothing imports them but each other.',
      from: { path: '^src/(input|transfer|checkpoint|report|aws|accounts|plan|snapshot|emulator|commands)/' },
      to: { path: '^src/(cli|main|demo|process-io)\\.ts$' },
    },
    {
      name: 'emulator-is-a-server-of-its-own',
      severity: 'error',
      comment: "The local Service Catalog must not borrow the client's logic (it would agree with it by construction).",
      from: { path: '^src/emulator/' },
      to: { path: '^src/(transfer|checkpoint|report|accounts|plan|snapshot|commands)/' },
    },
    {
      name: 'the-client-does-not-import-the-emulator',
      severity: 'error',
      comment: 'Only the emulator command and the demo start the emulator.',
      from: { path: '^src/(input|transfer|checkpoint|report|aws|accounts|plan|snapshot)/' },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'input-is-first',
      severity: 'error',
      comment: 'input/ reads and validates the CSV; it knows nothing of the stages after it.',
      from: { path: '^src/input/' },
      to: { path: '^src/(transfer|checkpoint|report|aws|accounts|plan|snapshot)/' },
    },
    {
      name: 'the-engine-does-not-import-the-report',
      severity: 'error',
      comment: 'transfer/ owns its types (row-types.ts) and reports through callbacks; report/ reads the engine, never the other way round.',
      from: { path: '^src/(transfer|snapshot)/' },
      to: { path: '^src/report/' },
    },
    {
      name: 'checkpoint-stands-alone',
      severity: 'error',
      comment: 'The journal is storage: it knows entries, not rows, lanes or reports.',
      from: { path: '^src/checkpoint/' },
      to: { path: '^src/(input|transfer|report|aws|accounts|plan|snapshot)/' },
    },
    {
      name: 'accounts-set-up-lanes-only',
      severity: 'error',
      comment:
        'accounts/ opens, reaches and checks the lanes of a run or a plan; it reads the input and the AWS clients, never the journal, the report or the plan rules.',
      from: { path: '^src/accounts/' },
      to: { path: '^src/(checkpoint|report|plan|snapshot)/' },
    },
    {
      name: 'the-engine-does-not-set-up-accounts',
      severity: 'error',
      comment: 'transfer/ runs the lanes it is given; who opens them is the accounts stage, wired by the commands.',
      from: { path: '^src/(transfer|plan|snapshot)/' },
      to: { path: '^src/accounts/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

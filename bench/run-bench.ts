/**
 * `npm run bench [-- --runs 3 --only overhead,quota-30]`
 *
 * Measures the job as an operator runs it: the compiled CLI as a child process against the local
 * Service Catalog as another process (so neither's CPU or memory is counted in the other's), side
 * by side with the peers it replaces. Every scenario runs `--runs` times (default 3); the table
 * gives the median of each figure, and the whole run (machine, Node version, flags, every run's
 * figures) is written to bench/results/<date>.json.
 *
 * This is a benchmark, not a test: numbers depend on the machine; nothing here fails on a number.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './measure.js';
import * as large from './large.js';
import * as s from './scenarios.js';

interface Scenario {
  readonly name: string;
  readonly flags: string;
  /** Runs once, however many --runs (slow, or a peer whose figure does not vary). */
  readonly once?: boolean;
  /** Only with --large (minutes each, a million rows). */
  readonly large?: boolean;
  readonly run: () => Promise<s.Figures>;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'quota-30',
    flags: 'quota 30/s burst 5; --rate 100 --concurrency 16; 600 rows; defaults (preflight, waiting)',
    run: () => s.quotaSaturation({ quota: 30, burst: 5, rate: 100, rows: 600 }),
  },
  {
    name: 'quota-40',
    flags: 'quota 40/s burst 10; --rate 400 --concurrency 16; 1,200 rows; defaults',
    run: () => s.quotaSaturation({ quota: 40, burst: 10, rate: 400, rows: 1200 }),
  },
  {
    name: 'quota-5',
    flags: 'quota 5/s burst 2; --rate 100 --concurrency 16; 200 rows; defaults',
    run: () => s.quotaSaturation({ quota: 5, burst: 2, rate: 100, rows: 200 }),
  },
  {
    name: 'accounts-10',
    flags: '10 accounts, 60 rows each, quota 5/s burst 2 in each; --assume-role-name, --concurrency 16 --rate 100; defaults',
    run: () => s.accountsSaturation({ accounts: 10, rowsPerAccount: 60, quota: 5, burst: 2, rate: 100, concurrency: 16 }),
  },
  {
    name: 'quota-change',
    flags: 'quota 40/s burst 10, halved at 15 s, restored at 40 s; --rate 400; 2,800 rows',
    once: true,
    run: () => s.quotaChange({ quota: 40, burst: 10, rate: 400, rows: 2800, changeAt: 15, restoreAt: 40 }),
  },
  {
    name: 'overhead',
    flags:
      '20,000 rows, --concurrency 16, no quota; job: --rate 100000 --no-preflight --no-wait --no-target-check; bare: the same SDK client, 16 workers, nothing else; job then bare in each run',
    run: () => s.overhead({ rows: 20_000, concurrency: 16 }),
  },
  {
    name: 'naive-promise-all',
    flags: 'Promise.all of 600 updates, SDK default retries, quota 30/s burst 5',
    once: true,
    run: () => s.naiveUnderQuota({ rows: 600, quota: 30, burst: 5 }),
  },
  {
    name: 'aws-cli-loop',
    flags: 'aws servicecatalog update-provisioned-product-properties in a loop, 20 rows',
    once: true,
    run: () => s.awsCliLoop({ rows: 20 }),
  },
  {
    name: 'calls-per-row-defaults',
    flags: '1,000 rows, defaults (preflight, target check, waiting)',
    once: true,
    run: () => s.callsPerRow({ rows: 1000, args: [] }),
  },
  {
    name: 'calls-per-row-bare',
    flags: '1,000 rows, --no-preflight --no-wait --no-target-check',
    once: true,
    run: () => s.callsPerRow({ rows: 1000, args: ['--no-preflight', '--no-wait', '--no-target-check'] }),
  },
  { name: 'memory-10k', flags: '10,000 rows, defaults, --concurrency 16, no quota', run: () => s.memory({ rows: 10_000 }) },
  {
    name: 'memory-growth',
    flags: '4,000 then 40,000 rows, each in an account of that many products, defaults (preflight reads the account), --concurrency 16, no quota',
    run: () => s.memoryGrowth({ small: 4_000, large: 40_000 }),
  },
  {
    name: 'validate-100k',
    flags: '100,000 rows, run --dry-run --no-preflight --no-target-check (validation and the result lines, no AWS call)',
    once: true,
    run: () => large.validationPass({ rows: 100_000 }),
  },
  { name: 'validate-1m', flags: '1,000,000 rows, as validate-100k', once: true, large: true, run: () => large.validationPass({ rows: 1_000_000 }) },
  {
    name: 'resume-100k',
    flags: 'checkpoint of 100,000 done rows (generated), 10 new rows after them, defaults',
    once: true,
    run: () => large.resumeDone({ rows: 100_000 }),
  },
  {
    name: 'resume-1m',
    flags: 'checkpoint of 1,000,000 done rows (generated), 10 new rows after them, defaults',
    once: true,
    large: true,
    run: () => large.resumeDone({ rows: 1_000_000 }),
  },
];

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    large: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    `npm run bench [-- --runs N] [-- --only NAME,NAME] [-- --large]\nScenarios (* only with --large or --only):\n${SCENARIOS.map((x) => `  ${(x.name + (x.large ? ' *' : '')).padEnd(24)} ${x.flags}`).join('\n')}\n`,
  );
  process.exit(0);
}
const runs = Number(values.runs);
if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`--runs must be an integer >= 1, got ${values.runs}`);
const only = values.only?.split(',');
const unknown = only?.filter((name) => !SCENARIOS.some((x) => x.name === name)) ?? [];
if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; see --help`);

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? '',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: process.platform,
};
console.log(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}; median of ${runs} runs`);
const results: Array<{ name: string; flags: string; runs: s.Figures[]; median: s.Figures }> = [];
for (const scenario of SCENARIOS.filter((x) => (only ? only.includes(x.name) : !x.large || values.large))) {
  const each: s.Figures[] = [];
  for (let i = 0; i < (scenario.once ? 1 : runs); i += 1) each.push(await scenario.run());
  const mid = medianFigures(each);
  results.push({ name: scenario.name, flags: scenario.flags, runs: each, median: mid });
  console.log(
    `${scenario.name.padEnd(24)} ${Object.entries(mid)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')}`,
  );
  console.log(`${''.padEnd(24)} (${scenario.flags})`);
}
const out = fileURLToPath(new URL(`../../bench/results/`, import.meta.url));
await mkdir(out, { recursive: true });
const file = `${out}${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
await writeFile(file, `${JSON.stringify({ machine, runs, results }, null, 2)}\n`);
console.log(`written: ${file}`);

/** The median of each numeric figure over the runs; text figures from the first run. */
function medianFigures(each: readonly s.Figures[]): s.Figures {
  const mid: s.Figures = {};
  for (const key of Object.keys(each[0] ?? {})) {
    const numbers = each.map((f) => f[key]).filter((v): v is number => typeof v === 'number');
    mid[key] = numbers.length === each.length ? median(numbers) : (each[0]![key] ?? null);
  }
  return mid;
}

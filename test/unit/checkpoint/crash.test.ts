/**
 * kill -9 at an arbitrary instant: a child process runs the real journal (transpiled from src/ to a
 * temp dir), reports each fsynced count on stdout, and is SIGKILLed while it keeps appending. The
 * journal must then reopen cleanly (a torn tail is cut off) and hold at least every entry the child
 * had reported durable, as a gap-free prefix of what it recorded. Waits are on the child's output
 * and exit events only; nothing sleeps.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/checkpoint/journal.js';
import { systemClock } from '../../../src/clock.js';
import { makeTempDir, readLines } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const fixture = join(here, 'fixtures', 'crash-writer.mjs');

let dir: string;
let cleanup: () => void;
let distDir: string;

/** Compiles the journal's modules to ESM JavaScript, keeping the src/ layout so imports resolve. */
function transpile(to: string): void {
  const sources = [
    ...readdirSync(join(repo, 'src/checkpoint'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `src/checkpoint/${name}`),
    'src/coded-error.ts',
    'src/hash64.ts',
    'src/clock.ts',
    'src/errors.ts',
    'src/outcomes.ts',
    'src/file-identity.ts',
  ];
  for (const rel of sources) {
    const { outputText } = ts.transpileModule(readFileSync(join(repo, rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: rel,
    });
    const out = join(to, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  writeFileSync(join(to, 'package.json'), '{"type":"module"}\n');
}

beforeAll(() => {
  ({ dir, cleanup } = makeTempDir());
  distDir = join(dir, 'dist');
  transpile(distDir);
});
afterAll(() => cleanup());

/** Runs the writer until it reported at least `atLeast` fsynced entries, then SIGKILLs it. */
async function runAndKill(checkpointPath: string, atLeast: number): Promise<{ opened: number; durable: number }> {
  const child = spawn(process.execPath, [fixture, distDir, checkpointPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
  let opened = -1;
  let durable = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, count] = line.split(' ');
    if (word === 'opened') opened = Number(count);
    if (word === 'flushed') durable = Number(count);
    if (durable >= atLeast) {
      child.kill('SIGKILL');
      break;
    }
  }
  const signal = await exited;
  expect(signal, `child died on its own: ${stderr}`).toBe('SIGKILL');
  return { opened, durable };
}

describe('crash safety', () => {
  it('survives repeated SIGKILL mid-append: reopens cleanly with every reported entry, gap-free', async () => {
    const checkpointPath = join(dir, 'crash.checkpoint');
    let expectedAtLeast = 0;
    for (let round = 0; round < 4; round += 1) {
      const { opened, durable } = await runAndKill(checkpointPath, 400);
      // Each child resumes from what the previous one left: at least what that one reported durable.
      expect(opened).toBeGreaterThanOrEqual(expectedAtLeast);
      expectedAtLeast = opened + durable;

      const journal = await openJournal({ path: checkpointPath, runId: 'crash', tokenScheme: 'v1', input: 'in.csv', clock: systemClock });
      const replayed = journal.replayed.inFlight;
      expect(replayed).toBeGreaterThanOrEqual(expectedAtLeast);
      // Tokens are t0, t1, ... in record order; distinct count n plus presence of t(n-1) means no gap.
      expect((await journal.lookup(`t${replayed - 1}`))?.state).toBe('in-flight');
      expect(await journal.lookup(`t${replayed}`)).toBeUndefined();
      await journal.close();
      // After the repair the file is clean JSONL: every line parses, one line per entry.
      const lines = readLines(checkpointPath);
      expect(lines).toHaveLength(replayed + 1);
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });
});

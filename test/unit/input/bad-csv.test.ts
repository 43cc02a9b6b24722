/**
 * The bad-CSV corpus: every file in test/fixtures/bad-csv/ has exactly one problem, whose code and
 * line are in expected.json (`{ "<file>": { "code": "...", "line": N } }`, line 0 = whole file).
 * The e2e tests run the CLI on the same corpus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readInputRecords } from '../../../src/input/read-records.js';
import { scanInput } from '../../../src/input/scan.js';
import type { InputProblemCode } from '../../../src/input/types.js';

const corpus = fileURLToPath(new URL('../../fixtures/bad-csv/', import.meta.url));
const expected = JSON.parse(readFileSync(`${corpus}expected.json`, 'utf8')) as Record<string, { code: InputProblemCode; line: number }>;
const FILE_LEVEL: ReadonlySet<InputProblemCode> = new Set(['EMPTY_FILE', 'HEADER_MISSING', 'HEADER_MISSING_COLUMN', 'HEADER_DUPLICATE_COLUMN']);

describe('bad-CSV corpus', () => {
  it('has an expectation for every file, and at least 12 files', () => {
    const files = readdirSync(corpus).filter((f) => f !== 'expected.json');
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(Object.entries(expected))('%s → %o', async (file, { code, line }) => {
    const path = `${corpus}${file}`;
    const scan = await scanInput(path);
    expect(scan.problemCount).toBe(1);
    expect(scan.problems[0]).toMatchObject({ code, line });
    if (FILE_LEVEL.has(code)) expect(scan.fatal).toBe(scan.problems[0]);
    if (!scan.fatal) {
      // the run pass reports the same problem on the same line
      const problems = [];
      for await (const record of readInputRecords(path, scan)) if (record.kind === 'invalid') problems.push(...record.problems);
      expect(problems).toEqual(scan.problems);
    }
  });
});

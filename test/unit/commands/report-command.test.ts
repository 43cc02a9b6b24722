import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializeBody, serializeHeader } from '../../../src/checkpoint/journal-entries.js';
import { reportCommand } from '../../../src/commands/report.js';
import { captureIo } from '../../helpers/command-io.js';
import { header, migration } from '../report/story-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sot-report-cmd-'));
  await writeFile(join(dir, 'l.checkpoint'), serializeHeader(header()) + migration().map(serializeBody).join(''));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const report = async (...argv: string[]) => {
  const capture = captureIo(dir);
  const code = await reportCommand.execute(argv, capture.io);
  return { code, out: capture.out(), err: capture.err() };
};

describe('the report command', () => {
  it('writes the format --out names, and prints what CloudTrail is queried with', async () => {
    const done = await report('--checkpoint', 'l.checkpoint', '--out', 'story.json');
    expect(done.code, done.err).toBe(0);
    expect(done.out).toContain('Wrote the json report of 6 products and 5 invocations (1 killed)');
    expect(done.out).toContain('role session name sc-owner-transfer; time window 2026-12-01T10:00:00.000Z .. 2026-12-01T10:00:53.000Z');
    expect(JSON.parse(await readFile(join(dir, 'story.json'), 'utf8'))).toMatchObject({ formatVersion: 1, productCount: 6 });
  });

  it('never replaces --out without --force (exit 2), and does with it', async () => {
    await writeFile(join(dir, 'story.md'), 'mine');
    const refused = await report('--checkpoint', 'l.checkpoint', '--out', 'story.md');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('exists; pass --force to replace it');
    expect(await readFile(join(dir, 'story.md'), 'utf8')).toBe('mine');
    expect((await report('--checkpoint', 'l.checkpoint', '--out', 'story.md', '--force')).code).toBe(0);
    expect(await readFile(join(dir, 'story.md'), 'utf8')).toContain('# Migration report');
  });

  it('refuses usage errors and unreadable ledgers with exit 2', async () => {
    expect((await report('--out', 'x.html')).code).toBe(2);
    expect((await report('--checkpoint', 'l.checkpoint')).code).toBe(2);
    const noFormat = await report('--checkpoint', 'l.checkpoint', '--out', 'story.txt');
    expect(noFormat.code).toBe(2);
    expect(noFormat.err).toContain('--format is required');
    expect((await report('--checkpoint', 'l.checkpoint', '--out', 'x', '--format', 'pdf')).code).toBe(2);
    expect((await report('--checkpoint', 'missing.checkpoint', '--out', 'x.html')).code).toBe(2);
    await writeFile(join(dir, 'not-one'), 'hello\n');
    const foreign = await report('--checkpoint', 'not-one', '--out', 'x.html');
    expect(foreign.code).toBe(2);
    expect((await report('--checkpoint', 'l.checkpoint', '--out', 'l.checkpoint', '--force')).code).toBe(2);
  });
});

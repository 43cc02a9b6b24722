/**
 * `report`'s stage: read the ledgers entry by entry into a Story (no AWS call, no entry held), and
 * render it in a format, written piece by piece to a temp file renamed into place.
 */
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CheckpointError, withCheckpoint } from '../../checkpoint/index.js';
import { commitFile, makeFolder } from '../atomic-file.js';
import { StoryBuilder, type StoryOptions } from './story-builder.js';
import { renderCsv, renderJson } from './render-data.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { Story } from './story-types.js';

export type { Story } from './story-types.js';
export { REPORT_FORMAT_VERSION } from './render-data.js';
export { StoryBuilder } from './story-builder.js';

export const REPORT_FORMATS = ['html', 'md', 'json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The ledgers' story, each read once, in file order, through `withCheckpoint`'s `onEntry`. */
export async function readStory(paths: readonly string[], options: StoryOptions): Promise<Story> {
  const builder = new StoryBuilder(options);
  for (const path of paths) {
    builder.startLedger();
    await withCheckpoint(path, { onEntry: (entry) => builder.add(entry) }, async (scan) => {
      if (scan === undefined) throw new CheckpointError('NOT_FOUND', `Checkpoint ${path} does not exist.`);
      builder.endLedger(path, scan.header, { entries: scan.entries, tornLastLine: scan.tornAt !== undefined });
    });
  }
  return builder.build();
}

export function renderStory(format: ReportFormat, story: Story, generatedAt: string): Iterable<string> {
  switch (format) {
    case 'html':
      return renderHtml(story, generatedAt);
    case 'md':
      return renderMarkdown(story, generatedAt);
    case 'json':
      return renderJson(story, generatedAt);
    case 'csv':
      return renderCsv(story);
  }
}

const FLUSH_BYTES = 256 * 1024;

/** Writes the pieces to a sibling temp file, fsyncs it and renames it over `path` (never half a report under its name). */
export async function writePieces(path: string, pieces: Iterable<string>): Promise<void> {
  await makeFolder(dirname(path));
  const tempPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tempPath, 'w');
    try {
      let pending: string[] = [];
      let size = 0;
      for (const piece of pieces) {
        pending.push(piece);
        size += piece.length;
        if (size < FLUSH_BYTES) continue;
        await handle.write(pending.join(''));
        pending = [];
        size = 0;
      }
      if (pending.length > 0) await handle.write(pending.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commitFile(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw error;
  }
}

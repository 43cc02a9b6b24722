/**
 * `report`'s stage: read the ledgers entry by entry into a Story (no AWS call, no entry held), and
 * render it in a format, written piece by piece to a temp file renamed into place.
 */
import { CheckpointError, withCheckpoint } from '../../checkpoint/index.js';
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
    await withCheckpoint(path, { onEntry: (entry) => builder.add(entry), replay: false }, async (scan) => {
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

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { JournalBody } from '../../../src/checkpoint/types.js';
import { renderCsv, renderJson, REPORT_FORMAT_VERSION } from '../../../src/report/story/render-data.js';
import { renderHtml } from '../../../src/report/story/render-html.js';
import { renderMarkdown, sparkline } from '../../../src/report/story/render-markdown.js';
import { escapeHtml, escapeMarkdown, PRODUCTS_SHOWN } from '../../../src/report/story/text-format.js';
import { at, begin, end, finished, HOSTILE, migration, sent, storyOf } from './story-fixtures.js';

const GENERATED = '2026-12-06T07:00:00.000Z';
const story = storyOf(migration());
const text = (pieces: Iterable<string>): string => [...pieces].join('');

function bigStory(products: number) {
  const entries: JournalBody[] = [begin('i', at(0))];
  for (let n = 0; n < products; n += 1) {
    entries.push(sent(`pp-${n}`, n + 2, at(1 + Math.floor(n / 10))), finished(`pp-${n}`, n + 2, at(1 + Math.floor(n / 10))));
  }
  entries.push(end('i', at(2 + products / 10), { succeeded: products }));
  return storyOf(entries);
}

describe('escaping', () => {
  it('HTML: every character HTML gives a meaning to', () => {
    expect(escapeHtml(`"><img onerror='x'>&`)).toBe('&quot;&gt;&lt;img onerror=&#39;x&#39;&gt;&amp;');
  });
  it('Markdown: pipes, inline HTML and emphasis, and no line break', () => {
    expect(escapeMarkdown('a|b<script>*x*_y_\n[z](w)')).toBe('a\\|b\\<script\\>\\*x\\*\\_y\\_ \\[z\\](w)');
  });
});

describe('the HTML report', () => {
  const html = text(renderHtml(story, GENERATED));

  it('is one self-contained page: no script, nothing fetched, print CSS', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('@media print');
  });

  it('escapes hostile product ids and owners in every cell', () => {
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).not.toContain('onerror=alert(1)>');
    expect(html).toContain('user/&lt;script&gt;x&lt;/script&gt;');
  });

  it('has the figures (outcomes bar, updates and throttles per invocation) and the counts', () => {
    expect(html).toContain('class="figure figure-outcomes"');
    expect((html.match(/class="figure figure-updates"/g) ?? []).length).toBe(4);
    expect((html.match(/class="figure figure-throttles"/g) ?? []).length).toBe(4);
    expect(html).toContain('succeeded: 3');
    expect(html).toContain('killed: a begin and no end');
    expect(html).toContain('canary (--limit 2)');
    expect(html).toContain('A dry run or a verify records no rows in the ledger.');
    expect(html).toContain('#3 run failed; #4 run in-flight');
  });

  it('lists at most PRODUCTS_SHOWN products and says how many more, pointing at the CSV', () => {
    const big = text(renderHtml(bigStory(PRODUCTS_SHOWN + 7), GENERATED));
    expect(big).toContain('7 more products: see --format csv');
    expect(big).toContain('>pp-999<');
    expect(big).not.toContain('>pp-1000<');
  });
});

describe('the Markdown report', () => {
  const md = text(renderMarkdown(story, GENERATED));

  it('has headings, tables and text pictures, and no HTML', () => {
    expect(md).toContain('# Migration report');
    expect(md).toContain('| #3 | run |');
    expect(md).toContain('updates/s');
    expect(md).toContain('█');
    expect(md).not.toMatch(/(^|[^\\])</m);
    expect(md).toContain(escapeMarkdown(HOSTILE));
  });

  it('caps the products table', () => {
    const big = text(renderMarkdown(bigStory(PRODUCTS_SHOWN + 3), GENERATED));
    expect(big).toContain('**3 more products: see `--format csv`**');
  });

  it('draws sparklines', () => {
    expect(sparkline([0, 1, 2, 4])).toBe(' ▂▄█');
    expect(sparkline([0, 0])).toBe('');
  });
});

describe('the JSON report', () => {
  it('is versioned, parses, and holds every product', () => {
    const json = JSON.parse(text(renderJson(story, GENERATED))) as Record<string, unknown> & { products: Array<Record<string, unknown>> };
    expect(json.formatVersion).toBe(REPORT_FORMAT_VERSION);
    expect(json.productCount).toBe(6);
    expect(json.products).toHaveLength(6);
    expect(json.products.find((p) => p.provisionedProductId === HOSTILE)).toMatchObject({ state: 'submitted', changed: true });
    expect(json).toMatchObject({ runIds: [''], sessionNames: ['sc-owner-transfer'], window: { from: at(0), to: at(53) } });
    const invocations = json.invocations as Array<Record<string, unknown>>;
    expect(invocations[3]).toMatchObject({ killed: true, endedAt: null, exitCode: null });
    expect(JSON.parse(text(renderJson(storyOf([]), GENERATED)))).toMatchObject({ products: [], productCount: 0 });
  });
});

describe('the CSV report', () => {
  it('is one line per product, every product, with formulas neutralised', () => {
    const formula = storyOf([begin('i', at(0)), finished('=cmd', 2, at(1), { outcome: 'failed', errorCode: 'X', errorMessage: '@SUM(1)' })]);
    const rows = parse<Record<string, string>>(text(renderCsv(formula)), { columns: true });
    expect(rows).toEqual([expect.objectContaining({ provisioned_product_id: "'=cmd", error_message: "'@SUM(1)", state: 'failed' })]);
    const all = parse<Record<string, string>>(text(renderCsv(bigStory(PRODUCTS_SHOWN + 5))), { columns: true });
    expect(all).toHaveLength(PRODUCTS_SHOWN + 5);
    const mine = parse<Record<string, string>>(text(renderCsv(story)), { columns: true });
    expect(mine.find((r) => r.provisioned_product_id === 'p1')!.history).toBe('#2 canary (--limit 2) succeeded; #5 reconcile of put-back.csv succeeded');
  });
});

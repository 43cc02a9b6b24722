/**
 * The report's pictures as inline SVG strings: no script, no font or file fetched, drawn the same
 * on screen and on paper. Every text that comes from a ledger is escaped (text-format.ts).
 */
import { PRODUCT_STATES, type Series, type StateTally } from './story-types.js';
import { escapeHtml } from './text-format.js';

export const STATE_COLOURS: Readonly<Record<string, string>> = {
  succeeded: '#2e7d32',
  submitted: '#81c784',
  skipped: '#78909c',
  failed: '#c62828',
  'in-flight': '#f9a825',
};

const WIDTH = 520;
const HEIGHT = 190;
const LEFT = 52;
const RIGHT = 14;
const TOP = 28;
const BOTTOM = 34;

/** A round ceiling for the y axis: 1, 2, 5 × a power of ten. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

const fmt = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 1 : 0));

function spanText(seconds: number): string {
  return seconds < 120 ? `+${seconds} s` : seconds < 7200 ? `+${Math.round(seconds / 60)} min` : `+${(seconds / 3600).toFixed(1)} h`;
}

export interface SeriesFigure {
  readonly kind: 'updates' | 'throttles';
  readonly title: string;
  readonly series: Series;
  readonly values: readonly number[];
  readonly colour: string;
}

/** Bars of `values` (per second) over the invocation's time, with axes and their labels. */
export function seriesChart(figure: SeriesFigure): string {
  const { series, values } = figure;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const rates = values.map((count) => count / series.bucketSeconds);
  const top = niceCeiling(Math.max(0, ...rates));
  const barWidth = rates.length === 0 ? 0 : plotWidth / rates.length;
  const bars = rates
    .map((rate, at) => {
      if (rate <= 0) return '';
      const height = Math.max(1, (rate / top) * plotHeight);
      const x = LEFT + at * barWidth;
      return `<rect class="bar" x="${x.toFixed(1)}" y="${(TOP + plotHeight - height).toFixed(1)}" width="${Math.max(1, barWidth - 1).toFixed(1)}" height="${height.toFixed(1)}" fill="${figure.colour}"><title>${escapeHtml(`${fmt(rate)}/s at ${spanText(at * series.bucketSeconds)}`)}</title></rect>`;
    })
    .join('');
  const total = values.reduce((sum, value) => sum + value, 0);
  const span = rates.length * series.bucketSeconds;
  const empty = total === 0 ? `<text x="${LEFT + plotWidth / 2}" y="${TOP + plotHeight / 2}" text-anchor="middle" class="empty">none</text>` : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="figure figure-${figure.kind}" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">`,
    `<title>${escapeHtml(`${figure.title}: ${total} in all`)}</title>`,
    `<text x="${LEFT}" y="16" class="figure-title">${escapeHtml(figure.title)} (${total} in all; buckets of ${series.bucketSeconds} s)</text>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotHeight}" stroke="#555"/>`,
    `<line x1="${LEFT}" y1="${TOP + plotHeight}" x2="${LEFT + plotWidth}" y2="${TOP + plotHeight}" stroke="#555"/>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT + plotWidth}" y2="${TOP}" stroke="#ddd" stroke-dasharray="3 3"/>`,
    `<text x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end" class="tick">${fmt(top)}/s</text>`,
    `<text x="${LEFT - 6}" y="${TOP + plotHeight + 4}" text-anchor="end" class="tick">0</text>`,
    `<text x="${LEFT}" y="${HEIGHT - 12}" class="tick">${escapeHtml(series.from.slice(11, 19))}</text>`,
    `<text x="${LEFT + plotWidth}" y="${HEIGHT - 12}" text-anchor="end" class="tick">${escapeHtml(spanText(span))}</text>`,
    bars,
    empty,
    '</svg>',
  ].join('');
}

/** The products by their last state as one stacked bar, with a legend of the counts. */
export function outcomeBar(states: StateTally): string {
  const width = 760;
  const barWidth = width - 20;
  const total = PRODUCT_STATES.reduce((sum, state) => sum + states[state], 0);
  let x = 10;
  const parts: string[] = [];
  const legend: string[] = [];
  PRODUCT_STATES.forEach((state, at) => {
    const count = states[state];
    const share = total === 0 ? 0 : (count / total) * barWidth;
    if (share > 0) {
      parts.push(
        `<rect class="outcome outcome-${state}" x="${x.toFixed(1)}" y="8" width="${share.toFixed(1)}" height="34" fill="${STATE_COLOURS[state] ?? '#999'}"><title>${count} ${state}</title></rect>`,
      );
    }
    x += share;
    const lx = 10 + at * 150;
    legend.push(
      `<rect x="${lx}" y="54" width="12" height="12" fill="${STATE_COLOURS[state] ?? '#999'}"/><text x="${lx + 17}" y="65" class="legend">${escapeHtml(`${state}: ${count}`)}</text>`,
    );
  });
  if (total === 0) parts.push(`<rect x="10" y="8" width="${barWidth}" height="34" fill="#eee"/>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="figure figure-outcomes" role="img" viewBox="0 0 ${width} 76" width="${width}" height="76">`,
    `<title>${escapeHtml(`Products by their last state: ${total}`)}</title>`,
    ...parts,
    `<rect x="10" y="8" width="${barWidth}" height="34" fill="none" stroke="#555"/>`,
    ...legend,
    '</svg>',
  ].join('');
}

/**
 * The report as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched
 * (a Content-Security-Policy of `default-src 'none'` says so to the browser too), readable when
 * printed. Every cell from a ledger goes through escapeHtml. Yields the page in pieces, so a
 * report of many products is written as it is made.
 */
import { failureReason } from './failure-reasons.js';
import type { Story, StoryInvocation, StoryProduct } from './story-types.js';
import { outcomeBar, seriesChart } from './svg-charts.js';
import { countsText, endingText, escapeHtml as e, formatDuration, headline, historyText, PRODUCTS_SHOWN, stateTallyText } from './text-format.js';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; margin: 24px; max-width: 1180px; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 3px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f0f3f6; white-space: nowrap; } td.num, th.num { text-align: right; white-space: nowrap; }
.meta { margin: 0; padding: 0; list-style: none; } .meta li { margin: 2px 0; }
.killed { color: #b71c1c; font-weight: 600; } .note { color: #444; font-size: 12.5px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; } svg.figure { max-width: 100%; height: auto; background: #fff; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } svg .figure-title { font-weight: 600; font-size: 12px; } svg .empty { fill: #999; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; } table { font-size: 10px; }
  tr, svg.figure, .invocation { break-inside: avoid; } th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg.figure rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

const cell = (value: string | number, numeric = false): string => `<td${numeric ? ' class="num"' : ''}>${e(value)}</td>`;
const head = (names: readonly string[]): string => `<tr>${names.map((name) => `<th>${e(name)}</th>`).join('')}</tr>`;

function* overview(story: Story): Generator<string> {
  yield `<h1>Migration report</h1><ul class="meta">${headline(story)
    .map((line) => `<li>${e(line)}</li>`)
    .join('')}</ul>`;
  yield `<h2>Outcomes</h2><p>${e(`${story.products.length} products in the ledger; ${story.changed} changed by it; last state: ${stateTallyText(story.states)}.`)}</p>`;
  yield outcomeBar(story.states);
  const { resultsOnly } = story;
  if (resultsOnly.invocation !== undefined) {
    yield `<p class="note">${e(
      `drifted and not-started are results-only outcomes (the ledger keeps no row entry for them): invocation #${resultsOnly.invocation}'s end counted ${resultsOnly.drifted} drifted and ${resultsOnly.notStarted} not-started; each invocation's counts are below.`,
    )}</p>`;
  }
}

function invocationRow(invocation: StoryInvocation): string {
  const who = [
    invocation.callerArn,
    invocation.account === '' ? '' : `account ${invocation.account}`,
    invocation.host === '' ? '' : `${invocation.host} pid ${invocation.pid}`,
  ]
    .filter((part) => part !== '')
    .join('; ');
  const ending = endingText(invocation);
  return [
    '<tr>',
    cell(`#${invocation.index}`),
    cell(invocation.label),
    cell(invocation.startedAt),
    cell(invocation.endedAt ?? ''),
    cell(formatDuration(invocation.durationSeconds), true),
    cell(who),
    `<td><code>${e([invocation.command, ...invocation.args].join(' '))}</code></td>`,
    cell(countsText(invocation)),
    invocation.killed ? `<td class="killed">${e(ending)}</td>` : cell(ending),
    '</tr>',
  ].join('');
}

function* invocations(story: Story): Generator<string> {
  yield '<h2>Invocations, in order</h2><table>';
  yield head(['#', 'what', 'began', 'ended', 'took', 'who', 'command and flags', 'rows (its end entry)', 'ending']);
  for (const invocation of story.invocations) yield invocationRow(invocation);
  yield '</table>';
  yield '<h2>Updates and throttles over time</h2>';
  if (!story.throttlesRecorded) {
    yield `<p class="note">${e("No finished entry of these ledgers carries throttles (none were met, or the ledger was written before rows recorded them): the invocations' end counts hold their totals.")}</p>`;
  }
  for (const invocation of story.invocations) {
    yield `<div class="invocation"><h3>${e(`#${invocation.index} ${invocation.label}, ${invocation.startedAt}`)}</h3>`;
    const rows = Object.values(invocation.ledgerRows).reduce((sum, count) => sum + count, 0);
    if (rows === 0) {
      yield `<p class="note">${e(invocation.mode === 'dry-run' || invocation.mode === 'verify' ? 'A dry run or a verify records no rows in the ledger.' : 'No row entries.')}</p></div>`;
      continue;
    }
    const totalThrottles = invocation.counts?.throttles;
    yield `<p class="note">${e(`Its rows in the ledger: ${stateTallyText(invocation.ledgerRows)}. Retries after a throttle: ${invocation.rowThrottles} on its rows${totalThrottles === undefined ? '' : `; throttles in all (its end counts): ${totalThrottles}`}.`)}</p>`;
    yield '<div class="figures">';
    yield seriesChart({ kind: 'updates', title: 'Updates per second', series: invocation.series, values: invocation.series.updates, colour: '#1565c0' });
    yield seriesChart({
      kind: 'throttles',
      title: 'Retries after a throttle, per second',
      series: invocation.series,
      values: invocation.series.throttles,
      colour: '#ef6c00',
    });
    yield '</div></div>';
  }
}

function* accountsAndFailures(story: Story): Generator<string> {
  yield '<h2>Per account and region</h2><table>';
  yield head(['account', 'region', 'products', 'changed', 'succeeded', 'submitted', 'skipped', 'failed', 'in flight']);
  for (const account of story.accounts) {
    const { states } = account;
    yield `<tr>${cell(account.accountId || '(unknown)')}${cell(account.region || "(the run's --region)")}${[account.products, account.changed, states.succeeded, states.submitted, states.skipped, states.failed, states['in-flight']].map((n) => cell(n, true)).join('')}</tr>`;
  }
  yield `</table><p class="note">${e("Products by their last state in the ledger. drifted and not-started are results-only: see each invocation's counts.")}</p>`;
  yield '<h2>Failures by reason</h2>';
  if (story.failures.length === 0) {
    yield '<p>No product is failed.</p>';
    return;
  }
  yield `<table>${head(['reason', 'error code', 'products', 'what to do (the README)', 'e.g.', 'message'])}`;
  for (const group of story.failures) {
    yield `<tr>${cell(group.reason)}${cell(group.errorCode)}${cell(group.products, true)}${cell(group.advice)}${cell(group.examples.join(', '))}${cell(group.message)}</tr>`;
  }
  yield '</table>';
}

function productRow(story: Story, product: StoryProduct): string {
  const reason = product.state === 'failed' ? ` (${failureReason(product)})` : '';
  return [
    '<tr>',
    cell(product.provisionedProductId),
    cell(product.accountId),
    cell(product.previousOwner),
    cell(product.newOwner),
    cell(product.previousLaunchRole),
    cell(product.launchRole),
    cell(`${product.state}${reason}`),
    cell(historyText(story, product.history)),
    '</tr>',
  ].join('');
}

function* products(story: Story): Generator<string> {
  const shown = Math.min(story.products.length, PRODUCTS_SHOWN);
  yield `<h2>Products</h2><p class="note">${e(`${story.products.length} products; previous values are the ledger's first read of each, new ones what its last row set.`)}</p><table>`;
  yield head([
    'product',
    'account',
    'previous owner',
    'new owner',
    'previous launch role',
    'new launch role',
    'last state',
    'history (#invocation what outcome)',
  ]);
  for (const product of story.products.slice(0, shown)) yield productRow(story, product);
  yield '</table>';
  const more = story.products.length - shown;
  if (more > 0)
    yield `<p class="note"><strong>${e(`${more} more products: see --format csv (one line per product).`)}</strong> ${e(`This page lists the first ${PRODUCTS_SHOWN}.`)}</p>`;
}

function* ledgers(story: Story): Generator<string> {
  yield `<h2>Ledgers</h2><table>${head(['checkpoint', 'run id', 'created', 'input', 'format', 'row entries', 'torn last line'])}`;
  for (const ledger of story.ledgers) {
    yield `<tr>${cell(ledger.path)}${cell(ledger.runId || '(none)')}${cell(ledger.createdAt)}${cell(ledger.input)}${cell(ledger.format, true)}${cell(ledger.entries, true)}${cell(ledger.tornLastLine ? 'yes (the next run cuts it off)' : 'no')}</tr>`;
  }
  yield '</table>';
}

/** The whole page, piece by piece. */
export function* renderHtml(story: Story, generatedAt: string): Generator<string> {
  yield `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`;
  yield `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(`sc-owner-transfer report: ${story.runIds.join(', ') || 'migration'}`)}</title><style>${STYLE}</style></head><body>`;
  yield* overview(story);
  yield* invocations(story);
  yield* accountsAndFailures(story);
  yield* products(story);
  yield* ledgers(story);
  yield `<p class="note">${e(`Written by sc-owner-transfer report at ${generatedAt}, from the ledgers alone (no AWS call).`)}</p></body></html>\n`;
}

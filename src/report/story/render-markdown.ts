/**
 * The report as Markdown for a change ticket or a pull request: headings, tables and text
 * pictures (a bar of block characters, sparklines), no HTML. Every cell is escaped
 * (escapeMarkdown), so a hostile value stays text.
 */
import { failureReason } from './failure-reasons.js';
import { PRODUCT_STATES, type StateTally, type Story, type StoryInvocation } from './story-types.js';
import { countsText, endingText, escapeMarkdown as m, formatDuration, headline, historyText, PRODUCTS_SHOWN, stateTallyText } from './text-format.js';

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of per-bucket counts: one character a bucket (at most 120). */
export function sparkline(values: readonly number[]): string {
  const top = Math.max(0, ...values);
  if (top === 0) return '';
  return values.map((value) => (value <= 0 ? ' ' : (SPARKS[Math.min(SPARKS.length - 1, Math.floor((value / top) * (SPARKS.length - 1)))] ?? ''))).join('');
}

/** The products by state as a bar of 40 characters, one letter per state (the legend says which). */
export function textBar(states: StateTally): string {
  const total = PRODUCT_STATES.reduce((sum, state) => sum + states[state], 0);
  if (total === 0) return '';
  const letters: Record<string, string> = { succeeded: '█', submitted: '▓', skipped: '░', failed: 'X', 'in-flight': '?' };
  return PRODUCT_STATES.map((state) => (letters[state] ?? '').repeat(Math.round((states[state] / total) * 40))).join('');
}

const row = (cells: readonly (string | number)[]): string => `| ${cells.map(m).join(' | ')} |`;
const table = (names: readonly string[]): string[] => [row(names), `|${names.map(() => ' --- |').join('')}`];

function invocationLines(invocation: StoryInvocation): string[] {
  const lines = [`### #${invocation.index} ${m(invocation.label)}`];
  const rows = Object.values(invocation.ledgerRows).reduce((sum, count) => sum + count, 0);
  if (rows === 0) return [...lines, '', 'No row entries (a dry run or a verify records none).', ''];
  const spark = (values: readonly number[]) => sparkline(values);
  const { series } = invocation;
  return [
    ...lines,
    '',
    `Its rows in the ledger: ${m(stateTallyText(invocation.ledgerRows))}; retries after a throttle on its rows: ${invocation.rowThrottles}${invocation.counts?.throttles === undefined ? '' : ` (throttles in all, its end counts: ${invocation.counts.throttles})`}.`,
    '',
    '```text',
    `updates/s   ${spark(series.updates)}  (max ${Math.max(0, ...series.updates.map((n) => n / series.bucketSeconds)).toFixed(1)}/s; buckets of ${series.bucketSeconds} s from ${series.from})`,
    `throttles/s ${spark(series.throttles) || '(none)'}`,
    '```',
    '',
  ];
}

function accountLines(story: Story): string[] {
  return [
    '## Per account and region',
    '',
    ...table(['account', 'region', 'products', 'changed', 'succeeded', 'submitted', 'skipped', 'failed', 'in flight']),
    ...story.accounts.map((a) =>
      row([
        a.accountId || '(unknown)',
        a.region || "(the run's --region)",
        a.products,
        a.changed,
        a.states.succeeded,
        a.states.submitted,
        a.states.skipped,
        a.states.failed,
        a.states['in-flight'],
      ]),
    ),
    '',
    "Products by their last state in the ledger. `drifted` and `not-started` are results-only outcomes: see each invocation's counts.",
    '',
  ];
}

function failureLines(story: Story): string[] {
  if (story.failures.length === 0) return ['## Failures by reason', '', 'No product is failed.', ''];
  return [
    '## Failures by reason',
    '',
    ...table(['reason', 'error code', 'products', 'what to do (the README)', 'e.g.']),
    ...story.failures.map((g) => row([g.reason, g.errorCode, g.products, g.advice, g.examples.join(', ')])),
    '',
  ];
}

function productLines(story: Story): string[] {
  const shown = story.products.slice(0, PRODUCTS_SHOWN);
  const more = story.products.length - shown.length;
  return [
    '## Products',
    '',
    `${story.products.length} products; previous values are the ledger's first read of each, new ones what its last row set.`,
    '',
    ...table(['product', 'account', 'previous owner', 'new owner', 'previous launch role', 'new launch role', 'last state', 'history']),
    ...shown.map((p) =>
      row([
        p.provisionedProductId,
        p.accountId,
        p.previousOwner,
        p.newOwner,
        p.previousLaunchRole,
        p.launchRole,
        p.state === 'failed' ? `failed (${failureReason(p)})` : p.state,
        historyText(story, p.history),
      ]),
    ),
    '',
    ...(more > 0 ? [`**${more} more products: see \`--format csv\`** (this table lists the first ${PRODUCTS_SHOWN}).`, ''] : []),
  ];
}

export function* renderMarkdown(story: Story, generatedAt: string): Generator<string> {
  const lines = [
    '# Migration report',
    '',
    ...headline(story).map((line) => `- ${m(line)}`),
    '',
    '## Outcomes',
    '',
    `${story.products.length} products in the ledger; ${story.changed} changed by it; last state: ${m(stateTallyText(story.states))}.`,
    '',
    '```text',
    `${textBar(story.states)}`,
    '█ succeeded  ▓ submitted  ░ skipped  X failed  ? in flight',
    '```',
    '',
    '## Invocations, in order',
    '',
    ...table(['#', 'what', 'began', 'ended', 'took', 'who', 'command and flags', 'rows (its end entry)', 'ending']),
    ...story.invocations.map((i) =>
      row([
        `#${i.index}`,
        i.label,
        i.startedAt,
        i.endedAt ?? '',
        formatDuration(i.durationSeconds),
        [i.callerArn, i.account].filter((part) => part !== '').join(' '),
        [i.command, ...i.args].join(' '),
        countsText(i),
        endingText(i),
      ]),
    ),
    '',
    '## Updates and throttles over time',
    '',
    ...story.invocations.flatMap(invocationLines),
  ];
  yield `${lines.join('\n')}\n`;
  yield `${[...accountLines(story), ...failureLines(story)].join('\n')}\n`;
  yield `${productLines(story).join('\n')}\n`;
  yield `_Written by sc-owner-transfer report at ${m(generatedAt)}, from the ledgers alone (no AWS call)._\n`;
}

/** The small words every renderer shares: escaping for HTML and Markdown, durations, counts, the products cap. */
import type { StateTally, Story, StoryInvocation } from './story-types.js';

/** Products the HTML and Markdown list one by one; the rest are counted (the CSV and JSON have every one). */
export const PRODUCTS_SHOWN = 1_000;

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML element or a quoted attribute: every character HTML gives a meaning to, escaped. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * A Markdown table cell: no line breaks, `|` and every character Markdown or inline HTML gives a
 * meaning to backslash-escaped (CommonMark's escapes), so a hostile value stays text.
 */
export function escapeMarkdown(value: string | number): string {
  return String(value)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_[\]<>|~&]/g, (char) => `\\${char}`);
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `12 succeeded, 1 failed`: the non-zero entries of a tally, in its order. */
export function tallyText(tally: Readonly<Record<string, number>>, keys: readonly string[] = Object.keys(tally)): string {
  const parts = keys.filter((key) => (tally[key] ?? 0) > 0).map((key) => `${tally[key] ?? 0} ${key}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** The end entry's counts a reader wants, by the results' outcome names. */
export const COUNT_NAMES: readonly (readonly [string, string])[] = [
  ['succeeded', 'succeeded'],
  ['submitted', 'submitted'],
  ['skipped', 'skipped'],
  ['failed', 'failed'],
  ['wouldChange', 'would-change'],
  ['drifted', 'drifted'],
  ['invalid', 'invalid'],
  ['notStarted', 'not-started'],
];

/** The invocation's rows by outcome, as its `end` counted them (with the results-only outcomes). */
export function countsText(invocation: StoryInvocation): string {
  const { counts } = invocation;
  if (counts === undefined) return invocation.killed ? 'no end entry: killed' : '';
  const named = Object.fromEntries(COUNT_NAMES.map(([key, name]) => [name, counts[key] ?? 0]));
  return tallyText(named);
}

/** Why it stopped, or what its exit code says. */
export function endingText(invocation: StoryInvocation): string {
  if (invocation.killed) return 'killed: a begin and no end (kill -9, a crash or a power cut)';
  if (invocation.exitCode === undefined) return '';
  const stop = invocation.stopReason === '' ? '' : `; stopped by ${invocation.stopReason}`;
  return `exit ${invocation.exitCode} (${invocation.exitMeaning})${stop}`;
}

export function stateTallyText(tally: StateTally): string {
  return tallyText(tally);
}

/** The story's first lines: what it covers and how to find it in CloudTrail. */
export function headline(story: Story): string[] {
  const window = story.window === undefined ? 'no invocation recorded' : `${story.window.from} .. ${story.window.to}`;
  return [
    `Run id: ${story.runIds.map((id) => (id === '' ? '(none)' : id)).join(', ')}`,
    `Role session name across accounts: ${story.sessionNames.join(', ')}`,
    `Time window (first begin .. last end): ${window}`,
    `Callers: ${story.callers.length === 0 ? '(not read: no STS call was made)' : story.callers.join(', ')}`,
    `Ledgers: ${story.ledgers.map((ledger) => ledger.path).join(', ')}`,
  ];
}

/** The history of a product as one line: `#2 canary succeeded; #5 reconcile skipped`. */
export function historyText(story: Story, history: readonly { invocation: number; state: string }[]): string {
  return history.map((event) => `#${event.invocation} ${story.invocations[event.invocation - 1]?.label ?? ''} ${event.state}`).join('; ');
}

/**
 * The report for other tools: JSON of a documented, versioned shape (`formatVersion` 1, the
 * README's "Reporting a migration"), and CSV, one line per product. Both list every product and
 * are yielded piece by piece (a product a piece), so a large ledger is written as it is made.
 */
import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula } from '../results-writer.js';
import { failureReason } from './failure-reasons.js';
import type { Story, StoryProduct } from './story-types.js';
import { historyText } from './text-format.js';

/** Bumped when a field changes meaning or goes away; new fields may be added within a version. */
export const REPORT_FORMAT_VERSION = 1;

function productJson(story: Story, p: StoryProduct): object {
  return {
    provisionedProductId: p.provisionedProductId,
    line: p.line,
    accountId: p.accountId,
    region: p.region,
    previousOwner: p.previousOwner,
    previousOwnerSession: p.previousOwnerSession,
    previousLaunchRole: p.previousLaunchRole,
    newOwner: p.newOwner,
    launchRole: p.launchRole,
    state: p.state,
    changed: p.changed,
    reason: p.state === 'failed' ? failureReason(p) : '',
    recordId: p.recordId,
    attempts: p.attempts,
    errorCode: p.errorCode,
    errorMessage: p.errorMessage,
    lastAt: p.lastAt,
    history: p.history.map((event) => ({ invocation: event.invocation, label: story.invocations[event.invocation - 1]?.label ?? '', state: event.state })),
  };
}

export function* renderJson(story: Story, generatedAt: string): Generator<string> {
  const head = {
    formatVersion: REPORT_FORMAT_VERSION,
    generatedAt,
    runIds: story.runIds,
    sessionNames: story.sessionNames,
    window: story.window ?? null,
    callers: story.callers,
    ledgers: story.ledgers,
    invocations: story.invocations.map((i) => ({
      ...i,
      endedAt: i.endedAt ?? null,
      durationSeconds: i.durationSeconds ?? null,
      exitCode: i.exitCode ?? null,
      counts: i.counts ?? null,
    })),
    states: story.states,
    changed: story.changed,
    resultsOnly: { ...story.resultsOnly, invocation: story.resultsOnly.invocation ?? null },
    accounts: story.accounts,
    failures: story.failures,
    throttlesRecorded: story.throttlesRecorded,
    productCount: story.products.length,
  };
  const text = JSON.stringify(head, null, 2);
  // The products last, one a piece: the object's closing brace is replaced by the list.
  yield `${text.slice(0, text.lastIndexOf('}')).trimEnd()},\n  "products": [`;
  let first = true;
  for (const product of story.products) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(productJson(story, product))}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}]\n}\n`;
}

export const CSV_COLUMNS = [
  'provisioned_product_id',
  'line',
  'account_id',
  'region',
  'previous_owner',
  'previous_owner_session',
  'previous_launch_role',
  'new_owner',
  'launch_role',
  'state',
  'changed',
  'reason',
  'record_id',
  'attempts',
  'error_code',
  'error_message',
  'last_at',
  'history',
] as const;

/** One line per product, every product; string cells a spreadsheet would run as a formula get a leading `'`, as in the results. */
export function* renderCsv(story: Story): Generator<string> {
  yield stringify([[...CSV_COLUMNS]]);
  for (const p of story.products) {
    const cells = [
      p.provisionedProductId,
      p.line,
      p.accountId,
      p.region,
      p.previousOwner,
      p.previousOwnerSession,
      p.previousLaunchRole,
      p.newOwner,
      p.launchRole,
      p.state,
      p.changed ? 'yes' : 'no',
      p.state === 'failed' ? failureReason(p) : '',
      p.recordId,
      p.attempts,
      p.errorCode,
      p.errorMessage,
      p.lastAt,
      historyText(story, p.history),
    ].map((cell) => (typeof cell === 'string' ? neutraliseFormula(cell) : cell));
    yield stringify([cells]);
  }
}

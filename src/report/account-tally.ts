/**
 * The counts of a run across accounts, account by account (and region, where rows name one): what
 * the summary and the summary JSON show per account, so an operator sees at once which account
 * still has rows to do and why.
 */
import { placeKey } from '../input/scan.js';
import { isLaneRow } from '../outcomes.js';
import type { Outcome, RowResult } from '../transfer/row-types.js';

export interface AccountCounts {
  readonly accountId: string;
  /** The rows' own region, when they named one. */
  readonly region?: string | undefined;
  readonly rows: number;
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
  /** Why the account could not be reached (its rows are `not-started`), when it could not. */
  readonly unreachable?: string | undefined;
}

export class AccountTally {
  readonly #byPlace = new Map<string, { accountId: string; region: string; rows: number; decided: number; outcomes: Partial<Record<Outcome, number>> }>();
  /** Rows of each place (InputScan.places' keys: valid rows, first of their product) the run must decide. */
  readonly #expected: ReadonlyMap<string, number>;

  constructor(expected: ReadonlyMap<string, number> = new Map()) {
    this.#expected = expected;
  }

  add(result: RowResult): void {
    const key = placeKey(result.accountId, result.region === '' ? undefined : result.region);
    let entry = this.#byPlace.get(key);
    if (entry === undefined) {
      entry = { accountId: result.accountId, region: result.region, rows: 0, decided: 0, outcomes: {} };
      this.#byPlace.set(key, entry);
    }
    entry.rows += 1;
    entry.outcomes[result.outcome] = (entry.outcomes[result.outcome] ?? 0) + 1;
    if (isLaneRow(result.outcome, result.reason)) entry.decided += 1;
  }

  /** Accounts (and regions) whose every row has its line, of those the input has: for the progress line. */
  progress(): { readonly done: number; readonly total: number } {
    let done = 0;
    for (const [key, rows] of this.#expected) if ((this.#byPlace.get(key)?.decided ?? 0) >= rows) done += 1;
    return { done, total: this.#expected.size };
  }

  /** Every account seen, by account id then region; `unreachable` maps an account (or `account/region`) to why. */
  counts(unreachable: ReadonlyMap<string, string> = new Map()): AccountCounts[] {
    return [...this.#byPlace.values()]
      .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region))
      .map(({ accountId, region, rows, outcomes }) => {
        const why = unreachable.get(region === '' ? accountId : `${accountId}/${region}`);
        return { accountId, ...(region === '' ? {} : { region }), rows, outcomes: { ...outcomes }, ...(why === undefined ? {} : { unreachable: why }) };
      });
  }
}

/**
 * Paging: a page cut from a presorted order (`paginateSorted`, what whole-account listings use) is
 * the page `paginate` cuts by sorting the same items, token for token, in both directions; and
 * through the SDK, Search and Scan page a whole account alike on either path.
 */
import { describe, expect, it } from 'vitest';
import { compareKeys, paginate, paginateSorted, type SortKey } from '../../../src/emulator/paging.js';
import { mulberry32 } from '../../../src/emulator/prng.js';

interface Item {
  readonly name: string;
  readonly ordinal: number;
}

/** Every page of a listing, following the tokens: the items of each page and the pages' totals. */
function listing(cut: (token: string | undefined) => { items: Item[]; nextPageToken: string | undefined; total: number }) {
  const pages: string[][] = [];
  const totals = new Set<number>();
  for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
    const page = cut(token);
    pages.push(page.items.map((item) => `${item.name}#${item.ordinal}`));
    totals.add(page.total);
    token = page.nextPageToken;
    if (pages.length > 1_000) throw new Error('the listing does not end');
  }
  return { pages, totals: [...totals] };
}

describe('paginateSorted', () => {
  it('cuts the pages paginate cuts, for every page size, both directions, ties broken by ordinal', () => {
    const random = mulberry32(7);
    // Repeated names: the ordinal decides between them, as Search's [field, ordinal] keys do.
    const items: Item[] = Array.from({ length: 237 }, (_, ordinal) => ({ name: `n${Math.floor(random() * 60)}`, ordinal }));
    const key = (item: Item): SortKey => [item.name, item.ordinal];
    const sorted = items.map((item) => ({ item, key: key(item) })).sort((a, b) => compareKeys(a.key, b.key));
    for (const descending of [false, true]) {
      for (const pageSize of [undefined, 1, 7, 20, 100, 236, 237, 500]) {
        const scope = ['test', descending, pageSize];
        const generic = listing((pageToken) => paginate({ items, key, descending, pageSize, pageToken, scope }));
        const presorted = listing((pageToken) => paginateSorted({ sorted, descending, pageSize, pageToken, scope }));
        expect(presorted, `descending ${descending}, page size ${pageSize}`).toEqual(generic);
        expect(generic.pages.flat()).toHaveLength(237);
      }
    }
  });

  it('goes on from a token whose item is gone, and refuses a token of another query', () => {
    const items: Item[] = Array.from({ length: 10 }, (_, ordinal) => ({ name: `n${ordinal}`, ordinal }));
    const sorted = items.map((item) => ({ item, key: [item.ordinal] as SortKey }));
    const first = paginateSorted({ sorted, descending: false, pageSize: 4, pageToken: undefined, scope: 'a' });
    // The token names the last key handed out; the next page starts after it, whatever is there now.
    const fewer = sorted.filter((entry) => entry.item.ordinal !== 4);
    expect(paginateSorted({ sorted: fewer, descending: false, pageSize: 4, pageToken: first.nextPageToken, scope: 'a' }).items.map((i) => i.ordinal)).toEqual([
      5, 6, 7, 8,
    ]);
    expect(
      paginate({
        items: fewer.map((e) => e.item),
        key: (i) => [i.ordinal],
        descending: false,
        pageSize: 4,
        pageToken: first.nextPageToken,
        scope: 'a',
      }).items.map((i) => i.ordinal),
    ).toEqual([5, 6, 7, 8]);
    expect(() => paginateSorted({ sorted, descending: false, pageSize: 4, pageToken: first.nextPageToken, scope: 'b' })).toThrow(
      /does not belong to this request/,
    );
  });
});

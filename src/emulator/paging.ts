/**
 * Opaque page tokens. A token carries the sort key of the last item handed out (keyset paging), so
 * a page boundary does not shift when items before it change while a client pages, and the hash of
 * the query it belongs to, so a token replayed with other filters is refused. Anything that does
 * not decode is InvalidParametersException, the answer Service Catalog gives for a bad token.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_PAGE_SIZE } from './constants.js';
import { invalidParameters } from './service-error.js';

export type SortKey = readonly (string | number)[];

export interface PageRequest<T> {
  /** Items in any order; they are sorted by `key` (then reversed for `descending`). */
  readonly items: readonly T[];
  readonly key: (item: T) => SortKey;
  readonly descending: boolean;
  /** 0 or undefined → the default page size. */
  readonly pageSize: number | undefined;
  readonly pageToken: string | undefined;
  /** Operation and query the token is valid for. */
  readonly scope: unknown;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string | undefined;
  readonly total: number;
}

export function paginate<T>(request: PageRequest<T>): Page<T> {
  const direction = request.descending ? -1 : 1;
  const compare = (a: SortKey, b: SortKey): number => direction * compareKeys(a, b);
  const keyed = request.items.map((item) => ({ item, key: request.key(item) }));
  keyed.sort((a, b) => compare(a.key, b.key));
  const scopeHash = hashScope(request.scope);
  let start = 0;
  if (request.pageToken !== undefined && request.pageToken !== '') {
    const cursor = decodeToken(request.pageToken, scopeHash);
    start = keyed.findIndex((entry) => compare(entry.key, cursor) > 0);
    if (start < 0) start = keyed.length;
  }
  const size = request.pageSize === undefined || request.pageSize === 0 ? DEFAULT_PAGE_SIZE : request.pageSize;
  const slice = keyed.slice(start, start + size);
  const last = slice[slice.length - 1];
  const more = start + size < keyed.length;
  return {
    items: slice.map((entry) => entry.item),
    nextPageToken: more && last ? encodeToken(last.key, scopeHash) : undefined,
    total: keyed.length,
  };
}

/** An item with its page key, as `paginateSorted` takes them. */
export interface Keyed<T> {
  readonly item: T;
  readonly key: SortKey;
}

export interface SortedPageRequest<T> extends Omit<PageRequest<T>, 'items' | 'key'> {
  /** Every item, already in ascending key order (keys unique). */
  readonly sorted: readonly Keyed<T>[];
}

/**
 * The page `paginate` would cut from the same items, found without sorting them again: the cursor
 * by binary search, then `pageSize` items in order. What keeps a large account's paging from
 * costing a sort of every product on every page (O(N log N) a page, O(N²) for a whole listing).
 */
export function paginateSorted<T>(request: SortedPageRequest<T>): Page<T> {
  const { sorted, descending } = request;
  const scopeHash = hashScope(request.scope);
  // Ascending: from the first key after the cursor, upwards; descending: from the last key before it, downwards.
  let start = descending ? sorted.length - 1 : 0;
  if (request.pageToken !== undefined && request.pageToken !== '') {
    const cursor = decodeToken(request.pageToken, scopeHash);
    const firstAbove = lowerBound(sorted, (entry) => compareKeys(entry.key, cursor) > 0);
    start = descending ? lowerBound(sorted, (entry) => compareKeys(entry.key, cursor) >= 0) - 1 : firstAbove;
  }
  const size = request.pageSize === undefined || request.pageSize === 0 ? DEFAULT_PAGE_SIZE : request.pageSize;
  const left = descending ? start + 1 : sorted.length - start;
  const taken = Math.max(0, Math.min(size, left));
  const slice = Array.from({ length: taken }, (_, i) => sorted[descending ? start - i : start + i]!);
  const last = slice[slice.length - 1];
  return {
    items: slice.map((entry) => entry.item),
    nextPageToken: left > size && last ? encodeToken(last.key, scopeHash) : undefined,
    total: sorted.length,
  };
}

/** The first index whose entry satisfies `above` (a predicate false then true along the array), or the length. */
function lowerBound<T>(sorted: readonly T[], above: (entry: T) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (above(sorted[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function hashScope(scope: unknown): string {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 16);
}

function encodeToken(key: SortKey, scopeHash: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: scopeHash, k: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string, scopeHash: string): SortKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidParameters('The page token is not valid.');
  }
  if (
    typeof decoded !== 'object' ||
    decoded === null ||
    (decoded as { v?: unknown }).v !== 1 ||
    !Array.isArray((decoded as { k?: unknown }).k) ||
    !(decoded as { k: unknown[] }).k.every((part) => typeof part === 'string' || typeof part === 'number')
  ) {
    throw invalidParameters('The page token is not valid.');
  }
  if ((decoded as { s?: unknown }).s !== scopeHash) {
    throw invalidParameters('The page token does not belong to this request: repeat the same filters, sort and access level.');
  }
  return (decoded as { k: SortKey }).k;
}

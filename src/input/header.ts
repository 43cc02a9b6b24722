/**
 * Header row → HeaderMap. Pure.
 *
 * The first non-blank line of the input must name the columns. Known columns are matched after
 * trimming, ignoring case and the separators `_`, `-` and spaces:
 *
 *   provisioned product id  provisioned_product_id, ProvisionedProductId, provisioned-product-id
 *   new owner               new_owner, owner, OWNER, NewOwner, new_owner_arn, owner_arn
 *   launch role             launch_role, LAUNCH_ROLE, LaunchRole, LaunchRoleArn, new_launch_role(_arn)
 *   account (optional)      account_id, AccountId: the account the product is in (runs across accounts)
 *   region (optional)       region, Region: the region it is in, when not --region's
 *
 * A bare `id` is NOT accepted: Service Catalog has product, portfolio, artifact and record ids too,
 * and a list of the wrong ids should not look valid.
 *
 * The id column is required, and at least one of owner / launch role. A known field named twice
 * (`owner` and `new_owner`) or an extra column named twice is HEADER_DUPLICATE_COLUMN. Every other
 * column is an extra column, carried through to the results. Columns with an empty name (the
 * trailing commas spreadsheets add) are ignored: their cells are neither checked nor carried.
 */
import { quoteValue } from './format.js';
import type { HeaderMap, InputProblem } from './types.js';

export type KnownField = 'id' | 'owner' | 'launchRole' | 'account' | 'region';

/** Canonical column names, as written in the header of a new file. */
export const CANONICAL_COLUMNS = {
  id: 'provisioned_product_id',
  owner: 'new_owner',
  launchRole: 'launch_role',
  account: 'account_id',
  region: 'region',
} as const satisfies Record<KnownField, string>;

export const CANONICAL_HEADER = `${CANONICAL_COLUMNS.id},${CANONICAL_COLUMNS.owner},${CANONICAL_COLUMNS.launchRole}`;

const ALIASES: ReadonlyMap<string, KnownField> = new Map<string, KnownField>([
  ['provisionedproductid', 'id'],
  ['newowner', 'owner'],
  ['owner', 'owner'],
  ['newownerarn', 'owner'],
  ['ownerarn', 'owner'],
  ['launchrole', 'launchRole'],
  ['launchrolearn', 'launchRole'],
  ['newlaunchrole', 'launchRole'],
  ['newlaunchrolearn', 'launchRole'],
  ['accountid', 'account'],
  ['region', 'region'],
]);

const FIELD_LABEL: Record<KnownField, string> = {
  id: 'provisioned product id',
  owner: 'new owner',
  launchRole: 'launch role',
  account: 'account id',
  region: 'region',
};

/** Which known field a header cell names, if any. */
export function knownFieldOf(column: string): KnownField | undefined {
  return ALIASES.get(
    column
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, ''),
  );
}

/** True when `value` is an InputProblem rather than a HeaderMap (resolveHeader's result). */
export function isInputProblem(value: HeaderMap | InputProblem): value is InputProblem {
  return 'code' in value;
}

/**
 * Maps the header's cells to the known fields. `line` is the header's physical line (1 unless
 * blank lines precede it). Returns the first problem found.
 */
export function resolveHeader(columns: readonly string[], line = 1): HeaderMap | InputProblem {
  const names = columns.map((c) => c.trim());
  const found: Record<KnownField, { name: string; index: number }[]> = { id: [], owner: [], launchRole: [], account: [], region: [] };
  const extraColumns: string[] = [];
  const extraIndex = new Map<string, number>();
  let duplicateExtra: InputProblem | undefined;

  names.forEach((name, index) => {
    if (name === '') return;
    const field = knownFieldOf(name);
    if (field) {
      found[field].push({ name, index });
      return;
    }
    const previous = extraIndex.get(name);
    if (previous !== undefined) {
      duplicateExtra ??= problem(
        'HEADER_DUPLICATE_COLUMN',
        line,
        `the header names column ${quoteValue(name)} twice (columns ${previous + 1} and ${index + 1}); column names must be unique`,
      );
      return;
    }
    extraIndex.set(name, index);
    extraColumns.push(name);
  });

  const knownCount = found.id.length + found.owner.length + found.launchRole.length + found.account.length + found.region.length;
  if (knownCount === 0 && looksLikeData(names)) {
    return problem(
      'HEADER_MISSING',
      line,
      `the first line is data, not a header (${quoteValue(names.find(isDataLike) ?? '')}); add a first line naming the columns: ${CANONICAL_HEADER}`,
    );
  }
  for (const field of ['id', 'owner', 'launchRole', 'account', 'region'] as const) {
    const hits = found[field];
    if (hits.length > 1) {
      const list = hits.map((h) => `${quoteValue(h.name)} (column ${h.index + 1})`).join(' and ');
      return problem('HEADER_DUPLICATE_COLUMN', line, `the header has more than one ${FIELD_LABEL[field]} column: ${list}; keep one`);
    }
  }
  if (duplicateExtra) return duplicateExtra;

  const shown =
    names
      .filter((n) => n !== '')
      .map((n) => quoteValue(n, 40))
      .join(', ') || 'nothing';
  const id = found.id[0];
  if (!id) {
    const hint = names.some((n) => n.toLowerCase() === 'id') ? `; 'id' is ambiguous in Service Catalog, name the column ${CANONICAL_COLUMNS.id}` : '';
    return problem(
      'HEADER_MISSING_COLUMN',
      line,
      `the header has no ${CANONICAL_COLUMNS.id} column (found ${shown})${hint}; the header must be ${CANONICAL_HEADER}`,
    );
  }
  const owner = found.owner[0];
  const launchRole = found.launchRole[0];
  if (!owner && !launchRole) {
    return problem(
      'HEADER_MISSING_COLUMN',
      line,
      `the header has neither a ${CANONICAL_COLUMNS.owner} nor a ${CANONICAL_COLUMNS.launchRole} column (found ${shown}); the header must be ${CANONICAL_HEADER}`,
    );
  }
  return {
    columns: names,
    idColumn: id.name,
    ownerColumn: owner?.name,
    launchRoleColumn: launchRole?.name,
    ...(found.account[0] === undefined ? {} : { accountColumn: found.account[0].name }),
    ...(found.region[0] === undefined ? {} : { regionColumn: found.region[0].name }),
    extraColumns,
  };
}

function isDataLike(cell: string): boolean {
  return /^arn:/i.test(cell) || /^pp-[a-z0-9]{4,}$/i.test(cell);
}

function looksLikeData(cells: readonly string[]): boolean {
  return cells.some(isDataLike);
}

function problem(code: InputProblem['code'], line: number, message: string): InputProblem {
  return { code, line, message };
}

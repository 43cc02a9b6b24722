/**
 * SearchProvisionedProducts' `Filters: {SearchQuery: [...]}`. A term `field:value` matches when
 * that field equals the value; a bare term matches when any searchable field contains it. Both
 * ignore case. Several terms must all match. Field names are the documented searchable fields.
 */
import type { ProductView } from './catalog-store.js';
import { invalidParameters } from './service-error.js';

type Getter = (product: ProductView) => string | undefined;

/**
 * Searchable fields by lower-cased name. `tags` is documented but how a term matches a tag is not,
 * so `tags:` matches nothing here (Search still answers each product's tags).
 */
const FIELDS: Readonly<Record<string, Getter>> = {
  arn: (p) => p.arn,
  createdtime: (p) => new Date(p.createdAt).toISOString(),
  id: (p) => p.id,
  lastrecordid: (p) => p.lastRecordId,
  idempotencytoken: (p) => p.idempotencyToken,
  name: (p) => p.name,
  physicalid: (p) => p.physicalId,
  productid: (p) => p.productId,
  provisioningartifactid: (p) => p.provisioningArtifactId,
  // The model's list names `provisioningArtifact` (not `...Id`): matched against the id or the name.
  provisioningartifact: (p) => p.provisioningArtifactId,
  type: () => 'CFN_STACK',
  status: (p) => p.status,
  tags: () => undefined,
  userarn: (p) => p.owner,
  userarnsession: (p) => p.owner,
  lastprovisioningrecordid: (p) => p.lastProvisioningRecordId,
  lastsuccessfulprovisioningrecordid: (p) => p.lastSuccessfulProvisioningRecordId,
  productname: (p) => p.productName,
  provisioningartifactname: (p) => p.provisioningArtifactName,
};

/** Fields a bare term is compared with. */
const BARE_FIELDS = ['id', 'name', 'userarn', 'userarnsession', 'status', 'arn', 'productname', 'productid'];

export type ProductPredicate = (product: ProductView) => boolean;

/** Every product matches: no filter, or none but blank terms (a query any page can be cut from a presorted order). */
export const MATCHES_ALL: ProductPredicate = () => true;

/** The filters' predicate; `MATCHES_ALL` itself when they hold no term. */
export function parseFilters(filters: Record<string, unknown> | undefined): ProductPredicate {
  if (!filters) return MATCHES_ALL;
  const predicates: ProductPredicate[] = [];
  for (const [key, values] of Object.entries(filters)) {
    if (key !== 'SearchQuery') {
      throw invalidParameters(`Filter key '${key}' is not supported. The only valid key is SearchQuery.`);
    }
    for (const term of (values as string[] | null) ?? []) {
      if (term === null || term.trim() === '') continue;
      predicates.push(parseTerm(term.trim()));
    }
  }
  if (predicates.length === 0) return MATCHES_ALL;
  return (product) => predicates.every((predicate) => predicate(product));
}

/**
 * The id a query asks for when its only term is `id:VALUE` (lower-cased, as terms match), else
 * undefined: such a query (one product's read, as preflight makes per row) needs no pass over the
 * account. The predicate from `parseFilters` still decides.
 */
export function onlyIdTerm(filters: Record<string, unknown> | undefined): string | undefined {
  const terms = ((filters?.SearchQuery as string[] | null | undefined) ?? []).filter((term) => term !== null && term.trim() !== '');
  if (Object.keys(filters ?? {}).length !== 1 || terms.length !== 1) return undefined;
  const term = terms[0]!.trim();
  return term.slice(0, 3).toLowerCase() === 'id:' ? term.slice(3).toLowerCase() : undefined;
}

function parseTerm(term: string): ProductPredicate {
  const colon = term.indexOf(':');
  const field = colon > 0 ? term.slice(0, colon).toLowerCase() : undefined;
  // `arn:aws:...` as a bare term would read as the field `arn`; an ARN value never starts with
  // a partition-less 'aws:' though, so treat `arn:aws…` as a bare term.
  const getter = field !== undefined && !(field === 'arn' && /^arn:aws/i.test(term)) ? FIELDS[field] : undefined;
  if (getter) {
    const wanted = term.slice(colon + 1).toLowerCase();
    if (field === 'provisioningartifact') {
      return (product) => [product.provisioningArtifactId, product.provisioningArtifactName].some((value) => (value ?? '').toLowerCase() === wanted);
    }
    if (field === 'createdtime') return createdTimeMatcher(wanted);
    return (product) => (getter(product) ?? '').toLowerCase() === wanted;
  }
  // Any other `name:` that reads as a field name (letters, digits, `_`, `-`) is an unknown field,
  // refused the same way whatever its spelling; anything else is a free-text term.
  if (field !== undefined && /^[a-z][a-z0-9_-]*$/.test(field) && field !== 'arn') {
    throw invalidParameters(`SearchQuery field '${term.slice(0, colon)}' is not searchable.`);
  }
  const needle = term.toLowerCase();
  return (product) => BARE_FIELDS.some((name) => (FIELDS[name]!(product) ?? '').toLowerCase().includes(needle));
}

/**
 * `createdTime:` with an ISO-8601 time, with or without milliseconds (`2023-03-14T09:21:07Z` or
 * `...07.000Z`): the same instant, to the precision given.
 */
function createdTimeMatcher(wanted: string): ProductPredicate {
  const at = Date.parse(wanted);
  if (!Number.isFinite(at)) return (product) => new Date(product.createdAt).toISOString().toLowerCase() === wanted;
  const toSeconds = !/\.\d+/.test(wanted);
  return (product) => (toSeconds ? Math.floor(product.createdAt / 1000) * 1000 : product.createdAt) === at;
}

/**
 * The served operations with Service Catalog's semantics, after shape validation. Service-level
 * refusals (unknown property keys or enum values, bad ARNs, bad tokens, missing either-or members)
 * are InvalidParametersException, as the service's own checks answer.
 */
import { launchRoleProblem, ownerProblem, roleOf } from './arn-rules.js';
import { ACCESS_LEVEL_KEYS, PROPERTY_KEYS } from './constants.js';
import type { AccessLevelKey, OperationName, PropertyKey } from './constants.js';
import type { CatalogStore, ProductView, RecordView, StableSortField } from './catalog-store.js';
import { paginate, paginateSorted } from './paging.js';
import type { SortKey } from './paging.js';
import { MATCHES_ALL, onlyIdTerm, parseFilters } from './search-query.js';
import { invalidParameters, resourceNotFound } from './service-error.js';
import { provisionedProductAttribute, provisionedProductDetail, recordDetail } from './wire-format.js';

export interface OperationContext {
  readonly store: CatalogStore;
  readonly callerArn: string;
  readonly now: () => number;
  /** SearchProvisionedProducts' access level when the request names none (see `DEFAULT_SEARCH_ACCESS`). */
  readonly searchDefaultAccess?: AccessLevelKey;
  /**
   * The `shuffleUnsortedPages` fault: a fresh random rank per product for this request, or
   * undefined for the stable order. AWS documents that pages of an unsorted Search can repeat or
   * skip products between requests; with this on, a lister that forgets to sort fails here too.
   */
  readonly unsortedRank?: () => ((ordinal: number) => number) | undefined;
}

/**
 * SearchProvisionedProducts without an AccessLevelFilter: the current API reference, the AWS CLI
 * v2 and boto3 documentation say `Account`; older versions of the same documentation and the
 * service model in shared/reference say `User`. The emulator follows the current reference and
 * keeps `User` as an option (`searchDefaultAccessLevel`) for scripts written against the older
 * behaviour. Scan and ListRecordHistory default to `User` in every version.
 */
export const DEFAULT_SEARCH_ACCESS: AccessLevelKey = 'Account';

type Params = Record<string, unknown>;
export type OperationHandler = (params: Params) => Record<string, unknown>;

export function createOperations(context: OperationContext): Readonly<Record<OperationName, OperationHandler>> {
  return {
    UpdateProvisionedProductProperties: (params) => updateProvisionedProductProperties(context, params),
    DescribeRecord: (params) => describeRecord(context, params),
    DescribeProvisionedProduct: (params) => describeProvisionedProduct(context, params),
    SearchProvisionedProducts: (params) => searchProvisionedProducts(context, params),
    ScanProvisionedProducts: (params) => scanProvisionedProducts(context, params),
    ListRecordHistory: (params) => listRecordHistory(context, params),
  };
}

function updateProvisionedProductProperties(context: OperationContext, params: Params): Record<string, unknown> {
  const productId = params.ProvisionedProductId as string;
  const requested = params.ProvisionedProductProperties as Record<string, string>;
  const token = params.IdempotencyToken as string;
  const { accountId } = context.store;
  const properties: Partial<Record<PropertyKey, string>> = {};
  for (const [key, value] of Object.entries(requested)) {
    if (value === null) continue;
    if (!(PROPERTY_KEYS as readonly string[]).includes(key)) {
      throw invalidParameters(`Invalid provisioned product property key '${key}'. Valid keys are ${PROPERTY_KEYS.join(', ')}.`);
    }
    const partition = context.store.partition;
    const problem = key === 'OWNER' ? ownerProblem(value, accountId, partition) : launchRoleProblem(value, accountId, partition);
    if (problem) throw invalidParameters(problem);
    properties[key as PropertyKey] = value;
  }
  if (Object.keys(properties).length === 0) {
    throw invalidParameters('ProvisionedProductProperties must contain OWNER or LAUNCH_ROLE.');
  }
  const result = context.store.updateProperties({ productId, properties, token }, context.now());
  return {
    ProvisionedProductId: productId,
    ProvisionedProductProperties: { ...properties },
    RecordId: result.recordId,
    Status: result.status,
  };
}

function describeRecord(context: OperationContext, params: Params): Record<string, unknown> {
  const id = params.Id as string;
  const record = context.store.record(id, context.now());
  if (!record) throw resourceNotFound(`Record ${id} not found.`);
  // Records of this emulator have no outputs; paging still validates the token it is given.
  const outputs = paginate({
    items: [] as never[],
    key: () => [],
    descending: false,
    pageSize: params.PageSize as number | undefined,
    pageToken: params.PageToken as string | undefined,
    scope: ['DescribeRecord', id],
  });
  return { RecordDetail: recordDetail(record), RecordOutputs: outputs.items, ...nextToken(outputs.nextPageToken) };
}

function describeProvisionedProduct(context: OperationContext, params: Params): Record<string, unknown> {
  const id = params.Id as string | undefined;
  const name = params.Name as string | undefined;
  if (id !== undefined && name !== undefined) throw invalidParameters('Specify either Id or Name, not both.');
  if (id === undefined && name === undefined) throw invalidParameters('Either Id or Name must be specified.');
  const now = context.now();
  const product = id !== undefined ? context.store.product(id, now) : context.store.productByName(name!, now);
  if (!product) {
    throw resourceNotFound(id !== undefined ? `Provisioned product ${id} not found.` : `Provisioned product named ${name} not found.`);
  }
  return { ProvisionedProductDetail: provisionedProductDetail(product), CloudWatchDashboards: [] };
}

const SORT_FIELDS: Readonly<Record<string, (product: ProductView) => string | number>> = {
  arn: (p) => p.arn,
  id: (p) => p.id,
  name: (p) => p.name,
  lastRecordId: (p) => p.lastRecordId,
  createdTime: (p) => p.createdAt,
};

function searchProvisionedProducts(context: OperationContext, params: Params): Record<string, unknown> {
  const access = accessLevel(params.AccessLevelFilter, context.searchDefaultAccess ?? DEFAULT_SEARCH_ACCESS);
  const matches = parseFilters(params.Filters as Record<string, unknown> | undefined);
  const sortBy = params.SortBy as string | undefined;
  const sortOrder = (params.SortOrder as string | undefined) ?? 'ASCENDING';
  if (sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING') {
    throw invalidParameters(`Invalid SortOrder '${sortOrder}'. Valid values are ASCENDING, DESCENDING.`);
  }
  const sortField = sortBy === undefined || sortBy === '' ? undefined : SORT_FIELDS[sortBy];
  if (sortBy !== undefined && sortBy !== '' && !sortField) {
    throw invalidParameters(`Invalid SortBy '${sortBy}'. Valid values are ${Object.keys(SORT_FIELDS).join(', ')}.`);
  }
  const rank = sortField === undefined ? context.unsortedRank?.() : undefined;
  const paging = {
    descending: sortField !== undefined && sortOrder === 'DESCENDING',
    pageSize: params.PageSize as number | undefined,
    pageToken: params.PageToken as string | undefined,
    scope: ['SearchProvisionedProducts', access, params.Filters ?? null, sortBy ?? null, sortOrder],
  };
  // The whole account in a fixed order (what plan, preflight and snapshot ask): the page is cut
  // from the store's presorted order, with a view made of its products only.
  const stable = sortField === undefined ? (rank === undefined ? 'ordinal' : undefined) : STABLE_SORT_FIELDS[sortBy!];
  if (access === 'Account' && matches === MATCHES_ALL && stable !== undefined) {
    const page = paginateSorted({ ...paging, sorted: context.store.orderedBy(stable) });
    return {
      ProvisionedProducts: context.store.productsOf(page.items, context.now()).map(provisionedProductAttribute),
      TotalResultsCount: page.total,
      ...nextToken(page.nextPageToken),
    };
  }
  // One product asked for by id: only it is looked at, not every product of the account.
  const idAsked = onlyIdTerm(params.Filters as Record<string, unknown> | undefined);
  const candidates = idAsked === undefined ? context.store.allProducts(context.now()) : context.store.productsWithId(idAsked, context.now());
  const visible = candidates.filter((product) => ownerVisible(access, product.owner, context.callerArn) && matches(product));
  const page = paginate({
    ...paging,
    items: visible,
    key: (product): SortKey => (sortField ? [sortField(product), product.ordinal] : rank ? [rank(product.ordinal), product.ordinal] : [product.ordinal]),
  });
  return {
    ProvisionedProducts: page.items.map(provisionedProductAttribute),
    TotalResultsCount: page.total,
    ...nextToken(page.nextPageToken),
  };
}

/** Search's sort fields that are fixed once a product is seeded, by their store field. */
const STABLE_SORT_FIELDS: Readonly<Record<string, StableSortField>> = { arn: 'arn', id: 'id', name: 'name', createdTime: 'createdAt' };

function scanProvisionedProducts(context: OperationContext, params: Params): Record<string, unknown> {
  const access = accessLevel(params.AccessLevelFilter);
  const paging = {
    descending: false,
    pageSize: params.PageSize as number | undefined,
    pageToken: params.PageToken as string | undefined,
    scope: ['ScanProvisionedProducts', access],
  };
  if (access === 'Account') {
    const page = paginateSorted({ ...paging, sorted: context.store.orderedBy('ordinal') });
    return { ProvisionedProducts: context.store.productsOf(page.items, context.now()).map(provisionedProductDetail), ...nextToken(page.nextPageToken) };
  }
  const visible = context.store.allProducts(context.now()).filter((product) => ownerVisible(access, product.owner, context.callerArn));
  const page = paginate({ ...paging, items: visible, key: (product) => [product.ordinal] });
  return { ProvisionedProducts: page.items.map(provisionedProductDetail), ...nextToken(page.nextPageToken) };
}

function listRecordHistory(context: OperationContext, params: Params): Record<string, unknown> {
  const access = accessLevel(params.AccessLevelFilter);
  const filter = params.SearchFilter as { Key?: string; Value?: string } | undefined;
  let matches: (record: RecordView) => boolean = () => true;
  if (filter && (filter.Key !== undefined || filter.Value !== undefined)) {
    const value = filter.Value ?? '';
    if (filter.Key === 'product') matches = (record) => record.productId === value;
    else if (filter.Key === 'provisionedproduct') matches = (record) => record.provisionedProductId === value;
    else throw invalidParameters(`Invalid SearchFilter key '${filter.Key ?? ''}'. Valid keys are product, provisionedproduct.`);
  }
  const now = context.now();
  const currentOwners = new Map(context.store.allProducts(now).map((product) => [product.id, product.owner]));
  // A record is the caller's when the caller owned the product then (history stays visible after a
  // transfer) or owns it now (the new owner sees all past records), as the API reference describes.
  const visible = context.store
    .allRecords(now)
    .filter(
      (record) =>
        matches(record) &&
        (ownerVisible(access, record.ownerArn, context.callerArn) ||
          ownerVisible(access, currentOwners.get(record.provisionedProductId) ?? '', context.callerArn)),
    );
  const page = paginate({
    items: visible,
    key: (record) => [record.createdAt, record.seq],
    descending: true,
    pageSize: params.PageSize as number | undefined,
    pageToken: params.PageToken as string | undefined,
    scope: ['ListRecordHistory', access, filter ?? null],
  });
  return { RecordDetails: page.items.map(recordDetail), ...nextToken(page.nextPageToken) };
}

/**
 * AccessLevelFilter; absent means `fallback` (User, but for Search). The only value is the caller
 * itself: the model's documentation writes `Self`, the current API reference `self`, and scripts in
 * public use send either, so it is matched without regard to case.
 */
function accessLevel(filter: unknown, fallback: AccessLevelKey = 'User'): AccessLevelKey {
  if (filter === undefined || filter === null) return fallback;
  const { Key: key, Value: value } = filter as { Key?: string; Value?: string };
  if (key === undefined) return fallback;
  if (!(ACCESS_LEVEL_KEYS as readonly string[]).includes(key)) {
    throw invalidParameters(`Invalid AccessLevelFilter key '${key}'. Valid keys are ${ACCESS_LEVEL_KEYS.join(', ')}.`);
  }
  if (value?.toLowerCase() !== 'self') throw invalidParameters(`Invalid AccessLevelFilter value '${value ?? ''}'. The only supported value is Self.`);
  return key as AccessLevelKey;
}

function ownerVisible(access: AccessLevelKey, owner: string, callerArn: string): boolean {
  if (access === 'Account') return true;
  if (access === 'User') return owner === callerArn;
  const role = roleOf(callerArn);
  return role !== undefined && roleOf(owner) === role;
}

function nextToken(token: string | undefined): { NextPageToken?: string } {
  return token === undefined ? {} : { NextPageToken: token };
}

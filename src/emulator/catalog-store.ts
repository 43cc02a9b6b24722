/**
 * The account's provisioned products and records. Time-dependent facts (record status, whether a
 * product is UNDER_CHANGE, whether a change is applied yet) are computed from the clock reading
 * passed in, never from timers: a record is CREATED for `recordDelayMs`, IN_PROGRESS for another
 * `recordDelayMs`, then SUCCEEDED, and its properties are applied by `settle(now)` the first time
 * anyone looks after that moment. A manual clock therefore drives the whole lifecycle.
 */
import type { PropertyKey, ProvisionedProductStatus, RecordStatus, RecordType } from './constants.js';
import { hashAlnum, hashUuid } from './prng.js';
import { compareKeys, type Keyed } from './paging.js';
import { invalidParameters, invalidState, resourceNotFound } from './service-error.js';
import type { AccountSeed, SeedProduct } from './types.js';

/** Mutable facts of one provisioned product (times in epoch ms). */
interface ProductState {
  readonly ordinal: number;
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly productId: string;
  readonly productName: string;
  readonly provisioningArtifactId: string;
  readonly provisioningArtifactName: string;
  readonly physicalId: string;
  readonly idempotencyToken: string;
  readonly createdAt: number;
  readonly baseStatus: ProvisionedProductStatus;
  readonly statusMessage: string | undefined;
  readonly lastProvisioningRecordId: string;
  readonly lastSuccessfulProvisioningRecordId: string | undefined;
  /** Its tags as seeded, key → value (Search answers them). */
  readonly tags: Readonly<Record<string, string>>;
  owner: string;
  launchRole: string | undefined;
  lastRecordId: string;
  pendingRecordId: string | undefined;
  readonly recordIds: string[];
}

interface RecordState {
  readonly seq: number;
  readonly id: string;
  readonly type: RecordType;
  readonly provisionedProductId: string;
  readonly provisionedProductName: string;
  readonly productId: string;
  readonly provisioningArtifactId: string;
  readonly pathId: string;
  readonly createdAt: number;
  /** Time spent in CREATED and again in IN_PROGRESS; 0 = finished when created. */
  readonly delayMs: number;
  /** Final status of seeded provisioning records. */
  readonly seededStatus?: RecordStatus;
  /** An update that ends FAILED (the `failUpdates` fault): its properties are never applied. */
  readonly fails?: boolean;
  readonly ownerArn: string;
  readonly launchRoleArn: string | undefined;
  readonly properties?: Readonly<Partial<Record<PropertyKey, string>>>;
  readonly idempotencyToken?: string;
  readonly errors: readonly { Code: string; Description: string }[];
}

/** Fields a page can be sorted by that are fixed once a product is seeded. */
export type StableSortField = 'id' | 'name' | 'arn' | 'createdAt' | 'ordinal';

export interface ProductView extends Omit<ProductState, 'pendingRecordId' | 'recordIds' | 'baseStatus'> {
  readonly status: ProvisionedProductStatus;
  readonly recordIds: readonly string[];
}

export interface RecordView extends RecordState {
  readonly status: RecordStatus;
  readonly updatedAt: number;
}

export interface UpdateRequest {
  readonly productId: string;
  readonly properties: Readonly<Partial<Record<PropertyKey, string>>>;
  readonly token: string;
}

export interface UpdateResult {
  readonly recordId: string;
  readonly status: RecordStatus;
  /** True when the token was seen before with the same parameters: nothing was applied. */
  readonly replayed: boolean;
}

export interface CatalogStoreOptions {
  readonly seed: AccountSeed;
  readonly region: string;
  readonly recordDelayMs: number;
  /** Makes the id of a new record (`rec-…`). */
  readonly newRecordId: () => string;
  /** Extra UNDER_CHANGE holds (the `underChange` fault). */
  readonly isHeld: (productId: string, now: number) => boolean;
  /** Updates of this product end FAILED (the `failUpdates` fault). */
  readonly failsUpdate?: (productId: string) => boolean;
}

const DAY_MS = 86_400_000;
/** Seeded products without createdTime are spread over days from here, in seed order. */
const SEED_EPOCH_MS = Date.UTC(2023, 0, 2, 9, 0, 0);

export class CatalogStore {
  readonly accountId: string;
  /** The region these products are in. */
  readonly region: string;
  /** The partition of the region served: an OWNER or LAUNCH_ROLE must be in it. */
  readonly partition: string;
  private readonly products = new Map<string, ProductState>();
  private readonly productIdsByName = new Map<string, string>();
  private readonly records = new Map<string, RecordState>();
  /** Products whose latest record has not been applied yet. */
  private readonly pending = new Set<string>();
  private readonly tokens = new Map<string, { productId: string; propertiesKey: string; recordId: string }>();
  private nextRecordSeq = 0;
  /** Page keys by stable sort field, each computed on first use (see `orderedBy`). */
  private readonly orders = new Map<StableSortField, readonly Keyed<string>[]>();
  /** Product ids by their lower-cased id, made on first use (the products never change). */
  private idsByLowerId: Map<string, string[]> | undefined;

  constructor(private readonly options: CatalogStoreOptions) {
    this.accountId = options.seed.accountId;
    this.region = options.region;
    this.partition = partitionOf(options.region);
    options.seed.products.forEach((product, index) => this.addSeeded(product, index));
  }

  /** Applies every change whose record has SUCCEEDED by `now`. */
  settle(now: number): void {
    for (const productId of [...this.pending]) {
      const product = this.products.get(productId)!;
      const record = this.records.get(product.pendingRecordId!)!;
      if (now < finishedAt(record)) continue;
      if (record.fails === true) {
        product.pendingRecordId = undefined;
        this.pending.delete(productId);
        continue;
      }
      if (record.properties?.OWNER !== undefined) product.owner = record.properties.OWNER;
      if (record.properties?.LAUNCH_ROLE !== undefined) product.launchRole = record.properties.LAUNCH_ROLE;
      product.pendingRecordId = undefined;
      this.pending.delete(productId);
    }
  }

  product(id: string, now: number): ProductView | undefined {
    this.settle(now);
    const state = this.products.get(id);
    return state ? this.view(state, now) : undefined;
  }

  productByName(name: string, now: number): ProductView | undefined {
    const id = this.productIdsByName.get(name);
    return id === undefined ? undefined : this.product(id, now);
  }

  /** Every product in seed order. */
  allProducts(now: number): ProductView[] {
    this.settle(now);
    return [...this.products.values()].map((state) => this.view(state, now));
  }

  /**
   * Every product id with its page key for a sort on a field fixed at seeding, in ascending key
   * order: `[field, ordinal]`, or `[ordinal]` for the seed's own order. Computed once: products
   * are neither created nor deleted here, and these fields never change.
   */
  orderedBy(field: StableSortField): readonly Keyed<string>[] {
    let order = this.orders.get(field);
    if (order === undefined) {
      const keyed = [...this.products.values()].map((state) => ({
        item: state.id,
        key: field === 'ordinal' ? [state.ordinal] : [state[field], state.ordinal],
      }));
      order = keyed.sort((a, b) => compareKeys(a.key, b.key));
      this.orders.set(field, order);
    }
    return order;
  }

  /** Every product whose id is `lowerId` ignoring case (as Search's `id:` term matches), in seed order. */
  productsWithId(lowerId: string, now: number): ProductView[] {
    if (this.idsByLowerId === undefined) {
      this.idsByLowerId = new Map();
      for (const id of this.products.keys()) this.idsByLowerId.set(id.toLowerCase(), [...(this.idsByLowerId.get(id.toLowerCase()) ?? []), id]);
    }
    return this.productsOf(this.idsByLowerId.get(lowerId) ?? [], now);
  }

  /** The products of `ids`, in that order, as they are at `now`. */
  productsOf(ids: readonly string[], now: number): ProductView[] {
    this.settle(now);
    return ids.map((id) => this.view(this.products.get(id)!, now));
  }

  record(id: string, now: number): RecordView | undefined {
    this.settle(now);
    const state = this.records.get(id);
    return state ? recordView(state, now) : undefined;
  }

  /** Every record in creation order. */
  allRecords(now: number): RecordView[] {
    this.settle(now);
    return [...this.records.values()].map((state) => recordView(state, now));
  }

  /**
   * UpdateProvisionedProductProperties after the request passed shape validation and property
   * checks. Idempotency comes first, as on AWS: a retried call must get its record back even
   * though the product is now UNDER_CHANGE because of that very call.
   */
  updateProperties(request: UpdateRequest, now: number): UpdateResult {
    this.settle(now);
    const propertiesKey = canonicalProperties(request.properties);
    const previous = this.tokens.get(request.token);
    if (previous) {
      if (previous.productId !== request.productId || previous.propertiesKey !== propertiesKey) {
        throw invalidParameters(
          `The idempotency token '${request.token}' was already used with different parameters (provisioned product ${previous.productId}).`,
        );
      }
      const record = this.records.get(previous.recordId)!;
      return { recordId: record.id, status: recordView(record, now).status, replayed: true };
    }
    const product = this.products.get(request.productId);
    if (!product) throw resourceNotFound(`Provisioned product ${request.productId} not found.`);
    const status = this.view(product, now).status;
    if (status === 'UNDER_CHANGE' || status === 'PLAN_IN_PROGRESS') {
      throw invalidState(`Provisioned product ${product.id} is in ${status} state and cannot be updated. Try again after the current operation completes.`);
    }
    const record: RecordState = {
      seq: this.nextRecordSeq++,
      id: this.uniqueRecordId(),
      type: 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES',
      provisionedProductId: product.id,
      provisionedProductName: product.name,
      productId: product.productId,
      provisioningArtifactId: product.provisioningArtifactId,
      pathId: pathIdOf(product.productId),
      createdAt: now,
      delayMs: this.options.recordDelayMs,
      ownerArn: product.owner,
      launchRoleArn: request.properties.LAUNCH_ROLE ?? product.launchRole,
      properties: { ...request.properties },
      idempotencyToken: request.token,
      errors: [],
      ...(this.options.failsUpdate?.(product.id) === true ? { fails: true } : {}),
    };
    this.records.set(record.id, record);
    this.tokens.set(request.token, { productId: product.id, propertiesKey, recordId: record.id });
    product.recordIds.push(record.id);
    product.lastRecordId = record.id;
    product.pendingRecordId = record.id;
    this.pending.add(product.id);
    this.settle(now);
    return { recordId: record.id, status: recordView(record, now).status, replayed: false };
  }

  private uniqueRecordId(): string {
    let id: string;
    do id = this.options.newRecordId();
    while (this.records.has(id));
    return id;
  }

  private view(state: ProductState, now: number): ProductView {
    const { pendingRecordId, baseStatus, recordIds, ...rest } = state;
    const status: ProvisionedProductStatus = pendingRecordId !== undefined || this.options.isHeld(state.id, now) ? 'UNDER_CHANGE' : baseStatus;
    return { ...rest, status, recordIds: [...recordIds] };
  }

  private addSeeded(seed: SeedProduct, index: number): void {
    const { accountId } = this.options.seed;
    const region = this.options.region;
    const partition = partitionOf(region);
    const createdAt = seed.createdTime ? Date.parse(seed.createdTime) : SEED_EPOCH_MS + index * DAY_MS;
    const productId = seed.productId ?? `prod-${hashAlnum(`${seed.id}/product`, 13)}`;
    const provisioningArtifactId = seed.provisioningArtifactId ?? `pa-${hashAlnum(`${productId}/artifact`, 13)}`;
    const baseStatus = seed.status ?? 'AVAILABLE';
    const provisioning: RecordState = {
      seq: this.nextRecordSeq++,
      id: `rec-${hashAlnum(`${seed.id}/provision`, 13)}`,
      type: 'PROVISION_PRODUCT',
      provisionedProductId: seed.id,
      provisionedProductName: seed.name,
      productId,
      provisioningArtifactId,
      pathId: pathIdOf(productId),
      createdAt,
      delayMs: 0,
      seededStatus: baseStatus === 'ERROR' ? 'FAILED' : 'SUCCEEDED',
      ownerArn: seed.owner,
      launchRoleArn: seed.launchRole,
      errors: baseStatus === 'ERROR' ? [{ Code: 'ProvisioningFailed', Description: seed.statusMessage ?? 'Stack creation failed.' }] : [],
    };
    this.records.set(provisioning.id, provisioning);
    this.products.set(seed.id, {
      ordinal: index,
      id: seed.id,
      name: seed.name,
      arn: `arn:${partition}:servicecatalog:${region}:${accountId}:stack/${seed.name}/${seed.id}`,
      productId,
      productName: seed.productName ?? seed.name,
      provisioningArtifactId,
      provisioningArtifactName: seed.provisioningArtifactName ?? 'v1.0',
      physicalId: `arn:${partition}:cloudformation:${region}:${accountId}:stack/SC-${accountId}-${seed.id}/${hashUuid(seed.id)}`,
      idempotencyToken: hashUuid(`${seed.id}/token`),
      createdAt,
      baseStatus,
      statusMessage: seed.statusMessage,
      lastProvisioningRecordId: provisioning.id,
      lastSuccessfulProvisioningRecordId: baseStatus === 'ERROR' ? undefined : provisioning.id,
      tags: { ...seed.tags },
      owner: seed.owner,
      launchRole: seed.launchRole,
      lastRecordId: provisioning.id,
      pendingRecordId: undefined,
      recordIds: [provisioning.id],
    });
    this.productIdsByName.set(seed.name, seed.id);
  }
}

function finishedAt(record: RecordState): number {
  return record.createdAt + 2 * record.delayMs;
}

/** Status is a pure function of elapsed time: CREATED → IN_PROGRESS → SUCCEEDED. */
function recordView(record: RecordState, now: number): RecordView {
  if (record.seededStatus) return { ...record, status: record.seededStatus, updatedAt: record.createdAt };
  const elapsed = now - record.createdAt;
  if (record.delayMs <= 0 || elapsed >= 2 * record.delayMs) {
    if (record.fails === true) {
      const errors = [{ Code: 'UpdateFailed', Description: 'The update failed (emulator fault failUpdates).' }];
      return { ...record, status: 'FAILED', errors, updatedAt: finishedAt(record) };
    }
    return { ...record, status: 'SUCCEEDED', updatedAt: finishedAt(record) };
  }
  if (elapsed >= record.delayMs) return { ...record, status: 'IN_PROGRESS', updatedAt: record.createdAt + record.delayMs };
  return { ...record, status: 'CREATED', updatedAt: record.createdAt };
}

/** Same parameters ⇔ same key, whatever order the client serialised the map in. */
function canonicalProperties(properties: Readonly<Record<string, string | undefined>>): string {
  return JSON.stringify(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function pathIdOf(productId: string): string {
  return `lpv3-${hashAlnum(`${productId}/path`, 12)}`;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Store views → the response structures of the model (ProvisionedProductDetail,
 * ProvisionedProductAttribute, RecordDetail) and → the JSON snapshots of `/_emulator/state`.
 * Timestamps go out as epoch seconds, as the JSON 1.1 protocol sends them; snapshots use ISO-8601.
 */
import { PROVISIONED_PRODUCT_TYPE } from './constants.js';
import type { ProductView, RecordView } from './catalog-store.js';
import type { ProductSnapshot, RecordSnapshot } from './types.js';

export const epochSeconds = (ms: number): number => ms / 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** Drops undefined members so absent values are absent on the wire, not null. */
function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Members ProvisionedProductDetail and ProvisionedProductAttribute have in common, same names. */
function sharedProductFields(product: ProductView): Record<string, unknown> {
  return {
    Name: product.name,
    Arn: product.arn,
    Type: PROVISIONED_PRODUCT_TYPE,
    Id: product.id,
    Status: product.status,
    StatusMessage: product.statusMessage,
    CreatedTime: epochSeconds(product.createdAt),
    IdempotencyToken: product.idempotencyToken,
    LastRecordId: product.lastRecordId,
    LastProvisioningRecordId: product.lastProvisioningRecordId,
    LastSuccessfulProvisioningRecordId: product.lastSuccessfulProvisioningRecordId,
  };
}

export function provisionedProductDetail(product: ProductView): Record<string, unknown> {
  return compact({
    ...sharedProductFields(product),
    ProductId: product.productId,
    ProvisioningArtifactId: product.provisioningArtifactId,
    LaunchRoleArn: product.launchRole,
  });
}

/**
 * SearchProvisionedProducts' view. UserArn is the owner exactly as set; UserArnSession is filled
 * for every owner (AWS fills it too) and equals UserArn, which for an assumed-role owner is the
 * session ARN itself. Tags are the seed's, in the order it lists them (`[]` when none).
 */
export function provisionedProductAttribute(product: ProductView): Record<string, unknown> {
  return compact({
    ...sharedProductFields(product),
    Tags: Object.entries(product.tags).map(([Key, Value]) => ({ Key, Value })),
    PhysicalId: product.physicalId,
    ProductId: product.productId,
    ProductName: product.productName,
    ProvisioningArtifactId: product.provisioningArtifactId,
    ProvisioningArtifactName: product.provisioningArtifactName,
    UserArn: product.owner,
    UserArnSession: product.owner,
  });
}

export function recordDetail(record: RecordView): Record<string, unknown> {
  return compact({
    RecordId: record.id,
    ProvisionedProductName: record.provisionedProductName,
    Status: record.status,
    CreatedTime: epochSeconds(record.createdAt),
    UpdatedTime: epochSeconds(record.updatedAt),
    ProvisionedProductType: PROVISIONED_PRODUCT_TYPE,
    RecordType: record.type,
    ProvisionedProductId: record.provisionedProductId,
    ProductId: record.productId,
    ProvisioningArtifactId: record.provisioningArtifactId,
    PathId: record.pathId,
    RecordErrors: record.errors.map((error) => ({ ...error })),
    RecordTags: [],
    LaunchRoleArn: record.launchRoleArn,
  });
}

export function productSnapshot(product: ProductView): ProductSnapshot {
  return compact({
    id: product.id,
    name: product.name,
    arn: product.arn,
    type: PROVISIONED_PRODUCT_TYPE,
    status: product.status,
    statusMessage: product.statusMessage,
    owner: product.owner,
    launchRole: product.launchRole,
    productId: product.productId,
    productName: product.productName,
    provisioningArtifactId: product.provisioningArtifactId,
    provisioningArtifactName: product.provisioningArtifactName,
    physicalId: product.physicalId,
    idempotencyToken: product.idempotencyToken,
    createdTime: iso(product.createdAt),
    lastRecordId: product.lastRecordId,
    lastProvisioningRecordId: product.lastProvisioningRecordId,
    lastSuccessfulProvisioningRecordId: product.lastSuccessfulProvisioningRecordId,
    recordIds: [...product.recordIds],
  }) as ProductSnapshot;
}

export function recordSnapshot(record: RecordView): RecordSnapshot {
  return compact({
    id: record.id,
    recordType: record.type,
    status: record.status,
    provisionedProductId: record.provisionedProductId,
    provisionedProductName: record.provisionedProductName,
    productId: record.productId,
    provisioningArtifactId: record.provisioningArtifactId,
    pathId: record.pathId,
    createdTime: iso(record.createdAt),
    updatedTime: iso(record.updatedAt),
    ownerArn: record.ownerArn,
    launchRoleArn: record.launchRoleArn,
    properties: record.properties ? { ...record.properties } : undefined,
    idempotencyToken: record.idempotencyToken,
  }) as RecordSnapshot;
}

/**
 * Facts copied from the official Service Catalog service model (servicecatalog-2015-12-10) and the
 * API reference, so the emulator never reads the model at run time.
 */

/** `targetPrefix` of the model: every request names `AWS242ServiceCatalogService.<Operation>`. */
export const TARGET_PREFIX = 'AWS242ServiceCatalogService';

/** `metadata.endpointPrefix`: the service name in the SigV4 credential scope. */
export const SIGNING_SERVICE = 'servicecatalog';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The operations the emulator serves; any other target is an UnknownOperationException. */
export const OPERATIONS = [
  'UpdateProvisionedProductProperties',
  'DescribeRecord',
  'DescribeProvisionedProduct',
  'SearchProvisionedProducts',
  'ScanProvisionedProducts',
  'ListRecordHistory',
] as const;

export type OperationName = (typeof OPERATIONS)[number];

export function isOperationName(value: string): value is OperationName {
  return (OPERATIONS as readonly string[]).includes(value);
}

/** ProvisionedProductStatus enum. */
export const PRODUCT_STATUSES = ['AVAILABLE', 'UNDER_CHANGE', 'TAINTED', 'ERROR', 'PLAN_IN_PROGRESS'] as const;
export type ProvisionedProductStatus = (typeof PRODUCT_STATUSES)[number];

/** RecordStatus enum. */
export const RECORD_STATUSES = ['CREATED', 'IN_PROGRESS', 'IN_PROGRESS_IN_ERROR', 'SUCCEEDED', 'FAILED'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/** PropertyKey enum: the only keys UpdateProvisionedProductProperties accepts. */
export const PROPERTY_KEYS = ['OWNER', 'LAUNCH_ROLE'] as const;
export type PropertyKey = (typeof PROPERTY_KEYS)[number];

/** RecordType values the emulator produces (the model types RecordType as a free string). */
export type RecordType = 'PROVISION_PRODUCT' | 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES';

/** AccessLevelFilterKey enum; the only documented AccessLevelFilterValue is `Self`. */
export const ACCESS_LEVEL_KEYS = ['Account', 'Role', 'User'] as const;
export type AccessLevelKey = (typeof ACCESS_LEVEL_KEYS)[number];

/** Page size used when PageSize is 0 or absent. */
export const DEFAULT_PAGE_SIZE = 20;

/** Provisioned products are CloudFormation stacks in this emulator, as most real ones are. */
export const PROVISIONED_PRODUCT_TYPE = 'CFN_STACK';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

/**
 * How long a new record stays CREATED, then IN_PROGRESS, by default: AWS answers an update with a
 * record that finishes later, so every client of the emulator (the demo, the tests, a rehearsal)
 * meets the real lifecycle. Short, so a run of a few hundred rows still takes seconds. 0 (applied
 * at once) stays available for tests that count calls without polls.
 */
export const DEFAULT_RECORD_DELAY_MS = 100;

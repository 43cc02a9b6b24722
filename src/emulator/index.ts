/**
 * A local AWS Service Catalog that real AWS clients (SDKs, the AWS CLI) talk to over HTTP, for
 * rehearsing owner and launch-role migrations and for tests. See http-server.ts for the request
 * pipeline and catalog-store.ts for the record lifecycle.
 */
export { startEmulator, HOST } from './http-server.js';
export { loadSeed, parseSeed, generateSeed } from './seed.js';
export type { GenerateSeedOptions } from './seed.js';
export { parseFaults } from './faults-config.js';
export { mulberry32 } from './prng.js';
export type { Random } from './prng.js';
export { EmulatorConfigError, ServiceError } from './service-error.js';
export type { EmulatorConfigErrorCode } from './service-error.js';
export { OPERATIONS, TARGET_PREFIX, PRODUCT_STATUSES, RECORD_STATUSES, isOperationName } from './constants.js';
export type {
  CallOutcome,
  CallRecord,
  CatalogSeed,
  EmulatorFaults,
  EmulatorOptions,
  EmulatorState,
  EmulatorStateView,
  FaultScriptAction,
  FaultScriptEntry,
  OperationName,
  OperationQuota,
  ProductSnapshot,
  ProvisionedProductStatus,
  RecordSnapshot,
  RecordStatus,
  RecordType,
  RequestListener,
  ResponseListener,
  RunningEmulator,
  SeedPrincipal,
  SeedProduct,
} from './types.js';

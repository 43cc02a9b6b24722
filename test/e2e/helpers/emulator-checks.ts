/** What the end-to-end tests read back from the emulator to prove "applied once, one token". */
import type { CallRecord, RunningEmulator } from '../../../src/emulator/index.js';

/** The product a Service Catalog request named (ProvisionedProductId). */
export function productIdOf(call: CallRecord): string {
  return (call.params as { ProvisionedProductId: string }).ProvisionedProductId;
}

export function updateCalls(emulator: RunningEmulator) {
  return emulator.state.calls().filter((c) => c.operation === 'UpdateProvisionedProductProperties');
}

/** productId → every idempotency token its update requests carried. */
export function tokensByProduct(emulator: RunningEmulator): Map<string, Set<string>> {
  const tokens = new Map<string, Set<string>>();
  for (const call of updateCalls(emulator)) {
    if (!call.token) continue;
    const id = productIdOf(call);
    tokens.set(id, (tokens.get(id) ?? new Set()).add(call.token));
  }
  return tokens;
}

/** The product of every update request, in the order they arrived. */
export function updatedProductIds(emulator: RunningEmulator): string[] {
  return updateCalls(emulator).map(productIdOf);
}

export function updateRecords(emulator: RunningEmulator) {
  return emulator.state.records().filter((r) => r.recordType === 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES');
}

/** Identity reads (STS, IAM) the run makes before its first write; the rest went to Service Catalog. */
const IDENTITY_OPERATIONS = new Set(['GetCallerIdentity', 'AssumeRole', 'GetUser', 'GetRole']);

/** Requests to Service Catalog only (reads and writes), leaving out the identity checks. */
export function serviceCatalogCalls(emulator: RunningEmulator) {
  return emulator.state.calls().filter((c) => !IDENTITY_OPERATIONS.has(c.operation));
}

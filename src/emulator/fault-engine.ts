/**
 * Decides, per request, which fault (if any) answers it. Order of precedence: the script (exact,
 * for tests), then access denial, the per-operation token bucket, the random 500, the random drop
 * before handling; the random drop after handling is decided at the same time. Every decision
 * draws the same three PRNG numbers, so a run with the same seed and the same request sequence
 * injects the same faults whatever the outcomes were.
 */
import type { OperationName } from './constants.js';
import type { Random } from './prng.js';
import { ServiceError, internalFailure, throttled } from './service-error.js';
import type { EmulatorFaults, FaultScriptAction, OperationQuota } from './types.js';

export type FaultDecision =
  | { readonly kind: 'proceed'; readonly dropAfter: boolean }
  | { readonly kind: 'drop-before' }
  | { readonly kind: 'error'; readonly error: ServiceError; readonly outcome: string };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class FaultEngine {
  private faults: EmulatorFaults = {};
  private scriptRemaining: number[] = [];
  private readonly buckets = new Map<OperationName, Bucket>();
  /** Product id → end of its UNDER_CHANGE hold (epoch ms). */
  private holds = new Map<string, number>();

  constructor(
    private readonly random: Random,
    private readonly callerArn: string,
  ) {}

  /** Replaces the fault kinds present in `faults`; `now` starts under-change holds and buckets. */
  set(faults: EmulatorFaults, now: number): void {
    this.faults = { ...this.faults, ...faults };
    if (faults.script !== undefined) this.scriptRemaining = faults.script.map((entry) => entry.times);
    if (faults.quotas !== undefined) this.buckets.clear();
    if (faults.underChange !== undefined) {
      this.holds = new Map(Object.entries(faults.underChange).map(([id, ms]) => [id, now + ms]));
    }
  }

  /** Replaces every fault kind: what `faults` leaves out is switched off. */
  replace(faults: EmulatorFaults, now: number): void {
    this.faults = {};
    this.scriptRemaining = [];
    this.buckets.clear();
    this.holds = new Map();
    this.set(faults, now);
  }

  current(): EmulatorFaults {
    const remaining = this.scriptRemaining;
    return {
      ...this.faults,
      ...(this.faults.script ? { script: this.faults.script.map((entry, i) => ({ ...entry, times: remaining[i] ?? 0 })) } : {}),
    };
  }

  failsUpdate(productId: string): boolean {
    return this.faults.failUpdates?.includes(productId) ?? false;
  }

  isHeld(productId: string, now: number): boolean {
    const until = this.holds.get(productId);
    return until !== undefined && now < until;
  }

  latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  decide(operation: OperationName, params: Record<string, unknown> | null, now: number): FaultDecision {
    const serverRoll = this.random();
    const dropBeforeRoll = this.random();
    const dropAfterRoll = this.random();
    const productId = productIdOf(operation, params);

    const scripted = this.takeScripted(operation, productId);
    if (scripted !== undefined) return this.scriptDecision(scripted, operation, productId);

    if (operation === 'UpdateProvisionedProductProperties' && productId !== undefined && this.faults.accessDenied?.includes(productId)) {
      return this.accessDenied(operation, productId);
    }
    const quota = this.faults.quotas?.[operation];
    if (quota && !this.take(operation, quota, now)) return { kind: 'error', error: throttled(), outcome: 'ThrottlingException' };
    if (serverRoll < (this.faults.serverErrorRate ?? 0)) return { kind: 'error', error: internalFailure(), outcome: 'fault-500' };
    if (dropBeforeRoll < (this.faults.dropBeforeApplyRate ?? 0)) return { kind: 'drop-before' };
    return { kind: 'proceed', dropAfter: dropAfterRoll < (this.faults.dropAfterApplyRate ?? 0) };
  }

  private takeScripted(operation: OperationName, productId: string | undefined): FaultScriptAction | undefined {
    const script = this.faults.script ?? [];
    for (let i = 0; i < script.length; i += 1) {
      const entry = script[i]!;
      if ((this.scriptRemaining[i] ?? 0) <= 0) continue;
      if (entry.operation !== undefined && entry.operation !== operation) continue;
      if (entry.productId !== undefined && entry.productId !== productId) continue;
      this.scriptRemaining[i]! -= 1;
      return entry.action;
    }
    return undefined;
  }

  private scriptDecision(action: FaultScriptAction, operation: OperationName, productId: string | undefined): FaultDecision {
    switch (action) {
      case 'throttle':
        return { kind: 'error', error: throttled(), outcome: 'ThrottlingException' };
      case 'server-error':
        return { kind: 'error', error: internalFailure(), outcome: 'fault-500' };
      case 'drop-before':
        return { kind: 'drop-before' };
      case 'drop-after':
        return { kind: 'proceed', dropAfter: true };
      case 'access-denied':
        return this.accessDenied(operation, productId ?? '*');
      default: {
        const error = new ServiceError(action.error, action.message ?? `Injected ${action.error}.`, action.status ?? 400);
        return { kind: 'error', error, outcome: error.status === 500 && action.error === 'InternalFailure' ? 'fault-500' : action.error };
      }
    }
  }

  private accessDenied(operation: OperationName, productId: string): FaultDecision {
    const error = new ServiceError(
      'AccessDeniedException',
      `User: ${this.callerArn} is not authorized to perform: servicecatalog:${operation} on resource: ${productId} because no identity-based policy allows the servicecatalog:${operation} action`,
    );
    return { kind: 'error', error, outcome: 'AccessDeniedException' };
  }

  /** Token bucket; a throttled request does not consume a token. */
  private take(operation: OperationName, quota: OperationQuota, now: number): boolean {
    const burst = quota.burst ?? Math.max(1, Math.ceil(quota.ratePerSecond));
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      bucket = { tokens: burst, updatedAt: now };
      this.buckets.set(operation, bucket);
    }
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed / 1000) * quota.ratePerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** The provisioned product a request is about, for scripts and access denial. */
function productIdOf(operation: OperationName, params: Record<string, unknown> | null): string | undefined {
  if (!params) return undefined;
  const value = operation === 'DescribeProvisionedProduct' ? params.Id : params.ProvisionedProductId;
  return typeof value === 'string' ? value : undefined;
}

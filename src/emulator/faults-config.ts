/**
 * Validation of fault settings coming from outside (CLI flags, `POST /_emulator/faults`, options),
 * with messages that name the bad member, so a typo in a rehearsal setup fails loudly instead of
 * silently injecting nothing.
 */
import { OPERATIONS, isOperationName } from './constants.js';
import { EmulatorConfigError } from './service-error.js';
import type { EmulatorFaults, FaultScriptAction, FaultScriptEntry, OperationQuota } from './types.js';
import { isPlainObject } from '../errors.js';

const ACTIONS = ['throttle', 'server-error', 'drop-before', 'drop-after', 'access-denied'];
const FAULT_KEYS = [
  'quotas',
  'serverErrorRate',
  'dropBeforeApplyRate',
  'dropAfterApplyRate',
  'latencyMs',
  'underChange',
  'accessDenied',
  'failUpdates',
  'missingPrincipals',
  'untrustedRoles',
  'assumeRoleDenied',
  'iamAccessDenied',
  'shuffleUnsortedPages',
  'script',
];

export function parseFaults(input: unknown, where = 'faults'): EmulatorFaults {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  if (!isPlainObject(input)) throw new EmulatorConfigError('FAULTS_INVALID', `${where}: expected a JSON object`);
  for (const key of Object.keys(input)) {
    if (!FAULT_KEYS.includes(key)) problems.push(`${where}.${key}: unknown fault (known: ${FAULT_KEYS.join(', ')})`);
  }
  for (const key of ['serverErrorRate', 'dropBeforeApplyRate', 'dropAfterApplyRate'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1))
      problems.push(`${where}.${key}: expected a fraction from 0 to 1, got ${JSON.stringify(value)}`);
    else out[key] = value;
  }
  if (input.latencyMs !== undefined) {
    if (!isNonNegative(input.latencyMs)) problems.push(`${where}.latencyMs: expected milliseconds >= 0, got ${JSON.stringify(input.latencyMs)}`);
    else out.latencyMs = input.latencyMs;
  }
  if (input.quotas !== undefined) out.quotas = quotas(input.quotas, `${where}.quotas`, problems);
  if (input.underChange !== undefined) {
    if (!isPlainObject(input.underChange)) problems.push(`${where}.underChange: expected {productId: holdMs}`);
    else {
      for (const [id, ms] of Object.entries(input.underChange)) {
        if (!isNonNegative(ms)) problems.push(`${where}.underChange.${id}: expected milliseconds >= 0, got ${JSON.stringify(ms)}`);
      }
      out.underChange = { ...input.underChange };
    }
  }
  if (input.accessDenied !== undefined) {
    if (!Array.isArray(input.accessDenied) || !input.accessDenied.every((id) => typeof id === 'string')) {
      problems.push(`${where}.accessDenied: expected an array of provisioned product ids`);
    } else out.accessDenied = [...input.accessDenied];
  }
  for (const key of ['failUpdates', 'missingPrincipals', 'untrustedRoles', 'assumeRoleDenied'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) problems.push(`${where}.${key}: expected an array of strings`);
    else out[key] = [...value];
  }
  for (const key of ['iamAccessDenied', 'shuffleUnsortedPages'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') problems.push(`${where}.${key}: expected true or false`);
    else out[key] = value;
  }
  if (input.script !== undefined) {
    if (!Array.isArray(input.script)) problems.push(`${where}.script: expected an array`);
    else out.script = input.script.map((entry, i) => scriptEntry(entry, `${where}.script[${i}]`, problems));
  }
  if (problems.length > 0) throw new EmulatorConfigError('FAULTS_INVALID', problems.join('\n'));
  return out;
}

function quotas(input: unknown, where: string, problems: string[]): Record<string, OperationQuota> {
  const out: Record<string, OperationQuota> = {};
  if (!isPlainObject(input)) {
    problems.push(`${where}: expected {Operation: {ratePerSecond, burst?}}`);
    return out;
  }
  for (const [operation, quota] of Object.entries(input)) {
    if (!isOperationName(operation)) {
      problems.push(`${where}.${operation}: unknown operation (known: ${OPERATIONS.join(', ')})`);
      continue;
    }
    if (!isPlainObject(quota) || typeof quota.ratePerSecond !== 'number' || !(quota.ratePerSecond > 0) || !Number.isFinite(quota.ratePerSecond)) {
      problems.push(`${where}.${operation}.ratePerSecond: expected a number > 0`);
      continue;
    }
    if (quota.burst !== undefined && !(Number.isInteger(quota.burst) && (quota.burst as number) >= 1)) {
      problems.push(`${where}.${operation}.burst: expected an integer >= 1, got ${JSON.stringify(quota.burst)}`);
      continue;
    }
    out[operation] = { ratePerSecond: quota.ratePerSecond, ...(quota.burst !== undefined ? { burst: quota.burst as number } : {}) };
  }
  return out;
}

function scriptEntry(input: unknown, where: string, problems: string[]): FaultScriptEntry {
  if (!isPlainObject(input)) {
    problems.push(`${where}: expected {operation?, productId?, times, action}`);
    return { times: 0, action: 'throttle' };
  }
  if (input.operation !== undefined && (typeof input.operation !== 'string' || !isOperationName(input.operation))) {
    problems.push(`${where}.operation: unknown operation ${JSON.stringify(input.operation)} (known: ${OPERATIONS.join(', ')})`);
  }
  if (input.productId !== undefined && typeof input.productId !== 'string') problems.push(`${where}.productId: expected a string`);
  if (!Number.isInteger(input.times) || (input.times as number) < 1)
    problems.push(`${where}.times: expected an integer >= 1, got ${JSON.stringify(input.times)}`);
  const action = input.action;
  let parsedAction: FaultScriptAction = 'throttle';
  if (typeof action === 'string' && ACTIONS.includes(action)) parsedAction = action as FaultScriptAction;
  else if (isPlainObject(action) && typeof action.error === 'string' && /^[A-Za-z][A-Za-z0-9.#]*$/.test(action.error)) {
    const status = action.status;
    if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599)) {
      problems.push(`${where}.action.status: expected an HTTP status from 400 to 599, got ${JSON.stringify(status)}`);
    }
    if (action.message !== undefined && typeof action.message !== 'string') problems.push(`${where}.action.message: expected a string`);
    parsedAction = {
      error: action.error,
      ...(typeof status === 'number' ? { status } : {}),
      ...(typeof action.message === 'string' ? { message: action.message } : {}),
    };
  } else {
    problems.push(`${where}.action: expected one of ${ACTIONS.join(', ')} or {error, status?, message?}, got ${JSON.stringify(action)}`);
  }
  return {
    ...(typeof input.operation === 'string' && isOperationName(input.operation) ? { operation: input.operation } : {}),
    ...(typeof input.productId === 'string' ? { productId: input.productId } : {}),
    times: input.times as number,
    action: parsedAction,
  };
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * The local Service Catalog as a separate process for the benchmark (`sc-owner-transfer emulator`
 * from the compiled CLI), so its CPU and memory are not counted in the job's, as against AWS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

export interface EmulatorCall {
  readonly operation: string;
  readonly outcome: string;
  /** The account the request acted in. */
  readonly accountId?: string;
  /** ISO time the request arrived. */
  readonly at: string;
}

export interface EmulatorProcess {
  readonly endpoint: string;
  /** The products' ids, in the emulator's order. */
  productIds(): Promise<string[]>;
  /** Every account's product ids (one account unless `accounts` was asked). */
  productsByAccount(): Promise<Map<string, string[]>>;
  calls(): Promise<EmulatorCall[]>;
  /** Replaces every fault (POST /_emulator/faults). */
  setFaults(faults: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export interface EmulatorProcessOptions {
  readonly products: number;
  /** UpdateProvisionedProductProperties quota. */
  readonly quota?: { readonly rate: number; readonly burst: number };
  /** How long a record takes to succeed; 0 by default, so waiting costs polls, not time. */
  readonly recordDelayMs?: number;
  /** Accounts of `products` products each (`--generate N --accounts K`); each has its own quota. */
  readonly accounts?: number;
}

export async function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const args = [CLI, 'emulator', '--port', '0', '--generate', String(options.products), '--record-delay-ms', String(options.recordDelayMs ?? 0)];
  if (options.quota) args.push('--quota', `UpdateProvisionedProductProperties=${options.quota.rate}:${options.quota.burst}`);
  if (options.accounts !== undefined) args.push('--accounts', String(options.accounts));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const endpoint = await readEndpoint(child);
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${endpoint}${path}`);
    if (!response.ok) throw new Error(`emulator ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    endpoint,
    productIds: async () => (await get<{ products: Array<{ id: string }> }>('/_emulator/state')).products.map((p) => p.id),
    productsByAccount: async () => {
      const state = await get<{ accountId: string; products: Array<{ id: string }>; accounts?: Record<string, { products: Array<{ id: string }> }> }>(
        '/_emulator/state',
      );
      const all = state.accounts ?? { [state.accountId]: { products: state.products } };
      return new Map(Object.entries(all).map(([account, { products }]) => [account, products.map((p) => p.id)]));
    },
    calls: async () => (await get<{ calls: EmulatorCall[] }>('/_emulator/state')).calls,
    setFaults: async (faults) => {
      const response = await fetch(`${endpoint}/_emulator/faults`, { method: 'POST', body: JSON.stringify(faults) });
      if (!response.ok) throw new Error(`emulator faults: HTTP ${response.status} ${await response.text()}`);
    },
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function readEndpoint(child: ChildProcess): Promise<string> {
  let seen = '';
  for await (const chunk of child.stdout!) {
    seen += String(chunk);
    const match = /listening on (http:\/\/[\d.:]+)/.exec(seen);
    if (match) {
      child.stdout!.resume(); // keep draining, so the emulator never blocks on a full pipe
      return match[1]!;
    }
  }
  throw new Error(`the emulator exited before listening (code ${String(child.exitCode)}): ${seen}`);
}

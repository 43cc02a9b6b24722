/**
 * Shared test wiring: a manual clock (time moves only when a test says so), the bundled sample
 * seed, and a real SDK client pointed at the emulator over HTTP (no retries, static credentials).
 */
import { fileURLToPath } from 'node:url';
import { IAMClient } from '@aws-sdk/client-iam';
import { ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { STSClient, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import type { Clock } from '../../../src/clock.js';
import { loadSeed, startEmulator, type CatalogSeed, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/index.js';

export const SAMPLE_SEED_PATH = fileURLToPath(new URL('../../../samples/catalog.json', import.meta.url));
export const ALICE = 'arn:aws:iam::123456789012:user/alice';
export const BOB = 'arn:aws:iam::123456789012:user/bob';
export const ADMIN = 'arn:aws:iam::123456789012:role/Admin';
/** Products of samples/catalog.json used by name in tests. */
export const PAYMENTS_PROD = 'pp-4kq2x7mzp1ab';
export const LEGACY_TAINTED = 'pp-t7c4yk0ldz9s';
export const ORDERS_PROD = 'pp-2wz6hq8rk3pm';

/**
 * Time stands still until `advance`; `sleep` advances it instead of waiting. It starts at the real
 * time: the emulator refuses a signature dated more than 15 minutes from its clock, and the SDK
 * signs with the real time.
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private current = Date.now()) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
  }
}

export function sampleSeed(): Promise<CatalogSeed> {
  return loadSeed(SAMPLE_SEED_PATH);
}

export function sdkClient(endpoint: string, credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, region = 'us-east-1'): ServiceCatalogClient {
  return new ServiceCatalogClient({ endpoint, region, credentials, maxAttempts: 1 });
}

export interface Harness {
  readonly emulator: RunningEmulator;
  readonly client: ServiceCatalogClient;
  readonly clock: ManualClock;
  close(): Promise<void>;
}

/** Emulator on an ephemeral port with the sample seed and a manual clock, plus an SDK client. */
export async function startHarness(options: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  // Records applied at once unless a test asks for the lifecycle: the manual clock only moves when told.
  const emulator = await startEmulator({ seed: await sampleSeed(), clock, recordDelayMs: 0, ...options });
  // Signed for the region served: the emulator refuses a credential scope naming another.
  const client = sdkClient(emulator.endpoint, undefined, options.region);
  return {
    emulator,
    client,
    clock,
    close: async () => {
      client.destroy();
      await emulator.close();
    },
  };
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** `20240501T120000Z` for `ms` (the real time unless said), as SigV4's X-Amz-Date. */
export function amzDate(ms = Date.now()): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** A raw JSON 1.1 request (for what an SDK would never send), signed now for us-east-1 with a signature no secret gives. */
export async function rawCall(
  endpoint: string,
  target: string | undefined,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const date = amzDate();
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(target ? { 'x-amz-target': `AWS242ServiceCatalogService.${target}` } : {}),
      authorization:
        `AWS4-HMAC-SHA256 Credential=AKIDTEST/${date.slice(0, 8)}/us-east-1/servicecatalog/aws4_request, SignedHeaders=host;x-amz-date, Signature=` +
        '0'.repeat(64),
      'x-amz-date': date,
      ...headers,
    },
    body,
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

export type IdentityCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** An STS answer's credentials, as the SDK takes them. */
export function sessionCredentials(issued: { Credentials?: StsCredentials | undefined }): IdentityCredentials {
  const c = issued.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/**
 * STS and IAM clients of the emulator a test started (real SDK clients over HTTP, no retries),
 * kept so that `destroyAll` (in afterEach) closes every one.
 */
export class IdentityClients {
  readonly #made: { destroy(): void }[] = [];
  constructor(
    private readonly endpoint: () => string,
    private readonly defaults: IdentityCredentials,
  ) {}

  sts(credentials: IdentityCredentials = this.defaults): STSClient {
    return this.#keep(new STSClient({ endpoint: this.endpoint(), region: 'us-east-1', credentials, maxAttempts: 1 }));
  }

  iam(credentials: IdentityCredentials = this.defaults): IAMClient {
    return this.#keep(new IAMClient({ endpoint: this.endpoint(), region: 'us-east-1', credentials, maxAttempts: 1 }));
  }

  destroyAll(): void {
    for (const client of this.#made.splice(0)) client.destroy();
  }

  #keep<T extends { destroy(): void }>(client: T): T {
    this.#made.push(client);
    return client;
  }
}

/**
 * Fault injection: per-operation quotas, 500s, drops before and after applying, latency, products
 * held UNDER_CHANGE, access denial, the deterministic script, runtime changes, and the seeded PRNG.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeProvisionedProductCommand, ScanProvisionedProductsCommand, UpdateProvisionedProductPropertiesCommand } from '@aws-sdk/client-service-catalog';
import { startEmulator } from '../../../src/emulator/index.js';
import { ALICE, BOB, ORDERS_PROD, PAYMENTS_PROD, rejectionOf, sampleSeed, sdkClient, startHarness, type Harness } from './helpers.js';

let h: Harness;
afterEach(() => h?.close());

const update = (productId: string, owner: string, token: string) =>
  new UpdateProvisionedProductPropertiesCommand({ ProvisionedProductId: productId, ProvisionedProductProperties: { OWNER: owner }, IdempotencyToken: token });
const describePp = (id: string) => new DescribeProvisionedProductCommand({ Id: id });
const outcomes = () => h.emulator.state.calls().map((c) => c.outcome);

describe('quotas', () => {
  it('throttles each operation on its own token bucket with ThrottlingException "Rate exceeded"', async () => {
    h = await startHarness({
      faults: {
        quotas: {
          UpdateProvisionedProductProperties: { ratePerSecond: 1, burst: 2 },
          DescribeProvisionedProduct: { ratePerSecond: 2, burst: 1 },
        },
      },
    });
    await h.client.send(update(PAYMENTS_PROD, BOB, 'q1'));
    await h.client.send(update(ORDERS_PROD, ALICE, 'q2'));
    const throttled = await rejectionOf(h.client.send(update('pp-8d3hf0wq6tyc', BOB, 'q3')));
    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.message).toBe('Rate exceeded');
    expect(throttled.$metadata?.httpStatusCode).toBe(400);
    expect(h.emulator.state.product('pp-8d3hf0wq6tyc')?.owner).toBe(ALICE);

    // Describe has its own bucket: one token, untouched by the updates.
    await h.client.send(describePp(PAYMENTS_PROD));
    expect((await rejectionOf(h.client.send(describePp(PAYMENTS_PROD)))).name).toBe('ThrottlingException');
    // Scan has no quota at all.
    for (let i = 0; i < 5; i += 1) await h.client.send(new ScanProvisionedProductsCommand({}));

    h.clock.advance(500); // half a token for updates, a full one for describes
    await h.client.send(describePp(PAYMENTS_PROD));
    expect((await rejectionOf(h.client.send(update('pp-8d3hf0wq6tyc', BOB, 'q3')))).name).toBe('ThrottlingException');
    h.clock.advance(500);
    await h.client.send(update('pp-8d3hf0wq6tyc', BOB, 'q3'));
    expect(h.emulator.state.product('pp-8d3hf0wq6tyc')?.owner).toBe(BOB);
    expect(outcomes().filter((o) => o === 'ThrottlingException')).toHaveLength(3);
  });
});

describe('server errors and drops', () => {
  it('serverErrorRate 1 answers 500 InternalFailure and applies nothing', async () => {
    h = await startHarness({ faults: { serverErrorRate: 1 } });
    const error = await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 's1')));
    expect(error.name).toBe('InternalFailure');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(ALICE);
    expect(outcomes()).toEqual(['fault-500']);
  });

  it('dropBeforeApplyRate 1 cuts the connection without applying', async () => {
    h = await startHarness({ faults: { dropBeforeApplyRate: 1 } });
    const error = await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 'd1')));
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(ALICE);
    expect(h.emulator.state.calls()[0]).toMatchObject({ operation: 'UpdateProvisionedProductProperties', outcome: 'dropped-before', token: 'd1' });
  });

  it('dropAfterApplyRate 1 applies the update, then cuts the connection; a retry with the same token gets the same record', async () => {
    h = await startHarness({ faults: { dropAfterApplyRate: 1 } });
    const error = await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 'd2')));
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(BOB);
    expect(outcomes()).toEqual(['dropped-after']);
    h.emulator.setFaults({ dropAfterApplyRate: 0 });
    const retry = await h.client.send(update(PAYMENTS_PROD, BOB, 'd2'));
    expect(retry.RecordId).toBe(h.emulator.state.product(PAYMENTS_PROD)?.lastRecordId);
    expect(h.emulator.state.records().filter((r) => r.recordType === 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES')).toHaveLength(1);
  });
});

describe('latency, holds and access', () => {
  it('latencyMs delays every request through the clock', async () => {
    h = await startHarness({ faults: { latencyMs: 250 }, recordDelayMs: 100 });
    const before = h.clock.now();
    const out = await h.client.send(update(PAYMENTS_PROD, BOB, 'lat'));
    await h.client.send(describePp(PAYMENTS_PROD));
    expect(h.clock.sleeps).toEqual([250, 250]);
    // The update was handled after its latency, and its record has since finished.
    expect(h.emulator.state.record(out.RecordId!)?.createdTime).toBe(new Date(before + 250).toISOString());
    expect(h.emulator.state.record(out.RecordId!)?.status).toBe('SUCCEEDED');
  });

  it('latencyMs delays answers in real time with the system clock', async () => {
    const emulator = await startEmulator({ seed: await sampleSeed(), faults: { latencyMs: 120 } });
    const client = sdkClient(emulator.endpoint);
    try {
      const started = performance.now();
      await client.send(describePp(PAYMENTS_PROD));
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    } finally {
      client.destroy();
      await emulator.close();
    }
  });

  it('close() ends a request sleeping on latency instead of waiting it out', async () => {
    const emulator = await startEmulator({ seed: await sampleSeed(), faults: { latencyMs: 600_000 } });
    const client = sdkClient(emulator.endpoint);
    const arrived = new Promise<void>((resolve) => emulator.on('request', () => resolve()));
    const pending = rejectionOf(client.send(describePp(PAYMENTS_PROD)));
    await arrived;
    await emulator.close();
    expect((await pending).message).toMatch(/socket hang up|ECONNRESET/);
    client.destroy();
    await expect.poll(() => emulator.state.calls()[0]?.outcome).toBe('dropped-before');
  });

  it('underChange holds a product UNDER_CHANGE for holdMs from when it was set', async () => {
    h = await startHarness({ faults: { underChange: { [PAYMENTS_PROD]: 5000 } } });
    expect((await h.client.send(describePp(PAYMENTS_PROD))).ProvisionedProductDetail?.Status).toBe('UNDER_CHANGE');
    expect((await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 'h1')))).name).toBe('InvalidStateException');
    h.clock.advance(4999);
    expect((await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 'h2')))).name).toBe('InvalidStateException');
    h.clock.advance(1);
    expect((await h.client.send(describePp(PAYMENTS_PROD))).ProvisionedProductDetail?.Status).toBe('AVAILABLE');
    await h.client.send(update(PAYMENTS_PROD, BOB, 'h3'));
    expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(BOB);
  });

  it('accessDenied answers AccessDeniedException to updates of those products only', async () => {
    h = await startHarness({ faults: { accessDenied: [PAYMENTS_PROD] } });
    const denied = await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 'a1')));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain('is not authorized to perform: servicecatalog:UpdateProvisionedProductProperties');
    await h.client.send(describePp(PAYMENTS_PROD));
    await h.client.send(update(ORDERS_PROD, ALICE, 'a2'));
    expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(ALICE);
  });
});

describe('script', () => {
  it('answers matching requests in order, each entry `times` times, then stops', async () => {
    h = await startHarness({
      faults: {
        script: [
          { operation: 'UpdateProvisionedProductProperties', productId: ORDERS_PROD, times: 2, action: 'throttle' },
          { operation: 'DescribeProvisionedProduct', times: 1, action: { error: 'ServiceUnavailable', status: 503, message: 'Service Unavailable' } },
          { operation: 'UpdateProvisionedProductProperties', times: 1, action: 'drop-after' },
          { operation: 'UpdateProvisionedProductProperties', times: 1, action: 'drop-before' },
          { operation: 'UpdateProvisionedProductProperties', times: 1, action: 'access-denied' },
          { times: 1, action: 'server-error' },
          { operation: 'ScanProvisionedProducts', times: 1, action: { error: 'ThrottlingException', message: 'Rate exceeded' } },
        ],
      },
    });
    // Updates of another product skip the first entry and hit the drop-after entry.
    await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 's-a')));
    expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(BOB);
    expect((await rejectionOf(h.client.send(update(ORDERS_PROD, ALICE, 's-b')))).name).toBe('ThrottlingException');
    expect((await rejectionOf(h.client.send(update(ORDERS_PROD, ALICE, 's-b')))).name).toBe('ThrottlingException');
    const unavailable = await rejectionOf(h.client.send(describePp(PAYMENTS_PROD)));
    expect([unavailable.name, unavailable.$metadata?.httpStatusCode, unavailable.message]).toEqual(['ServiceUnavailable', 503, 'Service Unavailable']);
    await rejectionOf(h.client.send(update(ORDERS_PROD, ALICE, 's-b'))); // drop-before
    expect(h.emulator.state.product(ORDERS_PROD)?.owner).toBe(BOB);
    expect((await rejectionOf(h.client.send(update(ORDERS_PROD, ALICE, 's-b')))).name).toBe('AccessDeniedException');
    expect((await rejectionOf(h.client.send(describePp(PAYMENTS_PROD)))).name).toBe('InternalFailure');
    expect(await rejectionOf(h.client.send(new ScanProvisionedProductsCommand({})))).toMatchObject({ name: 'ThrottlingException' });
    // Script used up: everything passes.
    await h.client.send(update(ORDERS_PROD, ALICE, 's-b'));
    await h.client.send(describePp(PAYMENTS_PROD));
    expect(outcomes()).toEqual([
      'dropped-after',
      'ThrottlingException',
      'ThrottlingException',
      'ServiceUnavailable',
      'dropped-before',
      'AccessDeniedException',
      'fault-500',
      'ThrottlingException',
      'ok',
      'ok',
    ]);
    expect(h.emulator.faults().script?.every((entry) => entry.times === 0)).toBe(true);
  });
});

describe('runtime control and determinism', () => {
  it('setFaults replaces only the given kinds; POST /_emulator/faults replaces all; bad faults are refused', async () => {
    h = await startHarness({ faults: { serverErrorRate: 1, accessDenied: [PAYMENTS_PROD] } });
    h.emulator.setFaults({ serverErrorRate: 0 });
    expect(h.emulator.faults()).toEqual({ serverErrorRate: 0, accessDenied: [PAYMENTS_PROD] });
    expect((await rejectionOf(h.client.send(update(PAYMENTS_PROD, BOB, 'r1')))).name).toBe('AccessDeniedException');

    const posted = await fetch(`${h.emulator.endpoint}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: 10 }) });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ latencyMs: 10 });
    await h.client.send(update(PAYMENTS_PROD, BOB, 'r1'));
    expect(await (await fetch(`${h.emulator.endpoint}/_emulator/faults`)).json()).toEqual({ latencyMs: 10 });

    const bad = await fetch(`${h.emulator.endpoint}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ serverErrorRate: 2, quotas: { Nope: {} } }) });
    expect(bad.status).toBe(400);
    const message = ((await bad.json()) as { message: string }).message;
    expect(message).toContain('body.serverErrorRate: expected a fraction from 0 to 1');
    expect(message).toContain('body.quotas.Nope: unknown operation');
    expect(() => h.emulator.setFaults({ latencyMs: -1 })).toThrow(/latencyMs/);
  });

  it('random faults follow the seeded PRNG: same seed, same faults', async () => {
    const run = async (random: number) => {
      const emulator = await startEmulator({ seed: await sampleSeed(), random, faults: { serverErrorRate: 0.5 } });
      const client = sdkClient(emulator.endpoint);
      for (let i = 0; i < 16; i += 1) await client.send(new ScanProvisionedProductsCommand({})).catch(() => undefined);
      client.destroy();
      await emulator.close();
      return emulator.state
        .calls()
        .map((c) => c.outcome)
        .join(',');
    };
    const a = await run(42);
    expect(await run(42)).toBe(a);
    expect(a).toContain('fault-500');
    expect(a).toContain('ok');
    expect(await run(43)).not.toBe(a);
  });

  it('the request listener fires on arrival, before handling, and can hold the request', async () => {
    h = await startHarness();
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const off = h.emulator.on('request', (call) => {
      seen.push(`${call.seq}:${call.operation}:${call.outcome}:${h.emulator.state.product(PAYMENTS_PROD)?.owner}`);
      return call.seq === 1 ? held : undefined;
    });
    const pending = h.client.send(update(PAYMENTS_PROD, BOB, 'l1'));
    await expect.poll(() => seen.length).toBe(1);
    expect(h.emulator.state.calls()[0]?.outcome).toBe('pending');
    expect(h.emulator.state.product(PAYMENTS_PROD)?.owner).toBe(ALICE);
    release();
    await pending;
    off();
    await h.client.send(describePp(PAYMENTS_PROD));
    expect(seen).toEqual([`1:UpdateProvisionedProductProperties:pending:${ALICE}`]);
    expect(outcomes()).toEqual(['ok', 'ok']);
  });

  it('GET /_emulator/state answers accountId, products, records and calls as JSON', async () => {
    h = await startHarness({ recordDelayMs: 1000 });
    await h.client.send(update(PAYMENTS_PROD, BOB, 'st1'));
    await rejectionOf(h.client.send(describePp('pp-missing000000')));
    const state = (await (await fetch(`${h.emulator.endpoint}/_emulator/state`)).json()) as {
      accountId: string;
      products: { id: string; status: string; owner: string }[];
      records: { recordType: string; status: string; properties?: Record<string, string> }[];
      calls: { seq: number; operation: string; outcome: string; token?: string; params: unknown }[];
    };
    expect(state.accountId).toBe('123456789012');
    expect(state.products).toHaveLength(12);
    expect(state.products.find((p) => p.id === PAYMENTS_PROD)).toMatchObject({ status: 'UNDER_CHANGE', owner: ALICE });
    expect(state.records.filter((r) => r.recordType === 'UPDATE_PROVISIONED_PRODUCT_PROPERTIES')).toEqual([
      expect.objectContaining({ status: 'CREATED', properties: { OWNER: BOB } }),
    ]);
    expect(state.calls).toEqual([
      expect.objectContaining({ seq: 1, operation: 'UpdateProvisionedProductProperties', outcome: 'ok', token: 'st1' }),
      expect.objectContaining({ seq: 2, operation: 'DescribeProvisionedProduct', outcome: 'ResourceNotFoundException', params: { Id: 'pp-missing000000' } }),
    ]);
    expect((await fetch(`${h.emulator.endpoint}/_emulator/nope`)).status).toBe(404);
  });
});

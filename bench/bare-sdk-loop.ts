/**
 * The baseline of the overhead benchmark, run as its own process: the SDK client the tool makes
 * (src/aws/client.ts), `--concurrency` workers pulling rows from one CSV, one UpdateProvisionedProductProperties
 * each, and nothing else (no limiter, no checkpoint, no results, no preflight, no waiting).
 *
 * Usage: node dist/bench/bare-sdk-loop.js INPUT.csv ENDPOINT CONCURRENCY
 * Prints one JSON line: rows, ok, failed, seconds.
 */
import { readFile } from 'node:fs/promises';
import { UpdateProvisionedProductPropertiesCommand } from '@aws-sdk/client-service-catalog';
import { createServiceCatalogClient } from '../src/aws/client.js';
import { createHttpAgents } from '../src/aws/http-agents.js';

const [input, endpoint, concurrencyText] = process.argv.slice(2);
if (!input || !endpoint) throw new Error('usage: bare-sdk-loop INPUT.csv ENDPOINT [CONCURRENCY]');
const rows = (await readFile(input, 'utf8'))
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((line) => line.split(','));
const concurrency = Number(concurrencyText ?? 16);
// The tool's own client (its agent, timeouts, no SDK retries): only what the tool adds is measured.
const client = createServiceCatalogClient({
  endpoint,
  region: process.env.AWS_REGION ?? 'us-east-1',
  agents: createHttpAgents({ maxSockets: concurrency * 2, env: process.env }),
  requestTimeoutMs: 30_000,
});
const started = performance.now();
let next = 0;
let ok = 0;
let failed = 0;
async function worker(): Promise<void> {
  while (next < rows.length) {
    const [id, owner] = rows[next++]!;
    try {
      await client.send(new UpdateProvisionedProductPropertiesCommand({ ProvisionedProductId: id, ProvisionedProductProperties: { OWNER: owner! } }));
      ok++;
    } catch {
      failed++;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const seconds = (performance.now() - started) / 1000;
client.destroy();
process.stdout.write(`${JSON.stringify({ rows: rows.length, ok, failed, seconds })}\n`);

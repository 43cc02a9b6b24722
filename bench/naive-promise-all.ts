/**
 * A peer the benchmark compares with: what a hurried script does, every row's update at once with
 * `Promise.all`, no rate limit, the SDK's default retries. Run as its own process.
 *
 * Usage: node dist/bench/naive-promise-all.js INPUT.csv ENDPOINT
 * Prints one JSON line: rows, ok, failed, seconds.
 */
import { readFile } from 'node:fs/promises';
import { ServiceCatalogClient, UpdateProvisionedProductPropertiesCommand } from '@aws-sdk/client-service-catalog';

const [input, endpoint] = process.argv.slice(2);
if (!input || !endpoint) throw new Error('usage: naive-promise-all INPUT.csv ENDPOINT');
const rows = (await readFile(input, 'utf8'))
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((line) => line.split(','));
const client = new ServiceCatalogClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1' });
const started = performance.now();
const answers = await Promise.allSettled(
  rows.map(([id, owner]) =>
    client.send(new UpdateProvisionedProductPropertiesCommand({ ProvisionedProductId: id, ProvisionedProductProperties: { OWNER: owner! } })),
  ),
);
const seconds = (performance.now() - started) / 1000;
client.destroy();
const ok = answers.filter((a) => a.status === 'fulfilled').length;
process.stdout.write(`${JSON.stringify({ rows: rows.length, ok, failed: rows.length - ok, seconds })}\n`);

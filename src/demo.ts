#!/usr/bin/env node
/**
 * `npm run demo`: the main job end to end on the embedded local Service Catalog. It starts the
 * emulator in-process on a free port (seeded from samples/catalog.json, with a request quota and
 * one dropped answer so throttling and a safe resend are visible), runs `run` on
 * samples/offboard-alice.csv (with --wait, following each record to SUCCEEDED) through the real
 * SDK over HTTP, then runs it again to show that a rerun skips everything already done. Files go
 * to ./.demo/ (recreated each time).
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './commands/run.js';
import { loadSeed, startEmulator } from './emulator/index.js';
import { ExitCode } from './exit-codes.js';
import { createProcessIo } from './process-io.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

async function demo(): Promise<number> {
  const { io, dispose } = createProcessIo();
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const workDir = join(io.cwd, '.demo');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const input = join(workDir, 'offboard-alice.csv');
  await copyFile(join(SAMPLES, 'offboard-alice.csv'), input);

  const seed = await loadSeed(join(SAMPLES, 'catalog.json'));
  const emulator = await startEmulator({
    seed,
    // Like the real service, an update answers with a CREATED record that finishes a moment later;
    // the demo runs with --wait to follow each record to SUCCEEDED.
    recordDelayMs: 150,
    faults: {
      // A low quota on updates, so the adaptive limiter has something to adapt to.
      quotas: { UpdateProvisionedProductProperties: { ratePerSecond: 2, burst: 1 } },
      // The first update is applied but its answer is lost: the job resends the same token and
      // the service answers with the first record instead of applying it twice.
      script: [{ operation: 'UpdateProvisionedProductProperties', times: 1, action: 'drop-after' }],
    },
  });
  // The demo's own credentials, for the emulator only: never the operator's real ones.
  Object.assign(io.env as Record<string, string>, {
    AWS_ACCESS_KEY_ID: 'AKIDDEMO',
    AWS_SECRET_ACCESS_KEY: 'demo-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The local Service Catalog answers STS and IAM too (the account and target checks).
    AWS_ENDPOINT_URL_STS: emulator.endpoint,
    AWS_ENDPOINT_URL_IAM: emulator.endpoint,
  });
  delete (io.env as Record<string, string | undefined>).AWS_PROFILE;
  delete (io.env as Record<string, string | undefined>).AWS_SESSION_TOKEN;

  const owners = () => emulator.state.products().map((p) => `  ${p.id}  ${p.name.padEnd(22)} ${p.owner}  ${p.launchRole ?? '-'}`);
  try {
    out(`Local Service Catalog on ${emulator.endpoint} (account ${seed.accountId}, ${seed.products.length} products)`);
    out('Before:');
    owners().forEach((line) => out(line));
    // --yes: the demo is not asked for confirmation, even on a terminal.
    const args = [
      '--input',
      input,
      '--endpoint-url',
      emulator.endpoint,
      '--expect-account',
      seed.accountId,
      '--yes',
      '--log-level',
      'warn',
      '--summary-json',
      join(workDir, 'summary.json'),
    ];

    out(`\n== Run 1: sc-owner-transfer run --input .demo/offboard-alice.csv --expect-account ${seed.accountId} --yes ==`);
    const first = await runCommand.execute(args, io);
    if (io.signal.aborted) return first;
    out('After:');
    owners().forEach((line) => out(line));
    const updates = emulator.state.calls().filter((c) => c.operation === 'UpdateProvisionedProductProperties');
    out(
      `The service saw ${updates.length} update calls: ${updates.filter((c) => c.outcome === 'ThrottlingException').length} throttled, ` +
        `${updates.filter((c) => c.outcome === 'dropped-after').length} applied but answer lost (resent with the same token).`,
    );

    out('\n== Run 2: the same command again: everything is already done ==');
    const serviceCatalogCalls = () => emulator.state.calls().filter((c) => !['GetCallerIdentity', 'GetUser', 'GetRole'].includes(c.operation)).length;
    const callsBefore = serviceCatalogCalls();
    const second = await runCommand.execute(args, io);
    out(`Service Catalog requests sent by run 2: ${serviceCatalogCalls() - callsBefore} (it read its checkpoint; only the account and target checks went out)`);
    out(`\nResults: ${input}.results.csv\nCheckpoint: ${input}.checkpoint\nExit codes: run 1 → ${first}, run 2 → ${second}`);
    return first === ExitCode.Ok && second === ExitCode.Ok ? ExitCode.Ok : Math.max(first, second);
  } finally {
    await emulator.close();
    dispose();
  }
}

demo().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);

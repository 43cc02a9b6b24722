/** The ledger's shards: which `--shard` each invocation was given, and the checks a shard makes before it starts. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/checkpoint/index.js';
import { systemClock } from '../../../src/clock.js';
import { otherShardCountCheckpoints, shardInvocations, shardOfArgs } from '../../../src/commands/run-ledger.js';
import { checkBeforeStart, checkShardCheckpoint, Refusal } from '../../../src/commands/steps.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { TOKEN_SCHEME } from '../../../src/transfer/token.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sot-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A checkpoint whose ledger holds one `begin` per argv given. */
async function ledger(path: string, ...invocations: Array<{ args: string[]; command?: string }>): Promise<void> {
  const journal = await openJournal({ path, runId: '', tokenScheme: TOKEN_SCHEME, input: join(dir, 'org.csv'), clock: systemClock });
  for (const [i, { args, command = 'run' }] of invocations.entries()) {
    await journal.recordInvocation({
      type: 'begin',
      invocation: `inv-${i}`,
      command,
      mode: 'run',
      args,
      version: '0.1.0',
      runId: '',
      input: join(dir, 'org.csv'),
      callerArn: '',
      account: '',
      host: 'host-a',
      pid: 100 + i,
      startedAt: `2026-12-0${i + 1}T00:00:00.000Z`,
    });
  }
  await journal.close();
}

describe('shardOfArgs', () => {
  it('reads --shard K/N and --shard=K/N, the last one given; none or a bad value is none', () => {
    expect(shardOfArgs(['--input', 'a.csv', '--shard', '2/3'])).toEqual({ index: 2, count: 3 });
    expect(shardOfArgs(['--shard=1/4', '--yes'])).toEqual({ index: 1, count: 4 });
    expect(shardOfArgs(['--input', 'a.csv'])).toBeUndefined();
    expect(shardOfArgs(['--shard', 'x'])).toBeUndefined();
    expect(shardOfArgs(['--shard'])).toBeUndefined();
  });
});

describe('shardInvocations', () => {
  it("lists the ledger's run invocations that were shards, in file order; none for a missing or foreign file", async () => {
    const path = join(dir, 'x.checkpoint');
    await ledger(path, { args: ['--shard', '1/3'] }, { args: ['--input', 'put-back.csv'] }, { args: ['--shard=2/3'] });
    expect(await shardInvocations(path)).toEqual([
      { shard: { index: 1, count: 3 }, startedAt: '2026-12-01T00:00:00.000Z', host: 'host-a' },
      { shard: { index: 2, count: 3 }, startedAt: '2026-12-03T00:00:00.000Z', host: 'host-a' },
    ]);
    expect(await shardInvocations(join(dir, 'missing.checkpoint'))).toEqual([]);
    writeFileSync(join(dir, 'foreign'), 'not a checkpoint\n');
    expect(await shardInvocations(join(dir, 'foreign'))).toEqual([]);
  });
});

describe('otherShardCountCheckpoints', () => {
  it("finds the input's default checkpoints of another shard count only", async () => {
    for (const name of [
      'org.csv.shard-1-of-2.checkpoint',
      'org.csv.shard-2-of-2.checkpoint',
      'org.csv.shard-1-of-3.checkpoint',
      'org.csv.shard-1-of-2.checkpoint.lock',
      'other.csv.shard-1-of-2.checkpoint',
      'org.csv.checkpoint',
    ])
      writeFileSync(join(dir, name), '');
    expect(await otherShardCountCheckpoints(join(dir, 'org.csv'), 3)).toEqual([
      join(dir, 'org.csv.shard-1-of-2.checkpoint'),
      join(dir, 'org.csv.shard-2-of-2.checkpoint'),
    ]);
    expect(await otherShardCountCheckpoints(join(dir, 'org.csv'), 2)).toEqual([join(dir, 'org.csv.shard-1-of-3.checkpoint')]);
  });
});

describe('checkShardCheckpoint', () => {
  const input = () => join(dir, 'org.csv');

  it('refuses a checkpoint another shard used (exit 2), naming both shards', async () => {
    const checkpoint = join(dir, 'shared.checkpoint');
    await ledger(checkpoint, { args: ['--input', 'org.csv', '--shard', '1/3', '--checkpoint', 'shared.checkpoint'] });
    const refusal = await checkShardCheckpoint({ checkpoint, input: input(), shard: { index: 2, count: 3 } });
    expect(refusal).toBeInstanceOf(Refusal);
    expect((refusal as Refusal).exitCode).toBe(ExitCode.Usage);
    expect((refusal as Refusal).message).toContain(
      `--checkpoint '${checkpoint}' is shard 1/3's: its ledger records a run with --shard 1/3 (started 2026-12-01T00:00:00.000Z on host-a), and this is --shard 2/3`,
    );
  });

  it('accepts the same shard again, a ledger whose other runs were no shard (an undo), and no --shard at all', async () => {
    const checkpoint = join(dir, 'org.csv.shard-1-of-3.checkpoint');
    await ledger(checkpoint, { args: ['--shard', '1/3'] }, { args: ['--input', 'put-back.csv', '--reconcile'] });
    expect(await checkShardCheckpoint({ checkpoint, input: input(), shard: { index: 1, count: 3 } })).toEqual([]);
    expect(await checkShardCheckpoint({ checkpoint, input: input(), shard: undefined })).toEqual([]);
  });

  it('warns of the checkpoints of another shard count, naming them', async () => {
    await ledger(join(dir, 'org.csv.shard-1-of-2.checkpoint'), { args: ['--shard', '1/2'] });
    await ledger(join(dir, 'org.csv.shard-2-of-2.checkpoint'), { args: ['--shard', '2/2'] });
    const warnings = await checkShardCheckpoint({ checkpoint: join(dir, 'org.csv.shard-1-of-3.checkpoint'), input: input(), shard: { index: 1, count: 3 } });
    expect(warnings).toEqual([
      expect.stringContaining(
        `--shard 1/3: this input also has checkpoints of another shard count (${join(dir, 'org.csv.shard-1-of-2.checkpoint')}, ${join(dir, 'org.csv.shard-2-of-2.checkpoint')})`,
      ),
    ]);
  });
});

describe('checkBeforeStart', () => {
  it("warns of the input's trimmed ARN cells with the shard's warnings, and refuses as the shard check does", async () => {
    const config = { checkpoint: join(dir, 'org.csv.checkpoint'), input: join(dir, 'org.csv'), shard: undefined };
    const trimmedArnCells = { count: 2, first: { line: 4, column: 'new_owner' } };
    const warnings: string[] = [];
    expect(await checkBeforeStart(config, { trimmedArnCells }, (warning) => warnings.push(warning))).toBeUndefined();
    expect(await checkBeforeStart(config, {}, (warning) => warnings.push(warning))).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('2 ARN cells had whitespace around the value (the first on line 4, new_owner)')]);
    await ledger(join(dir, 'shared.checkpoint'), { args: ['--shard', '2/2'] });
    const refused = await checkBeforeStart(
      { ...config, checkpoint: join(dir, 'shared.checkpoint'), shard: { index: 1, count: 2 } },
      { trimmedArnCells },
      () => {
        throw new Error('no warning with a refusal');
      },
    );
    expect(refused).toBeInstanceOf(Refusal);
  });
});

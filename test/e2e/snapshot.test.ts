/**
 * `snapshot` end to end: a local Service Catalog of two accounts and two regions, with tags,
 * principals under paths, a launch role that does not trust Service Catalog and an owner IAM no
 * longer knows, copied through the CLI (Search, Scan, STS and IAM over HTTP) into a seed, and the
 * seed loaded into a second emulator. The copy must answer Search, Scan and IAM as the original
 * does, and a migration planned, dry-run and run against each must end the same way.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetRoleCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { ScanProvisionedProductsCommand, SearchProvisionedProductsCommand, ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadSeed, startEmulator, type CatalogSeed, type RunningEmulator, type SeedProduct } from '../../src/emulator/index.js';
import { runCli } from './helpers/cli.js';
import { updateCalls } from './helpers/emulator-checks.js';
import { closedAfterEach } from './helpers/teardown.js';
import { createWorkspace } from './helpers/workspace.js';

const SAMPLE_SEED = fileURLToPath(new URL('../../samples/catalog.json', import.meta.url));
const HOME = '310000000000';
const OTHER = '310000000001';
const ROLE = 'OrganizationAccountAccessRole';
const REGIONS = ['us-east-1', 'eu-west-1'];
const iam = (account: string, resource: string) => `arn:aws:iam::${account}:${resource}`;
const ALICE = iam(HOME, 'user/alice');
const BOB = iam(HOME, 'user/staff/bob');
const ZOE = iam(HOME, 'user/zoe');
const GHOST = iam(OTHER, 'user/ghost');

const resources = closedAfterEach();

function product(id: string, owner: string, extra: Partial<SeedProduct> = {}): SeedProduct {
  return { id, name: `${id}-name`, owner, createdTime: '2024-02-03T04:05:06Z', productId: 'prod-abcdefghijk12', productName: 'Web', ...extra };
}

/** Two accounts in two regions; the home account has more than one Search page in us-east-1. */
function originalSeed(): CatalogSeed {
  const many = Array.from({ length: 130 }, (_, i) =>
    product(`pp-home${String(i).padStart(4, '0')}`, i % 8 === 0 ? ALICE : BOB, {
      region: 'us-east-1',
      ...(i % 4 === 0 ? { launchRole: iam(HOME, 'role/service-role/SCLaunch-Web') } : {}),
      ...(i % 5 === 0 ? { tags: { team: 'web', env: i % 2 === 0 ? 'prod' : 'dev' } } : {}),
    }),
  );
  return {
    accountId: HOME,
    products: [
      ...many,
      product('pp-eu-alice', ALICE, { region: 'eu-west-1', status: 'TAINTED', statusMessage: 'Stack is in UPDATE_ROLLBACK_COMPLETE state.' }),
      product('pp-eu-carol', `arn:aws:sts::${HOME}:assumed-role/Team/carol@example.com`, { region: 'eu-west-1' }),
    ],
    assumableRoles: [ROLE],
    principals: [
      { arn: ALICE },
      { arn: BOB },
      { arn: ZOE },
      { arn: iam(HOME, 'role/Team'), trustsServiceCatalog: false },
      { arn: iam(HOME, 'role/service-role/SCLaunch-Web'), maxSessionSeconds: 7200 },
      { arn: iam(HOME, `role/${ROLE}`) },
    ],
    accounts: [
      {
        accountId: OTHER,
        assumableRoles: [ROLE],
        externalId: 'rehearsal-42',
        products: [
          product('pp-other-ghost', GHOST, { region: 'us-east-1', tags: { owner: 'left-in-2023' } }),
          product('pp-other-old', iam(OTHER, 'user/alice'), { region: 'eu-west-1', launchRole: iam(OTHER, 'role/SCLaunch-Old') }),
        ],
        principals: [
          { arn: iam(OTHER, 'user/alice') },
          { arn: iam(OTHER, 'role/SCLaunch-Old'), trustsServiceCatalog: false },
          { arn: iam(OTHER, `role/${ROLE}`) },
        ],
      },
    ],
  };
}

const start = async (seed: CatalogSeed) => startEmulator({ seed, recordDelayMs: 0, regions: REGIONS });

function clients(emulator: RunningEmulator) {
  const common = { endpoint: emulator.endpoint, credentials: { accessKeyId: 'AKIDTESTEXAMPLE', secretAccessKey: 'test-secret' } };
  return {
    sc: (region: string, credentials = common.credentials) => new ServiceCatalogClient({ ...common, region, credentials, maxAttempts: 1 }),
    iam: (credentials = common.credentials) => new IAMClient({ ...common, region: 'us-east-1', credentials, maxAttempts: 1 }),
    sts: () => new STSClient({ ...common, region: 'us-east-1', maxAttempts: 1 }),
  };
}

/** What an account says, through the SDK: Search (every page, by id) and Scan in each region, and IAM's answers for `names`. */
async function answers(emulator: RunningEmulator, account: string, names: readonly string[]) {
  const made = clients(emulator);
  let credentials = { accessKeyId: 'AKIDTESTEXAMPLE', secretAccessKey: 'test-secret' } as {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  if (account !== HOME) {
    const sts = made.sts();
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: iam(account, `role/${ROLE}`), RoleSessionName: 'compare', ExternalId: 'rehearsal-42' }));
    sts.destroy();
    const c = assumed.Credentials!;
    credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  }
  const byRegion: Record<string, unknown> = {};
  for (const region of REGIONS) {
    const sc = made.sc(region, credentials);
    const search: unknown[] = [];
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await sc.send(
        new SearchProvisionedProductsCommand({ AccessLevelFilter: { Key: 'Account', Value: 'Self' }, SortBy: 'id', PageSize: 100, PageToken: token }),
      );
      // Record ids are each emulator's own (no history is copied); everything else a product is made of must match.
      search.push(
        ...(page.ProvisionedProducts ?? []).map(
          ({ LastRecordId: _last, LastProvisioningRecordId: _provisioning, LastSuccessfulProvisioningRecordId: _successful, ...kept }) => kept,
        ),
      );
      token = page.NextPageToken || undefined;
    }
    const scan: unknown[] = [];
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await sc.send(new ScanProvisionedProductsCommand({ AccessLevelFilter: { Key: 'Account', Value: 'Self' }, PageSize: 20, PageToken: token }));
      scan.push(...(page.ProvisionedProducts ?? []).map((p) => [p.Id, p.Status, p.LaunchRoleArn, p.CreatedTime?.toISOString()]));
      token = page.NextPageToken || undefined;
    }
    sc.destroy();
    byRegion[region] = { search, scan };
  }
  const client = made.iam(credentials);
  const principals: Record<string, unknown> = {};
  for (const name of names) {
    const [kind, who] = name.split('/') as ['user' | 'role', string];
    principals[name] = await (kind === 'user' ? client.send(new GetUserCommand({ UserName: who })) : client.send(new GetRoleCommand({ RoleName: who }))).then(
      (out) => {
        const p = 'User' in out ? out.User! : out.Role!;
        return { arn: p.Arn, path: p.Path, trust: 'Role' in out ? decodeURIComponent(out.Role!.AssumeRolePolicyDocument ?? '') : undefined };
      },
      (error: Error) => error.name,
    );
  }
  client.destroy();
  return { byRegion, principals };
}

const NAMES_HOME = ['user/alice', 'user/bob', 'user/zoe', 'user/nobody', 'role/Team', 'role/SCLaunch-Web', 'role/Missing'];
const NAMES_OTHER = ['user/alice', 'user/ghost', 'role/SCLaunch-Old'];

/** How every command of these tests reaches the accounts: the role, its external id, the emulator as endpoint. */
const across = (emulator: RunningEmulator) => ['--endpoint-url', emulator.endpoint, '--assume-role-name', ROLE, '--external-id', 'rehearsal-42'];
const BOTH_ACCOUNTS = ['--account', `${HOME},${OTHER}`];
const everywhere = [...BOTH_ACCOUNTS, '--regions', REGIONS.join(',')];

describe('snapshot', () => {
  it('copies two accounts in two regions into a seed whose emulator answers as the original does', async () => {
    const original = await start(originalSeed());
    const ws = await createWorkspace('sot-snapshot-');
    resources.keep({ emulator: original, ws });
    const result = await runCli(
      ['snapshot', ...across(original), ...everywhere, '--principal', `${ZOE},${iam('999999999999', 'user/elsewhere')}`, '--out', 'copy.json'],
      {
        cwd: ws.dir,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`--principal ${iam('999999999999', 'user/elsewhere')} is in no account this snapshot read`);
    expect(result.stdout).toContain('Snapshot: 134 products in 2 accounts and 2 regions');
    expect(result.stdout).toMatch(new RegExp(`${OTHER} .*principals: 2 found, 1 missing \\(user/ghost\\)`));
    // Reads only: not one write reached the original.
    expect(updateCalls(original)).toEqual([]);

    const seed = await loadSeed(ws.path('copy.json'));
    const copy = await start(seed);
    resources.keep({ emulator: copy, ws: await createWorkspace('sot-snapshot-copy-') });
    expect(await answers(copy, HOME, NAMES_HOME)).toEqual(await answers(original, HOME, NAMES_HOME));
    expect(await answers(copy, OTHER, NAMES_OTHER)).toEqual(await answers(original, OTHER, NAMES_OTHER));
    // The comparisons compare something: tags, paths, trust and the missing names are there.
    const other = await answers(copy, OTHER, NAMES_OTHER);
    expect(other.principals['user/ghost']).toBe('NoSuchEntityException');
    expect(JSON.stringify(other.byRegion)).toContain('left-in-2023');
    const home = await answers(copy, HOME, NAMES_HOME);
    expect(home.principals['user/bob']).toMatchObject({ path: '/staff/' });
    expect(home.principals['user/nobody']).toBe('NoSuchEntityException');
  });

  it('a migration planned, dry-run and run on the copy ends as it does on the original', async () => {
    const original = await start(originalSeed());
    const ws = await createWorkspace('sot-snapshot-');
    resources.keep({ emulator: original, ws });
    // zoe owns nothing yet: the rehearsal names her, so the copy knows she exists.
    const taken = await runCli(['snapshot', ...across(original), ...everywhere, '--principal', ZOE, '--out', 'copy.json'], { cwd: ws.dir });
    expect(taken.code, taken.stderr).toBe(0);
    const copy = await start(await loadSeed(ws.path('copy.json')));
    resources.keep({ emulator: copy, ws: await createWorkspace('sot-snapshot-copy-') });
    // Alice's products to zoe; the other account's alice to a typo IAM does not know (its rows must fail on both).
    await ws.writeCsv(
      'owners.csv',
      ['old_owner', 'new_owner'],
      [
        [ALICE, ZOE],
        [iam(OTHER, 'user/alice'), iam(OTHER, 'user/bbo')],
      ],
    );

    const journey = async (emulator: RunningEmulator, tag: string) => {
      const plan = await runCli(['plan', ...across(emulator), ...everywhere, '--owner-map', 'owners.csv', '--out', `${tag}-plan.csv`], { cwd: ws.dir });
      expect(plan.code, plan.stderr).toBe(0);
      const run = (results: string, ...extra: string[]) =>
        runCli(['run', ...across(emulator), '--input', `${tag}-plan.csv`, '--results', results, '--rate', '500', '--no-progress', '--yes', ...extra], {
          cwd: ws.dir,
        });
      const dry = await run(`${tag}-dry.csv`, '--dry-run');
      const real = await run(`${tag}-run.csv`);
      const rows = async (name: string) =>
        parse<Record<string, string>>(await readFile(ws.path(name), 'utf8'), { columns: true })
          .map((row) => [row.provisioned_product_id, row.outcome, row.reason, row.error_code].join(' '))
          .sort();
      return {
        plan: await readFile(ws.path(`${tag}-plan.csv`), 'utf8'),
        dry: [dry.code, await rows(`${tag}-dry.csv`)],
        run: [real.code, await rows(`${tag}-run.csv`)],
        owners: [HOME, OTHER]
          .flatMap((account) => emulator.state.account(account)!.products())
          .map((p) => `${p.id} ${p.owner}`)
          .sort(),
      };
    };
    const onOriginal = await journey(original, 'original');
    const onCopy = await journey(copy, 'copy');
    expect(onCopy).toEqual(onOriginal);
    // What the journey did: alice's products moved to zoe, the typo's rows failed as not found, on both.
    expect(onOriginal.run[0]).toBe(1);
    expect(onOriginal.run[1]).toContain('pp-other-old failed target-not-found NoSuchEntity');
    expect(onOriginal.owners).toContain(`pp-eu-alice ${ZOE}`);
  });

  it('an account that cannot be reached is named (INCOMPLETE, exit 7) and the others are written', async () => {
    const original = await start(originalSeed());
    original.setFaults({ assumeRoleDenied: [OTHER] });
    const ws = await createWorkspace('sot-snapshot-');
    resources.keep({ emulator: original, ws });
    const taken = await runCli(['snapshot', ...across(original), ...BOTH_ACCOUNTS, '--out', 'copy.json'], { cwd: ws.dir });
    expect(taken.code, taken.stderr).toBe(7);
    expect(taken.stdout).toContain('INCOMPLETE: 1 account or region was not read');
    expect(taken.stdout).toMatch(new RegExp(`\\n    ${OTHER}  AccessDenied: .*sts:AssumeRole`));
    const seed = await loadSeed(ws.path('copy.json'));
    expect(seed.accountId).toBe(HOME);
    expect(seed.accounts ?? []).toEqual([]);
    expect(seed.products.map((p) => p.id)).toContain('pp-home0000');
  });

  it('the caller’s account alone: IAM that cannot be read is said, not guessed; an existing --out is kept; usage errors send nothing', async () => {
    const original = await startEmulator({ seed: await loadSeed(SAMPLE_SEED), faults: { iamAccessDenied: true } });
    const ws = await createWorkspace('sot-snapshot-');
    resources.keep({ emulator: original, ws });
    const snapshot = (...flags: string[]) => runCli(['snapshot', '--endpoint-url', original.endpoint, ...flags], { cwd: ws.dir });
    const taken = await snapshot('--out', 'copy.json');
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toContain('IAM not read (IAM GetRole');
    expect(taken.stdout).toContain('the copy says every user and role exists there');
    const written = await readFile(ws.path('copy.json'), 'utf8');
    const seed = JSON.parse(written) as CatalogSeed;
    expect(seed.principals).toBeUndefined();
    expect(seed.products).toHaveLength((await loadSeed(SAMPLE_SEED)).products.length);

    const again = await snapshot('--out', 'copy.json');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("copy.json' exists; pass --force to replace it");
    expect(await readFile(ws.path('copy.json'), 'utf8')).toBe(written);

    const calls = original.state.calls().length;
    for (const [flags, message] of [
      [[], '--out is required'],
      [['--out', 'x.json', '--account', '123456789012'], '--account reads across accounts'],
      [['--out', 'x.json', '--assume-role-name', 'R'], '--assume-role-name needs the accounts to read'],
      [['--out', 'x.json', '--principal', 'bob'], "--principal expects an IAM user, role or assumed-role ARN, got 'bob'"],
    ] as const) {
      const refused = await snapshot(...flags);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    expect(original.state.calls()).toHaveLength(calls);
  });
});

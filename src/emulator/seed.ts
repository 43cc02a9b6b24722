/**
 * The catalog the emulator starts from: read and checked from a JSON file (`loadSeed`), checked
 * when given in code (`parseSeed`), or made up for large runs (`generateSeed`). Every problem is
 * reported with its JSON path, all at once, so a hand-edited seed is fixed in one go.
 */
import { readFile } from 'node:fs/promises';
import { readErrorText } from '../errors.js';
import { launchRoleProblem, ownerProblem } from './arn-rules.js';
import { DEFAULT_ACCOUNT_ID, PRODUCT_STATUSES } from './constants.js';
import { parsePrincipals } from './iam-principals.js';
import { mulberry32, randomAlnum } from './prng.js';
import type { Random } from './prng.js';
import { EmulatorConfigError } from './service-error.js';
import type { AccountSeed, CatalogSeed, ProvisionedProductStatus, SeedProduct } from './types.js';

const ID_PATTERN = /^[a-zA-Z0-9_-]{1,100}$/;
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;
const OPTIONAL_STRINGS = ['statusMessage', 'productId', 'productName', 'provisioningArtifactId', 'provisioningArtifactName'] as const;
const KNOWN_KEYS = new Set(['id', 'name', 'owner', 'launchRole', 'status', 'createdTime', 'region', 'tags', ...OPTIONAL_STRINGS]);
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export async function loadSeed(path: string): Promise<CatalogSeed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EmulatorConfigError('SEED_UNREADABLE', `seed file '${path}': ${readErrorText(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmulatorConfigError('SEED_INVALID', `${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseSeed(json, path);
}

const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const ACCOUNT_KEYS = new Set(['accountId', 'products', 'assumableRoles', 'externalId', 'principals']);

/** Checks an untrusted seed; throws EmulatorConfigError SEED_INVALID listing every problem. */
export function parseSeed(input: unknown, where = 'seed'): CatalogSeed {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EmulatorConfigError('SEED_INVALID', `${where}: expected an object {accountId, products: [...]}`);
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!ACCOUNT_KEYS.has(key) && key !== 'accounts') problems.push(`${where}.${key}: unknown field`);
  const home = parseAccount(record, where, problems);
  const accounts: AccountSeed[] = [];
  if (record.accounts !== undefined) {
    if (!Array.isArray(record.accounts)) problems.push(`${where}.accounts: expected an array of {accountId, products}`);
    const seen = new Set([home.accountId]);
    (Array.isArray(record.accounts) ? (record.accounts as unknown[]) : []).forEach((raw, index) => {
      const at = `${where}.accounts[${index}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        problems.push(`${at}: expected an object {accountId, products: [...]}`);
        return;
      }
      for (const key of Object.keys(raw)) if (!ACCOUNT_KEYS.has(key)) problems.push(`${at}.${key}: unknown field`);
      const account = parseAccount(raw as Record<string, unknown>, at, problems);
      if (seen.has(account.accountId)) problems.push(`${at}.accountId: account ${account.accountId} appears twice`);
      seen.add(account.accountId);
      accounts.push(account);
    });
  }
  if (problems.length > 0) {
    throw new EmulatorConfigError('SEED_INVALID', `invalid seed:\n  ${problems.join('\n  ')}`);
  }
  return { ...home, ...(record.accounts === undefined ? {} : { accounts }) };
}

/** One account's fields; problems are pushed with their JSON path. */
function parseAccount(input: Record<string, unknown>, where: string, problems: string[]): AccountSeed {
  const { accountId, products, assumableRoles, externalId, principals } = input;
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) {
    problems.push(`${where}: accountId must be a 12-digit AWS account id, got ${JSON.stringify(accountId)}`);
  }
  if (!Array.isArray(products)) problems.push(`${where}: products must be an array`);
  const account = typeof accountId === 'string' ? accountId : '';
  if (
    assumableRoles !== undefined &&
    !(Array.isArray(assumableRoles) && assumableRoles.every((name) => typeof name === 'string' && ROLE_NAME_PATTERN.test(name)))
  ) {
    problems.push(`${where}.assumableRoles: expected an array of IAM role names (1-64 of [\\w+=,.@-]), got ${JSON.stringify(assumableRoles)}`);
  }
  if (externalId !== undefined && (typeof externalId !== 'string' || !/^[\w+=,.@:/-]{2,1224}$/.test(externalId))) {
    problems.push(`${where}.externalId: expected 2-1224 of [\\w+=,.@:/-], got ${JSON.stringify(externalId)}`);
  }
  const declared = parsePrincipals(principals, account, where, problems);
  const ids = new Set<string>();
  const names = new Set<string>();
  const parsed: SeedProduct[] = [];
  (Array.isArray(products) ? products : []).forEach((raw, index) => {
    const at = `${where}: products[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${at}: expected an object`);
      return;
    }
    const product = raw as Record<string, unknown>;
    for (const key of Object.keys(product)) if (!KNOWN_KEYS.has(key)) problems.push(`${at}.${key}: unknown field`);
    const { id, name, owner, launchRole, status, createdTime, region } = product;
    if (region !== undefined && (typeof region !== 'string' || !REGION_PATTERN.test(region)))
      problems.push(`${at}.region: expected a region name such as eu-west-1, got ${JSON.stringify(region)}`);
    const regionKey = typeof region === 'string' ? region : '';
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) problems.push(`${at}.id: expected 1-100 of [a-zA-Z0-9_-], got ${JSON.stringify(id)}`);
    else if (ids.has(id)) problems.push(`${at}.id: duplicate id '${id}'`);
    else ids.add(id);
    if (typeof name !== 'string' || !NAME_PATTERN.test(name))
      problems.push(`${at}.name: expected a provisioned product name ([a-zA-Z0-9][a-zA-Z0-9._-]*, at most 128), got ${JSON.stringify(name)}`);
    else if (names.has(`${regionKey}/${name}`)) problems.push(`${at}.name: duplicate name '${name}'${regionKey === '' ? '' : ` in ${regionKey}`}`);
    else names.add(`${regionKey}/${name}`);
    const ownerWhy = typeof owner === 'string' ? ownerProblem(owner, account) : 'owner is required';
    if (ownerWhy) problems.push(`${at}.owner: ${ownerWhy}`);
    if (launchRole !== undefined) {
      const why = typeof launchRole === 'string' ? launchRoleProblem(launchRole, account) : 'expected a string';
      if (why) problems.push(`${at}.launchRole: ${why}`);
    }
    if (status !== undefined && !(PRODUCT_STATUSES as readonly unknown[]).includes(status)) {
      problems.push(`${at}.status: expected one of ${PRODUCT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    }
    if (createdTime !== undefined && (typeof createdTime !== 'string' || Number.isNaN(Date.parse(createdTime)))) {
      problems.push(`${at}.createdTime: expected an ISO-8601 time, got ${JSON.stringify(createdTime)}`);
    }
    for (const key of OPTIONAL_STRINGS) {
      if (product[key] !== undefined && typeof product[key] !== 'string') problems.push(`${at}.${key}: expected a string`);
    }
    if (product.tags !== undefined) problems.push(...tagProblems(product.tags, `${at}.tags`));
    parsed.push(product as unknown as SeedProduct);
  });
  return {
    accountId: account,
    products: parsed.map((product) => ({ ...product })),
    ...(Array.isArray(assumableRoles) ? { assumableRoles: [...(assumableRoles as string[])] } : {}),
    ...(typeof externalId === 'string' ? { externalId } : {}),
    ...(declared === undefined ? {} : { principals: declared }),
  };
}

const MAX_TAGS = 50;

/**
 * Service Catalog's tag rules: at most 50, keys 1-128 characters, values 0-256. Keys starting with
 * `aws:` are let in: a user cannot set them, but AWS sets some itself, and a snapshot of an
 * account must hold whatever Search answered.
 */
function tagProblems(tags: unknown, at: string): string[] {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
    return [`${at}: expected an object of tag keys to string values, got ${JSON.stringify(tags)}`];
  const entries = Object.entries(tags);
  const problems = entries.length > MAX_TAGS ? [`${at}: at most ${MAX_TAGS} tags, got ${entries.length}`] : [];
  for (const [key, value] of entries) {
    const length = [...key].length;
    if (length < 1 || length > 128) problems.push(`${at}: key ${JSON.stringify(key)} must be 1-128 characters`);
    if (typeof value !== 'string') problems.push(`${at}.${key}: expected a string value, got ${JSON.stringify(value)}`);
    else if ([...value].length > 256) problems.push(`${at}.${key}: the value must be at most 256 characters`);
  }
  return problems;
}

/** Every account of a seed, the caller's own first. */
export function seedAccounts(seed: CatalogSeed): AccountSeed[] {
  const { accounts, ...home } = seed;
  return [home, ...(accounts ?? [])];
}

export interface GenerateSeedOptions {
  /** Products in each account. */
  readonly count: number;
  /** The caller's own account. */
  readonly accountId?: string;
  /** Accounts in all, the caller's own included; the others are the next account ids up. Default 1. */
  readonly accounts?: number;
  /** Regions each account has `count` products in (each product names its region). Default: the emulator's one region. */
  readonly regions?: readonly string[];
  /** Owners assigned round-robin (one account only); defaults to a realistic mix incl. the departing user alice. */
  readonly owners?: readonly string[];
  /** PRNG seed or PRNG; default seed 1. */
  readonly random?: number | Random;
}

const FAMILIES = ['payments-api', 'orders-svc', 'data-lake', 'ml-notebook', 'vpc-baseline', 'ci-runner', 'search-cluster', 'web-frontend'];
const ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'];
/** What --generate's extra accounts let in, as AWS Organizations and Control Tower name it. */
const GENERATED_ASSUMABLE_ROLES = ['OrganizationAccountAccessRole', 'AWSControlTowerExecution'];

/**
 * `count` products in each of `accounts` accounts, with real-looking ids (`pp-` + 12 lowercase
 * alphanumerics, unique across accounts), names, owners and roles.
 */
export function generateSeed(options: GenerateSeedOptions): CatalogSeed {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) throw new EmulatorConfigError('OPTIONS_INVALID', `accountId must be 12 digits, got '${accountId}'`);
  if (!Number.isInteger(options.count) || options.count < 0) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `count must be an integer >= 0, got ${options.count}`);
  }
  const accountCount = options.accounts ?? 1;
  if (!Number.isInteger(accountCount) || accountCount < 1 || Number(accountId) + accountCount > 999_999_999_999) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `accounts must be an integer >= 1 that keeps account ids at 12 digits, got ${accountCount}`);
  }
  const random = typeof options.random === 'function' ? options.random : mulberry32(options.random ?? 1);
  const ids = new Set<string>();
  const accounts = Array.from({ length: accountCount }, (_, k) => {
    const id = String(Number(accountId) + k).padStart(12, '0');
    return {
      accountId: id,
      products: (options.regions ?? [undefined]).flatMap((region) =>
        generateProducts(options.count, id, k === 0 ? options.owners : undefined, random, ids).map((product) =>
          region === undefined ? product : { ...product, region },
        ),
      ),
      ...(k === 0 ? {} : { assumableRoles: GENERATED_ASSUMABLE_ROLES }),
    };
  });
  const home: AccountSeed = accounts[0]!;
  return accounts.length === 1 ? home : { ...home, accounts: accounts.slice(1) };
}

function generateProducts(count: number, accountId: string, givenOwners: readonly string[] | undefined, random: Random, ids: Set<string>): SeedProduct[] {
  const owners = givenOwners ?? [
    `arn:aws:iam::${accountId}:user/alice`,
    `arn:aws:iam::${accountId}:user/bob`,
    `arn:aws:iam::${accountId}:role/DevOpsEngineer`,
    `arn:aws:sts::${accountId}:assumed-role/PlatformTeam/carol@example.com`,
  ];
  for (const owner of owners) {
    const why = ownerProblem(owner, accountId);
    if (why) throw new EmulatorConfigError('OPTIONS_INVALID', why);
  }
  const products: SeedProduct[] = [];
  const start = Date.UTC(2022, 0, 3, 8, 0, 0);
  for (let i = 0; i < count; i += 1) {
    let id = `pp-${randomAlnum(random, 12)}`;
    // A degenerate random source (e.g. a constant) would loop forever on collisions.
    for (let attempt = 0; ids.has(id); attempt += 1) {
      if (attempt >= 100) throw new EmulatorConfigError('OPTIONS_INVALID', 'the random source keeps repeating provisioned product ids');
      id = `pp-${randomAlnum(random, 12)}`;
    }
    ids.add(id);
    const family = FAMILIES[i % FAMILIES.length]!;
    const env = ENVIRONMENTS[Math.floor(i / FAMILIES.length) % ENVIRONMENTS.length]!;
    const roll = random();
    const status: ProvisionedProductStatus = roll < 0.04 ? 'TAINTED' : roll < 0.06 ? 'ERROR' : 'AVAILABLE';
    products.push({
      id,
      name: `${family}-${env}-${String(i + 1).padStart(5, '0')}`,
      owner: owners[i % owners.length]!,
      ...(random() < 0.85 ? { launchRole: `arn:aws:iam::${accountId}:role/SCLaunch-${family}` } : {}),
      ...(status === 'AVAILABLE' ? {} : { status }),
      productName: family,
      productId: `prod-${familyId(family)}`,
      createdTime: new Date(start + i * 3_600_000 + Math.floor(random() * 3_000_000)).toISOString(),
    });
  }
  return products;
}

/** A stable prod- id per product family, so ListRecordHistory's `product` filter groups them. */
function familyId(family: string): string {
  return randomAlnum(mulberry32([...family].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261)), 13);
}

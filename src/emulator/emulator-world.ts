/**
 * What the emulator holds, built once from its options: the accounts (each with its fault
 * engine, its IAM users and roles, and one catalog store per region served), the directory that
 * tells a request's account from its credentials, and the operations a request runs against its
 * account and region. An account's IAM (iam-principals.ts) knows only its principals when its seed
 * declares `principals` or `iamPrincipals` names one of it; otherwise every name exists, the
 * default for seeds written before principals existed. The options are checked here; every
 * problem is an EmulatorConfigError naming the option.
 */
import { systemClock, type Clock } from '../clock.js';
import { AccountDirectory, type EmulatedAccount, type Identity } from './accounts.js';
import { parsePrincipal } from './arn-rules.js';
import { CatalogStore, partitionOf } from './catalog-store.js';
import { DEFAULT_RECORD_DELAY_MS, DEFAULT_REGION } from './constants.js';
import { FaultEngine } from './fault-engine.js';
import { parseFaults } from './faults-config.js';
import { IamDirectory, iamPrincipalProblem } from './iam-principals.js';
import { createOperations, DEFAULT_SEARCH_ACCESS } from './operations.js';
import { mulberry32, randomAlnum, type Random } from './prng.js';
import { parseSeed, seedAccounts } from './seed.js';
import { EmulatorConfigError } from './service-error.js';
import type { AccountSeed, CatalogSeed, EmulatorOptions } from './types.js';

/** The operations of one request, by name. */
type Operations = ReturnType<typeof createOperations>;

export interface EmulatorWorld {
  readonly seed: CatalogSeed;
  readonly clock: Clock;
  readonly callerArn: string;
  /** The default region, and every region served. */
  readonly region: string;
  readonly regions: readonly string[];
  readonly accounts: readonly EmulatedAccount[];
  readonly directory: AccountDirectory;
  /** The caller's own account. */
  readonly home: EmulatedAccount;
  /** The account a control request or `setFaults` names, or the caller's own; refuses one it does not hold. */
  accountNamed(accountId: string | undefined): EmulatedAccount;
  /** The operations of one request: its account's store in its region, as its caller. */
  operationsFor(identity: Identity, region: string): Operations;
}

export function buildWorld(options: EmulatorOptions): EmulatorWorld {
  const seed = parseSeed(options.seed, 'options.seed');
  const clock = options.clock ?? systemClock;
  const callerArn = options.callerArn ?? `arn:aws:iam::${seed.accountId}:role/Admin`;
  if (!parsePrincipal(callerArn)) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `callerArn must be an IAM user, role or assumed-role ARN, got '${callerArn}'`);
  }
  const recordDelayMs = options.recordDelayMs ?? DEFAULT_RECORD_DELAY_MS;
  if (!(Number.isFinite(recordDelayMs) && recordDelayMs >= 0)) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `recordDelayMs must be >= 0, got ${recordDelayMs}`);
  }
  const sessionSeconds = options.sessionSeconds;
  if (sessionSeconds !== undefined && !(Number.isFinite(sessionSeconds) && sessionSeconds > 0)) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `sessionSeconds must be > 0, got ${sessionSeconds}`);
  }
  const region = options.region ?? DEFAULT_REGION;
  const randomSeed = options.random ?? 1;
  const regions = regionsServed(region, options.regions ?? [], seed);
  const iamPrincipals = checkIamPrincipals(options.iamPrincipals ?? [], seed);
  // Separate streams: record ids must not shift when fault draws change, and vice versa.
  const idRandom = mulberry32(randomSeed ^ 0x5bd1e995);
  const accounts = seedAccounts(seed).map((accountSeed, index) =>
    buildAccount(accountSeed, index, { options, clock, callerArn, region, regions, recordDelayMs, randomSeed, idRandom, iamPrincipals }),
  );
  for (const accountId of Object.keys(options.accountFaults ?? {})) {
    if (!accounts.some((account) => account.seed.accountId === accountId)) {
      throw new EmulatorConfigError('OPTIONS_INVALID', `accountFaults names account ${accountId}, which the seed does not hold`);
    }
  }
  const directory = new AccountDirectory(accounts, callerArn, mulberry32(randomSeed ^ 0x1b873593), sessionSeconds);
  const home = directory.home.account;
  const shuffleRandom = mulberry32(randomSeed ^ 0x27d4eb2f);
  const searchDefaultAccess = options.searchDefaultAccessLevel ?? DEFAULT_SEARCH_ACCESS;
  return {
    seed,
    clock,
    callerArn,
    region,
    regions,
    accounts,
    directory,
    home,
    accountNamed(accountId) {
      if (accountId === undefined) return home;
      const account = directory.get(accountId);
      if (account !== undefined) return account;
      const held = accounts.map((a) => a.seed.accountId).join(', ');
      throw new EmulatorConfigError('OPTIONS_INVALID', `the emulator holds no account ${accountId} (it holds ${held})`);
    },
    operationsFor: (identity, requestRegion) =>
      createOperations({
        store: identity.account.storeIn(requestRegion),
        callerArn: identity.callerArn,
        now: () => clock.now(),
        searchDefaultAccess,
        unsortedRank: unsortedRank(identity.account.faults, shuffleRandom),
      }),
  };
}

/** The default region, those asked for, and those the seed's products name. */
function regionsServed(region: string, asked: readonly string[], seed: CatalogSeed): string[] {
  const named = seedAccounts(seed).flatMap((a) => a.products.flatMap((p) => (p.region === undefined ? [] : [p.region])));
  return [...new Set([region, ...asked, ...named])];
}

/** `iamPrincipals`: each an IAM user or role ARN of an account the seed holds. */
function checkIamPrincipals(arns: readonly string[], seed: CatalogSeed): readonly string[] {
  const held = seedAccounts(seed).map((account) => account.accountId);
  for (const arn of arns) {
    const principal = typeof arn === 'string' ? parsePrincipal(arn) : undefined;
    // The same user-or-role rule a seed's principals follow; the account is checked below, against every account held.
    const problem = iamPrincipalProblem(String(arn), principal?.accountId ?? 'ACCOUNT');
    if (problem !== undefined || principal === undefined) throw new EmulatorConfigError('OPTIONS_INVALID', `iamPrincipals: ${problem ?? String(arn)}`);
    if (!held.includes(principal.accountId)) {
      throw new EmulatorConfigError(
        'OPTIONS_INVALID',
        `iamPrincipals: '${arn}' is in account ${principal.accountId}, which the seed does not hold (it holds ${held.join(', ')})`,
      );
    }
  }
  return arns;
}

interface AccountSettings {
  readonly options: EmulatorOptions;
  readonly clock: Clock;
  readonly callerArn: string;
  readonly region: string;
  readonly regions: readonly string[];
  readonly recordDelayMs: number;
  readonly randomSeed: number;
  readonly idRandom: Random;
  readonly iamPrincipals: readonly string[];
}

/** One account: its faults (the options', then its own) and a store per region, made on first use. */
function buildAccount(accountSeed: AccountSeed, index: number, settings: AccountSettings): EmulatedAccount {
  const { options, clock, callerArn, region, regions, recordDelayMs, randomSeed, idRandom, iamPrincipals } = settings;
  // The caller's own account keeps the stream a one-account emulator always had.
  const faultEngine = new FaultEngine(
    mulberry32(index === 0 ? randomSeed : randomSeed ^ Math.imul(index, 0x9e3779b1)),
    index === 0 ? callerArn : `arn:aws:iam::${accountSeed.accountId}:root`,
  );
  faultEngine.set(parseFaults(options.faults ?? {}, 'options.faults'), clock.now());
  const own = options.accountFaults?.[accountSeed.accountId];
  if (own !== undefined) faultEngine.set(parseFaults(own, `options.accountFaults.${accountSeed.accountId}`), clock.now());
  const stores = new Map<string, CatalogStore>();
  const storeIn = (storeRegion: string): CatalogStore => {
    let store = stores.get(storeRegion);
    if (store === undefined) {
      store = new CatalogStore({
        seed: { ...accountSeed, products: accountSeed.products.filter((p) => (p.region ?? region) === storeRegion) },
        region: storeRegion,
        recordDelayMs,
        newRecordId: () => `rec-${randomAlnum(idRandom, 13)}`,
        isHeld: (id, now) => faultEngine.isHeld(id, now),
        failsUpdate: (id) => faultEngine.failsUpdate(id),
      });
      stores.set(storeRegion, store);
    }
    return store;
  };
  for (const served of regions) storeIn(served);
  const ownPrincipals = iamPrincipals.filter((arn) => parsePrincipal(arn)?.accountId === accountSeed.accountId);
  const iam = new IamDirectory(accountSeed, ownPrincipals, partitionOf(region));
  return { seed: accountSeed, faults: faultEngine, iam, storeIn, stores: () => [...stores.values()] };
}

/** With the shuffleUnsortedPages fault, unsorted pages rank products at random (fixed within one request). */
function unsortedRank(faults: FaultEngine, random: Random) {
  return () => {
    if (faults.current().shuffleUnsortedPages !== true) return undefined;
    const ranks = new Map<number, number>();
    return (ordinal: number) => {
      let rank = ranks.get(ordinal);
      if (rank === undefined) ranks.set(ordinal, (rank = random()));
      return rank;
    };
  };
}

/**
 * Public contracts of the emulator: the seed it starts from, the faults it injects, the options of
 * `startEmulator`, and the read-only views of its state. Plain data only, so the same shapes travel
 * as JSON through `GET /_emulator/state` and `POST /_emulator/faults`.
 */
import type { Clock } from '../clock.js';
import type { OperationName, ProvisionedProductStatus, RecordStatus, RecordType } from './constants.js';

export type { OperationName, ProvisionedProductStatus, RecordStatus, RecordType } from './constants.js';

/** One provisioned product of the seed. Optional catalog fields are derived from `id` when absent. */
export interface SeedProduct {
  /** Provisioned product id, e.g. `pp-4kq2x7mzp1ab`. */
  readonly id: string;
  /** Provisioned product name (unique in the account). */
  readonly name: string;
  /** Owner (UserArn): IAM user, IAM role or STS assumed-role ARN of the seed's account. */
  readonly owner: string;
  /** Launch role: IAM role ARN of the seed's account. */
  readonly launchRole?: string;
  /** Defaults to AVAILABLE. UNDER_CHANGE and PLAN_IN_PROGRESS stay so for the whole run. */
  readonly status?: ProvisionedProductStatus;
  readonly statusMessage?: string;
  /** Catalog product (prod-…) the provisioned product was launched from. */
  readonly productId?: string;
  readonly productName?: string;
  readonly provisioningArtifactId?: string;
  readonly provisioningArtifactName?: string;
  /** ISO-8601 creation time. */
  readonly createdTime?: string;
  /** The region it is in; default the emulator's (`--region`). Names are unique per account and region. */
  readonly region?: string;
  /** Its tags, key → value (at most 50; keys 1-128, values 0-256 characters), as Search answers them. Default none. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** An IAM user or role of an account, as IAM's GetUser / GetRole answer it. */
export interface SeedPrincipal {
  /** `arn:aws:iam::ACCOUNT:user/PATH/NAME` or `…:role/PATH/NAME`, in the seed account's own account; the path is what IAM answers. */
  readonly arn: string;
  /** Roles only: its trust policy lets `servicecatalog.amazonaws.com` assume it (a launch role must). Default true. */
  readonly trustsServiceCatalog?: boolean;
  /** Roles only: MaxSessionDuration in seconds, 3600 to 43200, the longest AssumeRole session. Default 3600 (IAM's). */
  readonly maxSessionSeconds?: number;
}

/** One account's products, and who may get into it with STS AssumeRole. */
export interface AccountSeed {
  /** 12-digit AWS account id the products live in. */
  readonly accountId: string;
  readonly products: readonly SeedProduct[];
  /**
   * Role names of this account that STS AssumeRole hands credentials for (e.g.
   * `OrganizationAccountAccessRole`). Absent: any role name; empty: none, so every AssumeRole into
   * the account is refused.
   */
  readonly assumableRoles?: readonly string[];
  /** The external id its roles' trust policies require (`sts:ExternalId`); absent: none. */
  readonly externalId?: string;
  /**
   * The IAM users and roles of the account. Present (even empty): IAM knows these, the emulator's
   * caller, the account's `assumableRoles` and `--iam-principal`s, and answers NoSuchEntity for any
   * other name, as IAM does. Absent (seeds written before principals were declared): every name
   * that IAM's rules allow exists, with path `/`.
   */
  readonly principals?: readonly SeedPrincipal[];
}

/**
 * The catalog: the caller's own account (`accountId`, `products`: what plain credentials see) and,
 * optionally, more accounts reached with STS AssumeRole (`accounts`).
 */
export interface CatalogSeed extends AccountSeed {
  readonly accounts?: readonly AccountSeed[];
}

/** Token bucket of one operation: `burst` tokens, refilled at `ratePerSecond`. */
export interface OperationQuota {
  readonly ratePerSecond: number;
  /** Bucket size; defaults to max(1, ceil(ratePerSecond)). */
  readonly burst?: number;
}

export type FaultScriptAction =
  | 'throttle'
  | 'server-error'
  | 'drop-before'
  | 'drop-after'
  | 'access-denied'
  | { readonly error: string; readonly status?: number; readonly message?: string };

/** A deterministic fault: the first entry that matches a request and has `times` left answers it. */
export interface FaultScriptEntry {
  readonly operation?: OperationName;
  /** Matches `ProvisionedProductId` (updates) or `Id` (DescribeProvisionedProduct). */
  readonly productId?: string;
  readonly times: number;
  readonly action: FaultScriptAction;
}

export interface EmulatorFaults {
  /** One token bucket per operation, as AWS throttles each API on its own. */
  readonly quotas?: Readonly<Partial<Record<OperationName, OperationQuota>>>;
  /** Fraction [0, 1] of requests answered 500 InternalFailure. */
  readonly serverErrorRate?: number;
  /** Fraction [0, 1] of requests whose connection is destroyed before anything is applied. */
  readonly dropBeforeApplyRate?: number;
  /** Fraction [0, 1] of requests handled (an update IS applied) whose answer is then never sent. */
  readonly dropAfterApplyRate?: number;
  /** Delay before every AWS request is handled, through the emulator's clock. */
  readonly latencyMs?: number;
  /** Product id → milliseconds it is held UNDER_CHANGE, counted from when these faults were set. */
  readonly underChange?: Readonly<Record<string, number>>;
  /** Updates of these product ids answer AccessDeniedException. */
  readonly accessDenied?: readonly string[];
  /** Updates of these product ids are accepted, then their record ends FAILED and nothing is applied. */
  readonly failUpdates?: readonly string[];
  /** IAM GetUser / GetRole answer NoSuchEntity for these principal ARNs (matched by name). */
  readonly missingPrincipals?: readonly string[];
  /** IAM GetRole gives these roles a trust policy that does not let Service Catalog assume them. */
  readonly untrustedRoles?: readonly string[];
  /** IAM GetUser / GetRole answer AccessDenied (a caller without IAM read rights). */
  readonly iamAccessDenied?: boolean;
  /** STS AssumeRole answers AccessDenied for these role ARNs, or for every role of these 12-digit account ids. */
  readonly assumeRoleDenied?: readonly string[];
  /** Unsorted SearchProvisionedProducts pages are ordered anew (seeded) on every request, so they can repeat or skip products, as AWS documents. */
  readonly shuffleUnsortedPages?: boolean;
  readonly script?: readonly FaultScriptEntry[];
}

export interface EmulatorOptions {
  /** 0 picks a free port. Default 0. */
  readonly port?: number;
  readonly seed: CatalogSeed;
  /** Principal every request is made as; decides what AccessLevelFilter User sees. */
  readonly callerArn?: string;
  /** accessKeyId → secretAccessKey. When set, SigV4 signatures are fully verified. */
  readonly credentials?: Readonly<Record<string, string>>;
  /** Time a record spends in CREATED and then in IN_PROGRESS. Default `DEFAULT_RECORD_DELAY_MS`; 0 applies at once. */
  readonly recordDelayMs?: number;
  /** SearchProvisionedProducts' access level without an AccessLevelFilter: `Account` (the current API reference, default) or `User` (older documentation). */
  readonly searchDefaultAccessLevel?: 'Account' | 'User';
  readonly faults?: EmulatorFaults;
  readonly clock?: Clock;
  /** Seed of the PRNGs behind random faults and generated record ids. Default 1. */
  readonly random?: number;
  /** The region it serves by default: products that name none are in it. Default us-east-1. */
  readonly region?: string;
  /**
   * More regions it serves (a request sees the products of the region its signature is scoped
   * to); the regions the seed's products name are served too.
   */
  readonly regions?: readonly string[];
  /**
   * Caps how long credentials from STS AssumeRole last, in seconds, whatever DurationSeconds asked
   * (AWS's floor is 900): a rehearsal of a run that outlives its role sessions. Default: as asked.
   */
  readonly sessionSeconds?: number;
  /** Faults of one account only (by 12-digit id), on top of `faults`, which every account starts with. */
  readonly accountFaults?: Readonly<Record<string, EmulatorFaults>>;
  /**
   * IAM users and roles that exist besides the seed's (full ARNs, with path), each in its account,
   * which must be one the seed holds; declaring one makes that account's IAM know only its
   * declared principals (as a seed's `principals` does). Default none.
   */
  readonly iamPrincipals?: readonly string[];
}

export type CallOutcome = 'pending' | 'ok' | 'dropped-before' | 'dropped-after' | 'fault-500' | (string & {});

/** One request as received; `outcome` is 'pending' until it is answered (or dropped). */
export interface CallRecord {
  readonly seq: number;
  /** Operation named by X-Amz-Target, or the raw target / path when it names none. */
  readonly operation: string;
  /** Parsed JSON body; null when the body is not JSON. */
  readonly params: unknown;
  readonly outcome: CallOutcome;
  /** IdempotencyToken of the request, when it has one. */
  readonly token?: string;
  /** The account the request's credentials act in (set once they are checked). */
  readonly accountId?: string;
  /** The access key id that signed it (set once the signature is checked). */
  readonly accessKeyId?: string;
  /** The region its signature is scoped to: whose products it sees (set once the signature is checked). */
  readonly region?: string;
  /** The request's User-Agent header (CloudTrail's `userAgent`), when it had one. */
  readonly userAgent?: string;
  /** ISO-8601 arrival time by the emulator's clock. */
  readonly at: string;
}

export interface ProductSnapshot {
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly type: string;
  readonly status: ProvisionedProductStatus;
  readonly statusMessage?: string;
  readonly owner: string;
  readonly launchRole?: string;
  readonly productId: string;
  readonly productName: string;
  readonly provisioningArtifactId: string;
  readonly provisioningArtifactName: string;
  readonly physicalId: string;
  readonly idempotencyToken: string;
  readonly createdTime: string;
  readonly lastRecordId: string;
  readonly lastProvisioningRecordId: string;
  readonly lastSuccessfulProvisioningRecordId?: string;
  /** Every record of the product, oldest first. */
  readonly recordIds: readonly string[];
}

export interface RecordSnapshot {
  readonly id: string;
  readonly recordType: RecordType;
  readonly status: RecordStatus;
  readonly provisionedProductId: string;
  readonly provisionedProductName: string;
  readonly productId: string;
  readonly provisioningArtifactId: string;
  readonly pathId: string;
  readonly createdTime: string;
  readonly updatedTime: string;
  /** Owner of the product when the record was created (ListRecordHistory at User level). */
  readonly ownerArn: string;
  readonly launchRoleArn?: string;
  /** Properties requested by an UPDATE_PROVISIONED_PRODUCT_PROPERTIES record. */
  readonly properties?: Readonly<Record<string, string>>;
  readonly idempotencyToken?: string;
}

export interface EmulatorState {
  /** The caller's own account, whose products and records are the top-level ones. */
  readonly accountId: string;
  readonly products: readonly ProductSnapshot[];
  readonly records: readonly RecordSnapshot[];
  readonly calls: readonly CallRecord[];
  /** Every account (the caller's own included) by id, when the seed has more than one. */
  readonly accounts?: Readonly<Record<string, { readonly products: readonly ProductSnapshot[]; readonly records: readonly RecordSnapshot[] }>>;
}

/** Read access to the live state; every call computes statuses from the clock at that moment. */
export interface AccountStateView {
  product(id: string): ProductSnapshot | undefined;
  products(): ProductSnapshot[];
  record(id: string): RecordSnapshot | undefined;
  records(): RecordSnapshot[];
}

/** The caller's own account's state at the top level; `account(id)` for any account. */
export interface EmulatorStateView {
  /** One account's products and records; undefined for an account the emulator does not hold. */
  account(accountId: string): AccountStateView | undefined;
  product(id: string): ProductSnapshot | undefined;
  products(): ProductSnapshot[];
  record(id: string): RecordSnapshot | undefined;
  records(): RecordSnapshot[];
  calls(): CallRecord[];
  snapshot(): EmulatorState;
}

/**
 * Called when a request arrives, before it is handled. A returned promise holds the request
 * until it settles, so a test can act (e.g. SIGKILL a client) at an exact point.
 */
export type RequestListener = (call: CallRecord) => void | Promise<void>;

/** Called once a request is answered (or dropped), with its final outcome. */
export type ResponseListener = (call: CallRecord) => void;

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  /** The caller's own account. */
  readonly accountId: string;
  /** Every account held, the caller's own first. */
  readonly accountIds: readonly string[];
  readonly callerArn: string;
  readonly state: EmulatorStateView;
  /** Adds a listener; returns the function that removes it. */
  on(event: 'request', listener: RequestListener): () => void;
  on(event: 'response', listener: ResponseListener): () => void;
  /** Replaces the given fault kinds, keeps the others: in every account, or in `accountId` only. */
  setFaults(faults: EmulatorFaults, accountId?: string): void;
  /** Current faults of the caller's own account, or of `accountId`. */
  faults(accountId?: string): EmulatorFaults;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * The emulator's HTTP front: AWS JSON 1.1 on `POST /` (X-Amz-Target names the operation) and the
 * emulator's own control paths under `/_emulator/`. A request goes: record arrival → listeners →
 * SigV4 → operation lookup → JSON parse → latency → faults → shape validation → operation →
 * answer (or a dropped connection). State mutations run synchronously inside one request, so
 * concurrent requests never interleave inside an update.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../clock.js';
import { parsePrincipal } from './arn-rules.js';
import { CallLog } from './call-log.js';
import { CatalogStore } from './catalog-store.js';
import { DEFAULT_REGION, JSON_CONTENT_TYPE, TARGET_PREFIX, isOperationName } from './constants.js';
import { FaultEngine } from './fault-engine.js';
import { parseFaults } from './faults-config.js';
import { INPUT_SHAPES } from './input-shapes.js';
import { createOperations, DEFAULT_SEARCH_ACCESS } from './operations.js';
import { DEFAULT_RECORD_DELAY_MS } from './constants.js';
import { mulberry32, randomAlnum } from './prng.js';
import { parseSeed, seedAccounts } from './seed.js';
import { EmulatorConfigError, ServiceError, serializationError } from './service-error.js';
import { answerQuery, isQueryRequest, parseQueryBody, QUERY_ACTIONS } from './query-protocol.js';
import { verifySigV4, type SignatureExpectations } from './sigv4-verifier.js';
import { AccountDirectory, type EmulatedAccount, type Identity, type Protocol } from './accounts.js';
import { InputValidator } from './validate-input.js';
import { productSnapshot, recordSnapshot } from './wire-format.js';
import type {
  AccountStateView,
  EmulatorFaults,
  EmulatorOptions,
  EmulatorState,
  EmulatorStateView,
  RequestListener,
  ResponseListener,
  RunningEmulator,
} from './types.js';
import { errorText, isPlainObject } from '../errors.js';

export const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** A query-protocol (STS, IAM) answer: XML instead of JSON. */
  readonly xml?: string;
  readonly errorType?: string;
  readonly outcome: string;
  readonly drop?: 'dropped-before' | 'dropped-after';
}

// eslint-disable-next-line max-lines-per-function -- a debt of issue 23 (longer than the house's 80 lines): split it, then drop this line
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const seed = parseSeed(options.seed, 'options.seed');
  const clock = options.clock ?? systemClock;
  const callerArn = options.callerArn ?? `arn:aws:iam::${seed.accountId}:role/Admin`;
  if (!parsePrincipal(callerArn)) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `callerArn must be an IAM user, role or assumed-role ARN, got '${callerArn}'`);
  }
  const recordDelayMs = options.recordDelayMs ?? DEFAULT_RECORD_DELAY_MS;
  const region = options.region ?? DEFAULT_REGION;
  if (!(Number.isFinite(recordDelayMs) && recordDelayMs >= 0)) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `recordDelayMs must be >= 0, got ${recordDelayMs}`);
  }
  const randomSeed = options.random ?? 1;
  // Separate streams: record ids must not shift when fault draws change, and vice versa.
  const idRandom = mulberry32(randomSeed ^ 0x5bd1e995);
  // The regions served: the default one, those asked for, and those the seed's products name.
  const regions = [
    ...new Set([
      region,
      ...(options.regions ?? []),
      ...seedAccounts(seed).flatMap((a) => a.products.flatMap((p) => (p.region === undefined ? [] : [p.region]))),
    ]),
  ];
  const accounts: EmulatedAccount[] = seedAccounts(seed).map((accountSeed, index) => {
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
    return { seed: accountSeed, faults: faultEngine, storeIn, stores: () => [...stores.values()] };
  });
  for (const accountId of Object.keys(options.accountFaults ?? {})) {
    if (!accounts.some((account) => account.seed.accountId === accountId)) {
      throw new EmulatorConfigError('OPTIONS_INVALID', `accountFaults names account ${accountId}, which the seed does not hold`);
    }
  }
  const sessionSeconds = options.sessionSeconds;
  if (sessionSeconds !== undefined && !(Number.isFinite(sessionSeconds) && sessionSeconds > 0)) {
    throw new EmulatorConfigError('OPTIONS_INVALID', `sessionSeconds must be > 0, got ${sessionSeconds}`);
  }
  const directory = new AccountDirectory(accounts, callerArn, mulberry32(randomSeed ^ 0x1b873593), sessionSeconds);
  const home = directory.home.account;
  /** The account a control request names (`?account=ID`), or the caller's own. */
  const accountNamed = (accountId: string | undefined): EmulatedAccount => {
    if (accountId === undefined) return home;
    const account = directory.get(accountId);
    if (account === undefined)
      throw new EmulatorConfigError(
        'OPTIONS_INVALID',
        `the emulator holds no account ${accountId} (it holds ${accounts.map((a) => a.seed.accountId).join(', ')})`,
      );
    return account;
  };
  const shuffleRandom = mulberry32(randomSeed ^ 0x27d4eb2f);
  const unsortedRank = (faults: FaultEngine) => () => {
    if (faults.current().shuffleUnsortedPages !== true) return undefined;
    const ranks = new Map<number, number>();
    return (ordinal: number) => {
      let rank = ranks.get(ordinal);
      if (rank === undefined) ranks.set(ordinal, (rank = shuffleRandom()));
      return rank;
    };
  };
  const searchDefaultAccess = options.searchDefaultAccessLevel ?? DEFAULT_SEARCH_ACCESS;
  const operationsFor = (identity: Identity, requestRegion: string) =>
    createOperations({
      store: identity.account.storeIn(requestRegion),
      callerArn: identity.callerArn,
      now: () => clock.now(),
      searchDefaultAccess,
      unsortedRank: unsortedRank(identity.account.faults),
    });
  const validator = new InputValidator();
  const calls = new CallLog();
  // Aborted by close(), so a request sleeping on injected latency does not keep the process alive.
  const closing = new AbortController();
  const listeners = new Set<RequestListener>();
  const responseListeners = new Set<ResponseListener>();

  /** One account's products and records, every region together (each product's ARN names its region). */
  const accountView = (account: EmulatedAccount): AccountStateView => ({
    product: (id) => {
      for (const store of account.stores()) {
        const view = store.product(id, clock.now());
        if (view) return productSnapshot(view);
      }
      return undefined;
    },
    products: () => account.stores().flatMap((store) => store.allProducts(clock.now()).map(productSnapshot)),
    record: (id) => {
      for (const store of account.stores()) {
        const view = store.record(id, clock.now());
        if (view) return recordSnapshot(view);
      }
      return undefined;
    },
    records: () => account.stores().flatMap((store) => store.allRecords(clock.now()).map(recordSnapshot)),
  });
  const state: EmulatorStateView = {
    ...accountView(home),
    account: (accountId) => {
      const account = directory.get(accountId);
      return account === undefined ? undefined : accountView(account);
    },
    calls: () => calls.all(),
    snapshot: (): EmulatorState => ({
      accountId: seed.accountId,
      products: state.products(),
      records: state.records(),
      calls: state.calls(),
      ...(accounts.length > 1
        ? {
            accounts: Object.fromEntries(
              accounts.map((account) => [account.seed.accountId, { products: accountView(account).products(), records: accountView(account).records() }]),
            ),
          }
        : {}),
    }),
  };

  /** Checks the signature (with the secrets of issued sessions too); says who the request acts as, and in which region. */
  function authenticate(
    req: IncomingMessage,
    body: Buffer,
    seq: number,
    expect: SignatureExpectations,
    protocol: Protocol,
  ): Identity & { readonly region: string } {
    const configured = options.credentials;
    const secretOf = configured === undefined ? undefined : (key: string) => configured[key] ?? directory.secretOf(key);
    const signed = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders, body }, secretOf, {
      ...expect,
      now: clock.now(),
    });
    const identity = directory.identify(signed.accessKeyId, header(req, 'x-amz-security-token'), clock.now(), protocol);
    calls.identify(seq, identity.account.seed.accountId, signed.accessKeyId, signed.region);
    // Without --access-key any region passes the check: one the emulator does not serve sees its
    // default region, as a one-region emulator always answered (with it, such a request is refused).
    return { ...identity, region: regions.includes(signed.region) ? signed.region : region };
  }

  /** STS and IAM in the query protocol (query-protocol.ts), on the same port. */
  function answerQueryProtocol(req: IncomingMessage, body: Buffer): Answer {
    const params = parseQueryBody(body);
    const action = params.get('Action') ?? '';
    const call = calls.begin(action || 'query', Object.fromEntries(params), clock.now());
    let answer: Answer;
    try {
      const service = QUERY_ACTIONS[action] ?? 'iam';
      const identity = authenticate(req, body, call.seq, { service, regions: service === 'iam' ? ['us-east-1'] : regions }, 'query');
      const current = identity.account.faults.current();
      const result = answerQuery(action, params, {
        accountId: identity.account.seed.accountId,
        callerArn: identity.callerArn,
        missingPrincipals: current.missingPrincipals ?? [],
        untrustedRoles: current.untrustedRoles ?? [],
        iamAccessDenied: current.iamAccessDenied ?? false,
        assumeRole: (request) => directory.assumeRole(identity, request, clock.now(), (account) => account.faults.current().assumeRoleDenied ?? []),
      });
      answer = { status: result.status, body: null, xml: result.xml, outcome: result.outcome };
    } catch (error) {
      const type = error instanceof ServiceError ? error.type : 'InternalFailure';
      const xmlBody = `<ErrorResponse><Error><Type>Sender</Type><Code>${type}</Code><Message>${errorText(error)}</Message></Error></ErrorResponse>`;
      answer = { status: error instanceof ServiceError ? error.status : 500, body: null, xml: xmlBody, outcome: type };
    }
    calls.finish(call.seq, answer.outcome);
    return answer;
  }

  async function handleAws(req: IncomingMessage, body: Buffer, path: string): Promise<Answer> {
    if (req.method === 'POST' && path === '/' && isQueryRequest(header(req, 'content-type'))) return answerQueryProtocol(req, body);
    const target = header(req, 'x-amz-target');
    const operation = target?.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : undefined;
    const params = parseJson(body);
    const call = calls.begin(operation ?? target ?? `${req.method ?? 'GET'} ${path}`, params === undefined ? null : params, clock.now());
    // Listeners run before handling; a listener that throws must not take the server down.
    await Promise.allSettled([...listeners].map(async (listener) => listener(call)));
    const answer = await answerAws(req, body, path, target, operation, params, call.seq);
    calls.finish(call.seq, answer.drop ?? answer.outcome);
    const finished = { ...call, outcome: answer.drop ?? answer.outcome };
    for (const listener of responseListeners) {
      try {
        listener(finished);
      } catch {
        // An observer's bug must not change the answer.
      }
    }
    return answer;
  }

  async function answerAws(
    req: IncomingMessage,
    body: Buffer,
    path: string,
    target: string | undefined,
    operation: string | undefined,
    params: unknown,
    seq: number,
  ): Promise<Answer> {
    let dropAfter = false;
    try {
      const identity = authenticate(req, body, seq, { regions }, 'json');
      const { faults } = identity.account;
      if (req.method !== 'POST' || path !== '/' || operation === undefined || !isOperationName(operation)) {
        throw new ServiceError('UnknownOperationException', `Unknown operation ${target ?? `${req.method ?? ''} ${path}`}.`);
      }
      if (params === undefined) throw serializationError('The request body is not valid JSON.');
      const latency = faults.latencyMs();
      if (latency > 0) {
        try {
          await clock.sleep(latency, closing.signal);
        } catch {
          return { status: 0, body: null, outcome: 'dropped-before', drop: 'dropped-before' };
        }
      }
      const decision = faults.decide(operation, isPlainObject(params) ? params : null, clock.now());
      if (decision.kind === 'drop-before') return { status: 0, body: null, outcome: 'dropped-before', drop: 'dropped-before' };
      if (decision.kind === 'error') return errorAnswer(decision.error, decision.outcome);
      dropAfter = decision.dropAfter;
      const input = validator.validate(INPUT_SHAPES[operation], params);
      const result = operationsFor(identity, identity.region)[operation](input);
      if (dropAfter) return { status: 0, body: null, outcome: 'dropped-after', drop: 'dropped-after' };
      return { status: 200, body: result, outcome: 'ok' };
    } catch (error) {
      if (dropAfter) return { status: 0, body: null, outcome: 'dropped-after', drop: 'dropped-after' };
      if (error instanceof ServiceError) return errorAnswer(error, error.status === 500 ? 'fault-500' : error.type);
      const message = errorText(error);
      return errorAnswer(new ServiceError('InternalFailure', `Emulator bug: ${message}`, 500), 'InternalFailure');
    }
  }

  /** `/_emulator/faults?account=ID` reads or replaces one account's faults; without it, the caller's own (GET) or every account's (POST). */
  function handleControl(req: IncomingMessage, body: Buffer, path: string): Answer {
    const accountId = new URL(req.url ?? '/', 'http://emulator').searchParams.get('account') ?? undefined;
    if (req.method === 'GET' && path === '/_emulator/state') return { status: 200, body: state.snapshot(), outcome: 'ok' };
    try {
      if (req.method === 'GET' && path === '/_emulator/faults') return { status: 200, body: accountNamed(accountId).faults.current(), outcome: 'ok' };
      if (req.method === 'POST' && path === '/_emulator/faults') {
        const faults = parseFaults(parseJson(body) ?? null, 'body');
        const targets = accountId === undefined ? accounts : [accountNamed(accountId)];
        for (const target of targets) target.faults.replace(faults, clock.now());
        return { status: 200, body: accountNamed(accountId).faults.current(), outcome: 'ok' };
      }
    } catch (error) {
      return { status: 400, body: { message: (error as Error).message }, outcome: 'invalid' };
    }
    return { status: 404, body: { message: `No emulator route ${req.method ?? ''} ${path}. Try GET /_emulator/state.` }, outcome: 'not-found' };
  }

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (body === undefined) {
        req.socket.destroy();
        return;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const answer = path.startsWith('/_emulator/') ? handleControl(req, body, path) : await handleAws(req, body, path);
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      send(res, answer);
    })().catch(() => req.socket.destroy());
  });
  // Longer than SDK agents keep idle sockets, so the server never closes one a client is reusing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://${HOST}:${port}`,
    port,
    accountId: seed.accountId,
    accountIds: accounts.map((account) => account.seed.accountId),
    callerArn,
    state,
    on(event: 'request' | 'response', listener: RequestListener | ResponseListener) {
      const set: Set<RequestListener | ResponseListener> | undefined = event === 'request' ? listeners : event === 'response' ? responseListeners : undefined;
      if (!set) throw new TypeError(`unknown event '${String(event)}'`);
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    setFaults(partial: EmulatorFaults, accountId?: string) {
      const parsed = parseFaults(partial, 'faults');
      for (const target of accountId === undefined ? accounts : [accountNamed(accountId)]) target.faults.set(parsed, clock.now());
    },
    faults: (accountId?: string) => accountNamed(accountId).faults.current(),
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort(new Error('emulator closed'));
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function errorAnswer(error: ServiceError, outcome: string): Answer {
  return { status: error.status, body: { __type: error.type, message: error.message }, errorType: error.type, outcome };
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  if (answer.xml !== undefined) {
    const xmlPayload = Buffer.from(answer.xml, 'utf8');
    res.writeHead(answer.status, { 'Content-Type': 'text/xml', 'Content-Length': xmlPayload.length, 'x-amzn-RequestId': randomUUID() });
    res.end(xmlPayload);
    return;
  }
  const payload = Buffer.from(JSON.stringify(answer.body), 'utf8');
  res.writeHead(answer.status, {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': payload.length,
    'x-amzn-RequestId': randomUUID(),
    ...(answer.errorType ? { 'x-amzn-ErrorType': answer.errorType } : {}),
  });
  res.end(payload);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Empty body counts as `{}` (as AWS treats it); undefined means not JSON. */
function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks);
}

/**
 * The AWS side of the emulator's port: a request is recorded, shown to the listeners, signed
 * (SigV4, with the secrets of issued sessions too), then answered in its protocol: AWS JSON 1.1
 * for Service Catalog (latency → faults → shape validation → operation, or a dropped connection),
 * the query protocol for STS and IAM. State mutations run synchronously inside one request, so
 * concurrent requests never interleave inside an update.
 */
import type { IncomingMessage } from 'node:http';
import { errorText, isPlainObject } from '../errors.js';
import type { Identity, Protocol } from './accounts.js';
import type { CallLog } from './call-log.js';
import { TARGET_PREFIX, isOperationName } from './constants.js';
import type { EmulatorWorld } from './emulator-world.js';
import { dropped, errorAnswer, header, parseJson, type Answer } from './http-answer.js';
import { INPUT_SHAPES } from './input-shapes.js';
import { answerQuery, isQueryRequest, parseQueryBody, QUERY_ACTIONS } from './query-protocol.js';
import { ServiceError, serializationError } from './service-error.js';
import { verifySigV4, type SignatureExpectations } from './sigv4-verifier.js';
import type { RequestListener, ResponseListener } from './types.js';
import type { InputValidator } from './validate-input.js';

export interface AwsFrontDeps {
  readonly world: EmulatorWorld;
  /** `--access-key`'s secrets: with them, signatures are verified; without, their scope and date are still checked. */
  readonly credentials: Readonly<Record<string, string>> | undefined;
  readonly calls: CallLog;
  readonly validator: InputValidator;
  /** Aborted by close(), so a request sleeping on injected latency does not keep the process alive. */
  readonly closing: AbortSignal;
  readonly listeners: ReadonlySet<RequestListener>;
  readonly responseListeners: ReadonlySet<ResponseListener>;
}

/** Answers one request to `POST /` (or any other AWS-looking path, which is refused as AWS does). */
export function createAwsFront(deps: AwsFrontDeps): (req: IncomingMessage, body: Buffer, path: string) => Promise<Answer> {
  const { calls, listeners, responseListeners } = deps;
  return async (req, body, path) => {
    if (req.method === 'POST' && path === '/' && isQueryRequest(header(req, 'content-type'))) return answerQueryProtocol(req, body, deps);
    const target = header(req, 'x-amz-target');
    const operation = target?.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : undefined;
    const params = parseJson(body);
    const call = calls.begin(
      operation ?? target ?? `${req.method ?? 'GET'} ${path}`,
      params === undefined ? null : params,
      deps.world.clock.now(),
      header(req, 'user-agent'),
    );
    // Listeners run before handling; a listener that throws must not take the server down.
    await Promise.allSettled([...listeners].map(async (listener) => listener(call)));
    const answer = await answerJsonProtocol({ req, body, path, target, operation, params, seq: call.seq }, deps);
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
  };
}

/**
 * Checks the signature (its scope and date always, its secret with --access-key); says who the
 * request acts as, and in which region: the one its credential scope names, which must be served.
 */
function authenticate(
  req: IncomingMessage,
  body: Buffer,
  seq: number,
  expect: Pick<SignatureExpectations, 'service' | 'regions'>,
  protocol: Protocol,
  { world, credentials, calls }: AwsFrontDeps,
): Identity & { readonly region: string } {
  const { directory, clock } = world;
  const secretOf = credentials === undefined ? undefined : (key: string) => credentials[key] ?? directory.secretOf(key);
  const signed = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders, body }, secretOf, {
    ...expect,
    now: clock.now(),
    protocol,
  });
  const identity = directory.identify(signed.accessKeyId, header(req, 'x-amz-security-token'), clock.now(), protocol);
  calls.identify(seq, identity.account.seed.accountId, signed.accessKeyId, signed.region);
  return { ...identity, region: signed.region };
}

/** The region IAM, a global service, is signed for in the emulator's partition (as the SDKs' endpoint rules say). */
function iamSigningRegion(region: string): string {
  if (region.startsWith('cn-')) return 'cn-north-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}

const xmlText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** STS and IAM in the query protocol (query-protocol.ts), on the same port. */
function answerQueryProtocol(req: IncomingMessage, body: Buffer, deps: AwsFrontDeps): Answer {
  const { world, calls } = deps;
  const params = parseQueryBody(body);
  const action = params.get('Action') ?? '';
  const call = calls.begin(action || 'query', Object.fromEntries(params), world.clock.now(), header(req, 'user-agent'));
  let answer: Answer;
  try {
    const service = QUERY_ACTIONS[action] ?? 'iam';
    const regions = service === 'iam' ? [iamSigningRegion(world.region)] : world.regions;
    const identity = authenticate(req, body, call.seq, { service, regions }, 'query', deps);
    const current = identity.account.faults.current();
    const result = answerQuery(action, params, {
      accountId: identity.account.seed.accountId,
      callerArn: identity.callerArn,
      iam: identity.account.iam,
      missingPrincipals: current.missingPrincipals ?? [],
      untrustedRoles: current.untrustedRoles ?? [],
      iamAccessDenied: current.iamAccessDenied ?? false,
      assumeRole: (request) => world.directory.assumeRole(identity, request, world.clock.now(), (account) => account.faults.current().assumeRoleDenied ?? []),
    });
    answer = { status: result.status, body: null, xml: result.xml, outcome: result.outcome };
  } catch (error) {
    const type = error instanceof ServiceError ? error.type : 'InternalFailure';
    const xmlBody = `<ErrorResponse><Error><Type>Sender</Type><Code>${type}</Code><Message>${xmlText(errorText(error))}</Message></Error></ErrorResponse>`;
    answer = { status: error instanceof ServiceError ? error.status : 500, body: null, xml: xmlBody, outcome: type };
  }
  calls.finish(call.seq, answer.outcome);
  return answer;
}

interface JsonRequest {
  readonly req: IncomingMessage;
  readonly body: Buffer;
  readonly path: string;
  readonly target: string | undefined;
  readonly operation: string | undefined;
  readonly params: unknown;
  readonly seq: number;
}

/** Service Catalog in AWS JSON 1.1: latency → faults → shape validation → operation, or a dropped connection. */
async function answerJsonProtocol({ req, body, path, target, operation, params, seq }: JsonRequest, deps: AwsFrontDeps): Promise<Answer> {
  const { world, validator, closing } = deps;
  let dropAfter = false;
  try {
    const identity = authenticate(req, body, seq, { regions: world.regions }, 'json', deps);
    const { faults } = identity.account;
    if (req.method !== 'POST' || path !== '/' || operation === undefined || !isOperationName(operation)) {
      throw new ServiceError('UnknownOperationException', `Unknown operation ${target ?? `${req.method ?? ''} ${path}`}.`);
    }
    if (params === undefined) throw serializationError('The request body is not valid JSON.');
    const latency = faults.latencyMs();
    if (latency > 0) {
      try {
        await world.clock.sleep(latency, closing);
      } catch {
        return dropped('dropped-before');
      }
    }
    const decision = faults.decide(operation, isPlainObject(params) ? params : null, world.clock.now());
    if (decision.kind === 'drop-before') return dropped('dropped-before');
    if (decision.kind === 'error') return errorAnswer(decision.error, decision.outcome);
    dropAfter = decision.dropAfter;
    const input = validator.validate(INPUT_SHAPES[operation], params);
    const result = world.operationsFor(identity, identity.region)[operation](input);
    if (dropAfter) return dropped('dropped-after');
    return { status: 200, body: result, outcome: 'ok' };
  } catch (error) {
    if (dropAfter) return dropped('dropped-after');
    if (error instanceof ServiceError) return errorAnswer(error, error.status === 500 ? 'fault-500' : error.type);
    return errorAnswer(new ServiceError('InternalFailure', `Emulator bug: ${errorText(error)}`, 500), 'InternalFailure');
  }
}

/**
 * The emulator's HTTP server: AWS on `POST /` (aws-front.ts: JSON 1.1 for Service Catalog, the
 * query protocol for STS and IAM) and the emulator's own routes under `/_emulator/`
 * (control-routes.ts), over what emulator-world.ts built from the options.
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAwsFront } from './aws-front.js';
import { CallLog } from './call-log.js';
import { answerControl } from './control-routes.js';
import { buildWorld } from './emulator-world.js';
import { parseFaults } from './faults-config.js';
import { send } from './http-answer.js';
import { createStateView } from './state-view.js';
import type { EmulatorFaults, EmulatorOptions, RequestListener, ResponseListener, RunningEmulator } from './types.js';
import { InputValidator } from './validate-input.js';

export const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 1024 * 1024;

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const world = buildWorld(options);
  const calls = new CallLog();
  const state = createStateView(world, calls);
  // Aborted by close(), so a request sleeping on injected latency does not keep the process alive.
  const closing = new AbortController();
  const listeners = new Set<RequestListener>();
  const responseListeners = new Set<ResponseListener>();
  const answerAws = createAwsFront({
    world,
    credentials: options.credentials,
    calls,
    validator: new InputValidator(),
    closing: closing.signal,
    listeners,
    responseListeners,
  });
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (body === undefined) {
        req.socket.destroy();
        return;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const answer = path.startsWith('/_emulator/') ? answerControl(req, body, path, world, state) : await answerAws(req, body, path);
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
    accountId: world.seed.accountId,
    accountIds: world.accounts.map((account) => account.seed.accountId),
    callerArn: world.callerArn,
    state,
    on: subscribe(listeners, responseListeners),
    setFaults(partial: EmulatorFaults, accountId?: string) {
      const parsed = parseFaults(partial, 'faults');
      for (const target of accountId === undefined ? world.accounts : [world.accountNamed(accountId)]) target.faults.set(parsed, world.clock.now());
    },
    faults: (accountId?: string) => world.accountNamed(accountId).faults.current(),
    close: () => closeServer(server, closing),
  };
}

/** `on('request' | 'response', listener)`: adds it, and returns what removes it. */
function subscribe(listeners: Set<RequestListener>, responseListeners: Set<ResponseListener>): RunningEmulator['on'] {
  return (event: 'request' | 'response', listener: RequestListener | ResponseListener) => {
    const set: Set<RequestListener | ResponseListener> | undefined = event === 'request' ? listeners : event === 'response' ? responseListeners : undefined;
    if (!set) throw new TypeError(`unknown event '${String(event)}'`);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
}

function closeServer(server: ReturnType<typeof createServer>, closing: AbortController): Promise<void> {
  return new Promise<void>((resolve) => {
    closing.abort(new Error('emulator closed'));
    server.close(() => resolve());
    server.closeAllConnections();
  });
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

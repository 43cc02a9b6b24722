/** The emulator's own routes under `/_emulator/`: the state, and each account's faults read or replaced while it runs. */
import type { IncomingMessage } from 'node:http';
import type { EmulatorWorld } from './emulator-world.js';
import { parseFaults } from './faults-config.js';
import { parseJson, type Answer } from './http-answer.js';
import type { EmulatorStateView } from './types.js';

/** `/_emulator/faults?account=ID` reads or replaces one account's faults; without it, the caller's own (GET) or every account's (POST). */
export function answerControl(req: IncomingMessage, body: Buffer, path: string, world: EmulatorWorld, state: EmulatorStateView): Answer {
  const accountId = new URL(req.url ?? '/', 'http://emulator').searchParams.get('account') ?? undefined;
  if (req.method === 'GET' && path === '/_emulator/state') return { status: 200, body: state.snapshot(), outcome: 'ok' };
  try {
    if (req.method === 'GET' && path === '/_emulator/faults') return { status: 200, body: world.accountNamed(accountId).faults.current(), outcome: 'ok' };
    if (req.method === 'POST' && path === '/_emulator/faults') {
      const faults = parseFaults(parseJson(body) ?? null, 'body');
      const targets = accountId === undefined ? world.accounts : [world.accountNamed(accountId)];
      for (const target of targets) target.faults.replace(faults, world.clock.now());
      return { status: 200, body: world.accountNamed(accountId).faults.current(), outcome: 'ok' };
    }
  } catch (error) {
    return { status: 400, body: { message: (error as Error).message }, outcome: 'invalid' };
  }
  return { status: 404, body: { message: `No emulator route ${req.method ?? ''} ${path}. Try GET /_emulator/state.` }, outcome: 'not-found' };
}

/** One emulator and one workspace per test, closed and removed after it whatever the test did. */
import { afterEach } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import type { Workspace } from './workspace.js';

export function closedAfterEach(): { keep<T extends { emulator: RunningEmulator; ws: Workspace }>(pair: T): T } {
  let open: { emulator: RunningEmulator; ws: Workspace } | undefined;
  afterEach(async () => {
    const pair = open;
    open = undefined;
    await pair?.emulator.close();
    await pair?.ws.remove();
  });
  return {
    keep(pair) {
      open = pair;
      return pair;
    },
  };
}

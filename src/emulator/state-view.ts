/** Read access to the emulator's live state (`RunningEmulator.state`, `GET /_emulator/state`): products and records of each account, every region together, and the call log. */
import type { EmulatedAccount } from './accounts.js';
import type { CallLog } from './call-log.js';
import type { EmulatorWorld } from './emulator-world.js';
import type { AccountStateView, EmulatorState, EmulatorStateView } from './types.js';
import { productSnapshot, recordSnapshot } from './wire-format.js';

export function createStateView(world: EmulatorWorld, calls: CallLog): EmulatorStateView {
  const { clock, directory, accounts, home, seed } = world;
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
  const everyAccount = () =>
    Object.fromEntries(
      accounts.map((account) => [account.seed.accountId, { products: accountView(account).products(), records: accountView(account).records() }]),
    );
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
      ...(accounts.length > 1 ? { accounts: everyAccount() } : {}),
    }),
  };
  return state;
}

/**
 * Preflight's reader of each lane, chosen once, when the first row of the lane that will be read
 * is triaged (a resumed run whose rows are all done reads nothing): account-wide pages when they
 * cost fewer calls than reading per row. A failed account-wide read falls back to reading per row
 * (the rows' own reads then say what is wrong, row by row).
 */
import type { ProductFacts } from '../aws/service-catalog-api.js';
import type { TransferRow } from '../input/types.js';
import type { Lane } from './lane.js';
import { chooseProductReader, perRowReader, type ProductReader } from './product-reader.js';
import type { AttemptOptions } from './row-sender.js';
import type { PreflightOptions } from './transfer-options.js';

export class LaneReaders {
  readonly #readers = new Map<Lane, Promise<ProductReader>>();
  readonly #preflight: PreflightOptions;
  readonly #attempt: (lane: Lane) => AttemptOptions;
  readonly #onChosen: (lane: Lane, strategy: string) => void;

  constructor(preflight: PreflightOptions, attempt: (lane: Lane) => AttemptOptions, onChosen: (lane: Lane, strategy: string) => void) {
    this.#preflight = preflight;
    this.#attempt = attempt;
    this.#onChosen = onChosen;
  }

  /** The lane's reader, chosen on the first call. */
  readerFor(lane: Lane): Promise<ProductReader> {
    let reader = this.#readers.get(lane);
    if (reader === undefined) {
      reader = this.#choose(lane);
      this.#readers.set(lane, reader);
    }
    return reader;
  }

  /**
   * What the lane's reader already holds of the row's product, at no extra call: only a lane whose
   * preflight read the account's pages anyway has it. Undefined otherwise (and no reader is chosen).
   */
  async alreadyRead(row: TransferRow, lane: Lane): Promise<ProductFacts | undefined> {
    const reader = this.#readers.get(lane);
    if (reader === undefined) return undefined;
    return (await reader.catch(() => undefined))?.peek?.(row);
  }

  async #choose(lane: Lane): Promise<ProductReader> {
    const preflight = this.#preflight;
    const answer = await chooseProductReader(preflight.planFor?.(lane.name) ?? preflight.plan, lane, this.#attempt(lane));
    const chosen = answer.kind === 'chosen' ? answer.reader : perRowReader;
    this.#onChosen(lane, chosen.strategy);
    return chosen;
  }
}

/**
 * What the engine's events look like in the JSON log: one place that turns `TransferEvents` into
 * log lines, so every command that runs the engine logs rows, retries and stops the same way.
 */
import type { TransferEvents } from '../transfer/transfer-run.js';
import type { Logger } from './logger.js';

export function logTransferEvents(logger: Logger): TransferEvents {
  return {
    onRowResult: (result) =>
      logger.debug(
        {
          line: result.line,
          id: result.provisionedProductId,
          outcome: result.outcome,
          reason: result.reason,
          recordId: result.recordId,
          attempts: result.attempts,
          errorCode: result.errorCode || undefined,
        },
        'row',
      ),
    onRetry: (row, event) =>
      logger.info({ line: row.line, id: row.provisionedProductId, attempt: event.attempt, error: event.error.code, delayMs: event.delayMs }, 'retrying'),
    onStop: (reason, detail) => logger.warn({ stoppedBy: reason }, detail),
    onLaneStop: (lane, reason, detail) => logger.warn({ lane, stoppedBy: reason }, detail),
    onPreflightReader: (lane, strategy) =>
      logger.info({ lane, strategy }, `preflight reads products ${strategy === 'per-row' ? 'one by one' : 'account-wide'}`),
  };
}

/** Public API of the report stage: results CSV, logger, progress display and end-of-run summary. */
export { RESULT_COLUMN_NAMES, RESULT_COLUMNS } from './types.js';
export type { Outcome, RowResult, RunCounts, RunSummary } from './types.js';

export { neutraliseFormula, openResultsWriter, resultCells, resultHeader } from './results-writer.js';
export type { ResultsWriter, ResultsWriterOptions } from './results-writer.js';

export { createLogger, LOG_LEVELS, parseLogLevel, redactPaths } from './logger.js';
export type { LogDestination, Logger, LoggerHandle, LoggerOptions, LogLevel } from './logger.js';

export {
  createProgressReporter,
  createRateMeter,
  etaSeconds,
  formatDuration,
  formatProgressLine,
  percentDone,
  progressModeFor,
  progressSnapshot,
} from './progress.js';
export type { ProgressMode, ProgressOptions, ProgressReporter, ProgressSnapshot, ProgressStream } from './progress.js';

export { describeStop, exitCodeMeaning, isResumableExitCode, renderSummaryTable, summaryJson, summaryRowsPerSecond, writeSummaryJson } from './summary.js';

export { assertReplaceable, commitFile, fsyncDirectory, NotRegularFileError, writeFileAtomic } from './atomic-file.js';

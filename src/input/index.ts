/** The input stage: CSV file → validated rows. See scan.ts (validation pass) and read-records.ts (run pass). */
export type { FileFingerprint, HeaderMap, InputProblem, InputProblemCode, InputRecord, InputScan, TransferRow, TrimmedCells } from './types.js';
export { InputError } from './input-error.js';
export { scanInput, DEFAULT_MAX_PROBLEMS_KEPT, type ScanOptions } from './scan.js';
export { readInputRecords, type ReadRecordsOptions } from './read-records.js';
export { formatProblem, quoteValue, trimmedCellsNote } from './format.js';
export { resolveHeader, isInputProblem, knownFieldOf, CANONICAL_COLUMNS, CANONICAL_HEADER } from './header.js';
export { validateRow, cleanCell, type RowValidation } from './validate-row.js';
export { parseIamPrincipalArn, describePrincipalKind, type IamPrincipalArn, type IamPrincipalKind, type IamArnParseResult } from './iam-arn.js';
export { InputEngine, MAX_RECORD_BYTES, type CsvRecord, type EngineStep } from './engine.js';
export { parseCsvStream, openInputFile } from './csv-stream.js';

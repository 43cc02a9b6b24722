/**
 * A file of the run's own (results, summary JSON, log) could not be written: a full disk, a quota,
 * a read-only file system or an I/O error. These are the operator's to fix, not bugs: the command
 * prints the message as one line and exits 5 (LocalWriteFailed). The checkpoint has its own error
 * (CheckpointError `IO_ERROR`) that leads to the same code.
 */
import { CodedError } from './coded-error.js';
import { errnoCode, systemErrorText } from './errors.js';

export type LocalFileErrorCode =
  /** ENOSPC or EDQUOT: the disk or the user's quota is full. */
  | 'NO_SPACE'
  /** EROFS: the file system is mounted read-only. */
  | 'READ_ONLY'
  /** EACCES or EPERM. */
  | 'PERMISSION'
  /** Anything else the system refused (EIO, EISDIR...). */
  | 'IO';

const CODE_OF_ERRNO: Readonly<Record<string, LocalFileErrorCode>> = {
  ENOSPC: 'NO_SPACE',
  EDQUOT: 'NO_SPACE',
  EROFS: 'READ_ONLY',
  EACCES: 'PERMISSION',
  EPERM: 'PERMISSION',
};

export class LocalFileError extends CodedError<LocalFileErrorCode> {
  constructor(
    code: LocalFileErrorCode,
    message: string,
    /** The file that could not be written. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }

  /**
   * `cannot write the results file '/x/out.csv.partial': no space left on device (ENOSPC)`.
   * A LocalFileError passes through unchanged, so a wrapper never names the wrong file.
   */
  static wrap(what: string, path: string, error: unknown): LocalFileError {
    if (error instanceof LocalFileError) return error;
    const code = CODE_OF_ERRNO[errnoCode(error) ?? ''] ?? 'IO';
    return new LocalFileError(code, `cannot write the ${what} '${path}': ${systemErrorText(error)}`, path, { cause: error });
  }
}

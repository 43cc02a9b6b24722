/** Thrown file-level errors of the input stage (missing file, file changed between the passes...). */
import { CodedError } from '../coded-error.js';
import type { InputProblem, InputProblemCode } from './types.js';

export class InputError extends CodedError<InputProblemCode> {
  /** Physical line the error is about; 0 for the whole file. */
  readonly line: number;

  constructor(code: InputProblemCode, message: string, options: { line?: number; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.line = options.line ?? 0;
  }

  static fromProblem(problem: InputProblem, options: { cause?: unknown } = {}): InputError {
    return new InputError(problem.code, problem.message, { line: problem.line, ...options });
  }

  /** The error as a problem, for listing with the others. */
  toProblem(): InputProblem {
    return { code: this.code, line: this.line, message: this.message };
  }
}

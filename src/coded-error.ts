/**
 * Base of every typed error in the tool. Each stage declares its own closed union of codes
 * (see input/input-error.ts, aws/classify-error.ts, checkpoint/checkpoint-error.ts) so a caller
 * can switch on `code` exhaustively instead of matching message text.
 */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

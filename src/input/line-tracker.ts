/**
 * Physical line numbers from csv-parse's `raw` text. Pure.
 *
 * Why not csv-parse's `info.lines`: it is the line where a record ENDS, and csv-parse 6 counts a
 * CRLF inside a quoted field as two lines (and a CRLF line in an LF file likewise), which shifts
 * every later line number. Instead we feed the raw text of each record, in order, to this tracker,
 * which counts CRLF, lone CR and lone LF as one line break each. The raw text of a record starts
 * right after the previous record, so it includes the blank lines skipped before it; csv-parse
 * drops the LF of a CRLF record delimiter from `raw`, which this counting does not notice.
 */
export class LineTracker {
  #line = 1;
  #afterCr = false;

  /** Line of the next character not consumed yet. */
  get line(): number {
    return this.#line;
  }

  /** Consumes the raw text of the next record; returns the line of its first character that is not a line break. */
  consume(raw: string): number {
    let start: number | undefined;
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c === 10) {
        if (this.#afterCr) {
          this.#afterCr = false;
        } else {
          this.#line++;
        }
      } else if (c === 13) {
        this.#line++;
        this.#afterCr = true;
      } else {
        this.#afterCr = false;
        start ??= this.#line;
      }
    }
    return start ?? this.#line;
  }
}

/** The shared steps' refusals: which failures are the operator's (with their exit code), and which are bugs. */
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/checkpoint/index.js';
import { checkpointRefusal, localWriteRefusal, Refusal } from '../../../src/commands/steps.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { LocalFileError } from '../../../src/local-file-error.js';

const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('localWriteRefusal', () => {
  it('makes a results, summary or log write failure exit 5, on one line that says why a rerun is safe', () => {
    const refusal = localWriteRefusal(LocalFileError.wrap('results file', '/data/out.csv.partial', enospc));
    expect(refusal).toBeInstanceOf(Refusal);
    expect(refusal?.exitCode).toBe(ExitCode.LocalWriteFailed);
    expect(refusal?.message).toMatch(
      /^cannot write the results file '\/data\/out\.csv\.partial': no space left on device \(ENOSPC\)\. Nothing is applied twice/,
    );
    expect(refusal?.message).not.toContain('\n');
  });

  it('makes a checkpoint I/O error exit 5 too', () => {
    expect(localWriteRefusal(new CheckpointError('IO_ERROR', "cannot write the checkpoint '/c': no space left on device (ENOSPC)"))?.exitCode).toBe(5);
    expect(checkpointRefusal(new CheckpointError('IO_ERROR', 'x')).exitCode).toBe(5);
  });

  it('leaves anything else to the caller (a bug is not explained away)', () => {
    expect(localWriteRefusal(new TypeError('x is undefined'))).toBeUndefined();
    expect(localWriteRefusal(new CheckpointError('CORRUPT', 'bad line'))).toBeUndefined();
    expect(localWriteRefusal(enospc)).toBeUndefined();
  });
});

describe('LocalFileError.wrap', () => {
  it.each([
    ['ENOSPC', 'NO_SPACE'],
    ['EDQUOT', 'NO_SPACE'],
    ['EROFS', 'READ_ONLY'],
    ['EACCES', 'PERMISSION'],
    ['EIO', 'IO'],
  ])('classifies %s as %s', (errno, code) => {
    expect(LocalFileError.wrap('log file', '/l', Object.assign(new Error(`${errno}: x, write`), { code: errno })).code).toBe(code);
  });

  it('passes a LocalFileError through, so the first file named stays named', () => {
    const first = LocalFileError.wrap('results file', '/a', enospc);
    expect(LocalFileError.wrap('summary JSON', '/b', first)).toBe(first);
  });
});

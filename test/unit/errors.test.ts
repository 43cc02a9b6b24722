import { describe, expect, it } from 'vitest';
import { systemErrorText } from '../../src/errors.js';

describe('systemErrorText', () => {
  it.each([
    ['ENOSPC', 'ENOSPC: no space left on device, write', 'no space left on device (ENOSPC)'],
    ['EACCES', "EACCES: permission denied, open '/x/y'", 'permission denied (EACCES)'],
    ['ENOENT', "ENOENT: no such file or directory, rename '/a' -> '/b'", 'no such file or directory (ENOENT)'],
  ])('reads %s as an operator would', (code, message, text) => {
    expect(systemErrorText(Object.assign(new Error(message), { code }))).toBe(text);
  });

  it('leaves other errors as they are', () => {
    expect(systemErrorText(new Error('plain'))).toBe('plain');
    expect(systemErrorText(Object.assign(new Error('odd text'), { code: 'ERR_SOMETHING' }))).toBe('odd text');
  });
});

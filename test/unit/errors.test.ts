import { describe, expect, it } from 'vitest';
import { readErrorText, systemErrorText } from '../../src/errors.js';

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

describe('readErrorText', () => {
  it.each([
    ['ENOENT', "ENOENT: no such file or directory, open '/x/map.csv'", 'does not exist'],
    ['ENOTDIR', "ENOTDIR: not a directory, open '/x/file/map.csv'", 'does not exist (a part of its path is a file, not a folder)'],
    ['EISDIR', 'EISDIR: illegal operation on a directory, read', 'is a directory'],
    ['EACCES', "EACCES: permission denied, open '/x/map.csv'", 'cannot be read: permission denied (EACCES)'],
  ])('says why a file named by a flag could not be read (%s)', (code, message, text) => {
    expect(readErrorText(Object.assign(new Error(message), { code }))).toBe(text);
  });
});

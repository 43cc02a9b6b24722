/**
 * The few error and value helpers every stage needs, in one place: the errno code of a Node error,
 * an error's text for a message, and "is this a plain JSON object".
 */

/** The errno-style code of a Node fs error (`ENOENT`, `ENOSPC`...), if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** An error's message, or the thrown value as text when it is not an Error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A system error as an operator reads it: `no space left on device (ENOSPC)`, without Node's
 * `ENOSPC: ` prefix and `, write` suffix; any other error's text as it is.
 */
export function systemErrorText(error: unknown): string {
  const code = errnoCode(error);
  const text = errorText(error);
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return text;
  const match = new RegExp(`^${code}: (.+?)(?:, [a-z]+(?: '.*')?)?$`, 's').exec(text);
  return `${match?.[1] ?? text} (${code})`;
}

/**
 * Why a file could not be read, as an operator reads it after the flag and the path:
 * `does not exist`, `is a directory`, `cannot be read: permission denied (EACCES)`. Every command
 * that reads a file the user named says it in these words (exit 2), never with Node's stack.
 */
export function readErrorText(error: unknown): string {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return 'does not exist';
    case 'ENOTDIR':
      return 'does not exist (a part of its path is a file, not a folder)';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `cannot be read: ${systemErrorText(error)}`;
  }
}

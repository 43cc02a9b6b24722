/**
 * The Node.js versions the command supports, checked before anything else is loaded: on an older
 * Node the SDK or a newer language feature would fail with a stack trace far from the cause.
 */

/** The oldest major version supported (package.json `engines` says the same; a test holds them equal). */
export const MIN_NODE_MAJOR = 20;

/** Why this Node.js version cannot run the command, or undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return `needs Node.js ${MIN_NODE_MAJOR} or newer (22 or 24 recommended); this is Node.js ${version}`;
}

/**
 * The AWS SDK's notice about Node.js support, said once in one line of the tool's own words.
 *
 * On a Node.js older than the one its next releases need, the SDK (`@aws-sdk/core`,
 * `emitWarningIfUnsupportedVersion`, run when the first client is made) calls
 * `process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3) ...')`, which
 * Node prints as nine lines in the middle of a command's output. The entry points (process-io.ts)
 * route process.emitWarning through `sayTheSdkNodeNoticeOnce`: that one warning becomes
 * `sc-owner-transfer: note: ...` with what to do; every other warning goes to Node as it came.
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true` keeps the SDK from emitting it at all,
 * and so silences the note too. This module never touches `process`: it is handed the emitter.
 */

/** How the SDK's warning starts (its name, as the first word of the message). */
const SDK_NODE_WARNING = /^\s*NodeVersionSupportWarning\b/;

/**
 * The tool's line for the SDK's warning (ending with a newline), or undefined for any other
 * warning. The date and the Node.js version are read from the SDK's own text, so a later SDK's
 * notice is said with its own figures.
 */
export function sdkNodeNotice(message: string, nodeVersion: string): string | undefined {
  if (!SDK_NODE_WARNING.test(message)) return undefined;
  const text = message.replace(/\s+/g, ' ');
  const major = /node\s*>=\s*v?(\d+)/i.exec(text)?.[1];
  const when = /published (after [^.]*?) will require/i.exec(text)?.[1];
  const needs = major === undefined ? 'a newer Node.js' : `Node.js ${major} or later`;
  return (
    `sc-owner-transfer: note: AWS SDK releases ${when ?? 'to come'} need ${needs}, and this is Node.js ${nodeVersion.replace(/^v/, '')}: ` +
    `upgrade to ${major === undefined ? 'the current Node.js LTS' : `Node.js ${major} or later`} to keep getting SDK fixes ` +
    '(AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true hides this note)\n'
  );
}

/** The part of `process` this needs. */
export interface WarningEmitter {
  emitWarning(warning: string | Error, ...rest: unknown[]): void;
}

/**
 * Routes `emitter.emitWarning` so the SDK's Node.js notice is written once with `write` (in
 * `sdkNodeNotice`'s words) and never reaches Node; any other warning is passed on unchanged.
 * Returns the undo.
 */
export function sayTheSdkNodeNoticeOnce(emitter: WarningEmitter, write: (line: string) => void, nodeVersion: string): () => void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called back on its own emitter below
  const original = emitter.emitWarning;
  let said = false;
  const routed = (warning: string | Error, ...rest: unknown[]): void => {
    const message = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : undefined;
    const line = message === undefined ? undefined : sdkNodeNotice(message, nodeVersion);
    if (line === undefined) {
      original.call(emitter, warning, ...rest);
      return;
    }
    if (said) return;
    said = true;
    write(line);
  };
  emitter.emitWarning = routed;
  return () => {
    if (emitter.emitWarning === routed) emitter.emitWarning = original;
  };
}

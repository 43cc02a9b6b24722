/** The AWS SDK's Node.js notice said once in one line of ours; every other warning passes to Node unchanged. */
import { describe, expect, it } from 'vitest';
import { sayTheSdkNodeNoticeOnce, sdkNodeNotice, type WarningEmitter } from '../../src/sdk-node-notice.js';

/** The SDK's text as @aws-sdk/core emits it (emitWarningIfUnsupportedVersion). */
const SDK_WARNING = `NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)
versions published after the first week of January 2027
will require node >=22. You are running node v20.20.2.

To continue receiving updates to AWS services, bug fixes,
and security updates please upgrade to node >=22.

More information can be found at: https://a.co/c895JFp`;

describe('sdkNodeNotice', () => {
  it("says the SDK's notice in one line, with its date and version, and what to do", () => {
    expect(sdkNodeNotice(SDK_WARNING, '20.20.2')).toBe(
      'sc-owner-transfer: note: AWS SDK releases after the first week of January 2027 need Node.js 22 or later, and this is Node.js 20.20.2: ' +
        'upgrade to Node.js 22 or later to keep getting SDK fixes (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true hides this note)\n',
    );
  });

  it('a later wording still gives one line; any other warning is not its business', () => {
    const line = sdkNodeNotice('NodeVersionSupportWarning: something new', 'v20.1.0');
    expect(line).toMatch(/^sc-owner-transfer: note: .*Node\.js 20\.1\.0: upgrade to the current Node\.js LTS .*\n$/);
    expect(line?.split('\n')).toHaveLength(2);
    expect(sdkNodeNotice('Buffer() is deprecated', '20.1.0')).toBeUndefined();
    expect(sdkNodeNotice('MaxListenersExceededWarning: Possible EventEmitter memory leak', '20.1.0')).toBeUndefined();
  });
});

describe('sayTheSdkNodeNoticeOnce', () => {
  it('writes the note once in place of the SDK warning, passes every other warning as it came, and undoes', () => {
    const passed: unknown[][] = [];
    const emitter: WarningEmitter = {
      emitWarning(...args: unknown[]) {
        passed.push(args);
      },
    };
    const original = emitter.emitWarning;
    const written: string[] = [];
    const undo = sayTheSdkNodeNoticeOnce(emitter, (line) => written.push(line), '20.20.2');
    emitter.emitWarning(SDK_WARNING);
    emitter.emitWarning(new Error(SDK_WARNING));
    emitter.emitWarning('a deprecation', 'DeprecationWarning', 'DEP0005');
    const error = new Error('an error warning');
    emitter.emitWarning(error);
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('note: AWS SDK releases after the first week of January 2027');
    expect(passed).toEqual([['a deprecation', 'DeprecationWarning', 'DEP0005'], [error]]);
    undo();
    expect(emitter.emitWarning).toBe(original);
  });
});

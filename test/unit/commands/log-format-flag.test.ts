/** `--log-format` and plan's `--no-progress`: the flags run and plan share, parsed one way, in both helps. */
import { describe, expect, it } from 'vitest';
import { parsePlanConfig, PLAN_FLAGS } from '../../../src/commands/plan-options.js';
import { RUN_FLAGS } from '../../../src/commands/run-flags.js';
import { parseRunConfig } from '../../../src/commands/run-options.js';
import { renderHelp, UsageError } from '../../../src/commands/flags.js';

const A = '123456789012';
const run = (...argv: string[]) => parseRunConfig(['--input', 'moves.csv', ...argv], '/work', {});
const plan = (...argv: string[]) =>
  parsePlanConfig(['--out', 'plan.csv', '--from-owner', `arn:aws:iam::${A}:user/alice`, '--to-owner', `arn:aws:iam::${A}:user/bob`, ...argv], '/work', {});

describe('--log-format', () => {
  it('is unset by default (text on a terminal, JSON elsewhere, decided when the log opens), json or text when given', () => {
    expect(run().logFormat).toBeUndefined();
    expect(run('--log-format', 'text').logFormat).toBe('text');
    expect(run('--log-format', 'json').logFormat).toBe('json');
    expect(plan().logFormat).toBeUndefined();
    expect(plan('--log-format', 'text').logFormat).toBe('text');
  });

  it('refuses anything else as a usage error repeating the value', () => {
    for (const parse of [run, plan]) {
      let error: unknown;
      try {
        parse('--log-format', 'pretty');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe("--log-format expects one of json, text, got 'pretty'");
    }
  });

  it("is in both commands' help with its default", () => {
    for (const flags of [RUN_FLAGS, PLAN_FLAGS]) {
      expect(renderHelp('t', 'u', flags)).toMatch(/--log-format json\|text\s+Log lines as text or as JSON\. \(default: text to a terminal, else json\)/);
    }
  });
});

describe("plan's --no-progress", () => {
  it('turns the progress line off', () => {
    expect(plan().progress).toBe(true);
    expect(plan('--no-progress').progress).toBe(false);
    expect(renderHelp('t', 'u', PLAN_FLAGS)).toContain('No progress line on a terminal');
  });
});

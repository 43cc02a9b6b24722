import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, nodeVersionProblem } from '../../src/node-version.js';

describe('nodeVersionProblem', () => {
  it('accepts the supported majors and refuses older ones in one line naming both versions', () => {
    for (const ok of ['20.0.0', '20.20.2', '22.23.5', '24.22.3', 'v26.1.0']) expect(nodeVersionProblem(ok)).toBeUndefined();
    expect(nodeVersionProblem('18.20.4')).toBe('needs Node.js 20 or newer (22 or 24 recommended); this is Node.js 18.20.4');
    expect(nodeVersionProblem('16.0.0')).toMatch(/^needs Node\.js 20 or newer/);
    expect(nodeVersionProblem('garbage')).toMatch(/this is Node\.js garbage$/);
  });

  it('says what package.json engines says', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_MAJOR}`);
  });
});

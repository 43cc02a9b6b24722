#!/usr/bin/env node
/**
 * The executable: checks the Node.js version first, with nothing else loaded, so that an old Node
 * gets one clear line (exit 2) instead of a stack trace; then hands over to main.ts.
 */
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem === undefined) {
  await import('./main.js');
} else {
  process.stderr.write(`sc-owner-transfer: ${problem}\n`);
  process.exitCode = 2;
}

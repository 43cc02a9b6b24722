import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests spawn the compiled CLI and an in-process emulator; give them room on a busy 2-core box.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default in a run is one worker fewer than the cores: one, on the 2-core machines this
    // project runs on, which left a core idle while the e2e tests wait on their child processes.
    // At least two: the suite in ~330 s instead of ~550 s there, every test the same (they wait on
    // events, not on time); larger machines keep Vitest's own default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // `npm run coverage`: lines and branches of src/ (the e2e tests run the compiled CLI in child
    // processes, so what they cover shows only where a test imports src/ directly).
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'html'], reportsDirectory: 'coverage' },
  },
});

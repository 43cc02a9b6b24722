import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests spawn the compiled CLI and an in-process emulator; give them room on a busy 2-core box.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests spawn the compiled CLI and an in-process emulator; give them room on a busy 2-core box.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // `npm run coverage`: lines and branches of src/ (the e2e tests run the compiled CLI in child
    // processes, so what they cover shows only where a test imports src/ directly).
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'html'], reportsDirectory: 'coverage' },
  },
});

import { defineConfig } from 'vitest/config';

// Two projects: fast unit/integration tests, and real-Chromium end-to-end tests that need a build.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          setupFiles: ['test/e2e/support/stale-policy.ts'],
        },
      },
    ],
  },
});

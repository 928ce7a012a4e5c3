import { defineConfig } from 'vitest/config';

const shared = {
  pool: 'forks' as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // The AWS SDK's "Node ≥ 22 from 2027" notice, once per process (docs/security.md): operators see
  // it; the test log does not need it from every child process.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
};

// Each file has its own schema, Redis prefix and bucket, so files may run side by side. On two cores
// the end-to-end files (real-time encoders, ladders, Chromium) go one at a time, as they measure what
// a user would see; the quick files run beside them in a second worker.
export default defineConfig({
  test: {
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/infra/**/*.test.ts', 'test/up/**/*.test.ts'],
        },
      },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'], maxWorkers: 1 } },
    ],
  },
});

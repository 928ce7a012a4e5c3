import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // Each file has its own schema, Redis prefix and bucket, so files may run side by side; on two
    // cores vitest's default is one worker, and it stays so: the end-to-end files measure real time,
    // and a second worker of quick files beside them made a timing-sensitive test flaky.
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    // The AWS SDK's "Node ≥ 22 from 2027" notice, once per process (docs/security.md): operators see
    // it; the test log does not need it from every child process.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

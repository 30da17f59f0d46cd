import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each test file gets its own database and Redis prefix, so files could run in parallel; but
    // several files start real worker/CLI processes, and on a 2-core machine running them side by
    // side made timings flaky. One file at a time keeps every test deterministic.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

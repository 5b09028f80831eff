import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Model runs and child processes are slower than unit tests on a 2-core machine.
    testTimeout: 60_000,
    pool: 'forks',
  },
});

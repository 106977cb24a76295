import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start real processes and move 100 MB bodies; unit tests finish far below this.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Test files bind fixed loopback addresses/ports of their own; the machine has 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

// Integration and e2e tests start real servers (registry, Prometheus, git remotes):
// generous timeouts, and forks so each file owns its child processes.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});

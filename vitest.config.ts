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
    // `vitest run --coverage` (script/test, on the whole suite): lines of src/ run in the test processes, written
    // as coverage/coverage-final.json for script/coverage.mjs, which adds what the e2e tests ran through the
    // bundles (child processes this does not see) and holds the threshold. Every file under src/ counts.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['json', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});

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
    // `vitest run --coverage` (script/test, on the whole suite): lines of src/ run in the test processes. The
    // e2e tests run the bundles in dist/ in child processes, which this does not see (the bundles are minified,
    // without source maps), so the figure is what unit, integration, fuzz and fault tests execute in-process —
    // a floor, not the whole truth. Every file under src/ counts, the glue (run.ts, index.ts) included.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      // Set from the figure of 2026-12-02: 53.31 % of lines from test/unit alone (the whole suite adds the in-process
      // integration, fuzz and fault tests, so it can only be higher). Below the 90 % the issue asks: see the README.
      thresholds: { lines: 53 },
    },
  },
});

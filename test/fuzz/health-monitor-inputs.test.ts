/**
 * The one-step health monitor on hostile input, one input at a time, over a dry run against a healthy loopback
 * service and a broken main behind the GitHub stand-in: a verdict (exit 0; or exit 1 with the gate's verdict
 * when a fuzzed limit makes it fail, or a rollback that could not reach the registry) or one error line naming
 * the input; no crash, no hang, no shell, no ref moved, no issue, no write request, no write to the service.
 */
import { startTestService } from '../support/health/service.js';
import { brokenMain, runOnFailure } from '../support/revert/scenario.js';
import { describeInputFuzz } from './describe-input-fuzz.js';
import { RUN_TIMEOUT_MS, keepsDryRun } from './support.js';

const ACTION = 'health-monitor';

describeInputFuzz(
  ACTION,
  async () => {
    const svc = await startTestService();
    const s = await brokenMain();
    // Port 9 (discard): a rollback a fuzzed input provokes fails at once, and is reported, never retried for long.
    const base = { image: '127.0.0.1:9/owner/app', url: svc.url, attempts: '1', interval: '0s', timeout: '3s', deadline: '20s', 'dry-run': 'true' };
    return {
      world: {
        action: ACTION,
        // A bad token has its own tests (api-refused-inputs.test.ts).
        exclude: ['token'],
        filter: keepsDryRun,
        run: (inputs) => runOnFailure(ACTION, s, s.fail, { inputs: { ...base, ...inputs }, timeoutMs: RUN_TIMEOUT_MS }),
        otherError: /^(?:health-gate: (?:DEGRADED|UNHEALTHY|CRITICAL), |Rolling :\S+ back failed: |Reverting \S+ failed: )/,
        async snapshot() {
          return {
            refs: await s.f.refs(),
            apiWrites: s.api.requests.filter((r) => r.method !== 'GET').length,
            issues: s.api.state.issues.size,
            serviceWrites: svc.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length,
          };
        },
      },
      stop: async () => {
        await s.stop();
        await svc.close();
      },
    };
  },
  (r) => r.code === 0 && r.outputs['action-taken'] === 'none' && r.outputs.healthy === 'true',
);

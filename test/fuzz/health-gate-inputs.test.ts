/**
 * health-gate on hostile input, one input at a time over a fast valid gate against a healthy loopback
 * service: a verdict (exit 0, or exit 1 with the gate's one-line verdict when a fuzzed limit makes it fail)
 * or one error line naming the input; no crash, no hang, no shell, and only GET/HEAD requests to the service.
 */
import { runAction } from '../support/harness.js';
import { startTestService } from '../support/health/service.js';
import { describeInputFuzz } from './describe-input-fuzz.js';
import { RUN_TIMEOUT_MS } from './support.js';

const ACTION = 'health-gate';

describeInputFuzz(
  ACTION,
  async () => {
    const svc = await startTestService();
    return {
      world: {
        action: ACTION,
        // The defaults wait 10 s between 3 attempts and allow 5 minutes: one attempt and a 20 s deadline keep each
        // case short while every input is still read and validated.
        run: (inputs) =>
          runAction(ACTION, { inputs: { url: svc.url, attempts: '1', interval: '0s', timeout: '3s', deadline: '20s', ...inputs }, timeoutMs: RUN_TIMEOUT_MS }),
        otherError: /^health-gate: (?:DEGRADED|UNHEALTHY|CRITICAL), /,
        async snapshot() {
          return { writes: svc.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length };
        },
      },
      stop: () => svc.close(),
    };
  },
  (r) => r.code === 0 && r.outputs.status === 'HEALTHY',
);

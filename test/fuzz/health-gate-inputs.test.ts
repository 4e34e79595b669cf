/**
 * health-gate on hostile input, one input at a time over a fast valid gate against a healthy loopback
 * service: a verdict (exit 0, or exit 1 with the gate's one-line verdict when a fuzzed limit makes it fail)
 * or one error line naming the input; no crash, no hang, no shell, and only GET/HEAD requests to the service.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ROOT } from '../support/action-yml.js';
import { runAction } from '../support/harness.js';
import { startTestService, type TestService } from '../support/health/service.js';
import { RUN_TIMEOUT_MS, fuzzInputs, injectionSweep, shellCanary, type Canary, type FuzzWorld } from './support.js';

const ACTION = 'health-gate';
const present = existsSync(join(ROOT, 'dist', ACTION, 'index.js'));

describe.skipIf(!present)(`${ACTION}: fuzzed inputs`, () => {
  let svc: TestService;
  let canary: Canary;
  let fuzz: FuzzWorld;

  beforeAll(async () => {
    canary = shellCanary();
    svc = await startTestService();
    fuzz = {
      action: ACTION,
      // The defaults wait 10 s between 3 attempts and allow 5 minutes: one attempt and a 20 s deadline keep each
      // case short while every input is still read and validated.
      run: (inputs) =>
        runAction(ACTION, { inputs: { url: svc.url, attempts: '1', interval: '0s', timeout: '3s', deadline: '20s', ...inputs }, timeoutMs: RUN_TIMEOUT_MS }),
      otherError: /^health-gate: (?:DEGRADED|UNHEALTHY|CRITICAL), /,
      async snapshot() {
        return { writes: svc.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length };
      },
    };
    const ok = await fuzz.run({});
    if (ok.code !== 0 || ok.outputs.status !== 'HEALTHY') throw new Error(`the base gate is not HEALTHY: ${ok.stdout}`);
  });
  afterAll(async () => {
    await svc?.close();
    canary?.cleanup();
  });

  it('no input reaches a shell: every payload in every input at once', async () => {
    await injectionSweep(fuzz, canary);
  });

  it('arbitrary strings, one input at a time: a verdict or one line naming the input', async () => {
    await fuzzInputs(fuzz, canary);
  }, 170_000);
});

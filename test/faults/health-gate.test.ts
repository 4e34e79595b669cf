/**
 * health-gate (the bundle) with its HTTP service and its real Prometheus each behind the fault-injecting proxy.
 * A network fault (reset, a stall past the `timeout` input) is an ERROR that does not use up an attempt: the
 * check measures again and the gate stays HEALTHY. A fault that lasts is a verdict, not a crash: one line naming
 * the check and why, outputs written; once the fault is gone a re-run is HEALTHY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startPrometheus, type RunningPrometheus } from '../support/health/prometheus.js';
import { check, gate } from '../support/health/run.js';
import { startTestService, type TestService } from '../support/health/service.js';
import { expectOneLineFailure, expectSuccess } from './support.js';

let svc: TestService;
let prom: RunningPrometheus;
let svcProxy: FaultProxy;
let promProxy: FaultProxy;
const TOTAL = 'sum(http_requests_total{app="shop"})';
const promCheck = `- name: traffic\n  type: prometheus\n  query: '${TOTAL}'\n  success-if: "> 0"\n  critical: true\n`;

beforeAll(async () => {
  svc = await startTestService();
  svc.traffic('shop', 0, 20);
  prom = await startPrometheus([`127.0.0.1:${svc.port}`]);
  await prom.waitFor(TOTAL, (r) => r.length === 1);
  svcProxy = await startFaultProxy(svc.url);
  promProxy = await startFaultProxy(prom.url);
});
afterAll(async () => {
  await svcProxy?.stop();
  await promProxy?.stop();
  await prom?.stop();
  await svc?.close();
});

const run = (inputs: Record<string, string> = {}) =>
  gate({ url: svcProxy.url, 'prometheus-url': promProxy.url, checks: promCheck, attempts: '1', interval: '100ms', timeout: '1s', ...inputs });

describe('health-gate through a faulty network', () => {
  it('resets and a stall past the timeout on the service are ERRORs measured again: HEALTHY', async () => {
    svcProxy.addFault({ method: 'GET', path: /^\/health/, fault: { kind: 'reset' } });
    svcProxy.addFault({ method: 'GET', path: /^\/docs/, fault: { kind: 'stall', ms: 3_000 } });
    svcProxy.addFault({ method: 'GET', path: /^\/$/, fault: { kind: 'reset-mid-response' } });
    const r = await run();
    svcProxy.clearFaults();
    expectSuccess(r, 'service faults');
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', healthy: 'true', rollback: 'false' });
    expect(check(r.report, 'health').verdict).toBe('PASS');
    expect(check(r.report, 'docs').verdict).toBe('PASS');
    expect(JSON.stringify(check(r.report, 'docs'))).toMatch(/timeout/);
  });

  it("a reset and a 503 on a Prometheus check's own query are ERRORs measured again: HEALTHY", async () => {
    promProxy.addFault({ path: /^\/api\/v1\/query\?query=sum/, fault: { kind: 'reset' } });
    promProxy.addFault({ path: /^\/api\/v1\/query\?query=sum/, fault: { kind: 'status', status: 503, body: '{"status":"error","errorType":"unavailable","error":"restarting"}' } });
    const r = await run();
    promProxy.clearFaults();
    expectSuccess(r, 'faults on the check query');
    expect(r.outputs.status).toBe('HEALTHY');
    expect(check(r.report, 'traffic').verdict).toBe('PASS');
  });

  // Fails today: probePrometheus (src/core/health/prometheus.ts) asks vector(1) once and gate.ts turns its first
  // failure into prometheus-unavailable for every Prometheus check, without measuring again — so one dropped
  // connection makes a critical check ERROR, the gate CRITICAL, and rollback=true on a healthy service.
  it('one reset on the vector(1) probe is measured again too: HEALTHY, no rollback', async () => {
    promProxy.addFault({ path: /^\/api\/v1\/query\?query=vector/, fault: { kind: 'reset' } });
    const r = await run();
    promProxy.clearFaults();
    expect(r.outputs.rollback, `a single reset on the probe decided a rollback: ${r.errors.join(' | ')}`).toBe('false');
    expectSuccess(r, 'one reset on the probe');
    expect(check(r.report, 'traffic').verdict).toBe('PASS');
  });

  it('Prometheus answering 503 for good: the critical check is an ERROR after consecutive-error-limit, not a sick service (DEGRADED, no rollback); the re-run after it recovers is HEALTHY', async () => {
    promProxy.addFault({ path: /^\/api\/v1\/query/, times: 1_000, fault: { kind: 'status', status: 503, body: '{"status":"error","errorType":"unavailable","error":"restarting"}' } });
    const r = await run();
    promProxy.clearFaults();
    expectSuccess(r, 'prometheus down for good');
    expect(r.outputs).toMatchObject({ status: 'DEGRADED', rollback: 'false' });
    expect(check(r.report, 'traffic')).toMatchObject({ verdict: 'ERROR', decidedBy: 'consecutive-error-limit', criticalFailure: false, tally: { error: 5 } });
    const again = await run();
    expectSuccess(again, 're-run');
    expect(again.outputs.status).toBe('HEALTHY');
  });

  it('the service stalling past the timeout for good: CRITICAL in one line naming the checks, within the deadline', async () => {
    svcProxy.addFault({ method: 'GET', times: 1_000, fault: { kind: 'stall', ms: 5_000 } });
    const started = Date.now();
    const r = await run({ deadline: '20s' });
    svcProxy.clearFaults();
    expectOneLineFailure(r, /^health-gate: CRITICAL, .*(connectivity|health)/, 'service stalled');
    expect(r.outputs.status).toBe('CRITICAL');
    // Without the deadline, 1,000 stalls of 5 s each; with it, 20 s plus the process around it (a loaded runner
    // can add seconds to that, so the bound is loose: it tells a working deadline from a missing one).
    expect(Date.now() - started).toBeLessThan(60_000);
    const again = await run();
    expectSuccess(again, 're-run');
  }, 60_000);
});

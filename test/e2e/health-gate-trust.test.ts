/**
 * health-gate's bundle in the situations where a verdict decides a rollback: what a /health answer says (read by
 * structure), slowness that must never score better than a failure, the gate's own budget, exact ratios at
 * the thresholds, and a real Prometheus that is down, restarting, or has no 5xx series at all.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../support/health/prometheus.js';
import { check, gate } from '../support/health/run.js';
import { startTestService, type TestService } from '../support/health/service.js';
import { runAction } from '../support/harness.js';

const RANK = ['HEALTHY', 'DEGRADED', 'UNHEALTHY', 'CRITICAL'];
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});
beforeEach(() => svc.resetRoutes());

describe('a /health answer is read by what it says', () => {
  const json = { 'content-type': 'application/json' };
  const healthJson = { 'content-type': 'application/health+json' };
  const big = `{"status":"ok","pods":[${Array.from({ length: 40_000 }, (_, i) => `{"name":"pod-${i}","ok":true}`).join(',')}]}`;
  const cases: Array<{ title: string; answer: Parameters<TestService['route']>[1]; status: string; rollback: string; reason?: string }> = [
    { title: '200 "NOT OK"', answer: { status: 200, body: 'NOT OK' }, status: 'CRITICAL', rollback: 'true', reason: 'not-healthy' },
    { title: '200 "not healthy"', answer: { status: 200, body: 'service is not healthy' }, status: 'CRITICAL', rollback: 'true', reason: 'not-healthy' },
    { title: '{"healthy":"false"}', answer: { status: 200, body: '{"healthy":"false"}', headers: json }, status: 'CRITICAL', rollback: 'true', reason: 'not-healthy' },
    { title: '{"ok":0}', answer: { status: 200, body: '{"ok":0}', headers: json }, status: 'CRITICAL', rollback: 'true', reason: 'not-healthy' },
    { title: 'a component down', answer: { status: 200, body: '{"status":{"api":"ok","database":"down"}}', headers: json }, status: 'CRITICAL', rollback: 'true', reason: 'not-healthy' },
    {
      title: 'IETF health+json: pass overall, one check failing',
      answer: { status: 200, body: '{"status":"pass","checks":{"postgres:responseTime":[{"componentId":"db1","status":"fail"}]}}', headers: healthJson },
      status: 'CRITICAL',
      rollback: 'true',
      reason: 'not-healthy',
    },
    { title: 'a JSON body cut off by the 1 MiB read limit', answer: { status: 200, body: big, headers: json }, status: 'CRITICAL', rollback: 'true', reason: 'truncated-body' },
    { title: 'IETF health+json {"status":"warn"}', answer: { status: 200, body: '{"status":"warn"}', headers: healthJson }, status: 'DEGRADED', rollback: 'false', reason: 'degraded' },
    { title: '{"status":"degraded"}', answer: { status: 200, body: '{"status":"degraded"}', headers: json }, status: 'DEGRADED', rollback: 'false', reason: 'degraded' },
    { title: 'a bodiless 204', answer: { status: 204 }, status: 'HEALTHY', rollback: 'false', reason: 'ok' },
    { title: 'IETF health+json, all passing', answer: { status: 200, body: '{"status":"pass","checks":{"db":[{"status":"pass"}],"cache":[{"status":"ok"}]}}', headers: healthJson }, status: 'HEALTHY', rollback: 'false', reason: 'ok' },
  ];
  expect(big.length).toBeGreaterThan(1024 * 1024);
  for (const c of cases) {
    it(`${c.title}: ${c.status}, rollback ${c.rollback}`, async () => {
      svc.route('/health', c.answer);
      const r = await gate({ url: svc.url });
      expect(r.outputs).toMatchObject({ status: c.status, rollback: c.rollback });
      expect(check(r.report, 'health').reason).toBe(c.reason);
    });
  }
});

describe('worse never scores better', () => {
  it('over the hard latency-limit is at least as bad as passing over the soft max-latency', async () => {
    svc.route('/', { status: 200, body: '<html>app</html>', delayMs: 300 });
    const soft = await gate({ url: svc.url, checks: '- name: response-time\n  max-latency: 100ms\n' });
    const hard = await gate({ url: svc.url, checks: '- name: response-time\n  latency-limit: 100ms\n' });
    expect(check(soft.report, 'response-time')).toMatchObject({ verdict: 'PASS', reason: 'slow' });
    expect(check(hard.report, 'response-time')).toMatchObject({ verdict: 'FAIL', reason: 'too-slow' });
    expect(soft.outputs.status).toBe('DEGRADED');
    expect(hard.outputs.status).toBe('DEGRADED');
    expect(RANK.indexOf(hard.outputs.status!)).toBeGreaterThanOrEqual(RANK.indexOf(soft.outputs.status!));
  });
});

describe("the gate's own budget is not the service's fault", () => {
  it('attempts 3, interval 10s, deadline 22s: refused as an input error before any request', async () => {
    const r = await runAction('health-gate', { inputs: { url: svc.url, attempts: '3', interval: '10s', deadline: '22s' } });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      'Input "deadline": 22s is too short for check "connectivity": 3 attempt(s) of up to 30s (timeout) 10s apart (interval) need up to 1m 50s; raise deadline, or lower timeout, attempts (count) or interval',
    ]);
    expect(r.outputs).toEqual({});
    expect(svc.requests).toEqual([]);
  });

  it('a budget that fits: every measurement passes and the gate is HEALTHY', async () => {
    svc.route('/', { status: 200, body: '<html>app</html>', delayMs: 500 });
    const r = await gate({ url: svc.url, attempts: '3', interval: '200ms', timeout: '2s', deadline: '6400ms' });
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', rollback: 'false' });
    expect(check(r.report, 'connectivity').tally).toMatchObject({ pass: 3 });
  });

  it('running out of time is INCONCLUSIVE, never ERROR → CRITICAL', async () => {
    svc.route('/health', { status: 200, body: '{"status":"ok"}', delayMs: 5_000 });
    const r = await gate({ url: svc.url, timeout: '400ms', deadline: '1s' });
    expect(check(r.report, 'health')).toMatchObject({ verdict: 'INCONCLUSIVE', decidedBy: 'deadline', criticalFailure: false });
    expect(r.outputs.status).not.toBe('CRITICAL');
    expect(r.outputs.rollback).toBe('false');
  });
});

describe('thresholds on exact ratios', () => {
  const checks = (pass: number, fail: number) =>
    [...Array.from({ length: pass }, (_, i) => `- name: p${i}\n  url: ${svc.url}/\n`), ...Array.from({ length: fail }, (_, i) => `- name: f${i}\n  url: ${svc.url}/missing\n`)].join('');
  it('25 of 42 (59.52 %) is UNHEALTHY, not DEGRADED', async () => {
    svc.route('/missing', { status: 404 });
    const r = await gate({ checks: checks(25, 17) });
    expect(r.outputs).toMatchObject({ status: 'UNHEALTHY', score: '59', rollback: 'true' });
    expect(r.report.counts.ratio).toBe(59.52);
  });
  it('35 of 44 (79.55 %) is DEGRADED, not HEALTHY', async () => {
    svc.route('/missing', { status: 404 });
    const r = await gate({ checks: checks(35, 9) });
    expect(r.outputs).toMatchObject({ status: 'DEGRADED', score: '79', rollback: 'false' });
  });
  it('the bands hold at their boundaries: 4 of 5 (80 %) HEALTHY, 3 of 5 (60 %) DEGRADED', async () => {
    svc.route('/missing', { status: 404 });
    expect((await gate({ checks: checks(4, 1) })).outputs).toMatchObject({ status: 'HEALTHY', score: '80' });
    expect((await gate({ checks: checks(3, 2) })).outputs).toMatchObject({ status: 'DEGRADED', score: '60' });
  });
});

describe('a broken measurement is not a sick service (a real Prometheus)', () => {
  let metrics: Server;
  let metricsPort: number;
  let prom: RunningPrometheus;
  // A service that has never answered a 5xx: only status="200" exists, and it grows with time.
  const started = Date.now();
  beforeAll(async () => {
    metrics = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE http_requests_total counter\nhttp_requests_total{status="200"} ${Math.floor((Date.now() - started) / 10)}\n`);
    });
    await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
    metricsPort = (metrics.address() as AddressInfo).port;
    prom = await startPrometheus([`127.0.0.1:${metricsPort}`]);
    await prom.waitFor('sum(rate(http_requests_total[5m]))', (r) => r.length === 1 && Number(r[0]!.value[1]) > 0);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await new Promise((resolve) => metrics?.close(resolve));
  });

  /** The README's example checks (error-rate and success-rate), read from the README itself. */
  const readmeQueries = () => {
    const readme = readFileSync('actions/health-gate/README.md', 'utf8');
    const query = (name: string) => new RegExp(`- name: ${name}\\n(?:\\s+#.*\\n)?\\s+query: (.+)`).exec(readme)![1]!.trim();
    return { errorRate: query('error-rate'), successRate: query('success-rate') };
  };

  it("the README's example queries on a service that never answered a 5xx: HEALTHY", async () => {
    const q = readmeQueries();
    const r = await gate({
      url: svc.url,
      'prometheus-url': prom.url,
      checks: `- name: error-rate\n  query: ${JSON.stringify(q.errorRate)}\n  fail-if: "> 0.01"\n  critical: true\n- name: success-rate\n  query: ${JSON.stringify(q.successRate)}\n  success-if: ">= 0.99"\n`,
    });
    expect(check(r.report, 'error-rate')).toMatchObject({ verdict: 'PASS', value: 0 });
    expect(check(r.report, 'success-rate')).toMatchObject({ verdict: 'PASS', value: 1 });
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', rollback: 'false' });
  });

  it('Prometheus down with only non-critical Prometheus checks: they leave the ratio, HEALTHY, no rollback', async () => {
    await prom.down();
    try {
      const r = await gate({
        url: svc.url,
        'prometheus-url': prom.url,
        checks: '- name: saturation\n  query: sum(up)\n  success-if: ">= 1"\n- name: traffic\n  query: sum(rate(http_requests_total[5m]))\n  success-if: "> 0"\n',
      });
      expect(check(r.report, 'saturation')).toMatchObject({ verdict: 'ERROR', reason: 'refused', decidedBy: 'consecutive-error-limit', tally: { error: 5 } });
      expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100', rollback: 'false' });
      expect(r.summary).toMatch(/did not answer vector\(1\).*a measuring fault/);
    } finally {
      await prom.up();
    }
  }, 60_000);

  it('a 3-second Prometheus restart during a critical check is retried per interval up to consecutive-error-limit: HEALTHY', async () => {
    await prom.down();
    const q = readmeQueries();
    const running = gate({
      url: svc.url,
      'prometheus-url': prom.url,
      interval: '500ms',
      timeout: '2s',
      deadline: '1m',
      checks: `- name: error-rate\n  query: ${JSON.stringify(q.errorRate)}\n  fail-if: "> 0.01"\n  critical: true\n  consecutive-error-limit: 30\n`,
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await prom.up();
    const r = await running;
    const c = check(r.report, 'error-rate');
    expect(c).toMatchObject({ verdict: 'PASS', criticalFailure: false });
    expect(c.tally.error).toBeGreaterThan(0);
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', rollback: 'false' });
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startTestService, type TestService } from '../support/health/service.js';
import { startPrometheus, type RunningPrometheus } from '../support/health/prometheus.js';
import { check, gate } from '../support/health/run.js';

// The bundle with the six built-in checks plus Prometheus checks, against a real Prometheus scraping the service.
let svc: TestService;
let prom: RunningPrometheus;
const ERROR_RATE = (app: string) => `sum(rate(http_requests_total{app="${app}",status=~"5.."}[5s])) / sum(rate(http_requests_total{app="${app}"}[5s]))`;
const errorRateCheck = (app: string, extra = '') => `- name: error-rate\n  type: prometheus\n  query: '${ERROR_RATE(app)}'\n  fail-if: "> 0.01"\n  critical: true\n${extra}`;

beforeAll(async () => {
  svc = await startTestService();
  svc.traffic('bad', 0.05);
  svc.traffic('good', 0.001);
  prom = await startPrometheus([`127.0.0.1:${svc.port}`]);
  await prom.waitFor(ERROR_RATE('bad'), (r) => r.length === 1);
});
afterAll(async () => {
  await prom?.stop();
  await svc?.close();
});

describe('health-gate with Prometheus', () => {
  it('an error rate above the threshold on a critical check: CRITICAL, rollback', async () => {
    const r = await gate({ url: svc.url, 'prometheus-url': prom.url, checks: errorRateCheck('bad') });
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', score: '0', rollback: 'true', healthy: 'false' });
    expect(r.code).toBe(1);
    const c = check(r.report, 'error-rate');
    expect(c).toMatchObject({ verdict: 'FAIL', reason: 'fail-if', query: ERROR_RATE('bad'), endpoint: `${prom.url}/api/v1/query` });
    expect(c.value as number).toBeCloseTo(0.05, 6);
    expect(r.summary).toMatch(/\| error-rate \| yes \| ❌ FAIL \| 0\.05 \| \d+ ms \| fail-if: 1 failed attempt\(s\), over failure-limit 0: 0\.05 matches fail-if "&gt; 0\.01" \|/);
    expect(r.report.prometheus).toEqual({ url: `${prom.url}/`, up: true });
  });

  it('an error rate below the threshold: HEALTHY with all seven checks', async () => {
    const r = await gate({ url: svc.url, 'prometheus-url': prom.url, checks: errorRateCheck('good', '  count: 2\n  interval: 100ms\n') });
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100', rollback: 'false', healthy: 'true' });
    expect(check(r.report, 'error-rate')).toMatchObject({ verdict: 'PASS', tally: { pass: 2 } });
    expect(r.code).toBe(0);
  });

  it("a query syntax error is ERROR with the API's message in the summary", async () => {
    const r = await gate({ url: svc.url, 'prometheus-url': prom.url, checks: `- name: typo\n  query: "rate(http_requests_total[5m]"\n  fail-if: "> 1"\n` });
    expect(check(r.report, 'typo')).toMatchObject({ verdict: 'ERROR', reason: 'query-error' });
    expect(r.summary).toMatch(/\| typo \| no \| ⚠️ ERROR \| — \| \d+ ms \| query-error: Prometheus answered HTTP 400 bad_data: invalid parameter "query": .*parse error/);
    // A non-critical errored check leaves the ratio (a broken measurement is not a sick service): 6 of 6.
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100' });
  });

  it('Prometheus down: its checks are ERROR after consecutive-error-limit, a measuring fault (DEGRADED at best, no rollback)', async () => {
    const port = await closedPort();
    const r = await gate({ url: svc.url, 'prometheus-url': `http://127.0.0.1:${port}`, checks: errorRateCheck('bad') });
    expect(check(r.report, 'error-rate')).toMatchObject({ verdict: 'ERROR', reason: 'refused', decidedBy: 'consecutive-error-limit', criticalFailure: false });
    expect(r.outputs).toMatchObject({ status: 'DEGRADED', rollback: 'false' });
    expect(r.report.prometheus).toMatchObject({ up: false });
    expect(r.summary).toContain('did not answer vector(1)');
  });

  it('prometheus-headers go to Prometheus only, masked', async () => {
    // The test service stands in for an authenticating Prometheus proxy here (answers in the API's shape).
    const fake = await startTestService();
    try {
      fake.route('/api/v1/query', { status: 200, body: '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}' });
      const r = await gate({
        url: svc.url,
        'prometheus-url': fake.url,
        'prometheus-headers': 'Authorization: Bearer prom-token-77aa88bb',
        checks: `- name: up\n  query: up\n  success-if: "== 1"\n`,
      });
      expect(check(r.report, 'up').verdict).toBe('PASS');
      expect(fake.requests.map((q) => q.headers.authorization)).toEqual(['Bearer prom-token-77aa88bb', 'Bearer prom-token-77aa88bb']);
      expect(svc.requests.some((q) => q.headers.authorization !== undefined)).toBe(false);
      expect(r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain('prom-token-77aa88bb');
    } finally {
      await fake.close();
    }
  });
});

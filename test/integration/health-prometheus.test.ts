import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startTestService, type TestService } from '../support/health/service.js';
import { startPrometheus, type RunningPrometheus } from '../support/health/prometheus.js';
import { runChecks } from '../support/health/in-process.js';
import { probePrometheus, queryPrometheus } from '../../src/core/health/prometheus.js';

// A real Prometheus (1 s scrapes) scraping the test service, whose http_requests_total the test drives:
// app "bad" serves 5 % errors, app "good" 0.1 %. idle_requests_total never moves (its rates are 0: a ratio is NaN).
let svc: TestService;
let prom: RunningPrometheus;
const RATE = (app: string, status = '') => `sum(rate(http_requests_total{app="${app}"${status}}[5s]))`;
const ERROR_RATE = (app: string) => `${RATE(app, ',status=~"5.."')} / ${RATE(app)}`;
const SUCCESS_RATE = (app: string) => `${RATE(app, ',status!~"5.."')} / ${RATE(app)}`;

beforeAll(async () => {
  svc = await startTestService();
  svc.traffic('bad', 0.05);
  svc.traffic('good', 0.001);
  prom = await startPrometheus([`127.0.0.1:${svc.port}`]);
  // rate() needs two samples in its window.
  await prom.waitFor(ERROR_RATE('bad'), (r) => r.length === 1 && Math.abs(Number(r[0]!.value[1]) - 0.05) < 1e-6);
  await prom.waitFor(`sum(rate(idle_requests_total[5s]))`, (r) => r.length === 1);
});
afterAll(async () => {
  await prom?.stop();
  await svc?.close();
});

describe('Prometheus checks against a real Prometheus', () => {
  it('error rate above the threshold FAILs, below it PASSes (seed 001: > 0.01)', async () => {
    const { byName } = await runChecks(
      `- name: bad\n  query: ${JSON.stringify(ERROR_RATE('bad'))}\n  fail-if: "> 0.01"\n- name: good\n  query: ${JSON.stringify(ERROR_RATE('good'))}\n  fail-if: "> 0.01"\n`,
      { prometheusUrl: prom.url },
    );
    const bad = byName('bad');
    expect(bad).toMatchObject({ verdict: 'FAIL', reason: 'fail-if', query: ERROR_RATE('bad'), endpoint: `${prom.url}/api/v1/query` });
    expect(bad.value as number).toBeCloseTo(0.05, 6);
    expect(bad.attempts[0]!.samples).toEqual([{ labels: {}, value: expect.stringMatching(/^0\.0(4999|5)/) }]);
    const good = byName('good');
    expect(good).toMatchObject({ verdict: 'PASS', reason: 'ok' });
    expect(good.value as number).toBeCloseTo(0.001, 6);
  });

  it("seed 001's success rate (>= 0.99, failureLimit 3) with count 4: bad fails at the fourth failure", async () => {
    const { byName } = await runChecks(
      `- name: bad\n  query: ${JSON.stringify(SUCCESS_RATE('bad'))}\n  success-if: ">= 0.99"\n  count: 4\n  failure-limit: 3\n  interval: 100ms\n` +
        `- name: good\n  query: ${JSON.stringify(SUCCESS_RATE('good'))}\n  success-if: ">= 0.99"\n  count: 2\n  interval: 100ms\n`,
      { prometheusUrl: prom.url },
    );
    expect(byName('bad')).toMatchObject({ verdict: 'FAIL', decidedBy: 'failure-limit', reason: 'success-if', tally: { fail: 4 } });
    expect(byName('good')).toMatchObject({ verdict: 'PASS', decidedBy: 'count', tally: { pass: 2 } });
  });

  it('both conditions and neither holds: INCONCLUSIVE', async () => {
    const { byName } = await runChecks(`- name: e\n  query: ${JSON.stringify(ERROR_RATE('bad'))}\n  success-if: "< 0.01"\n  fail-if: "> 0.10"\n`, { prometheusUrl: prom.url });
    expect(byName('e')).toMatchObject({ verdict: 'INCONCLUSIVE', reason: 'inconclusive', decidedBy: 'inconclusive-limit' });
  });

  it('an empty result follows on-empty: inconclusive by default, or pass / fail', async () => {
    const q = JSON.stringify('http_requests_total{app="nonexistent"}');
    const { byName } = await runChecks(
      `- name: default\n  query: ${q}\n  fail-if: "> 0"\n- name: pass\n  query: ${q}\n  fail-if: "> 0"\n  on-empty: pass\n- name: fail\n  query: ${q}\n  fail-if: "> 0"\n  on-empty: fail\n`,
      { prometheusUrl: prom.url },
    );
    expect(byName('default')).toMatchObject({ verdict: 'INCONCLUSIVE', reason: 'empty' });
    expect(byName('pass')).toMatchObject({ verdict: 'PASS', reason: 'empty' });
    expect(byName('fail')).toMatchObject({ verdict: 'FAIL', reason: 'empty' });
  });

  it('an alert-style query (a PromQL comparison) is empty when healthy', async () => {
    const { byName } = await runChecks(`- name: alert\n  query: ${JSON.stringify(`${ERROR_RATE('good')} > 0.01`)}\n  fail-if: "> 0"\n  on-empty: pass\n`, { prometheusUrl: prom.url });
    expect(byName('alert')).toMatchObject({ verdict: 'PASS', reason: 'empty' });
  });

  it('NaN (a ratio of zero rates) follows on-nan; +Inf and -Inf are numbers', async () => {
    const nan = JSON.stringify('sum(rate(idle_requests_total{status=~"5.."}[5s])) / sum(rate(idle_requests_total[5s]))');
    const inf = JSON.stringify(`${RATE('bad', ',status="500"')} / sum(rate(idle_requests_total[5s]))`);
    const { byName } = await runChecks(
      `- name: nan\n  query: ${nan}\n  fail-if: "> 0.01"\n- name: nan-fails\n  query: ${nan}\n  fail-if: "> 0.01"\n  on-nan: fail\n` +
        `- name: inf\n  query: ${inf}\n  fail-if: "> 0.01"\n- name: minus-inf\n  query: "-1/0"\n  success-if: ">= 0.99"\n`,
      { prometheusUrl: prom.url },
    );
    expect(byName('nan')).toMatchObject({ verdict: 'INCONCLUSIVE', reason: 'nan', value: 'NaN' });
    expect(byName('nan').attempts[0]!.samples).toEqual([{ labels: {}, value: 'NaN' }]);
    expect(byName('nan-fails')).toMatchObject({ verdict: 'FAIL', reason: 'nan' });
    expect(byName('inf')).toMatchObject({ verdict: 'FAIL', value: '+Inf', reason: 'fail-if' });
    // A scalar result works as well as a vector.
    expect(byName('minus-inf')).toMatchObject({ verdict: 'FAIL', value: '-Inf', reason: 'success-if' });
  });

  it('aggregate over a multi-series vector', async () => {
    const q = JSON.stringify('sort_desc(sum by (app) (rate(http_requests_total{status="500"}[5s])) / sum by (app) (rate(http_requests_total[5s])))');
    const yaml = ['all', 'any', 'min', 'max', 'first'].map((a) => `- name: ${a}\n  query: ${q}\n  fail-if: "> 0.01"\n  aggregate: ${a}\n`).join('');
    const { byName } = await runChecks(yaml, { prometheusUrl: prom.url });
    expect(byName('all').verdict).toBe('FAIL');
    expect(byName('any').verdict).toBe('PASS');
    expect(byName('min').verdict).toBe('PASS');
    expect(byName('max').verdict).toBe('FAIL');
    // sort_desc puts app="bad" first: Argo's result[0].
    expect(byName('first')).toMatchObject({ verdict: 'FAIL' });
    expect(byName('first').message).toContain('{app="bad"}');
    expect(byName('all').attempts[0]!.sampleCount).toBe(2);
  });

  it("a syntax error is ERROR carrying the API's message, not retried", async () => {
    const { byName } = await runChecks(`- name: typo\n  query: "sum(rate(http_requests_total[5m]"\n  fail-if: "> 0.01"\n  count: 3\n`, { prometheusUrl: prom.url });
    const c = byName('typo');
    expect(c).toMatchObject({ verdict: 'ERROR', reason: 'query-error', decidedBy: 'permanent-error' });
    expect(c.attempts).toHaveLength(1);
    expect(c.attempts[0]).toMatchObject({ errorType: 'bad_data' });
    expect(c.message).toMatch(/Prometheus answered HTTP 400 bad_data: invalid parameter "query": 1:\d+: parse error: unclosed left parenthesis/);
  });

  it('a range-vector query is ERROR with advice', async () => {
    const { byName } = await runChecks(`- name: matrix\n  query: "http_requests_total[5s]"\n  fail-if: "> 0.01"\n`, { prometheusUrl: prom.url });
    expect(byName('matrix')).toMatchObject({ verdict: 'ERROR', reason: 'unsupported-result' });
    expect(byName('matrix').message).toContain('rate(x[5m]) rather than x[5m]');
  });

  it('a long query goes as a POST and still works', async () => {
    const long = `${ERROR_RATE('good')}${' + 0'.repeat(1200)}`;
    const r = await queryPrometheus({ url: prom.url, headers: {} }, long, 5000);
    expect(r.ok && r.samples[0]!.value).toBeCloseTo(0.001, 6);
  });

  it('probes with vector(1)', async () => {
    expect(await probePrometheus({ url: prom.url, headers: {} }, 5000)).toEqual({ ok: true });
  });
});

describe('a Prometheus that does not answer', () => {
  it('refused: every Prometheus check is ERROR after consecutive-error-limit, HTTP checks still run; a measuring fault is never CRITICAL', async () => {
    const port = await closedPort();
    svc.route('/ok', { status: 200, body: 'ok' });
    const { byName, score, run } = await runChecks(
      `- name: errors\n  query: up\n  fail-if: "< 1"\n  critical: true\n- name: latency\n  query: up\n  fail-if: "< 1"\n- name: page\n  url: ${svc.url}/ok\n`,
      { prometheusUrl: `http://127.0.0.1:${port}` },
    );
    for (const n of ['errors', 'latency']) {
      expect(byName(n)).toMatchObject({ verdict: 'ERROR', reason: 'refused', decidedBy: 'consecutive-error-limit', criticalFailure: false });
      expect(byName(n).message).toMatch(/Prometheus: connection refused/);
    }
    expect(byName('page').verdict).toBe('PASS');
    expect(run.prometheus).toMatchObject({ up: false });
    // Neither Prometheus check was measured (2 of 3): not enough evidence, and no rollback asked for.
    expect(score).toMatchObject({ status: 'UNHEALTHY', inconclusiveOnly: true });
  });

  it('something that is not Prometheus (a web page) is ERROR, not FAIL', async () => {
    const { byName } = await runChecks(`- name: errors\n  query: up\n  fail-if: "< 1"\n`, { prometheusUrl: svc.url });
    expect(byName('errors')).toMatchObject({ verdict: 'ERROR', reason: 'not-prometheus' });
    expect(byName('errors').message).toContain('is not a Prometheus API answer: not found');
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readActionYml } from '../support/action-yml.js';
import { closedPort, startTestService, type TestService } from '../support/health/service.js';
import { FAST, check, gate } from '../support/health/run.js';
import { runAction } from '../support/harness.js';

// Claims of actions/health-gate/README.md and action.yml that no other test pinned down, each checked against
// the bundle run as the runner runs it, with a real HTTP service on loopback.
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc.close();
});
beforeEach(() => svc.resetRoutes());

describe('an entry named like a built-in check overrides only the keys it gives', () => {
  it('- name: docs with only failure-limit still requests /docs and accepts a 3xx', async () => {
    svc.route('/docs', { status: 302, redirect: '/login' });
    svc.route('/login', { status: 401, body: 'sign in' });
    svc.route('/', { status: 200, body: 'home' });
    const r = await gate({ url: svc.url, checks: '- name: docs\n  failure-limit: 2\n  follow-redirects: false\n' });
    const docs = check(r.report, 'docs');
    expect(docs).toMatchObject({ url: `${svc.url}/docs`, verdict: 'PASS', status: 302, critical: false, limits: { failureLimit: 2 } });
    expect(svc.hits('/docs')).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100' });
  });

  it('- name: health with only critical: false keeps the /health URL and its body rule', async () => {
    svc.route('/health', { status: 200, body: '{"status":"down"}', headers: { 'content-type': 'application/json' } });
    const r = await gate({ url: svc.url, checks: '- name: health\n  critical: false\n' });
    expect(check(r.report, 'health')).toMatchObject({ url: `${svc.url}/health`, verdict: 'FAIL', reason: 'not-healthy', critical: false });
    // Not critical any more: 5 of 6, HEALTHY 83 rather than CRITICAL.
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '83' });
  });

  it('a new url keeps the rest (Streamlit: /_stcore/health answering "ok" passes the inherited body rule)', async () => {
    svc.route('/_stcore/health', { status: 200, body: 'ok' });
    svc.route('/health', { status: 404 });
    const r = await gate({ url: svc.url, checks: '- name: health\n  url: /_stcore/health\n' });
    expect(check(r.report, 'health')).toMatchObject({ url: `${svc.url}/_stcore/health`, verdict: 'PASS', critical: true });
    svc.route('/_stcore/health', { status: 200, body: 'starting' });
    const bad = await gate({ url: svc.url, checks: '- name: health\n  url: /_stcore/health\n' });
    expect(check(bad.report, 'health')).toMatchObject({ verdict: 'FAIL', reason: 'not-healthy' });
    expect(bad.outputs.status).toBe('CRITICAL');
  });
});

describe('outputs are always written', () => {
  const names = Object.keys(readActionYml('health-gate').outputs ?? {}).sort();
  const paths: { title: string; setup: () => void; inputs: () => Record<string, string>; status: string; code: number }[] = [
    { title: 'HEALTHY', setup: () => undefined, inputs: () => ({ url: svc.url }), status: 'HEALTHY', code: 0 },
    { title: 'DEGRADED', setup: () => svc.route('/docs', { status: 404 }), inputs: () => ({ url: svc.url, 'pass-score': '90' }), status: 'DEGRADED', code: 0 },
    {
      title: 'UNHEALTHY',
      setup: () => {
        svc.route('/docs', { status: 404 });
        svc.route('/', { status: 200, body: '' });
      },
      inputs: () => ({ url: svc.url, 'marginal-score': '70', 'pass-score': '70' }),
      status: 'UNHEALTHY',
      code: 1,
    },
    { title: 'CRITICAL', setup: () => svc.route('/health', { status: 503 }), inputs: () => ({ url: svc.url }), status: 'CRITICAL', code: 1 },
    {
      title: 'deadline hit',
      setup: () => svc.route('/stuck', { status: 200, body: 'ok', delayMs: 4000 }),
      inputs: () => ({ checks: `- name: stuck\n  url: ${svc.url}/stuck\n  critical: true\n  timeout: 200ms\n`, deadline: '500ms' }),
      // The gate ran out of its own time: no verdict on the service, no rollback, the step fails (fail-on unhealthy).
      status: 'UNHEALTHY',
      code: 1,
    },
  ];
  for (const p of paths) {
    it(`${p.title}: every output of action.yml, consistent with the report`, async () => {
      p.setup();
      const r = await gate(p.inputs());
      expect(r.code).toBe(p.code);
      expect(Object.keys(r.outputs).sort()).toEqual(names);
      expect(r.outputs.status).toBe(p.status);
      expect(r.report).toMatchObject({ status: p.status, score: Number(r.outputs.score), healthy: r.outputs.healthy === 'true', rollback: r.outputs.rollback === 'true' });
      expect(r.outputs.healthy).toBe(String(p.status === 'HEALTHY'));
    });
  }
});

describe('smaller claims', () => {
  it('prometheus-url credentials are sent as Basic auth and masked everywhere', async () => {
    const fake = await startTestService();
    try {
      fake.route('/api/v1/query', { status: 200, body: '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}' });
      const password = 'prom-pa55-9c8b7a';
      const r = await gate({ 'prometheus-url': `http://reader:${password}@127.0.0.1:${fake.port}`, checks: '- name: up\n  query: up\n  success-if: "== 1"\n' });
      expect(check(r.report, 'up').verdict).toBe('PASS');
      const basic = `Basic ${Buffer.from(`reader:${password}`).toString('base64')}`;
      expect(fake.requests.map((q) => q.headers.authorization)).toEqual([basic, basic]);
      expect(r.stdout).toContain(`::add-mask::${password}`);
      for (const text of [r.visibleStdout, r.summary, JSON.stringify(r.outputs)]) expect(text).not.toContain(password);
    } finally {
      await fake.close();
    }
  });

  it('a disabled entry is skipped, even one that would not be valid enabled', async () => {
    const r = await gate({ url: svc.url, checks: '- name: later\n  type: prometheus\n  enabled: false\n' });
    expect(r.code).toBe(0);
    expect(r.report.checks.map((c) => c.name)).not.toContain('later');
  });

  it('durations may be a bare number of seconds', async () => {
    svc.route('/slow', { status: 200, body: 'ok', delayMs: 1500 });
    const r = await gate({ checks: `- name: slow\n  url: ${svc.url}/slow\n  timeout: 1\n  consecutive-error-limit: 0\n`, timeout: '0.3' });
    expect(check(r.report, 'slow').attempts[0]).toMatchObject({ outcome: 'ERROR', reason: 'timeout' });
  });

  it('consecutive-error-limit: that many ERRORs in a row are allowed, one more ends the check as ERROR', async () => {
    const port = await closedPort();
    const r = await gate({ checks: `- name: down\n  url: http://127.0.0.1:${port}/\n  consecutive-error-limit: 1\n`, interval: '10ms' });
    expect(check(r.report, 'down')).toMatchObject({ verdict: 'ERROR', reason: 'refused', decidedBy: 'consecutive-error-limit' });
    expect(check(r.report, 'down').attempts).toHaveLength(2);
  });
});

describe('the built-in /health body rule', () => {
  it('a boolean verdict in the JSON is read as such: {"healthy": false} and {"ok": false} fail, true passes', async () => {
    const json = { 'content-type': 'application/json' };
    for (const [body, verdict] of [
      ['{"healthy": false, "version": "1.2"}', 'FAIL'],
      ['{"ok": false}', 'FAIL'],
      ['{"status": false}', 'FAIL'],
      ['{"ok": true}', 'PASS'],
      ['{"UP": true, "db": "connected"}', 'PASS'],
      ['{"status": "UP", "ok": false}', 'FAIL'],
      ['{"healthy": "false"}', 'FAIL'],
      ['{"ok": 0}', 'FAIL'],
      ['{"ok": 1}', 'PASS'],
    ] as const) {
      svc.route('/health', { status: 200, body, headers: json });
      const r = await gate({ checks: `- name: health\n  url: ${svc.url}/health\n  healthy-body: true\n` });
      expect({ body, verdict: check(r.report, 'health').verdict }).toEqual({ body, verdict });
      if (verdict === 'FAIL') expect(check(r.report, 'health').reason).toBe('not-healthy');
    }
  });
});

describe('time limits', () => {
  it('timeout covers the body: headers at once, then a body that dribbles past it is an ERROR (timeout)', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('ok ');
      const t = setTimeout(() => res.end('done'), 2000);
      res.on('close', () => clearTimeout(t));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await gate({ checks: `- name: dribble\n  url: http://127.0.0.1:${port}/\n  consecutive-error-limit: 0\n`, timeout: '400ms' });
      expect(check(r.report, 'dribble')).toMatchObject({ verdict: 'ERROR', reason: 'timeout' });
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('deadline includes initial-delay: a check that would fit the deadline alone does not fit after the delay', async () => {
    svc.route('/slowish', { status: 200, body: 'ok', delayMs: 600 });
    const r = await gate({ checks: `- name: slowish\n  url: ${svc.url}/slowish\n  timeout: 300ms\n`, 'initial-delay': '500ms', deadline: '800ms' });
    expect(check(r.report, 'slowish')).toMatchObject({ verdict: 'INCONCLUSIVE', reason: 'deadline' });
    expect(r.report.deadline).toEqual({ hit: true, waitingFor: ['slowish'] });
  });
});

describe('bad input', () => {
  it('an unquoted condition (YAML reads > as a folded block) says to quote it: one line, exit 1, no outputs, no request', async () => {
    svc.requests.length = 0;
    const r = await runAction('health-gate', {
      inputs: { ...FAST, url: svc.url, 'prometheus-url': svc.url, checks: '- name: error-rate\n  query: up\n  fail-if: > 0.01\n' },
    });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^Input "checks": not valid YAML: .+ \(line 3, column \d+\); quote the condition: fail-if: "> 0\.01"$/);
    expect(r.outputs).toEqual({});
    expect(svc.requests).toEqual([]);
  });
});

describe('Prometheus answers as the report reference says', () => {
  const ONE = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}';
  const json = { 'content-type': 'application/json' };

  it('each attempt keeps at most 20 samples, the verdict covers every series', async () => {
    const series = Array.from({ length: 30 }, (_, i) => ({ metric: { pod: `web-${i}` }, value: [1, i === 29 ? '0.5' : '0.001'] }));
    svc.route('/api/v1/query', [
      { status: 200, body: ONE, headers: json },
      { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: series } }), headers: json },
    ]);
    const r = await gate({ 'prometheus-url': svc.url, checks: '- name: errors\n  query: errors\n  fail-if: "> 0.01"\n' });
    const c = check(r.report, 'errors');
    expect(c).toMatchObject({ verdict: 'FAIL', reason: 'fail-if' });
    expect(c.attempts[0]!.samples).toHaveLength(20);
  });

  it('an answer that is not the API (an HTML page) after a good vector(1) is ERROR not-prometheus, never FAIL', async () => {
    svc.route('/api/v1/query', [
      { status: 200, body: ONE, headers: json },
      { status: 200, body: '<html>login</html>', headers: { 'content-type': 'text/html' } },
    ]);
    const r = await gate({ 'prometheus-url': svc.url, checks: '- name: up\n  query: up\n  success-if: "== 1"\n  consecutive-error-limit: 0\n' });
    expect(check(r.report, 'up')).toMatchObject({ verdict: 'ERROR', reason: 'not-prometheus' });
  });
});

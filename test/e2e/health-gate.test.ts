import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, startTestService, type TestService } from '../support/health/service.js';
import { check, gate, verdicts } from '../support/health/run.js';

// health-gate's bundle, run as the runner runs it, against a real HTTP service on loopback.
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc.close();
});
beforeEach(() => svc.resetRoutes());

describe('seed 002 scoring table', () => {
  it('all six built-in checks pass: HEALTHY 100', async () => {
    const r = await gate({ url: svc.url });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100', healthy: 'true', rollback: 'false' });
    expect(verdicts(r.report)).toEqual({
      connectivity: 'PASS',
      health: 'PASS',
      docs: 'PASS',
      'response-time': 'PASS',
      'status-code': 'PASS',
      'root-content': 'PASS',
    });
    // Every built-in check made its request.
    expect(svc.hits('/health')).toBe(1);
    expect(svc.hits('/docs')).toBe(1);
    expect(svc.hits('/')).toBe(4);
  });

  it('/docs failing alone: 5 of 6, HEALTHY 83', async () => {
    svc.route('/docs', { status: 404, body: 'no docs' });
    const r = await gate({ url: svc.url });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '83', healthy: 'true', rollback: 'false' });
    expect(check(r.report, 'docs')).toMatchObject({ verdict: 'FAIL', reason: 'unexpected-status', status: 404, critical: false });
  });

  it('/docs failing and an empty root: 4 of 6, DEGRADED 66 (66.67 %, rounded down)', async () => {
    svc.route('/docs', { status: 500 });
    svc.route('/', { status: 200, body: '' });
    const r = await gate({ url: svc.url });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'DEGRADED', score: '66', healthy: 'false', rollback: 'false' });
    expect(check(r.report, 'root-content')).toMatchObject({ verdict: 'FAIL', reason: 'empty-body' });
    expect(check(r.report, 'status-code').verdict).toBe('PASS');
    expect(r.summary).toMatch(/^🟡 \*\*health-gate: DEGRADED\*\* · score 66\/100 \(4 of 6 checks passed\)/);
    // Not failing the step, but visible as an annotation.
    expect(r.warnings).toEqual(['health-gate: DEGRADED, score 66/100; the step passes (fail-on: unhealthy). Not passing: docs FAIL (unexpected-status), root-content FAIL (empty-body).']);
  });

  it('below marginal-score: UNHEALTHY, rollback, the step fails after writing outputs', async () => {
    svc.route('/docs', { status: 404 });
    svc.route('/', { status: 200, body: '   ' });
    const r = await gate({
      url: svc.url,
      checks: '- name: version\n  url: /version\n  body-contains: abc123\n',
    });
    // 4 of 7 = 57 < 60
    expect(r.outputs).toMatchObject({ status: 'UNHEALTHY', score: '57', healthy: 'false', rollback: 'true' });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^health-gate: UNHEALTHY, score 57\/100; fail-on is unhealthy\. Not passing: docs FAIL/);
    expect(check(r.report, 'version')).toMatchObject({ verdict: 'FAIL', reason: 'unexpected-status', status: 404 });
  });

  it('a critical /health failing: CRITICAL, score 0, rollback', async () => {
    svc.route('/health', { status: 200, body: '{"status":"unhealthy","db":"down"}', headers: { 'content-type': 'application/json' } });
    const r = await gate({ url: svc.url });
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', score: '0', healthy: 'false', rollback: 'true' });
    expect(r.code).toBe(1);
    expect(check(r.report, 'health')).toMatchObject({ verdict: 'FAIL', reason: 'not-healthy', criticalFailure: true });
    expect(r.report.counts).toMatchObject({ passed: 5, counted: 6 });
    expect(r.errors[0]).toContain('critical check health ended FAIL');
  });

  it('/health with a plain-text body: "ok" passes, "unhealthy" does not', async () => {
    svc.route('/health', { status: 200, body: 'OK' });
    expect((await gate({ url: svc.url })).outputs.status).toBe('HEALTHY');
    svc.route('/health', { status: 200, body: 'service unhealthy' });
    expect((await gate({ url: svc.url })).outputs.status).toBe('CRITICAL');
  });

  it('a refused connection: CRITICAL, the network faults are ERROR (not FAIL) with reason refused', async () => {
    const port = await closedPort();
    const r = await gate({ url: `http://127.0.0.1:${port}`, interval: '10ms' });
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', score: '0', rollback: 'true' });
    expect(r.code).toBe(1);
    const c = check(r.report, 'connectivity');
    expect(c).toMatchObject({ verdict: 'ERROR', reason: 'refused', decidedBy: 'consecutive-error-limit', criticalFailure: true });
    // Argo's consecutiveErrorLimit 4: errors do not use up count; the fifth error in a row ends the check.
    expect(c.attempts).toHaveLength(5);
    expect(c.attempts.every((a) => a.outcome === 'ERROR' && a.reason === 'refused')).toBe(true);
  });

  it('a reset connection is ERROR (reset); root answering 500 is CRITICAL through status-code', async () => {
    svc.route('/', { reset: true });
    const reset = await gate({ url: svc.url, interval: '10ms', checks: '- name: connectivity\n  consecutive-error-limit: 0\n  url: /\n  expect-status: 100-599\n' });
    expect(check(reset.report, 'connectivity')).toMatchObject({ verdict: 'ERROR', reason: 'reset', critical: true });
    expect(reset.outputs.status).toBe('CRITICAL');

    svc.route('/', { status: 503, body: 'maintenance' });
    const r = await gate({ url: svc.url });
    expect(check(r.report, 'status-code')).toMatchObject({ verdict: 'FAIL', status: 503, criticalFailure: true });
    expect(check(r.report, 'connectivity').verdict).toBe('PASS');
    expect(r.outputs.status).toBe('CRITICAL');
  });

  it('root answering 404 fails status-code without making it critical (only a 5xx is)', async () => {
    svc.route('/', { status: 404, body: 'nothing here' });
    const r = await gate({ url: svc.url });
    expect(check(r.report, 'status-code')).toMatchObject({ verdict: 'FAIL', status: 404, criticalFailure: false });
    expect(r.outputs).toMatchObject({ status: 'DEGRADED', score: '66' });
  });

  it('half the checks inconclusive: UNHEALTHY even with nothing failing, and no rollback (missing evidence alone)', async () => {
    svc.route('/score', { status: 200, body: '{"queue": 50}' });
    const u = `${svc.url}/score`;
    const checks = ['a', 'b'].map((n) => `- name: ${n}\n  url: ${u}\n  json-path: $.queue\n  success-if: "< 10"\n  fail-if: "> 100"\n`).join('') + `- name: c\n  url: ${u}\n- name: d\n  url: ${u}\n`;
    const r = await gate({ checks });
    expect(verdicts(r.report)).toEqual({ a: 'INCONCLUSIVE', b: 'INCONCLUSIVE', c: 'PASS', d: 'PASS' });
    expect(r.outputs).toMatchObject({ status: 'UNHEALTHY', score: '100', rollback: 'false' });
    expect(r.code).toBe(1);
    expect(r.report.reasons).toContain('no rollback: UNHEALTHY only for lack of measurements, not because a check failed');
  });

  it('max-latency exceeded: passes with a warning, the status is at best DEGRADED', async () => {
    svc.route('/slow', { status: 200, body: 'ok', delayMs: 250 });
    const r = await gate({ url: svc.url, checks: '- name: slow-page\n  url: /slow\n  max-latency: 100ms\n' });
    expect(check(r.report, 'slow-page')).toMatchObject({ verdict: 'PASS', reason: 'slow' });
    expect(r.outputs).toMatchObject({ status: 'DEGRADED', score: '100', healthy: 'false' });
    expect(r.warnings.some((w) => w.includes('slow-page') && w.includes('max-latency 100ms'))).toBe(true);
    expect(r.code).toBe(0);
  });

  it('latency-limit exceeded is a FAIL (too-slow), a timeout is an ERROR (timeout)', async () => {
    svc.route('/slow', { status: 200, body: 'ok', delayMs: 400 });
    svc.route('/stuck', { status: 200, body: 'ok', delayMs: 30_000 });
    const r = await gate({
      checks: `- name: limit\n  url: ${svc.url}/slow\n  latency-limit: 100ms\n- name: timeout\n  url: ${svc.url}/stuck\n  timeout: 100ms\n  consecutive-error-limit: 0\n`,
    });
    expect(check(r.report, 'limit')).toMatchObject({ verdict: 'FAIL', reason: 'too-slow' });
    expect(check(r.report, 'timeout')).toMatchObject({ verdict: 'ERROR', reason: 'timeout', message: expect.stringContaining('no complete answer within 100ms') });
    // The timeout cut the request short: it did not wait for the 30 s answer (loose: a loaded runner adds to 100 ms).
    expect(check(r.report, 'timeout').attempts[0]!.latencyMs).toBeLessThan(10_000);
  });
});

describe('fail-on × rollback-on', () => {
  // A DEGRADED service (67) and a CRITICAL one, against each setting: exit code and outputs.
  const degraded = () => {
    svc.route('/docs', { status: 404 });
    svc.route('/', { status: 200, body: '' });
  };
  const critical = () => svc.route('/health', { status: 503, body: 'down' });
  const cases: { service: () => void; failOn: string; rollbackOn: string; code: number; rollback: string; status: string }[] = [
    { service: degraded, failOn: 'degraded', rollbackOn: 'unhealthy', code: 1, rollback: 'false', status: 'DEGRADED' },
    { service: degraded, failOn: 'unhealthy', rollbackOn: 'degraded', code: 0, rollback: 'true', status: 'DEGRADED' },
    { service: degraded, failOn: 'critical', rollbackOn: 'critical', code: 0, rollback: 'false', status: 'DEGRADED' },
    { service: degraded, failOn: 'never', rollbackOn: 'never', code: 0, rollback: 'false', status: 'DEGRADED' },
    { service: critical, failOn: 'never', rollbackOn: 'critical', code: 0, rollback: 'true', status: 'CRITICAL' },
    { service: critical, failOn: 'critical', rollbackOn: 'never', code: 1, rollback: 'false', status: 'CRITICAL' },
    { service: critical, failOn: 'degraded', rollbackOn: 'unhealthy', code: 1, rollback: 'true', status: 'CRITICAL' },
  ];
  for (const c of cases) {
    it(`${c.status} with fail-on ${c.failOn}, rollback-on ${c.rollbackOn}: exit ${c.code}, rollback ${c.rollback}`, async () => {
      c.service();
      const r = await gate({ url: svc.url, 'fail-on': c.failOn, 'rollback-on': c.rollbackOn });
      expect(r.code).toBe(c.code);
      // Outputs are written whether or not the step fails.
      expect(r.outputs).toMatchObject({ status: c.status, rollback: c.rollback, healthy: 'false' });
      expect(r.summary).toContain(`health-gate: ${c.status}`);
      expect(r.errors).toHaveLength(c.code);
    });
  }

  it('an UNHEALTHY service: fail-on critical passes the step, rollback-on critical keeps rollback false', async () => {
    svc.route('/docs', { status: 404 });
    svc.route('/', { status: 200, body: '' });
    const r = await gate({ url: svc.url, 'pass-score': '95', 'marginal-score': '90', 'fail-on': 'critical', 'rollback-on': 'critical' });
    expect(r.outputs).toMatchObject({ status: 'UNHEALTHY', rollback: 'false' });
    expect(r.code).toBe(0);
  });
});

describe('flapping', () => {
  const flap = [
    { status: 200, body: 'ok' },
    { status: 500, body: 'boom' },
  ];
  it('pass/fail alternating with count 4: failure-limit 1 ends FAIL at the second failure', async () => {
    svc.route('/flap', flap);
    const r = await gate({ checks: `- name: flap\n  url: ${svc.url}/flap\n  count: 4\n  failure-limit: 1\n  interval: 20ms\n` });
    const c = check(r.report, 'flap');
    expect(c).toMatchObject({ verdict: 'FAIL', decidedBy: 'failure-limit', reason: 'unexpected-status' });
    expect(c.attempts.map((a) => a.outcome)).toEqual(['PASS', 'FAIL', 'PASS', 'FAIL']);
    expect(c.message).toContain('2 failed attempt(s), over failure-limit 1');
  });

  it('the same flapping with failure-limit 2 passes, and a failure-limit 0 check stops at the first failure', async () => {
    svc.route('/flap', flap);
    svc.route('/flap2', flap);
    const r = await gate({
      checks: `- name: tolerant\n  url: ${svc.url}/flap\n  count: 4\n  failure-limit: 2\n  interval: 20ms\n- name: strict\n  url: ${svc.url}/flap2\n  count: 4\n  interval: 20ms\n`,
    });
    expect(check(r.report, 'tolerant')).toMatchObject({ verdict: 'PASS', decidedBy: 'count', tally: { pass: 2, fail: 2 } });
    expect(check(r.report, 'strict').attempts.map((a) => a.outcome)).toEqual(['PASS', 'FAIL']);
    expect(svc.hits('/flap2')).toBe(2);
  });

  it('attempts are spaced by interval', async () => {
    svc.route('/t', { status: 200, body: 'ok' });
    await gate({ checks: `- name: t\n  url: ${svc.url}/t\n  count: 3\n  interval: 200ms\n` });
    const at = svc.requests.filter((q) => q.path === '/t').map((q) => q.at);
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(190);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(190);
  });
});

describe('redirects', () => {
  it('follow-redirects true reaches the target; false sees the 3xx', async () => {
    svc.route('/old', { redirect: '/new', status: 301 });
    svc.route('/new', { status: 200, body: 'moved here' });
    const r = await gate({
      url: svc.url,
      checks: [
        '- name: followed\n  url: /old\n  body-contains: moved here\n',
        '- name: not-followed\n  url: /old\n  follow-redirects: false\n',
        '- name: redirect-expected\n  url: /old\n  follow-redirects: false\n  expect-status: 301\n',
      ].join(''),
    });
    expect(check(r.report, 'followed')).toMatchObject({ verdict: 'PASS', status: 200 });
    expect(check(r.report, 'followed').attempts[0]!.redirects).toEqual([`${svc.url}/new`]);
    expect(check(r.report, 'not-followed')).toMatchObject({ verdict: 'FAIL', status: 301, reason: 'unexpected-status' });
    expect(check(r.report, 'not-followed').message).toContain('redirects to /new (follow-redirects: false)');
    expect(check(r.report, 'redirect-expected').verdict).toBe('PASS');
  });

  it('a redirect loop is a FAIL (too-many-redirects)', async () => {
    svc.route('/loop', { redirect: '/loop' });
    const r = await gate({ checks: `- name: loop\n  url: ${svc.url}/loop\n` });
    expect(check(r.report, 'loop')).toMatchObject({ verdict: 'FAIL', reason: 'too-many-redirects' });
  });
});

describe('secrets', () => {
  it('header values are sent, masked, and never appear in stdout, summary or outputs', async () => {
    const token = 'tok-e2e-9f8e7d6c5b4a';
    const apiKey = 'key-0a1b2c3d4e5f';
    // A service that echoes the request headers back, as httpbin does: the gate must not repeat them.
    svc.route('/echo', { status: 500, body: `Authorization: Bearer ${token}; X-Api-Key: ${apiKey}` });
    svc.route('/health', { status: 200, body: `bad credentials Bearer ${token}` });
    const r = await gate({
      url: svc.url,
      headers: `Authorization: Bearer ${token}\nX-Api-Key: ${apiKey}`,
      checks: `- name: echo\n  url: /echo\n  body-contains: nope\n  expect-status: 100-599\n`,
    });
    const sent = svc.requests.find((q) => q.path === '/health')!;
    expect(sent.headers.authorization).toBe(`Bearer ${token}`);
    expect(sent.headers['x-api-key']).toBe(apiKey);
    // The runner hides ::add-mask:: commands; everything else it shows must be clean.
    const shown = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const secret of [token, apiKey]) {
      expect(r.stdout).toContain(`::add-mask::${secret}`);
      expect(shown).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
      expect(r.summary).not.toContain(secret);
      for (const v of Object.values(r.outputs)) expect(v).not.toContain(secret);
    }
    expect(r.outputs.report).toContain('***');
  });

  it('headers are not sent to another origin after a redirect', async () => {
    const other = await startTestService();
    try {
      other.route('/landing', { status: 200, body: 'ok' });
      svc.route('/away', { redirect: `${other.url}/landing` });
      await gate({ checks: `- name: away\n  url: ${svc.url}/away\n`, headers: 'Authorization: Bearer cross-origin-secret' });
      expect(svc.requests.find((q) => q.path === '/away')!.headers.authorization).toBe('Bearer cross-origin-secret');
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('deadline', () => {
  it('reports which checks it was waiting for, and still writes the outputs', async () => {
    svc.route('/stuck', { status: 200, body: 'ok', delayMs: 5000 });
    // Each attempt fits (300 ms timeout); the timeouts are retried (consecutive-error-limit) until the deadline.
    const r = await gate({ url: svc.url, deadline: '700ms', timeout: '300ms', checks: '- name: stuck\n  url: /stuck\n' });
    expect(check(r.report, 'stuck')).toMatchObject({ verdict: 'INCONCLUSIVE', reason: 'deadline', decidedBy: 'deadline', criticalFailure: false });
    expect(r.report.deadline).toEqual({ hit: true, waitingFor: ['stuck'] });
    expect(r.summary).toContain('deadline reached, still waiting for stuck');
    // A check the deadline stopped has no verdict on the service: left out of the ratio, 6 of 6 passed.
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100' });
  });
});

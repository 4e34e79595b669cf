import { describe, expect, it } from 'vitest';
import { summarise, type GateRun } from '../../src/core/health/gate.js';
import { evaluateHttp, healthyBody } from '../../src/core/health/http-check.js';
import type { HttpResponse } from '../../src/core/health/http-client.js';
import { addOutcome, emptyTally } from '../../src/core/health/limits.js';
import { buildReport, failureMessage, redactDeep, redactor, renderSummary, verdictLine, type Decision } from '../../src/core/health/report.js';
import { scoreChecks } from '../../src/core/health/scoring.js';
import { statusSet } from '../../src/core/health/status-set.js';
import type { Attempt, HttpCheck, Outcome } from '../../src/core/health/types.js';
import { secretsOf } from '../../src/actions/health-gate/main.js';

const http = (over: Partial<HttpCheck> = {}): HttpCheck => ({
  name: 'page',
  type: 'http',
  url: 'https://app.example.com/page',
  critical: false,
  origin: 'checks',
  limits: { count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
  intervalMs: 0,
  timeoutMs: 1000,
  expectStatus: statusSet('200-299'),
  followRedirects: true,
  ...over,
});
const res = (over: Partial<HttpResponse> = {}): HttpResponse => ({ kind: 'response', status: 200, headers: {}, body: 'hello', truncated: false, latencyMs: 12, finalUrl: 'https://app.example.com/page', redirects: [], ...over });
const attempt = (n: number, outcome: Outcome, over: Partial<Attempt> = {}): Attempt => ({ n, startedAt: '2025-01-01T00:00:00.000Z', outcome, reason: outcome === 'PASS' ? 'ok' : 'unexpected-status', message: 'm', latencyMs: 10, ...over });
const tallyOf = (as: Attempt[]) => as.reduce((t, a) => addOutcome(t, a.outcome), emptyTally());

describe('evaluateHttp', () => {
  it('status outside expect-status is FAIL with the expected set', () => {
    expect(evaluateHttp(http(), res({ status: 503 }))).toMatchObject({ outcome: 'FAIL', reason: 'unexpected-status', message: 'HTTP 503, expected 200-299', status: 503 });
  });
  it('a network fault is ERROR with its kind, permanent when retrying cannot help', () => {
    expect(evaluateHttp(http(), { kind: 'error', code: 'tls', message: 'TLS: x', permanent: true, latencyMs: 3, finalUrl: '', redirects: [] })).toMatchObject({
      outcome: 'ERROR',
      reason: 'tls',
      permanent: true,
    });
  });
  it('max-latency is a warning, latency-limit a failure', () => {
    expect(evaluateHttp(http({ maxLatencyMs: 10 }), res({ latencyMs: 50 }))).toMatchObject({ outcome: 'PASS', reason: 'slow', warnings: ['page: answered in 50 ms, over max-latency 10ms'] });
    expect(evaluateHttp(http({ latencyLimitMs: 10 }), res({ latencyMs: 50 }))).toMatchObject({ outcome: 'FAIL', reason: 'too-slow' });
  });
  it('the built-in /health rule', () => {
    expect(healthyBody('{"status":"UP"}').outcome).toBe('PASS');
    expect(healthyBody('{"status":"pass","checks":{}}').outcome).toBe('PASS');
    expect(healthyBody('{"Status":"ok"}').outcome).toBe('PASS');
    expect(healthyBody('{"status":"down"}')).toMatchObject({ outcome: 'FAIL', reason: 'not-healthy', message: 'status is "down", not healthy, ok, up or pass' });
    expect(healthyBody('{"status":"warn"}')).toMatchObject({ outcome: 'PASS', reason: 'degraded' });
    expect(healthyBody('{"status":"warn"}').warning).toMatch(/degraded/);
    expect(healthyBody('{"status":"unhealthy","note":"ok"}').outcome).toBe('FAIL');
    expect(healthyBody('Healthy!').outcome).toBe('PASS');
    expect(healthyBody('ok').outcome).toBe('PASS');
    expect(healthyBody('unhealthy').outcome).toBe('FAIL');
    expect(healthyBody('broken token').outcome).toBe('FAIL');
    expect(healthyBody('')).toMatchObject({ outcome: 'PASS', message: 'no body: a 2xx answer without a body is up' });
    expect(healthyBody('{"status":"ok"}', true)).toMatchObject({ outcome: 'FAIL', reason: 'truncated-body' });
  });
});

describe('summarise: a check from its attempts', () => {
  it('PASS by count tells how many passed and how many failures were tolerated', () => {
    const as = [attempt(1, 'PASS'), attempt(2, 'FAIL'), attempt(3, 'PASS')];
    const r = summarise(http({ limits: { count: 3, failureLimit: 1, inconclusiveLimit: 0, consecutiveErrorLimit: 4 } }), as, tallyOf(as), 'PASS', 'count');
    expect(r).toMatchObject({ verdict: 'PASS', reason: 'ok', tally: { pass: 2, fail: 1, inconclusive: 0, error: 0 } });
    expect(r.message).toBe('2 of 3 attempts passed, 1 failed (failure-limit 1); m');
  });
  it('the built-in status-code check is critical only for a 5xx', () => {
    const c = http({ name: 'status-code', critical: true, criticalStatus: statusSet('500-599'), expectStatus: statusSet('200') });
    const f404 = [attempt(1, 'FAIL', { status: 404 })];
    const f502 = [attempt(1, 'FAIL', { status: 502 })];
    expect(summarise(c, f404, tallyOf(f404), 'FAIL', 'failure-limit').criticalFailure).toBe(false);
    expect(summarise(c, f502, tallyOf(f502), 'FAIL', 'failure-limit')).toMatchObject({ criticalFailure: true, criticalOn: '500-599 or no answer' });
    const e = [attempt(1, 'ERROR', { reason: 'refused' })];
    expect(summarise(c, e, tallyOf(e), 'ERROR', 'consecutive-error-limit').criticalFailure).toBe(true);
  });
});

describe('report and summary', () => {
  const results = [
    summarise(http({ name: 'health', critical: true }), [attempt(1, 'PASS', { value: 200, status: 200 })], tallyOf([attempt(1, 'PASS')]), 'PASS', 'count'),
    summarise(http({ name: 'docs' }), [attempt(1, 'FAIL', { value: 404, status: 404, message: 'HTTP 404, expected 200-399' })], tallyOf([attempt(1, 'FAIL')]), 'FAIL', 'failure-limit'),
  ];
  const run: GateRun = { results, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 20, deadlineHit: false, waitingFor: [] };
  const t = { passScore: 80, marginalScore: 60 };
  const score = scoreChecks(results, t);
  const decision: Decision = { failOn: 'unhealthy', rollbackOn: 'unhealthy', fail: true, rollback: true };
  const report = buildReport(run, score, decision, t, 300_000);

  it('carries every check and attempt, and is valid JSON', () => {
    const back = JSON.parse(JSON.stringify(report)) as typeof report;
    expect(back).toMatchObject({ version: 1, status: 'UNHEALTHY', score: 50, healthy: false, rollback: true, counts: { total: 2, passed: 1, failed: 1, counted: 2 } });
    expect(back.checks[1]!.attempts[0]).toMatchObject({ n: 1, outcome: 'FAIL', status: 404, latencyMs: 10 });
  });

  it('summary: a one-line verdict, then one table with the six columns', () => {
    const md = renderSummary(report, decision);
    const lines = md.trim().split('\n');
    expect(lines[0]).toBe('🟠 **health-gate: UNHEALTHY** · score 50/100 (1 of 2 checks passed) · rollback: **yes** · step fails (fail-on: unhealthy)');
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe('| check | critical | verdict | value or status | latency | reason |');
    expect(lines[4]).toBe('| health | yes | ✅ PASS | 200 | 10 ms | ok: 1 of 1 attempts passed; m |');
    expect(lines[5]).toBe('| docs | no | ❌ FAIL | 404 | 10 ms | unexpected-status: 1 failed attempt(s), over failure-limit 0: HTTP 404, expected 200-399 |');
    expect(lines).toHaveLength(6);
    expect(verdictLine(report, { ...decision, fail: false })).toContain('step passes (fail-on: unhealthy)');
  });

  it('failure message is one line naming what did not pass', () => {
    expect(failureMessage(report, decision)).toBe('health-gate: UNHEALTHY, score 50/100; fail-on is unhealthy. Not passing: docs FAIL (unexpected-status).');
  });
});

describe('secrets', () => {
  it('secretsOf takes header values, the token after a scheme, Basic passwords and URL passwords', () => {
    const basic = Buffer.from('user:pa55word').toString('base64');
    expect(secretsOf([{ name: 'Authorization', value: 'Bearer tok-1' }, { name: 'Proxy-Authorization', value: `Basic ${basic}` }], ['https://u:p%40ss@h/'])).toEqual([
      'Bearer tok-1',
      'tok-1',
      `Basic ${basic}`,
      basic,
      'pa55word',
      'p@ss',
      'p%40ss',
      // What the request's Authorization header carries for a URL with credentials, and a server may echo.
      Buffer.from('u:p@ss').toString('base64'),
    ]);
  });

  it('redacts in text and inside JSON values without breaking the JSON', () => {
    const r = redactor(['tok-secret', 'true', 'ab']);
    expect(r('Bearer tok-secret and "tok-secret"')).toBe('Bearer *** and "***"');
    const doc = { healthy: true, message: 'body echoed tok-secret', list: ['true story'] };
    const safe = redactDeep(doc, r);
    expect(safe).toEqual({ healthy: true, message: 'body echoed ***', list: ['*** story'] });
    // Values shorter than 3 characters are not redacted (they would shred every text).
    expect(r('ab')).toBe('ab');
  });
});

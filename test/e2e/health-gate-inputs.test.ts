import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/health/service.js';
import { FAST } from '../support/health/run.js';
import { runAction } from '../support/harness.js';

// Bad `checks` YAML and bad inputs: exit 1, one line naming the input (and the entry and key), no outputs,
// and not a single request to the service (its request log stays empty).
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc.close();
});

const cases: { title: string; inputs: (url: string) => Record<string, string>; error: string | RegExp }[] = [
  {
    title: 'an unknown key names the entry and the key',
    inputs: (url) => ({
      url,
      checks: '- name: home\n  url: /\n- name: version\n  type: http\n  url: /version\n  bodycontains: abc123\n',
    }),
    error: 'Input "checks": entry 2 ("version"): unknown key "bodycontains"',
  },
  {
    title: 'YAML that does not parse',
    inputs: (url) => ({ url, checks: '- name: a\n  url: [unclosed\n' }),
    error: /^Input "checks": not valid YAML: .+ \(line \d+, column \d+\)$/,
  },
  {
    title: 'a mapping instead of a list',
    inputs: (url) => ({ url, checks: 'name: version\nurl: /version\n' }),
    error: 'Input "checks": must be a YAML list of checks (each starting with "- name:"), got a mapping',
  },
  {
    title: 'an entry without a name',
    inputs: (url) => ({ url, checks: '- url: /version\n' }),
    error: 'Input "checks": entry 1: missing "name"',
  },
  {
    title: 'a duplicate name',
    inputs: (url) => ({ url, checks: '- name: v\n  url: /a\n- name: v\n  url: /b\n' }),
    error: 'Input "checks": entry 2 ("v"): duplicate name "v" (entry 1)',
  },
  {
    title: 'a condition that is not one',
    inputs: (url) => ({ url, 'prometheus-url': url, checks: '- name: errors\n  query: up\n  fail-if: "above 0.01"\n' }),
    error: 'Input "checks": entry 1 ("errors"): "fail-if": must be an operator (< <= > >= == !=) and a number, like "> 0.01", got "above 0.01"',
  },
  {
    title: 'a Prometheus key on an http check',
    inputs: (url) => ({ url, checks: '- name: v\n  type: http\n  url: /v\n  on-nan: fail\n' }),
    error: 'Input "checks": entry 1 ("v"): key "on-nan" is for prometheus checks, not http',
  },
  {
    title: 'a prometheus check without prometheus-url',
    inputs: (url) => ({ url, checks: '- name: errors\n  type: prometheus\n  query: up\n  success-if: "== 1"\n' }),
    error: 'Input "checks": entry 1 ("errors"): a prometheus check needs the prometheus-url input',
  },
  {
    title: 'a prometheus check without a condition',
    inputs: (url) => ({ url, 'prometheus-url': url, checks: '- name: errors\n  type: prometheus\n  query: up\n' }),
    error: 'Input "checks": entry 1 ("errors"): needs "success-if" or "fail-if" (or both), like fail-if: "> 0.01"',
  },
  {
    title: 'a count of 0',
    inputs: (url) => ({ url, checks: '- name: v\n  url: /v\n  count: 0\n' }),
    error: 'Input "checks": entry 1 ("v"): "count": must be 1 or more',
  },
  {
    title: 'an unknown aggregate',
    inputs: (url) => ({ url, 'prometheus-url': url, checks: '- name: e\n  query: up\n  fail-if: "< 1"\n  aggregate: avg\n' }),
    error: 'Input "checks": entry 1 ("e"): "aggregate": must be one of all, any, min, max, first, got "avg"',
  },
  {
    title: 'bad expect-status',
    inputs: (url) => ({ url, checks: '- name: v\n  url: /v\n  expect-status: 2xx-3xx\n' }),
    error: 'Input "checks": entry 1 ("v"): "expect-status": must be status codes and ranges, like "200-299, 301", got "2xx-3xx"',
  },
  {
    title: 'a relative check URL without url',
    inputs: () => ({ checks: '- name: v\n  url: /version\n' }),
    error: 'Input "checks": entry 1 ("v"): "url": "/version" is relative; set the url input or write an absolute URL',
  },
  { title: 'attempts not a number', inputs: (url) => ({ url, attempts: 'three' }), error: 'Input "attempts": must be a whole number, got "three"' },
  {
    title: 'an interval that is not a duration',
    inputs: (url) => ({ url, interval: 'soon' }),
    error: 'Input "interval": must be a duration like "800ms", "10s" or "1m30s", got "soon"',
  },
  { title: 'an unknown fail-on', inputs: (url) => ({ url, 'fail-on': 'sometimes' }), error: 'Input "fail-on": must be one of critical, unhealthy, degraded, never, got "sometimes"' },
  { title: 'a url that is not http', inputs: () => ({ url: 'ftp://example.com/' }), error: 'Input "url": must be an absolute http:// or https:// URL' },
  { title: 'neither url nor checks', inputs: () => ({}), error: 'Input "url": give url (the six built-in checks), checks, or both' },
  {
    title: 'marginal-score above pass-score',
    inputs: (url) => ({ url, 'pass-score': '70', 'marginal-score': '75' }),
    error: 'Input "marginal-score": must not be above pass-score (70), got 75',
  },
  { title: 'pass-score over 100', inputs: (url) => ({ url, 'pass-score': '120' }), error: 'Input "pass-score": must be between 0 and 100, got 120' },
  {
    title: 'a deadline too short for a check to ever finish',
    inputs: (url) => ({ url, deadline: '1m', checks: '- name: slow-burn\n  url: /\n  count: 5\n  interval: 20s\n' }),
    error: 'Input "deadline": 1m is too short for check "slow-burn": 5 attempt(s) of up to 5s (timeout) 20s apart (interval) need up to 1m 45s; raise deadline, or lower timeout, attempts (count) or interval',
  },
  { title: 'a ca-cert file that does not exist', inputs: (url) => ({ url, 'ca-cert': 'certs/missing.pem' }), error: 'Input "ca-cert": cannot read certs/missing.pem (ENOENT)' },
];

describe('bad inputs stop the gate before any request', () => {
  for (const c of cases) {
    it(c.title, async () => {
      svc.requests.length = 0;
      const r = await runAction('health-gate', { inputs: { ...FAST, ...c.inputs(svc.url) } });
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      if (typeof c.error === 'string') expect(r.errors[0]).toBe(c.error);
      else expect(r.errors[0]).toMatch(c.error);
      expect(r.errors[0]).not.toContain('\n');
      expect(r.outputs).toEqual({});
      expect(svc.requests).toEqual([]);
    });
  }

  it('a malformed header line names the line, never its value', async () => {
    svc.requests.length = 0;
    const secret = 'hdr-secret-5a4b3c2d1e';
    const r = await runAction('health-gate', { inputs: { ...FAST, url: svc.url, headers: `X-Ok: fine\nAuthorization Bearer ${secret}` } });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['Input "headers": line 2 must be "Name: value" with a valid header name']);
    const shown = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(shown).not.toContain(secret);
    expect(svc.requests).toEqual([]);
  });
});

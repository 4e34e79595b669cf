import { describe, expect, it } from 'vitest';
import { parseChecks, resolveChecks, type CheckDefaults } from '../../src/core/health/checks-config.js';
import type { Check, HttpCheck } from '../../src/core/health/types.js';

// README: "An entry in `checks` with a built-in's name changes only the keys it gives". Each built-in property
// a user does not mention must survive the override; each one the user does mention must win.
const D: CheckDefaults = { baseUrl: 'https://app.example.com/', attempts: 3, intervalMs: 10_000, timeoutMs: 30_000, prometheusUrl: 'http://prom:9090' };
const resolve = (yaml: string): Check[] => resolveChecks(parseChecks(yaml), D);
const one = (yaml: string, name: string) => resolve(yaml).find((c) => c.name === name) as HttpCheck;
const builtin = (name: string) => one('', name);

describe('overriding a built-in check by name', () => {
  it('only limits given: URL, expected status, body rule and criticality are the built-in ones', () => {
    for (const name of ['connectivity', 'health', 'docs', 'response-time', 'status-code', 'root-content']) {
      const c = one(`- name: ${name}\n  failure-limit: 2\n`, name);
      const b = builtin(name);
      expect({ ...c, limits: b.limits, origin: b.origin }).toEqual(b);
      expect(c.limits.failureLimit).toBe(2);
    }
  });

  it('response-time keeps its 10 s latency-limit when given a max-latency', () => {
    expect(one('- name: response-time\n  max-latency: 800ms\n', 'response-time')).toMatchObject({ latencyLimitMs: 10_000, maxLatencyMs: 800 });
    expect(one('- name: response-time\n  latency-limit: 2s\n', 'response-time').latencyLimitMs).toBe(2000);
  });

  it('status-code stays critical only for a 5xx unless critical is given', () => {
    expect(one('- name: status-code\n  url: /home\n', 'status-code')).toMatchObject({ url: 'https://app.example.com/home', critical: true, criticalStatus: { text: '500-599' } });
    const strict = one('- name: status-code\n  critical: true\n', 'status-code');
    expect(strict.critical).toBe(true);
    expect(strict.criticalStatus).toBeUndefined();
  });

  it('keys given win: expect-status, a different body rule, healthy-body: false drops the body rule', () => {
    expect(one('- name: docs\n  expect-status: 200\n', 'docs').expectStatus.text).toBe('200');
    expect(one('- name: health\n  body-contains: green\n', 'health').body).toEqual({ kind: 'contains', text: 'green' });
    expect(one('- name: health\n  healthy-body: false\n', 'health').body).toBeUndefined();
    expect(one('- name: root-content\n  follow-redirects: false\n', 'root-content')).toMatchObject({ followRedirects: false, body: { kind: 'non-empty' } });
  });

  it('a prometheus entry of a built-in name replaces it outright, keeping its criticality', () => {
    const c = resolve('- name: health\n  query: up\n  success-if: "== 1"\n').find((x) => x.name === 'health')!;
    expect(c).toMatchObject({ type: 'prometheus', critical: true, query: 'up' });
  });
});

import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES, ChecksError, joinUrl, parseChecks, resolveChecks, type CheckDefaults } from '../../src/core/health/checks-config.js';
import { parseJsonPath, readJsonPath } from '../../src/core/health/json-path.js';
import { parseHeaders } from '../../src/core/health/headers.js';
import { parseStatusSet, statusMatches } from '../../src/core/health/status-set.js';
import type { HttpCheck, PrometheusCheck } from '../../src/core/health/types.js';

const D: CheckDefaults = { baseUrl: 'https://app.example.com/', attempts: 3, intervalMs: 10_000, timeoutMs: 30_000, prometheusUrl: 'http://prom:9090' };
const error = (yaml: string, d: CheckDefaults = D): string => {
  try {
    resolveChecks(parseChecks(yaml), d);
  } catch (e) {
    if (e instanceof ChecksError) return e.message;
    throw e;
  }
  throw new Error('no error');
};

describe('parseChecks: the issue example', () => {
  const yaml = `
- name: error-rate            # unique
  type: prometheus            # or http
  query: sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
  fail-if: "> 0.01"
  aggregate: max
  on-empty: inconclusive
  critical: true
  count: 3
  failure-limit: 1
- name: version
  type: http
  url: /version
  expect-status: 200-299
  body-contains: 611b29b362b480a8e6a56848f453ab8a2091e683
  max-latency: 800ms
  follow-redirects: false
`;
  it('parses and resolves both entries with defaults', () => {
    const checks = resolveChecks(parseChecks(yaml), D);
    expect(checks).toHaveLength(8);
    const p = checks.find((c) => c.name === 'error-rate') as PrometheusCheck;
    expect(p).toMatchObject({
      name: 'error-rate',
      type: 'prometheus',
      critical: true,
      aggregate: 'max',
      onEmpty: 'inconclusive',
      onNaN: 'inconclusive',
      limits: { count: 3, failureLimit: 1, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
      intervalMs: 10_000,
      timeoutMs: 30_000,
      origin: 'checks',
    });
    expect(p.fail).toMatchObject({ op: '>', threshold: 0.01 });
    expect(p.query).toBe('sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))');
  });

  it('needs url for a relative check URL, and resolves it against url', () => {
    expect(error(yaml, { ...D, baseUrl: undefined })).toBe('entry 2 ("version"): "url": "/version" is relative; set the url input or write an absolute URL');
    const checks = resolveChecks(parseChecks(yaml), D);
    const v = checks.find((c) => c.name === 'version') as HttpCheck;
    expect(v).toMatchObject({ url: 'https://app.example.com/version', maxLatencyMs: 800, followRedirects: false, critical: false, body: { kind: 'contains' } });
    expect(v.expectStatus.text).toBe('200-299');
    // the six built-ins come first
    expect(checks.map((c) => c.name)).toEqual([...BUILTIN_NAMES, 'error-rate', 'version']);
  });
});

describe('parseChecks errors: one line naming the entry and the key', () => {
  it.each([
    ['- name: version\n  url: /v\n  bodycontains: x\n', 'entry 1 ("version"): unknown key "bodycontains"'],
    ['- name: a\n  url: /a\n- name: version\n  type: http\n  url: /version\n  bodycontains: abc\n', 'entry 2 ("version"): unknown key "bodycontains"'],
    ['- url: /v\n', 'entry 1: missing "name"'],
    ['- name: ""\n  url: /v\n', 'entry 1: "name": must not be empty'],
    ['- name: e\n  type: grpc\n', 'entry 1 ("e"): "type": must be one of http, prometheus, got "grpc"'],
    ['- name: e\n  query: up\n', 'entry 1 ("e"): needs "success-if" or "fail-if" (or both), like fail-if: "> 0.01"'],
    ['- name: e\n  type: prometheus\n  fail-if: "> 1"\n', 'entry 1 ("e"): missing "query" (a PromQL expression)'],
    ['- name: e\n  query: up\n  fail-if: 0.01\n', 'entry 1 ("e"): "fail-if": must be an operator (< <= > >= == !=) and a number, like "> 0.01", got "0.01"'],
    ['- name: e\n  query: up\n  fail-if: "> 1"\n  url: /x\n', 'entry 1 ("e"): key "url" is for http checks, not prometheus'],
    ['- name: v\n  url: /v\n  count: 2.5\n', 'entry 1 ("v"): "count": must be a whole number'],
    ['- name: v\n  url: /v\n  failure-limit: -1\n', 'entry 1 ("v"): "failure-limit": must be 0 or more'],
    ['- name: v\n  url: /v\n  critical: yes please\n', 'entry 1 ("v"): "critical": must be true or false'],
    ['- name: v\n  url: /v\n  interval: soon\n', 'entry 1 ("v"): "interval": must be a duration like "800ms", "10s" or "1m30s", got "soon"'],
    ['- name: v\n  url: /v\n  timeout: 0s\n', 'entry 1 ("v"): "timeout": must be a positive duration like "800ms", "10s" or "1m30s", got "0s"'],
    ['- name: v\n  url: /v\n  body-regex: "(unclosed"\n', 'entry 1 ("v"): "body-regex": is not a valid regular expression: Invalid regular expression: /(unclosed/: Unterminated group'],
    ['- name: v\n  url: /v\n  body-contains: a\n  body-regex: b\n', 'entry 1 ("v"): use only one of body-contains, body-regex, json-path, healthy-body (got body-contains and body-regex)'],
    ['- name: v\n  url: /v\n  equals: ok\n', 'entry 1 ("v"): "equals" needs "json-path" (the value it compares)'],
    ['- name: v\n  url: /v\n  json-path: $.a\n  equals: 1\n  one-of: [1]\n', 'entry 1 ("v"): use only one of equals, one-of'],
    ['- name: v\n  url: /v\n  json-path: "$..a"\n', 'entry 1 ("v"): "json-path": must be a path like "$.status" or "$.checks[0].state", got "$..a"'],
    ['- name: v\n  url: /v\n  expect-status: 700\n', 'entry 1 ("v"): "expect-status": must be status codes between 100 and 599, low-high, got "700"'],
    ['- name: v\n  url: ftp://x/\n', 'entry 1 ("v"): "url": must be http:// or https://'],
    ['- name: v\n  url: /a\n- name: v\n  url: /b\n', 'entry 2 ("v"): duplicate name "v" (entry 1)'],
    ['- just a string\n', 'entry 1: must be a mapping with name and type, got string "just a string"'],
    ['name: v\n', 'must be a YAML list of checks (each starting with "- name:"), got a mapping'],
    ['- name: v\n  name: w\n', 'not valid YAML: Map keys must be unique (line 2, column 3)'],
  ])('%j', (yaml, message) => {
    expect(error(yaml)).toBe(message);
  });

  it('a prometheus check needs prometheus-url; an http check without url needs the url input', () => {
    expect(error('- name: e\n  query: up\n  fail-if: "> 1"\n', { ...D, prometheusUrl: undefined })).toBe('entry 1 ("e"): a prometheus check needs the prometheus-url input');
    expect(error('- name: v\n  body-contains: x\n', { ...D, baseUrl: undefined })).toBe('entry 1 ("v"): missing "url" (there is no url input to default to)');
  });

  it('empty text or an empty document is no checks', () => {
    expect(parseChecks('')).toEqual([]);
    expect(parseChecks('# nothing\n')).toEqual([]);
    expect(parseChecks('[]')).toEqual([]);
  });
});

describe('built-in checks', () => {
  it('are the six of seed 002, with their criticality', () => {
    const checks = resolveChecks([], D) as HttpCheck[];
    expect(checks.map((c) => [c.name, c.critical, c.url])).toEqual([
      ['connectivity', true, 'https://app.example.com/'],
      ['health', true, 'https://app.example.com/health'],
      ['docs', false, 'https://app.example.com/docs'],
      ['response-time', false, 'https://app.example.com/'],
      ['status-code', true, 'https://app.example.com/'],
      ['root-content', false, 'https://app.example.com/'],
    ]);
    expect(checks.find((c) => c.name === 'response-time')!.latencyLimitMs).toBe(10_000);
    expect(checks.find((c) => c.name === 'status-code')!.criticalStatus!.text).toBe('500-599');
    expect(checks.every((c) => c.limits.count === 3 && c.origin === 'builtin')).toBe(true);
  });

  it('an entry with a built-in name replaces it and keeps its criticality unless told; enabled: false drops it', () => {
    const checks = resolveChecks(parseChecks('- name: health\n  url: /_stcore/health\n  healthy-body: true\n- name: docs\n  enabled: false\n- name: status-code\n  url: /\n  critical: false\n'), D);
    expect(checks.map((c) => c.name)).toEqual(['connectivity', 'health', 'response-time', 'status-code', 'root-content']);
    expect(checks[1]).toMatchObject({ critical: true, url: 'https://app.example.com/_stcore/health', body: { kind: 'healthy' }, origin: 'checks' });
    expect(checks[3]).toMatchObject({ critical: false });
  });
});

describe('small parsers', () => {
  it('joinUrl appends to the base path and keeps a query', () => {
    expect(joinUrl('https://h/app', '/version')).toBe('https://h/app/version');
    expect(joinUrl('https://h/app/', 'version?x=1')).toBe('https://h/app/version?x=1');
    expect(joinUrl('https://h/', '/')).toBe('https://h/');
  });

  it('status sets', () => {
    const r = parseStatusSet('200-299, 301,404');
    expect(r.ok && r.value.text).toBe('200-299, 301, 404');
    const set = (r as { value: Parameters<typeof statusMatches>[0] }).value;
    expect([200, 250, 299, 300, 301, 404, 500].map((s) => statusMatches(set, s))).toEqual([true, true, true, false, true, true, false]);
    expect(parseStatusSet([200, '5xx'])).toMatchObject({ ok: true, value: { text: '200, 500-599' } });
    expect(parseStatusSet(204)).toMatchObject({ ok: true, value: { text: '204' } });
    expect(parseStatusSet('299-200').ok).toBe(false);
    expect(parseStatusSet('').ok).toBe(false);
  });

  it('json paths', () => {
    const doc = { a: { b: [{ c: 'x' }] }, 'content-type': 'json', n: 0 };
    const read = (p: string) => {
      const r = parseJsonPath(p);
      if (!r.ok) throw new Error(r.error);
      return readJsonPath(doc, r.value);
    };
    expect(read('$.a.b[0].c')).toEqual({ found: true, value: 'x' });
    expect(read('a.b[0].c')).toEqual({ found: true, value: 'x' });
    expect(read("$['content-type']")).toEqual({ found: true, value: 'json' });
    expect(read('$.n')).toEqual({ found: true, value: 0 });
    expect(read('$.a.b[3]')).toEqual({ found: false });
    expect(read('$.a.missing.deeper')).toEqual({ found: false });
    expect(read('$.toString')).toEqual({ found: false });
    expect(parseJsonPath('$.a[').ok).toBe(false);
  });

  it('headers: Name: value lines; errors never show the value', () => {
    expect(parseHeaders('Authorization: Bearer a:b\n\n# comment\nX-Key:  k  ')).toEqual({
      ok: true,
      value: [
        { name: 'Authorization', value: 'Bearer a:b' },
        { name: 'X-Key', value: 'k' },
      ],
    });
    expect(parseHeaders('Authorization Bearer s3cr3t')).toEqual({ ok: false, error: 'line 1 must be "Name: value" with a valid header name' });
    expect(parseHeaders('X-A: 1\nx-a: 2')).toEqual({ ok: false, error: 'line 2 repeats header x-a' });
    expect(parseHeaders('X-Empty:')).toEqual({ ok: false, error: 'line 1 (X-Empty) has an empty value' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/health/service.js';
import { runChecks } from '../support/health/in-process.js';
import { httpRequest, USER_AGENT } from '../../src/core/health/http-client.js';

// HTTP checks, in process, against the real loopback service.
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc.close();
});
beforeEach(() => svc.resetRoutes());

describe('HTTP client', () => {
  it('sends the headers, a user agent and no-cache; one fresh connection per request', async () => {
    const r = await httpRequest({ url: `${svc.url}/health`, headers: { Authorization: 'Bearer x-1' }, timeoutMs: 2000, followRedirects: true });
    expect(r).toMatchObject({ kind: 'response', status: 200, body: '{"status":"healthy"}' });
    expect(svc.requests[0]!.headers).toMatchObject({ authorization: 'Bearer x-1', 'user-agent': USER_AGENT, 'cache-control': 'no-cache', connection: 'close' });
  });

  it('classifies DNS failures', async () => {
    const r = await httpRequest({ url: 'http://does-not-exist.invalid/', timeoutMs: 5000, followRedirects: true });
    expect(r).toMatchObject({ kind: 'error', code: 'dns', detail: 'ENOTFOUND' });
  });

  it('reads at most maxBodyBytes and says so', async () => {
    svc.route('/big', { status: 200, body: `${'x'.repeat(3000)}needle` });
    const r = await httpRequest({ url: `${svc.url}/big`, timeoutMs: 2000, followRedirects: true, maxBodyBytes: 1000 });
    expect(r).toMatchObject({ kind: 'response', truncated: true });
    expect(r.kind === 'response' && r.body.length).toBe(1000);
  });

  it('stops at once when the signal aborts', async () => {
    svc.route('/slow', { status: 200, body: 'ok', delayMs: 60_000 });
    const c = new AbortController();
    setTimeout(() => c.abort(), 100);
    const started = Date.now();
    const r = await httpRequest({ url: `${svc.url}/slow`, timeoutMs: 90_000, followRedirects: true, signal: c.signal });
    expect(r).toMatchObject({ kind: 'error', code: 'aborted' });
    // Not the 60 s answer nor the 90 s timeout (loose: a loaded runner adds to the 100 ms).
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('HTTP checks', () => {
  it('body rules: contains, regex, json-path equals / one-of / conditions', async () => {
    svc.route('/version', { status: 200, body: '{"sha":"abc123","build":{"n":42,"state":"READY"},"queue":[{"depth":"7"}]}', headers: { 'content-type': 'application/json' } });
    const u = `${svc.url}/version`;
    const yaml = [
      `- name: contains\n  url: ${u}\n  body-contains: abc123\n`,
      `- name: contains-no\n  url: ${u}\n  body-contains: def456\n`,
      `- name: regex\n  url: ${u}\n  body-regex: "/state.:.ready/i"\n`,
      `- name: equals\n  url: ${u}\n  json-path: $.sha\n  equals: abc123\n`,
      `- name: equals-number\n  url: ${u}\n  json-path: build.n\n  equals: 42\n`,
      `- name: one-of\n  url: ${u}\n  json-path: $.build.state\n  one-of: [READY, DONE]\n`,
      `- name: one-of-no\n  url: ${u}\n  json-path: $.build.state\n  one-of: [DONE]\n`,
      `- name: condition\n  url: ${u}\n  json-path: $.queue[0].depth\n  fail-if: "> 5"\n`,
      `- name: missing\n  url: ${u}\n  json-path: $.nope\n`,
      `- name: not-json\n  url: ${svc.url}/\n  json-path: $.x\n`,
    ].join('');
    const { byName } = await runChecks(yaml);
    expect(byName('contains').verdict).toBe('PASS');
    expect(byName('contains-no')).toMatchObject({ verdict: 'FAIL', reason: 'body-mismatch' });
    expect(byName('regex').verdict).toBe('PASS');
    expect(byName('equals')).toMatchObject({ verdict: 'PASS', value: 'abc123', status: 200 });
    expect(byName('equals-number').verdict).toBe('PASS');
    expect(byName('one-of').verdict).toBe('PASS');
    expect(byName('one-of-no')).toMatchObject({ verdict: 'FAIL', reason: 'json-mismatch' });
    expect(byName('one-of-no').message).toContain('$.build.state is "READY", expected one of "DONE"');
    expect(byName('condition')).toMatchObject({ verdict: 'FAIL', reason: 'fail-if', value: 7 });
    expect(byName('missing')).toMatchObject({ verdict: 'FAIL', reason: 'json-path-missing' });
    expect(byName('not-json')).toMatchObject({ verdict: 'FAIL', reason: 'not-json' });
  });

  it('a body-contains beyond the first MiB says it only read the first MiB', async () => {
    svc.route('/huge', { status: 200, body: `${'x'.repeat(1024 * 1024 + 10)}needle` });
    const { byName } = await runChecks(`- name: huge\n  url: ${svc.url}/huge\n  body-contains: needle\n`);
    expect(byName('huge')).toMatchObject({ verdict: 'FAIL', reason: 'body-mismatch' });
    expect(byName('huge').message).toContain('(in the first 1 MiB read)');
  });

  it('a built-in check can be replaced by name (Streamlit /_stcore/health) or dropped with enabled: false', async () => {
    svc.route('/_stcore/health', { status: 200, body: 'ok' });
    svc.route('/docs', { status: 404 });
    const { run, byName, score } = await runChecks(`- name: health\n  url: /_stcore/health\n  healthy-body: true\n- name: docs\n  enabled: false\n`, { url: svc.url });
    expect(run.results.map((r) => r.name)).toEqual(['connectivity', 'health', 'response-time', 'status-code', 'root-content']);
    expect(byName('health')).toMatchObject({ verdict: 'PASS', critical: true, url: `${svc.url}/_stcore/health` });
    expect(score).toMatchObject({ status: 'HEALTHY', score: 100 });
    expect(svc.hits('/health')).toBe(0);
    expect(svc.hits('/docs')).toBe(0);
  });

  it('relative URLs append to the base path', async () => {
    svc.route('/app/version', { status: 200, body: 'v1' });
    const { byName } = await runChecks(`- name: v\n  url: version?full=1\n  body-contains: v1\n`, { url: `${svc.url}/app/` });
    expect(byName('v')).toMatchObject({ verdict: 'PASS', url: `${svc.url}/app/version?full=1` });
  });

  it('an ERROR followed by answers does not use up count (Argo), and is kept in the report', async () => {
    svc.route('/wobbly', [{ reset: true }, { status: 200, body: 'ok' }]);
    const { byName } = await runChecks(`- name: w\n  url: ${svc.url}/wobbly\n  count: 2\n  interval: 10ms\n`);
    const w = byName('w');
    expect(w).toMatchObject({ verdict: 'PASS', tally: { pass: 2, error: 2 } });
    expect(w.attempts.map((a) => `${a.outcome}:${a.reason}`)).toEqual(['ERROR:reset', 'PASS:ok', 'ERROR:reset', 'PASS:ok']);
    expect(w.message).toContain('2 of 2 attempts passed, 2 errored');
  });

  // Concurrency is asserted on what the service saw (requests overlapping), never on wall time.
  it('runs checks concurrently: ten slow endpoints are all being answered at once', async () => {
    svc.route('/slow', { status: 200, body: 'ok', delayMs: 300 });
    const yaml = Array.from({ length: 10 }, (_, i) => `- name: s${i}\n  url: ${svc.url}/slow\n`).join('');
    svc.resetInFlight();
    const { score } = await runChecks(yaml);
    expect(score.passed).toBe(10);
    expect(svc.maxInFlight()).toBe(10);
  });

  it('bounds the requests in flight', async () => {
    svc.route('/slow', { status: 200, body: 'ok', delayMs: 200 });
    const yaml = Array.from({ length: 6 }, (_, i) => `- name: s${i}\n  url: ${svc.url}/slow\n`).join('');
    svc.resetInFlight();
    await runChecks(yaml, { concurrency: 2 });
    expect(svc.maxInFlight()).toBe(2);
  });
});

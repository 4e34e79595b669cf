/**
 * health-gate's bundle against a real Prometheus reached the way teams reach it: through a front that
 * redirects (http → https, or a moved host) with 301/302, under a path prefix.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../support/health/prometheus.js';
import { check, gate } from '../support/health/run.js';
import { startTestService, type TestService } from '../support/health/service.js';

let svc: TestService;
let prom: RunningPrometheus;
let front: Server;
let frontUrl: string;
const moved: Array<{ method: string; url: string }> = [];

beforeAll(async () => {
  svc = await startTestService();
  svc.traffic('web', 0.001);
  prom = await startPrometheus([`127.0.0.1:${svc.port}`]);
  await prom.waitFor('sum(rate(http_requests_total{app="web"}[5s]))', (r) => r.length === 1);
  // The old address of Prometheus: every request is sent on with 301 (or 302 under /found), path and query kept.
  front = createServer((req, res) => {
    moved.push({ method: req.method ?? '', url: req.url ?? '' });
    const found = req.url!.startsWith('/found');
    const rest = req.url!.replace(/^\/(found|prometheus)/, '');
    res.writeHead(found ? 302 : 301, { location: `${prom.url}${rest}` });
    res.end();
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const address = front.address();
  frontUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => front?.close(resolve));
  await prom?.stop();
  await svc?.close();
});

/** A real-world long query: a label matcher listing many routes pushes the URL past 4,000 characters, so it goes as a POST. */
const routes = Array.from({ length: 250 }, (_, i) => `/api/v1/models/route-${i}`).join('|');
const LONG = `sum(rate(http_requests_total{app="web",status=~"5..",path!~"${routes}"}[5s])) / sum(rate(http_requests_total{app="web"}[5s])) or vector(0)`;

describe('Prometheus behind a redirect', () => {
  it.each([
    ['301', '/prometheus'],
    ['302', '/found'],
  ])('a long query (POST) still reaches Prometheus after a %s', async (_code, prefix) => {
    expect(LONG.length).toBeGreaterThan(4000);
    moved.length = 0;
    const r = await gate({
      'prometheus-url': `${frontUrl}${prefix}`,
      checks: `- name: error-rate\n  query: '${LONG}'\n  fail-if: "> 0.01"\n- name: short\n  query: 'sum(rate(http_requests_total{app="web"}[5s]))'\n  success-if: "> 0"\n`,
    });
    expect(check(r.report, 'short')).toMatchObject({ verdict: 'PASS' });
    expect(check(r.report, 'error-rate')).toMatchObject({ verdict: 'PASS', reason: 'ok' });
    expect(r.code, r.stdout).toBe(0);
    expect(moved.some((m) => m.method === 'POST')).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/health/service.js';
import { check, gate } from '../support/health/run.js';
import { selfSignedCert, type SelfSigned } from '../support/health/tls.js';
import { tempDir, type TempDir } from '../support/tmp.js';

// README: ca-cert is "used for HTTP checks and Prometheus". A Prometheus API (the test service answering in
// its shape) behind a self-signed certificate: untrusted without ca-cert, trusted with it.
let dir: TempDir;
let cert: SelfSigned;
let prom: TestService;
const VECTOR_ONE = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}';
const UP = '- name: up\n  query: up\n  success-if: "== 1"\n';
beforeAll(async () => {
  dir = await tempDir('greenline-health-prom-tls-');
  cert = await selfSignedCert(dir.path);
  prom = await startTestService({ tls: cert });
  prom.route('/api/v1/query', { status: 200, body: VECTOR_ONE, headers: { 'content-type': 'application/json' } });
});
afterAll(async () => {
  await prom?.close();
  await dir?.cleanup();
});

describe('ca-cert for Prometheus', () => {
  it('a self-signed Prometheus is unavailable (tls) without ca-cert, and answers with it', async () => {
    const untrusted = await gate({ 'prometheus-url': prom.url, checks: UP });
    expect(check(untrusted.report, 'up')).toMatchObject({ verdict: 'ERROR', reason: 'tls', decidedBy: 'permanent-error' });
    expect(untrusted.report.prometheus).toMatchObject({ up: false, message: expect.stringContaining('TLS') });
    const trusted = await gate({ 'prometheus-url': prom.url, checks: UP, 'ca-cert': cert.cert });
    expect(check(trusted.report, 'up')).toMatchObject({ verdict: 'PASS' });
    expect(trusted.outputs).toMatchObject({ status: 'HEALTHY', score: '100' });
  });
});

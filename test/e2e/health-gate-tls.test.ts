import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/health/service.js';
import { check, gate } from '../support/health/run.js';
import { selfSignedCert, type SelfSigned } from '../support/health/tls.js';
import { tempDir, type TempDir } from '../support/tmp.js';

// A service with a self-signed certificate (made by openssl): untrusted by default, an ERROR with a TLS
// reason; trusted once its certificate is given in ca-cert (a PEM text or a file in the workspace).
let dir: TempDir;
let cert: SelfSigned;
let svc: TestService;
beforeAll(async () => {
  dir = await tempDir('greenline-health-tls-');
  cert = await selfSignedCert(dir.path);
  svc = await startTestService({ tls: cert });
});
afterAll(async () => {
  await svc?.close();
  await dir?.cleanup();
});

describe('TLS', () => {
  it('a self-signed certificate is an ERROR (tls), CRITICAL, and not retried', async () => {
    const r = await gate({ url: svc.url, interval: '10ms' });
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', rollback: 'true' });
    expect(r.code).toBe(1);
    const c = check(r.report, 'connectivity');
    expect(c).toMatchObject({ verdict: 'ERROR', reason: 'tls', decidedBy: 'permanent-error' });
    expect(c.message).toContain('self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(c.message).toContain('ca-cert');
    // An untrusted certificate does not become trusted by asking again: one attempt, no HTTP request served.
    expect(c.attempts).toHaveLength(1);
    expect(svc.requests).toHaveLength(0);
  });

  it('ca-cert as a file in the workspace makes it trusted', async () => {
    const workspace = await tempDir('greenline-health-ws-');
    try {
      await copyFile(cert.certPath, join(workspace.path, 'internal-ca.pem'));
      const r = await gate({ url: svc.url, 'ca-cert': 'internal-ca.pem' }, { workspace: workspace.path });
      expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100' });
      expect(r.code).toBe(0);
    } finally {
      await workspace.cleanup();
    }
  });

  it('ca-cert as PEM text works too', async () => {
    const r = await gate({ url: svc.url, 'ca-cert': cert.cert });
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', score: '100' });
  });

  it('ca-cert that is not a certificate is a bad input', async () => {
    const r = await gate({ url: svc.url, 'ca-cert': '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['Input "ca-cert": certificate 1 is not a valid PEM certificate']);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExternalError } from '../../src/core/action/errors.js';
import { OCI_INDEX, RegistryClient, RegistryError, type RegistryClientOptions } from '../../src/core/registry/index.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { freePort } from '../support/ports.js';
import { countAccess, getManifestRaw, pushFixture, startRegistry, type Fixture, type TestRegistry } from '../support/registry.js';

const MANIFESTS = /^\/v2\/.+\/manifests\//;
const ERROR_500 = JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: 'injected' }] });

describe('registry client through a fault-injecting proxy', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let fixture: Fixture;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    proxy = await startFaultProxy(registry.url);
    fixture = await pushFixture(registry, 'oci-index', { repository: 'faults/app' });
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  afterEach(() => proxy.clearFaults());

  const client = (extra: Partial<RegistryClientOptions> = {}) =>
    new RegistryClient({ image: `${proxy.host}/${fixture.repository}`, retryBaseMs: 5, retryCapMs: 50, ...extra });

  /** Access-log entries written from now on, once the caller is done. */
  const accessSince = async () => {
    const mark = (await registry.accessLog()).length;
    return async () => (await registry.accessLog()).slice(mark);
  };

  it('retries a PUT answered 500 and succeeds on the 201 that follows', async () => {
    proxy.addFault({ method: 'PUT', path: MANIFESTS, fault: { kind: 'status', status: 500, body: ERROR_500 } });
    const since = await accessSince();
    const c = client();
    const source = await c.getManifest(fixture.digest);
    const [result] = await c.retag(source, ['after-500']);
    expect(result).toEqual({ tag: 'after-500', ok: true, digest: fixture.digest });
    expect(c.requestCounts()).toMatchObject({ GET: 1, PUT: 2, retries: 1 });
    expect(countAccess(await since(), 'PUT', MANIFESTS, 201)).toBe(1);
    expect((await getManifestRaw(registry, fixture.repository, 'after-500')).bytes.equals(fixture.bytes)).toBe(true);
  });

  it('waits for Retry-After on a 429, then retries', async () => {
    proxy.addFault({
      method: 'GET',
      path: MANIFESTS,
      fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }) },
    });
    const c = client();
    const started = Date.now();
    const manifest = await c.getManifest(fixture.tag);
    const elapsed = Date.now() - started;
    expect(manifest.digest).toBe(fixture.digest);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    // Not the default back-off of a minute and more: the answer's 1 s (loose: a loaded runner adds to it).
    expect(elapsed).toBeLessThan(20_000);
    expect(c.requestCounts()).toMatchObject({ GET: 2, retries: 1 });
  });

  it('caps a long Retry-After', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '3600' } } });
    const started = Date.now();
    await client({ retryAfterCapMs: 200 }).getManifest(fixture.tag);
    // Capped at 200 ms instead of an hour (loose: a loaded runner adds to it).
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('recovers from a connection reset mid-request', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'reset' } });
    const c = client();
    const manifest = await c.getManifest(fixture.tag);
    expect(manifest.bytes.equals(fixture.bytes)).toBe(true);
    expect(c.requestCounts()).toMatchObject({ GET: 2, retries: 1 });
  });

  it('recovers from a connection reset in the middle of the answer body', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'reset-mid-response' } });
    const c = client();
    expect((await c.getManifest(fixture.digest)).digest).toBe(fixture.digest);
    expect(c.requestCounts()).toMatchObject({ GET: 2, retries: 1 });
  });

  it('repeats a PUT whose reply was lost after it took effect', async () => {
    proxy.addFault({ method: 'PUT', path: MANIFESTS, fault: { kind: 'drop-reply' } });
    const since = await accessSince();
    const c = client();
    const source = await c.getManifest(fixture.digest);
    const [result] = await c.retag(source, ['dropped-reply']);
    expect(result?.ok).toBe(true);
    // Upstream saw both PUTs; the identical bytes make the second one harmless.
    expect(countAccess(await since(), 'PUT', MANIFESTS, 201)).toBe(2);
  });

  it('gives up on a registry that stalls, after its retries, in one line', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, times: 2, fault: { kind: 'stall', ms: 5_000 } });
    const c = client({ timeoutMs: 300, retries: 1 });
    const error = (await c.getManifest(fixture.tag).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.message).toBe(`cannot reach registry ${proxy.host}: no answer within 300 ms`);
  });

  it('recovers from one stall past the timeout', async () => {
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { kind: 'stall', ms: 5_000 } });
    const c = client({ timeoutMs: 300 });
    expect((await c.getManifest(fixture.tag)).digest).toBe(fixture.digest);
  });

  it('reports a persistent 503 after bounded retries, with the registry error', async () => {
    proxy.addFault({
      method: 'GET',
      path: MANIFESTS,
      times: 10,
      fault: { kind: 'status', status: 503, body: JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] }) },
    });
    const c = client({ retries: 3 });
    const error = (await c.getManifest(fixture.tag).then(
      () => undefined,
      (e: unknown) => e,
    )) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      `GET manifest ${proxy.host}/${fixture.repository}:${fixture.tag} failed: HTTP 503 Service Unavailable: UNAVAILABLE: service unavailable`,
    );
    expect(c.requestCounts()).toMatchObject({ GET: 4, retries: 3 });
  });

  it('reports partial state when one tag of a retag fails', async () => {
    proxy.addFault({ method: 'PUT', path: /\/manifests\/partial-b$/, times: 10, fault: { kind: 'status', status: 400, body: JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid' }] }) } });
    const c = client();
    const source = await c.getManifest(fixture.digest);
    const results = await c.retag(source, ['partial-a', 'partial-b']);
    expect(results.map((r) => [r.tag, r.ok])).toEqual([
      ['partial-a', true],
      ['partial-b', false],
    ]);
    expect(results[1]?.error?.message).toMatch(/^PUT manifest .*:partial-b failed: HTTP 400 Bad Request: MANIFEST_INVALID: manifest invalid$/);
  });

  it('refuses content that does not hash to the digest asked for, or to the digest the registry claims', async () => {
    const tampered = { kind: 'status' as const, status: 200, headers: { 'Content-Type': OCI_INDEX }, body: '{"tampered":true}' };
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: tampered });
    await expect(client().getManifest(fixture.digest)).rejects.toThrow(/the registry served content with digest sha256:[0-9a-f]{64}$/);
    proxy.addFault({ method: 'GET', path: MANIFESTS, fault: { ...tampered, headers: { ...tampered.headers, 'Docker-Content-Digest': fixture.digest } } });
    await expect(client().getManifest(fixture.tag)).rejects.toThrow(`Docker-Content-Digest says ${fixture.digest} but the bytes hash to`);
  });

  it('refuses a PUT answer that is not 201 unless the tag then serves the digest, or one that names another digest', async () => {
    const c = client();
    const source = await c.getManifest(fixture.digest);
    // 200 without the manifest stored (the proxy answered, the registry never saw the PUT): refused.
    proxy.addFault({ method: 'PUT', path: MANIFESTS, fault: { kind: 'status', status: 200 } });
    expect((await c.retag(source, ['not-201']))[0]?.error?.message).toMatch(/answered HTTP 200 instead of 201, and the tag serves nothing, not sha256:/);
    // 200 or 202 from a registry that did store it (some do, or a proxy in front rewrites it): accepted after a HEAD.
    for (const status of [200, 202]) {
      proxy.addFault({ method: 'PUT', path: MANIFESTS, fault: { kind: 'rewrite-status', status } });
      const [result] = await c.retag(source, [`stored-${status}`]);
      expect(result?.error).toBeUndefined();
      expect(result).toMatchObject({ ok: true, digest: fixture.digest });
      expect(await c.resolveDigest(`stored-${status}`)).toBe(fixture.digest);
    }
    const other = `sha256:${'0'.repeat(64)}`;
    proxy.addFault({ method: 'PUT', path: MANIFESTS, fault: { kind: 'status', status: 201, headers: { 'Docker-Content-Digest': other } } });
    expect((await c.retag(source, ['other-digest']))[0]?.error?.message).toContain(`the registry stored digest ${other}, not ${fixture.digest}`);
  });

  it('says in one line that an unreachable registry cannot be reached', async () => {
    const port = await freePort();
    const c = new RegistryClient({ image: `127.0.0.1:${port}/faults/app`, retries: 2, retryBaseMs: 5 });
    const error = (await c.getManifest('stable').then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.message).toMatch(new RegExp(`^cannot reach registry 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`));
    expect(c.requestCounts()).toMatchObject({ GET: 3, retries: 2 });
  });

  it('adds a fixed latency per request when asked', async () => {
    proxy.setLatency(40);
    try {
      const c = client();
      const started = Date.now();
      await c.getManifest(fixture.tag);
      expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    } finally {
      proxy.setLatency(0);
    }
  });
});

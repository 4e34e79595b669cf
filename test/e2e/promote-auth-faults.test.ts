import { afterAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

const worlds: PromoteWorld[] = [];
const proxies: FaultProxy[] = [];
afterAll(async () => {
  for (const p of proxies) await p.stop();
  for (const w of worlds) await w.stop();
});

describe('promote-to-stable against authenticating registries', () => {
  for (const auth of ['htpasswd', 'token'] as const) {
    it(`${auth}: promotes with the credentials, and a wrong password changes nothing`, async () => {
      const world = await startPromoteWorld({ registry: { auth } });
      worlds.push(world);
      const c = await world.remote.commit({ 'a.txt': auth }, auth);
      const built = await world.candidate('oci-index', c);
      const ok = await world.promote({}, { sha: c });
      expect(ok.errors, ok.stdout).toEqual([]);
      expect(await world.tagDigest('stable')).toBe(built.digest);
      expect(ok.visibleStdout + ok.summary).not.toContain(world.registry.password!);

      const c2 = await world.remote.commit({ 'a.txt': `${auth}2` }, `${auth} 2`);
      await world.candidate('docker-manifest', c2);
      const refs = await world.remote.refs();
      const bad = await world.promote({ password: 'wrong-password' }, { sha: c2 });
      expect(bad.code).toBe(1);
      expect(bad.errors).toHaveLength(1);
      expect(bad.errors[0]).toMatch(/^Input "password": /);
      expect(await world.tagDigest('stable')).toBe(built.digest);
      expect(await world.remote.refs()).toEqual(refs);
    });
  }
});

describe('promote-to-stable through a faulty network', () => {
  async function faultyWorld() {
    const world = await startPromoteWorld();
    worlds.push(world);
    const proxy = await startFaultProxy(world.registry.url);
    proxies.push(proxy);
    return { world, proxy, image: `${proxy.host}/${world.repository}` };
  }

  it('500 then 201, 429 with Retry-After, and a reset mid-request are retried to success', async () => {
    const { world, proxy, image } = await faultyWorld();
    const c = await world.remote.commit({ 'f.txt': '1' }, 'faults');
    const built = await world.candidate('oci-index', c);
    proxy.addFault({ method: 'PUT', path: /manifests\/stable$/, fault: { kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"boom"}]}' } });
    proxy.addFault({ method: 'PUT', path: /manifests\/latest$/, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' } });
    proxy.addFault({ method: 'GET', path: /manifests\//, fault: { kind: 'reset' } });
    const started = Date.now();
    const r = await world.promote({ image }, { sha: c });
    expect(r.errors, r.stdout).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After was honoured
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.tagDigest('latest')).toBe(built.digest);
    expect(r.stdout).toMatch(/retry/i);
  });

  it('one tag failing for good is reported as exactly that, no ledger entry, and a re-run completes it', async () => {
    const { world, proxy, image } = await faultyWorld();
    const c = await world.remote.commit({ 'g.txt': '1' }, 'partial');
    const built = await world.candidate('docker-list', c);
    proxy.addFault({ method: 'PUT', path: /manifests\/latest$/, times: 50, fault: { kind: 'status', status: 503 } });
    const r = await world.promote({ image }, { sha: c });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/stable moved to sha256:.*latest NOT moved/);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.tagDigest('latest')).toBeUndefined();
    expect(await world.ledger()).toBeUndefined();
    expect(r.summary).toMatch(/NOT moved/);

    proxy.clearFaults();
    const again = await world.promote({ image }, { sha: c });
    expect(again.errors).toEqual([]);
    expect(await world.tagDigest('latest')).toBe(built.digest);
    expect(await world.oneLiner()).toBe(c);
  });
});

/**
 * promote-to-stable (the bundle, as the runner runs it) against a real registry behind the fault-injecting
 * proxy: 503 bursts, 429 with Retry-After, connection resets, a stalled answer, and a PUT that takes effect but
 * whose reply is lost. Within its retry budget it succeeds with exactly one ledger entry; beyond it, it fails in
 * one line, says exactly what state it left (nothing, or which tag moved), and a re-run completes the promotion.
 *
 * The registry client's timeout is 30 s per request (RegistryClientOptions.timeoutMs, src/core/registry/client.ts)
 * and promote-to-stable does not expose it as an input, so a stall "past the timeout" would cost 30 s per case
 * here: the stall below is shorter (the proxy holds the request 1.5 s, then drops the connection), which
 * exercises the same retry path; test/integration/registry-faults.test.ts covers a real timeout in-process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';
import { entriesFor, expectOneLineFailure, expectSuccess } from './support.js';

const opened: Array<{ world: PromoteWorld; proxy: FaultProxy }> = [];
afterEach(async () => {
  for (const { world, proxy } of opened.splice(0)) {
    await proxy.stop();
    await world.stop();
  }
});

async function faulty() {
  const world = await startPromoteWorld();
  const proxy = await startFaultProxy(world.registry.url);
  opened.push({ world, proxy });
  const sha = await world.remote.commit({ 'app.py': 'print("candidate")\n' }, 'candidate');
  const built = await world.candidate('oci-index', sha);
  const image = `${proxy.host}/${world.repository}`;
  const promote = (inputs: Record<string, string> = {}) => world.promote({ image, ...inputs }, { sha, timeoutMs: 90_000 });
  const state = async () => ({ stable: await world.tagDigest('stable'), latest: await world.tagDigest('latest'), refs: await world.remote.refs(), ledger: await world.ledger() });
  return { world, proxy, sha, built, promote, state };
}

const MANIFEST = /\/v2\/.+\/manifests\//;
const TOO_MANY = JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] });
const UNAVAILABLE = JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'registry is restarting' }] });

describe('promote-to-stable through a faulty registry', () => {
  it('a 503 burst on the source manifest and a reset on a PUT are retried within the budget: promoted, one ledger entry', async () => {
    const { proxy, sha, built, promote, world } = await faulty();
    proxy.addFault({ method: 'GET', path: MANIFEST, times: 3, fault: { kind: 'status', status: 503, body: UNAVAILABLE } });
    proxy.addFault({ method: 'PUT', path: /manifests\/latest$/, fault: { kind: 'reset' } });
    const r = await promote();
    expectSuccess(r, '503 burst + reset');
    expect(proxy.requests.filter((q) => q.outcome === 'status').length).toBe(3);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.tagDigest('latest')).toBe(built.digest);
    expect(entriesFor(await world.ledger(), sha)).toBe(1);
    expect(r.stdout).toMatch(/retry 1\/4/);
  });

  it('429 with Retry-After is waited out, then retried', async () => {
    const { proxy, built, promote, world } = await faulty();
    proxy.addFault({ method: 'PUT', path: /manifests\/stable$/, times: 2, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: TOO_MANY } });
    const started = Date.now();
    const r = await promote();
    expectSuccess(r, '429 Retry-After');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(await world.tagDigest('stable')).toBe(built.digest);
  });

  it('a stalled answer (held 1.5 s, then the connection drops) is retried', async () => {
    const { proxy, built, promote, world } = await faulty();
    proxy.addFault({ method: 'GET', path: MANIFEST, fault: { kind: 'stall', ms: 1_500 } });
    proxy.addFault({ method: 'HEAD', path: MANIFEST, fault: { kind: 'stall', ms: 1_500 } });
    const r = await promote();
    expectSuccess(r, 'stall');
    expect(await world.tagDigest('stable')).toBe(built.digest);
  });

  it('a PUT that takes effect but whose reply is lost: the repeated PUT is harmless, promoted once, one ledger entry', async () => {
    const { proxy, sha, built, promote, world } = await faulty();
    proxy.addFault({ method: 'PUT', path: /manifests\/stable$/, fault: { kind: 'drop-reply' } });
    const r = await promote();
    expectSuccess(r, 'drop-reply');
    const puts = proxy.requests.filter((q) => q.method === 'PUT' && /manifests\/stable$/.test(q.path));
    expect(puts.map((q) => q.outcome)).toEqual(['drop-reply', 'forward']);
    expect(puts[0]!.upstreamStatus).toBe(201);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.tagDigest('latest')).toBe(built.digest);
    expect(entriesFor(await world.ledger(), sha)).toBe(1);
  });

  it('503s beyond the budget on the source: one line, nothing changed; the re-run completes', async () => {
    const { proxy, sha, built, promote, state, world } = await faulty();
    const before = await state();
    proxy.addFault({ method: 'GET', path: MANIFEST, times: 50, fault: { kind: 'status', status: 503, body: UNAVAILABLE } });
    const r = await promote();
    expectOneLineFailure(r, /503|unavailable|restarting/i, 'persistent 503');
    expect(await state()).toEqual(before);
    proxy.clearFaults();
    expectSuccess(await promote(), 're-run');
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(entriesFor(await world.ledger(), sha)).toBe(1);
  });

  it('every PUT of one tag reset: reported as exactly which tag moved, no ledger entry; the re-run completes it', async () => {
    const { proxy, sha, built, promote, world } = await faulty();
    proxy.addFault({ method: 'PUT', path: /manifests\/latest$/, times: 50, fault: { kind: 'reset' } });
    const r = await promote();
    expectOneLineFailure(r, /stable moved to sha256:[0-9a-f]{64}.*latest NOT moved.*re-run/i, 'one tag never moves');
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.tagDigest('latest')).toBeUndefined();
    expect(await world.ledger()).toBeUndefined();
    proxy.clearFaults();
    expectSuccess(await promote(), 're-run');
    expect(await world.tagDigest('latest')).toBe(built.digest);
    expect(entriesFor(await world.ledger(), sha)).toBe(1);
  });
});

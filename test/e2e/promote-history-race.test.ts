import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { ImageLane, type LedgerMode } from '../support/promote-history.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

// A promotion and a rollback racing end with image, ledger and git tag on the same build, whichever way
// their requests interleave (the git tag through the refs API / GraphQL updateRefs for api, git push with a
// lease for git). And inputs that are wrong in ways only a request can tell: each refused naming the input,
// with nothing changed.
const T = 600_000;

for (const mode of ['api', 'git'] as LedgerMode[]) {
  describe(`ledger-write: ${mode}`, () => {
    let world: PromoteWorld;
    const proxies: FaultProxy[] = [];
    beforeAll(async () => {
      world = await startPromoteWorld();
    });
    afterAll(async () => {
      for (const p of proxies) await p.stop();
      await world?.stop();
    });
    const lane = (name: string, host?: string) => new ImageLane(world, mode, `acme/${name}-${mode}`, `stable-${name}`, host);

    it('a promotion and a rollback racing end consistent: :stable, :latest, the ledger and the git tag on one build', async () => {
      const l = lane('race');
      for (const label of ['first', 'second']) {
        const c = await l.commit(label);
        await l.build('docker-list', c);
        await l.promoted({}, { sha: c });
      }
      for (let round = 0; round < 3; round++) {
        // A rollback pops the stack: a fresh build each round keeps ledger:previous somewhere to go.
        const base = await l.commit(`base-${round}`);
        await l.build('oci-index', base);
        await l.promoted({}, { sha: base });
        const next = await l.commit(`next-${round}`);
        await l.build(round % 2 ? 'oci-index' : 'docker-manifest', next);
        const [promotion, rollback] = await Promise.all([l.run({}, { sha: next }), l.run({ source: 'ledger:previous' }, { sha: next })]);
        expect(promotion.errors, promotion.stdout).toEqual([]);
        expect(rollback.errors, rollback.stdout).toEqual([]);
        const newest = await l.expectConsistent();
        expect([promotion.outputs.digest, rollback.outputs.digest]).toContain(newest.digest);
      }
    }, T);

    it('git-tag named like an existing branch is refused before anything changes', async () => {
      const l = lane('branch-name');
      const c = await l.commit('v1');
      await l.build('oci-index', c);
      const before = await l.state();
      const refs = await world.remote.refs();
      const r = await l.run({ 'git-tag': 'main' }, { sha: c });
      expect(r.code).toBe(1);
      expect(r.errors).toEqual([expect.stringMatching(/^Input "git-tag": "main" is the name of a branch/)]);
      expect(await l.state()).toEqual(before);
      expect(await world.remote.refs()).toEqual(refs);
    }, T);

    it('a registry that refuses the PUT (401, 403 DENIED) blames Input "password", and nothing changes', async () => {
      const proxy = await startFaultProxy(world.registry.url);
      proxies.push(proxy);
      const l = lane('denied', proxy.host);
      const c1 = await l.commit('v1');
      await l.build('oci-index', c1);
      await l.promoted({}, { sha: c1 });
      const c2 = await l.commit('v2');
      await l.build('docker-manifest', c2);
      for (const status of [403, 401]) {
        proxy.clearFaults();
        proxy.addFault({
          method: 'PUT',
          path: /manifests\//,
          times: 100,
          fault: { kind: 'status', status, body: JSON.stringify({ errors: [{ code: status === 403 ? 'DENIED' : 'UNAUTHORIZED', message: 'requested access to the resource is denied' }] }) },
        });
        const before = await l.state();
        const refs = await world.remote.refs();
        const r = await l.run({}, { sha: c2 });
        expect(r.code).toBe(1);
        expect(r.errors).toHaveLength(1);
        expect(r.errors[0]).toMatch(/^Input "password": /);
        expect(r.errors[0]).not.toMatch(/Input "token"|GitHub token/);
        expect(await l.state()).toEqual(before);
        expect(await world.remote.refs()).toEqual(refs);
      }
    }, T);

    it('metrics are decimal numbers only; a gated metric missing from the baseline fails unless on-missing says otherwise', async () => {
      const l = lane('gate');
      const c1 = await l.commit('v1');
      await l.build('oci-index', c1);
      await l.promoted({ metrics: 'rmse=0.12' }, { sha: c1 });
      const c2 = await l.commit('v2');
      const d2 = await l.build('docker-manifest', c2);
      const before = await l.state();

      const hex = await l.run({ metrics: 'accuracy=0x10' }, { sha: c2 });
      expect(hex.code).toBe(1);
      expect(hex.errors).toEqual([expect.stringMatching(/^Input "metrics": "accuracy=0x10" is not name=number/)]);
      expect(await l.state()).toEqual(before);

      const gate = { metrics: 'accuracy=0.9, rmse=0.12', 'max-regression': 'accuracy:higher=0.02, rmse:lower=0.05' };
      const missing = await l.run(gate, { sha: c2 });
      expect(missing.code).toBe(1);
      expect(missing.errors).toEqual([expect.stringMatching(/^Not promoted: accuracy is not in the baseline entry \(on-missing: fail/)]);
      expect(missing.summary).toContain(`Metrics baseline: ${c1.slice(0, 7)}`);
      expect(await l.state()).toEqual(before);

      const warned = await l.promoted({ ...gate, 'max-regression': `${gate['max-regression']}, on-missing: warn` }, { sha: c2 });
      expect(warned.warnings.join('\n')).toMatch(/accuracy is not in the baseline entry \(.*\): not judged \(on-missing: warn\)/);
      expect(warned.summary).toContain(`Metrics baseline: ${c1.slice(0, 7)}`);
      expect(warned.summary).toMatch(/\| rmse \| 0\.12 \| 0\.12 \|/);
      expect(await l.served('stable')).toBe(d2);
      expect((await l.expectConsistent()).commit).toBe(c2);
    }, T);
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { appendByHand, ImageLane, type LedgerMode } from '../support/promote-history.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';
import { tagManifest } from '../support/registry-fixtures.js';
import { getManifestRaw } from '../support/registry.js';

// What promote-to-stable promotes, rolls back to and records, on ledgers as they grow in real use: rollbacks
// one after another, a rollback re-run after it failed half-way, several images and a canary tag in one
// ledger, a build marked ⛔ and fixed, a dispatch of an older build, a reproducible build. Each scenario has
// its own image repository and git tag in one shared ledger, through ledger-write api and git.
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

    it('three rollbacks in a row walk D4 → D3 → D2 → D1, each recording the build it left; a fourth finds nothing and changes nothing', async () => {
      const l = lane('stack');
      const c: string[] = [];
      const d: string[] = [];
      for (let i = 1; i <= 4; i++) {
        c[i] = await l.commit(`v${i}`);
        d[i] = await l.build(i % 2 ? 'oci-index' : 'docker-manifest', c[i]!);
        await l.promoted({}, { sha: c[i]! });
      }
      const head = await l.commit('head');
      for (const [from, to] of [[4, 3], [3, 2], [2, 1]] as const) {
        const r = await l.promoted({ source: 'ledger:previous' }, { sha: head });
        expect(r.outputs.digest).toBe(d[to]);
        expect(r.outputs['previous-digest']).toBe(d[from]);
        expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ status: 'restored', commit: c[to], digest: d[to], replaced: d[from] });
        expect((await l.entries()).at(-1)).toMatchObject({ status: 'restored', commit: c[to], replaced: d[from] });
        expect(await world.ledger()).toContain(`Replaced: ${d[from]}`);
        const newest = await l.expectConsistent();
        expect(newest.commit).toBe(c[to]);
      }
      const before = await l.state();
      const none = await l.run({ source: 'ledger:previous' }, { sha: head });
      expect(none.code).toBe(1);
      expect(none.errors).toEqual([expect.stringMatching(/^Input "source": ledger:previous found no earlier good build of .*stack.* below sha256:/)]);
      expect(await l.state()).toEqual(before);
    }, T);

    it('a rollback that failed half-way, re-run as the message says, ends on the same target; a re-run of a finished one stays there', async () => {
      const proxy = await startFaultProxy(world.registry.url);
      proxies.push(proxy);
      const l = lane('rerun', proxy.host);
      const c: string[] = [];
      const d: string[] = [];
      for (let i = 1; i <= 3; i++) {
        c[i] = await l.commit(`v${i}`);
        d[i] = await l.build('docker-list', c[i]!);
        await l.promoted({}, { sha: c[i]! });
      }
      const head = await l.commit('head');
      const restoredCount = async () => (await l.entries()).filter((e) => e.status === 'restored').length;

      proxy.addFault({ method: 'PUT', path: /manifests\/latest$/, times: 100, fault: { kind: 'status', status: 503 } });
      const first = await l.run({ source: 'ledger:previous' }, { sha: head, runId: '777', attempt: 1 });
      expect(first.code).toBe(1);
      expect(first.errors).toEqual([expect.stringMatching(/^Partial rollback: stable moved to sha256:.*latest NOT moved.*re-run to complete it/)]);
      expect(await l.served('stable')).toBe(d[2]);
      expect(await l.served('latest')).toBe(d[3]);
      expect(await restoredCount()).toBe(0);

      proxy.clearFaults();
      const again = await l.promoted({ source: 'ledger:previous' }, { sha: head, runId: '777', attempt: 2 });
      expect(again.outputs.digest).toBe(d[2]);
      expect(JSON.parse(again.outputs['ledger-entry']!)).toMatchObject({ commit: c[2], replaced: d[3] });
      expect(await restoredCount()).toBe(1);
      expect((await l.expectConsistent()).commit).toBe(c[2]);

      // The same run re-run once more (say its job failed after the rollback): it completes, it does not go further.
      const third = await l.promoted({ source: 'ledger:previous' }, { sha: head, runId: '777', attempt: 3 });
      expect(third.outputs.digest).toBe(d[2]);
      expect(await restoredCount()).toBe(1);
      expect((await l.expectConsistent()).commit).toBe(c[2]);
      // A new run is a new decision: one build further back.
      const next = await l.promoted({ source: 'ledger:previous' }, { sha: head, runId: '778' });
      expect(next.outputs.digest).toBe(d[1]);
      expect((await l.expectConsistent()).commit).toBe(c[1]);
    }, T);

    it('two images and a canary tag in one ledger: gate, previous-digest and ledger:previous keep to their image and tag', async () => {
      const a = lane('model-a');
      const b = lane('model-b');
      const ca: string[] = [];
      const da: string[] = [];
      const cb: string[] = [];
      const db: string[] = [];
      for (let i = 1; i <= 2; i++) {
        ca[i] = await a.commit(`a${i}`);
        da[i] = await a.build('oci-index', ca[i]!);
        await a.promoted({ metrics: `accuracy=0.9${i}` }, { sha: ca[i]! });
        cb[i] = await b.commit(`b${i}`);
        db[i] = await b.build('docker-manifest', cb[i]!);
        const r = await b.promoted({ metrics: `accuracy=0.99` }, { sha: cb[i]! });
        // previous-digest is model-b's, never model-a's newer entry.
        expect(r.outputs['previous-digest']).toBe(i === 1 ? '' : db[1]);
      }
      // model-a's next build goes to canary only.
      const ca3 = await a.commit('a3');
      const da3 = await a.build('oci-index', ca3);
      const canary = await a.promoted({ tags: 'canary', 'git-tag': '', metrics: 'accuracy=0.97' }, { sha: ca3 });
      expect(canary.outputs['previous-digest']).toBe('');
      expect(await a.served('stable')).toBe(da[2]);

      // The gate for model-a compares with model-a's stable (0.92), not model-b's (0.99) nor the canary.
      const ca4 = await a.commit('a4');
      await a.build('docker-manifest', ca4);
      const gated = await a.run({ metrics: 'accuracy=0.91', 'max-regression': 'accuracy:higher=0.02', 'dry-run': 'true' }, { sha: ca4 });
      expect(gated.errors, gated.stdout).toEqual([]);
      expect(gated.summary).toContain(`Metrics baseline: ${ca[2]!.slice(0, 7)}`);
      expect(gated.summary).toMatch(/\| accuracy \| 0\.92 \| 0\.91 \|/);
      const refused = await a.run({ metrics: 'accuracy=0.85', 'max-regression': 'accuracy:higher=0.02', 'dry-run': 'true' }, { sha: ca4 });
      expect(refused.errors).toEqual([expect.stringMatching(/^Not promoted: accuracy 0\.92 → 0\.85/)]);

      // ledger:previous on stable: model-a goes back to a1 (not forward to the canary, not to model-b's digest).
      const head = await a.commit('head');
      const backA = await a.promoted({ source: 'ledger:previous' }, { sha: head });
      expect(backA.outputs.digest).toBe(da[1]);
      expect(backA.outputs.digest).not.toBe(da3);
      expect((await a.expectConsistent()).commit).toBe(ca[1]);
      expect(await a.served('canary')).toBe(da3);
      const backB = await b.promoted({ source: 'ledger:previous' }, { sha: head });
      expect(backB.outputs.digest).toBe(db[1]);
      expect((await b.expectConsistent()).commit).toBe(cb[1]);
      // On the canary tag there is nothing before a3.
      const canaryBack = await a.run({ source: 'ledger:previous', tags: 'canary', 'git-tag': '' }, { sha: head });
      expect(canaryBack.errors).toEqual([expect.stringMatching(/^Input "source": ledger:previous found no earlier good build of .*model-a.* below/)]);
      expect(await a.served('canary')).toBe(da3);
    }, T);

    it('a build marked ⛔ is never a rollback target, until a ✅ after the marker makes it eligible again', async () => {
      const l = lane('marked');
      const c: string[] = [];
      const d: string[] = [];
      for (let i = 1; i <= 2; i++) {
        c[i] = await l.commit(`v${i}`);
        d[i] = await l.build('oci-index', c[i]!);
        await l.promoted({}, { sha: c[i]! });
      }
      await appendByHand(world, `### ⛔ ${c[1]!.slice(0, 7)}\nCommit: ${c[1]}\nStatus: ⛔ Rolled back\nReason: leaked memory in production`);
      const head = await l.commit('head');
      const before = await l.state();
      const refused = await l.run({ source: 'ledger:previous' }, { sha: head });
      expect(refused.code).toBe(1);
      expect(refused.errors).toEqual([expect.stringMatching(/^Input "source": ledger:previous found no earlier good build/)]);
      const byKey = await l.run({ source: `ledger:${c[1]!.slice(0, 7)}` }, { sha: head });
      expect(byKey.errors).toEqual([expect.stringMatching(/marked ⛔ Rolled back/)]);
      expect(await l.state()).toEqual(before);

      // Fixed and promoted again (✅ after the marker), then a newer build: v1 is a rollback target again.
      await l.promoted({}, { sha: c[1]! });
      const c3 = await l.commit('v3');
      await l.build('docker-list', c3);
      await l.promoted({}, { sha: c3 });
      const back = await l.promoted({ source: 'ledger:previous' }, { sha: head });
      expect(back.outputs.digest).toBe(d[1]);
      expect((await l.expectConsistent()).commit).toBe(c[1]);
    }, T);

    it('a dispatch of an older build records that build: commit from the source tag, else the revision annotation, else the event', async () => {
      const l = lane('dispatch');
      const old = await l.commit('old');
      const dOld = await l.build('oci-index', old);
      const tip = await l.commit('tip');
      await l.build('oci-index', tip);
      const event = { inputs: { build: old } };
      const r = await l.promoted({ source: old }, { sha: tip, event });
      expect(r.outputs.digest).toBe(dOld);
      expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ status: 'passed', commit: old });
      expect((await l.expectConsistent()).commit).toBe(old);
      expect(r.summary).toContain(`(from source tag ${old})`);

      // By digest: the image's org.opencontainers.image.revision annotation names its commit.
      const annotated = await l.commit('annotated');
      const dAnn = await l.build('oci-index', annotated, { 'org.opencontainers.image.revision': annotated });
      const tip2 = await l.commit('tip2');
      const byDigest = await l.promoted({ source: dAnn }, { sha: tip2, event });
      expect(JSON.parse(byDigest.outputs['ledger-entry']!)).toMatchObject({ status: 'passed', commit: annotated, digest: dAnn });
      expect((await l.expectConsistent()).commit).toBe(annotated);
      expect(byDigest.summary).toContain('org.opencontainers.image.revision');
      // Neither: the event's commit, and the summary says so.
      const plain = await l.commit('plain');
      const dPlain = await l.build('docker-manifest', plain);
      const byPlain = await l.promoted({ source: dPlain }, { sha: tip2, event });
      expect(JSON.parse(byPlain.outputs['ledger-entry']!)).toMatchObject({ status: 'passed', commit: tip2 });
      expect(byPlain.summary).toContain("(from the event's commit)");
    }, T);

    it('a reproducible build (a new commit, the digest of an older entry) is a promotion: ✅ for the new commit, git tag forward', async () => {
      const l = lane('repro');
      const c1 = await l.commit('v1');
      const d1 = await l.build('oci-index', c1);
      await l.promoted({}, { sha: c1 });
      const c2 = await l.commit('v2');
      const d2 = await l.build('docker-manifest', c2);
      await l.promoted({}, { sha: c2 });
      // c3 rebuilds to exactly v1's bytes.
      const c3 = await l.commit('v3');
      const raw = await getManifestRaw(world.registry, l.repository, c1);
      await tagManifest(world.registry, l.repository, { digest: d1, mediaType: raw.contentType!, bytes: raw.bytes }, c3);
      const r = await l.promoted({}, { sha: c3 });
      expect(r.outputs.digest).toBe(d1);
      expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ status: 'passed', commit: c3, digest: d1 });
      expect(r.summary).toContain('Promoted');
      expect((await l.expectConsistent()).commit).toBe(c3);
      // Passed by its digest (build-push-action's output), still a promotion of the event's commit.
      const byDigest = await l.promoted({ source: d1 }, { sha: c3 });
      expect(JSON.parse(byDigest.outputs['ledger-entry']!)).toMatchObject({ status: 'passed', commit: c3 });
      expect(await l.gitTagAt()).toBe(c3);
      // And the build before it on the tag is v2.
      const back = await l.promoted({ source: 'ledger:previous' }, { sha: c3 });
      expect(back.outputs.digest).toBe(d2);
      expect((await l.expectConsistent()).commit).toBe(c2);
    }, T);
  });
}

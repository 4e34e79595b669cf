import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getManifestRaw } from '../support/registry.js';
import { git } from '../support/git-fixture.js';
import { startPromoteWorld, TOKEN, type PromoteWorld } from '../support/promote-world.js';

// promote-to-stable run as the runner runs it, against a real registry, a bare git remote and the GitHub stand-in.
let world: PromoteWorld;
beforeAll(async () => {
  world = await startPromoteWorld();
});
afterAll(async () => world?.stop());

let commitCounter = 0;
async function newCommit(label: string): Promise<string> {
  commitCounter++;
  return world.remote.commit({ [`src/${label}-${commitCounter}.txt`]: `${label} ${commitCounter}\n` }, `${label} ${commitCounter}`);
}

async function manifestRequests(since: number) {
  const log = (await world.registry.accessLog()).slice(since).filter((e) => e.path.includes('/manifests/'));
  return {
    GET: log.filter((e) => e.method === 'GET').length,
    HEAD: log.filter((e) => e.method === 'HEAD').length,
    PUT: log.filter((e) => e.method === 'PUT').length,
    other: log.filter((e) => !['GET', 'HEAD', 'PUT'].includes(e.method)).length,
  };
}

describe('promote-to-stable promotes the tested digest byte for byte', () => {
  for (const kind of ['oci-index', 'docker-list', 'docker-manifest', 'oci-whitespace'] as const) {
    it(`${kind}: stable and latest serve the same bytes, 1 GET + 1 PUT per tag`, async () => {
      const commit = await newCommit(kind);
      const built = await world.candidate(kind, commit);
      const stableBefore = (await world.tagDigest('stable')) ?? '';
      const ledgerNamesStable = /^Tags: stable\b/m.test((await world.ledger()) ?? '');
      const before = (await world.registry.accessLog()).length;
      const r = await world.promote({}, { sha: commit });
      expect(r.errors, r.stdout).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.outputs.digest).toBe(built.digest);
      expect(r.outputs.tags).toBe('stable,latest');
      expect(r.outputs['previous-digest']).toBe(stableBefore);
      // One GET of the source and one PUT per tag. previous-digest comes from the ledger's newest entry for
      // stable; only the very first promotion (nothing in the ledger yet) asks the registry with one HEAD.
      expect(await manifestRequests(before)).toEqual({ GET: 1, HEAD: ledgerNamesStable ? 0 : 1, PUT: 2, other: 0 });
      for (const tag of ['stable', 'latest']) {
        const served = await getManifestRaw(world.registry, world.repository, tag);
        expect(served.status).toBe(200);
        expect(Buffer.compare(served.bytes, built.bytes)).toBe(0);
        expect(served.contentType).toBe(built.mediaType);
        expect(served.digestHeader).toBe(built.digest);
      }
      const entry = JSON.parse(r.outputs['ledger-entry']!);
      expect(entry).toMatchObject({ status: 'passed', commit, digest: built.digest, tags: ['stable', 'latest'] });
      expect(await world.oneLiner()).toBe(commit);
      expect((await world.remote.refs())['refs/tags/stable']).toBe(commit);
      expect(r.summary).toContain('Promoted');
      expect(r.visibleStdout + r.stderr + r.summary + JSON.stringify(r.outputs)).not.toContain(TOKEN);
    });
  }

  it('reports previous-digest and rolls :stable back (digest and ledger:previous), writing ⏪ Restored', async () => {
    const c1 = await newCommit('v1');
    const b1 = await world.candidate('oci-index', c1);
    expect((await world.promote({ metrics: 'accuracy=0.91' }, { sha: c1 })).code).toBe(0);
    const c2 = await newCommit('v2');
    const b2 = await world.candidate('docker-manifest', c2);
    const second = await world.promote({ metrics: 'accuracy=0.92' }, { sha: c2 });
    expect(second.outputs['previous-digest']).toBe(b1.digest);
    expect(await world.tagDigest('stable')).toBe(b2.digest);

    const head = await newCommit('head-after-v2');
    const back = await world.promote({ source: 'ledger:previous' }, { sha: head });
    expect(back.errors, back.stdout).toEqual([]);
    expect(back.outputs.digest).toBe(b1.digest);
    expect(back.outputs['previous-digest']).toBe(b2.digest);
    expect(await world.tagDigest('stable')).toBe(b1.digest);
    expect(await world.tagDigest('latest')).toBe(b1.digest);
    const restored = JSON.parse(back.outputs['ledger-entry']!);
    expect(restored).toMatchObject({ status: 'restored', commit: c1, digest: b1.digest });
    expect(await world.ledger()).toContain('Status: ⏪ Restored');
    // The git tag goes back with the image; the one-liner still names the newest ✅ entry.
    expect((await world.remote.refs())['refs/tags/stable']).toBe(c1);
    expect(await world.oneLiner()).toBe(c2);

    // Forward again by digest with rollback: true: a restore of the build the ledger knows for that digest.
    // Without the rollback input the same digest is a promotion (intent decides, never a matching digest).
    const fwd = await world.promote({ source: b2.digest, rollback: 'true' }, { sha: head });
    expect(fwd.code).toBe(0);
    expect(await world.tagDigest('stable')).toBe(b2.digest);
    expect(JSON.parse(fwd.outputs['ledger-entry']!)).toMatchObject({ status: 'restored', commit: c2, replaced: b1.digest });
  });

  it('refuses a metrics regression against the current stable entry and changes nothing', async () => {
    const c1 = await newCommit('good-model');
    const b1 = await world.candidate('docker-manifest', c1);
    expect((await world.promote({ metrics: 'accuracy=0.95, rmse=0.10' }, { sha: c1 })).code).toBe(0);
    const c2 = await newCommit('worse-model');
    await world.candidate('oci-index', c2);
    const ledgerBefore = await world.ledger();
    const refsBefore = await world.remote.refs();
    const r = await world.promote({ metrics: 'accuracy=0.90, rmse=0.10', 'max-regression': 'accuracy:higher=0.02, rmse:lower=0.05' }, { sha: c2 });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/accuracy 0\.95 → 0\.9/);
    expect(await world.tagDigest('stable')).toBe(b1.digest);
    expect(await world.ledger()).toBe(ledgerBefore);
    expect(await world.remote.refs()).toEqual(refsBefore);
    // Within the limit it promotes.
    // Within the limit it promotes; metrics given as the JSON a training script writes read the same.
    const ok = await world.promote({ metrics: '{"accuracy": 0.94, "rmse": 0.104}', 'max-regression': 'accuracy:higher=0.02, rmse:lower=0.05' }, { sha: c2 });
    expect(ok.errors).toEqual([]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.outputs['ledger-entry']!)).toMatchObject({ commit: c2, metrics: { accuracy: 0.94, rmse: 0.104 } });
    expect((await world.ledger())?.trimEnd()).toMatch(new RegExp(`Commit: ${c2}\\n(?:.*\\n)*Metrics: accuracy=0\\.94, rmse=0\\.104$`));
  });

  it('an owner in uppercase (ghcr.io/${{ github.repository }}) means the lowercase repository, and says so', async () => {
    const c = await newCommit('case');
    const built = await world.candidate('docker-manifest', c);
    const image = world.image.replace('acme/app', 'Acme/App');
    expect(image).not.toBe(world.image);
    const r = await world.promote({ image }, { sha: c });
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.visibleStdout).toContain(`using ${world.image} (registries keep repository names in lowercase)`);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ image: world.image, digest: built.digest });
  });

  it('on workflow_run, promotes the triggering run\'s head commit, not github.sha (the default branch tip)', async () => {
    const tested = await newCommit('wr-tested');
    const built = await world.candidate('oci-index', tested);
    const tip = await newCommit('wr-tip'); // pushed after the tested run started; its image is not built yet
    const r = await world.promote({}, {
      sha: tip,
      env: { GITHUB_EVENT_NAME: 'workflow_run' },
      event: { workflow_run: { head_sha: tested, head_branch: 'main', conclusion: 'success' } },
    });
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.outputs.digest).toBe(built.digest);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ commit: tested, digest: built.digest });
    expect((await world.remote.refs())['refs/tags/stable']).toBe(tested);
  });

  it('on a tag push (no branch), writes the ledger to the repository\'s default branch from the event', async () => {
    const c = await newCommit('release');
    const built = await world.candidate('docker-manifest', c);
    await git(world.remote.bare, ['branch', '-f', 'trunk', 'refs/heads/main']);
    const mainBefore = await world.remote.head('main');
    const r = await world.promote({}, {
      sha: c,
      env: { GITHUB_REF: 'refs/tags/v1.0.0' },
      event: { ref: 'refs/tags/v1.0.0', repository: { default_branch: 'trunk' } },
    });
    expect(r.errors, r.stdout).toEqual([]);
    expect(await world.remote.head('main')).toBe(mainBefore);
    const ledger = (await world.remote.show('refs/heads/trunk', 'docs/ML_EXPERIMENT_RESULTS.md')) ?? '';
    expect(ledger).toContain(`Commit: ${c}`);
    expect(ledger).toContain(built.digest);
  });

  it('finds the build under docker/metadata-action\'s sha-<short> tag when there is no full-SHA tag, and says so', async () => {
    const c = await newCommit('metadata-action');
    const built = await world.candidate('oci-index', `sha-${c.slice(0, 7)}`);
    const r = await world.promote({}, { sha: c });
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.visibleStdout).toContain(`no tag ${c}; using sha-${c.slice(0, 7)}`);
    expect(r.outputs.digest).toBe(built.digest);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ commit: c, digest: built.digest });
  });

  it('dry-run resolves everything and changes nothing', async () => {
    const c = await newCommit('dry');
    const built = await world.candidate('oci-index', c);
    const stableBefore = await world.tagDigest('stable');
    const ledgerBefore = await world.ledger();
    const refsBefore = await world.remote.refs();
    const before = (await world.registry.accessLog()).length;
    const r = await world.promote({ 'dry-run': 'true' }, { sha: c });
    expect(r.code).toBe(0);
    expect(r.outputs.digest).toBe(built.digest);
    expect(r.summary).toMatch(/Dry run/);
    expect(await world.tagDigest('stable')).toBe(stableBefore);
    expect(await world.ledger()).toBe(ledgerBefore);
    expect(await world.remote.refs()).toEqual(refsBefore);
    expect((await manifestRequests(before)).PUT).toBe(0);
  });

  it('ledger-write git commits as github-actions[bot] with [skip ci] and pushes the tag', async () => {
    const c = await newCommit('git-mode');
    const built = await world.candidate('docker-list', c);
    const workspace = await world.remote.clone(`ws-git-${c.slice(0, 7)}`, { depth: 1 });
    await git(workspace, ['config', 'user.name', 'Someone Else']);
    const r = await world.promote({ 'ledger-write': 'git' }, { sha: c, workspace });
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.oneLiner()).toBe(c);
    const author = await git(world.remote.bare, ['log', '-1', '--format=%an <%ae>|%s', 'refs/heads/main']);
    expect(author).toMatch(/^github-actions\[bot\] <41898282\+github-actions\[bot\]@users\.noreply\.github\.com>\|.*\[skip ci\]/);
    expect((await world.remote.refs())['refs/tags/stable']).toBe(c);
  });
});

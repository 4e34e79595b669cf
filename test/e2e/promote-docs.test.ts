import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readActionYml } from '../support/action-yml.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { git } from '../support/git-fixture.js';
import { LEDGER, startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

// What actions/promote-to-stable/README.md and action.yml promise and no other test pins down, checked on
// the bundle as the runner runs it: real registry, bare git remote, GitHub API stand-in.
let world: PromoteWorld;
beforeAll(async () => {
  world = await startPromoteWorld();
});
afterAll(async () => world?.stop());

const OUTPUTS = Object.keys(readActionYml('promote-to-stable').outputs ?? {});
/** Edits the ledger by hand on top of what the runs wrote through the API (the work clone is behind them). */
async function editLedger(text: (current: string) => string, message: string): Promise<void> {
  await git(world.remote.work, ['fetch', '-q', 'origin']);
  await git(world.remote.work, ['reset', '-q', '--hard', 'origin/main']);
  await world.remote.commit({ [LEDGER]: text((await world.ledger()) ?? '') }, message);
}

let n = 0;
function commit(label: string): Promise<string> {
  n++;
  return world.remote.commit({ [`src/${label}-${n}.txt`]: `${label} ${n}\n` }, `${label} ${n}`);
}

describe('promote-to-stable inputs, as documented', () => {
  it('source ledger:<version> and ledger:<short sha> roll back to a hand-written entry; a ⛔ build is refused, nothing changed', async () => {
    const c1 = await commit('hand-1');
    const b1 = await world.candidate('oci-index', `build-${c1.slice(0, 7)}`);
    const c2 = await commit('hand-2');
    const b2 = await world.candidate('docker-manifest', `build-${c2.slice(0, 7)}`);
    const c3 = await commit('hand-3');
    const b3 = await world.candidate('docker-list', c3);
    // A ledger kept by hand before greenline: bold fields, a list, a table row with a ⛔ marker, CRLF.
    const handWritten = [
      '# Releases',
      '',
      '## v1.2.0',
      `**Commit:** \`${c1.slice(0, 7)}\``,
      '**Status:** ✅ Passed',
      '**Version:** v1.2.0',
      `**Image:** ${world.image}@${b1.digest}`,
      '',
      `- Commit: ${c2}`,
      '- Status: passed',
      `- Image: ${world.image}@${b2.digest}`,
      '',
    ].join('\r\n');
    await editLedger(() => handWritten, 'ledger by hand');
    const promoted = await world.promote({}, { sha: c3 });
    expect(promoted.errors, promoted.stdout).toEqual([]);
    expect(await world.tagDigest('stable')).toBe(b3.digest);

    const byVersion = await world.promote({ source: 'ledger:v1.2.0' }, { sha: c3 });
    expect(byVersion.errors, byVersion.stdout).toEqual([]);
    expect(byVersion.outputs).toMatchObject({ digest: b1.digest, 'previous-digest': b3.digest, tags: 'stable,latest' });
    expect(JSON.parse(byVersion.outputs['ledger-entry']!)).toMatchObject({ status: 'restored', commit: c1.slice(0, 7), version: 'v1.2.0', digest: b1.digest });
    expect(await world.tagDigest('stable')).toBe(b1.digest);
    // Only a short SHA in the ledger: the git tag stays where it was, and the log says why.
    expect((await world.remote.refs())['refs/tags/stable']).toBe(c3);
    expect(byVersion.warnings.join('\n')).toMatch(/Git tag stable not moved: the ledger has only the short commit/);

    const bySha = await world.promote({ source: `ledger:${c2.slice(0, 9)}` }, { sha: c3 });
    expect(bySha.errors, bySha.stdout).toEqual([]);
    expect(bySha.outputs.digest).toBe(b2.digest);
    expect(await world.tagDigest('latest')).toBe(b2.digest);
    expect((await world.remote.refs())['refs/tags/stable']).toBe(c2);

    // Marked ⛔ later (a table row, as a person would add it): never picked again.
    await editLedger((ledger) => `${ledger}\n| Commit | Status |\n|---|---|\n| ${c1.slice(0, 7)} | ⛔ Rolled back |\n`, 'mark v1.2.0 bad');
    const refsBefore = await world.remote.refs();
    const refused = await world.promote({ source: 'ledger:v1.2.0' }, { sha: c3 });
    expect(refused.code).toBe(1);
    expect(refused.errors).toEqual(['Input "source": ledger:v1.2.0: it is marked ⛔ Rolled back']);
    expect(await world.tagDigest('stable')).toBe(b2.digest);
    expect(await world.remote.refs()).toEqual(refsBefore);
  });

  it('ledger-write: none writes no ledger and still moves the git tag (refs API); git-tag empty leaves git tags alone', async () => {
    const c = await commit('no-ledger');
    const built = await world.candidate('oci-index', c);
    const ledgerBefore = await world.ledger();
    const r = await world.promote({ 'ledger-write': 'none' }, { sha: c });
    expect(r.errors, r.stdout).toEqual([]);
    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.ledger()).toBe(ledgerBefore);
    expect((await world.remote.refs())['refs/tags/stable']).toBe(c);
    // The entry that was not written is still the output: what a ledger would have said.
    expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ status: 'passed', commit: c, digest: built.digest });

    const c2 = await commit('no-git-tag');
    const b2 = await world.candidate('docker-manifest', c2);
    const refsBefore = await world.remote.refs();
    const quiet = await world.promote({ 'git-tag': '' }, { sha: c2 });
    expect(quiet.errors, quiet.stdout).toEqual([]);
    expect(await world.tagDigest('stable')).toBe(b2.digest);
    const refsAfter = await world.remote.refs();
    expect(refsAfter['refs/tags/stable']).toBe(refsBefore['refs/tags/stable']);
    expect(Object.keys(refsAfter).filter((k) => k.startsWith('refs/tags/'))).toEqual(Object.keys(refsBefore).filter((k) => k.startsWith('refs/tags/')));
    expect((await world.ledger()) ?? '').toContain(`Commit: ${c2}`);
  });

  it('tags: a newline list (repeats once) is what moves and what the tags output says; previous-digest is empty for a new tag', async () => {
    const c = await commit('tags');
    const built = await world.candidate('docker-list', c);
    const r = await world.promote({ tags: 'prod-eu\nprod-us\nprod-eu\n' }, { sha: c });
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.outputs).toMatchObject({ digest: built.digest, 'previous-digest': '', tags: 'prod-eu,prod-us' });
    expect(await world.tagDigest('prod-eu')).toBe(built.digest);
    expect(await world.tagDigest('prod-us')).toBe(built.digest);
    expect(JSON.parse(r.outputs['ledger-entry']!).tags).toEqual(['prod-eu', 'prod-us']);
  });

  it.each([
    ['sha-<40> (metadata-action format=long)', (c: string) => `sha-${c}`],
    ['<7> (a short SHA)', (c: string) => c.slice(0, 7)],
  ])('the default source finds the commit under %s and the log says which tag was used', async (_name, alias) => {
    const c = await commit('alias');
    const built = await world.candidate('oci-index', alias(c));
    const r = await world.promote({}, { sha: c });
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.visibleStdout).toContain(`no tag ${c}; using ${alias(c)}`);
    expect(r.outputs.digest).toBe(built.digest);
    expect(await world.tagDigest('stable')).toBe(built.digest);
  });
});

describe('promote-to-stable outputs, as documented', () => {
  it('a dry run writes every output: what would happen, nothing changed', async () => {
    const c = await commit('dry-outputs');
    const built = await world.candidate('docker-manifest', c);
    const stableBefore = await world.tagDigest('stable');
    const r = await world.promote({ 'dry-run': 'true', metrics: 'accuracy=0.9' }, { sha: c });
    expect(r.code, r.stdout).toBe(0);
    expect(Object.keys(r.outputs).sort()).toEqual([...OUTPUTS].sort());
    expect(r.outputs).toMatchObject({ digest: built.digest, 'previous-digest': stableBefore, tags: 'stable,latest' });
    expect(JSON.parse(r.outputs['ledger-entry']!)).toMatchObject({ status: 'passed', commit: c, digest: built.digest, metrics: { accuracy: 0.9 } });
    expect(await world.tagDigest('stable')).toBe(stableBefore);
  });

  it('a refused promotion (metrics regression) fails with every output written, and tags empty: no tag moved', async () => {
    const c1 = await commit('baseline');
    const b1 = await world.candidate('oci-index', c1);
    expect((await world.promote({ metrics: 'accuracy=0.95' }, { sha: c1 })).code).toBe(0);
    const c2 = await commit('regressed');
    const b2 = await world.candidate('oci-index', c2);
    const r = await world.promote({ metrics: 'accuracy=0.80', 'max-regression': 'accuracy:higher=0.01' }, { sha: c2 });
    expect(r.code).toBe(1);
    expect(Object.keys(r.outputs).sort()).toEqual([...OUTPUTS].sort());
    expect(r.outputs).toMatchObject({ digest: b2.digest, 'previous-digest': b1.digest, tags: '' });
    expect(await world.tagDigest('stable')).toBe(b1.digest);
  });

  it('a partial promotion fails with tags naming only the tag that moved', async () => {
    const own = await startPromoteWorld();
    const proxy = await startFaultProxy(own.registry.url);
    try {
      const c = await own.remote.commit({ 'p.txt': '1' }, 'partial');
      const built = await own.candidate('oci-index', c);
      proxy.addFault({ method: 'PUT', path: /manifests\/latest$/, times: 50, fault: { kind: 'status', status: 503 } });
      const r = await own.promote({ image: `${proxy.host}/${own.repository}` }, { sha: c });
      expect(r.code).toBe(1);
      expect(r.errors[0]).toMatch(/stable moved to sha256:.*latest NOT moved/);
      expect(Object.keys(r.outputs).sort()).toEqual([...OUTPUTS].sort());
      expect(r.outputs).toMatchObject({ digest: built.digest, 'previous-digest': '', tags: 'stable' });
    } finally {
      await proxy.stop();
      await own.stop();
    }
  });
});

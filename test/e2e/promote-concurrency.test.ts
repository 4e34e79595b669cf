import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLedger } from '../../src/core/ledger/index.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { git } from '../support/git-fixture.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

// Twenty promotions at once must leave twenty ledger entries, through the contents API (blob sha compare-and-swap)
// and through git (rejected push → fetch, re-apply, retry). The bare remote refuses non-fast-forward pushes,
// so a force push anywhere would fail the test.
const N = 20; // issue 2 asks for 10, issue 6 for 20
// Twenty bundle runs at once, each retrying its contended write: on 2 busy cores that took over 120 s (the
// suite's default). The bound is for a hang, not a speed (bench/ measures speed).
const RACE_TIMEOUT = 600_000;
let world: PromoteWorld;
beforeAll(async () => {
  world = await startPromoteWorld();
});
afterAll(async () => world?.stop());

async function commits(label: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < N; i++) out.push(await world.remote.commit({ [`${label}/${i}.txt`]: `${i}\n` }, `${label} ${i}`));
  for (const c of out) await world.candidate('docker-manifest', c);
  return out;
}

async function passedCommits(): Promise<string[]> {
  const parsed = parseLedger((await world.ledger()) ?? '');
  expect(parsed.warnings).toEqual([]);
  return parsed.entries.filter((e) => e.status === 'passed').map((e) => e.commit);
}

describe(`${N} concurrent promotions lose no ledger entry`, () => {
  it('ledger-write: api', async () => {
    const shas = await commits('api');
    const before = await passedCommits();
    const results = await Promise.all(shas.map((sha) => world.promote({}, { sha })));
    for (const r of results) expect(r.errors, r.stdout).toEqual([]);
    const after = await passedCommits();
    expect(after.length - before.length).toBe(N);
    expect(new Set(after.slice(before.length))).toEqual(new Set(shas));
    // The git tag follows a promoted commit, and :stable serves one of the promoted digests.
    expect(shas).toContain((await world.remote.refs())['refs/tags/stable']);
  }, RACE_TIMEOUT);

  it('ledger-write: git (each run in its own checkout)', async () => {
    const shas = await commits('git');
    const before = await passedCommits();
    const workspaces = await Promise.all(shas.map((sha, i) => world.remote.clone(`ws-concurrent-${i}`, { depth: 1 })));
    const results = await Promise.all(shas.map((sha, i) => world.promote({ 'ledger-write': 'git' }, { sha, workspace: workspaces[i] })));
    for (const r of results) expect(r.errors, r.stdout).toEqual([]);
    const after = await passedCommits();
    expect(after.length - before.length).toBe(N);
    expect(new Set(after.slice(before.length))).toEqual(new Set(shas));
    // Every update of main was a fast-forward: the history holds each ledger commit once, as the bot.
    const log = await git(world.remote.bare, ['log', '--format=%an|%s', `-${N}`, 'refs/heads/main']);
    for (const line of log.split('\n')) expect(line).toMatch(/^github-actions\[bot\]\|.*\[skip ci\]/);
    expect(shas).toContain((await world.remote.refs())['refs/tags/stable']);
  }, RACE_TIMEOUT);
});

describe('a promotion and a rollback of :stable racing', () => {
  it('ends on one of the two, and the ledger\'s newest entry says which', async () => {
    // Two good builds first, so that ledger:previous always has somewhere to go back to.
    for (const label of ['first', 'second']) {
      const c = await world.remote.commit({ [`race/${label}.txt`]: 'x' }, `race ${label}`);
      await world.candidate('docker-list', c);
      expect((await world.promote({}, { sha: c })).code).toBe(0);
    }
    for (let round = 0; round < 5; round++) {
      const base = await world.remote.commit({ [`race/${round}-base.txt`]: 'x' }, `race base ${round}`);
      await world.candidate('oci-index', base);
      expect((await world.promote({}, { sha: base })).code).toBe(0);
      const next = await world.remote.commit({ [`race/${round}-next.txt`]: 'x' }, `race next ${round}`);
      await world.candidate('docker-manifest', next);
      const [promotion, rollback] = await Promise.all([world.promote({}, { sha: next }), world.promote({ source: 'ledger:previous' }, { sha: next })]);
      expect(promotion.errors, promotion.stdout).toEqual([]);
      expect(rollback.errors, rollback.stdout).toEqual([]);
      const entries = parseLedger((await world.ledger()) ?? '').entries;
      const newest = [...entries].reverse().find((e) => (e.status === 'passed' || e.status === 'restored') && e.tags.includes('stable'));
      const served = await world.tagDigest('stable');
      expect([promotion.outputs.digest, rollback.outputs.digest]).toContain(served);
      expect(newest?.digest).toBe(served);
      expect(await world.tagDigest('latest')).toBe(served);
    }
  }, RACE_TIMEOUT);
});


describe('a promotion whose PUTs interleave with a rollback\'s, tag by tag', () => {
  // The order that once left :latest behind, forced rather than hoped for: the promotion's PUT of :latest
  // lands, the whole rollback runs (both its PUTs, its ledger entry), then the promotion's held PUT of :stable
  // lands and it appends last. :stable and the ledger agree on the promotion, so a check of :stable alone
  // sees nothing wrong, while :latest still serves the rollback.
  it('every tag ends on the ledger\'s newest entry, not only the first', async () => {
    const proxy = await startFaultProxy(world.registry.url);
    try {
      const image = `${proxy.host}/${world.repository}`;
      for (const label of ['first', 'second']) {
        const c = await world.remote.commit({ [`interleave/${label}.txt`]: 'x' }, `interleave ${label}`);
        await world.candidate('oci-index', c);
        expect((await world.promote({ image }, { sha: c })).code).toBe(0);
      }
      const next = await world.remote.commit({ 'interleave/next.txt': 'x' }, 'interleave next');
      const built = await world.candidate('docker-manifest', next);
      let release!: () => void;
      proxy.addFault({ method: 'PUT', path: /manifests\/stable$/, fault: { kind: 'hold', release: new Promise<void>((r) => (release = r)) } });
      // Only the promotion runs until both its PUTs have reached the proxy: :stable held, :latest landed.
      const seen = proxy.requests.length;
      const promotion = world.promote({ image }, { sha: next });
      const put = (tag: string) => proxy.requests.slice(seen).find((q) => q.method === 'PUT' && q.path.endsWith(`/manifests/${tag}`));
      for (const until = Date.now() + 30_000; !(put('stable')?.outcome === 'hold' && put('latest')?.upstreamStatus === 201); ) {
        if (Date.now() > until) throw new Error('the promotion never held its PUT of :stable and landed its PUT of :latest');
        await new Promise((r) => setTimeout(r, 20));
      }
      const rollback = await world.promote({ image, source: 'ledger:previous' }, { sha: next });
      expect(rollback.errors, rollback.stdout).toEqual([]);
      expect(await world.tagDigest('latest')).toBe(rollback.outputs.digest);
      release();
      const promoted = await promotion;
      expect(promoted.errors, promoted.stdout).toEqual([]);

      const entries = parseLedger((await world.ledger()) ?? '').entries;
      expect(entries.at(-1)).toMatchObject({ status: 'passed', commit: next, digest: built.digest });
      expect(entries.at(-2)).toMatchObject({ status: 'restored', digest: rollback.outputs.digest });
      expect(await world.tagDigest('stable')).toBe(built.digest);
      expect(await world.tagDigest('latest')).toBe(built.digest);
      expect(promoted.summary).toMatch(/concurrent run moved latest/);
    } finally {
      await proxy.stop();
    }
  });
});

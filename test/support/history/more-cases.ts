/**
 * Further real-world histories for issue 9, beyond test/support/history/cases.ts: the ones a release engineer
 * attacking the rules would try next (fast-forward merges, reverts of reverts, a ledger deleted and re-created
 * or moved, a short SHA two commits share, a failing commit force-pushed away…). Same table shape, same runner:
 * test/e2e/history-more-cases.test.ts runs each for method api and method git.
 *
 * Naming in `shas` as in cases.ts: b = the first commit (✅), g/g1/g2 = builds that passed, f = broken code,
 * l* = `[skip ci]` ledger commits, r = a greenline revert, v/vv = a person's revert and the revert of it.
 */
import { createHash } from 'node:crypto';
import { renderEntry } from '../../../src/core/ledger/render.js';
import { appendBlock, git, type HistoryRepo, LEDGER, passedEntry } from './repo.js';
import { app, broken, done, goodThenBroken, start } from './builders.js';
import type { HistoryCase } from './types.js';

/** The tree the index would have with `files` written over HEAD's (the work tree is put back to HEAD after). */
async function treeWith(h: HistoryRepo, files: Record<string, string>): Promise<string> {
  await h.write(files);
  await git(h.work, ['add', '-A']);
  const tree = await git(h.work, ['write-tree']);
  await git(h.work, ['reset', '-q', '--hard']);
  return tree;
}

/**
 * Two commits on `parent` whose SHAs share their first 7 hex digits: one with `treeA` ("feat: v3"), one with
 * `treeB` ("feat: export"), told apart by a Gerrit-style Change-Id. A birthday search over both (about 2^14
 * SHA-1s each), written as real objects.
 */
async function collidingCommits(h: HistoryRepo, parent: string, treeA: string, treeB: string): Promise<[string, string]> {
  const when = `${Math.floor((Date.now() - 2 * 24 * 3600_000) / 1000)} +0000`;
  const person = `Dev Eloper <dev@example.com> ${when}`;
  const body = (tree: string, subject: string, n: number) =>
    `tree ${tree}\nparent ${parent}\nauthor ${person}\ncommitter ${person}\n\n${subject}\n\nChange-Id: I${n.toString(16).padStart(40, '0')}\n`;
  const sha = (text: string) => createHash('sha1').update(`commit ${Buffer.byteLength(text)}\0`).update(text).digest('hex');
  const seenA = new Map<string, string>();
  const seenB = new Map<string, string>();
  for (let n = 0; n < 1 << 22; n++) {
    const a = body(treeA, 'feat: v3', n);
    const b = body(treeB, 'feat: export', n);
    seenA.set(sha(a).slice(0, 7), a);
    seenB.set(sha(b).slice(0, 7), b);
    const hit = seenB.get(sha(a).slice(0, 7));
    const hit2 = seenA.get(sha(b).slice(0, 7));
    const pair = hit ? [a, hit] : hit2 ? [hit2, b] : undefined;
    if (!pair) continue;
    const written: string[] = [];
    for (const text of pair) written.push(await git(h.work, ['hash-object', '-t', 'commit', '-w', '--stdin'], { input: text }));
    if (written[0]!.slice(0, 7) !== written[1]!.slice(0, 7)) throw new Error('the two commits do not share a 7-digit prefix');
    return [written[0]!, written[1]!];
  }
  throw new Error('no 7-digit SHA collision found');
}

/** The ledger deleted two commits before the failure, then re-created without entries (optionally a shallow checkout). */
function recreatedLedger(depth?: number): HistoryCase {
  return {
    name: `the ledger was deleted two commits before the failure and re-created empty${depth ? `, method git from a depth-${depth} checkout` : ''}`,
    expect: 'the re-created ledger has no entry: g is found from the nearest first-parent ledger that has one; the revert keeps the new ledger as it is',
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['reset', '-q', '--hard', s.lg!]);
      const d = await h.commit('chore: drop the results file', { [LEDGER]: null });
      const c = await h.commit('docs: start a fresh results file', { [LEDGER]: '# ML experiment results\n\nEntries before 2025 are in the wiki.\n' });
      const f = await h.commit('feat: v3 (broken)', broken());
      return done(h, f, { ...s, d, c, f });
    },
    ...(depth ? { depth, notFor: { api: 'a shallow checkout is method git only (the api run is the case above)' } } : {}),
    find: 'g',
    outcome: 'reverted',
  };
}

export const MORE_CASES: HistoryCase[] = [
  {
    name: "fast-forward merge of develop (its ✅ build is now on main's first-parent chain), develop's tip fails on main",
    expect: "develop's commits became main's own first-parent history: its ✅ build d1 is main's last good build and is restored",
    async build(h) {
      await start(h);
      await h.on('develop', await h.head());
      const d1 = await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.pass(d1);
      const d2 = await h.commit('feat: search v2 (broken)', { 'search.py': 'v2\n', ...broken('search') });
      await h.on('main');
      await git(h.work, ['merge', '-q', '--ff-only', 'develop']);
      return done(h, d2, { d1, d2 });
    },
    find: 'd1',
    outcome: 'reverted',
  },
  {
    name: "develop's ✅ build merged --no-ff while main had not moved: the merge has develop's ✅ tree, and fails",
    expect: "the merge's code is exactly develop's ✅ build d (its tip is d's [skip ci] ledger commit): not a regression, nothing reverted, no ⛔",
    async build(h) {
      const b = await start(h);
      await h.on('develop', b);
      const d = await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.pass(d);
      await h.on('main');
      const m = await h.merge("Merge branch 'develop'", ['develop']);
      return done(h, m, { b, d });
    },
    find: 'b',
    outcome: 'not-a-regression',
  },
  {
    name: "a person reverts greenline's revert (re-landing the broken code) and CI fails again",
    expect: "the re-landed code is f's, which never passed: a regression; g (the tree greenline's revert restored) is restored on top of the person's commit, no ⛔",
    async build(h) {
      const s = await goodThenBroken(h);
      const r = await h.greenlineRevert(s.f!, s.g!);
      const vv = await h.revert(r);
      return done(h, vv, { ...s, r, vv });
    },
    find: 'g',
    outcome: 'reverted',
  },
  {
    name: 'a person reverts a ✅ feature, then reverts that revert (re-landing the ✅ code), and CI fails',
    expect: "the re-landed tree is x's, which passed (✅, never rolled back): the failure is not caused by the code, nothing reverted, no ⛔",
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const x = await h.commit('feat: export', { 'export.py': 'v1\n' });
      await h.pass(x);
      const v = await h.revert(x);
      await h.pass(v);
      const vv = await h.revert(v);
      return done(h, vv, { g, x, v });
    },
    find: 'v',
    outcome: 'not-a-regression',
  },
  {
    name: 'a person re-lands (revert of the revert) a build that was ⛔ rolled back in production, and CI fails',
    expect: "x's tree passed tests but failed in production (⛔): not a tree that passed, so it is a regression and v (the revert, ✅) is restored",
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const x = await h.commit('feat: export', { 'export.py': 'v1\n' });
      await h.pass(x);
      await h.rolledBack(x);
      const v = await h.revert(x);
      await h.pass(v);
      const vv = await h.revert(v);
      return done(h, vv, { g, x, v });
    },
    find: 'v',
    outcome: 'reverted',
  },
  recreatedLedger(),
  recreatedLedger(1),
  {
    name: 'CRLF ledger with a UTF-8 BOM, hand-written CRLF entries with trailing spaces',
    expect: 'the newest ✅ g (written by hand, CRLF, trailing blanks) is found; the ledger is kept byte for byte (BOM, CRLF)',
    async build(h) {
      await start(h, Buffer.from('\uFEFF# ML experiment results\r\n\r\nKept by the ML team.\r\n'));
      const g = await h.commit('feat: v2', app('v2'));
      await h.ledgerCommit(`### ${g.slice(0, 7)}  \nCommit: ${g}  \nStatus: ✅ Tests Passed  `, 'docs: ledger: v2 passed');
      const x = await h.commit('feat: v3', app('v3'));
      await h.ledgerCommit(`### ${x.slice(0, 7)}\nCommit: ${x}\nStatus: ❌ Tests Failed  `, 'docs: ledger: v3 failed [skip ci]');
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g, x });
    },
    find: 'g',
    outcome: 'reverted',
  },
  {
    name: 'a short (7-character) SHA in the ledger that two commits share: a feature branch commit and a main commit',
    expect: 'the ✅ entry abc1234 cannot be told apart (a main commit and a feature commit both start so): it is not taken as a pass for main\'s commit; g1 (full SHA) is restored',
    async build(h) {
      await start(h);
      const g1 = await h.commit('feat: v2', app('v2'));
      await h.pass(g1);
      const parent = await h.head();
      const treeMain = await treeWith(h, app('v3'));
      const treeFeature = await treeWith(h, { 'export.py': 'v1\n' });
      const [g, x] = await collidingCommits(h, parent, treeMain, treeFeature);
      await git(h.work, ['branch', 'feature/export', x]);
      await git(h.work, ['reset', '-q', '--hard', g]);
      // The export pull request's build passed; someone records it in main's ledger with its short SHA.
      await h.hand(x.slice(0, 7), '✅ Tests Passed', 'docs: ledger: export PR build passed [skip ci]');
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g1, g, x });
    },
    find: 'g1',
    outcome: 'reverted',
  },
  {
    name: 'the failing commit was force-pushed away (the old tip kept on a backup branch)',
    expect: 'main no longer contains the failing commit: branch-moved, nothing changed (find still answers for its history)',
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['branch', 'backup/main-before-force-push', s.f!]);
      await h.publish();
      await git(h.work, ['reset', '-q', '--hard', s.lg!]);
      const n = await h.commit('feat: v3, done right', app('v3'));
      return done(h, s.f!, { ...s, n });
    },
    find: 'g',
    outcome: 'branch-moved',
  },
  {
    name: "[skip ci] ledger commits interleaved with people's commits (one untested [skip ci] code change), and two ledger commits on top of the failure",
    expect: 'only ✅ g counts (a tested commit without ✅ and an untested code change are not good builds); the revert goes on top of the ledger commits t2, keeping them',
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const restoredBlock = renderEntry({ status: 'restored', commit: g, timestamp: '2025-01-03T00:00:00Z', image: 'ghcr.io/owner/app', reason: ':stable restored' });
      await h.ledgerCommit(restoredBlock, `greenline: ledger restored ${g.slice(0, 7)} [skip ci]`);
      const a = await h.commit('docs: fix a typo', { 'README.md': '# app\n\nTypo fixed.\n' });
      await h.hand(a, '⏳ running', 'ci: ledger: docs build queued [skip ci]', { bot: true });
      const c = await h.commit('chore: bump version [skip ci]', { VERSION: '1.2.4\n' });
      const f = await h.commit('feat: v3 (broken)', broken());
      await h.hand(f, '❌ Tests Failed', `greenline: ledger failed ${f.slice(0, 7)} [skip ci]`, { bot: true });
      const t2 = await h.ledgerCommit(restoredBlock, `greenline: ledger restored ${g.slice(0, 7)} [skip ci]`);
      return done(h, f, { g, a, c, t2 });
    },
    find: 'g',
    outcome: 'reverted',
    parent: 't2',
  },
  {
    name: "release/1 cut at main's failing commit itself (same SHA on two branches), CI of release/1 fails",
    expect: 'only release/1 (the failing run\'s branch) is reverted, to g; main, at the same commit, is untouched',
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['branch', 'release/1', s.f!]);
      return done(h, s.f!, s, { branch: 'release/1' });
    },
    find: 'g',
    outcome: 'reverted',
  },
  {
    name: 'the ledger was moved to docs/results/ledger.md by an earlier commit; ledger-path names the new path',
    expect: 'the entries at the new path decide: g2 (recorded after the move) is restored, and the moved ledger is kept byte for byte',
    async build(h) {
      const moved = 'docs/results/ledger.md';
      await start(h);
      const g1 = await h.commit('feat: v2', app('v2'));
      await h.pass(g1);
      const before = (await h.ledgerBytes())!;
      const mv = await h.commit('docs: move the results ledger', { [LEDGER]: null, [moved]: before });
      const g2 = await h.commit('feat: v3', app('v3'));
      await h.commit(`greenline: ledger passed ${g2.slice(0, 7)} [skip ci]`, { [moved]: appendBlock(before, renderEntry(passedEntry(g2, 40))) }, { bot: true });
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g1, mv, g2 });
    },
    inputs: { 'ledger-path': 'docs/results/ledger.md' },
    findInputs: { 'ledger-path': 'docs/results/ledger.md' },
    ledgerFiles: ['docs/results/ledger.md'],
    find: 'g2',
    outcome: 'reverted',
  },
];

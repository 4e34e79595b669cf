/**
 * Real-world histories for issue 9 ("History-safe rollback"), each with what a careful release engineer
 * expects from find-last-good-commit and auto-revert when CI fails on the case's failing commit. Each case
 * builds its history once; test/e2e/history-cases.test.ts runs it for method api and method git.
 *
 * Naming in `shas`: b = the first commit (✅), g/g1/g2 = builds that passed, f = broken code, h = a hotfix or
 * the newest ✅ of main, l* = promote-to-stable's `[skip ci]` ledger commits, r* = greenline reverts.
 */
import { renderEntry } from '../../../src/core/ledger/render.js';
import { git, LEDGER } from './repo.js';
import { triggersCi } from './run.js';
import { app, broken, done, goodThenBroken, start } from './builders.js';
import type { HistoryCase } from './types.js';
import { expect } from 'vitest';

const HOUR = 3600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR);

/** A status hand-edited into the ledger for the newer build n: not a pass, so the older g is chosen. */
function handStatus(status: string): HistoryCase {
  return {
    name: `hand-edited status "${status}"`,
    expect: `"${status}" has a negative marker: not a pass, the older ✅ build g is restored`,
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const n = await h.commit('feat: v3', app('v3'));
      await h.hand(n, status, 'docs: ledger: hand-edited status of v3');
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g, n });
    },
    find: 'g',
    outcome: 'reverted',
  };
}

/** A ledger with particular bytes (line endings, BOM, encoding): kept byte for byte by the revert. */
function encodedLedger(name: string, ledger: Buffer, what: string): HistoryCase {
  return {
    name,
    expect: `the revert keeps the ${what} ledger byte for byte, every entry written after g included`,
    async build(h) {
      await start(h, ledger);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const x = await h.commit('feat: v3', app('v3'));
      await h.hand(x, '❌ Tests Failed', 'ci: ledger: v3 failed [skip ci]');
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g, x });
    },
    find: 'g',
    outcome: 'reverted',
  };
}

/** Three greenline reverts (at `hours` ago), then a docs commit with an old committer date that passed, then a failure. */
function dailyCap(name: string, hours: [number, number, number], outcome: 'daily-cap' | 'reverted', expectText: string): HistoryCase {
  return {
    name,
    expect: expectText,
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const shas: Record<string, string> = { g };
      for (const [i, at] of hours.entries()) {
        const fi = await h.commit(`feat: attempt ${i + 1} (broken)`, broken(`attempt ${i + 1}`), { date: ago(at + 0.2) });
        shas[`r${i + 1}`] = await h.greenlineRevert(fi, g, { date: ago(at) });
      }
      // Applied with `git am --committer-date-is-author-date`: its committer date is 40 days old, so a
      // `git log --since=24h` walk stops here and never sees the reverts below.
      const x = await h.commit('docs: README wording', { 'README.md': '# app\n\nThe app.\n' }, { date: ago(40 * 24), committerDate: ago(40 * 24) });
      await h.pass(x, {}, { date: ago(1) });
      const f = await h.commit('feat: v5 (broken)', broken('v5'), { date: ago(0.5) });
      return done(h, f, { ...shas, x });
    },
    find: 'x',
    outcome,
  };
}

export const CASES: HistoryCase[] = [
  {
    name: 'linear history',
    expect: 'the newest ✅ build g is restored on top of the failing commit',
    async build(h) {
      const s = await goodThenBroken(h);
      return done(h, s.f!, s);
    },
    find: 'g',
    outcome: 'reverted',
  },
  {
    name: 'develop (with its own ✅ builds) merged --no-ff into main, the merge fails',
    expect: "main's previous first-parent build h (with the security hotfix) is restored, never develop's tip",
    async build(h) {
      const b = await start(h);
      await h.on('develop', b);
      const d1 = await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.pass(d1);
      const d2 = await h.commit('feat: search v2', { 'search.py': 'v2\n' });
      await h.pass(d2);
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      const m = await h.merge("Merge branch 'develop'", ['develop']);
      return done(h, m, { h: hf, d2 });
    },
    find: 'h',
    outcome: 'reverted',
  },
  {
    name: 'develop merged into main, method git from a depth-1 checkout',
    expect: 'a shallow clone gives the same answer as the API: h, never develop\'s tip',
    async build(h) {
      const b = await start(h);
      await h.on('develop', b);
      const d1 = await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.pass(d1);
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      const m = await h.merge("Merge branch 'develop'", ['develop']);
      const f = await h.commit('feat: v3 (broken)', broken());
      return done(h, f, { h: hf, d1, m });
    },
    depth: 1,
    find: 'h',
    outcome: 'reverted',
  },
  {
    name: 'octopus merge of three ✅ feature branches fails',
    expect: "main's previous first-parent build h is restored; the features' ✅ entries (later in the file) never count",
    async build(h) {
      const b = await start(h);
      const tips: string[] = [];
      for (const name of ['feat-a', 'feat-b', 'feat-c']) {
        await h.on(name, b);
        tips.push(await h.commit(`feat: ${name}`, { [`${name}.py`]: `${name}\n` }));
      }
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      for (const t of tips) await h.pass(t); // the pull requests' builds, recorded after h
      const m = await h.merge('Merge branches feat-a, feat-b and feat-c', ['feat-a', 'feat-b', 'feat-c']);
      return done(h, m, { h: hf });
    },
    find: 'h',
    outcome: 'reverted',
  },
  {
    name: "restore-from-release: release/1 fails, the workflow_run job's checkout is main",
    expect: "release/1 is restored to its own ✅ build r1 from its own ledger (the CVE fix kept); main's ledger and tree are never used, main is untouched",
    async build(h) {
      const b = await start(h);
      await h.on('release/1', b);
      const r1 = await h.commit('fix(security): CVE-2024-1234', { 'lib/auth.py': 'CHECK_TOKEN = True  # CVE-2024-1234\n' });
      await h.pass(r1);
      const r2 = await h.commit('feat: backport (broken)', broken('backport'));
      await h.on('main');
      const m1 = await h.commit('feat: v2', app('v2'));
      await h.pass(m1);
      const m2 = await h.commit('feat: v3', { ...app('v3'), 'search.py': 'v1\n' });
      await h.pass(m2);
      return done(h, r2, { r1, m2 }, { branch: 'release/1', checkout: 'main' });
    },
    find: 'r1',
    outcome: 'reverted',
  },
  {
    name: 'greenline revert, then an empty "retrigger CI" commit fails',
    expect: 'the code is the ✅ tree greenline restored: not a regression (flaky), nothing reverted, no ⛔',
    async build(h) {
      const s = await goodThenBroken(h);
      const r = await h.greenlineRevert(s.f!, s.g!);
      const e = await h.commit('ci: retrigger CI');
      return done(h, e, { ...s, r });
    },
    find: 'g',
    outcome: 'not-a-regression',
  },
  {
    name: "a person's git revert of the bad commit fails",
    expect: 'the reverted code is the ✅ tree of g: not a regression, nothing reverted (never an older build), no ⛔',
    async build(h) {
      const s = await goodThenBroken(h);
      const v = await h.revert(s.f!);
      return done(h, v, s);
    },
    find: 'g',
    outcome: 'not-a-regression',
  },
  {
    name: "greenline's revert pull request merged with a merge commit, CI fails on the merge",
    expect: 'the merge has the tree greenline restored: not a regression, nothing reverted, no ⛔',
    async build(h) {
      const s = await goodThenBroken(h);
      await h.on(`greenline/revert-${s.f!.slice(0, 7)}`, s.f!);
      const r = await h.greenlineRevert(s.f!, s.g!);
      await h.on('main');
      const m = await h.merge(`Merge pull request #12 from owner/greenline/revert-${s.f!.slice(0, 7)}`, [r]);
      await git(h.work, ['branch', '-D', `greenline/revert-${s.f!.slice(0, 7)}`]);
      return done(h, m, { ...s, r });
    },
    find: 'g',
    outcome: 'not-a-regression',
  },
  {
    name: 'a commit that only edits the ledger (no [skip ci]) fails a Markdown lint',
    expect: 'the code is the ✅ build g: not a regression, nothing reverted, g never marked ⛔',
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['reset', '-q', '--hard', s.lg!]);
      const text = (await h.ledgerBytes())!.toString('utf8').replace('# ML experiment results', '# ML Experiment Results');
      const p = await h.commit('docs: capitalise the ledger title', { [LEDGER]: text });
      return done(h, p, s);
    },
    find: 'g',
    outcome: 'not-a-regression',
  },
  {
    name: "promote-to-stable's [skip ci] ledger-only commits land on top of the failing commit",
    expect: 'the revert goes on top of the tip t (not "branch moved"), keeping the entries both ledger commits wrote',
    async build(h) {
      const s = await goodThenBroken(h);
      const block = renderEntry({ status: 'restored', commit: s.g!, timestamp: '2025-01-03T00:00:00Z', image: 'ghcr.io/owner/app', reason: ':stable restored' });
      await h.ledgerCommit(block, `greenline: ledger restored ${s.g!.slice(0, 7)} [skip ci]`);
      const t = await h.hand(s.f!, '❌ Tests Failed', `greenline: ledger failed ${s.f!.slice(0, 7)} [skip ci]`, { bot: true });
      return done(h, s.f!, { ...s, t });
    },
    find: 'g',
    outcome: 'reverted',
    parent: 't',
  },
  {
    name: "someone else's commit on top of the failing commit",
    expect: 'the branch moved: nothing reverted, nothing changed',
    async build(h) {
      const s = await goodThenBroken(h);
      const a = await h.commit('fix: by Alice', { 'app.py': 'print("fixed")\n' });
      return done(h, s.f!, { ...s, a });
    },
    find: 'g',
    outcome: 'branch-moved',
  },
  {
    name: "a [skip ci] ledger commit and then someone else's commit on top",
    expect: 'a person pushed after the failure: branch moved, nothing changed',
    async build(h) {
      const s = await goodThenBroken(h);
      await h.hand(s.f!, '❌ Tests Failed', 'ci: ledger: v3 failed [skip ci]');
      const a = await h.commit('fix: by Alice', { 'app.py': 'print("fixed")\n' });
      return done(h, s.f!, { ...s, a });
    },
    find: 'g',
    outcome: 'branch-moved',
  },
  {
    name: "the failing commit deletes docs/ (the ledger's folder)",
    expect: 'g is still found from the nearest first-parent ledger; the revert brings the ledger back, complete',
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['reset', '-q', '--hard', s.lg!]);
      const f = await h.commit('chore: docs moved to the wiki (breaks the build)', { docs: null, ...broken() });
      return done(h, f, s);
    },
    find: 'g',
    outcome: 'reverted',
    ledgerFrom: 'lg',
  },
  {
    name: 'the failing commit deletes docs/, target-sha given',
    expect: 'the revert to target-sha g brings the ledger back, complete (not left deleted)',
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['reset', '-q', '--hard', s.lg!]);
      const f = await h.commit('chore: docs moved to the wiki (breaks the build)', { docs: null, ...broken() });
      return done(h, f, s);
    },
    inputs: { 'target-sha': '${g}' },
    find: 'g',
    outcome: 'reverted',
    ledgerFrom: 'lg',
  },
  {
    name: 'the ledger is a symlink to ledger/results.md',
    expect: 'the symlink stays a symlink and its real file keeps every entry (h ✅ and its ⛔ included); g restored',
    async build(h) {
      const b = await h.commit('initial', {
        ...app('v1'),
        'README.md': '# app\n',
        'ledger/results.md': '# ML experiment results\n',
        [LEDGER]: { symlink: '../ledger/results.md' },
      });
      await h.pass(b);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const hb = await h.commit('feat: v3', app('v3'));
      await h.pass(hb);
      await h.rolledBack(hb);
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g, h: hb });
    },
    find: 'g',
    outcome: 'reverted',
    ledgerFiles: [LEDGER, 'ledger/results.md'],
  },
  encodedLedger('CRLF ledger', Buffer.from('# ML experiment results\r\n\r\nKept by the ML team.\r\n'), 'CRLF'),
  encodedLedger('ledger with a UTF-8 BOM', Buffer.from('\uFEFF# ML experiment results\n\nKept by the ML team.\n'), 'BOM'),
  encodedLedger('ledger with a non-UTF-8 byte (0xE9, Latin-1 "Résultats")', Buffer.concat([Buffer.from('# R'), Buffer.from([0xe9]), Buffer.from('sultats ML\n\n')]), 'Latin-1'),
  handStatus('~~✅ Tests Passed~~ ⛔ Rolled back'),
  handStatus('✅ Tests Passed (later rolled back)'),
  handStatus('118 passing, 2 failing'),
  handStatus('✅ build ❌ tests'),
  handStatus('❌ Failed'),
  {
    name: 'hand-written status "0 failed, 120 passed"',
    expect: '"0 failed" names no failure: that build n is the last good one',
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const n = await h.commit('feat: v3', app('v3'));
      await h.hand(n, '0 failed, 120 passed', 'docs: ledger: v3 test counts');
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g, n });
    },
    find: 'n',
    outcome: 'reverted',
  },
  {
    name: "an older build's ✅ entry appended late",
    expect: 'the nearer build g2 wins over g1 whose entry is later in the file',
    async build(h) {
      await start(h);
      const g1 = await h.commit('feat: v2', app('v2'));
      const g2 = await h.commit('feat: v3', app('v3'));
      await h.pass(g2);
      await h.pass(g1); // g1's slow pipeline finished last
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g1, g2 });
    },
    find: 'g2',
    outcome: 'reverted',
  },
  {
    name: 'a merge resolves a ledger conflict by dropping the ⛔ line greenline wrote',
    expect: 'h stays rolled back (the Greenline-Rolled-Back trailer holds): g is restored',
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const hb = await h.commit('feat: v3', app('v3'));
      const lh = await h.pass(hb);
      await h.on('feature/x', lh);
      const fx = await h.commit('feat: export', { 'export.py': 'v1\n' });
      await h.hand(fx, '📝 export reviewed', 'docs: ledger note for the export');
      await h.on('main');
      await h.rolledBack(hb);
      const m = await h.merge("Merge branch 'feature/x'", ['feature/x'], { resolveLedger: (_ours, theirs) => theirs });
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g, h: hb, m });
    },
    find: 'g',
    outcome: 'reverted',
  },
  {
    name: '✅ written again after ⛔ (a deliberate re-promotion)',
    expect: 'h is eligible again and restored',
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const hb = await h.commit('feat: v3', app('v3'));
      await h.pass(hb);
      await h.rolledBack(hb);
      await h.pass(hb);
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g, h: hb });
    },
    find: 'h',
    outcome: 'reverted',
  },
  dailyCap('daily cap: 3 greenline reverts in 24 h, then a commit with a 40-day-old committer date', [5, 4, 3], 'daily-cap', 'three reverts today: daily-cap, nothing changed (an old committer date does not hide them)'),
  dailyCap('greenline reverts older than 24 hours', [30, 29, 28], 'reverted', 'reverts of yesterday do not count: the newest ✅ build x is restored'),
  {
    name: 'daily cap counts a merged revert pull request (its second parent)',
    expect: 'two pushed reverts and one merged revert pull request today: daily-cap, nothing changed',
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      for (const at of [5, 4]) {
        const fi = await h.commit(`feat: attempt at ${at}h (broken)`, broken(`${at}`), { date: ago(at + 0.2) });
        await h.greenlineRevert(fi, g, { date: ago(at) });
      }
      const f3 = await h.commit('feat: attempt 3 (broken)', broken('3'), { date: ago(3.2) });
      await h.on('greenline/revert-pr', f3);
      const r3 = await h.greenlineRevert(f3, g, { date: ago(3.1) });
      await h.on('main');
      const m3 = await h.merge('Merge pull request #30 from owner/greenline/revert-pr', [r3], { date: ago(3) });
      await git(h.work, ['branch', '-D', 'greenline/revert-pr']);
      const y = await h.commit('feat: v5', app('v5'), { date: ago(2) });
      await h.pass(y, {}, { date: ago(1.9) });
      const f = await h.commit('feat: v6 (broken)', broken('v6'), { date: ago(1) });
      return done(h, f, { g, y, m3 });
    },
    find: 'y',
    outcome: 'daily-cap',
  },
  {
    name: 'loop: the failing commit is a greenline revert',
    expect: 'greenline never reverts its own revert: loop, nothing changed (it kept data/ from the bad commit, so its tree is no ✅ tree)',
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', { ...app('v2'), 'data/model.txt': 'm1\n' });
      await h.pass(g);
      const f = await h.commit('feat: v3 (broken)', { ...broken(), 'data/model.txt': 'm2\n' });
      const r = await h.greenlineRevert(f, g, { keep: ['data'] });
      return done(h, r, { g, f });
    },
    find: 'g',
    outcome: 'loop',
  },
  {
    name: "re-run of the failed run after greenline's revert",
    expect: 'the branch is at greenline\'s revert of this failure: already-reverted, nothing changed',
    async build(h) {
      const s = await goodThenBroken(h);
      const r = await h.greenlineRevert(s.f!, s.g!);
      return done(h, s.f!, { ...s, r });
    },
    find: 'g',
    outcome: 'already-reverted',
  },
  {
    name: "git revert of greenline's revert re-lands the code",
    expect: "greenline's revert has no skip marker in its subject, so `git revert` of it makes a commit that triggers CI",
    async build(h) {
      const s = await goodThenBroken(h);
      return done(h, s.f!, s);
    },
    find: 'g',
    outcome: 'reverted',
    async after({ remote, revert }) {
      const tip = revert.outputs['revert-sha'];
      if (!tip) return;
      const clone = `${remote}-reland`;
      await git(remote, ['clone', '-q', remote, clone]);
      await git(clone, ['revert', '--no-edit', tip]);
      const message = await git(clone, ['log', '-1', '--format=%B']);
      expect.soft(triggersCi(message), `the re-landing commit triggers CI:\n${message}`).toBe(true);
    },
  },
  {
    name: 'rewritten history: the ✅ build g2 was force-pushed away',
    expect: "g2 (no longer an ancestor) is skipped, its rewritten copy never ran CI: g1 is restored",
    async build(h) {
      await start(h);
      const g1 = await h.commit('feat: v2', app('v2'));
      const lg1 = await h.pass(g1);
      await h.commit('chore: add credentials (oops)', { 'secrets.env': 'TOKEN=hunter2\n' });
      const g2 = await h.commit('feat: v3', app('v3'));
      const lg2 = await h.pass(g2);
      await h.publish();
      // The credentials commit is dropped: g2 and its ledger commit are rewritten (the entry still names g2).
      await git(h.work, ['reset', '-q', '--hard', lg1]);
      await h.cherryPick(g2, lg2);
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g1, g2 });
    },
    find: 'g1',
    outcome: 'reverted',
  },
  {
    name: 'short SHAs (7 characters) in a hand-written ledger',
    expect: 'the newest ✅ build g2, named by its short SHA, is found and restored',
    async build(h) {
      await start(h);
      const g1 = await h.commit('feat: v2', app('v2'));
      await h.hand(g1.slice(0, 7), '✅ Tests Passed');
      const g2 = await h.commit('feat: v3', app('v3'));
      await h.hand(g2.slice(0, 7), '✅ Tests Passed');
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g1, g2 });
    },
    find: 'g2',
    outcome: 'reverted',
  },
  {
    name: 'clock skew: commit dates and ledger timestamps out of order',
    expect: 'nearest on the first-parent chain wins, whatever the dates: g2',
    async build(h) {
      await start(h);
      const g1 = await h.commit('feat: v2', app('v2'), { date: new Date(Date.now() + 48 * HOUR) });
      await h.pass(g1, { timestamp: '2026-06-01T00:00:00Z' }, { date: new Date(Date.now() + 49 * HOUR) });
      const g2 = await h.commit('feat: v3', app('v3'), { date: ago(240) });
      await h.pass(g2, { timestamp: '2024-01-01T00:00:00Z' }, { date: ago(239) });
      const f = await h.commit('feat: v4 (broken)', broken(), { date: ago(480) });
      return done(h, f, { g1, g2 });
    },
    find: 'g2',
    outcome: 'reverted',
  },
  {
    name: 'a squash-merged pull request fails',
    expect: "main's previous build h is restored; the PR branch's ✅ commits are not on main",
    async build(h) {
      const b = await start(h);
      await h.on('feature/search', b);
      const fa = await h.commit('search: index', { 'search.py': 'v1\n' });
      const fb = await h.commit('search: query', { 'search.py': 'v2\n' });
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      await h.pass(fa);
      await h.pass(fb);
      await git(h.work, ['merge', '--squash', '-q', 'feature/search']);
      const s = await h.commit('feat: search (#7)');
      return done(h, s, { h: hf, fb });
    },
    find: 'h',
    outcome: 'reverted',
  },
  {
    name: 'a rebase-merged pull request fails',
    expect: "main's previous build h is restored; the PR's original ✅ commits are not on main",
    async build(h) {
      const b = await start(h);
      await h.on('feature/search', b);
      const fa = await h.commit('search: index', { 'search.py': 'v1\n' });
      const fb = await h.commit('search: query', { 'search.py': 'v2\n' });
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      await h.pass(fa);
      await h.pass(fb);
      return done(h, await h.cherryPick(fa, fb), { h: hf, fb });
    },
    find: 'h',
    outcome: 'reverted',
  },
  {
    name: 'the failing commit has a ✅ entry itself (tests passed, a later job failed)',
    expect: 'its tree passed: not a regression, nothing reverted, never marked ⛔ by a CI failure',
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['reset', '-q', '--hard', s.lg!]);
      const f = await h.commit('feat: v3', app('v3'));
      const lf = await h.pass(f);
      return done(h, f, { ...s, f, lf });
    },
    find: 'g',
    outcome: 'not-a-regression',
  },
  {
    name: 'no ✅ anywhere in the ledger',
    expect: 'no-good-build: nothing reverted, nothing changed',
    async build(h) {
      const b = await h.commit('initial', { ...app('v1'), 'README.md': '# app\n' });
      await h.hand(b, '❌ Tests Failed', 'ci: ledger [skip ci]');
      const x = await h.commit('feat: v2', app('v2'));
      await h.hand(x, '❌ Tests Failed', 'ci: ledger [skip ci]');
      const f = await h.commit('feat: v3 (broken)', broken());
      return done(h, f, { b, x });
    },
    find: false,
    outcome: 'no-good-build',
  },
  {
    name: 'bold hand-written **Commit:** / **Status:** ledger',
    expect: 'the newest bold ✅ block g2 is found and restored',
    async build(h) {
      await h.commit('initial', { ...app('v1'), 'README.md': '# app\n', [LEDGER]: '# Results\n' });
      const g1 = await h.commit('feat: v2', app('v2'));
      await h.ledgerCommit(`## Build ${g1.slice(0, 7)}\n**Commit:** ${g1}\n**Status:** ✅ Tests Passed`, 'docs: results');
      const g2 = await h.commit('feat: v3', app('v3'));
      await h.ledgerCommit(`## Build ${g2.slice(0, 7)}\n**Commit:** ${g2}\n**Status:** ✅ Tests Passed`, 'docs: results');
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { g1, g2 });
    },
    find: 'g2',
    outcome: 'reverted',
  },
  {
    name: 'criss-cross: main merged into a feature branch, the feature (✅ on its branch) merged back',
    expect: "main's own previous build k is restored, not the feature's ✅ tip reached through the merge",
    async build(h) {
      const b = await start(h);
      await h.on('feature/x', b);
      await h.commit('feat: x part 1', { 'x.py': 'v1\n' });
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      await h.on('feature/x');
      await h.merge("Merge branch 'main' into feature/x", ['main']);
      const fb = await h.commit('feat: x part 2', { 'x.py': 'v2\n' });
      await h.pass(fb);
      await h.on('main');
      const k = await h.commit('feat: metrics', { 'metrics.py': 'v1\n' });
      await h.pass(k);
      const m = await h.merge("Merge branch 'feature/x'", ['feature/x']);
      return done(h, m, { h: hf, fb, k });
    },
    find: 'k',
    outcome: 'reverted',
  },
  {
    name: 'protected branch, fallback pull-request',
    expect: 'the branch is untouched; a revert branch with the tree of g and a pull request are opened',
    async build(h) {
      const s = await goodThenBroken(h);
      return done(h, s.f!, s);
    },
    protect: true,
    find: 'g',
    outcome: 'pull-request',
  },
  {
    name: 'protected branch, fallback none',
    expect: 'nothing can be pushed: outcome protected, the step fails, nothing changed',
    async build(h) {
      const s = await goodThenBroken(h);
      return done(h, s.f!, s);
    },
    protect: true,
    inputs: { fallback: 'none' },
    exitCode: 1,
    find: 'g',
    outcome: 'protected',
  },
  {
    name: 'dry run',
    expect: 'dry-run: says it would restore g, changes nothing',
    async build(h) {
      const s = await goodThenBroken(h);
      return done(h, s.f!, s);
    },
    inputs: { 'dry-run': 'true' },
    find: 'g',
    outcome: 'dry-run',
  },
  {
    name: 'hotfix branch merged --no-ff, its merge fails, and a ✅ for a commit on the hotfix branch is newest in the ledger',
    expect: "main's own previous build g is restored; the hotfix branch's ✅ commit is reached only through the merge",
    async build(h) {
      const s = await goodThenBroken(h);
      await git(h.work, ['reset', '-q', '--hard', s.lg!]);
      await h.on('hotfix/1', s.lg!);
      const x = await h.commit('fix: tidy', { 'lib/tidy.py': 'v1\n' });
      await h.on('main');
      await h.pass(x);
      const m = await h.merge("Merge branch 'hotfix/1'", ['hotfix/1']);
      const f = await h.commit('feat: v3 (broken)', broken());
      return done(h, f, { g: s.g!, x, m });
    },
    find: 'g',
    outcome: 'reverted',
  },
  {
    name: 'the ledger is appended in a CRLF file through a merge that kept both sides',
    expect: 'the merged ledger (both sides, CRLF) is kept byte for byte; main\'s build h restored',
    async build(h) {
      const b = await start(h, Buffer.from('# ML experiment results\r\n\r\n'));
      await h.on('develop', b);
      const d = await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.pass(d);
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      const m = await h.merge("Merge branch 'develop'", ['develop']);
      const f = await h.commit('feat: v4 (broken)', broken());
      return done(h, f, { h: hf, d, m });
    },
    find: 'h',
    outcome: 'reverted',
  },
  {
    name: 'a revert on top of a failing merge commit whose ledger has entries from both sides',
    expect: 'every entry of both sides stays in the ledger after the revert',
    async build(h) {
      const b = await start(h);
      await h.on('develop', b);
      const d = await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.pass(d);
      await h.on('main');
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const m = await h.merge("Merge branch 'develop'", ['develop']);
      return done(h, m, { g, d });
    },
    find: 'g',
    outcome: 'reverted',
    async after({ remote, revert, built }) {
      const tip = revert.outputs['revert-sha'];
      if (!tip) return;
      const text = await git(remote, ['show', `${tip}:${LEDGER}`]);
      expect.soft(text, "develop's ✅ entry kept").toContain(`Commit: ${built.shas.d}`);
      expect.soft(text, "main's ✅ entry kept").toContain(`Commit: ${built.shas.g}`);
    },
  },
  {
    name: "a person's git revert -m 1 of a failing develop merge fails again",
    expect: "the code is main's ✅ build h again: not a regression (flaky), nothing reverted, no ⛔",
    async build(h) {
      const b = await start(h);
      await h.on('develop', b);
      await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.on('main');
      const hf = await h.commit('fix(security): check tokens', { 'lib/auth.py': 'CHECK_TOKEN = True\n' });
      await h.pass(hf);
      const m = await h.merge("Merge branch 'develop'", ['develop']);
      const v = await h.revert(m);
      return done(h, v, { h: hf, m });
    },
    find: 'h',
    outcome: 'not-a-regression',
  },
  {
    name: 'a merge commit that passed (✅), then a later commit fails',
    expect: 'the ✅ merge m is on the first-parent chain: it is the last good build, with the merged work',
    async build(h) {
      const b = await start(h);
      await h.on('develop', b);
      await h.commit('feat: search', { 'search.py': 'v1\n' });
      await h.on('main');
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const m = await h.merge("Merge branch 'develop'", ['develop']);
      await h.pass(m);
      const f = await h.commit('feat: v3 (broken)', broken());
      return done(h, f, { g, m });
    },
    find: 'm',
    outcome: 'reverted',
  },
  {
    name: "a person's [skip ci] code commit on top of the failing commit",
    expect: "only greenline's ledger-only commits are passed over: branch-moved, nothing changed",
    async build(h) {
      const s = await goodThenBroken(h);
      await h.commit('chore: bump version [skip ci]', { 'VERSION': '1.2.4\n' });
      return done(h, s.f!, s);
    },
    find: 'g',
    outcome: 'branch-moved',
  },
  {
    name: "a person's ledger-only commit (no [skip ci]) on top of the failing commit",
    expect: 'a person pushed (and started a CI run of their own): branch-moved, nothing changed',
    async build(h) {
      const s = await goodThenBroken(h);
      await h.hand(s.g!, '✅ Tests Passed — verified by hand', 'docs: note on v2', { bot: false });
      return done(h, s.f!, s);
    },
    find: 'g',
    outcome: 'branch-moved',
  },
  {
    name: 'max-per-day 1 with one greenline revert 2 hours ago',
    expect: 'the cap set by the user holds: daily-cap, nothing changed',
    async build(h) {
      await start(h);
      const g = await h.commit('feat: v2', app('v2'));
      await h.pass(g);
      const f1 = await h.commit('feat: v3 (broken)', broken('1'), { date: ago(2.1) });
      await h.greenlineRevert(f1, g, { date: ago(2) });
      const f = await h.commit('feat: v3 again (broken)', broken('2'), { date: ago(1) });
      return done(h, f, { g });
    },
    inputs: { 'max-per-day': '1' },
    find: 'g',
    outcome: 'daily-cap',
  },
];

/** Cases a reader can list: the names must be unique (they are the test titles). */
export function caseNames(): string[] {
  return CASES.map((c) => c.name);
}

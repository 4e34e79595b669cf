import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { Git } from '../../src/core/git/git.js';
import { GitHistory } from '../../src/core/git/history.js';
import { createGitHub } from '../../src/core/github/client.js';
import { ApiHistory, GitHubRepo } from '../../src/core/github/compare.js';
import { findLastGood } from '../../src/core/lastgood/find.js';
import type { HistoryPort } from '../../src/core/lastgood/types.js';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { GitFixture, git, goodThenBroken } from '../support/revert/git-fixture.js';
import { LEDGER } from '../support/revert/ledger.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fixture(): Promise<GitFixture> {
  const f = await GitFixture.create();
  cleanups.push(() => f.cleanup());
  return f;
}

async function standin(f: GitFixture): Promise<GitHubStandin> {
  const s = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare });
  cleanups.push(() => s.stop());
  return s;
}

function apiHistory(s: GitHubStandin): { history: ApiHistory; repo: GitHubRepo } {
  const log = recordingLogger();
  const repo = new GitHubRepo(createGitHub({ token: 't', baseUrl: s.url, log }), { owner: 'owner', repo: 'app' }, log);
  return { history: new ApiHistory(repo), repo };
}

async function gitHistory(f: GitFixture, depth?: number): Promise<{ history: GitHistory; path: string }> {
  const path = await f.clone(`ws-${Math.random().toString(36).slice(2)}`, depth ? { depth } : {});
  return { history: new GitHistory(new Git(path), { log: recordingLogger() }), path };
}

async function find(history: HistoryPort, ledger: string | undefined, head: string) {
  return findLastGood(ledger, { head, ledgerPath: LEDGER, requireChecks: [] }, { history, log: recordingLogger() });
}

describe('find-last-good on real repositories: git (shallow clones) and the compare API agree', () => {
  it('answers the ✅ commit itself, not the ledger commit after it, from a depth-1 clone and from the API', async () => {
    const f = await fixture();
    const { g, l, fail } = await goodThenBroken(f);
    const ledger = await f.currentLedger();
    const viaGit = await find((await gitHistory(f, 1)).history, ledger, fail);
    const viaApi = await find(apiHistory(await standin(f)).history, ledger, fail);
    expect(viaGit).toMatchObject({ found: true, sha: g, goodSha: g });
    expect(viaApi).toMatchObject({ found: true, sha: g, goodSha: g });
    expect(viaGit.sha).not.toBe(l);
    expect(viaApi.candidates).toEqual(viaGit.candidates);
    expect(viaGit.candidates).toEqual([expect.objectContaining({ sha: g, verdict: 'chosen' })]);
  });

  it('finds a good commit 500 commits back, deepening a depth-1 clone (never a false "not an ancestor")', async () => {
    const f = await fixture();
    await f.commit('initial', { 'app.py': 'v1\n' });
    const g = await f.commit('good', { 'app.py': 'v2\n' });
    const ledgerText = (await f.recordEntries([{ status: 'passed', commit: g }])) && (await f.currentLedger());
    const head = await f.fastCommits(500, { prefix: 'later' });
    await f.push();
    const { history, path } = await gitHistory(f, 1);
    const r = await find(history, ledgerText, head);
    // g itself, not the ledger commit right above it (which has g's tree outside the ledger).
    expect(r).toMatchObject({ found: true, sha: g, goodSha: g });
    // Deepened step by step: the history is there now.
    expect(Number(await git(path, ['rev-list', '--count', 'HEAD']))).toBeGreaterThan(500);
    const viaApi = await find(apiHistory(await standin(f)).history, ledgerText, head);
    expect(viaApi).toMatchObject({ found: true, sha: r.sha, goodSha: g });
  });

  it('skips a good commit that was force-pushed away', async () => {
    const f = await fixture();
    const { g, l } = await goodThenBroken(f);
    // G2 passes and gets a ✅, then main is force-pushed back to L and work continues.
    const g2 = await f.commit('feat: v4', { 'app.py': 'print("v4")\n' });
    await f.recordPassed(g2);
    const ledger = await f.currentLedger();
    await f.push();
    await git(f.work, ['reset', '-q', '--hard', l]);
    await f.commit('ledger kept by hand', { [LEDGER]: ledger! });
    const head = await f.commit('feat: v5 (broken)', { 'app.py': 'broken\n' });
    await f.push('main', { force: true });
    for (const history of [(await gitHistory(f, 1)).history, apiHistory(await standin(f)).history]) {
      const r = await find(history, ledger, head);
      expect(r.found).toBe(true);
      expect(r.goodSha).toBe(g);
      // g2 is not on main's first-parent history: never a candidate, whatever the file says.
      expect(r.candidates.some((c) => c.sha === g2)).toBe(false);
    }
  });

  it('answers a greenline revert carrying the tree of a ✅ build that was force-pushed away, newer than the ✅ ancestor', async () => {
    const f = await fixture();
    const { g, l } = await goodThenBroken(f);
    // G2 passes and is promoted, F3 breaks main and greenline reverts it to G2's tree...
    const g2 = await f.commit('feat: v4', { 'app.py': 'print("v4")\n' });
    await f.recordPassed(g2);
    const ledger = (await f.currentLedger())!;
    const f3 = await f.commit('feat: v5 (broken)', { 'app.py': 'broken\n' });
    await f.commit(`⚠️ Auto-rollback: Tests failed, reverting to last successful build ${g2.slice(0, 7)} [skip ci]\n\nGreenline-Revert-Of: ${f3}\nGreenline-Restored: ${g2}`, { 'app.py': 'print("v4")\n' });
    await f.push();
    // ...then main is rewritten above L (commit messages reworded): the same trees, new commits. The rebased
    // copy of G2 was tested (no ✅ of its own); the rebased revert keeps [skip ci] and G2's tree.
    await git(f.work, ['reset', '-q', '--hard', l]);
    await f.commit('feat: v3 (broken), reworded', { 'app.py': 'raise SystemExit(1)\n', 'new_module.py': 'x = 1\n' });
    const g2copy = await f.commit('feat: v4, reworded', { 'app.py': 'print("v4")\n' });
    await f.commit(`greenline: ledger passed ${g2.slice(0, 7)} [skip ci]`, { [LEDGER]: ledger });
    const f3copy = await f.commit('feat: v5 (broken), reworded', { 'app.py': 'broken\n' });
    const revert = await f.commit(`⚠️ Auto-rollback: Tests failed, reverting to last successful build ${g2.slice(0, 7)} [skip ci]\n\nGreenline-Revert-Of: ${f3copy}\nGreenline-Restored: ${g2}`, { 'app.py': 'print("v4")\n' });
    const head = await f.commit('feat: v6 (broken)', { 'app.py': 'broken again\n' });
    await f.push('main', { force: true });
    const viaGit = await find((await gitHistory(f, 1)).history, ledger, head);
    const viaApi = await find(apiHistory(await standin(f)).history, ledger, head);
    for (const r of [viaGit, viaApi]) {
      expect(r, r.reason).toMatchObject({ found: true, sha: revert, goodSha: g2 });
      expect(r.entry).toMatchObject({ status: 'passed', commit: g2 });
      // Neither the force-pushed g2 (off the history) nor the older ✅ g (below the revert) is examined.
      expect(r.candidates.some((c) => c.sha === g2 || c.sha === g)).toBe(false);
      expect(r.sha).not.toBe(g2copy);
    }
    expect(viaApi.candidates).toEqual(viaGit.candidates);
  });

  it('handles merge commits between the good commit and the head', async () => {
    const f = await fixture();
    const { g, l } = await goodThenBroken(f);
    await git(f.work, ['checkout', '-q', '-b', 'feature', l]);
    await f.commit('feature: part 1', { 'feature.py': '1\n' });
    await f.commit('feature: part 2', { 'feature.py': '2\n' });
    await git(f.work, ['checkout', '-q', 'main']);
    await git(f.work, ['-c', 'commit.gpgsign=false', 'merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature']);
    const head = await f.commit('after the merge (broken)', { 'app.py': 'still broken\n' });
    await f.push();
    const ledger = await f.currentLedger();
    const viaGit = await find((await gitHistory(f, 1)).history, ledger, head);
    const viaApi = await find(apiHistory(await standin(f)).history, ledger, head);
    expect(viaGit).toMatchObject({ found: true, sha: g, goodSha: g });
    expect(viaApi).toMatchObject({ found: true, sha: g, goodSha: g });
  });

  it('GitHistory.revertsSince deepens a shallow clone back 24 hours', async () => {
    const f = await fixture();
    await f.commit('old', { a: '1' }, { date: new Date(Date.now() - 3 * 86400_000) });
    await f.commit('revert 1\n\nGreenline-Revert-Of: aaaa\nGreenline-Restored: bbbb', { a: '2' }, { date: new Date(Date.now() - 3600_000) });
    await f.fastCommits(30, { prefix: 'recent' });
    await f.commit('revert 2\n\nGreenline-Revert-Of: cccc\nGreenline-Restored: dddd', { a: '3' });
    const head = await f.fastCommits(5);
    await f.push();
    const { history } = await gitHistory(f, 1);
    const reverts = await history.revertsSince(head, new Date(Date.now() - 86400_000));
    expect(reverts.map((r) => r.subject)).toEqual(['revert 2', 'revert 1']);
  });
});

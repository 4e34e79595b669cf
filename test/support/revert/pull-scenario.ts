import { afterEach, expect } from 'vitest';
import { startGitHubStandin } from '../github-standin/index.js';
import { GitFixture, git } from './git-fixture.js';
import { TOKEN, type Scenario } from './scenario.js';

/** How the broken change reached main: a squash merge, a merge commit, or a direct push (no pull request). */
export type Landing = 'squash' | 'merge' | 'push';

export interface PullScenario extends Scenario {
  /** The pull request that brought the broken change in (undefined for a direct push). */
  pull?: { number: number; url: string };
}

/**
 * base → G ✅ (ledger commit L) → the broken change, landed on main as `landing` says; with a pull request the
 * stand-in knows it as merged (`GET commits/{sha}/pulls` finds it). `subject` is the broken commit's subject.
 */
export async function brokenByPull(landing: Landing, subject = 'feat: v3 (broken)'): Promise<PullScenario> {
  const f = await GitFixture.create();
  const base = await f.commit('initial', { 'app.py': 'print("v1")\n', 'README.md': '# app\n' });
  const g = await f.commit('feat: v2', { 'app.py': 'print("v2")\n' });
  const l = await f.recordPassed(g);
  await f.push();
  const api = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: TOKEN });
  const broken = { 'app.py': 'raise SystemExit(1)\n', 'new_module.py': 'x = 1\n' };
  let fail: string;
  let pull: PullScenario['pull'];
  if (landing === 'push') {
    fail = await f.commit(subject, broken);
    await f.push();
  } else {
    await git(f.work, ['checkout', '-q', '-b', 'feature/v3']);
    const own = await f.commit(subject, broken);
    await f.push('feature/v3');
    await git(f.work, ['checkout', '-q', 'main']);
    if (landing === 'merge') {
      await git(f.work, ['-c', 'commit.gpgsign=false', 'merge', '-q', '--no-ff', '-m', 'Merge pull request from owner/feature/v3', 'feature/v3']);
      fail = await git(f.work, ['rev-parse', 'HEAD']);
    } else {
      fail = await f.commit(`${subject} (squashed)`, broken);
    }
    await f.push();
    const pr = await api.addMergedPull({ head: 'feature/v3', base: 'main', title: subject, user: 'alice', mergeCommitSha: fail, ...(landing === 'squash' ? { commits: [own] } : {}) });
    pull = { number: pr.number, url: pr.html_url };
  }
  return {
    f,
    api,
    base,
    g,
    l,
    fail,
    ...(pull ? { pull } : {}),
    async stop() {
      try {
        await api.stop();
      } finally {
        await f.cleanup();
      }
    },
  };
}

/** A factory of these scenarios for one test file, each stopped after its test (no internal error, no unknown route). */
export function pullScenarioPerTest(): (landing: Landing, subject?: string) => Promise<PullScenario> {
  const open: PullScenario[] = [];
  afterEach(async () => {
    while (open.length) {
      const s = open.pop()!;
      expect(s.api.internalErrors).toEqual([]);
      expect(s.api.unknownRequests()).toEqual([]);
      await s.stop();
    }
  });
  return async (landing, subject) => {
    const s = await brokenByPull(landing, subject);
    open.push(s);
    return s;
  };
}

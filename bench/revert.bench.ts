// bench/revert: what one auto-revert costs.
//  - API calls per revert, counted from the GitHub stand-in's request log: writes (goal: 3, a tree, a commit and the
//    ref — the requests GitHub asks clients to space out), and all calls when the good commit is known (the reads
//    include the kept ledger's tree entries, one per path level) and when the in-process search finds it.
//  - API calls of an `undo: culprit` revert (good → C1 ✅ → C2 ❌ → C3 failing) next to today's revert (undo: all)
//    of the same branch: the extra reads are the verdicts (check runs + statuses per commit judged) and the
//    culprit's paths (two compares, the tree levels of its paths, the parent commit). Goal: ≤ 4 + 2 per commit
//    judged on top of today's revert.
//  - Wall time of greenline's API revert against the plain-git way (`git clone` + restore the good tree
//    keeping the ledger + commit + `git push`) on a repository with 5,000 commits (quick mode: 200), and of
//    greenline's git method from a depth-1 checkout. Everything is local (stand-in, file:// remote), so the
//    ratio compares work done, not network latency.
import { join } from 'node:path';
import { recordingLogger } from '../src/core/action/log.js';
import { Git } from '../src/core/git/git.js';
import { GitHistory } from '../src/core/git/history.js';
import { GitRevertBackend } from '../src/core/git/revert-git.js';
import { getOctokit } from '@actions/github';
import { createGitHub, type GitHub } from '../src/core/github/client.js';
import { GitHubChecks } from '../src/core/github/checks.js';
import { GitHubRepo } from '../src/core/github/compare.js';
import { ApiRevertBackend } from '../src/core/github/revert-api.js';
import { autoRevert, DEFAULT_MESSAGE_TEMPLATE, type RevertConfig, type RevertDeps } from '../src/core/lastgood/revert.js';
import { startGitHubStandin } from '../test/support/github-standin/index.js';
import { GitFixture, git } from '../test/support/revert/git-fixture.js';
import { LEDGER } from '../test/support/revert/ledger.js';
import type { Bench, BenchRow } from './types.js';

const TOKEN = 'ghs_bench';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const bench: Bench = async ({ quick }) => {
  const commits = quick ? 200 : 5_000;
  const runs = quick ? 1 : 5;
  const f = await GitFixture.create();
  // Timings of greenline, not of the stand-in's schema checks (the tests run those).
  const api = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: TOKEN, checkSchema: false });
  try {
    // A repository with some breadth (200 files) and `commits` commits of history, then good → ledger → broken.
    const files: Record<string, string> = { 'app.py': 'print("v1")\n' };
    for (let i = 0; i < 200; i++) files[`src/module_${i}.py`] = `value = ${i}\n`;
    const monthAgo = new Date(Date.now() - 30 * 86400_000);
    await f.commit('initial', files, { date: monthAgo });
    await f.fastCommits(commits - 4, { prefix: 'work', date: monthAgo });
    const good = await f.commit('feat: v2', { 'app.py': 'print("v2")\n' });
    await f.recordPassed(good);
    const failing = await f.commit('feat: v3 (broken)', { 'app.py': 'raise SystemExit(1)\n', 'src/module_1.py': 'broken\n' });
    await f.push();
    const reset = () => git(f.bare, ['update-ref', 'refs/heads/main', failing]);
    const total = Number(await git(f.bare, ['rev-list', '--count', 'main']));

    const config = (extra: Partial<RevertConfig> = {}): RevertConfig => ({
      branch: 'main',
      failingSha: failing,
      ledgerPath: LEDGER,
      requireChecks: [],
      preservePaths: [LEDGER],
      reason: 'Tests failed',
      messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
      maxPerDay: 1_000,
      fallback: 'none',
      dryRun: false,
      now: new Date(),
      runUrl: '',
      ...extra,
    });
    const apiDeps = (paced = true): RevertDeps => {
      const log = recordingLogger();
      // paced: the suite's client (plugin-throttling spaces writes 1 s apart, GitHub's guidance for bursts of
      // content creation); unpaced: the same requests without that spacing, to show where the time goes.
      const github = paced ? createGitHub({ token: TOKEN, baseUrl: api.url, log }) : (getOctokit(TOKEN, { baseUrl: api.url }) as GitHub);
      const repo = new GitHubRepo(github, { owner: 'owner', repo: 'app' }, log);
      const backend = new ApiRevertBackend(repo, { log });
      return { backend, history: backend.history, checks: new GitHubChecks(github, { owner: 'owner', repo: 'app' }), log, ledgerInput: async () => (await repo.readFile(failing, LEDGER))?.text };
    };

    // API calls per revert.
    api.resetLog();
    const given = await autoRevert(config({ targetSha: good }), apiDeps());
    if (!given.reverted) throw new Error(`revert failed: ${given.reason}`);
    const callsGiven = api.requests.length;
    const writesGiven = api.requests.filter((q) => q.method !== 'GET').length;
    await reset();
    api.resetLog();
    const found = await autoRevert(config(), apiDeps());
    if (!found.reverted) throw new Error(`revert failed: ${found.reason}`);
    const callsFound = api.requests.length;
    await reset();

    // Wall time: greenline API revert (good commit found in-process) vs clone + restore + push.
    const apiTimes: number[] = [];
    const unpacedTimes: number[] = [];
    const gitTimes: number[] = [];
    const peerTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      // plugin-throttling's write limiter is shared by every client in a process: let the previous run's
      // last write age past its 1 s, as in a fresh action process.
      await new Promise((r) => setTimeout(r, 1_000));
      apiTimes.push(
        await timed(async () => {
          const r = await autoRevert(config(), apiDeps());
          if (!r.reverted) throw new Error(r.reason);
        }),
      );
      await reset();
      unpacedTimes.push(
        await timed(async () => {
          const r = await autoRevert(config(), apiDeps(false));
          if (!r.reverted) throw new Error(r.reason);
        }),
      );
      await reset();
      const ws = join(f.tmp.path, `greenline-ws-${i}`);
      gitTimes.push(
        await timed(async () => {
          await git(f.tmp.path, ['clone', '-q', '--no-tags', '--depth=1', f.url, ws]);
          const log = recordingLogger();
          const history = new GitHistory(new Git(ws), { log });
          const r = await autoRevert(config(), { backend: new GitRevertBackend(history, { log }), history, log, ledgerInput: () => new Git(ws).showFile(failing, LEDGER) });
          if (!r.reverted) throw new Error(r.reason);
        }),
      );
      await reset();
      const peer = join(f.tmp.path, `peer-${i}`);
      peerTimes.push(
        await timed(async () => {
          await git(f.tmp.path, ['clone', '-q', '--no-tags', f.url, peer]);
          await git(peer, ['read-tree', '-u', '--reset', good]);
          await git(peer, ['checkout', failing, '--', LEDGER]);
          await git(peer, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', `Revert to ${good.slice(0, 7)} [skip ci]`]);
          await git(peer, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
        }),
      );
      await reset();
    }
    // undo: culprit on good → ledger → C1 (✅) → C2 (❌) → C3 (failing, no verdict yet), next to undo: all.
    const ledgerCommit = await git(f.bare, ['rev-parse', `${failing}^`]);
    await git(f.work, ['reset', '-q', '--hard', ledgerCommit]);
    const c1 = await f.commit('feat: c1', { 'src/module_7.py': 'value = 70\n' });
    const c2 = await f.commit('feat: c2 (broken)', { 'app.py': 'raise SystemExit(1)\n', 'src/module_1.py': 'broken\n' });
    const c3 = await f.commit('feat: c3', { 'src/module_9.py': 'value = 90\n' });
    await f.push('main', { force: true });
    api.addCheckRun(c1, 'ci', 'success');
    api.addCheckRun(c2, 'ci', 'failure');
    const resetCulprit = () => git(f.bare, ['update-ref', 'refs/heads/main', c3]);
    api.resetLog();
    const all = await autoRevert(config({ failingSha: c3 }), apiDeps());
    if (!all.reverted) throw new Error(`revert failed: ${all.reason}`);
    const callsAll = api.requests.length;
    await resetCulprit();
    await new Promise((r) => setTimeout(r, 1_000));
    api.resetLog();
    const culprit = await autoRevert(config({ failingSha: c3, undo: 'culprit' }), apiDeps());
    if (!culprit.reverted || culprit.culprit?.commit?.sha !== c2) throw new Error(`culprit revert failed: ${culprit.reason}`);
    const callsCulprit = api.requests.length;
    // The failing head is judged by its own run: no request.
    const judged = (culprit.culprit.judged.length || 1) - 1;
    const culpritGoal = callsAll + 4 + 2 * judged;
    await git(f.bare, ['update-ref', 'refs/heads/main', failing]);

    const apiMs = median(apiTimes);
    const gitMs = median(gitTimes);
    const unpacedMs = median(unpacedTimes);
    const peerMs = median(peerTimes);
    const peerText = `git clone + restore + push: ${peerMs.toFixed(0)} ms`;
    const rows: BenchRow[] = [
      { bench: 'revert', metric: 'API writes per revert', value: String(writesGiven), peer: '—', goal: '3', met: writesGiven === 3 },
      { bench: 'revert', metric: 'API calls per revert (good commit given)', value: String(callsGiven), peer: '—', goal: 'informative' },
      { bench: 'revert', metric: 'API calls per revert (good commit found in-process)', value: String(callsFound), peer: '—', goal: 'informative' },
      {
        bench: 'revert',
        metric: `API calls of a culprit revert (${judged} commits judged)`,
        value: String(callsCulprit),
        peer: `today's revert (undo: all) of the same branch: ${callsAll}`,
        goal: `≤ ${callsAll} + 4 + 2 × ${judged} = ${culpritGoal}`,
        met: callsCulprit <= culpritGoal,
      },
      { bench: 'revert', metric: `wall time, API revert (${total} commits)`, value: `${apiMs.toFixed(0)} ms`, peer: peerText, ratio: apiMs / peerMs, goal: 'informative (issue 6 sets no goal)' },
      { bench: 'revert', metric: `wall time, API revert with the throttling plugin off (${total} commits)`, value: `${unpacedMs.toFixed(0)} ms`, peer: peerText, ratio: unpacedMs / peerMs, goal: 'informative' },
      { bench: 'revert', metric: `wall time, git method from a depth-1 clone (${total} commits)`, value: `${gitMs.toFixed(0)} ms`, peer: peerText, ratio: gitMs / peerMs, goal: 'informative' },
    ];
    return rows;
  } finally {
    await api.stop();
    await f.cleanup();
  }
};

export default bench;

/**
 * `undo: culprit` through the bundles (dist/auto-revert and the one-step rollback, dist/rollback), for both
 * methods, against the GitHub stand-in's per-commit check runs and commit statuses: A (✅ in the ledger) → C1
 * (checks ✅) → C2 (checks ❌) → C3 (no verdict, the failing head) undoes C2 alone and keeps C1 and C3 byte for
 * byte; a merge culprit is undone with respect to its first parent; a culprit whose lines a later commit changed
 * again, and a culprit that cannot be named, fall back to undoing everything (undo: all) and say so; undo: all
 * reads no verdict at all; a bad value stops in one line with nothing changed.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubStandin } from '../support/github-standin/index.js';
import type { RunResult } from '../support/harness.js';
import { GitFixture, git } from '../support/revert/git-fixture.js';
import { LEDGER } from '../support/revert/ledger.js';
import { messageOf, parentsOf, runOnFailure, TOKEN, type Scenario } from '../support/revert/scenario.js';

type Method = 'api' | 'git';
type Action = 'auto-revert' | 'rollback';

const open: Scenario[] = [];
afterEach(async () => {
  while (open.length) {
    const s = open.pop()!;
    expect(s.api.internalErrors).toEqual([]);
    expect(s.api.unknownRequests()).toEqual([]);
    await s.stop();
  }
});

interface World extends Scenario {
  a: string;
  c1: string;
  c2: string;
  c3: string;
}

/**
 * base → A (✅ recorded by the ledger commit L) → C1 → C2 → C3 on main, pushed. `c2` writes C2 (default: it
 * breaks app.py and adds broken.py), `c3` writes C3 (default: new c3.txt and a change to lib.py's last line).
 */
async function world(opts: { c2?: (f: GitFixture) => Promise<string>; c3?: (f: GitFixture) => Promise<string>; before?: (f: GitFixture) => Promise<string> } = {}): Promise<World> {
  const f = await GitFixture.create();
  const base = await f.commit('initial', { 'app.py': 'print("v1")\n', 'README.md': '# app\n', 'lib.py': 'a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\n' });
  if (opts.before) await opts.before(f);
  const a = await f.commit('feat: v2', { 'app.py': 'print("v2")\n' });
  const l = await f.recordPassed(a);
  const c1 = await f.commit('feat: c1 docs', { 'README.md': '# app\n\nDocs by Carol.\n', 'c1.txt': 'c1\n' });
  const c2 = opts.c2 ? await opts.c2(f) : await f.commit('feat: c2 breaks app (fixes #12)', { 'app.py': 'raise SystemExit(1)\n', 'broken.py': 'x = 1\n' });
  const c3 = opts.c3 ? await opts.c3(f) : await f.commit('feat: c3 by Dave', { 'c3.txt': 'c3\n', 'lib.py': 'a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 60\n' });
  await f.push();
  const api = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: TOKEN });
  const w: World = {
    f,
    api,
    base,
    g: a,
    l,
    fail: c3,
    a,
    c1,
    c2,
    c3,
    async stop() {
      try {
        await api.stop();
      } finally {
        await f.cleanup();
      }
    },
  };
  open.push(w);
  return w;
}

/** The verdicts GitHub has: C1's CI passed, C2's failed; C3 (the failing head) has none yet. */
function verdicts(w: World): void {
  w.api.addCheckRun(w.c1, 'ci', 'success');
  w.api.addStatus(w.c1, 'jenkins', 'success');
  w.api.addCheckRun(w.c2, 'ci', 'failure');
  w.api.addStatus(w.c2, 'jenkins', 'success');
}

async function job(w: World, action: Action, method: Method, inputs: Record<string, string> = {}): Promise<RunResult> {
  const workspace = method === 'git' ? await w.f.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 1, ref: w.fail }) : undefined;
  return runOnFailure(action, w, w.fail, {
    inputs: { method, undo: 'culprit', ...(action === 'rollback' ? { fingerprint: 'ci main' } : {}), ...inputs },
    ...(workspace ? { workspace } : {}),
  });
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The tree `git revert --no-edit [-m 1] <culprit>` makes on top of the head, in the developer's clone. */
async function gitRevertTree(w: World, culprit: string, mainline = false): Promise<string> {
  await git(w.f.work, ['checkout', '-q', '--detach', w.fail]);
  await git(w.f.work, ['-c', 'commit.gpgsign=false', 'revert', '--no-edit', ...(mainline ? ['-m', '1'] : []), culprit]);
  const tree = await git(w.f.work, ['rev-parse', 'HEAD^{tree}']);
  await git(w.f.work, ['checkout', '-q', 'main']);
  return tree;
}

const tree = (w: World, sha: string) => git(w.f.bare, ['rev-parse', `${sha}^{tree}`]);
const writes = (w: World) => w.api.requests.filter((r) => r.method !== 'GET');
const verdictReads = (w: World) => w.api.callCount({ path: /\/commits\/[^/]+\/(check-runs|status)$/ });

describe.each([
  ['auto-revert', 'api'],
  ['auto-revert', 'git'],
  ['rollback', 'api'],
  ['rollback', 'git'],
] as const)('undo: culprit (%s, method %s)', (action, method) => {
  it('A ✅ → C1 ✅ → C2 ❌ → C3 (no verdict): undoes C2 alone, keeps C1 and C3 byte for byte', async () => {
    const w = await world();
    verdicts(w);
    const r = ok(await job(w, action, method));
    expect(r.outputs).toMatchObject({ outcome: 'reverted', reverted: 'true', 'target-sha': w.a, 'culprit-sha': w.c2, 'kept-shas': [w.l, w.c1, w.c3].join(' ') });
    expect(r.outputs.reason).toBe(`reverted main: undid only the culprit ${w.c2.slice(0, 7)} (${w.c2.slice(0, 7)} is the first commit that failed after ${w.c1.slice(0, 7)}, whose checks passed), keeping 3 commit(s): Tests failed`);
    const head = await w.f.remoteHead();
    expect(head).toBe(r.outputs['revert-sha']);
    expect(await parentsOf(w, head)).toEqual([w.c3]);
    // Exactly the tree git revert makes: C2's changes gone, C1's and C3's (and the ledger) as they were.
    expect(await tree(w, head)).toBe(await gitRevertTree(w, w.c2));
    for (const path of ['README.md', 'c1.txt', 'c3.txt', 'lib.py', LEDGER]) {
      expect(await git(w.f.bare, ['rev-parse', `${head}:${path}`]), path).toBe(await git(w.f.bare, ['rev-parse', `${w.c3}:${path}`]));
    }
    expect(await git(w.f.bare, ['rev-parse', `${head}:app.py`])).toBe(await git(w.f.bare, ['rev-parse', `${w.c1}:app.py`]));
    expect(await git(w.f.bare, ['ls-tree', '--name-only', head, 'broken.py'])).toBe('');

    const message = await messageOf(w, head);
    const lines = message.split('\n');
    // The culprit's "fixes #12" must not close issue 12 a second time.
    expect(lines[0]).toBe('Revert "feat: c2 breaks app (fixes #\u200b12)"');
    expect(message).toContain(`This reverts commit ${w.c2}.`);
    expect(lines).toContain('[skip ci]');
    expect(lines[0]).not.toContain('[skip ci]');
    expect(lines).toContain(`Greenline-Revert-Of: ${w.c3}`);
    expect(lines).toContain(`Greenline-Culprit: ${w.c2}`);
    expect(message).not.toContain('Greenline-Restored');

    // The evidence: each commit judged and how, the one undone, the ones kept.
    expect(r.summary).toContain(`| \`${w.c3.slice(0, 7)}\` feat: c3 by Dave | ❌ failed | the failing run |`);
    expect(r.summary).toContain(`| \`${w.c2.slice(0, 7)}\` feat: c2 breaks app`);
    expect(r.summary).toMatch(new RegExp(`\\(culprit: undone\\)\\*\\* \\| ❌ failed \\| ci: failure \\|`));
    expect(r.summary).toContain(`| \`${w.c1.slice(0, 7)}\` feat: c1 docs | ✅ passed | 2 check(s) succeeded |`);
    expect(r.summary).toContain(`**Kept (3):**`);
    expect(r.summary).toContain(`- \`${w.c1.slice(0, 7)}\` feat: c1 docs`);
    if (action === 'rollback') {
      const issue = [...w.api.state.issues.values()].find((i) => !i.pull)!;
      expect(issue.body).toContain(`greenline undid only the culprit ${w.c2.slice(0, 7)}`);
      expect(issue.body).toContain(`Undone:`);
      expect(issue.body).toContain(`Kept (3):`);
      // The header and the table name the commit undone, not a "last good commit" the branch was put back to.
      expect(issue.body).toContain(`greenline undid only the commit that broke it, [\`${w.c2.slice(0, 7)}\`]`);
      expect(issue.body).toMatch(new RegExp(`\\| Undone commit \\| \\[\`${w.c2.slice(0, 7)}\`\\]`));
      expect(issue.body).not.toContain('to the last good commit');
      expect(issue.body).not.toContain('| Restored commit |');
    }
  });

  it('a culprit whose lines a later commit changed again: falls back to undo: all and says so', async () => {
    const w = await world({
      c2: (f) => f.commit('feat: c2 breaks lib', { 'lib.py': 'a = 1\nb = "broken"\nc = 3\nd = 4\ne = 5\nf = 6\n' }),
      c3: (f) => f.commit('feat: c3 builds on c2', { 'lib.py': 'a = 1\nb = "broken, extended"\nc = 3\nd = 4\ne = 5\nf = 6\n', 'c3.txt': 'c3\n' }),
    });
    verdicts(w);
    const r = ok(await job(w, action, method));
    expect(r.outputs).toMatchObject({ outcome: 'reverted', reverted: 'true', 'culprit-sha': '', 'kept-shas': '' });
    const why = method === 'api' ? 'a later commit changed lib.py again after the culprit' : 'undoing it conflicts with later commits (as git revert would): lib.py';
    expect(r.outputs.reason).toBe(`reverted main to the tree of ${w.a.slice(0, 7)}: Tests failed (undo: culprit fell back to all: the culprit ${w.c2.slice(0, 7)} cannot be undone alone: ${why})`);
    const head = await w.f.remoteHead();
    // undo: all: the last good tree outside the ledger, the ledger as the head has it.
    expect(await git(w.f.bare, ['diff', '--name-only', w.a, head, '--', '.', `:(exclude)${LEDGER}`])).toBe('');
    expect(await git(w.f.bare, ['rev-parse', `${head}:${LEDGER}`])).toBe(await git(w.f.bare, ['rev-parse', `${w.c3}:${LEDGER}`]));
    expect((await messageOf(w, head)).split('\n')[0]).toBe(`⚠️ Auto-rollback: Tests failed, reverting to last successful build ${w.a.slice(0, 7)}`);
    expect(r.summary).toContain('undo: culprit fell back to all:');
    expect(r.summary).toMatch(new RegExp(`\\| \`${w.c2.slice(0, 7)}\` feat: c2 breaks lib \\| ❌ failed \\| ci: failure \\|`));
    if (action === 'rollback') {
      const issue = [...w.api.state.issues.values()].find((i) => !i.pull)!;
      expect(issue.body).toContain('undo: culprit fell back to all:');
      expect(issue.body).toContain(`to the last good commit [\`${w.a.slice(0, 7)}\`]`);
      expect(issue.body).not.toContain('Undone commit');
      expect(issue.body).toContain(`${w.a.slice(0, 7)}`);
    }
  });
});

describe.each<Method>(['api', 'git'])('undo: culprit (auto-revert, method %s)', (method) => {
  it('a merge culprit (--no-ff on the first-parent chain) is undone with respect to its first parent', async () => {
    let feature = '';
    const w = await world({
      c2: async (f) => {
        await git(f.work, ['checkout', '-q', '-b', 'feature', 'HEAD~1']);
        await f.commit('feature: part 1', { 'feat.py': 'y = 1\n' });
        feature = await f.commit('feature: part 2 (breaks app)', { 'app.py': 'raise SystemExit(2)\n' });
        await git(f.work, ['checkout', '-q', 'main']);
        await git(f.work, ['-c', 'commit.gpgsign=false', 'merge', '-q', '--no-ff', '-m', 'Merge branch feature', 'feature']);
        return git(f.work, ['rev-parse', 'HEAD']);
      },
    });
    expect(await parentsOf(w, w.c2)).toEqual([w.c1, feature]);
    verdicts(w);
    const r = ok(await job(w, 'auto-revert', method));
    expect(r.outputs).toMatchObject({ reverted: 'true', 'culprit-sha': w.c2, 'kept-shas': [w.l, w.c1, w.c3].join(' ') });
    const head = await w.f.remoteHead();
    expect(await tree(w, head)).toBe(await gitRevertTree(w, w.c2, true));
    expect(await git(w.f.bare, ['ls-tree', '--name-only', head, 'feat.py'])).toBe('');
    expect(await git(w.f.bare, ['show', `${head}:app.py`])).toBe('print("v2")');
    expect(await git(w.f.bare, ['show', `${head}:c3.txt`])).toBe('c3');
    expect(await messageOf(w, head)).toContain(`This reverts commit ${w.c2}, reversing\nchanges made to ${w.c1}.`);
  });

  it('a culprit that changed a binary file, a mode, a rename and a deletion is undone exactly as git revert does', async () => {
    const w = await world({
      c2: async (f) => {
        await writeFile(join(f.work, 'logo.bin'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 9]));
        await writeFile(join(f.work, 'run.sh'), '#!/bin/sh\necho run\n');
        await chmod(join(f.work, 'run.sh'), 0o755);
        await git(f.work, ['mv', 'old name.txt', 'new näme.txt']);
        await git(f.work, ['rm', '-q', 'gone.txt']);
        return f.commit('feat: c2 assets', { 'app.py': 'raise SystemExit(1)\n' });
      },
      before: (f) => f.commit('chore: assets', { 'logo.bin': '\u0000old\u0000', 'run.sh': '#!/bin/sh\n', 'old name.txt': 'n\n', 'gone.txt': 'g\n' }),
    });
    verdicts(w);
    const r = ok(await job(w, 'auto-revert', method));
    expect(r.outputs['culprit-sha']).toBe(w.c2);
    const head = await w.f.remoteHead();
    expect(await tree(w, head)).toBe(await gitRevertTree(w, w.c2));
    expect(await git(w.f.bare, ['ls-tree', head, 'run.sh'])).toMatch(/^100644 /);
  });

  it('no culprit named (C1 has no verdict, so the failure may have started there): falls back to all', async () => {
    const w = await world();
    w.api.addCheckRun(w.c2, 'ci', 'failure');
    const r = ok(await job(w, 'auto-revert', method));
    expect(r.outputs).toMatchObject({ reverted: 'true', 'culprit-sha': '', 'kept-shas': '' });
    expect(r.outputs.reason).toContain(`(undo: culprit fell back to all: no culprit named: ${w.c1.slice(0, 7)}, right after the last good build ${w.a.slice(0, 7)}, has no verdict of its own`);
    expect(await git(w.f.bare, ['diff', '--name-only', w.a, await w.f.remoteHead(), '--', '.', `:(exclude)${LEDGER}`])).toBe('');
  });

  it('require-checks: only the named checks judge (a failing lint check run on C1 does not count)', async () => {
    const w = await world();
    verdicts(w);
    // find-last-good-commit's rule: the last good build must have passed the required checks too.
    w.api.addCheckRun(w.a, 'ci', 'success');
    w.api.addCheckRun(w.c1, 'lint', 'failure');
    const r = ok(await job(w, 'auto-revert', method, { 'require-checks': 'ci' }));
    expect(r.outputs.reason).toContain(`undid only the culprit ${w.c2.slice(0, 7)}`);
    expect(r.outputs['culprit-sha']).toBe(w.c2);
    // Named checks that are all check runs: no commit status is read.
    expect(w.api.callCount({ path: /\/status$/ })).toBe(0);
  });

  it('a token without checks: read (403 on the check runs): falls back to all and names the permission', async () => {
    const w = await world();
    verdicts(w);
    w.api.failNext({ method: 'GET', path: /\/check-runs$/, status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference', status: '403' } });
    const r = ok(await job(w, 'auto-revert', method));
    expect(r.outputs).toMatchObject({ reverted: 'true', 'culprit-sha': '' });
    expect(r.outputs.reason).toContain('(undo: culprit fell back to all: no culprit named: the check runs could not be read (403 Resource not accessible by integration: the token lacks checks: read))');
  });

  it('undo: all (the default) behaves as today: the last good tree, the seed message, no verdict read', async () => {
    const w = await world();
    verdicts(w);
    const r = ok(await job(w, 'auto-revert', method, { undo: 'all' }));
    expect(r.outputs).toMatchObject({ outcome: 'reverted', reverted: 'true', 'culprit-sha': '', 'kept-shas': '' });
    expect(r.outputs.reason).toBe(`reverted main to the tree of ${w.a.slice(0, 7)}: Tests failed`);
    const head = await w.f.remoteHead();
    expect(await git(w.f.bare, ['diff', '--name-only', w.a, head, '--', '.', `:(exclude)${LEDGER}`])).toBe('');
    expect((await messageOf(w, head)).split('\n')[0]).toBe(`⚠️ Auto-rollback: Tests failed, reverting to last successful build ${w.a.slice(0, 7)}`);
    expect(verdictReads(w)).toBe(0);
    expect(r.summary).not.toContain('undo: culprit');
  });

  it('dry run: names the culprit and what would be kept, changes nothing', async () => {
    const w = await world();
    verdicts(w);
    const before = await w.f.refs();
    const r = ok(await job(w, 'auto-revert', method, { 'dry-run': 'true' }));
    expect(r.outputs).toMatchObject({ outcome: 'dry-run', reverted: 'false', 'culprit-sha': w.c2 });
    expect(r.outputs.reason).toBe(`dry run: would undo only the culprit ${w.c2.slice(0, 7)} on main, keeping 3 commit(s)`);
    expect(writes(w)).toEqual([]);
    expect(await w.f.refs()).toBe(before);
  });
});

describe('undo: culprit on a protected branch, and run again', () => {
  it('main protected: the culprit revert waits in a pull request that says it undoes only the culprit', async () => {
    const w = await world();
    verdicts(w);
    w.api.protectBranch('main');
    const r = ok(await job(w, 'auto-revert', 'api'));
    expect(r.outputs).toMatchObject({ outcome: 'pull-request', reverted: 'false', 'culprit-sha': w.c2, 'kept-shas': [w.l, w.c1, w.c3].join(' ') });
    expect(r.outputs.reason).toContain(`opened a revert pull request undoing only the culprit ${w.c2.slice(0, 7)}`);
    expect(await w.f.remoteHead()).toBe(w.c3);
    const pr = [...w.api.state.issues.values()].find((i) => i.pull)!;
    expect(pr.title).toBe('Revert "feat: c2 breaks app (fixes #\u200b12)"');
    expect(pr.body).toContain(`Merging it undoes only the culprit ${w.c2} (undo: culprit) on top of ${w.c3}`);
    expect(await tree(w, r.outputs['revert-sha']!)).toBe(await gitRevertTree(w, w.c2));
  });

  it.each<Method>(['api', 'git'])('the same failure handled again after the culprit revert (method %s): already reverted, nothing written', async (method) => {
    const w = await world();
    verdicts(w);
    const first = ok(await job(w, 'auto-revert', method));
    expect(first.outputs.reverted).toBe('true');
    w.api.resetLog();
    const again = ok(await job(w, 'auto-revert', method));
    expect(again.outputs).toMatchObject({ outcome: 'already-reverted', reverted: 'false', 'culprit-sha': '', 'kept-shas': '' });
    expect(writes(w)).toEqual([]);
    expect(await w.f.remoteHead()).toBe(first.outputs['revert-sha']);
  });
});

describe('undo: culprit with confirm: rerun', () => {
  it('attempt 1 asks for the re-run and writes nothing; attempt 2 failing again undoes the culprit alone', async () => {
    const w = await world();
    verdicts(w);
    w.api.addWorkflowRun({ id: 42, head_sha: w.fail });
    const event = (attempt: number) => ({
      action: 'completed',
      workflow_run: { id: 42, name: 'ci', head_branch: 'main', head_sha: w.fail, conclusion: 'failure', event: 'push', run_attempt: attempt, status: 'completed', html_url: `${w.api.serverUrl}/owner/app/actions/runs/42` },
      repository: { full_name: 'owner/app', name: 'app', owner: { login: 'owner' } },
    });
    const first = ok(await runOnFailure('auto-revert', w, w.fail, { inputs: { method: 'api', undo: 'culprit', confirm: 'rerun' }, event: event(1) }));
    expect(first.outputs).toMatchObject({ outcome: 'confirming', reverted: 'false', 'culprit-sha': w.c2 });
    expect(first.summary).toContain('**Commits a revert would undo (1):**');
    expect(writes(w).map((r) => r.route)).toEqual(['POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs']);
    expect(await w.f.remoteHead()).toBe(w.c3);
    w.api.completeWorkflowRun(42, 'failure');
    const second = ok(await runOnFailure('auto-revert', w, w.fail, { inputs: { method: 'api', undo: 'culprit', confirm: 'rerun' }, event: event(2) }));
    expect(second.outputs).toMatchObject({ outcome: 'reverted', 'culprit-sha': w.c2 });
    expect(second.outputs.reason).toContain('(confirmed: attempt 2 of run 42 failed too)');
    expect(await tree(w, await w.f.remoteHead())).toBe(await gitRevertTree(w, w.c2));
  });
});

describe('undo: bad value', () => {
  it.each(['auto-revert', 'rollback'] as const)('%s: one line naming the input, exit 1, no request, no ref moved', async (action) => {
    const w = await world();
    verdicts(w);
    const before = await w.f.refs();
    const r = await runOnFailure(action, w, w.fail, { inputs: { undo: 'everything', ...(action === 'rollback' ? { fingerprint: 'ci main' } : {}) } });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^Input "undo": .*all.*culprit/);
    expect(w.api.requests).toEqual([]);
    expect(await w.f.refs()).toBe(before);
  });
});

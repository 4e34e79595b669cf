/**
 * Real-world events and inputs a demanding user hits with auto-revert and the one-step rollback, run as the
 * runner runs the bundles, against a bare git remote served by the GitHub stand-in.
 *
 * - workflow_run after a *pull request's* CI run: `branches: [main]` (the README's filter) matches the run's
 *   head branch, which for a pull request is its source branch. A pull request from main into release/1.x,
 *   a fork's pull request from its own `main`, a merge-queue group: none of them is a failure of the branch
 *   they name, and reverting it would undo good work.
 * - preserve-paths written the way people write paths (`./models`, `data/*.csv`).
 */
import { describe, expect, it } from 'vitest';
import { runAction, type RunResult } from '../support/harness.js';
import { git } from '../support/revert/git-fixture.js';
import { scenarioPerTest, fileAt, runOnFailure, TOKEN, workflowRunFailed, type Scenario } from '../support/revert/scenario.js';

const scenario = scenarioPerTest();

type Method = 'api' | 'git';

async function workspaceFor(s: Scenario, method: Method, failing: string): Promise<{ workspace?: string }> {
  if (method === 'api') return {};
  return { workspace: await s.f.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 1, ref: failing }) };
}

/** The workflow_run event of a CI run triggered by `event` on `sha`, `branch` being the run's head branch. */
function runEvent(sha: string, branch: string, event: string, headRepository = 'owner/app'): Record<string, unknown> {
  const base = workflowRunFailed(sha, branch) as { workflow_run: Record<string, unknown> };
  const [owner, name] = headRepository.split('/');
  return {
    ...base,
    workflow_run: { ...base.workflow_run, event, head_repository: { full_name: headRepository, name, owner: { login: owner } } },
  };
}

const writes = (s: Scenario) => s.api.callCount({ method: 'PATCH' }) + s.api.callCount({ method: 'POST' });

describe('auto-revert after a pull request CI run (workflow_run)', () => {
  it.each<[string, Method, (s: Scenario) => Record<string, unknown>]>([
    // head_branch is main: the README's `branches: [main]` filter lets it through; head_sha is main's tip.
    ['a pull request from main into release/1.x (event pull_request)', 'api', (s) => runEvent(s.fail, 'main', 'pull_request')],
    ['a pull request from main into release/1.x (event pull_request)', 'git', (s) => runEvent(s.fail, 'main', 'pull_request')],
    ['a pull_request_target run', 'api', (s) => runEvent(s.fail, 'main', 'pull_request_target')],
    // A fork's PR from its own main whose head a maintainer then pushed to main (a fast-forward): same SHA.
    ["a fork's pull request from the fork's main", 'api', (s) => runEvent(s.fail, 'main', 'pull_request', 'someone/app')],
  ])('%s (method %s): main is not reverted, exit 0, reason says why', async (_name, method, event) => {
    const s = await scenario();
    const ws = await workspaceFor(s, method, s.fail);
    const before = await s.f.refs();
    const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { method }, event: event(s), ...ws });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toMatch(/pull request|fork/);
    expect(r.outputs.reason).toContain('main');
    expect(await s.f.refs()).toBe(before);
    expect(writes(s)).toBe(0);
  });

  it('a merge-queue group whose temporary branch is already deleted: exit 0 and nothing changed, not an input error', async () => {
    const s = await scenario();
    const before = await s.f.refs();
    const queue = `gh-readonly-queue/main/pr-7-${s.l}`;
    const r = await runOnFailure('auto-revert', s, s.fail, { event: runEvent(s.fail, queue, 'merge_group') });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.errors).toEqual([]);
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toMatch(/merge queue/);
    expect(await s.f.refs()).toBe(before);
  });

  it('a tag push\'s run (head_branch is the tag): exit 0, nothing changed, not an input error; a branch named in the input still must exist', async () => {
    const s = await scenario();
    const before = await s.f.refs();
    const r = await runOnFailure('auto-revert', s, s.fail, { event: runEvent(s.fail, 'v1.2.0', 'push') });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.errors).toEqual([]);
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toMatch(/"v1\.2\.0" is not a branch of the repository/);
    expect(await s.f.refs()).toBe(before);
    expect(writes(s)).toBe(0);
    const named = await runOnFailure('auto-revert', s, s.fail, { inputs: { branch: 'v1.2.0' }, event: runEvent(s.fail, 'v1.2.0', 'push') });
    expect(named.code).toBe(1);
    expect(named.errors).toEqual(['Input "branch": there is no branch "v1.2.0" in the repository']);
    expect(await s.f.refs()).toBe(before);
  });

  it('a push run (workflow_run.event push) from this repository is still reverted', async () => {
    const s = await scenario();
    const r = await runOnFailure('auto-revert', s, s.fail, { event: runEvent(s.fail, 'main', 'push') });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted, r.outputs.reason).toBe('true');
    expect(await s.f.remoteHead()).toBe(r.outputs['revert-sha']);
  });

  it('explicit branch and failing-sha are the user deciding: a pull request event does not stop them', async () => {
    const s = await scenario();
    const r = await runOnFailure('auto-revert', s, s.fail, {
      inputs: { branch: 'main', 'failing-sha': s.fail },
      event: runEvent(s.fail, 'main', 'pull_request'),
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted, r.outputs.reason).toBe('true');
  });

  it('the job itself runs on pull_request (auto-revert in the CI workflow): the PR branch is not reverted', async () => {
    const s = await scenario();
    // A same-repository pull request from feature/x (the broken commit); GitHub tests its merge commit with
    // main, refs/pull/7/merge, which is GITHUB_SHA.
    await git(s.f.bare, ['branch', 'feature/x', s.fail]);
    const merge = await git(s.f.bare, ['commit-tree', `${s.fail}^{tree}`, '-p', s.l, '-p', s.fail, '-m', 'Merge fail into l'], {
      env: { GIT_AUTHOR_NAME: 'GitHub', GIT_AUTHOR_EMAIL: 'noreply@github.com', GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' },
    });
    await git(s.f.bare, ['update-ref', 'refs/pull/7/merge', merge]);
    const before = await s.f.refs();
    const r = await runAction('auto-revert', {
      inputs: {},
      event: { number: 7, pull_request: { number: 7, head: { ref: 'feature/x', sha: s.fail }, base: { ref: 'main' } }, repository: { full_name: 'owner/app' } },
      github: { sha: merge, token: TOKEN, repository: 'owner/app', ref: 'refs/pull/7/merge' },
      env: { GITHUB_API_URL: s.api.url, GITHUB_SERVER_URL: s.api.serverUrl, GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'owner/app', GITHUB_HEAD_REF: 'feature/x' },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toMatch(/pull request/);
    expect(await s.f.refs()).toBe(before);
  });
});

describe('one-step rollback after a pull request CI run', () => {
  function rollback(s: Scenario, event: Record<string, unknown>): Promise<RunResult> {
    return runOnFailure('rollback', s, s.fail, { inputs: { fingerprint: 'ci-cd rollback main' }, event, env: { GITHUB_WORKFLOW: 'rollback', GITHUB_JOB: 'rollback', GITHUB_RUN_ID: '900' } });
  }

  it('a pull request from main into release/1.x failed: main is not reverted and nobody is paged', async () => {
    const s = await scenario();
    const before = await s.f.refs();
    const r = await rollback(s, runEvent(s.fail, 'main', 'pull_request'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toMatch(/pull request/);
    expect(r.outputs.operation).toBe('none');
    expect([...s.api.state.issues.values()]).toEqual([]);
    expect(await s.f.refs()).toBe(before);
  });
});

describe.each<Method>(['api', 'git'])('preserve-paths as people write them (method %s)', (method) => {
  it('./new_module.py is the path new_module.py: kept from the failing commit', async () => {
    const s = await scenario();
    const ws = await workspaceFor(s, method, s.fail);
    const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { method, 'preserve-paths': './new_module.py' }, ...ws });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted, r.outputs.reason).toBe('true');
    const head = await s.f.remoteHead();
    expect(await fileAt(s, head, 'new_module.py')).toBe('x = 1');
    expect(await fileAt(s, head, 'app.py')).toBe(await fileAt(s, s.g, 'app.py'));
  });

  it.each([['new_*.py'], ['models/**'], ['data/file?.csv'], ['../outside'], ['/etc/passwd']])(
    '%s: one line naming preserve-paths, exit 1, nothing changed',
    async (path) => {
      const s = await scenario();
      const ws = await workspaceFor(s, method, s.fail);
      const before = await s.f.refs();
      const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { method, 'preserve-paths': `README.md, ${path}` }, ...ws });
      expect(r.code, r.stdout).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(/^Input "preserve-paths": /);
      expect(r.errors[0]).toContain(path);
      expect(await s.f.refs()).toBe(before);
      expect(writes(s)).toBe(0);
    },
  );
});

describe.each<Method>(['api', 'git'])('a branch name with slashes (release/1.x), method %s', (method) => {
  it('auto-revert reverts release/1.x (refs API path, push refspec) and leaves main alone', async () => {
    const s = await scenario();
    await git(s.f.bare, ['branch', 'release/1.x', s.fail]);
    await git(s.f.bare, ['update-ref', 'refs/heads/main', s.l]);
    const ws = method === 'git' ? { workspace: await s.f.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 1, ref: s.fail }) } : {};
    const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { method }, event: runEvent(s.fail, 'release/1.x', 'push'), ...ws });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted, r.outputs.reason).toBe('true');
    expect(await s.f.remoteHead('release/1.x')).toBe(r.outputs['revert-sha']);
    expect(await s.f.remoteHead('main')).toBe(s.l);
    expect(r.summary).toContain('release/1.x');
  });

  it('find-last-good-commit with branch: release/1.x takes that branch tip as the head', async () => {
    const s = await scenario();
    await git(s.f.bare, ['branch', 'release/1.x', s.fail]);
    await git(s.f.bare, ['update-ref', 'refs/heads/main', s.g]);
    const ws = method === 'git' ? { workspace: await s.f.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 1, ref: 'main' }) } : {};
    const r = await runAction('find-last-good-commit', {
      inputs: { branch: 'release/1.x', 'ledger-source': 'api' },
      ...ws,
      event: { ref: 'refs/heads/main' },
      github: { sha: s.g, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
      env: { GITHUB_API_URL: s.api.url, GITHUB_SERVER_URL: s.api.serverUrl, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_REPOSITORY: 'owner/app' },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.found, r.outputs.reason).toBe('true');
    expect(r.outputs.sha).toBe(s.g);
    expect(r.summary).toContain(s.fail);
  });
});

describe('a re-run of the failed CI run (run_attempt 2) after greenline already reverted', () => {
  const rerun = (sha: string) => {
    const e = runEvent(sha, 'main', 'push') as { workflow_run: Record<string, unknown> };
    return { ...e, workflow_run: { ...e.workflow_run, run_attempt: 2 } };
  };

  it.each<Method>(['api', 'git'])('auto-revert (method %s): says main is already reverted, no "someone pushed" warning, nothing changed', async (method) => {
    const s = await scenario();
    const first = await runOnFailure('auto-revert', s, s.fail, { inputs: { method: 'api' } });
    expect(first.outputs.reverted, first.outputs.reason).toBe('true');
    const before = await s.f.refs();
    const ws = await workspaceFor(s, method, s.fail);
    const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { method }, event: rerun(s.fail), ...ws });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toMatch(/already reverted/);
    expect(r.outputs.reason).toContain(first.outputs['revert-sha']!.slice(0, 7));
    expect(r.warnings).toEqual([]);
    expect(await s.f.refs()).toBe(before);
  });

  it('someone else pushing on top of the revert is still "moved", with the warning', async () => {
    const s = await scenario();
    const first = await runOnFailure('auto-revert', s, s.fail);
    expect(first.outputs.reverted).toBe('true');
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    await s.f.commit('fix: by Alice', { 'app.py': 'print("fixed")\n' });
    await s.f.push();
    const r = await runOnFailure('auto-revert', s, s.fail, { event: rerun(s.fail) });
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toMatch(/fix: by Alice.*someone pushed after the failure/);
    expect(r.warnings).toHaveLength(1);
  });
});

describe('more than 250 commits between the good build and the failing one (compare lists the oldest 250)', () => {
  it('the summary lists the newest commits undone, the failing commit first', async () => {
    const s = await scenario();
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    let prev = s.fail;
    for (let i = 1; i <= 300; i++) prev = await git(s.f.work, ['commit-tree', `${prev}^{tree}`, '-p', prev, '-m', `chore: filler ${i}`]);
    await git(s.f.work, ['reset', '-q', '--hard', prev]);
    const failing = await s.f.commit('feat: v4 (broken)', { 'app.py': 'raise SystemExit(2)\n' });
    await s.f.push();
    const r = await runOnFailure('auto-revert', s, failing);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted, r.outputs.reason).toBe('true');
    expect(r.outputs['target-sha']).toBe(s.g);
    expect(r.summary).toContain('Commits undone (303)');
    const listed = r.summary.split('\n').filter((l) => l.startsWith('- `'));
    expect(listed[0]).toContain(failing.slice(0, 7));
    expect(listed[0]).toContain('feat: v4 (broken)');
    expect(listed[1]).toContain('chore: filler 300');
    expect(listed).toHaveLength(50);
    expect(listed.at(-1)).toContain('chore: filler 252');
    expect(r.summary).toContain('- … and 253 more');
  });
});

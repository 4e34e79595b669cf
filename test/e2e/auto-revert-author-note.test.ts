/**
 * "The author hears it first": after a revert (or a revert pull request) auto-revert comments once on the pull
 * request that brought in the failing change — found through `GET commits/{sha}/pulls` on the stand-in, which
 * checks every request and answer against GitHub's description. Run as the runner runs the bundle.
 */
import { describe, expect, it } from 'vitest';
import { runAction, type RunResult } from '../support/harness.js';
import { pullScenarioPerTest, type PullScenario } from '../support/revert/pull-scenario.js';
import { runOnFailure, TOKEN } from '../support/revert/scenario.js';

type Method = 'api' | 'git';

const scenario = pullScenarioPerTest();
const MARKER = /<!-- greenline:revert-note ([0-9a-f]{40}) -->/;

async function revert(s: PullScenario, method: Method, inputs: Record<string, string> = {}): Promise<RunResult> {
  const workspace = method === 'git' ? { workspace: await s.f.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 1, ref: s.fail }) } : {};
  const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { method, ...inputs }, ...workspace, env: { GITHUB_RUN_ID: '777' } });
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Every comment the stand-in holds, on any issue or pull request. */
const allComments = (s: PullScenario) => s.api.state.comments.map((c) => ({ issue: c.issue, body: c.body }));
const commentPosts = (s: PullScenario) => s.api.callCount({ method: 'POST', route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments' });

describe.each<Method>(['api', 'git'])('auto-revert tells the pull request behind the failure (method %s)', (method) => {
  it('a squash-merged pull request gets exactly one comment: what failed, the run, the revert; a re-run adds none', async () => {
    const s = await scenario('squash');
    const r = await revert(s, method, { reason: 'Unit tests failed' });
    expect(r.outputs.reverted).toBe('true');
    const revertSha = r.outputs['revert-sha']!;
    const notes = allComments(s);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.issue).toBe(s.pull!.number);
    const body = notes[0]!.body;
    expect(body.match(MARKER)?.[1]).toBe(s.fail);
    expect(body).toContain('### ⏪ greenline reverted `main`');
    expect(body).toContain(`**What failed:** Unit tests failed on [\`${s.fail.slice(0, 7)}\`](${s.api.serverUrl}/owner/app/commit/${s.fail}) feat: v3 (broken) (squashed)`);
    expect(body).toContain(`**Run:** ${s.api.serverUrl}/owner/app/actions/runs/777`);
    expect(body).toContain(`**Revert:** [\`${revertSha.slice(0, 7)}\`](${s.api.serverUrl}/owner/app/commit/${revertSha}) on \`main\``);
    expect(body).toContain(s.g.slice(0, 7));
    expect(r.summary).toContain(`commented on #${s.pull!.number} ${s.pull!.url}`);

    // The same failure again (a re-run of the failed run): main is already reverted, nothing more is said.
    const again = await revert(s, method, { reason: 'Unit tests failed' });
    expect(again.outputs.outcome).toBe('already-reverted');
    expect(allComments(s)).toHaveLength(1);
    expect(commentPosts(s)).toBe(1);
  });

  it('a protected main: the revert pull request is linked in the note, and a second run finds the note and adds none', async () => {
    const s = await scenario('squash');
    s.api.protectBranch('main');
    const first = await revert(s, method);
    expect(first.outputs.outcome).toBe('pull-request');
    const second = await revert(s, method);
    expect(second.outputs.outcome).toBe('pull-request');
    expect(second.outputs['pull-request-url']).toBe(first.outputs['pull-request-url']);
    const onPull = s.api.state.commentsOf(s.pull!.number).map((c) => c.body);
    expect(onPull).toHaveLength(1);
    expect(onPull[0]).toContain(`### 🔀 greenline opened a revert of this pull request's change on \`main\``);
    expect(onPull[0]).toContain(`waits in ${first.outputs['pull-request-url']}`);
    expect(commentPosts(s)).toBe(1);
    expect(second.summary).toContain(`#${s.pull!.number} ${s.pull!.url} already has greenline's note`);
    expect(second.stdout).toContain(`pull request #${s.pull!.number} already has greenline's note`);
  });

  it('a merge commit on main: the pull request whose merge commit it is gets the note', async () => {
    const s = await scenario('merge');
    const r = await revert(s, method);
    expect(r.outputs.reverted).toBe('true');
    const notes = allComments(s);
    expect(notes.map((n) => n.issue)).toEqual([s.pull!.number]);
    expect(notes[0]!.body.match(MARKER)?.[1]).toBe(s.fail);
  });

  it('a direct push gets no comment, and nobody else is told', async () => {
    const s = await scenario('push');
    const r = await revert(s, method);
    expect(r.outputs.reverted).toBe('true');
    expect(allComments(s)).toEqual([]);
    expect(commentPosts(s)).toBe(0);
    expect(r.stdout).toContain('with no pull request (a direct push): nobody to tell');
    expect(r.warnings).toEqual([]);
  });

  it('@-mentions, references and HTML in the subject and the reason arrive inert', async () => {
    const s = await scenario('squash', 'feat: ping @here and @someone, fixes #1 <img src=x> `code`');
    await revert(s, method, { reason: 'Tests failed, cc @octo-org/oncall' });
    const body = allComments(s)[0]!.body;
    // No live mention: every @ in untrusted text is followed by a zero-width space.
    expect(body).not.toMatch(/@(here|someone|octo-org)/);
    expect(body).toContain('@\u200bhere');
    expect(body).toContain('@\u200bsomeone');
    expect(body).toContain('@\u200bocto-org/oncall');
    expect(body).not.toMatch(/#1\b/);
    expect(body).not.toContain('<img');
    // Only greenline's own marker and footer are HTML in the body.
    expect(body.replace(MARKER, '').replace(/<\/?sub>/g, '')).not.toContain('<');
  });

  it('403 on the comment (no pull-requests: write) is a warning: the revert is done and the step passes', async () => {
    const s = await scenario('squash');
    s.api.failNext({ method: 'POST', path: /\/issues\/\d+\/comments$/, status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment', status: '403' } });
    const r = await revert(s, method);
    expect(r.outputs.reverted).toBe('true');
    expect(await s.f.remoteHead()).toBe(r.outputs['revert-sha']);
    expect(allComments(s)).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(new RegExp(`could not comment on pull request #${s.pull!.number}: 403 Resource not accessible by integration \\(the token needs pull-requests: write, or issues: write\\); the revert itself is done`));
  });

  it('404 on the pull requests of the commit is a warning too', async () => {
    const s = await scenario('squash');
    s.api.failNext({ method: 'GET', path: /\/commits\/[0-9a-f]{40}\/pulls$/, status: 404 });
    const r = await revert(s, method);
    expect(r.outputs.reverted).toBe('true');
    expect(allComments(s)).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/could not find the pull request of [0-9a-f]{7}: 404 /);
  });

  it('comment-on-pull-request: false asks nothing and says nothing', async () => {
    const s = await scenario('squash');
    const r = await revert(s, method, { 'comment-on-pull-request': 'false' });
    expect(r.outputs.reverted).toBe('true');
    expect(allComments(s)).toEqual([]);
    expect(s.api.callCount({ path: /\/pulls$/ })).toBe(0);
  });
});

describe('the pull request note in other runs', () => {
  it('dry run: says which pull request would be told, posts nothing', async () => {
    const s = await scenario('squash');
    const r = await revert(s, 'api', { 'dry-run': 'true' });
    expect(r.outputs.outcome).toBe('dry-run');
    expect(allComments(s)).toEqual([]);
    expect(r.summary).toContain(`would comment on #${s.pull!.number}`);
  });

  it('a bad comment-on-pull-request value stops before anything is read or changed', async () => {
    const s = await scenario('squash');
    const before = await s.f.refs();
    const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { 'comment-on-pull-request': 'maybe' } });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/^Input "comment-on-pull-request": /m);
    expect(await s.f.refs()).toBe(before);
    expect(s.api.requests).toEqual([]);
  });

  it('the one-step rollback tells the pull request too, and its incident reads right for a test failure', async () => {
    const s = await scenario('squash');
    const r = await runAction('rollback', {
      inputs: { fingerprint: 'ci-cd rollback main' },
      event: { ref: 'refs/heads/main', after: s.fail, head_commit: { id: s.fail, message: 'x' } },
      github: { sha: s.fail, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
      env: { GITHUB_API_URL: s.api.url, GITHUB_SERVER_URL: s.api.serverUrl, GITHUB_REPOSITORY: 'owner/app', GITHUB_EVENT_NAME: 'push', GITHUB_WORKFLOW: 'ci-cd', GITHUB_JOB: 'rollback', GITHUB_RUN_ID: '901' },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted).toBe('true');
    const onPull = s.api.state.commentsOf(s.pull!.number).map((c) => c.body);
    expect(onPull).toHaveLength(1);
    expect(onPull[0]).toContain(`**Run:** ${s.api.serverUrl}/owner/app/actions/runs/901`);
    const incident = [...s.api.state.issues.values()].find((i) => !i.pull)!;
    expect(incident.body).not.toMatch(/Ongoing for/);
    expect(incident.body).toContain('Ongoing, 1 run.');
    expect(incident.body).not.toMatch(/health report/i);
    // The ledger commit L between the good build and the failure is kept, not undone.
    expect(incident.body).toContain('Commits undone (1):');
    expect(incident.body).toContain(`greenline's ledger commits kept (1, their entries stay in docs/ML_EXPERIMENT_RESULTS.md):`);
    expect(incident.body).toContain(`- ${s.l.slice(0, 7)} greenline: ledger passed ${s.g.slice(0, 7)} [skip ci]`);
  });
});

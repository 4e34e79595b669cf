/**
 * `confirm: rerun` through the bundles (dist/auto-revert and the one-step rollback, dist/rollback), for both
 * methods, against the GitHub stand-in's workflow runs: the first failed attempt asks GitHub once to re-run the
 * failed jobs and reverts nothing; a re-run that passes leaves main alone; one that fails again is reverted.
 * Never a re-run for a greenline revert; the in-run lay-out, a bad value and a token without actions: write
 * stop the step in one line with nothing changed.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../support/harness.js';
import { git } from '../support/revert/git-fixture.js';
import { runOnFailure, scenarioPerTest, type Scenario } from '../support/revert/scenario.js';
import { runAction } from '../support/harness.js';
import { TOKEN } from '../support/revert/scenario.js';

const scenario = scenarioPerTest({ noUnknownRequests: true });
const RUN = 42;
const RERUN = 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs';

type Method = 'api' | 'git';
type Action = 'auto-revert' | 'rollback';

/** The `workflow_run` event of attempt `attempt` of run 42 on `sha`, as GitHub sends it. */
function runEvent(s: Scenario, sha: string, attempt: number, conclusion: string): Record<string, unknown> {
  return {
    action: 'completed',
    workflow_run: { id: RUN, name: 'ci', head_branch: 'main', head_sha: sha, conclusion, event: 'push', run_attempt: attempt, status: 'completed', html_url: `${s.api.serverUrl}/owner/app/actions/runs/${RUN}` },
    repository: { full_name: 'owner/app', name: 'app', owner: { login: 'owner' } },
  };
}

/** The confirming job (a workflow_run workflow) after attempt `attempt` of run 42 on `failing` concluded. */
async function job(s: Scenario, action: Action, method: Method, failing: string, attempt: number, conclusion = 'failure', inputs: Record<string, string> = {}): Promise<RunResult> {
  const workspace = method === 'git' ? await s.f.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 1, ref: failing }) : undefined;
  return runOnFailure(action, s, failing, {
    inputs: { method, confirm: 'rerun', ...(action === 'rollback' ? { fingerprint: 'ci main' } : {}), ...inputs },
    event: runEvent(s, failing, attempt, conclusion),
    ...(workspace ? { workspace } : {}),
  });
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const reruns = (s: Scenario) => s.api.callCount({ route: RERUN });
const writes = (s: Scenario) => s.api.requests.filter((r) => r.method !== 'GET');
const issues = (s: Scenario) => [...s.api.state.issues.values()].filter((i) => !i.pull);
const refs = (s: Scenario) => git(s.f.bare, ['for-each-ref', '--format=%(refname) %(objectname)']);

describe.each([
  ['auto-revert', 'api'],
  ['auto-revert', 'git'],
  ['rollback', 'api'],
  ['rollback', 'git'],
] as const)('confirm: rerun (%s, method %s)', (action, method) => {
  it('a failure that passes on re-run is never reverted: attempt 1 asks once, the passing attempt 2 does nothing', async () => {
    const s = await scenario();
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    const before = await refs(s);

    const first = ok(await job(s, action, method, s.fail, 1));
    expect(first.outputs).toMatchObject({ outcome: 'confirming', reverted: 'false', 'revert-sha': '', 'target-sha': s.g });
    expect(first.outputs.reason).toMatch(new RegExp(`^confirming the failure of ${s.fail.slice(0, 7)} before reverting main: asked GitHub to re-run the failed jobs of run ${RUN} \\(attempt 2\\)`));
    expect(first.summary).toContain('confirming the failure by a re-run');
    expect(first.summary).toContain(`attempt 1 of at most 2: failed: re-run asked before any revert`);
    // Nothing was undone yet: the summary lists what a revert would undo, not "Commits undone".
    expect(first.summary).toContain('**Commits a revert would undo (1):**');
    expect(first.summary).not.toContain('Commits undone');
    expect(reruns(s)).toBe(1);
    expect(s.api.state.workflowRuns.get(RUN)).toMatchObject({ run_attempt: 2, status: 'queued' });
    // Only the re-run was written: no commit, no ref, no incident issue (a person is not needed yet).
    expect(writes(s).map((r) => r.route)).toEqual([RERUN]);
    expect(issues(s)).toEqual([]);
    expect(await refs(s)).toBe(before);

    // The confirming job itself re-run (same event, attempt 1): the run is already at attempt 2, so no second ask.
    s.api.resetLog();
    const again = ok(await job(s, action, method, s.fail, 1));
    expect(again.outputs.outcome).toBe('confirming');
    expect(again.outputs.reason).toContain(`attempt 2 of run ${RUN} is already under way: not asking for another re-run`);
    expect(reruns(s)).toBe(0);
    expect(writes(s)).toEqual([]);

    // Attempt 2 passes: its workflow_run event reverts nothing and asks nothing; not a single request is made.
    s.api.completeWorkflowRun(RUN, 'success');
    s.api.resetLog();
    const passed = ok(await job(s, action, method, s.fail, 2, 'success'));
    expect(passed.outputs).toMatchObject({ outcome: 'run-passed', reverted: 'false', 'revert-sha': '' });
    expect(passed.outputs.reason).toBe(`attempt 2 of run ${RUN} concluded success: the earlier failure did not reproduce (flaky or environmental), so nothing was reverted`);
    // auto-revert makes no request; the rollback only looks for an open incident to note the flaky failure on.
    expect(s.api.requests.filter((r) => action === 'auto-revert' || r.route !== 'GET /repos/{owner}/{repo}/issues')).toEqual([]);
    expect(await refs(s)).toBe(before);
    expect(issues(s)).toEqual([]);
    // The flaky failure is recorded as a warning annotation on the run.
    expect(passed.stdout).toContain(`::warning::attempt 2 of run ${RUN} concluded success: the earlier failure did not reproduce`);
  });

  if (action === 'rollback') {
    it('a re-run that passes is noted on the incident already open for the branch, and opens none', async () => {
      const s = await scenario();
      // An incident for this fingerprint is open (an earlier failure that needed a person).
      const opened = ok(
        await runOnFailure('open-incident-issue', s, s.fail, { inputs: { fingerprint: 'ci main', kind: 'failure' } }),
      );
      const number = Number(opened.outputs['issue-number']);
      const before = await refs(s);
      s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
      ok(await job(s, action, method, s.fail, 1));
      s.api.completeWorkflowRun(RUN, 'success');
      const passed = ok(await job(s, action, method, s.fail, 2, 'success'));
      expect(passed.outputs).toMatchObject({ outcome: 'run-passed', reverted: 'false', 'issue-number': String(number), operation: 'commented' });
      expect(passed.summary).toContain(`Flaky failure noted on the open incident #${number}`);
      const comments = s.api.state.commentsOf(number);
      expect(comments.at(-1)!.body).toContain(`Flaky failure: attempt 2 of run ${RUN} concluded success`);
      expect(comments.at(-1)!.body).toContain(`main was left on ${s.fail.slice(0, 7)}`);
      expect(issues(s)).toHaveLength(1);
      expect(issues(s)[0]!.state).toBe('open');
      expect(await refs(s)).toBe(before);
    });
  }

  it('a failure that fails twice is reverted on attempt 2, after exactly one re-run request', async () => {
    const s = await scenario();
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    const first = ok(await job(s, action, method, s.fail, 1));
    expect(first.outputs.outcome).toBe('confirming');
    expect(await s.f.remoteHead()).toBe(s.fail);

    s.api.completeWorkflowRun(RUN, 'failure');
    const second = ok(await job(s, action, method, s.fail, 2));
    expect(second.outputs).toMatchObject({ outcome: 'reverted', reverted: 'true', 'target-sha': s.g });
    expect(second.outputs.reason).toMatch(new RegExp(`^reverted main to the tree of ${s.g.slice(0, 7)}: Tests failed \\(confirmed: attempt 2 of run ${RUN} failed too\\)$`));
    expect(second.summary).toContain('attempt 2 of at most 2: failed again: the failure reproduced');
    const head = await s.f.remoteHead();
    expect(head).toBe(second.outputs['revert-sha']);
    expect(await git(s.f.bare, ['log', '-1', '--format=%P', head])).toBe(s.fail);
    expect(await git(s.f.bare, ['show', `${head}:app.py`])).toBe(await git(s.f.bare, ['show', `${s.g}:app.py`]));
    // One re-run request for the whole run; the revert asked none.
    expect(reruns(s)).toBe(1);
    if (action === 'rollback') {
      expect(issues(s)).toHaveLength(1);
      expect(issues(s)[0]!.body).toContain(`Confirmed by a re-run before reverting: attempt 2 of run ${RUN} failed too.`);
    }
  });
});

describe('confirm: rerun never asks in vain', () => {
  it.each(['api', 'git'] as const)('never for a greenline revert at the head (method %s): nothing asked, nothing reverted', async (method) => {
    const s = await scenario();
    // main was reverted by greenline (confirm: none); then a run of that revert commit failed.
    const reverted = ok(await runOnFailure('auto-revert', s, s.fail, { inputs: { method: 'api' } }));
    const revertSha = reverted.outputs['revert-sha']!;
    expect(await s.f.remoteHead()).toBe(revertSha);
    s.api.addWorkflowRun({ id: RUN, head_sha: revertSha });
    s.api.resetLog();
    const r = ok(await job(s, 'auto-revert', method, revertSha, 1));
    expect(r.outputs).toMatchObject({ outcome: 'loop', reverted: 'false' });
    expect(reruns(s)).toBe(0);
    expect(s.api.callCount({ route: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}' })).toBe(0);
    expect(writes(s)).toEqual([]);
    expect(await s.f.remoteHead()).toBe(revertSha);
  });

  it('nothing is asked when nothing would be reverted (someone pushed after the failure)', async () => {
    const s = await scenario();
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    await s.f.commit('fix: forward', { 'app.py': 'print("fixed")\n' });
    await s.f.push();
    const r = ok(await job(s, 'auto-revert', 'api', s.fail, 1));
    expect(r.outputs.outcome).toBe('branch-moved');
    expect(reruns(s)).toBe(0);
  });

  it('someone re-ran the run between the look and the ask (403 "This workflow is already running"): confirming, no error', async () => {
    const s = await scenario();
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    s.api.failNext({ method: 'POST', path: /\/rerun-failed-jobs$/, status: 403, body: { message: 'This workflow is already running', documentation_url: 'https://docs.github.com/rest/actions/workflow-runs#re-run-failed-jobs-from-a-workflow-run', status: '403' } });
    const r = ok(await job(s, 'auto-revert', 'api', s.fail, 1));
    expect(r.outputs.outcome).toBe('confirming');
    expect(r.outputs.reason).toContain(`run ${RUN} is already being re-run (GitHub: "This workflow is already running")`);
    expect(await s.f.remoteHead()).toBe(s.fail);
  });

  it('dry-run: says it would ask for a re-run, and asks nothing', async () => {
    const s = await scenario();
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    const r = ok(await job(s, 'auto-revert', 'api', s.fail, 1, 'failure', { 'dry-run': 'true' }));
    expect(r.outputs).toMatchObject({ outcome: 'confirming', reverted: 'false' });
    expect(r.outputs.reason).toContain(`dry run: would ask GitHub to re-run the failed jobs of run ${RUN} (attempt 2)`);
    expect(s.api.callCount({ path: /\/actions\// })).toBe(0);
    expect(writes(s)).toEqual([]);
  });

  it('confirm-attempts: 3 re-runs twice and reverts the third failed attempt', async () => {
    const s = await scenario();
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    for (const attempt of [1, 2]) {
      const r = ok(await job(s, 'auto-revert', 'api', s.fail, attempt, 'failure', { 'confirm-attempts': '3' }));
      expect(r.outputs.reason).toContain(`(attempt ${attempt + 1})`);
      s.api.completeWorkflowRun(RUN, 'failure');
    }
    const third = ok(await job(s, 'auto-revert', 'api', s.fail, 3, 'failure', { 'confirm-attempts': '3' }));
    expect(third.outputs.reverted).toBe('true');
    expect(reruns(s)).toBe(2);
  });
});

describe('confirm: rerun refused in one line, nothing changed', () => {
  it.each(['auto-revert', 'rollback'] as const)('%s: the in-run lay-out (a job of the failing push run) is refused before any request', async (action) => {
    const s = await scenario();
    const before = await refs(s);
    const r = await runAction(action, {
      inputs: { confirm: 'rerun', ...(action === 'rollback' ? { fingerprint: 'ci main' } : {}) },
      event: { ref: 'refs/heads/main', after: s.fail, head_commit: { id: s.fail, message: 'x' } },
      github: { sha: s.fail, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
      env: { GITHUB_API_URL: s.api.url, GITHUB_SERVER_URL: s.api.serverUrl, GITHUB_REPOSITORY: 'owner/app', GITHUB_EVENT_NAME: 'push' },
    });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      'Input "confirm": rerun needs the separate workflow_run lay-out (a workflow on: workflow_run, types: [completed]), and this job runs on push: a job inside the failing run cannot have that run re-run (GitHub answers 403 "This workflow is already running" while it is in progress); set confirm: none here',
    ]);
    expect(s.api.requests).toEqual([]);
    expect(await refs(s)).toBe(before);
  });

  it.each([
    ['confirm', 'yes', 'Input "confirm": must be one of none, rerun, got "yes"'],
    ['confirm-attempts', '1', 'Input "confirm-attempts": must be between 2 and 10, got 1'],
  ])('a bad %s (%s) stops the step before any request', async (name, value, line) => {
    const s = await scenario();
    const before = await refs(s);
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    const r = await job(s, 'auto-revert', 'api', s.fail, 1, 'failure', { [name]: value });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([line]);
    expect(s.api.requests).toEqual([]);
    expect(await refs(s)).toBe(before);
  });

  it.each([
    ['api', 'read', 'POST', 're-run'],
    ['git', 'read', 'POST', 're-run'],
    ['api', 'none', 'GET', 'read'],
  ] as const)('method %s, a token with actions: %s: one line naming actions: write, nothing changed', async (method, level, refusedMethod, verb) => {
    const s = await scenario();
    const before = await refs(s);
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    s.api.setActionsPermission(level);
    const r = await job(s, 'auto-revert', method, s.fail, 1);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      `Input "token": the token may not ${verb} workflow run ${RUN} (403 Resource not accessible by integration): confirm: rerun needs actions: write (add it to the job's permissions:)`,
    ]);
    // The one refused request is the Actions call; nothing else was written and no ref moved.
    expect(writes(s).map((w) => `${w.method} ${w.status}`)).toEqual(refusedMethod === 'POST' ? ['POST 403'] : []);
    expect(s.api.state.workflowRuns.get(RUN)).toMatchObject({ run_attempt: 1, status: 'completed' });
    expect(await refs(s)).toBe(before);
  });

  it('a failing-sha that is not the commit the run tested is refused: its re-run would confirm nothing', async () => {
    const s = await scenario();
    const before = await refs(s);
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    const r = await job(s, 'auto-revert', 'api', s.fail, 1, 'failure', { 'failing-sha': s.l });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      `Input "failing-sha": ${s.l} is not the commit run ${RUN} tested (${s.fail}), so its re-run cannot confirm that failure: leave failing-sha empty with confirm: rerun`,
    ]);
    expect(s.api.requests).toEqual([]);
    expect(await refs(s)).toBe(before);
  });

  it('a run still in progress (a job started on workflow_run types: [requested]) is refused, nothing asked', async () => {
    const s = await scenario();
    const before = await refs(s);
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail, status: 'in_progress' });
    const r = await job(s, 'auto-revert', 'api', s.fail, 1);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      `Input "confirm": run ${RUN} is still in progress (in_progress), and GitHub re-runs only a completed run: trigger this workflow with on.workflow_run types: [completed]`,
    ]);
    expect(writes(s)).toEqual([]);
    expect(await refs(s)).toBe(before);
  });

  it('a run GitHub will not re-run (over a month old) fails the step with GitHub\'s reason and reverts nothing', async () => {
    const s = await scenario();
    const before = await refs(s);
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail, created_at: new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    const r = await job(s, 'auto-revert', 'api', s.fail, 1);
    expect(r.code).toBe(1);
    const why = `GitHub refused to re-run run ${RUN} (403 Unable to retry this workflow run because it was created over a month ago): the failure could not be confirmed by a re-run, so nothing was reverted`;
    expect(r.outputs).toMatchObject({ outcome: 'failed', reverted: 'false', reason: `the revert failed: ${why}` });
    expect(r.errors).toEqual([why]);
    expect(await refs(s)).toBe(before);
  });

  it('the rollback with a token without actions: write opens no incident and moves nothing', async () => {
    const s = await scenario();
    s.api.addWorkflowRun({ id: RUN, head_sha: s.fail });
    s.api.setActionsPermission('read');
    const r = await job(s, 'rollback', 'api', s.fail, 1);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/^Input "token": the token may not re-run workflow run 42 .*needs actions: write/)]);
    expect(issues(s)).toEqual([]);
    expect(await s.f.remoteHead()).toBe(s.fail);
  });
});

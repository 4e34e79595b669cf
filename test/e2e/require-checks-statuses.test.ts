/**
 * `require-checks` and commit statuses (the Statuses API: Jenkins, CircleCI, Buildkite… post a `context` and a
 * `state`), run through the bundles as the runner runs them, against the GitHub stand-in over a bare remote.
 * A required name is met by a check run of that name that concluded success, or else by a commit status of that
 * context whose newest state is success; the statuses endpoint is asked only when some name is not a check run.
 */
import { describe, expect, it } from 'vitest';
import { runAction, type RunResult } from '../support/harness.js';
import { git } from '../support/revert/git-fixture.js';
import { scenarioPerTest, runOnFailure, TOKEN, type Scenario } from '../support/revert/scenario.js';

const FIND = 'find-last-good-commit';
const STATUS_PATH = /^\/repos\/owner\/app\/commits\/[^/]+\/status$/;

const scenario = scenarioPerTest();

/**
 * base → G ✅ → L → F, then a second good build on top: → G2 ✅ → L2 → F2 (broken). Candidates from F2: G2,
 * then G.
 */
async function twoGood(): Promise<Scenario & { g2: string; fail2: string }> {
  const s = await scenario();
  await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
  const g2 = await s.f.commit('fix: v4', { 'app.py': 'print("v4")\n' });
  await s.f.recordPassed(g2);
  const fail2 = await s.f.commit('feat: v5 (broken)', { 'app.py': 'raise SystemExit(2)\n' });
  await s.f.push();
  return Object.assign(s, { g2, fail2 });
}

const find = (s: Scenario, failing: string, requireChecks: string): Promise<RunResult> =>
  runOnFailure(FIND, s, failing, { inputs: { 'require-checks': requireChecks } });
const revert = (s: Scenario, failing: string, requireChecks: string): Promise<RunResult> =>
  runOnFailure('auto-revert', s, failing, { inputs: { method: 'api', 'require-checks': requireChecks } });
const statusCalls = (s: Scenario) => s.api.callCount({ method: 'GET', path: STATUS_PATH });
const skipped = (r: RunResult) => (JSON.parse(r.outputs.candidates ?? '[]') as { sha: string; verdict: string; reason: string }[]).filter((c) => c.verdict === 'skipped');

describe('require-checks: commit statuses count as GitHub\'s required status checks do', () => {
  it('a commit status of that context with state success satisfies it; none is a reason that says so', async () => {
    const s = await scenario();
    const none = await find(s, s.fail, 'ci/jenkins');
    expect(none.code, none.stdout).toBe(0);
    expect(none.outputs.found).toBe('false');
    expect(none.outputs.reason).toContain('ci/jenkins: no check run or commit status');

    s.api.addStatus(s.g, 'ci/other', 'success');
    s.api.addStatus(s.g, 'ci/jenkins', 'pending');
    s.api.addStatus(s.g, 'ci/jenkins', 'success'); // its newest state
    const r = await find(s, s.fail, 'ci/jenkins');
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs, r.outputs.reason).toMatchObject({ found: 'true', sha: s.g });
    expect(r.warnings).toEqual([]);
  });

  it('a failing or pending status skips the commit: find and auto-revert go to the older good commit', async () => {
    const s = await twoGood();
    s.api.addStatus(s.g2, 'buildkite/app', 'success');
    s.api.addStatus(s.g2, 'buildkite/app', 'failure'); // a re-run that failed: the newest state wins
    s.api.addStatus(s.g, 'buildkite/app', 'success');
    const r = await find(s, s.fail2, 'buildkite/app');
    expect(r.outputs, r.outputs.reason).toMatchObject({ found: 'true', sha: s.g });
    expect(skipped(r)).toEqual([expect.objectContaining({ sha: s.g2, reason: 'required checks did not succeed (buildkite/app: commit status failure)' })]);

    for (const state of ['pending', 'error'] as const) {
      s.api.addStatus(s.g2, 'buildkite/app', state);
      const again = await find(s, s.fail2, 'buildkite/app');
      expect(again.outputs.sha).toBe(s.g);
      expect(again.outputs.reason).toContain(`buildkite/app: commit status ${state}`);
    }

    const rev = await revert(s, s.fail2, 'buildkite/app');
    expect(rev.code, rev.stdout).toBe(0);
    expect(rev.outputs, rev.outputs.reason).toMatchObject({ reverted: 'true', 'target-sha': s.g });
    expect(await git(s.f.bare, ['show', `${rev.outputs['revert-sha']}:app.py`])).toBe('print("v2")');
  });

  it('one name a check run, the other a commit status: both must succeed, and a check run of the name decides', async () => {
    const s = await twoGood();
    // G2: tests (check run) success, ci/jenkins nowhere. G: tests success, ci/jenkins a success status.
    s.api.addCheckRun(s.g2, 'tests', 'success');
    s.api.addCheckRun(s.g, 'tests', 'success');
    s.api.addStatus(s.g, 'ci/jenkins', 'success');
    const r = await find(s, s.fail2, 'tests, ci/jenkins');
    expect(r.outputs, r.outputs.reason).toMatchObject({ found: 'true', sha: s.g });
    expect(skipped(r)).toEqual([expect.objectContaining({ sha: s.g2, reason: 'required checks did not succeed (ci/jenkins: no check run or commit status)' })]);

    // A failed check run named ci/jenkins is not rescued by a success status of the same name.
    s.api.addCheckRun(s.g, 'ci/jenkins', 'failure');
    const ran = await find(s, s.fail2, 'tests, ci/jenkins');
    expect(ran.outputs.found).toBe('false');
    expect(ran.outputs.reason).toContain('ci/jenkins: failure');

    // The one-step rollback (root action.yml) reads them the same way.
    s.api.addCheckRun(s.g, 'ci/jenkins', 'success');
    const root = await runAction('rollback', {
      inputs: { 'require-checks': 'tests\nci/jenkins', incident: 'false' },
      event: { ref: 'refs/heads/main', after: s.fail2, head_commit: { id: s.fail2, message: 'x' } },
      github: { sha: s.fail2, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
      env: { GITHUB_API_URL: s.api.url, GITHUB_SERVER_URL: s.api.serverUrl, GITHUB_REPOSITORY: 'owner/app', GITHUB_EVENT_NAME: 'push' },
    });
    expect(root.code, root.stdout + root.stderr).toBe(0);
    expect(root.outputs, root.outputs.reason).toMatchObject({ reverted: 'true', 'target-sha': s.g });
  });

  it('statuses refused (403, no statuses: read): the commit is skipped with a reason naming the permission, exit 0, asked once', async () => {
    const s = await twoGood();
    s.api.failNext({
      method: 'GET',
      path: STATUS_PATH,
      status: 403,
      body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference' },
      times: 10,
    });
    for (const g of [s.g2, s.g]) {
      s.api.addCheckRun(g, 'tests', 'success');
      s.api.addStatus(g, 'ci/jenkins', 'success');
    }
    const r = await find(s, s.fail2, 'tests,ci/jenkins');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.errors).toEqual([]);
    expect(r.outputs.found).toBe('false');
    expect(skipped(r).map((c) => c.sha)).toEqual([s.g2, s.g]);
    for (const c of skipped(r)) {
      expect(c.reason).toBe(
        'required checks did not succeed (ci/jenkins: no check run, and commit statuses could not be read: 403 Resource not accessible by integration: the token lacks statuses: read)',
      );
    }
    expect(r.warnings).toEqual([expect.stringMatching(/^require-checks: commit statuses could not be read \(.*the token lacks statuses: read\)/)]);
    // Refused once is refused for the run: the second candidate did not ask again.
    expect(statusCalls(s)).toBe(1);

    s.api.resetLog();
    const rev = await revert(s, s.fail2, 'tests,ci/jenkins');
    expect(rev.code, rev.stdout).toBe(0);
    expect(rev.outputs).toMatchObject({ reverted: 'false', 'target-sha': '' });
    expect(rev.outputs.reason).toMatch(/^no last good commit to revert to: .*the token lacks statuses: read/);
    expect(await s.f.remoteHead()).toBe(s.fail2);
  });

  it('costs no statuses request when every required name is a check run; one when a name is a status; pages past 100 contexts', async () => {
    const s = await twoGood();
    for (const g of [s.g2, s.g]) {
      s.api.addCheckRun(g, 'tests', 'success');
      s.api.addCheckRun(g, 'lint', 'success');
    }
    s.api.resetLog();
    const runs = await find(s, s.fail2, 'tests,lint');
    expect(runs.outputs.sha).toBe(s.g2);
    expect(statusCalls(s)).toBe(0);

    // ci/jenkins posted first, then 120 other contexts: newest first, it is on the second page of 100.
    s.api.addStatus(s.g2, 'ci/jenkins', 'success');
    for (let i = 0; i < 120; i++) s.api.addStatus(s.g2, `external/${i}`, 'success');
    s.api.resetLog();
    const mixed = await find(s, s.fail2, 'tests,ci/jenkins');
    expect(mixed.outputs, mixed.outputs.reason).toMatchObject({ found: 'true', sha: s.g2 });
    expect(statusCalls(s)).toBe(2);
  });
});

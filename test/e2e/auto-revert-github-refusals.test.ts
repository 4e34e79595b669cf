/**
 * dist/auto-revert (method api) against GitHub's real refusals, as the stand-in sends them: a protected branch
 * (422 "Changes must be made through a pull request."), a ruleset (422 "Repository rule violations found …"),
 * and a re-run while the revert pull request is open that GitHub refuses as a duplicate (422 "Validation
 * Failed", the reason only in errors[0].message). Every request and answer is also checked against GitHub's
 * OpenAPI description (the stand-in fails the test otherwise).
 */
import { describe, expect, it } from 'vitest';
import { parentsOf, runOnFailure, scenarioPerTest, type Scenario } from '../support/revert/scenario.js';

const scenario = scenarioPerTest({ noUnknownRequests: true });
const PR_RULE = 'Changes must be made through a pull request.';

const revert = (s: Scenario) => runOnFailure('auto-revert', s, s.fail, { inputs: { method: 'api' } });
const pulls = (s: Scenario) => [...s.api.state.issues.values()].filter((i) => i.pull);
const statuses = (s: Scenario, method: string, path: RegExp) => s.api.requests.filter((r) => r.method === method && path.test(r.path)).map((r) => r.status);

describe('auto-revert (method api) on GitHub’s real refusals', () => {
  it('a protected branch’s 422 "Changes must be made through a pull request." opens the revert pull request', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const r = await revert(s);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.reverted).toBe('false');
    expect(r.outputs.reason).toContain(`main is protected (${PR_RULE})`);
    expect(r.outputs['pull-request-url']).toBe(`${s.api.serverUrl}/owner/app/pull/1`);
    expect(statuses(s, 'PATCH', /\/git\/refs\/heads/)).toEqual([422]);
    expect(await s.f.remoteHead()).toBe(s.fail);
    const branch = `greenline/revert-${s.fail.slice(0, 7)}`;
    expect(await s.f.remoteHead(branch)).toBe(r.outputs['revert-sha']);
    expect(await parentsOf(s, r.outputs['revert-sha']!)).toEqual([s.fail]);
    expect(pulls(s).map((p) => p.pull)).toEqual([expect.objectContaining({ head: branch, base: 'main' })]);
  });

  it('a ruleset’s 422 "Repository rule violations found" opens the revert pull request too', async () => {
    const s = await scenario();
    s.api.addRuleset('main');
    const r = await revert(s);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs['pull-request-url']).toMatch(/\/pull\/1$/);
    expect(r.outputs.reason).toContain('Repository rule violations found');
    expect(await s.f.remoteHead()).toBe(s.fail);
  });

  it('a re-run with the pull request already open, refused as a duplicate (422 "Validation Failed"), reports that pull request', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const first = await revert(s);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const url = first.outputs['pull-request-url'];
    expect(url).toMatch(/\/pull\/1$/);

    // GitHub's pull request list lags behind its writes: the re-run's first look finds nothing, so it asks to
    // open the pull request again and GitHub refuses with the duplicate 422.
    s.api.failNext({ method: 'GET', path: '/repos/owner/app/pulls', status: 200, body: [] });
    s.api.resetLog();
    const again = await revert(s);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(statuses(s, 'POST', /\/pulls$/)).toEqual([422]);
    expect(again.outputs['pull-request-url']).toBe(url);
    expect(again.outputs.reverted).toBe('false');
    expect(pulls(s)).toHaveLength(1);
    expect(await s.f.remoteHead()).toBe(s.fail);
    // The branch keeps the first run's revert commit: the re-run left it alone.
    expect(again.outputs['revert-sha']).toBe(first.outputs['revert-sha']);
  });
});

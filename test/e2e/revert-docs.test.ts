/**
 * What actions/auto-revert/action.yml and its README promise, checked on the bundle run as the runner runs it
 * (dist/auto-revert/index.js, API stand-in over a bare git remote): every output named in action.yml is
 * written on every path, and the documented claims no other test pins down.
 */
import { describe, expect, it } from 'vitest';
import { readActionYml } from '../support/action-yml.js';
import type { RunResult } from '../support/harness.js';
import { git } from '../support/revert/git-fixture.js';
import { scenarioPerTest, messageOf, runOnFailure, type Scenario } from '../support/revert/scenario.js';

const OUTPUTS = Object.keys(readActionYml('auto-revert').outputs ?? {}).sort();

const scenario = scenarioPerTest();

function revert(s: Scenario, failing: string, inputs: Record<string, string> = {}): Promise<RunResult> {
  return runOnFailure('auto-revert', s, failing, { inputs: { method: 'api', ...inputs } });
}

/** Every output action.yml names was written (a later step reading one never gets a silent empty). */
function allOutputs(r: RunResult): Record<string, string> {
  expect(Object.keys(r.outputs).sort(), r.stdout).toEqual(OUTPUTS);
  return r.outputs;
}

describe('auto-revert: every output in action.yml is written on every path', () => {
  it('action.yml names exactly outcome, reverted, revert-sha, target-sha, pull-request-url, reason, what :stable serves, and the culprit undone and commits kept', () => {
    expect(OUTPUTS).toEqual(['culprit-sha', 'kept-shas', 'outcome', 'pull-request-url', 'reason', 'revert-sha', 'reverted', 'stable-commit', 'stable-digest', 'stable-since', 'target-sha']);
  });

  it('reverted', async () => {
    const s = await scenario();
    const o = allOutputs(await revert(s, s.fail));
    expect(o).toMatchObject({ reverted: 'true', 'target-sha': s.g, 'pull-request-url': '', 'revert-sha': await s.f.remoteHead() });
  });

  it('not reverted: the branch moved (exit 0, warning)', async () => {
    const s = await scenario();
    await s.f.commit('fix: forward', { 'app.py': 'print("fixed")\n' });
    await s.f.push();
    const r = await revert(s, s.fail);
    expect(r.code).toBe(0);
    expect(allOutputs(r)).toMatchObject({ reverted: 'false', 'revert-sha': '', 'pull-request-url': '' });
  });

  it('not reverted: max-per-day 0 never reverts (exit 0, nothing changed)', async () => {
    const s = await scenario();
    const before = await s.f.refs();
    const r = await revert(s, s.fail, { 'max-per-day': '0' });
    expect(r.code, r.stdout).toBe(0);
    expect(allOutputs(r)).toMatchObject({ reverted: 'false', 'revert-sha': '' });
    expect(r.outputs.reason).toMatch(/max-per-day is 0/);
    expect(await s.f.refs()).toBe(before);
  });

  it('dry run: reverted false, the target named, no revert-sha', async () => {
    const s = await scenario();
    const r = await revert(s, s.fail, { 'dry-run': 'true' });
    expect(r.code).toBe(0);
    expect(allOutputs(r)).toMatchObject({ reverted: 'false', 'revert-sha': '', 'target-sha': s.g, 'pull-request-url': '' });
  });

  it('protected branch → pull request; a second run reuses it and still names the revert commit on its branch', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const first = await revert(s, s.fail);
    expect(first.code, first.stdout).toBe(0);
    const o = allOutputs(first);
    const prBranch = `greenline/revert-${s.fail.slice(0, 7)}`;
    expect(o).toMatchObject({ reverted: 'false', 'revert-sha': await s.f.remoteHead(prBranch) });
    expect(o['pull-request-url']).toMatch(/\/pull\/\d+$/);

    // README: "the open one is reused"; action.yml: revert-sha is the revert commit on the pull request branch.
    const again = await revert(s, s.fail, { reason: 'Tests failed again' });
    expect(again.code, again.stdout).toBe(0);
    expect(allOutputs(again)).toMatchObject({ reverted: 'false', 'pull-request-url': o['pull-request-url'], 'revert-sha': o['revert-sha'] });
    expect([...s.api.state.issues.values()].filter((i) => i.pull)).toHaveLength(1);
  });

  it('protected branch with fallback none → exit 1 after the outputs; revert-sha empty (no branch holds a commit)', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const before = await s.f.refs();
    const r = await revert(s, s.fail, { fallback: 'none' });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/main is protected/);
    expect(allOutputs(r)).toMatchObject({ reverted: 'false', 'revert-sha': '', 'pull-request-url': '' });
    expect(await s.f.refs()).toBe(before);
  });

  it('failure half-way (GitHub refuses the commit) → exit 1 with one line, and the outputs say not reverted and why', async () => {
    const s = await scenario();
    s.api.failNext({ method: 'POST', path: /\/git\/commits$/, status: 403, body: { message: 'Resource not accessible by integration' } });
    const before = await s.f.refs();
    const r = await revert(s, s.fail);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/^Input "token": the token may not do POST \S+\/git\/commits .*Resource not accessible by integration/)]);
    const o = allOutputs(r);
    expect(o).toMatchObject({ reverted: 'false', 'revert-sha': '', 'pull-request-url': '' });
    expect(o.reason).toMatch(/^the revert failed: .*Resource not accessible by integration/);
    expect(r.summary).toMatch(/main not reverted/);
    expect(await s.f.refs()).toBe(before);
  });

  it('a pull request’s failed run: nothing to revert, outputs still written', async () => {
    const s = await scenario();
    const r = await runOnFailure('auto-revert', s, s.fail, {
      event: {
        action: 'completed',
        workflow_run: { id: 7, name: 'ci', head_branch: 'main', head_sha: s.fail, conclusion: 'failure', event: 'pull_request' },
        repository: { full_name: 'owner/app', name: 'app', owner: { login: 'owner' } },
      },
    });
    expect(r.code).toBe(0);
    expect(allOutputs(r)).toMatchObject({ reverted: 'false', 'revert-sha': '', 'target-sha': '' });
  });
});

describe('auto-revert: documented claims', () => {
  it('message: a custom template gets [skip ci] added to its body and the trailers, its placeholders filled', async () => {
    const s = await scenario();
    const r = await revert(s, s.fail, { message: 'revert {branch} {failing-short} → {good-sha} ({reason}) {run-url}' });
    expect(r.outputs.reverted, r.stdout).toBe('true');
    const message = await messageOf(s, r.outputs['revert-sha']!);
    const [subject] = message.split('\n');
    expect(subject).toMatch(new RegExp(`^revert main ${s.fail.slice(0, 7)} → ${s.g} \\(Tests failed\\) http\\S+/actions/runs/\\d+$`));
    expect(message.split('\n')).toContain('[skip ci]');
    expect(message).toContain(`Greenline-Revert-Of: ${s.fail}`);
    expect(message).toContain(`Greenline-Restored: ${s.g}`);
  });

  it('preserve-paths: ./folder and folder/ keep that folder from the failing commit; a glob is one line naming the input', async () => {
    const s = await scenario();
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    const failing = await s.f.commit('feat: new model', { 'models/m.bin': 'new\n', 'app.py': 'broken again\n' });
    await s.f.push();
    const glob = await revert(s, failing, { 'preserve-paths': '*.bin' });
    expect(glob.code).toBe(1);
    expect(glob.errors).toEqual([expect.stringMatching(/^Input "preserve-paths": "\*\.bin" is a glob/)]);
    expect(await s.f.remoteHead()).toBe(failing);
    const r = await revert(s, failing, { 'preserve-paths': './models/' });
    expect(r.outputs.reverted, r.stdout).toBe('true');
    expect(await git(s.f.bare, ['show', `${r.outputs['revert-sha']}:models/m.bin`])).toBe('new');
    expect(await git(s.f.bare, ['show', `${r.outputs['revert-sha']}:app.py`])).not.toContain('broken');
  });

  it('require-checks: a good commit whose named check did not succeed is not restored', async () => {
    const s = await scenario();
    s.api.addCheckRun(s.g, 'tests', 'failure');
    const refused = await revert(s, s.fail, { 'require-checks': 'tests' });
    expect(refused.code, refused.stdout).toBe(0);
    expect(refused.outputs).toMatchObject({ reverted: 'false', 'target-sha': '' });
    expect(refused.outputs.reason).toMatch(/^no last good commit to revert to: .*tests/);
    expect(await s.f.remoteHead()).toBe(s.fail);
    s.api.addCheckRun(s.g, 'tests', 'success');
    const r = await revert(s, s.fail, { 'require-checks': 'tests' });
    expect(r.outputs, r.stdout).toMatchObject({ reverted: 'true', 'target-sha': s.g });
  });

  it('reason: a multi-line reason is one line in the subject and in {reason}', async () => {
    const s = await scenario();
    const r = await revert(s, s.fail, { reason: 'Tests failed\n  in test_api.py' });
    expect(r.outputs.reverted, r.stdout).toBe('true');
    const [subject] = (await messageOf(s, r.outputs['revert-sha']!)).split('\n');
    expect(subject).toBe(`⚠️ Auto-rollback: Tests failed in test_api.py, reverting to last successful build ${s.g.slice(0, 7)}`);
  });

  it('method git: a second run on a protected branch reuses the pull request and names the revert commit on its branch', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const ws = () => s.f.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 1, ref: s.fail });
    const first = await runOnFailure('auto-revert', s, s.fail, { inputs: { method: 'git' }, workspace: await ws() });
    expect(first.code, first.stdout).toBe(0);
    const prHead = await s.f.remoteHead(`greenline/revert-${s.fail.slice(0, 7)}`);
    expect(first.outputs['revert-sha']).toBe(prHead);
    const again = await runOnFailure('auto-revert', s, s.fail, { inputs: { method: 'git', reason: 'again' }, workspace: await ws() });
    expect(again.code, again.stdout).toBe(0);
    expect(allOutputs(again)).toMatchObject({ reverted: 'false', 'revert-sha': prHead, 'pull-request-url': first.outputs['pull-request-url'] });
  });
});

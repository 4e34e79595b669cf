/**
 * What the root action.yml (the one-step rollback) promises, checked on dist/rollback/index.js run as the
 * runner runs it: every output it names is written on every path, and what the incident is on each path.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { decodeMarker } from '../../src/core/incident/state.js';
import { readActionYml } from '../support/action-yml.js';
import { runAction, type RunResult } from '../support/harness.js';
import { scenarioPerTest, TOKEN, type Scenario } from '../support/revert/scenario.js';

const ROOT_OUTPUTS = Object.keys(readActionYml('rollback').outputs ?? {}).sort();
const FINGERPRINT = 'ci-cd rollback main';
const LABEL = fingerprintLabel(FINGERPRINT);

const scenario = scenarioPerTest();

/** The rollback job of ci-cd.yml after the tests failed on `failing` (a push to main). */
function rollback(s: Scenario, failing: string, inputs: Record<string, string> = {}, event?: Record<string, unknown>, eventName = 'push'): Promise<RunResult> {
  return runAction('rollback', {
    inputs: { fingerprint: FINGERPRINT, ...inputs },
    event: event ?? { ref: 'refs/heads/main', after: failing, head_commit: { id: failing, message: 'x' } },
    github: { sha: failing, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
    env: {
      GITHUB_API_URL: s.api.url,
      GITHUB_SERVER_URL: s.api.serverUrl,
      GITHUB_REPOSITORY: 'owner/app',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_WORKFLOW: 'ci-cd',
      GITHUB_JOB: 'rollback',
    },
  });
}

function allOutputs(r: RunResult): Record<string, string> {
  expect(Object.keys(r.outputs).sort(), r.stdout).toEqual(ROOT_OUTPUTS);
  return r.outputs;
}

const issues = (s: Scenario) => [...s.api.state.issues.values()].filter((i) => !i.pull);
const kindOf = (s: Scenario) => issues(s).map((i) => (decodeMarker(i.body, LABEL, '') as { kind?: string } | undefined)?.kind);

describe('the one-step rollback: every output in the root action.yml is written on every path', () => {
  it('the root action.yml names the union of find-last-good-commit’s, auto-revert’s and the incident’s outputs', () => {
    const union = new Set([
      ...Object.keys(readActionYml('auto-revert').outputs ?? {}),
      ...['found', 'sha', 'short-sha', 'image', 'digest', 'entry'],
      ...['issue-number', 'issue-url', 'operation'],
    ]);
    expect(ROOT_OUTPUTS).toEqual([...union].sort());
  });

  it('reverted → incident created (kind rollback)', async () => {
    const s = await scenario();
    const r = await rollback(s, s.fail);
    expect(r.code, r.stdout).toBe(0);
    const o = allOutputs(r);
    expect(o).toMatchObject({ found: 'true', sha: s.g, 'target-sha': s.g, reverted: 'true', 'pull-request-url': '', operation: 'created', 'issue-number': '1' });
    expect(o['revert-sha']).toBe(await s.f.remoteHead());
    expect(kindOf(s)).toEqual(['rollback']);
  });

  it('not reverted, max-per-day 0 → exit 0, main unchanged, the incident is a failure (a person is needed)', async () => {
    const s = await scenario();
    const refs = await s.f.refs();
    const r = await rollback(s, s.fail, { 'max-per-day': '0' });
    expect(r.code, r.stdout).toBe(0);
    const o = allOutputs(r);
    expect(o).toMatchObject({ reverted: 'false', 'revert-sha': '', 'pull-request-url': '', operation: 'created' });
    expect(o.reason).toMatch(/max-per-day is 0/);
    expect(await s.f.refs()).toBe(refs);
    expect(kindOf(s)).toEqual(['failure']);
    expect(issues(s)[0]!.body).toContain('A person is needed');
  });

  it('dry run → no commit, no issue; operation says what would happen, issue-number empty', async () => {
    const s = await scenario();
    const refs = await s.f.refs();
    const r = await rollback(s, s.fail, { 'dry-run': 'true' });
    expect(r.code, r.stdout).toBe(0);
    expect(allOutputs(r)).toMatchObject({ reverted: 'false', 'revert-sha': '', 'target-sha': s.g, found: 'true', 'issue-number': '', 'issue-url': '', operation: 'created' });
    expect(await s.f.refs()).toBe(refs);
    expect(issues(s)).toEqual([]);
  });

  it('protected branch → pull request, incident kind failure pointing at it', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const r = await rollback(s, s.fail);
    expect(r.code, r.stdout).toBe(0);
    const o = allOutputs(r);
    expect(o).toMatchObject({ reverted: 'false', operation: 'created' });
    expect(o['pull-request-url']).toMatch(/\/pull\/\d+$/);
    expect(o['revert-sha']).toBe(await s.f.remoteHead(`greenline/revert-${s.fail.slice(0, 7)}`));
    expect(kindOf(s)).toEqual(['failure']);
  });

  it('protected branch with fallback none → exit 1 after the outputs and the incident; revert-sha empty', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const refs = await s.f.refs();
    const r = await rollback(s, s.fail, { fallback: 'none' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/main is protected/)]);
    expect(allOutputs(r)).toMatchObject({ reverted: 'false', 'revert-sha': '', 'pull-request-url': '', operation: 'created' });
    expect(await s.f.refs()).toBe(refs);
    expect(kindOf(s)).toEqual(['failure']);
  });

  it('failure half-way → exit 1, every output written (found false, reason says it failed)', async () => {
    const s = await scenario();
    s.api.failNext({ method: 'POST', path: /\/git\/commits$/, status: 403, body: { message: 'Resource not accessible by integration' } });
    const r = await rollback(s, s.fail);
    expect(r.code).toBe(1);
    const o = allOutputs(r);
    expect(o).toMatchObject({ found: 'false', sha: '', reverted: 'false', 'revert-sha': '', operation: 'created' });
    expect(o.reason).toMatch(/^the rollback failed: /);
  });

  it('incident: false → reverted, operation none, no issue', async () => {
    const s = await scenario();
    const r = await rollback(s, s.fail, { incident: 'false' });
    expect(r.code, r.stdout).toBe(0);
    expect(allOutputs(r)).toMatchObject({ reverted: 'true', operation: 'none', 'issue-number': '', 'issue-url': '' });
    expect(issues(s)).toEqual([]);
  });

  it('a pull request’s failed run (workflow_run) → nothing reverted, no incident, outputs all written', async () => {
    const s = await scenario();
    const refs = await s.f.refs();
    const r = await rollback(
      s,
      s.fail,
      {},
      {
        action: 'completed',
        workflow_run: { id: 9, name: 'ci', head_branch: 'main', head_sha: s.fail, conclusion: 'failure', event: 'pull_request' },
        repository: { full_name: 'owner/app', name: 'app', owner: { login: 'owner' } },
      },
      'workflow_run',
    );
    expect(r.code, r.stdout).toBe(0);
    expect(allOutputs(r)).toMatchObject({ found: 'false', reverted: 'false', operation: 'none', 'issue-number': '' });
    expect(await s.f.refs()).toBe(refs);
    expect(issues(s)).toEqual([]);
  });
});

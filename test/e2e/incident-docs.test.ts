/**
 * Claims of actions/open-incident-issue/README.md and action.yml that no other test pinned down, each checked
 * against the bundle run as the runner runs it, with the GitHub stand-in on the other side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { readActionYml } from '../support/action-yml.js';
import { runAction, type RunResult, type RunOptions } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';

const LABEL = fingerprintLabel('ci/test');
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const OUTPUTS = Object.keys(readActionYml('open-incident-issue').outputs ?? {}).sort();

let s: IncidentStandin;
let runId = 900;
beforeEach(async () => {
  s = await startIncidentStandin();
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  await s.stop();
});

function incident(inputs: Record<string, string> = {}, sha = SHA_A, extra: Partial<RunOptions> = {}): Promise<RunResult> {
  runId += 1;
  return runAction('open-incident-issue', {
    inputs,
    env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(runId) },
    github: { token: TOKEN, sha },
    ...extra,
  });
}

const url = (n: number) => `${s.standin.serverUrl}/${OWNER}/${REPO}/issues/${n}`;
/** Every output of action.yml, with exactly these values. */
function expectOutputs(r: RunResult, operation: string, issue?: number) {
  expect(Object.keys(r.outputs).sort()).toEqual(OUTPUTS);
  expect(r.outputs).toEqual({ 'issue-number': issue ? String(issue) : '', 'issue-url': issue ? url(issue) : '', operation });
}
/** Everything the stand-in stores, to prove a run changed nothing. */
const snapshot = () => JSON.stringify({ issues: [...s.standin.state.issues.values()], comments: s.standin.state.comments, labels: [...s.standin.state.labels.values()] });

describe('outputs on every path', () => {
  it('created, updated, commented, closed, none, reopened: all three outputs, number and URL of the incident', async () => {
    expectOutputs(await incident(), 'created', 1);
    expectOutputs(await incident(), 'updated', 1);
    expectOutputs(await incident({}, SHA_B), 'commented', 1);
    expectOutputs(await incident({ mode: 'resolve' }), 'closed', 1);
    expectOutputs(await incident({ mode: 'resolve' }), 'none');
    expectOutputs(await incident({ 'reopen-window': '1h' }, SHA_B), 'reopened', 1);
  });

  it('dry run on an open incident: the operation it would do and the issue it would do it to, nothing changed', async () => {
    await incident();
    const before = snapshot();
    expectOutputs(await incident({ 'dry-run': 'true' }), 'updated', 1);
    expectOutputs(await incident({ 'dry-run': 'true' }, SHA_B), 'commented', 1);
    expectOutputs(await incident({ 'dry-run': 'true', mode: 'resolve' }), 'closed', 1);
    expect(snapshot()).toBe(before);
  });

  it('dry run after resolution: reopened within reopen-window, created (no number yet) otherwise', async () => {
    await incident();
    await incident({ mode: 'resolve' });
    const before = snapshot();
    expectOutputs(await incident({ 'dry-run': 'true', 'reopen-window': '1h' }), 'reopened', 1);
    expectOutputs(await incident({ 'dry-run': 'true', 'reopen-window': '0' }), 'created');
    expect(snapshot()).toBe(before);
  });

  it('a bad input: one line naming it, exit 1, no outputs, no request', async () => {
    const r = await incident({ 'repeat-interval': 'often' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['Input "repeat-interval": must be a duration like 30m, 4h, 1d or 1h30m (or 0), got "often"']);
    expect(r.outputs).toEqual({});
    expect(s.standin.requests).toEqual([]);
  });

  it('the body updated but the comment refused: outputs set, the step fails saying exactly that', async () => {
    await incident();
    s.standin.failNext({ method: 'POST', path: `/repos/${OWNER}/${REPO}/issues/1/comments`, status: 403 });
    const r = await incident({}, SHA_B);
    expect(r.code).toBe(1);
    expectOutputs(r, 'updated', 1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^Updated the body of #1, but the comment could not be posted: HTTP 403: .*issues: write/);
    expect(s.standin.state.issues.get(1)!.body).toContain('bbbbbbb');
  });
});

describe('inputs as documented', () => {
  it('repeat-interval 0 comments on every run', async () => {
    await incident({ 'repeat-interval': '0' });
    expect((await incident({ 'repeat-interval': '0' })).outputs.operation).toBe('commented');
    expect((await incident({ 'repeat-interval': '0' })).outputs.operation).toBe('commented');
    expect(s.comments(1)).toHaveLength(2);
  });

  it('an existing title is left alone: people may rename it', async () => {
    await incident();
    s.standin.state.issues.get(1)!.title = 'Checkout down: payments 502';
    await incident({ title: '{kind} again on {branch}' }, SHA_B);
    expect(s.standin.state.issues.get(1)!.title).toBe('Checkout down: payments 502');
  });

  it('every title placeholder', async () => {
    await incident({ kind: 'health', fingerprint: 'fp-1', title: '{kind}|{branch}|{service}|{repo}|{owner}|{workflow}|{job}|{sha}|{fingerprint}' });
    expect(s.standin.state.issues.get(1)!.title).toBe(`failed health check|main|${REPO}|${OWNER}/${REPO}|${OWNER}|ci|test|aaaaaaa|fp-1`);
  });

  it('failing-sha defaults to the head commit that ran for pull_request and workflow_run events', async () => {
    const merge = 'f'.repeat(40);
    const pr = await incident({ fingerprint: 'pr', title: '{sha}' }, merge, {
      env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_EVENT_NAME: 'pull_request' },
      event: { pull_request: { number: 7, head: { sha: SHA_B, ref: 'feature' } } },
    });
    expect(pr.code).toBe(0);
    expect(s.standin.state.issues.get(1)!.title).toBe('bbbbbbb');
    const wr = await incident({ fingerprint: 'wr', title: '{sha}' }, merge, {
      env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_EVENT_NAME: 'workflow_run' },
      event: { workflow_run: { head_sha: 'c'.repeat(40), head_branch: 'main' } },
    });
    expect(wr.code).toBe(0);
    expect(s.standin.state.issues.get(2)!.title).toBe('ccccccc');
  });

  it('labels: every label of a new issue is created when missing; the issue is found by the fingerprint label alone', async () => {
    await incident({ labels: 'sev2, prod' });
    expect(s.standin.state.issues.get(1)!.labels).toEqual(['sev2', 'prod', LABEL]);
    expect([...s.standin.state.labels.values()].map((l) => l.name).sort()).toEqual([LABEL, 'prod', 'sev2'].sort());
    expect((await incident({ labels: 'other' })).outputs).toMatchObject({ operation: 'updated', 'issue-number': '1' });
  });
});

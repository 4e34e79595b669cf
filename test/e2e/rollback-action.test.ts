/**
 * The one-step rollback (root action.yml → dist/rollback/index.js), run as the runner runs it against a bare
 * git remote served by the GitHub stand-in: find-last-good-commit → auto-revert → open-incident-issue in one
 * process. Every assertion on GitHub's side reads what the stand-in and the bare repository hold.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { decodeMarker } from '../../src/core/incident/state.js';
import { parseLedger } from '../../src/core/ledger/parse.js';
import { runAction, type RunResult } from '../support/harness.js';
import { git } from '../support/revert/git-fixture.js';
import { LEDGER } from '../support/revert/ledger.js';
import { scenarioPerTest, fileAt, messageOf, parentsOf, TOKEN, type Scenario } from '../support/revert/scenario.js';

const FINGERPRINT = 'ci-cd rollback main';
const LABEL = fingerprintLabel(FINGERPRINT);

const scenario = scenarioPerTest({ noUnknownRequests: true });

let runId = 500;
/** The rollback job of ci-cd.yml after the tests failed on `failing` (a push to main). */
function rollback(s: Scenario, failing: string, inputs: Record<string, string> = {}): Promise<RunResult> {
  runId += 1;
  return runAction('rollback', {
    inputs: { fingerprint: FINGERPRINT, ...inputs },
    event: { ref: 'refs/heads/main', after: failing, head_commit: { id: failing, message: 'x' } },
    github: { sha: failing, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
    env: {
      GITHUB_API_URL: s.api.url,
      GITHUB_SERVER_URL: s.api.serverUrl,
      GITHUB_REPOSITORY: 'owner/app',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKFLOW: 'ci-cd',
      GITHUB_JOB: 'rollback',
      GITHUB_RUN_ID: String(runId),
    },
  });
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const issues = (s: Scenario) => [...s.api.state.issues.values()].filter((i) => !i.pull);
const comments = (s: Scenario, n: number) => s.api.state.commentsOf(n).map((c) => c.body);
const writes = (s: Scenario) => s.api.requests.filter((r) => r.method !== 'GET');

describe('the one-step rollback (root action.yml), run as the runner runs it', () => {
  it('broken main → reverted with [skip ci] to the last good build, and one incident opened', async () => {
    const s = await scenario();
    const r = ok(await rollback(s, s.fail));
    const head = await s.f.remoteHead();
    expect(r.outputs).toMatchObject({
      found: 'true',
      sha: s.g,
      'short-sha': s.g.slice(0, 7),
      'target-sha': s.g,
      reverted: 'true',
      'revert-sha': head,
      'pull-request-url': '',
      'issue-number': '1',
      'issue-url': `${s.api.serverUrl}/owner/app/issues/1`,
      operation: 'created',
    });
    expect(r.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(r.outputs.entry!)).toMatchObject({ commit: s.g, status: 'passed' });
    expect(r.outputs.reason).toMatch(/^reverted main to the tree of .*: Tests failed$/);

    // main: one new commit on top of the failing one, the good tree, the ledger kept, [skip ci] and trailers.
    expect(await parentsOf(s, head)).toEqual([s.fail]);
    expect(await fileAt(s, head, 'app.py')).toBe(await fileAt(s, s.g, 'app.py'));
    expect(await git(s.f.bare, ['ls-tree', '--name-only', head, 'new_module.py'])).toBe('');
    expect(parseLedger(`${await fileAt(s, head, LEDGER)}\n`).entries.map((e) => e.commit)).toEqual([s.g]);
    const message = await messageOf(s, head);
    expect(message.split('\n')[0]).toBe(`⚠️ Auto-rollback: Tests failed, reverting to last successful build ${s.g.slice(0, 7)}`);
    expect(message.split('\n')).toContain('[skip ci]');
    expect(message).toContain(`Greenline-Revert-Of: ${s.fail}`);
    expect(message).toContain(`Greenline-Restored: ${s.g}`);

    // The incident: one issue, labelled, its report naming both commits and what was undone.
    const [issue, ...more] = issues(s);
    expect(more).toEqual([]);
    expect(issue).toMatchObject({ number: 1, state: 'open', title: 'Incident: rollback on main (app)', labels: ['incident', LABEL] });
    const state = decodeMarker(issue!.body, LABEL, '')!;
    expect(state).toMatchObject({ kind: 'rollback', status: 'ROLLED BACK', failing: s.fail, restored: s.g, runs: 1, fingerprint: FINGERPRINT });
    expect(issue!.body).toContain('**main was rolled back** from');
    expect(issue!.body).toContain(`new commit ${head.slice(0, 7)} ([skip ci])`);
    expect(issue!.body).toContain('feat: v3 (broken)');
    expect(issue!.body).toContain('Reason: Tests failed');

    // The summary: the revert, then the incident.
    expect(r.summary).toMatch(/### ⏪ main reverted to the last good build/);
    expect(r.summary).toMatch(/### 🔴 Incident \[#1\]\(.*\): opened/);
    expect(r.summary.indexOf('⏪')).toBeLessThan(r.summary.indexOf('Incident [#1]'));
  });

  it('a second failure → reverted again, the same incident updated (commented), not duplicated; a failing revert → incident says FAILED', async () => {
    const s = await scenario();
    ok(await rollback(s, s.fail));
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    const again = await s.f.commit('feat: v4 (broken again)', { 'app.py': 'raise SystemExit(2)\n' });
    await s.f.push();

    const second = ok(await rollback(s, again));
    expect(second.outputs).toMatchObject({ reverted: 'true', 'target-sha': s.g, 'issue-number': '1', operation: 'commented' });
    expect(issues(s)).toHaveLength(1);
    expect(comments(s, 1)).toEqual([expect.stringMatching(new RegExp(`^🔴 New failing commit \\[\`${again.slice(0, 7)}\`\\]`))]);
    const state = decodeMarker(issues(s)[0]!.body, LABEL, '')!;
    expect(state).toMatchObject({ failing: again, restored: s.g, runs: 2 });
    expect(state.timeline.map((t) => t.c)).toEqual([s.fail, again]);

    // The revert itself fails CI: never reverted again; the same incident says a person is needed.
    const revert = await s.f.remoteHead();
    const refs = await s.f.refs();
    const loop = ok(await rollback(s, revert));
    expect(loop.outputs).toMatchObject({ reverted: 'false', 'issue-number': '1', operation: 'commented' });
    expect(loop.outputs.reason).toMatch(/itself a greenline revert/);
    expect(await s.f.refs()).toBe(refs);
    expect(issues(s)).toHaveLength(1);
    expect(decodeMarker(issues(s)[0]!.body, LABEL, '')).toMatchObject({ kind: 'failure', status: 'FAILED', runs: 3 });
    expect(issues(s)[0]!.body).toContain('**main was not rolled back**');
    expect(comments(s, 1).at(-1)).toMatch(/Status changed from \*\*ROLLED BACK\*\* to \*\*FAILED\*\*/);
  });

  it('main is protected → a revert pull request, and the incident (kind failure) points at it', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const r = ok(await rollback(s, s.fail));
    expect(r.outputs).toMatchObject({ reverted: 'false', 'target-sha': s.g, 'issue-number': expect.stringMatching(/^\d+$/), operation: 'created' });
    expect(r.outputs['pull-request-url']).toMatch(/\/pull\/\d+$/);
    expect(await s.f.remoteHead()).toBe(s.fail);
    const [issue] = issues(s);
    expect(issue!.title).toBe('Incident: failure on main (app)');
    expect(decodeMarker(issue!.body, LABEL, '')).toMatchObject({ kind: 'failure', failing: s.fail, restored: '' });
    expect(issue!.body).toContain('**main is protected**');
    // The link is there, neutralised like any link to a pull request in the details (no back-reference).
    const number = /\/pull\/(\d+)$/.exec(r.outputs['pull-request-url']!)![1]!;
    expect(issue!.body).toMatch(new RegExp(`waits in a pull request, http\\S+/pull\\W*/\\W*${number}\\b`));
  });

  it('the rollback fails half-way → exit 1 with one line, main unchanged, and the incident says a person is needed', async () => {
    const s = await scenario();
    s.api.failNext({ method: 'POST', path: /\/git\/commits$/, status: 403, body: { message: 'Resource not accessible by integration' } });
    const refs = await s.f.refs();
    const r = await rollback(s, s.fail);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^Rolling back main failed: .*Resource not accessible by integration/);
    expect(r.outputs).toMatchObject({ reverted: 'false', 'revert-sha': '', 'issue-number': '1', operation: 'created' });
    expect(await s.f.refs()).toBe(refs);
    const [issue] = issues(s);
    expect(decodeMarker(issue!.body, LABEL, '')).toMatchObject({ kind: 'failure', status: 'FAILED', failing: s.fail });
    expect(issue!.body).toContain('**main was not rolled back**: the rollback failed');
  });

  it('nothing to do → nothing changed and no incident: main moved on since the failure', async () => {
    const s = await scenario();
    await s.f.commit('fix: the real fix by Alice', { 'app.py': 'print("fixed")\n' });
    await s.f.push();
    const refs = await s.f.refs();
    const r = ok(await rollback(s, s.fail));
    expect(r.outputs).toMatchObject({ reverted: 'false', 'revert-sha': '', 'issue-number': '', 'issue-url': '', operation: 'none' });
    expect(r.outputs.reason).toMatch(/not at the failing commit/);
    expect(r.summary).toMatch(/No incident issue: main moved on since the failure/);
    expect(await s.f.refs()).toBe(refs);
    expect(issues(s)).toEqual([]);
    expect(writes(s)).toEqual([]);
  });

  it('nothing to do → no incident: the failing commit already has the good tree outside preserve-paths', async () => {
    const s = await scenario();
    const refs = await s.f.refs();
    const r = ok(await rollback(s, s.fail, { 'preserve-paths': 'app.py, new_module.py' }));
    expect(r.outputs).toMatchObject({ reverted: 'false', found: 'true', 'target-sha': s.g, operation: 'none', 'issue-number': '' });
    expect(r.outputs.reason).toMatch(/^nothing to revert/);
    expect(await s.f.refs()).toBe(refs);
    expect(issues(s)).toEqual([]);
    expect(writes(s)).toEqual([]);
  });

  it('incident: false reverts without an issue; dry-run changes nothing and opens nothing', async () => {
    const s = await scenario();
    const refs = await s.f.refs();
    const dry = ok(await rollback(s, s.fail, { 'dry-run': 'true' }));
    expect(dry.outputs).toMatchObject({ reverted: 'false', 'target-sha': s.g, 'issue-number': '' });
    expect(dry.outputs.reason).toMatch(/^dry run: would revert main/);
    expect(dry.summary).toMatch(/Dry run/);
    expect(await s.f.refs()).toBe(refs);
    expect(issues(s)).toEqual([]);
    expect(s.api.state.labels.size).toBe(0);
    expect(writes(s)).toEqual([]);

    const quiet = ok(await rollback(s, s.fail, { incident: 'false' }));
    expect(quiet.outputs).toMatchObject({ reverted: 'true', operation: 'none', 'issue-number': '' });
    expect(await s.f.remoteHead()).toBe(quiet.outputs['revert-sha']);
    expect(issues(s)).toEqual([]);
  });

  it.each([
    ['kind', 'outage', 'Input "kind": must be one of rollback, health, failure, got "outage"'],
    ['title', 'Broken {nope}', 'Input "title": unknown placeholder {nope};'],
    ['max-per-day', 'lots', 'Input "max-per-day": must be a whole number, got "lots"'],
    ['failing-sha', 'abc123', 'Input "failing-sha": must be a full 40-character hexadecimal commit SHA, got "abc123"'],
    ['repeat-interval', 'soon', 'Input "repeat-interval": must be a duration like 30m, 4h, 1d or 1h30m (or 0), got "soon"'],
    ['incident', 'maybe', 'Input "incident": must be true or false, got "maybe"'],
    ['assignees', 'not a login!', 'Input "assignees": "not a login!" is not a GitHub login'],
  ])('bad input %s → one line naming it, exit 1, no request made, nothing changed', async (name, value, expected) => {
    const s = await scenario();
    const refs = await s.f.refs();
    const r = await rollback(s, s.fail, { [name]: value });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.startsWith(expected), r.errors[0]).toBe(true);
    expect(r.errors[0]).not.toContain('\n');
    expect(r.outputs).toEqual({});
    expect(await s.f.refs()).toBe(refs);
    expect(s.api.requests).toEqual([]);
  });

  it('a branch that does not exist → one line naming "branch", exit 1, nothing written', async () => {
    const s = await scenario();
    const refs = await s.f.refs();
    const r = await rollback(s, s.fail, { branch: 'releases/nope' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['Input "branch": there is no branch "releases/nope" in the repository']);
    expect(await s.f.refs()).toBe(refs);
    expect(writes(s)).toEqual([]);
    expect(issues(s)).toEqual([]);
  });
});

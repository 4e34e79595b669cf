/**
 * The one-step rollback (root action.yml) tells chat: a real rollback against a bare git remote served by the
 * GitHub stand-in, posting to a real HTTP server on loopback. Commit subjects and the reason are untrusted
 * and arrive inert; the URL never shows; a failing webhook leaves the rollback and the incident intact.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { runAction, type RunResult } from '../support/harness.js';
import { GitFixture } from '../support/revert/git-fixture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const TOKEN = 'ghs_rollback_webhook_token';
const HOOK_TOKEN = 'rollbackHookSecret0123456789xyz';
const HOOK_PATH = `/api/webhooks/123456/${HOOK_TOKEN}/slack`;
const EVIL = 'fix: <!channel> @here @everyone <@U123> [click](https://evil) <https://evil|click>';

let f: GitFixture;
let api: GitHubStandin;
let hook: WebhookReceiver;
let shas: { g: string; evil: string; fail: string };
let runId = 900;

beforeEach(async () => {
  f = await GitFixture.create();
  await f.commit('initial', { 'app.py': 'print("v1")\n' });
  const g = await f.commit('feat: v2', { 'app.py': 'print("v2")\n' });
  await f.recordPassed(g);
  const evil = await f.commit(EVIL, { 'app.py': 'print("v3")\n' });
  const fail = await f.commit('feat: v4 (broken) <at>Boss</at>', { 'app.py': 'raise SystemExit(1)\n' });
  await f.push();
  shas = { g, evil, fail };
  api = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: TOKEN });
  hook = await startWebhookReceiver();
});
afterEach(async () => {
  expect(api.internalErrors).toEqual([]);
  await hook.stop();
  await api.stop();
  await f.cleanup();
});

function rollback(inputs: Record<string, string> = {}): Promise<RunResult> {
  runId += 1;
  return runAction('rollback', {
    inputs: { fingerprint: 'ci-cd rollback main', 'webhook-url': `${hook.origin}${HOOK_PATH}`, ...inputs },
    event: { ref: 'refs/heads/main', after: shas.fail, head_commit: { id: shas.fail, message: 'x' } },
    github: { sha: shas.fail, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
    env: {
      GITHUB_API_URL: api.url,
      GITHUB_SERVER_URL: api.serverUrl,
      GITHUB_REPOSITORY: 'owner/app',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKFLOW: 'ci-cd',
      GITHUB_JOB: 'rollback',
      GITHUB_RUN_ID: String(runId),
    },
  });
}

function expectNoSecret(r: RunResult): void {
  for (const text of [r.visibleStdout, r.stderr, r.summary, JSON.stringify(r.outputs)]) {
    expect(text).not.toContain(HOOK_TOKEN);
    expect(text).not.toContain(HOOK_PATH);
  }
}

describe('rollback → chat webhook (root action.yml bundle)', () => {
  it('a rollback posts one Slack message: what was done, the undone commits with inert subjects, the run and the issue', async () => {
    const r = await rollback({ reason: 'Tests failed @here [docs](https://evil) <!here>' });
    expect(r.code).toBe(0);
    expect(r.warnings).toEqual([]);
    expect(r.outputs).toMatchObject({ reverted: 'true', 'issue-number': '1', operation: 'created' });
    const head = await f.remoteHead();
    expect(hook.requests).toHaveLength(1);
    const { text, blocks } = hook.requests[0]!.body as { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
    const issueUrl = `${api.serverUrl}/owner/app/issues/1`;
    const commit = (sha: string) => `${api.serverUrl}/owner/app/commit/${sha}`;
    expect(text).toBe('🔴 Incident opened #1: Incident: rollback on main (app)');
    expect(blocks[0]!.text!.text).toBe(
      `🔴 *Incident opened* <${issueUrl}|#1>: Incident: rollback on main (app)\n` +
        `main was rolled back from ${shas.fail.slice(0, 7)} to the last good build ${shas.g.slice(0, 7)} (new commit ${head.slice(0, 7)}, [skip ci]\u200b). ` +
        'Reason: Tests failed @\u200dhere [docs]\u200b(https://evil) &lt;!here&gt;',
    );
    // The commits: the failing one, the good build restored, each commit undone (greenline's ledger commits
    // may be listed too: how they are shown is the incident wording's business), subjects inert.
    const commits = blocks[2]!.text!.text.split('\n');
    expect(commits[0]).toBe('*Commits*');
    expect(commits).toContain(`• <${commit(shas.fail)}|\`${shas.fail.slice(0, 7)}\`> failing: feat: v4 (broken) &lt;at&gt;Boss&lt;/at&gt;`);
    expect(commits).toContain(`• <${commit(shas.g)}|\`${shas.g.slice(0, 7)}\`> restored`);
    expect(commits).toContain(
      `• <${commit(shas.evil)}|\`${shas.evil.slice(0, 7)}\`> undone: fix: &lt;!channel&gt; @\u200dhere @\u200deveryone &lt;@\u200dU123&gt; [click]\u200b(https://evil) &lt;https://evil|click&gt;`,
    );
    expect(commits.filter((l) => l.includes(shas.fail.slice(0, 7)))).toHaveLength(1);
    const context = blocks[3]!.elements![0]!.text;
    expect(context.startsWith(`<${api.serverUrl}/owner/app/actions/runs/${runId}|run ${runId}> · issue <${issueUrl}|#1> · \``)).toBe(true);
    expect(context).toMatch(/ · `incident:[0-9a-f]{12}`$/);
    // Nothing in the whole body can mention or hide a link.
    const raw = hook.requests[0]!.raw;
    expect(raw).not.toMatch(/<[!@]|<https?:\/\/evil|@(here|everyone|channel)|\]\(/);
    expectNoSecret(r);
  });

  it('webhook-required: true and a webhook that always answers 503: main is rolled back and the incident opened first, then the step fails', async () => {
    hook.answer({ status: 503, headers: { 'retry-after': '0' }, body: 'down' });
    const r = await rollback({ 'webhook-required': 'true' });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ reverted: 'true', 'issue-number': '1', operation: 'created' });
    expect(await f.remoteHead()).not.toBe(shas.fail);
    expect(api.state.issues.get(1)!.state).toBe('open');
    expect(hook.requests).toHaveLength(3);
    expect(r.errors).toEqual(['Incident #1 is done, but the webhook notification (slack, open) failed: HTTP 503: down (after 3 attempts) (webhook-required: true)']);
    expectNoSecret(r);
  });

  it('the incident issue cannot be opened (issues refused): main is still rolled back, and chat hears it with why there is no issue', async () => {
    api.failNext({ method: 'GET', path: '/repos/owner/app/issues', status: 403, body: { message: 'Resource not accessible by integration' } });
    const r = await rollback({ 'webhook-format': 'json' });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ reverted: 'true', 'issue-number': '', operation: 'none' });
    expect(await f.remoteHead()).not.toBe(shas.fail);
    expect(api.state.issues.size).toBe(0);
    expect(hook.requests).toHaveLength(1);
    const body = hook.requests[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({ operation: 'open', issue: null, status: 'ROLLED BACK', kind: 'rollback' });
    expect(body.reason).toMatch(/^the incident issue could not be opened: .*403.*Resource not accessible by integration/);
    expect(body.what).toMatch(/^main was rolled back from [0-9a-f]{7} to the last good build [0-9a-f]{7} /);
    expect(r.summary).toContain('**Webhook:** posted the open message (json)');
    expectNoSecret(r);
  });

  it('incident: false posts nothing; a bad webhook-format stops before main is touched', async () => {
    const refs = await f.refs();
    const bad = await rollback({ 'webhook-format': 'mattermost' });
    expect(bad.code).toBe(1);
    expect(bad.errors).toEqual(['Input "webhook-format": must be one of slack, teams, json, got "mattermost"']);
    expect(await f.refs()).toBe(refs);
    expect(api.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(hook.requests).toEqual([]);

    const quiet = await rollback({ incident: 'false' });
    expect(quiet.code).toBe(0);
    expect(quiet.outputs).toMatchObject({ reverted: 'true', operation: 'none' });
    expect(hook.requests).toEqual([]);
  });
});

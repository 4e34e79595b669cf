/**
 * Chat webhook notifications of open-incident-issue, run as the runner runs the bundle, posting to a real HTTP
 * server on loopback: the exact JSON of each format for each operation, retries, failures, masking, inert text.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { runAction, type RunResult } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const LABEL = fingerprintLabel('ci/test');
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const SHA_C = 'c'.repeat(40);
/** The secret part of the URL, as in Slack's /services/T…/B…/<token>. */
const HOOK_TOKEN = 'hookSecretTok3n0123456789ABCDEF';
const HOOK_PATH = `/services/T0001/B0002/${HOOK_TOKEN}`;
const GH = 'https://github.com';
const commit = (sha: string) => `${GH}/${OWNER}/${REPO}/commit/${sha}`;

let s: IncidentStandin;
let hook: WebhookReceiver;
let runId = 700;
/** The issue's web URL, as the stand-in answers it (html_url). */
let ISSUE = '';
beforeEach(async () => {
  s = await startIncidentStandin();
  hook = await startWebhookReceiver();
  ISSUE = `${s.standin.serverUrl}/${OWNER}/${REPO}/issues/1`;
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  await hook.stop();
  await s.stop();
});

const url = () => `${hook.origin}${HOOK_PATH}`;
const run = (n: number) => `${GH}/${OWNER}/${REPO}/actions/runs/${n}`;

function incident(inputs: Record<string, string> = {}, sha = SHA_A): Promise<RunResult> {
  runId += 1;
  return runAction('open-incident-issue', {
    inputs: { 'webhook-url': url(), ...inputs },
    env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(runId) },
    github: { token: TOKEN, sha },
  });
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  expect(r.warnings).toEqual([]);
  return r;
}

/** Nothing greenline wrote holds the URL or its token: the visible log, stderr, the summary, the outputs. */
function expectNoSecret(r: RunResult): void {
  for (const text of [r.visibleStdout, r.stderr, r.summary, JSON.stringify(r.outputs)]) {
    expect(text).not.toContain(HOOK_TOKEN);
    expect(text).not.toContain(HOOK_PATH);
    expect(text).not.toContain('B0002');
  }
}

const bodies = () => hook.requests.map((r) => r.body);

describe('open-incident-issue → chat webhook (bundle, real HTTP server)', () => {
  it('slack (default): open, comment, resolve, each the exact Slack body; POST as JSON to the path given', async () => {
    const opened = ok(await incident());
    const r1 = runId;
    s.standin.advanceClock(60_000);
    ok(await incident({}, SHA_B)); // a new failing commit: a comment
    const r2 = runId;
    ok(await incident({}, SHA_B)); // nothing new: body only, not posted by default
    s.standin.advanceClock(90 * 60_000);
    const resolved = ok(await incident({ mode: 'resolve' }, SHA_C));
    const r4 = runId;
    expect(resolved.outputs).toEqual({ 'issue-number': '1', 'issue-url': ISSUE, operation: 'closed' });

    expect(hook.requests.map((r) => [r.method, r.path, r.headers['content-type']])).toEqual(Array(3).fill(['POST', HOOK_PATH, 'application/json; charset=utf-8']));
    const context = (n: number) => ({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${run(n)}|run ${n}> · issue <${ISSUE}|#1> · \`${LABEL}\`` }] });
    const fields = (status: string) => ({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${status}` },
        { type: 'mrkdwn', text: '*Branch*\nmain' },
        { type: 'mrkdwn', text: `*Repository*\n<${GH}/${OWNER}/${REPO}|${OWNER}/${REPO}>` },
        { type: 'mrkdwn', text: '*Kind*\nfailure' },
      ],
    });
    expect(bodies()).toEqual([
      {
        text: '🔴 Incident opened #1: Incident: failure on main (shop)',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `🔴 *Incident opened* <${ISSUE}|#1>: Incident: failure on main (shop)` } },
          fields('FAILED'),
          { type: 'section', text: { type: 'mrkdwn', text: `*Commits*\n• <${commit(SHA_A)}|\`aaaaaaa\`> failing` } },
          context(r1),
        ],
      },
      {
        text: '🔴 Incident update #1: Incident: failure on main (shop) — new failing commit bbbbbbb',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `🔴 *Incident update* <${ISSUE}|#1>: Incident: failure on main (shop)\nnew failing commit bbbbbbb` } },
          fields('FAILED'),
          { type: 'section', text: { type: 'mrkdwn', text: `*Commits*\n• <${commit(SHA_B)}|\`bbbbbbb\`> failing` } },
          context(r2),
        ],
      },
      {
        text: '✅ Incident resolved #1: Incident: failure on main (shop) — resolved after 1h 31m',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `✅ *Incident resolved* <${ISSUE}|#1>: Incident: failure on main (shop)\nresolved after 1h 31m` } },
          fields('RESOLVED'),
          { type: 'section', text: { type: 'mrkdwn', text: `*Commits*\n• <${commit(SHA_C)}|\`ccccccc\`> healthy` } },
          context(r4),
        ],
      },
    ]);
    expect(opened.summary).toContain('**Webhook:** posted the open message (slack)');
    expectNoSecret(opened);
    expectNoSecret(resolved);
  });

  it('webhook-events: update posts the quiet body-only runs too; the list leaves out what it does not name', async () => {
    ok(await incident({ 'webhook-events': 'update' })); // created: open is not listed
    expect(hook.requests).toHaveLength(0);
    const quiet = ok(await incident({ 'webhook-events': 'update' }));
    expect(quiet.outputs.operation).toBe('updated');
    expect(bodies()).toEqual([
      expect.objectContaining({
        text: '🟠 Incident updated #1: Incident: failure on main (shop) — nothing new to tell since the last comment; next reminder in 4h',
      }),
    ]);
    expect(quiet.summary).toContain('**Webhook:** posted the update message (slack)');
  });

  it('teams: an Adaptive Card 1.4 in a message attachment, for open and resolve', async () => {
    ok(await incident({ 'webhook-format': 'teams', kind: 'health' }));
    const r1 = runId;
    s.standin.advanceClock(3 * 3_600_000);
    ok(await incident({ 'webhook-format': 'teams', mode: 'resolve' }, SHA_C));
    const r2 = runId;
    const card = (body: unknown[], n: number) => ({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body,
            actions: [
              { type: 'Action.OpenUrl', title: 'Issue #1', url: ISSUE },
              { type: 'Action.OpenUrl', title: `Run ${n}`, url: run(n) },
            ],
            msteams: { width: 'Full' },
          },
        },
      ],
    });
    const facts = (status: string) => ({
      type: 'FactSet',
      facts: [
        { title: 'Status', value: status },
        { title: 'Branch', value: 'main' },
        { title: 'Repository', value: `${OWNER}/${REPO}` },
        { title: 'Kind', value: 'health' },
        { title: 'Fingerprint', value: LABEL },
      ],
    });
    expect(bodies()).toEqual([
      card(
        [
          { type: 'TextBlock', text: '🔴 Incident opened #1', size: 'Medium', weight: 'Bolder', color: 'Attention', wrap: true },
          { type: 'TextBlock', text: 'Incident: failed health check on main (shop)', wrap: true },
          facts('UNHEALTHY'),
          { type: 'TextBlock', text: 'Commits', weight: 'Bolder', wrap: true },
          { type: 'TextBlock', text: `- [aaaaaaa](${commit(SHA_A)}) failing`, wrap: true },
        ],
        r1,
      ),
      card(
        [
          { type: 'TextBlock', text: '✅ Incident resolved #1', size: 'Medium', weight: 'Bolder', color: 'Good', wrap: true },
          { type: 'TextBlock', text: 'Incident: failure on main (shop)', wrap: true },
          { type: 'TextBlock', text: 'resolved after 3h', wrap: true },
          { ...facts('RESOLVED'), facts: facts('RESOLVED').facts.map((f) => (f.title === 'Kind' ? { title: 'Kind', value: 'failure' } : f)) },
          { type: 'TextBlock', text: 'Commits', weight: 'Bolder', wrap: true },
          { type: 'TextBlock', text: `- [ccccccc](${commit(SHA_C)}) healthy`, wrap: true },
        ],
        r2,
      ),
    ]);
  });

  it('json: greenline\'s own object for open, comment and resolve', async () => {
    ok(await incident({ 'webhook-format': 'json' }));
    const r1 = runId;
    ok(await incident({ 'webhook-format': 'json' }, SHA_B));
    const r2 = runId;
    s.standin.advanceClock(2 * 3_600_000);
    ok(await incident({ 'webhook-format': 'json', mode: 'resolve' }, SHA_C));
    const r3 = runId;
    const base = { version: 1, source: 'greenline', kind: 'failure', fingerprint: 'ci/test', label: LABEL, title: 'Incident: failure on main (shop)', repository: `${OWNER}/${REPO}`, branch: 'main', issue: { number: 1, url: ISSUE }, what: '' };
    expect(bodies()).toEqual([
      { ...base, operation: 'open', status: 'FAILED', runUrl: run(r1), reason: '', commits: [{ sha: SHA_A, role: 'failing', url: commit(SHA_A), subject: null }], text: `Incident opened #1: Incident: failure on main (shop) ${ISSUE}` },
      {
        ...base,
        operation: 'comment',
        status: 'FAILED',
        runUrl: run(r2),
        reason: 'new failing commit bbbbbbb',
        commits: [{ sha: SHA_B, role: 'failing', url: commit(SHA_B), subject: null }],
        text: `Incident update #1: Incident: failure on main (shop) — new failing commit bbbbbbb ${ISSUE}`,
      },
      {
        ...base,
        operation: 'resolve',
        status: 'RESOLVED',
        runUrl: run(r3),
        reason: 'resolved after 2h',
        commits: [{ sha: SHA_C, role: 'healthy', url: commit(SHA_C), subject: null }],
        text: `Incident resolved #1: Incident: failure on main (shop) — resolved after 2h ${ISSUE}`,
      },
    ]);
  });

  it('a 429 with Retry-After: 1 is honoured: the second POST comes after the wait, and is the one delivered', async () => {
    hook.answer({ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' }, { status: 200, body: 'ok' });
    const r = ok(await incident());
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1]!.raw).toBe(hook.requests[0]!.raw);
    // A lower bound only: the sender slept at least the second it was asked to.
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(r.summary).toContain('posted the open message (slack, after 2 attempts)');
  });

  it('a webhook that always answers 500 (echoing the URL): the issue and outputs are intact, one warning, no secret shown', async () => {
    hook.answer({ status: 500, body: `internal error for ${HOOK_PATH}` });
    const r = await incident();
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ 'issue-number': '1', 'issue-url': ISSUE, operation: 'created' });
    expect(s.open(LABEL)).toHaveLength(1);
    expect(hook.requests).toHaveLength(3);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^Webhook: the notification \(slack, open\) failed: HTTP 500: internal error for \*\*\* \(after 3 attempts\); the incident issue is unaffected/);
    expect(r.summary).toContain('**Webhook:** ⚠️ the webhook notification (slack, open) failed: HTTP 500');
    expectNoSecret(r);
  });

  it('webhook-required: true with a failing webhook: the issue is written first, then the step fails saying so', async () => {
    hook.answer({ status: 404, body: 'no_service' });
    const r = await incident({ 'webhook-required': 'true' });
    expect(r.code).toBe(1);
    expect(r.outputs).toEqual({ 'issue-number': '1', 'issue-url': ISSUE, operation: 'created' });
    expect(s.standin.state.issues.get(1)!.state).toBe('open');
    expect(hook.requests).toHaveLength(1); // a 404 is not retried
    expect(r.errors).toEqual(['Incident #1 is done, but the webhook notification (slack, open) failed: HTTP 404: no_service (webhook-required: true)']);
    expectNoSecret(r);
  });

  it('untrusted text (a title with <!channel>, @here and links) arrives inert in every format', async () => {
    const title = 'Down <!channel> @here <@U123> [click](https://evil) <https://evil|click> <at>Boss</at> {branch}';
    for (const format of ['slack', 'teams', 'json']) ok(await incident({ 'webhook-format': format, title, fingerprint: `f-${format}` }));
    const [slack, teams, json] = hook.requests.map((r) => r.raw);
    // Slack: <, >, & escaped; @words joined; ] followed by a zero-width space.
    expect(JSON.parse(slack!).text).toBe('🔴 Incident opened #1: Down &lt;!channel&gt; @\u200dhere &lt;@\u200dU123&gt; [click]\u200b(https://evil) &lt;https://evil|click&gt; &lt;at&gt;Boss&lt;/at&gt; main');
    expect(slack).not.toMatch(/<[!@#]|<https?:\/\/evil|@here|\]\(/);
    // Teams: no tag can open, no Markdown link can form, no @word.
    const teamsTitle: string = JSON.parse(teams!).attachments[0].content.body[1].text;
    expect(teamsTitle).not.toMatch(/<at>|<https|<@|<!|@here|\]\(|\]\[/);
    expect(teamsTitle).toBe('Down <\u200d!channel> @\u200dhere <\u200d@\u200dU123> [click]\u200b(https://evil) <\u200dhttps://evil|click> <\u200dat>Boss<\u200d/at> main');
    // json: data as written, the ready-made text with inert @words.
    const j = JSON.parse(json!);
    expect(j.title).toBe('Down <!channel> @here <@U123> [click](https://evil) <https://evil|click> <at>Boss</at> main');
    expect(j.text).toContain('@\u200dhere');
  });

  it.each([
    [{ 'webhook-url': 'ftp://hooks.example.com/x/y' }, 'Input "webhook-url": must be an https:// URL, got a ftp: URL (the value is a secret and is not shown)'],
    [{ 'webhook-url': `hooks.example.com${HOOK_PATH}` }, 'Input "webhook-url": is not a URL (expected https://…; the value is a secret and is not shown)'],
    [{ 'webhook-format': 'discord' }, 'Input "webhook-format": must be one of slack, teams, json, got "discord"'],
    [{ 'webhook-events': 'open, page' }, 'Input "webhook-events": "page" is not one of open, update, comment, resolve'],
    [{ 'webhook-url': '', 'webhook-required': 'true' }, 'Input "webhook-url": is empty but webhook-required is true (is the secret available to this workflow? Secrets are not passed to workflows from forks)'],
  ])('bad webhook input %o → one line naming it, exit 1, no issue, no POST', async (inputs, message) => {
    const r = await incident(inputs as Record<string, string>);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([message]);
    expect(r.outputs).toEqual({});
    expect(s.standin.requests).toEqual([]);
    expect(s.standin.state.issues.size).toBe(0);
    expect(hook.requests).toEqual([]);
    expectNoSecret(r);
  });

  it('plain http:// to another machine is allowed with a warning that does not show the URL; dry run posts nothing', async () => {
    const r = await incident({ 'webhook-url': `http://chat.internal.example${HOOK_PATH}`, 'dry-run': 'true' });
    expect(r.code).toBe(0);
    expect(r.warnings).toEqual(['Input "webhook-url": plain http:// to chat.internal.example: the webhook\'s secret crosses the network unencrypted; use https:// if the server offers it']);
    expect(r.summary).toContain('**Webhook:** (dry run) would post the open message (slack)');
    expect(s.standin.state.issues.size).toBe(0);
    expectNoSecret(r);
  });
});

/**
 * open-incident-issue run as the runner runs it (dist bundle, action.yml defaults, INPUT_*, GITHUB_OUTPUT,
 * step summary) against the GitHub stand-in; every assertion on GitHub's side reads what the stand-in stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { decodeMarker, encodeMarker } from '../../src/core/incident/state.js';
import { runAction, type RunResult } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';

const HOUR = 3_600_000;
/** The harness runs workflow "ci", job "test": the default fingerprint. */
const LABEL = fingerprintLabel('ci/test');
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const SHA_C = 'c'.repeat(40);

let s: IncidentStandin;
let runId = 100;
beforeEach(async () => {
  s = await startIncidentStandin();
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  expect(s.standin.unknownRequests()).toEqual([]); // never the search API
  await s.stop();
});

function incident(inputs: Record<string, string> = {}, sha = SHA_A, token = TOKEN): Promise<RunResult> {
  runId += 1;
  return runAction('open-incident-issue', {
    inputs,
    env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(runId) },
    github: { token, sha },
  });
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

describe('open-incident-issue (bundle)', () => {
  it('3 runs with one fingerprint → one issue; comments only on a change or after repeat-interval', async () => {
    const first = ok(await incident());
    expect(first.outputs).toEqual({ 'issue-number': '1', 'issue-url': `${s.standin.serverUrl}/${OWNER}/${REPO}/issues/1`, operation: 'created' });
    expect(ok(await incident()).outputs.operation).toBe('updated');
    expect(ok(await incident()).outputs.operation).toBe('updated');
    expect(s.issuesWith(LABEL)).toHaveLength(1);
    const issue = s.standin.state.issues.get(1)!;
    expect(issue.title).toBe('Incident: failure on main (shop)');
    expect(issue.labels).toEqual(['incident', LABEL]);
    expect(s.comments(1)).toEqual([]);
    expect(decodeMarker(issue.body, LABEL, '')!.timeline.map((e) => e.r)).toEqual([101, 102, 103].map((n) => `https://github.com/${OWNER}/${REPO}/actions/runs/${n}`));

    // A new failing commit: comment. The same again: body only.
    expect(ok(await incident({}, SHA_B)).outputs.operation).toBe('commented');
    expect(s.comments(1)).toEqual([expect.stringMatching(/^🔴 New failing commit \[`bbbbbbb`\]/)]);
    expect(ok(await incident({}, SHA_B)).outputs.operation).toBe('updated');

    // A rollback of the same failing commit (restored sha, kind rollback): the body says it; no comment, as
    // neither the failing commit changed nor the status got worse.
    const rolled = ok(await incident({ kind: 'rollback', 'restored-sha': SHA_C }, SHA_B));
    expect(rolled.outputs.operation).toBe('updated');
    expect(s.standin.state.issues.get(1)!.body).toContain('| Restored commit | [`ccccccc`]');
    expect(s.comments(1)).toHaveLength(1);

    // Nothing new for 4 hours (the stand-in's clock, which is GitHub's Date header): a reminder.
    s.standin.advanceClock(4 * HOUR + 5 * 60_000);
    const reminder = ok(await incident({ kind: 'rollback', 'restored-sha': SHA_C }, SHA_B));
    expect(reminder.outputs.operation).toBe('commented');
    expect(s.comments(1).at(-1)).toMatch(/^🔴 Still failing: nothing changed in 4h 5m/);
    expect(ok(await incident({ kind: 'rollback', 'restored-sha': SHA_C }, SHA_B)).outputs.operation).toBe('updated');
    expect(s.issuesWith(LABEL)).toHaveLength(1);
    expect(reminder.summary).toMatch(/Incident \[#1\]\(.*\): updated and commented/);
  });

  it('a tiny repeat-interval comments on the next run', async () => {
    ok(await incident({ 'repeat-interval': '1s' }));
    s.standin.advanceClock(2_000);
    expect(ok(await incident({ 'repeat-interval': '1s' })).outputs.operation).toBe('commented');
  });

  it('resolve closes as completed; the next failure opens a new issue linking it; within reopen-window it reopens', async () => {
    ok(await incident());
    s.standin.advanceClock(90 * 60_000);
    const resolved = ok(await incident({ mode: 'resolve' }, SHA_C));
    expect(resolved.outputs).toMatchObject({ 'issue-number': '1', operation: 'closed' });
    expect(s.standin.state.issues.get(1)).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(s.comments(1).at(-1)).toMatch(new RegExp(`^✅ Resolved after 1h 30m · \\[run ${runId}\\]\\(https://github.com/acme/shop/actions/runs/${runId}\\)`));

    const nothing = ok(await incident({ mode: 'resolve' }));
    expect(nothing.outputs).toEqual({ 'issue-number': '', 'issue-url': '', operation: 'none' });

    s.standin.advanceClock(HOUR);
    const next = ok(await incident({ 'reopen-window': '0' }, SHA_B));
    expect(next.outputs).toMatchObject({ 'issue-number': '2', operation: 'created' });
    expect(s.standin.state.issues.get(2)!.body).toMatch(/\| Previous incident \| #1 \|/);
    expect(s.standin.state.issues.get(1)!.state).toBe('closed');

    ok(await incident({ mode: 'resolve' }));
    s.standin.advanceClock(10 * 60_000);
    const reopened = ok(await incident({ 'reopen-window': '1h' }, SHA_B));
    expect(reopened.outputs).toMatchObject({ 'issue-number': '2', operation: 'reopened' });
    expect(s.standin.state.issues.get(2)).toMatchObject({ state: 'open', state_reason: 'reopened' });
    expect(s.comments(2).at(-1)).toMatch(/^🔴 Reopened: failing again 10m( \d+s)? after it was closed/);
    expect(s.open(LABEL).map((i) => i.number)).toEqual([2]);
  });

  it('untrusted text arrives neutralised in the stored body', async () => {
    const details = [
      'Commit message: "fix: closes #1, fixes acme/shop#2 — thanks @octocat and @acme/sre"',
      '&#64;hubot see https://github.com/acme/shop/issues/3 GH-4',
      '</details><details open><summary>x</summary> <script>alert(1)</script>',
      '<!-- greenline:end:details --><!-- greenline:incident {"v":1} -->',
      '# Root cause',
      '```',
      'unclosed fence',
    ].join('\n');
    const report = JSON.stringify({ status: 'CRITICAL', score: 0, checks: [{ name: '@octocat #5', critical: true, verdict: 'fail', value: '<b>x</b> | y', reason: 'closes #6\nnew line' }] });
    ok(await incident({ kind: 'health', details, 'health-report': report }));
    const body = s.standin.state.issues.get(1)!.body!;
    const untrusted = body.slice(body.indexOf('## Health report'), body.indexOf('<!-- greenline:begin:people -->'));
    expect(untrusted).not.toMatch(/@[A-Za-z0-9]/);
    expect(untrusted).not.toMatch(/#\d/);
    expect(untrusted).not.toMatch(/\bGH-\d/);
    expect(untrusted).not.toMatch(/\/issues\/\d/);
    expect(untrusted).not.toMatch(/&#64;/);
    expect(untrusted).not.toMatch(/<(?!!-- greenline:(begin|end):(health|details) -->)/);
    expect(untrusted).not.toContain('```');
    expect(untrusted).toContain('> \\# Root cause');
    // Greenline's own markers are intact: one marker line, sections still found.
    expect(body.match(/<!-- greenline:incident /g)).toHaveLength(1);
    expect(body.match(/<!-- greenline:end:details -->/g)).toHaveLength(1);
    expect(decodeMarker(body, LABEL, '')?.status).toBe('CRITICAL');
    expect(untrusted).toContain('| @\u200boctocat #\u200b5 | yes | fail | &lt;b&gt;x&lt;/b&gt; \\| y |  | c\u200bloses #\u200b6 new line |');
    // The next run keeps the people's sections and still parses.
    expect(ok(await incident({ kind: 'health', 'health-report': report })).outputs.operation).toBe('updated');
  });

  it('5 concurrent runs with one fingerprint → one open issue after the duplicate sweep', async () => {
    const runs = await Promise.all(Array.from({ length: 5 }, () => incident()));
    for (const r of runs) ok(r);
    const all = s.issuesWith(LABEL);
    const open = s.open(LABEL);
    expect(open).toHaveLength(1);
    const kept = open[0]!.number;
    expect(kept).toBe(Math.min(...all.map((i) => i.number)));
    expect(runs.map((r) => r.outputs['issue-number'])).toEqual(Array(5).fill(String(kept)));
    expect(runs.filter((r) => r.outputs.operation === 'created')).toHaveLength(1);
    for (const dup of all.filter((i) => i.number !== kept)) {
      expect(dup).toMatchObject({ state: 'closed', state_reason: 'duplicate' });
      expect(s.comments(dup.number)).toEqual([expect.stringMatching(new RegExp(`^Duplicate of #${kept}:`))]);
    }
    // The next failure updates the kept issue.
    expect(ok(await incident()).outputs).toMatchObject({ 'issue-number': String(kept), operation: 'updated' });
  });

  it('a body over the limit is trimmed, oldest timeline lines first, and accepted', async () => {
    const run = (i: number) => `https://github.com/acme/shop/actions/runs/${i}?check_suite_focus=${'1'.repeat(300)}`;
    const now = s.standin.now().getTime();
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const timeline = Array.from({ length: 400 }, (_, i) => ({ t: iso(now - (400 - i) * 300_000), c: SHA_A, s: 'FAILED', r: run(i) }));
    const marker = encodeMarker({ v: 1, label: LABEL, fingerprint: 'ci/test', kind: 'failure', status: 'FAILED', failing: SHA_A, restored: '', opened: timeline[0]!.t, notified: iso(now), runs: 400, trimmed: 0, timeline });
    s.standin.addIssue({ title: 'long incident', labels: ['incident', LABEL], body: marker });
    const r = ok(await incident({ 'run-url': run(400), details: 'z'.repeat(20_000) }));
    expect(r.outputs).toMatchObject({ 'issue-number': '1', operation: 'updated' });
    const body = s.standin.state.issues.get(1)!.body!;
    expect([...body].length).toBeLessThanOrEqual(65_536);
    const state = decodeMarker(body, LABEL, '')!;
    expect(state.trimmed).toBeGreaterThan(0);
    expect(state.timeline[0]!.r).toBe(run(state.trimmed));
    expect(state.timeline.at(-1)!.r).toBe(run(400));
    expect(body).toContain(`_… ${state.trimmed} earlier runs trimmed`);
  });

  it.each([
    [{ mode: 'close' }, 'Input "mode": must be one of open, resolve, got "close"'],
    [{ kind: 'outage' }, 'Input "kind": must be one of rollback, health, failure, got "outage"'],
    [{ 'repeat-interval': 'soon' }, 'Input "repeat-interval": must be a duration like 30m, 4h, 1d or 1h30m (or 0), got "soon"'],
    [{ title: 'Down: {servce}' }, 'Input "title": unknown placeholder {servce}; use {kind} {branch} {service} {repo} {owner} {workflow} {job} {sha} {fingerprint}'],
  ])('bad input %o → one line naming it, exit 1, nothing created', async (inputs, message) => {
    const r = await incident(inputs as Record<string, string>);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([message]);
    expect(r.outputs).toEqual({});
    expect(s.standin.requests).toEqual([]);
    expect(s.standin.state.issues.size).toBe(0);
    expect(s.standin.state.labels.size).toBe(0);
  });

  it('an unreadable health report is a warning and a code block, not a failure', async () => {
    const r = ok(await incident({ kind: 'health', 'health-report': '{"status": "CRITICAL", "checks": [ @octocat' }));
    expect(r.warnings).toEqual([expect.stringMatching(/^Input "health-report": is not valid JSON .*shown as a code block$/)]);
    expect(r.outputs.operation).toBe('created');
    const body = s.standin.state.issues.get(1)!.body!;
    expect(body).toMatch(/```text\n\{"status": "CRITICAL", "checks": \[ @\u200boctocat\n```/);
  });

  it('dry run: reads, says what it would do, changes nothing', async () => {
    const r = ok(await incident({ 'dry-run': 'true' }));
    expect(r.outputs).toEqual({ 'issue-number': '', 'issue-url': '', operation: 'created' });
    expect(r.summary).toMatch(/\(dry run\)/);
    expect(r.summary).toMatch(/would create the incident issue/);
    expect(s.standin.requests.every((q) => q.method === 'GET')).toBe(true);
    expect(s.standin.state.issues.size).toBe(0);
    expect(s.standin.state.labels.size).toBe(0);
  });

  it('the token never appears in stdout, stderr, outputs or the summary', async () => {
    const token = 'ghs_RECOGNISABLE0token0for0the0leak0test0XYZ';
    await s.stop();
    s = await startIncidentStandin({ token });
    const results = [
      await incident({}, SHA_A, token),
      await incident({}, SHA_B, token),
      await incident({ mode: 'resolve' }, SHA_A, token),
      await incident({ kind: 'outage' }, SHA_A, token),
      await incident({}, SHA_A, 'ghs_WRONG0token0that0the0standin0refuses0XYZ'),
    ];
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 1, 1]);
    expect(results[4]!.errors[0]).toMatch(/Could not list open issues .*HTTP 401: Bad credentials/);
    for (const [i, r] of results.entries()) {
      const used = i === 4 ? 'ghs_WRONG0token0that0the0standin0refuses0XYZ' : token;
      // `::add-mask::` is the runner command that masks the value: the runner consumes it, it is never shown.
      const stdout = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
      for (const text of [stdout, r.stderr, JSON.stringify(r.outputs), r.summary]) expect(text).not.toContain(used);
    }
    for (const issue of s.standin.state.issues.values()) expect(issue.body).not.toContain(token);
    for (const c of s.standin.state.comments) expect(c.body).not.toContain(token);
  });
});

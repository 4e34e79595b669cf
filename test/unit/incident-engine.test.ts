import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { parseHealthReport } from '../../src/core/incident/health-report.js';
import { type IncidentConfig, type IncidentResult, runIncident, STALE_DUPLICATE_MS } from '../../src/core/incident/incident.js';
import { BODY_BUDGET, GITHUB_BODY_LIMIT } from '../../src/core/incident/render.js';
import { decodeMarker, encodeMarker } from '../../src/core/incident/state.js';
import { FakeIncidentApi } from '../support/incident/fake-api.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const SHA_C = 'c'.repeat(40);
const HOUR = 3_600_000;
const FP = 'deploy/monitor';
const LABEL = fingerprintLabel(FP);

function config(over: Partial<IncidentConfig> = {}): IncidentConfig {
  return {
    mode: 'open',
    fingerprint: FP,
    kind: 'failure',
    title: 'Incident: failure on main (shop)',
    failingSha: SHA_A,
    restoredSha: '',
    runUrl: 'https://github.com/acme/shop/actions/runs/100',
    labels: ['incident'],
    assignees: [],
    repeatIntervalMs: 4 * HOUR,
    reopenWindowMs: 0,
    place: { owner: 'acme', repo: 'shop', serverUrl: 'https://github.com', branch: 'main', workflow: 'deploy', job: 'monitor' },
    dryRun: false,
    ...over,
  };
}

async function run(api: FakeIncidentApi, over: Partial<IncidentConfig> = {}): Promise<IncidentResult> {
  api.calls = [];
  return runIncident(config(over), { api, log: recordingLogger(), now: () => api.clock });
}

describe('open', () => {
  it('creates once, then updates the body on every run without commenting', async () => {
    const api = new FakeIncidentApi();
    const first = await run(api);
    expect(first).toMatchObject({ operation: 'created', issueNumber: 1 });
    expect(api.calls).toEqual(['listIssues', 'listIssues', 'listLabels', 'createLabel', 'createLabel', 'createIssue', 'listIssues']);
    expect(api.issues[0]!.labels).toEqual(['incident', LABEL]);

    api.advance(5 * 60_000);
    const second = await run(api);
    expect(second).toMatchObject({ operation: 'updated', issueNumber: 1 });
    expect(api.calls).toEqual(['listIssues', 'updateIssue']);
    api.advance(5 * 60_000);
    expect((await run(api)).operation).toBe('updated');
    expect(api.issues).toHaveLength(1);
    expect(api.comments).toHaveLength(0);
    const state = decodeMarker(api.issues[0]!.body, LABEL, '')!;
    expect(state.runs).toBe(3);
    expect(state.timeline).toHaveLength(3);
  });

  it('comments on a new failing commit, a worse status, and after repeat-interval; a new rollback or a better status is body only', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    const newSha = await run(api, { failingSha: SHA_B });
    expect(newSha.operation).toBe('commented');
    expect(api.calls).toEqual(['listIssues', 'updateIssue', 'addComment']);
    expect(api.commentsOn(1).at(-1)).toMatch(/New failing commit \[`bbbbbbb`\].*\(was \[`aaaaaaa`\]/);

    expect((await run(api, { failingSha: SHA_B })).operation).toBe('updated');
    const rollback = await run(api, { failingSha: SHA_B, restoredSha: SHA_C, kind: 'rollback' });
    expect(rollback.operation).toBe('updated');
    expect(api.issues[0]!.body).toContain('| Restored commit | [`ccccccc`]');

    const critical = parseHealthReport('{"status":"CRITICAL","checks":[]}').view!;
    const unhealthy = parseHealthReport('{"status":"UNHEALTHY","checks":[]}').view!;
    expect((await run(api, { failingSha: SHA_B, kind: 'rollback', health: critical })).operation).toBe('commented');
    expect(api.commentsOn(1).at(-1)).toMatch(/Status worsened from \*\*FAILED\*\* to \*\*CRITICAL\*\*/);
    expect((await run(api, { failingSha: SHA_B, kind: 'rollback', health: critical })).operation).toBe('updated');
    // Flapping between CRITICAL and UNHEALTHY: people were told CRITICAL, neither is news.
    expect((await run(api, { failingSha: SHA_B, kind: 'rollback', health: unhealthy })).operation).toBe('updated');
    expect((await run(api, { failingSha: SHA_B, kind: 'rollback', health: critical })).operation).toBe('updated');

    api.advance(4 * HOUR - 1000);
    expect((await run(api, { failingSha: SHA_B, kind: 'rollback', health: critical })).operation).toBe('updated');
    api.advance(1000);
    const reminder = await run(api, { failingSha: SHA_B, kind: 'rollback', health: critical });
    expect(reminder.operation).toBe('commented');
    expect(api.commentsOn(1).at(-1)).toMatch(/Still failing: nothing changed in 4h/);
    expect((await run(api, { failingSha: SHA_B, kind: 'rollback', health: critical })).operation).toBe('updated');
    expect(api.issues).toHaveLength(1);
  });

  it('ignores pull requests and labelled issues without the marker, and other fingerprints', async () => {
    const api = new FakeIncidentApi();
    api.seed({ title: 'a PR', labels: ['incident', LABEL], pull: true, body: encodeMarker({ ...blankState(), label: LABEL }) });
    api.seed({ title: 'hand-made', labels: ['incident', LABEL], body: 'no marker here' });
    api.seed({ title: 'other', labels: ['incident', fingerprintLabel('other')], body: encodeMarker({ ...blankState(), label: fingerprintLabel('other') }) });
    const r = await run(api);
    expect(r).toMatchObject({ operation: 'created', issueNumber: 4 });
  });

  it('keeps the sections people own when rewriting the body', async () => {
    const api = new FakeIncidentApi();
    await run(api, { details: 'first details' });
    const issue = api.issues[0]!;
    issue.body = issue.body.replace(/(<!-- greenline:begin:people -->\n)[\s\S]*(\n<!-- greenline:end:people -->)/, '$1## Root cause\n\nThe cache key changed. @alice is on it.$2');
    await run(api);
    expect(issue.body).toContain('The cache key changed. @alice is on it.');
    expect(issue.body).toContain('> first details');
    await run(api, { details: 'second details' });
    expect(issue.body).toContain('> second details');
    expect(issue.body).not.toContain('first details');
  });

  it('retries unassigned when an assignee cannot be assigned, with a warning', async () => {
    const api = new FakeIncidentApi();
    const log = recordingLogger();
    const r = await runIncident(config({ assignees: ['octocat', 'ghost'] }), { api, log, now: () => api.clock });
    expect(r.operation).toBe('created');
    expect(api.issues[0]!.assignees).toEqual([]);
    expect(log.warnings.join('\n')).toMatch(/Could not assign octocat, ghost/);
  });

  it('reports a half-done update: body written, comment failed', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    api.failNext.set('addComment', 502);
    const r = await run(api, { failingSha: SHA_B });
    expect(r.operation).toBe('updated');
    expect(r.failure).toMatch(/Updated the body of #1, but the comment could not be posted: HTTP 502/);
  });

  it('fails with the HTTP status and a permission hint when GitHub refuses', async () => {
    const api = new FakeIncidentApi();
    api.failNext.set('listIssues', 403);
    await expect(run(api)).rejects.toThrow(/Could not list open issues labelled incident:[0-9a-f]{12}: HTTP 403: .*issues: write/);
  });

  it('dry run: reads, says what it would do, writes nothing', async () => {
    const api = new FakeIncidentApi();
    const r = await run(api, { dryRun: true });
    expect(r.operation).toBe('created');
    expect(r.steps.join('\n')).toMatch(/would create the incident issue/);
    expect(api.calls.every((c) => c.startsWith('list'))).toBe(true);
    expect(api.issues).toHaveLength(0);
  });
});

describe('resolve and what comes after', () => {
  it('resolve comments "Resolved after" and closes as completed; nothing open → none', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    api.advance(2 * HOUR + 5 * 60_000);
    const r = await run(api, { mode: 'resolve', runUrl: 'https://github.com/acme/shop/actions/runs/200' });
    expect(r).toMatchObject({ operation: 'closed', issueNumber: 1 });
    expect(api.calls).toEqual(['listIssues', 'addComment', 'updateIssue']);
    expect(api.issues[0]).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(api.commentsOn(1)[0]).toMatch(/^✅ Resolved after 2h 5m · \[run 200\]\(https:\/\/github.com\/acme\/shop\/actions\/runs\/200\)/);
    expect(api.issues[0]!.body).toContain('**RESOLVED**');

    const again = await run(api, { mode: 'resolve' });
    expect(again.operation).toBe('none');
    expect(again.issueNumber).toBeUndefined();
    expect(api.calls).toEqual(['listIssues']);
  });

  it('a failure after resolution opens a new issue linking the previous one', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    await run(api, { mode: 'resolve' });
    api.advance(HOUR);
    const r = await run(api, { failingSha: SHA_B });
    expect(r).toMatchObject({ operation: 'created', issueNumber: 2, previous: 1 });
    expect(api.issues[1]!.body).toMatch(/\| Previous incident \| #1 \|/);
    expect(api.issues[0]!.state).toBe('closed');
  });

  it('within reopen-window reopens the previous issue; after it, opens a new one', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    await run(api, { mode: 'resolve' });
    api.advance(20 * 60_000);
    const r = await run(api, { reopenWindowMs: HOUR, failingSha: SHA_B });
    expect(r).toMatchObject({ operation: 'reopened', issueNumber: 1 });
    expect(api.issues).toHaveLength(1);
    expect(api.issues[0]).toMatchObject({ state: 'open', stateReason: 'reopened' });
    expect(api.commentsOn(1).at(-1)).toMatch(/Reopened: failing again 20m after it was closed/);
    expect(decodeMarker(api.issues[0]!.body, LABEL, '')!.resolved).toBeUndefined();
    // Next run just updates the reopened issue.
    expect((await run(api, { reopenWindowMs: HOUR, failingSha: SHA_B })).operation).toBe('updated');

    await run(api, { mode: 'resolve' });
    api.advance(HOUR + 1000);
    const late = await run(api, { reopenWindowMs: HOUR });
    expect(late).toMatchObject({ operation: 'created', issueNumber: 2, previous: 1 });
  });

  it('never takes a duplicate as the previous incident', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    await run(api, { mode: 'resolve' });
    const dup = api.seed({ title: 'dup', labels: ['incident', LABEL], body: encodeMarker({ ...blankState(), label: LABEL }) });
    api.advance(60_000);
    await api.updateIssue(dup.number, { state: 'closed', stateReason: 'duplicate' });
    const r = await run(api, { reopenWindowMs: HOUR });
    expect(r).toMatchObject({ operation: 'reopened', issueNumber: 1 });
  });
});

describe('races', () => {
  it('5 runs at once with one fingerprint leave one open issue, the oldest', async () => {
    const api = new FakeIncidentApi();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        runIncident(config({ runUrl: `https://github.com/acme/shop/actions/runs/${i + 1}` }), { api, log: recordingLogger(), now: () => api.clock }),
      ),
    );
    expect(api.issues.length).toBeGreaterThan(1); // they really raced
    const open = api.open(LABEL);
    expect(open.map((i) => i.number)).toEqual([1]);
    expect(results.every((r) => r.issueNumber === 1)).toBe(true);
    expect(results.filter((r) => r.operation === 'created')).toHaveLength(1);
    for (const dup of api.issues.slice(1)) {
      expect(dup).toMatchObject({ state: 'closed', stateReason: 'duplicate' });
      expect(api.commentsOn(dup.number)).toEqual([expect.stringMatching(/^Duplicate of #1:/)]);
    }
  });

  it('a create whose reply was lost (the HTTP retry created a second issue) ends with one open issue', async () => {
    const api = new FakeIncidentApi();
    const create = api.createIssue.bind(api);
    let lost = true;
    api.createIssue = async (input) => {
      if (lost) {
        lost = false;
        await create(input); // GitHub created it, the reply never arrived, Octokit sent it again
      }
      return create(input);
    };
    const r = await run(api);
    expect(r).toMatchObject({ operation: 'updated', issueNumber: 1, duplicatesClosed: [2] });
    expect(api.open(LABEL).map((i) => i.number)).toEqual([1]);
    expect(decodeMarker(api.issues[0]!.body, LABEL, '')!.runs).toBe(2);
  });

  it('an issue a person reopened after it was resolved carries the next failure within reopen-window', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    await run(api, { mode: 'resolve' });
    await api.updateIssue(1, { state: 'open' });
    const r = await run(api, { reopenWindowMs: HOUR });
    expect(r).toMatchObject({ operation: 'updated', issueNumber: 1 });
    expect(decodeMarker(api.issues[0]!.body, LABEL, '')!.resolved).toBeUndefined();
    expect(api.issues[0]!.body).toContain('| Status | **FAILED** |');
  });

  it('an issue a person reopened long after it was resolved stays theirs: a new incident, never a duplicate, never resolved', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    await run(api, { mode: 'resolve' });
    api.advance(2 * HOUR);
    await api.updateIssue(1, { state: 'open' });
    const fresh = await run(api, { reopenWindowMs: HOUR });
    expect(fresh).toMatchObject({ operation: 'created', issueNumber: 2 });
    api.advance(10 * 60_000);
    const again = await run(api, { reopenWindowMs: HOUR });
    expect(again).toMatchObject({ operation: 'updated', issueNumber: 2, duplicatesClosed: [] });
    const resolved = await run(api, { mode: 'resolve' });
    expect(resolved).toMatchObject({ operation: 'closed', issueNumber: 2 });
    expect(api.issues.map((i) => i.state)).toEqual(['open', 'closed']);
  });

  it('a duplicate left open by a run that died is closed by a later run once it is stale', async () => {
    const api = new FakeIncidentApi();
    await run(api);
    const body = api.issues[0]!.body;
    api.seed({ title: 'orphan', labels: ['incident', LABEL], body });
    const soon = await run(api);
    expect(soon.duplicatesClosed).toEqual([]);
    api.advance(STALE_DUPLICATE_MS);
    const later = await run(api);
    expect(later).toMatchObject({ operation: 'updated', issueNumber: 1, duplicatesClosed: [2] });
    expect(api.issues[1]).toMatchObject({ state: 'closed', stateReason: 'duplicate' });
  });
});

describe('body size', () => {
  it('stays under the limit by trimming the oldest timeline lines first', async () => {
    const api = new FakeIncidentApi();
    const long = (i: number) => `https://github.com/acme/shop/actions/runs/${i}?${'q'.repeat(600)}`;
    await run(api, { details: 'd'.repeat(50_000), runUrl: long(0) });
    let trimmedAt = -1;
    for (let i = 1; i <= 150; i++) {
      api.advance(5 * 60_000);
      const r = await run(api, { runUrl: long(i), details: `${'d'.repeat(30_000)} @octocat` });
      expect(['updated', 'commented']).toContain(r.operation); // every 4h of 5-minute runs: a reminder
      const body = api.issues[0]!.body;
      expect([...body].length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
      expect(body.length).toBeLessThanOrEqual(BODY_BUDGET);
      const state = decodeMarker(body, LABEL, '')!;
      if (state.trimmed > 0 && trimmedAt < 0) trimmedAt = i;
      expect(state.timeline.at(-1)!.r).toBe(long(i));
      expect(state.runs).toBe(i + 1);
      expect(state.trimmed + state.timeline.length).toBe(i + 1);
    }
    expect(trimmedAt).toBeGreaterThan(0);
    const body = api.issues[0]!.body;
    expect(body).toMatch(/_… \d+ earlier runs trimmed to stay under GitHub's 65,536-character limit._/);
    expect(body).not.toContain('runs/0?');
    expect(body).toContain('First seen | 2025-03-01 10:00:00 UTC');
  });
});

function blankState() {
  return {
    v: 1 as const,
    label: LABEL,
    fingerprint: FP,
    kind: 'failure' as const,
    status: 'FAILED',
    failing: SHA_A,
    restored: '',
    opened: '2025-03-01T09:00:00Z',
    notified: '2025-03-01T09:00:00Z',
    runs: 1,
    trimmed: 0,
    timeline: [],
  };
}

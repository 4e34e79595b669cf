/**
 * The incident logic through Octokit (createGitHub: retry + throttling) against the GitHub stand-in: real
 * HTTP, GitHub's shapes and limits, requests counted per route.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { createGitHub } from '../../src/core/github/client.js';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { octokitIncidentApi } from '../../src/core/incident/github.js';
import { type IncidentConfig, runIncident } from '../../src/core/incident/incident.js';
import { decodeMarker, encodeMarker } from '../../src/core/incident/state.js';
import { secondaryRateLimit } from '../support/github-standin/index.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';

const HOUR = 3_600_000;
const FP = 'CI/deploy';
const LABEL = fingerprintLabel(FP);
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

let s: IncidentStandin;
beforeEach(async () => {
  s = await startIncidentStandin();
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  // Never the search API (the stand-in does not serve it: it would be an unknown route).
  expect(s.standin.unknownRequests()).toEqual([]);
  await s.stop();
});

function config(over: Partial<IncidentConfig> = {}): IncidentConfig {
  return {
    mode: 'open',
    fingerprint: FP,
    kind: 'failure',
    title: 'Incident: failure on main (shop)',
    failingSha: SHA_A,
    restoredSha: '',
    runUrl: 'https://github.com/acme/shop/actions/runs/1',
    labels: ['incident'],
    assignees: [],
    repeatIntervalMs: 4 * HOUR,
    reopenWindowMs: 0,
    place: { owner: OWNER, repo: REPO, serverUrl: s.standin.serverUrl, branch: 'main', workflow: 'CI', job: 'deploy' },
    dryRun: false,
    ...over,
  };
}

async function run(over: Partial<IncidentConfig> = {}) {
  const log = recordingLogger();
  const github = createGitHub({ token: TOKEN, baseUrl: s.url, log, retries: 2 });
  const result = await runIncident(config(over), { api: octokitIncidentApi(github, OWNER, REPO), log, now: () => Date.now() });
  return { result, log };
}

/** Requests to GitHub made by the operation, as "METHOD route" (the stand-in's request log). */
function measured<T>(fn: () => Promise<T>): Promise<{ value: T; calls: string[] }> {
  s.standin.resetLog();
  return fn().then((value) => ({ value, calls: s.calls().map((c) => c.route ?? `${c.method} <unknown>`) }));
}

describe('open-incident-issue through Octokit', () => {
  it('one issue for repeat failures: ≤ 3 API calls each (list, update body, maybe comment)', async () => {
    const created = await measured(() => run());
    expect(created.value.result).toMatchObject({ operation: 'created', issueNumber: 1 });
    const issue = s.standin.state.issues.get(1)!;
    expect(issue.labels).toEqual(['incident', LABEL]);
    expect(s.standin.state.findLabel(LABEL)?.description).toBe(`greenline incident fingerprint: ${FP}`);
    expect(s.standin.state.findLabel('incident')?.color).toBe('b60205');

    const repeat = await measured(() => run());
    expect(repeat.value.result.operation).toBe('updated');
    expect(repeat.calls).toEqual(['GET /repos/{owner}/{repo}/issues', 'PATCH /repos/{owner}/{repo}/issues/{issue_number}']);

    const changed = await measured(() => run({ failingSha: SHA_B }));
    expect(changed.value.result.operation).toBe('commented');
    expect(changed.calls).toEqual([
      'GET /repos/{owner}/{repo}/issues',
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ]);
    expect(s.open(LABEL)).toHaveLength(1);
  });

  it('repeat-interval follows the stand-in clock (GitHub Date header), not the runner\'s', async () => {
    await run();
    s.standin.advanceClock(4 * HOUR - 60_000);
    expect((await run()).result.operation).toBe('updated');
    s.standin.advanceClock(2 * 60_000);
    expect((await run()).result.operation).toBe('commented');
    expect(s.comments(1)).toEqual([expect.stringMatching(/^🔴 Still failing: nothing changed in 4h 1m/)]);
    expect((await run()).result.operation).toBe('updated');
    const state = decodeMarker(s.standin.state.issues.get(1)!.body, LABEL, '')!;
    expect(Date.parse(state.timeline.at(-1)!.t) - Date.parse(state.opened)).toBeGreaterThanOrEqual(4 * HOUR);
  });

  it('a label created by someone else in between (422 already_exists) is fine', async () => {
    // Our label list says "none"; by the time we create it, it exists: GitHub answers 422 already_exists.
    s.standin.failNext({ method: 'GET', path: /\/labels$/, status: 200, body: [] });
    s.standin.state.ensureLabel('incident');
    const { result } = await run();
    expect(result.operation).toBe('created');
    expect(s.standin.requests.some((r) => r.method === 'POST' && r.path.endsWith('/labels') && r.status === 422)).toBe(true);
    expect(s.standin.state.issues.get(1)!.labels).toEqual(['incident', LABEL]);
  });

  it('survives a 502 and a secondary rate limit (retried by the Octokit plugins)', async () => {
    await run();
    s.standin.failNext({ method: 'PATCH', path: /\/issues\/1$/, status: 502 });
    s.standin.failNext({ method: 'POST', path: /\/issues\/1\/comments$/, ...secondaryRateLimit(1) });
    const { result } = await run({ failingSha: SHA_B });
    expect(result.operation).toBe('commented');
    expect(s.comments(1)).toHaveLength(1);
  });

  it('a body over the limit is trimmed (oldest timeline lines first) and accepted', async () => {
    const longRun = (i: number) => `https://github.com/acme/shop/actions/runs/${i}?attempt=${'9'.repeat(300)}`;
    s.standin.addIssue({ title: 'old incident', labels: ['incident', LABEL], body: bigMarker(300, longRun), createdAt: '2025-03-01T10:00:00Z' });
    const { result } = await run({ runUrl: longRun(300), details: 'y'.repeat(40_000) });
    // Last comment was long ago (the seed's notified time): a reminder comes with the update.
    expect(result).toMatchObject({ operation: 'commented', issueNumber: 1 });
    const body = s.standin.state.issues.get(1)!.body!;
    const state = decodeMarker(body, LABEL, '')!;
    expect(state.trimmed).toBeGreaterThan(0);
    expect(state.trimmed + state.timeline.length).toBe(301);
    expect(state.timeline[0]!.r).toBe(longRun(state.trimmed));
    expect(state.timeline.at(-1)!.r).toBe(longRun(300));
    expect([...body].length).toBeLessThanOrEqual(65_536);
    expect(body).toContain(`_… ${state.trimmed} earlier runs trimmed`);
    expect(body).toContain('| First seen | 2025-03-01 10:00:00 UTC |');
  });
});

/** A marker-only body remembering `n` runs: rendered, it is far over GitHub's limit. */
export function bigMarker(n: number, runUrl: (i: number) => string): string {
  return encodeMarker({
    v: 1,
    label: LABEL,
    fingerprint: FP,
    kind: 'failure',
    status: 'FAILED',
    failing: SHA_A,
    restored: '',
    opened: '2025-03-01T10:00:00Z',
    notified: '2025-03-01T10:00:00Z',
    runs: n,
    trimmed: 0,
    timeline: Array.from({ length: n }, (_, i) => ({ t: new Date(Date.parse('2025-03-01T10:00:00Z') + i * 300_000).toISOString().replace(/\.000Z$/, 'Z'), c: SHA_A, s: 'FAILED', r: runUrl(i) })),
  });
}

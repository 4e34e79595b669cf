/**
 * open-incident-issue's bundle against the GitHub stand-in, in the situations an SRE lives with: a day of
 * 5-minute runs of a flapping service and of a flapping status (counted in issues and comments, on the
 * stand-in's fake clock), people writing above the marker and in the sections they own, and people reopening
 * incidents greenline had resolved.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { decodeMarker } from '../../src/core/incident/state.js';
import { runAction, type RunResult } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';

const FP = 'shop/prod';
const LABEL = fingerprintLabel(FP);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SHA = 'a'.repeat(40);
/**
 * Hours of 5-minute runs simulated per soak: the whole day, 288 runs (each spawns the bundle: about half a second
 * on an idle machine, two to three minutes a soak). INCIDENT_SOAK_HOURS shortens it while working on this file;
 * the counts asserted scale with it.
 */
const HOURS = Number(process.env.INCIDENT_SOAK_HOURS ?? 24);
/** A day of bundle runs on a loaded 2-core runner: far above the 2–3 minutes it takes, never a timed assertion. */
const SOAK_TIMEOUT = 1_800_000;
const RUNS = HOURS * 12;
const report = (status: string) => JSON.stringify({ status, score: status === 'CRITICAL' ? 0 : 40, checks: [{ name: 'health', critical: true, verdict: 'FAIL', reason: 'not-healthy' }] });

let s: IncidentStandin;
let runId = 500;
beforeEach(async () => {
  s = await startIncidentStandin();
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  await s.stop();
});

/** One run of the bundle with the action.yml defaults (reopen-window 1d, repeat-interval 4h) unless given. */
async function incident(inputs: Record<string, string> = {}): Promise<RunResult> {
  runId += 1;
  const r = await runAction('open-incident-issue', {
    inputs: { fingerprint: FP, kind: 'health', ...inputs },
    env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(runId) },
    github: { token: TOKEN, sha: SHA },
  });
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const allComments = () => s.issuesWith(LABEL).flatMap((i) => s.comments(i.number));
const body = (n: number) => s.standin.state.issues.get(n)!.body!;
const state = (n: number) => decodeMarker(body(n), LABEL, '')!;

describe('a day of 5-minute runs', () => {
  it('a service flapping healthy/unhealthy keeps one incident, with a handful of comments, not one per flap', async () => {
    // Runs alternating failing and healthy, each 5 minutes after the last.
    for (let i = 0; i < RUNS; i++) {
      await incident(i % 2 === 0 ? { 'health-report': report('UNHEALTHY') } : { mode: 'resolve' });
      s.standin.advanceClock(5 * MINUTE);
    }
    expect(s.issuesWith(LABEL)).toHaveLength(1);
    // The first resolution, the first reopen, then a reopen comment at most once per repeat-interval (4h).
    const comments = allComments();
    expect(comments.length).toBeGreaterThanOrEqual(2);
    expect(comments.length).toBeLessThanOrEqual(2 + Math.floor(HOURS / 4));
    expect(comments.filter((c) => c.startsWith('✅ Resolved'))).toHaveLength(1);
    // Every run is in the timeline (or counted as trimmed): nothing was lost by staying quiet.
    const st = state(1);
    expect(st.runs).toBe(RUNS / 2);
    expect(st.timeline.length + st.trimmed).toBe(RUNS);
  }, SOAK_TIMEOUT);

  it('a status flapping between CRITICAL and UNHEALTHY comments once, then once per repeat-interval', async () => {
    for (let i = 0; i < RUNS; i++) {
      await incident({ 'health-report': report(i % 2 === 0 ? 'UNHEALTHY' : 'CRITICAL') });
      s.standin.advanceClock(5 * MINUTE);
    }
    expect(s.issuesWith(LABEL)).toHaveLength(1);
    const comments = s.comments(1);
    // UNHEALTHY → CRITICAL is worse once (then people were told CRITICAL); after that only reminders, one per 4 hours.
    expect(comments.filter((c) => /Status worsened from \*\*UNHEALTHY\*\* to \*\*CRITICAL\*\*/.test(c))).toHaveLength(1);
    expect(comments.filter((c) => c.startsWith('🔴 Still failing'))).toHaveLength(Math.floor((5 * (RUNS - 1) - 5) / (4 * 60)));
    expect(comments.length).toBe(1 + Math.floor((5 * (RUNS - 1) - 5) / (4 * 60)));
  }, SOAK_TIMEOUT);
});

describe('people in the issue', () => {
  it('a line written above the marker: the same issue is updated and resolved, and the line stays', async () => {
    await incident({ 'health-report': report('UNHEALTHY') });
    const issue = s.standin.state.issues.get(1)!;
    issue.body = `**Owner: @sre-oncall, war room in #inc-42**\n\n${issue.body}`;
    s.standin.advanceClock(5 * MINUTE);
    expect((await incident({ 'health-report': report('UNHEALTHY') })).outputs).toMatchObject({ operation: 'updated', 'issue-number': '1' });
    expect(body(1).startsWith('**Owner: @sre-oncall, war room in #inc-42**\n\n<!-- greenline:incident ')).toBe(true);
    expect(s.issuesWith(LABEL)).toHaveLength(1);
    expect((await incident({ mode: 'resolve' })).outputs).toMatchObject({ operation: 'closed', 'issue-number': '1' });
    expect(s.open(LABEL)).toHaveLength(0);
  });

  it('a 21,000-character root cause is kept whole; over GitHub\'s 65,536-character limit it is cut, and the issue says so', async () => {
    await incident({ 'health-report': report('UNHEALTHY') });
    const issue = s.standin.state.issues.get(1)!;
    const rootCause = `## Root cause\n\n${'The cache key changed shape in the 2.3 migration and every pod missed at once. '.repeat(270)}END-OF-ANALYSIS`;
    expect(rootCause.length).toBeGreaterThan(21_000);
    issue.body = issue.body!.replace(/(<!-- greenline:begin:people -->\n)[\s\S]*(\n<!-- greenline:end:people -->)/, `$1${rootCause}$2`);
    await incident({ 'health-report': report('CRITICAL') });
    expect(body(1)).toContain(rootCause);
    expect(body(1)).not.toMatch(/greenline cut/);

    const huge = `## Root cause\n\n${'x'.repeat(70_000)}END`;
    s.standin.state.issues.get(1)!.body = body(1).replace(rootCause, huge);
    // The stand-in, as GitHub, refuses bodies over 65,536 characters: the run succeeds only if greenline cut it.
    await incident({ 'health-report': report('CRITICAL') });
    expect(body(1).length).toBeLessThanOrEqual(65_536);
    expect(body(1)).toMatch(/greenline cut this section here, \d+ characters and more left out: the issue body would otherwise exceed GitHub's 65,536-character limit/);
  });

  it("a person reopening yesterday's incident: today's is still the one updated, and neither is closed as a duplicate", async () => {
    await incident({ 'health-report': report('UNHEALTHY') });
    await incident({ mode: 'resolve' });
    s.standin.advanceClock(30 * HOUR);
    expect((await incident({ 'health-report': report('UNHEALTHY') })).outputs).toMatchObject({ operation: 'created', 'issue-number': '2' });
    // Someone reopens #1 to finish its action items.
    s.standin.state.issues.get(1)!.state = 'open';
    s.standin.advanceClock(10 * MINUTE);
    const next = await incident({ 'health-report': report('UNHEALTHY') });
    expect(next.outputs).toMatchObject({ operation: 'updated', 'issue-number': '2' });
    expect(s.open(LABEL).map((i) => i.number)).toEqual([1, 2]);
    expect(s.comments(2).some((c) => c.startsWith('Duplicate of'))).toBe(false);
    expect(s.comments(1).some((c) => c.startsWith('Duplicate of'))).toBe(false);
    // Resolving closes today's, not the one the person reopened.
    expect((await incident({ mode: 'resolve' })).outputs).toMatchObject({ operation: 'closed', 'issue-number': '2' });
    expect(s.open(LABEL).map((i) => i.number)).toEqual([1]);
  });

  it('a person reopening a resolved incident to track action items: the next resolve leaves it open', async () => {
    await incident({ 'health-report': report('UNHEALTHY') });
    s.standin.advanceClock(HOUR);
    await incident({ mode: 'resolve' });
    s.standin.state.issues.get(1)!.state = 'open';
    s.standin.advanceClock(5 * MINUTE);
    const r = await incident({ mode: 'resolve' });
    expect(r.outputs.operation).toBe('none');
    expect(s.standin.state.issues.get(1)!.state).toBe('open');
    expect(s.comments(1).filter((c) => c.startsWith('✅ Resolved'))).toHaveLength(1);
  });
});

/**
 * open-incident-issue (the bundle) while the GitHub API misbehaves: a 503 burst on the issue list, the
 * secondary rate limit on creation (403 + retry-after), a reset before the create lands, a create that lands
 * but whose reply is lost (fault proxy in front of the stand-in), and the API down for good. Each ends with one
 * open incident issue, or a one-line failure with nothing created and a re-run that opens it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { secondaryRateLimit } from '../support/github-standin/index.js';
import { runAction, type RunResult } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';
import { expectOneLineFailure, expectSuccess } from './support.js';

/** The harness runs workflow "ci", job "test": the default fingerprint. */
const LABEL = fingerprintLabel('ci/test');
const ISSUES = `/repos/${OWNER}/${REPO}/issues`;

let s: IncidentStandin;
let proxy: FaultProxy | undefined;
let runId = 500;
beforeEach(async () => {
  s = await startIncidentStandin();
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  await proxy?.stop();
  proxy = undefined;
  await s.stop();
});

function incident(apiUrl = s.url): Promise<RunResult> {
  runId += 1;
  return runAction('open-incident-issue', {
    env: { GITHUB_API_URL: apiUrl, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(runId) },
    github: { token: TOKEN, sha: 'a'.repeat(40) },
    timeoutMs: 90_000,
  });
}

describe('open-incident-issue through a faulty GitHub', () => {
  it('a 503 burst on the issue list is retried: one issue', async () => {
    s.standin.failNext({ method: 'GET', path: ISSUES, status: 503, times: 2 });
    const r = await incident();
    expectSuccess(r, 'list 503 burst');
    expect(r.outputs.operation).toBe('created');
    expect(s.open(LABEL)).toHaveLength(1);
  });

  it("GitHub's secondary rate limit on the create is waited out: one issue", async () => {
    s.standin.failNext({ method: 'POST', path: ISSUES, ...secondaryRateLimit(1) });
    const r = await incident();
    expectSuccess(r, 'secondary rate limit');
    expect(s.open(LABEL)).toHaveLength(1);
    expect(s.issuesWith(LABEL)).toHaveLength(1);
  });

  it('a reset before the create lands is retried: one issue', async () => {
    s.standin.failNext({ method: 'POST', path: ISSUES, status: 'reset' });
    const r = await incident();
    expectSuccess(r, 'reset on create');
    expect(s.issuesWith(LABEL)).toHaveLength(1);
  });

  it('a create that lands but whose reply is lost: one open issue afterwards (a second one, if any, closed as a duplicate)', async () => {
    proxy = await startFaultProxy(s.url);
    proxy.addFault({ method: 'POST', path: /\/issues$/, fault: { kind: 'drop-reply' } });
    const r = await incident(proxy.url);
    expectSuccess(r, 'lost reply on create');
    expect(s.open(LABEL)).toHaveLength(1);
    const all = s.issuesWith(LABEL);
    for (const extra of all.filter((i) => i.state !== 'open')) expect(extra.state_reason).toBe('duplicate');
    // The next run finds the kept issue and only updates it.
    const next = await incident(proxy.url);
    expectSuccess(next, 'the run after');
    expect(next.outputs.operation).toBe('updated');
    expect(next.outputs['issue-number']).toBe(String(s.open(LABEL)[0]!.number));
  });

  // Creating is not idempotent: after a lost reply the action lists and adopts the issue that landed instead
  // of posting another (plugin-retry would have repeated the POST).
  it('a create that lands but whose reply is lost leaves no duplicate issue at all', async () => {
    proxy = await startFaultProxy(s.url);
    proxy.addFault({ method: 'POST', path: /\/issues$/, fault: { kind: 'drop-reply' } });
    expectSuccess(await incident(proxy.url), 'lost reply on create');
    expect(s.issuesWith(LABEL).map((i) => `#${i.number} ${i.state}`)).toHaveLength(1);
  });

  it('the issues API down for good: one line, nothing created; the re-run opens the issue', async () => {
    s.standin.failNext({ method: 'GET', path: ISSUES, status: 503, times: 100 });
    const r = await incident();
    expectOneLineFailure(r, /503|[Ss]ervice [Uu]navailable/, 'issues API down');
    expect(s.issuesWith(LABEL)).toHaveLength(0);
    expect(s.standin.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    s.standin.state.failRules.splice(0);
    const again = await incident();
    expectSuccess(again, 're-run');
    expect(again.outputs.operation).toBe('created');
    expect(s.open(LABEL)).toHaveLength(1);
  }, 120_000);
});

/**
 * The incident text for a failure that is not a health verdict (a failed test run): no "Ongoing for 0ms", no
 * health-report section it never had; durations once they mean something. Run through the bundle against the
 * GitHub stand-in; the text asserted is the issue body the stand-in stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAction, type RunResult } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';

let s: IncidentStandin;
let runId = 300;
beforeEach(async () => {
  s = await startIncidentStandin();
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  await s.stop();
});

async function incident(inputs: Record<string, string> = {}): Promise<RunResult> {
  runId += 1;
  const r = await runAction('open-incident-issue', {
    inputs,
    env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(runId) },
    github: { token: TOKEN, sha: 'a'.repeat(40) },
  });
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const body = () => s.standin.state.issues.get(1)!.body ?? '';

describe('incident wording', () => {
  it('a failed test run: no duration on the first run, no health report section; the duration once it is real', async () => {
    await incident({ kind: 'failure' });
    expect(body()).toContain('failed on **main**');
    expect(body()).toContain('Ongoing, 1 run.');
    expect(body()).not.toMatch(/Ongoing for|0ms/);
    expect(body()).not.toMatch(/health report/i);
    expect(body()).not.toContain('greenline:begin:health');

    s.standin.advanceClock(90 * 60_000);
    await incident({ kind: 'failure' });
    expect(body()).toContain('Ongoing for 1h 30m, 2 runs.');
    expect(body()).not.toMatch(/health report/i);
  });

  it('a health incident without a report still says so (that one is about a health report)', async () => {
    await incident({ kind: 'health' });
    expect(body()).toContain('## Health report');
    expect(body()).toContain('_No health report was given._');
    expect(body()).toContain('Ongoing, 1 run.');
  });
});

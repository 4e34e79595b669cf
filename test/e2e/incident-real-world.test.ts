/**
 * open-incident-issue's bundle against the GitHub stand-in, on text a real repository produces: emoji in a
 * title long enough to be cut at GitHub's 256-character limit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { runAction } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';

let s: IncidentStandin;
beforeEach(async () => {
  s = await startIncidentStandin();
});
afterEach(async () => {
  expect(s.standin.internalErrors).toEqual([]);
  await s.stop();
});

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('open-incident-issue: titles', () => {
  it('a title cut at 256 characters never ends in half an emoji', async () => {
    // 254 characters, then two emoji: the cut falls between the two halves of the first one.
    const title = `${'Production model purchasing-power-ml degraded on the Streamlit deployment '.repeat(4).slice(0, 254)}🔥🔥`;
    const r = await runAction('open-incident-issue', {
      inputs: { title, fingerprint: 'streamlit/prod' },
      env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
      github: { token: TOKEN },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [issue] = s.open(fingerprintLabel('streamlit/prod'));
    expect(issue!.title.length).toBeLessThanOrEqual(256);
    expect(issue!.title).not.toMatch(LONE_SURROGATE);
    expect(issue!.title.endsWith('…')).toBe(true);
  });
});

describe('open-incident-issue: labels', () => {
  it('changing the labels input, or a label taken off by hand, still finds the open incident by its fingerprint', async () => {
    const run = (inputs: Record<string, string>) =>
      runAction('open-incident-issue', {
        inputs: { fingerprint: 'api/prod', ...inputs },
        env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
        github: { token: TOKEN },
      });
    const first = await run({});
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs.operation).toBe('created');
    const second = await run({ labels: 'sev1, incident', 'repeat-interval': '0s' });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.outputs['issue-number']).toBe(first.outputs['issue-number']);
    expect(s.open(fingerprintLabel('api/prod'))).toHaveLength(1);
    const third = await run({ labels: 'sev1', mode: 'resolve' });
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(third.outputs).toMatchObject({ operation: 'closed', 'issue-number': first.outputs['issue-number'] });
    expect(s.open(fingerprintLabel('api/prod'))).toHaveLength(0);
  });
});

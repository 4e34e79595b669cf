/**
 * greenline against GitHub's real refusals, as the stand-in sends them (texts in /work/shared/REFERENCE.md,
 * "GitHub's real refusals"): protected branches and rulesets (422), a ref update that is not a fast forward,
 * a ref that already exists, a second pull request for the same head and base, and secondary rate limits
 * (403 and 429, with and without retry-after) on the contents API and on ref updates.
 */
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { Git } from '../../src/core/git/git.js';
import { GitHistory } from '../../src/core/git/history.js';
import { GitRevertBackend } from '../../src/core/git/revert-git.js';
import { createGitHub } from '../../src/core/github/client.js';
import { GitHubRepo } from '../../src/core/github/compare.js';
import { ApiPullRequests, ApiRevertBackend } from '../../src/core/github/revert-api.js';
import { ApiLedgerStore, appendEntry } from '../../src/core/ledger/index.js';
import { autoRevert, DEFAULT_MESSAGE_TEMPLATE, type RevertConfig } from '../../src/core/lastgood/revert.js';
import { secondaryRateLimit } from '../support/github-standin/index.js';
import { git } from '../support/revert/git-fixture.js';
import { LEDGER } from '../support/revert/ledger.js';
import { scenarioPerTest, TOKEN, type Scenario } from '../support/revert/scenario.js';

const scenario = scenarioPerTest({ noUnknownRequests: true });
const PR_RULE = 'Changes must be made through a pull request.';

function config(s: Scenario, extra: Partial<RevertConfig> = {}): RevertConfig {
  return {
    branch: 'main',
    failingSha: s.fail,
    targetSha: s.g,
    ledgerPath: LEDGER,
    requireChecks: [],
    preservePaths: [LEDGER],
    reason: 'Tests failed',
    messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
    maxPerDay: 3,
    fallback: 'pull-request',
    dryRun: false,
    now: new Date(),
    runUrl: '',
    ...extra,
  };
}

/** greenline's client, with a retry-after second shrunk to 1 ms: "wait a minute" takes 60 ms, and is still logged as 60 s. */
function api(s: Scenario) {
  const log = recordingLogger();
  const github = createGitHub({ token: TOKEN, baseUrl: s.api.url, log, retryAfterBaseMs: 1 });
  const repo = new GitHubRepo(github, { owner: 'owner', repo: 'app' }, log);
  const backend = new ApiRevertBackend(repo, { log });
  const pulls = new ApiPullRequests(github, { owner: 'owner', repo: 'app' });
  return { github, repo, backend, pulls, log, deps: { backend, history: backend.history, log, pulls, ledgerInput: async () => (await repo.readFile(s.fail, LEDGER))?.text } };
}

/** A commit on top of `parent` with the same tree, made through the API (a candidate for the branch). */
async function childOf(s: Scenario, parent: string, message: string): Promise<string> {
  const { github } = api(s);
  const { data: c } = await github.rest.git.getCommit({ owner: 'owner', repo: 'app', commit_sha: parent });
  const { data } = await github.rest.git.createCommit({ owner: 'owner', repo: 'app', message, tree: c.tree.sha, parents: [parent] });
  return data.sha;
}

const statuses = (s: Scenario, method: string, path: RegExp) => s.api.requests.filter((r) => r.method === method && path.test(r.path)).map((r) => r.status);

describe('ref updates refused by branch rules', () => {
  it('a protected branch ("Changes must be made through a pull request.") is protected: the revert opens a pull request', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const a = api(s);
    const child = await childOf(s, s.fail, 'probe');
    expect(await a.backend.updateBranch('main', child, s.fail)).toEqual({ status: 'rejected', detail: PR_RULE, protected: true });

    s.api.resetLog();
    const r = await autoRevert(config(s), a.deps);
    expect(r.reverted).toBe(false);
    expect(r.reason).toContain(`main is protected (${PR_RULE})`);
    expect(r.pullRequestUrl).toMatch(/\/pull\/1$/);
    expect(await s.f.remoteHead()).toBe(s.fail);
    expect(await s.f.remoteHead(`greenline/revert-${s.fail.slice(0, 7)}`)).toBe(r.revertSha);
    // Refused once, not retried: protection is an answer.
    expect(statuses(s, 'PATCH', /\/git\/refs\//)).toEqual([422]);
  });

  it('a ruleset ("Repository rule violations found …") is protected too, and its rules are in the reason', async () => {
    const s = await scenario();
    s.api.addRuleset('main');
    const a = api(s);
    const child = await childOf(s, s.fail, 'probe');
    expect(await a.backend.updateBranch('main', child, s.fail)).toEqual({ status: 'rejected', detail: `Repository rule violations found\n\n${PR_RULE}`, protected: true });
    const r = await autoRevert(config(s), a.deps);
    expect(r.pullRequestUrl).toBeDefined();
    expect(r.reason).toContain('Repository rule violations found');
    expect(await s.f.remoteHead()).toBe(s.fail);
  });

  it('git method: a push refused by a ruleset (GH013) or protection (GH006) is protected', async () => {
    const s = await scenario();
    const ws = await s.f.clone('ws');
    const log = recordingLogger();
    const backend = new GitRevertBackend(new GitHistory(new Git(ws), { log }), { log });
    await git(ws, ['commit', '-q', '--allow-empty', '-m', 'probe']);
    const probe = await git(ws, ['rev-parse', 'HEAD']);
    s.api.addRuleset('main');
    const ruled = await backend.updateBranch('main', probe, s.fail);
    expect(ruled).toMatchObject({ status: 'rejected', protected: true, detail: 'GH013: Repository rule violations found for refs/heads/main.' });
    s.api.addRuleset('main', false);
    s.api.protectBranch('main');
    expect(await backend.updateBranch('main', probe, s.fail)).toMatchObject({ status: 'rejected', protected: true, detail: 'GH006: Protected branch update failed for refs/heads/main.' });
    expect(await s.f.remoteHead()).toBe(s.fail);
  });

  it('"Update is not a fast forward" is a plain rejection, not protection', async () => {
    const s = await scenario();
    const a = api(s);
    const sibling = await childOf(s, s.l, 'beside the failing commit');
    expect(await a.backend.updateBranch('main', sibling, s.fail)).toEqual({ status: 'rejected', detail: 'Update is not a fast forward', protected: false });
    expect(await s.f.remoteHead()).toBe(s.fail);
  });

  it('a token without contents: write (403) is not mistaken for protection', async () => {
    const s = await scenario();
    const a = api(s);
    const child = await childOf(s, s.fail, 'probe');
    s.api.failNext({ method: 'PATCH', path: /\/git\/refs\//, status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/git/refs#update-a-reference', status: '403' } });
    expect(await a.backend.updateBranch('main', child, s.fail)).toEqual({ status: 'rejected', detail: 'Resource not accessible by integration', protected: false });
  });
});

describe('refs and pull requests that already exist', () => {
  it('creating a branch that exists ("Reference already exists") is "exists", and leaves it alone', async () => {
    const s = await scenario();
    const a = api(s);
    expect(await a.backend.createBranch('greenline/revert-x', s.g)).toBe('created');
    expect(await a.backend.createBranch('greenline/revert-x', s.fail)).toBe('exists');
    expect(await s.f.remoteHead('greenline/revert-x')).toBe(s.g);
    expect(statuses(s, 'POST', /\/git\/refs$/)).toEqual([201, 422]);
  });

  it('a second pull request for the same head and base (422 "Validation Failed", reason in errors[0]) answers the open one', async () => {
    const s = await scenario();
    const a = api(s);
    await a.backend.createBranch('greenline/revert-dup', await childOf(s, s.fail, 'revert'));
    const spec = { head: 'greenline/revert-dup', base: 'main', title: 'Revert', body: 'why' };
    const first = await a.pulls.create(spec);
    const second = await a.pulls.create(spec);
    expect(first.alreadyOpen).toBe(false);
    expect(second).toEqual({ ...first, alreadyOpen: true });
    expect(statuses(s, 'POST', /\/pulls$/)).toEqual([201, 422]);
    expect([...s.api.state.issues.values()].filter((i) => i.pull)).toHaveLength(1);
  });

  it('a list that has not caught up yet: the duplicate 422 is read, the pull request found, the revert reports it', async () => {
    const s = await scenario();
    s.api.protectBranch('main');
    const first = await autoRevert(config(s), api(s).deps);
    expect(first.pullRequestUrl).toBeDefined();
    // The re-run's first look at the open pull requests comes back empty (GitHub's lists lag behind writes).
    s.api.failNext({ method: 'GET', path: '/repos/owner/app/pulls', status: 200, body: [] });
    s.api.resetLog();
    const again = await autoRevert(config(s), api(s).deps);
    expect(again.pullRequestUrl).toBe(first.pullRequestUrl);
    expect(statuses(s, 'POST', /\/pulls$/)).toEqual([422]);
    expect([...s.api.state.issues.values()].filter((i) => i.pull)).toHaveLength(1);
  });
});

describe('secondary rate limits', () => {
  const cases = [
    { name: '403 with retry-after: 2', limit: secondaryRateLimit(2, 403), wait: '2s' },
    { name: '429 with retry-after: 3', limit: secondaryRateLimit(3, 429), wait: '3s' },
    { name: '403 without retry-after (a minute)', limit: secondaryRateLimit(null, 403), wait: '60s' },
    { name: '429 without retry-after (a minute)', limit: secondaryRateLimit(null, 429), wait: '60s' },
  ];

  for (const c of cases) {
    it(`the ref update waits out a ${c.name}, once, and lands`, async () => {
      const s = await scenario();
      const a = api(s);
      const child = await childOf(s, s.fail, 'probe');
      s.api.resetLog();
      s.api.failNext({ method: 'PATCH', path: /\/git\/refs\//, ...c.limit });
      expect(await a.backend.updateBranch('main', child, s.fail)).toEqual({ status: 'ok' });
      expect(statuses(s, 'PATCH', /\/git\/refs\//)).toEqual([c.limit.status, 200]);
      expect(a.log.warnings).toEqual([expect.stringMatching(new RegExp(`^GitHub secondary rate limit on PATCH .*; retrying in ${c.wait}$`))]);
      expect(await s.f.remoteHead()).toBe(child);
    });

    it(`the contents API (ledger write) waits out a ${c.name}`, async () => {
      const s = await scenario();
      const a = api(s);
      const store = new ApiLedgerStore(a.github, { owner: 'owner', repo: 'app', path: LEDGER, branch: 'main' });
      s.api.failNext({ method: 'PUT', path: /\/contents\//, ...c.limit });
      const { attempts } = await appendEntry(store, { status: 'passed', commit: s.fail, timestamp: '2026-12-01T10:00:00Z' }, { log: a.log, sleep: async () => {} });
      expect(attempts).toBe(1);
      expect(statuses(s, 'PUT', /\/contents\//)).toEqual([c.limit.status, 200]);
      expect(a.log.warnings.some((w) => w.includes(`retrying in ${c.wait}`))).toBe(true);
      expect(await git(s.f.bare, ['show', `main:${LEDGER}`])).toContain(`Commit: ${s.fail}`);
    });
  }

  it('gives up after its retries and says so: the ref update fails rather than reporting a protected branch', async () => {
    const s = await scenario();
    const a = api(s);
    const child = await childOf(s, s.fail, 'probe');
    s.api.failNext({ method: 'PATCH', path: /\/git\/refs\//, ...secondaryRateLimit(1, 429), times: 10 });
    await expect(a.backend.updateBranch('main', child, s.fail)).rejects.toMatchObject({ status: 429 });
    // The first answer and three retries, each after retry-after.
    expect(statuses(s, 'PATCH', /\/git\/refs\//)).toEqual([429, 429, 429, 429]);
    expect(await s.f.remoteHead()).toBe(s.fail);
  });
});

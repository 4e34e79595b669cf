import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { Git } from '../../src/core/git/git.js';
import { GitHistory } from '../../src/core/git/history.js';
import { GitRevertBackend } from '../../src/core/git/revert-git.js';
import { createGitHub } from '../../src/core/github/client.js';
import { GitHubRepo } from '../../src/core/github/compare.js';
import { ApiRevertBackend } from '../../src/core/github/revert-api.js';
import { autoRevert, DEFAULT_MESSAGE_TEMPLATE, type RevertConfig } from '../../src/core/lastgood/revert.js';
import { git } from '../support/revert/git-fixture.js';
import { LEDGER } from '../support/revert/ledger.js';
import { brokenMain, fileAt, TOKEN, type Scenario } from '../support/revert/scenario.js';

const scenarios: Scenario[] = [];
afterEach(async () => {
  while (scenarios.length) await scenarios.pop()!.stop();
});

function config(s: Scenario, extra: Partial<RevertConfig> = {}): RevertConfig {
  return {
    branch: 'main',
    failingSha: s.fail,
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

function apiDeps(s: Scenario) {
  const log = recordingLogger();
  const repo = new GitHubRepo(createGitHub({ token: TOKEN, baseUrl: s.api.url, log }), { owner: 'owner', repo: 'app' }, log);
  const backend = new ApiRevertBackend(repo, { log });
  return { backend, history: backend.history, log, ledgerInput: async () => (await repo.readFile(s.fail, LEDGER))?.text };
}

describe('the Git Data API revert', () => {
  // Writes are what GitHub asks clients to space out: exactly three (tree, commit, ref). Reads: the day's commits,
  // the ledger, one compare, and the ledger's tree entry in the good and the kept tree, one level at a time
  // (byte-exact: the blob itself is kept, never its text re-encoded).
  const WRITES = ['POST /repos/{owner}/{repo}/git/trees', 'POST /repos/{owner}/{repo}/git/commits', 'PATCH /repos/{owner}/{repo}/git/refs/{ref}'];
  const treeReadsAtMost = 2 * LEDGER.split('/').length;

  it('with the good commit given: three writes, and reads bounded by the ledger path depth', async () => {
    const s = await brokenMain();
    scenarios.push(s);
    s.api.resetLog();
    const r = await autoRevert(config(s, { targetSha: s.g }), apiDeps(s));
    expect(r.reverted).toBe(true);
    const routes = s.api.requests.map((q) => q.route ?? `unknown ${q.method} ${q.path}`);
    const calls = s.api.requests.map((q) => `${q.method} ${q.path}?${q.query}`).join('\n');
    expect(routes.filter((q) => !q.startsWith('GET ')), calls).toEqual(WRITES);
    expect(routes.slice(-3), calls).toEqual(WRITES);
    expect(routes.filter((q) => q === 'GET /repos/{owner}/{repo}/commits'), calls).toHaveLength(1);
    // One compare for the range, and one for its [skip ci] commit L (ledger-only: kept, not listed as undone).
    expect(routes.filter((q) => q === 'GET /repos/{owner}/{repo}/compare/{basehead}'), calls).toHaveLength(2);
    expect(routes.filter((q) => q === 'GET /repos/{owner}/{repo}/contents/{path}'), calls).toHaveLength(1);
    expect(routes.filter((q) => q === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}').length, calls).toBeLessThanOrEqual(treeReadsAtMost);
    expect(r.verified).toBe(true);
    expect(await s.f.remoteHead()).toBe(r.revertSha);
    expect(await fileAt(s, r.revertSha, 'app.py')).toBe(await fileAt(s, s.g, 'app.py'));
    expect(await fileAt(s, r.revertSha, LEDGER)).toBe(await fileAt(s, s.fail, LEDGER));
  });

  it('with the good commit found in-process: one compare more (the ledger commit above the ✅ build), the ✅ commit named', async () => {
    const s = await brokenMain();
    scenarios.push(s);
    s.api.resetLog();
    const r = await autoRevert(config(s), apiDeps(s));
    expect(r.reverted).toBe(true);
    // The ✅ commit G itself, not the ledger commit L above it.
    expect(r.targetSha).toBe(s.g);
    const routes = s.api.requests.map((q) => q.route ?? `unknown ${q.method} ${q.path}`);
    const calls = s.api.requests.map((q) => `${q.method} ${q.path}?${q.query}`).join('\n');
    expect(routes.filter((q) => !q.startsWith('GET ')), calls).toEqual(WRITES);
    // (Whether the range's [skip ci] commit L is ledger-only is answered by find's compare G...L, already made.)
    expect(routes.filter((q) => q === 'GET /repos/{owner}/{repo}/compare/{basehead}'), calls).toHaveLength(2);
    expect(routes.length, calls).toBeLessThanOrEqual(3 + 4 + treeReadsAtMost);
  });

  it('keeps other preserved paths (a folder) from the failing commit and deletes what it removed', async () => {
    const s = await brokenMain();
    scenarios.push(s);
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    await s.f.commit('chore: config', { 'config/a.yml': 'a: 2\n', 'config/b.yml': 'b: 2\n' });
    const failing = await s.f.commit('feat: broken again', { 'app.py': 'broken\n', 'README.md': null });
    await s.f.push();
    for (const method of ['api', 'git'] as const) {
      const deps =
        method === 'api'
          ? apiDeps(s)
          : await (async () => {
              const ws = await s.f.clone(`ws-${method}`, { depth: 1 });
              const history = new GitHistory(new Git(ws), { log: recordingLogger() });
              return { backend: new GitRevertBackend(history, { log: recordingLogger() }), history, log: recordingLogger(), ledgerInput: async () => undefined };
            })();
      const r = await autoRevert(config(s, { failingSha: failing, targetSha: s.g, preservePaths: [LEDGER, 'config', 'new_module.py', 'README.md'], dryRun: false }), deps);
      expect(r.reverted, r.reason).toBe(true);
      expect(await fileAt(s, r.revertSha, 'config/a.yml')).toBe('a: 2');
      expect(await fileAt(s, r.revertSha, 'new_module.py')).toBe('x = 1');
      expect(await fileAt(s, r.revertSha, 'app.py')).toBe(await fileAt(s, s.g, 'app.py'));
      expect(await git(s.f.bare, ['ls-tree', '--name-only', r.revertSha, 'README.md'])).toBe('');
      expect(await git(s.f.bare, ['ls-tree', '--name-only', s.g, 'README.md'])).toBe('README.md');
      // Put main back on the failing commit for the other method (a test-only force push in the fixture).
      await git(s.f.bare, ['update-ref', 'refs/heads/main', failing]);
    }
  });
});

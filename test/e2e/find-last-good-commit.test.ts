import { describe, expect, it } from 'vitest';
import { git } from '../support/revert/git-fixture.js';
import { LEDGER } from '../support/revert/ledger.js';
import { scenarioPerTest, runOnFailure } from '../support/revert/scenario.js';

const ACTION = 'find-last-good-commit';
const scenario = scenarioPerTest();

describe('find-last-good-commit, run as the runner runs it', () => {
  it('finds the same commit through the API (no checkout) and a depth-1 checkout', async () => {
    const s = await scenario();
    const viaApi = await runOnFailure(ACTION, s, s.fail);
    const workspace = await s.f.clone('ws', { depth: 1, ref: s.fail });
    const viaGit = await runOnFailure(ACTION, s, s.fail, { workspace });
    for (const r of [viaApi, viaGit]) {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs.found).toBe('true');
      // The ✅ commit itself (not the ledger commit L above it, which has its tree): what the ledger names.
      expect(r.outputs.sha).toBe(s.g);
      expect(r.outputs['short-sha']).toBe(s.g.slice(0, 7));
      expect(r.outputs.image).toBe('ghcr.io/owner/app');
      expect(r.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(JSON.parse(r.outputs.entry!)).toMatchObject({ status: 'passed', commit: s.g });
      expect(JSON.parse(r.outputs.candidates!)).toEqual([expect.objectContaining({ sha: s.g, verdict: 'chosen' })]);
      expect(r.summary).toContain(`Last good commit: \`${s.g.slice(0, 7)}\``);
      expect(r.summary).not.toContain('Same tree as ✅');
      expect(r.warnings).toEqual([]);
    }
    expect(viaGit.outputs).toEqual(viaApi.outputs);
    expect(viaGit.stdout).toMatch(/history from git/);
    expect(viaApi.stdout).toMatch(/compare API/);
  });

  it('head defaults to GITHUB_SHA outside workflow_run, and head/branch inputs override', async () => {
    const s = await scenario();
    const push = await runOnFailure(ACTION, s, s.fail, { env: { GITHUB_EVENT_NAME: 'push' }, event: { ref: 'refs/heads/main' } });
    expect(push.outputs.sha).toBe(s.g);
    const explicit = await runOnFailure(ACTION, s, s.base, { inputs: { head: s.fail } });
    expect(explicit.outputs.sha).toBe(s.g);
    const byBranch = await runOnFailure(ACTION, s, s.base, { inputs: { branch: 'main' } });
    expect(byBranch.outputs.sha).toBe(s.g);
  });

  it('finds a good commit 500 commits back from a depth-1 checkout', async () => {
    const s = await scenario();
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    const head = await s.f.fastCommits(500, { prefix: 'broken work' });
    await s.f.push();
    const workspace = await s.f.clone('ws', { depth: 1 });
    const r = await runOnFailure(ACTION, s, head, { workspace });
    expect(r.code, r.stdout).toBe(0);
    // The ✅ commit itself, however far back (its ledger commit, with the same tree, is never the answer).
    expect(r.outputs, r.outputs.reason).toMatchObject({ found: 'true', sha: s.g });
    const viaApi = await runOnFailure(ACTION, s, head);
    expect(viaApi.outputs).toEqual(r.outputs);
  });

  it('not found is exit 0 with found=false and a reason', async () => {
    const s = await scenario();
    const r = await runOnFailure(ACTION, s, s.g);
    expect(r.code).toBe(0);
    expect(r.outputs.found).toBe('false');
    expect(r.outputs.sha).toBe('');
    expect(r.outputs.reason).toMatch(/does not exist/);
    // The ledger commit right above the only ✅ build: that build is the last good one below it, and the
    // reason says the head's own tree already passed (a failure of it is not a code regression).
    const head = await runOnFailure(ACTION, s, s.l);
    expect(head.outputs.found).toBe('true');
    expect(head.outputs.sha).toBe(s.g);
  });

  it('a broken ledger is a warning with line numbers, not a failure', async () => {
    const s = await scenario();
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    const text = `${(await s.f.currentLedger()) ?? ''}\n### ✅ hand-written\nStatus: ✅ Tests Passed\nImage: nope\n`;
    const head = await s.f.commit('docs: hand edit of the ledger', { [LEDGER]: text });
    await s.f.push();
    const r = await runOnFailure(ACTION, s, head);
    expect(r.code).toBe(0);
    expect(r.outputs.found).toBe('true');
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings[0]).toMatch(new RegExp(`${LEDGER} line \\d+: `));
    expect(r.stdout).toMatch(new RegExp(`::warning .*file=${LEDGER.replace(/\./g, '\\.')},line=\\d+`));
  });

  it('require-checks skips a commit whose named check runs did not succeed', async () => {
    const s = await scenario();
    s.api.addCheckRun(s.g, 'tests', 'failure');
    const r = await runOnFailure(ACTION, s, s.fail, { inputs: { 'require-checks': 'tests' } });
    expect(r.code).toBe(0);
    expect(r.outputs.found).toBe('false');
    expect(r.outputs.reason).toMatch(/tests: failure/);
    s.api.addCheckRun(s.g, 'tests', 'success');
    const ok = await runOnFailure(ACTION, s, s.fail, { inputs: { 'require-checks': 'tests' } });
    expect(ok.outputs.sha).toBe(s.g);
  });

  it.each([
    ['a non-hex head', { head: 'main' }, 'head'],
    ['an unknown ledger-source', { 'ledger-source': 'ftp' }, 'ledger-source'],
    ['no token and no checkout', { token: '' }, 'token'],
    ['a head that does not exist', { head: 'a'.repeat(40) }, 'head'],
  ])('%s: one line naming the input, exit 1', async (_name, inputs, input) => {
    const s = await scenario();
    const r = await runOnFailure(ACTION, s, s.fail, { inputs });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(new RegExp(`^Input "${input}": `));
  });
});

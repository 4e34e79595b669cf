import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readActionYml } from '../support/action-yml.js';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { GitFixture } from '../support/revert/git-fixture.js';
import { LEDGER, ledgerWith, passed } from '../support/revert/ledger.js';
import { TOKEN, runOnFailure, type Scenario } from '../support/revert/scenario.js';

// What actions/find-last-good-commit/README.md and action.yml promise, checked on the bundle as the runner
// runs it, over a real repository (bare remote) and the GitHub API stand-in — with ledgers as people write
// them by hand, next to the blocks greenline writes.
const ACTION = 'find-last-good-commit';
const OUTPUTS = Object.keys(readActionYml(ACTION).outputs ?? {});
const worlds: { f: GitFixture; api: GitHubStandin }[] = [];
afterEach(async () => {
  while (worlds.length) {
    const w = worlds.pop()!;
    await w.api.stop();
    await w.f.cleanup();
  }
});

/** c1…c4 built one after another on main, each with its own tree; `ledger(c)` is written by the head commit. */
async function history(ledger: (c: string[]) => string, opts: { headFiles?: Record<string, string> } = {}): Promise<Scenario & { c: string[]; head: string }> {
  const f = await GitFixture.create();
  const c: string[] = [];
  c.push(await f.commit('initial', { 'app.py': 'print(0)\n' }));
  for (let i = 1; i <= 4; i++) c.push(await f.commit(`feat: v${i}`, { 'app.py': `print(${i})\n` }));
  const head = await f.commit('feat: v5 (broken), ledger edited by hand', { 'app.py': 'raise SystemExit(1)\n', [LEDGER]: ledger(c), ...opts.headFiles });
  await f.push();
  const api = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: TOKEN });
  worlds.push({ f, api });
  return { f, api, base: c[0]!, g: '', l: '', fail: head, stop: async () => {}, c, head };
}

const crlf = (s: string) => `\uFEFF${s.replace(/\n/g, '\r\n')}`;

describe('find-last-good-commit on hand-written ledgers mixed with greenline blocks', () => {
  it('a "did not pass" / "Not OK" entry is a failure, never the last good commit (BOM, CRLF, bold, lists, tables, short SHAs)', async () => {
    const s = await history((c) =>
      crlf(
        [
          ledgerWith([passed(c[1]!)]).trimEnd(),
          '',
          '## Run 12 — by hand',
          '',
          `**Commit:** \`${c[2]!.slice(0, 7)}\``,
          '**Status:** ✅ Passed',
          '**Version:** 2.0.0-rc1',
          '',
          '| Date | Commit | Status | Accuracy |',
          '|------|--------|--------|---------:|',
          `| 2024-12-03 | ${c[3]!.slice(0, 10)} | Tests did not pass | 0.55 |`,
          '',
          `- Commit: ${c[4]!.slice(0, 8)}`,
          '- Status: Not OK',
          '',
        ].join('\n'),
      ),
    );
    const viaApi = await runOnFailure(ACTION, s, s.head);
    const workspace = await s.f.clone('ws', { depth: 1 });
    const viaGit = await runOnFailure(ACTION, s, s.head, { workspace });
    for (const r of [viaApi, viaGit]) {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs, r.outputs.reason).toMatchObject({ found: 'true', sha: s.c[2], 'short-sha': s.c[2]!.slice(0, 7), version: '2.0.0-rc1' });
      expect(JSON.parse(r.outputs.entry!)).toMatchObject({ status: 'passed', commit: s.c[2]!.slice(0, 7), version: '2.0.0-rc1' });
      expect(r.warnings).toEqual([]);
    }
  });

  it('a pasted commit URL and "0 failed, 120 passed" are read as the commit and a pass', async () => {
    const s = await history((c) =>
      [
        ledgerWith([passed(c[1]!)]).trimEnd(),
        '',
        '### Manual run',
        `Commit: https://github.com/owner/app/commit/${c[2]}`,
        'Status: ✅ Passed',
        '',
        '| Commit | Status |',
        '| --- | --- |',
        `| <https://github.com/owner/app/commit/${c[3]}> | 0 failed, 120 passed |`,
        '',
      ].join('\n'),
    );
    const r = await runOnFailure(ACTION, s, s.head);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs, r.outputs.reason).toMatchObject({ found: 'true', sha: s.c[3] });
    expect(r.warnings).toEqual([]);
  });

  it('an unreadable hand-written block is a warning on its real line number, BOM and CRLF included', async () => {
    const s = await history((c) =>
      crlf([ledgerWith([passed(c[1]!)]).trimEnd(), '', '**Commit:** not-a-sha', '**Status:** ✅ Passed', ''].join('\n')),
    );
    const r = await runOnFailure(ACTION, s, s.head);
    expect(r.outputs.sha).toBe(s.c[1]);
    const lines = crlf(ledgerWith([passed(s.c[1]!)]).trimEnd()).split('\r\n').length;
    // Line 1 is the first line of the file (the BOM is not a line); the bad Commit line follows a blank one.
    expect(r.warnings).toEqual([expect.stringMatching(new RegExp(`^${LEDGER} line ${lines + 2}: Commit "not-a-sha" is not a commit SHA`))]);
  });
});

describe('find-last-good-commit outputs and inputs, as documented', () => {
  it('writes every output named in action.yml when found and when not found (found=false: empty values, exit 0)', async () => {
    expect(OUTPUTS).toEqual(['found', 'sha', 'short-sha', 'image', 'digest', 'version', 'entry', 'reason', 'candidates', 'stable-commit', 'stable-digest', 'stable-since']);
    const s = await history((c) => ledgerWith([passed(c[2]!)]));
    const found = await runOnFailure(ACTION, s, s.head);
    expect(Object.keys(found.outputs).sort()).toEqual([...OUTPUTS].sort());
    expect(found.outputs).toMatchObject({ found: 'true', sha: s.c[2], image: 'ghcr.io/owner/app', version: '' });
    expect(found.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The only build on :stable is the one found.
    expect(found.outputs).toMatchObject({ 'stable-commit': s.c[2], 'stable-digest': found.outputs.digest });

    const none = await runOnFailure(ACTION, s, s.head, { inputs: { 'ledger-path': 'docs/NOPE.md' } });
    expect(none.code).toBe(0);
    expect(none.outputs).toEqual({ found: 'false', sha: '', 'short-sha': '', image: '', digest: '', version: '', entry: '', reason: 'the ledger docs/NOPE.md does not exist', candidates: '[]', 'stable-commit': '', 'stable-digest': '', 'stable-since': '' });
  });

  it('ledger-source: auto reads the checkout\'s file, api the file at the head through the contents API, workspace without a checkout is a bad input', async () => {
    const s = await history((c) => ledgerWith([passed(c[1]!), passed(c[3]!)]));
    const workspace = await s.f.clone('ws', { depth: 1 });
    // The checkout's copy differs from the commit's (a step before edited it): auto and workspace read it.
    await writeFile(join(workspace, LEDGER), ledgerWith([passed(s.c[2]!)]));
    const auto = await runOnFailure(ACTION, s, s.head, { workspace });
    expect(auto.outputs.sha).toBe(s.c[2]);
    const ws = await runOnFailure(ACTION, s, s.head, { workspace, inputs: { 'ledger-source': 'workspace' } });
    expect(ws.outputs.sha).toBe(s.c[2]);
    const api = await runOnFailure(ACTION, s, s.head, { workspace, inputs: { 'ledger-source': 'api' } });
    expect(api.outputs.sha).toBe(s.c[3]);
    const noCheckout = await runOnFailure(ACTION, s, s.head, { inputs: { 'ledger-source': 'workspace' } });
    expect(noCheckout.code).toBe(1);
    expect(noCheckout.errors).toEqual([expect.stringMatching(/^Input "ledger-source": workspace needs a checkout/)]);
  });

  it('a ⛔ Rolled back entry skips only the ✅ entries before it; a ✅ written after it counts again', async () => {
    const s = await history((c) =>
      [
        ledgerWith([passed(c[1]!), passed(c[3]!)]).trimEnd(),
        '',
        `- **Commit:** ${c[3]!.slice(0, 7)}`,
        '- **Status:** ⛔ Rolled back — broke in production',
        '',
      ].join('\n'),
    );
    const r = await runOnFailure(ACTION, s, s.head);
    expect(r.outputs.sha).toBe(s.c[1]);
    expect(JSON.parse(r.outputs.candidates!)).toEqual([
      expect.objectContaining({ sha: s.c[3], verdict: 'skipped', reason: expect.stringMatching(/^marked ⛔ Rolled back \(ledger line \d+\)$/) }),
      expect.objectContaining({ sha: s.c[1], verdict: 'chosen' }),
    ]);
    // Promoted again on purpose after the marker: good again.
    const text = await readFile(join(s.f.work, LEDGER), 'utf8');
    const head = await s.f.commit('feat: v6 (broken too)', { 'app.py': 'raise SystemExit(2)\n', [LEDGER]: ledgerWith([passed(s.c[3]!)], text) });
    await s.f.push();
    const again = await runOnFailure(ACTION, s, head);
    expect(again.outputs, again.outputs.reason).toMatchObject({ found: 'true', sha: s.c[3] });
  });

  it('branch: its tip is the head; a branch that does not exist is one line naming the input', async () => {
    const s = await history((c) => ledgerWith([passed(c[2]!)]));
    const r = await runOnFailure(ACTION, s, s.c[0]!, { inputs: { branch: 'main' } });
    expect(r.outputs.sha).toBe(s.c[2]);
    const bad = await runOnFailure(ACTION, s, s.head, { inputs: { branch: 'nope' } });
    expect(bad.code).toBe(1);
    expect(bad.errors).toEqual([expect.stringMatching(/^Input "branch": there is no branch "nope"/)]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { findLastGood, sameCommit } from '../../src/core/lastgood/find.js';
import { FakeChecks, FakeRepo } from '../support/revert/fake-history.js';
import { renderEntry } from '../../src/core/ledger/index.js';
import { LEDGER, ledgerWith, passed, rolledBack } from '../support/revert/ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'greenline-lastgood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (head: string, extra: Partial<Parameters<typeof findLastGood>[1]> = {}) => ({ head, ledgerPath: LEDGER, requireChecks: [], ...extra });

/** base → G (app v2, ✅) → L (ledger commit) → F (app v3, failing) */
function simple() {
  const repo = new FakeRepo();
  const base = repo.add([], { 'app.py': 'v1', [LEDGER]: '' }, 'base');
  const g = repo.child(base, { 'app.py': 'v2' }, 'good');
  const ledger1 = ledgerWith([passed(g)]);
  const l = repo.child(g, { [LEDGER]: ledger1 }, 'greenline: ledger passed [skip ci]');
  const f = repo.child(l, { 'app.py': 'v3 broken' }, 'broken');
  return { repo, base, g, l, f, ledger1 };
}

describe('findLastGood', () => {
  it('answers the ✅ commit itself, not the ledger commit right after it (same tree)', async () => {
    const { repo, g, l, f, ledger1 } = simple();
    const log = recordingLogger();
    const r = await findLastGood(ledger1, config(f), { history: repo, log });
    expect(r.found).toBe(true);
    // l restores the very same files, but the answer names the build the ledger names (the seed one-liner's).
    expect(r.sha).toBe(g);
    expect(r.sha).not.toBe(l);
    expect(r.goodSha).toBe(g);
    expect(r.entry?.commit).toBe(g);
    expect(r.entry?.digest).toMatch(/^sha256:/);
    expect(r.candidates).toEqual([expect.objectContaining({ sha: g, verdict: 'chosen' })]);
    expect(r.reason).toMatch(/^nearest ✅ build on the first-parent history of /);
    expect(r.reason).not.toContain('same tree');
    expect(log.warnings).toEqual([]);
  });

  it('answers the ✅ commit itself when nothing newer has its tree', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' }, 'base');
    const g = repo.child(base, { 'app.py': 'v2' });
    const f = repo.child(g, { 'app.py': 'v3' });
    const r = await findLastGood(ledgerWith([passed(base), passed(g)]), config(f), { history: repo, log: recordingLogger() });
    expect(r).toMatchObject({ found: true, sha: g, goodSha: g });
    expect(r.candidates).toHaveLength(1);
  });

  it('never answers the head, even when it has a ✅ entry; its own ✅ says its tree passed', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const f = repo.child(base, { 'app.py': 'v2' });
    const r = await findLastGood(ledgerWith([passed(base), passed(f)]), config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(base);
    expect(r.candidates.map((c) => c.sha)).toEqual([base]);
    expect(r.headPassed).toMatchObject({ sha: f, why: expect.stringMatching(/itself has a ✅ entry/) });
  });

  it('skips commits later marked ⛔ Rolled back, and commits with their tree', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const g1 = repo.child(base, { 'app.py': 'v2' });
    const g2 = repo.child(g1, { 'app.py': 'v3' });
    const l2 = repo.child(g2, { [LEDGER]: 'x' }, 'ledger commit for g2');
    const f = repo.child(l2, { 'app.py': 'v4' });
    const text = ledgerWith([passed(g1), passed(g2), rolledBack(g2)]);
    const r = await findLastGood(text, config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(g1);
    expect(r.candidates.find((c) => c.sha === g2)?.reason).toMatch(/⛔ Rolled back/);
  });

  it('never answers a good commit that was force-pushed away, wherever its entry is in the file', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const g1 = repo.child(base, { 'app.py': 'v2' });
    const gone = repo.child(g1, { 'app.py': 'v3' }, 'force-pushed away');
    const f = repo.child(g1, { 'app.py': 'v4' });
    const r = await findLastGood(ledgerWith([passed(g1), passed(gone)]), config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(g1);
    expect(r.candidates.map((c) => [c.sha, c.verdict])).toEqual([[g1, 'chosen']]);
  });

  it('finds an untested copy of a force-pushed good commit by its tree, never a tested one', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1', 'lib.py': 'a' });
    const g1 = repo.child(base, { 'app.py': 'v2' });
    const gone = repo.child(g1, { 'lib.py': 'b' }, 'good, then force-pushed away');
    const copy = repo.child(g1, { 'lib.py': 'b' }, 'chore: re-apply lib b [skip ci]');
    const f = repo.child(copy, { 'app.py': 'broken' });
    const r = await findLastGood(ledgerWith([passed(g1), passed(gone)]), config(f), { history: repo, log: recordingLogger() });
    expect(r).toMatchObject({ found: true, sha: copy, goodSha: gone });

    const tested = repo.child(g1, { 'lib.py': 'b' }, 'the same change, rebased (its own run failed)');
    const f2 = repo.child(tested, { 'app.py': 'broken' });
    const r2 = await findLastGood(ledgerWith([passed(g1), passed(gone)]), config(f2), { history: repo, log: recordingLogger() });
    expect(r2).toMatchObject({ found: true, sha: g1 });
  });

  it('finds a good commit 500 commits back (no window)', async () => {
    const repo = new FakeRepo();
    const g = repo.add([], { 'app.py': 'good' });
    let head = g;
    for (let i = 0; i < 500; i++) head = repo.child(head, { 'app.py': `bad ${i}` });
    const r = await findLastGood(ledgerWith([passed(g)]), config(head), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(g);
  });

  it('answers the ✅ commit itself, not an earlier greenline revert back to it', async () => {
    const { repo, g, l, f, ledger1 } = simple();
    const revert = repo.child(f, { 'app.py': 'v2' }, `⚠️ Auto-rollback [skip ci]\n\nGreenline-Revert-Of: ${f}\nGreenline-Restored: ${g}`);
    const f2 = repo.child(revert, { 'app.py': 'v5 broken again' });
    const r = await findLastGood(ledger1, config(f2), { history: repo, log: recordingLogger() });
    expect(r).toMatchObject({ found: true, sha: g, goodSha: g });
    expect(r.sha).not.toBe(revert);
    expect(r.sha).not.toBe(l);
    expect(r.candidates.map((c) => c.sha)).toEqual([g]);
  });

  it('counts a greenline revert to a ✅ build that was force-pushed away (same tree) as good, newer than the ✅ ancestor', async () => {
    // base → G (✅) → L → G2 (v4, ✅) → L2 → F → R (revert to G2's tree), then main was rewritten (rebased): G2
    // and its ledger commit are gone, main is base → G → L → G2' (the same change, rebased: tested, no ✅ of
    // its own) → F' → R' (the revert, rebased: [skip ci], G2's tree) → F2 (broken again).
    const { repo, g, l } = simple();
    const g2 = repo.child(l, { 'app.py': 'v4' }, 'feat: v4');
    const ledger2 = ledgerWith([passed(g2)], repo.commits.get(l)!.files[LEDGER]);
    repo.child(g2, { [LEDGER]: ledger2 }, 'greenline: ledger passed [skip ci]');
    const g2copy = repo.child(l, { 'app.py': 'v4', [LEDGER]: ledger2 }, 'feat: v4 (rebased)');
    const fcopy = repo.child(g2copy, { 'app.py': 'v5 broken' }, 'feat: v5 (rebased)');
    const revert = repo.child(fcopy, { 'app.py': 'v4' }, `⚠️ Auto-rollback: Tests failed, reverting to last successful build ${g2.slice(0, 7)} [skip ci]\n\nGreenline-Revert-Of: ${fcopy}\nGreenline-Restored: ${g2}`);
    const f2 = repo.child(revert, { 'app.py': 'v6 broken again' }, 'feat: v6');
    const r = await findLastGood(ledger2, config(f2), { history: repo, log: recordingLogger() });
    expect(r).toMatchObject({ found: true, sha: revert, goodSha: g2 });
    expect(r.entry).toMatchObject({ status: 'passed', commit: g2 });
    expect(r.reason).toContain(`greenline's revert to ✅ ${g2.slice(0, 7)}`);
    expect(r.candidates[0]).toMatchObject({ sha: revert, verdict: 'chosen' });
    // The ✅ ancestor G is older than the revert: never reached.
    expect(r.candidates.some((c) => c.sha === g)).toBe(false);
    // The rebased copy was tested (no skip keyword): its tree does not make it good.
    expect(r.candidates.some((c) => c.sha === g2copy)).toBe(false);
  });

  it('a copy of a force-pushed ✅ build older than the ✅ ancestor does not win over it', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' }, 'base');
    const gone = repo.child(base, { 'app.py': 'v2' }, 'good, then force-pushed away');
    const copy = repo.child(base, { 'app.py': 'v2' }, 'chore: re-apply v2 [skip ci]');
    const g = repo.child(copy, { 'app.py': 'v3' }, 'feat: v3');
    const f = repo.child(g, { 'app.py': 'v4 broken' });
    // gone's ✅ is the newest entry: it is looked at first, skipped (not an ancestor), and its tree searched for.
    const r = await findLastGood(ledgerWith([passed(g), passed(gone)]), config(f), { history: repo, log: recordingLogger() });
    expect(r).toMatchObject({ found: true, sha: g, goodSha: g });
    expect(r.candidates.map((c) => [c.sha, c.verdict])).toEqual([[g, 'chosen']]);
  });

  it('walks merge commits on the first-parent chain', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1', 'feature.py': '' });
    const g = repo.child(base, { 'app.py': 'v2' });
    const side = repo.child(base, { 'feature.py': 'x' }, 'feature');
    const merge = repo.add([g, side], { 'app.py': 'v2', 'feature.py': 'x' }, 'Merge feature');
    const f = repo.child(merge, { 'app.py': 'broken' });
    const text = ledgerWith([passed(side), passed(g)]);
    const r = await findLastGood(text, config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(g);
    // The merge has neither good tree: not chosen by tree.
    expect(r.candidates.map((c) => c.sha)).toEqual([g]);
  });

  it('applies require-checks to the ledger candidate', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const g1 = repo.child(base, { 'app.py': 'v2' });
    const g2 = repo.child(g1, { 'app.py': 'v3' });
    const f = repo.child(g2, { 'app.py': 'v4' });
    const checks = new FakeChecks();
    checks.set(g1, 'tests', 'success');
    checks.set(g2, 'tests', 'failure');
    const r = await findLastGood(ledgerWith([passed(g1), passed(g2)]), config(f, { requireChecks: ['tests'] }), { history: repo, checks, log: recordingLogger() });
    expect(r.sha).toBe(g1);
    expect(r.candidates[0]!.reason).toContain('tests: failure');
  });

  /** base → g1 → g2 → g3 → f, each of g1..g3 a ✅ ledger entry. */
  function threeGood() {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const g1 = repo.child(base, { 'app.py': 'v2' });
    const g2 = repo.child(g1, { 'app.py': 'v3' });
    const g3 = repo.child(g2, { 'app.py': 'v4' });
    const f = repo.child(g3, { 'app.py': 'v5' });
    return { repo, g1, g2, g3, f, text: ledgerWith([passed(g1), passed(g2), passed(g3)]) };
  }

  it('require-checks: a name that is not a check run is met by a commit status of that context that succeeded', async () => {
    const { repo, g1, g2, g3, f, text } = threeGood();
    const checks = new FakeChecks();
    for (const g of [g1, g2, g3]) checks.set(g, 'tests', 'success');
    checks.setStatus(g3, 'ci/jenkins', 'pending');
    checks.setStatus(g2, 'ci/jenkins', 'error');
    checks.setStatus(g1, 'ci/jenkins', 'success');
    const r = await findLastGood(text, config(f, { requireChecks: ['tests', 'ci/jenkins'] }), { history: repo, checks, log: recordingLogger() });
    expect(r.sha).toBe(g1);
    expect(r.candidates.map((c) => c.reason)).toEqual([
      'required checks did not succeed (ci/jenkins: commit status pending)',
      'required checks did not succeed (ci/jenkins: commit status error)',
      expect.stringContaining('nearest ✅ build'),
    ]);
  });

  it('require-checks: a check run of the name decides, and statuses are not asked when every name is a check run', async () => {
    const { repo, g1, g2, g3, f, text } = threeGood();
    const checks = new FakeChecks();
    checks.set(g3, 'tests', 'failure');
    checks.setStatus(g3, 'tests', 'success');
    checks.set(g2, 'tests', null);
    checks.set(g1, 'tests', 'success');
    const r = await findLastGood(text, config(f, { requireChecks: ['tests'] }), { history: repo, checks, log: recordingLogger() });
    expect(r.sha).toBe(g1);
    expect(r.candidates.map((c) => c.reason).slice(0, 2)).toEqual([
      'required checks did not succeed (tests: failure)',
      'required checks did not succeed (tests: not completed)',
    ]);
    expect(checks.statusCalls).toEqual([]);
  });

  it('require-checks: a name in neither says so; statuses that cannot be read skip the commit, with one warning', async () => {
    const { repo, g1, g2, g3, f, text } = threeGood();
    const checks = new FakeChecks();
    for (const g of [g1, g2, g3]) checks.setStatus(g, 'ci/other', 'success');
    const none = await findLastGood(text, config(f, { requireChecks: ['ci/jenkins'] }), { history: repo, checks, log: recordingLogger() });
    expect(none.found).toBe(false);
    expect(none.candidates[0]!.reason).toBe('required checks did not succeed (ci/jenkins: no check run or commit status)');

    checks.refusedWith = '403 Resource not accessible by integration: the token lacks statuses: read';
    checks.set(g1, 'ci/jenkins', 'success');
    const log = recordingLogger();
    const refused = await findLastGood(text, config(f, { requireChecks: ['ci/jenkins'] }), { history: repo, checks, log });
    // g3 and g2 cannot be verified: skipped; g1 has a check run of that name: chosen.
    expect(refused.sha).toBe(g1);
    expect(refused.candidates[0]!.reason).toBe(
      'required checks did not succeed (ci/jenkins: no check run, and commit statuses could not be read: 403 Resource not accessible by integration: the token lacks statuses: read)',
    );
    expect(log.warnings).toEqual([expect.stringMatching(/^require-checks: commit statuses could not be read \(.*statuses: read\)/)]);
  });

  it('is not found, with a reason, when there is no ledger or no ✅ entry', async () => {
    const repo = new FakeRepo();
    const f = repo.add([], { 'app.py': 'v1' });
    const none = await findLastGood(undefined, config(f), { history: repo, log: recordingLogger() });
    expect(none).toMatchObject({ found: false });
    expect(none.reason).toMatch(/does not exist/);
    const empty = await findLastGood('# ledger\n', config(f), { history: repo, log: recordingLogger() });
    expect(empty.found).toBe(false);
    expect(empty.reason).toMatch(/no ✅ Tests Passed entry/);
  });

  it('reports unreadable ledger blocks as warnings with their line numbers and still finds', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const f = repo.child(base, { 'app.py': 'v2' });
    const text = `${ledgerWith([passed(base)])}\n### broken block\nStatus: ✅ Tests Passed\n`;
    const log = recordingLogger();
    const r = await findLastGood(text, config(f), { history: repo, log });
    expect(r.sha).toBe(base);
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(log.warnings[0]).toMatch(new RegExp(`^${LEDGER} line \\d+: `));
  });

  it('reads short SHAs written by hand', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const f = repo.child(base, { 'app.py': 'v2' });
    const text = `# results\n\n- **Commit:** ${base.slice(0, 7)}\n- **Status:** ✅ Tests Passed\n`;
    const r = await findLastGood(text, config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(base);
  });

  it('stops at the first usable candidate (lazy)', async () => {
    const repo = new FakeRepo();
    let head = repo.add([], { 'app.py': '0' });
    const shas = [head];
    for (let i = 1; i < 20; i++) shas.push((head = repo.child(head, { 'app.py': String(i) })));
    const f = repo.child(head, { 'app.py': 'bad' });
    const r = await findLastGood(ledgerWith(shas.map((s) => passed(s))), config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(shas[19]);
    expect(r.candidates).toHaveLength(1);
  });

  it('sameCommit matches abbreviations both ways, never below 7 characters', () => {
    expect(sameCommit('abcdef1234', 'abcdef1')).toBe(true);
    expect(sameCommit('abcdef1', 'abcdef1234')).toBe(true);
    expect(sameCommit('abcdef', 'abcdef1234')).toBe(false);
  });
});

describe('findLastGood reads the ledger from its end', () => {
  /** `n` ✅ entries for commits the repository does not have, then (optionally) the real ones. */
  function bigLedger(n: number, tail: string): string {
    const blocks: string[] = [];
    for (let i = 0; i < n; i++) blocks.push(renderEntry(passed((0x10000000 + i).toString(16).padEnd(40, 'f'))));
    return `${ledgerWith([])}# Results\n\n${blocks.join('\n\n')}\n\n${tail}`;
  }

  it('from the history: the ledger at the head, or at its nearest first-parent ancestor when the head deleted it', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const g1 = repo.child(base, { 'app.py': 'v2' });
    const g2 = repo.child(g1, { 'app.py': 'v3', [LEDGER]: `${ledgerWith([passed(g1)])}\n### broken\nStatus: ✅ Tests Passed\n` });
    const f = repo.child(g2, { 'app.py': 'v4', [LEDGER]: null });
    const reader = async (c: string) => (await repo.pathAt(c, LEDGER).then((x) => (x && 'file' in x ? x.file : undefined)));
    const log = recordingLogger();
    const r = await findLastGood(reader, config(f), { history: repo, log });
    expect(r).toMatchObject({ found: true, sha: g1, ledgerFrom: g2 });
    expect(r.reason).toMatch(/read from .*: the head has no readable/);
    expect(r.warnings).toHaveLength(1);
    expect(log.warnings[0]).toBe(`${LEDGER} line ${r.warnings[0]!.line}: ${r.warnings[0]!.message}`);
  });

  it('a ledger nowhere in the history is "does not exist", not an error', async () => {
    const repo = new FakeRepo();
    const f = repo.add([], { 'app.py': 'v1' });
    const r = await findLastGood(async () => undefined, config(f), { history: repo, log: recordingLogger() });
    expect(r).toMatchObject({ found: false, reason: expect.stringMatching(/does not exist/) });
  });

  it('stays linear on a large ledger: 30,000 ✅ entries of commits the repository lacks cost no lookup each', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v0' });
    const f = repo.child(base, { 'app.py': 'v1' });
    const text = bigLedger(30_000, '');
    const r = await findLastGood(text, config(f), { history: repo, log: recordingLogger() });
    expect(r.found).toBe(false);
    expect(r.reason).toMatch(/^no good ✅ build on the first-parent history of /);
    expect(repo.asked).toHaveLength(0);
  });

  it('a ⛔ cancels the ✅ entries before it; a ✅ written after it (a deliberate re-promotion) counts again', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const g = repo.child(base, { 'app.py': 'v2' });
    const f = repo.child(g, { 'app.py': 'v3' });
    const cancelled = await findLastGood(ledgerWith([passed(base), passed(g), rolledBack(g)]), config(f), { history: repo, log: recordingLogger() });
    expect(cancelled.sha).toBe(base);
    const again = await findLastGood(ledgerWith([passed(base), passed(g), rolledBack(g), passed(g)]), config(f), { history: repo, log: recordingLogger() });
    expect(again.sha).toBe(g);
  });
});

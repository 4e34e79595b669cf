import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { findLastGood, sameCommit } from '../../src/core/lastgood/find.js';
import { FakeChecks, FakeRepo } from '../support/revert/fake-history.js';
import { LEDGER, ledgerWith, passed, rolledBack } from '../support/revert/ledger.js';

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
  it('answers the newest commit with the good tree: the ledger commit right after the ✅ one', async () => {
    const { repo, g, l, f, ledger1 } = simple();
    const log = recordingLogger();
    const r = await findLastGood(ledger1, config(f), { history: repo, log });
    expect(r.found).toBe(true);
    expect(r.sha).toBe(l);
    expect(r.goodSha).toBe(g);
    expect(r.entry?.commit).toBe(g);
    expect(r.entry?.digest).toMatch(/^sha256:/);
    expect(r.candidates[0]).toMatchObject({ sha: l, verdict: 'chosen' });
    expect(r.reason).toContain('same tree');
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

  it('never answers the head, even when it has a ✅ entry', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const f = repo.child(base, { 'app.py': 'v2' });
    const r = await findLastGood(ledgerWith([passed(base), passed(f)]), config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(base);
    expect(r.candidates[0]).toMatchObject({ sha: f, verdict: 'skipped', reason: 'is the head itself' });
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

  it('skips a good commit that was force-pushed away, and reports it', async () => {
    const repo = new FakeRepo();
    const base = repo.add([], { 'app.py': 'v1' });
    const g1 = repo.child(base, { 'app.py': 'v2' });
    const gone = repo.child(g1, { 'app.py': 'v3' }, 'force-pushed away');
    const f = repo.child(g1, { 'app.py': 'v4' });
    const r = await findLastGood(ledgerWith([passed(g1), passed(gone)]), config(f), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(g1);
    expect(r.candidates[0]).toMatchObject({ sha: gone, verdict: 'skipped' });
    expect(r.candidates[0]!.reason).toMatch(/not an ancestor/);
    expect(r.reason).toMatch(/skipped/);
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

  it('counts a greenline revert (same tree as the good commit) as good', async () => {
    const { repo, l, f, ledger1 } = simple();
    const revert = repo.child(f, { 'app.py': 'v2' }, '⚠️ Auto-rollback [skip ci]');
    const f2 = repo.child(revert, { 'app.py': 'v5 broken again' });
    const r = await findLastGood(ledger1, config(f2), { history: repo, log: recordingLogger() });
    expect(r.sha).toBe(revert);
    expect(r.sha).not.toBe(l);
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
    await findLastGood(ledgerWith(shas.map((s) => passed(s))), config(f), { history: repo, log: recordingLogger() });
    expect(repo.asked).toHaveLength(1);
  });

  it('sameCommit matches abbreviations both ways, never below 7 characters', () => {
    expect(sameCommit('abcdef1234', 'abcdef1')).toBe(true);
    expect(sameCommit('abcdef1', 'abcdef1234')).toBe(true);
    expect(sameCommit('abcdef', 'abcdef1234')).toBe(false);
  });
});

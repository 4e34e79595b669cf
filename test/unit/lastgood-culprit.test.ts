/**
 * How `undo: culprit` judges commits and names the culprit (src/core/lastgood/culprit.ts), on the in-memory
 * history and checks: the cases the end-to-end tests do not spell out (cancelled runs, commit statuses, an older
 * failure fixed since, ledger commits, skip keywords, a commit with no verdict right after the last pass).
 */
import { describe, expect, it } from 'vitest';
import { culpritMessage, findCulprit, judge } from '../../src/core/lastgood/culprit.js';
import { FakeChecks, FakeRepo } from '../support/revert/fake-history.js';

function chain(n: number, opts: { messages?: Record<number, string> } = {}) {
  const repo = new FakeRepo();
  const good = repo.add([], { 'app.py': 'v1' }, 'good');
  const shas: string[] = [];
  let at = good;
  for (let i = 1; i <= n; i++) {
    at = repo.child(at, { [`f${i}.txt`]: String(i) }, opts.messages?.[i] ?? `c${i}`);
    shas.push(at);
  }
  return { repo, good, shas, head: at };
}

describe('judge', () => {
  it('every check run and status counts without require-checks: a failure wins, a pending run leaves no verdict', async () => {
    const checks = new FakeChecks();
    checks.set('a', 'ci', 'success');
    checks.setStatus('a', 'jenkins', 'error');
    expect(await judge('a', [], checks)).toEqual({ verdict: 'failed', why: 'jenkins: error' });
    checks.set('b', 'ci', 'success');
    checks.set('b', 'e2e', null);
    expect((await judge('b', [], checks)).verdict).toBe('no-verdict');
    checks.set('c', 'ci', 'success');
    checks.set('c', 'lint', 'skipped');
    expect(await judge('c', [], checks)).toEqual({ verdict: 'passed', why: '1 check(s) succeeded' });
  });

  it('a run cancelled by a newer push leaves the verdict incomplete, even when another check passed', async () => {
    const checks = new FakeChecks();
    checks.set('a', 'tests', 'cancelled');
    checks.set('a', 'lint', 'success');
    expect(await judge('a', [], checks)).toEqual({ verdict: 'no-verdict', why: 'tests: cancelled' });
    checks.set('b', 'tests', 'cancelled');
    expect(await judge('b', ['tests'], checks)).toEqual({ verdict: 'no-verdict', why: 'tests: cancelled' });
  });

  it('with require-checks only those names count, and statuses are read only for a name that is not a check run', async () => {
    const checks = new FakeChecks();
    checks.set('a', 'ci', 'success');
    checks.set('a', 'lint', 'failure');
    expect(await judge('a', ['ci'], checks)).toEqual({ verdict: 'passed', why: 'ci: success' });
    expect(checks.statusCalls).toEqual([]);
    checks.setStatus('b', 'jenkins', 'failure');
    expect(await judge('b', ['jenkins'], checks)).toEqual({ verdict: 'failed', why: 'jenkins: failure' });
    expect(await judge('c', ['ci'], checks)).toEqual({ verdict: 'no-verdict', why: 'ci: none' });
  });
});

describe('findCulprit', () => {
  it('good → C1 ✅ → C2 ❌ → C3 (failing): C2, judged C3 (by the run), C2, C1; the chain oldest first', async () => {
    const { repo, good, shas } = chain(3);
    const checks = new FakeChecks();
    checks.set(shas[0]!, 'ci', 'success');
    checks.set(shas[1]!, 'ci', 'failure');
    const r = await findCulprit(shas[2]!, good, new Set(), [], { history: repo, checks });
    expect(r.culprit?.sha).toBe(shas[1]);
    expect(r.judged.map((j) => [j.sha, j.verdict])).toEqual([
      [shas[2], 'failed'],
      [shas[1], 'failed'],
      [shas[0], 'passed'],
    ]);
    expect(r.chain.map((c) => c.sha)).toEqual(shas);
  });

  it('an older failure a later commit fixed is not the culprit of this one', async () => {
    const { repo, good, shas } = chain(4);
    const checks = new FakeChecks();
    checks.set(shas[0]!, 'ci', 'failure');
    checks.set(shas[1]!, 'ci', 'success');
    checks.set(shas[2]!, 'ci', 'failure');
    const r = await findCulprit(shas[3]!, good, new Set(), [], { history: repo, checks });
    expect(r.culprit?.sha).toBe(shas[2]);
    // Nothing below the newest pass is read.
    expect(checks.statusCalls).not.toContain(shas[0]);
  });

  it('no verdict right after the newest pass: not named (the failure may have started there)', async () => {
    const { repo, good, shas } = chain(3);
    const checks = new FakeChecks();
    checks.set(shas[1]!, 'ci', 'failure');
    const r = await findCulprit(shas[2]!, good, new Set(), [], { history: repo, checks });
    expect(r.culprit).toBeUndefined();
    expect(r.why).toContain('has no verdict of its own');
  });

  it('the failing head right after the last good build is the culprit itself', async () => {
    const { repo, good, shas } = chain(1);
    const r = await findCulprit(shas[0]!, good, new Set(), [], { history: repo, checks: new FakeChecks() });
    expect(r.culprit?.sha).toBe(shas[0]);
  });

  it("greenline's ledger commits are passed over; a human [skip ci] commit has no verdict and costs no request", async () => {
    const { repo, good, shas } = chain(4, { messages: { 2: 'ledger [skip ci]', 3: 'docs [skip ci]' } });
    const checks = new FakeChecks();
    checks.set(shas[0]!, 'ci', 'failure');
    // good → C1 ❌ → L (ledger) → D [skip ci] → C4 failing: C1 failed right after the last good build.
    const r = await findCulprit(shas[3]!, good, new Set([shas[1]!]), [], { history: repo, checks });
    expect(r.culprit?.sha).toBe(shas[0]);
    expect(r.judged.find((j) => j.sha === shas[2])).toMatchObject({ verdict: 'no-verdict', why: 'skips CI' });
    expect(r.judged.some((j) => j.sha === shas[1])).toBe(false);
    expect(checks.statusCalls).not.toContain(shas[2]);
    expect(r.chain.map((c) => c.sha)).toEqual(shas);
  });

  it('a human [skip ci] commit right after the last good build: it may be the culprit, so none is named', async () => {
    const { repo, good, shas } = chain(3, { messages: { 1: 'docs [skip ci]' } });
    const checks = new FakeChecks();
    checks.set(shas[1]!, 'ci', 'failure');
    const r = await findCulprit(shas[2]!, good, new Set(), [], { history: repo, checks });
    expect(r.culprit).toBeUndefined();
    expect(r.why).toBe(`${shas[0]!.slice(0, 7)}, right after the last good build ${good.slice(0, 7)}, has no verdict of its own: the failure may have started there or later`);
  });

  it('a last good build off the first-parent chain: not named, nothing kept', async () => {
    const { repo, shas } = chain(2);
    const r = await findCulprit(shas[1]!, 'f'.repeat(40), new Set(), [], { history: repo, checks: new FakeChecks() });
    expect(r.culprit).toBeUndefined();
    expect(r.chain).toEqual([]);
  });
});

describe('culpritMessage', () => {
  it('git revert’s subject, the skip keyword out of the quoted subject and into the body, the trailers', () => {
    const m = culpritMessage({
      culprit: { sha: 'c'.repeat(40), tree: 't', parents: ['p'.repeat(40)], message: 'feat: x [skip ci]', subject: 'feat: x [skip ci] closes #4', date: 0 },
      failingSha: 'f'.repeat(40),
      branch: 'main',
      reason: 'Tests failed',
      runUrl: 'https://github.com/o/r/actions/runs/1',
      why: 'it failed first',
    });
    const lines = m.split('\n');
    expect(lines[0]).toBe('Revert "feat: x closes #\u200b4"');
    expect(lines).toContain('[skip ci]');
    expect(lines).toContain(`This reverts commit ${'c'.repeat(40)}.`);
    expect(lines.slice(-3)).toEqual([`Greenline-Revert-Of: ${'f'.repeat(40)}`, `Greenline-Culprit: ${'c'.repeat(40)}`, '']);
  });
});

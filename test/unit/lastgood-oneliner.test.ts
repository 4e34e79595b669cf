/**
 * DESIGN, "The ledger": the seed's one-liner must keep giving the same answer as find-last-good-commit on any
 * ledger greenline writes. Here greenline writes the ledgers itself, on generated linear histories: ✅ entries
 * in ledger commits (`[skip ci]`, as promote-to-stable makes them), greenline reverts after failed tests, and
 * reverts after a promoted build failed later (`⛔ Rolled back` followed by the last good build recorded again).
 *
 * The two are compared where find-last-good-commit runs after a failure: on a commit whose own CI run failed (a
 * tested commit, the head of a `workflow_run`). Not on a `[skip ci]` head whose tree is the one-liner's build:
 * - the ledger commit promote-to-stable wrote on top of a build that then failed the health gate: that build is
 *   the failing one and nothing in the ledger says so yet (auto-revert writes the ⛔ next);
 * (A greenline revert commit is fine: find-last-good-commit recognises the build its Greenline-Restored trailer
 * names and answers it, as the one-liner does; see test/e2e/auto-revert.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { parseLedger } from '../../src/core/ledger/parse.js';
import { findLastGood } from '../../src/core/lastgood/find.js';
import { autoRevert, DEFAULT_MESSAGE_TEMPLATE, type RevertConfig } from '../../src/core/lastgood/revert.js';
import { FakeBackend } from '../support/revert/fake-backend.js';
import { FakeRepo } from '../support/revert/fake-history.js';
import { LEDGER, ledgerWith, passed } from '../support/revert/ledger.js';
import { seedOneLiner } from '../support/revert/oneliner.js';

/**
 * One event on main:
 * - `pass`: a commit passes tests and is promoted: ✅ entry in a ledger commit on top of it.
 * - `fail`: a commit fails tests; auto-revert restores the last good build (no ledger change: no ✅ to mark).
 * - `fail-kept`: a commit fails tests and nobody reverts it (fix forward; later commits build on it).
 * - `health`: a commit passes tests, is promoted, then fails the health gate: auto-revert on the ledger commit
 *   marks the build ⛔ and records the last good build again.
 * - `docs`: a `[skip ci]` commit that changes only docs (never tested, a tree no build had).
 */
type Step = 'pass' | 'fail' | 'fail-kept' | 'health' | 'docs';

interface Check {
  head: string;
  oneLiner: string;
  found: boolean;
  sha: string | undefined;
  /** The ledger at the head had a ⛔ entry followed by a re-recorded ✅ (greenline's auto-revert wrote it). */
  afterRollback: boolean;
}

class World {
  readonly repo = new FakeRepo();
  readonly backend = new FakeBackend(this.repo);
  readonly checks: Check[] = [];
  head: string;
  private version = 0;
  private clock = Date.UTC(2025, 0, 1);

  constructor() {
    this.head = this.repo.add([], { 'app.py': 'v0', 'README.md': 'docs 0', [LEDGER]: '' }, 'initial');
    this.backend.heads.set('main', this.head);
  }

  ledger(sha = this.head): string {
    return this.repo.commits.get(sha)!.files[LEDGER] ?? '';
  }

  private move(sha: string): string {
    this.head = sha;
    this.backend.heads.set('main', sha);
    return sha;
  }

  work(subject: string): string {
    return this.move(this.repo.child(this.head, { 'app.py': `v${++this.version}` }, subject));
  }

  promote(build: string): string {
    return this.move(this.repo.child(this.head, { [LEDGER]: ledgerWith([passed(build)], this.ledger()) }, `greenline: ledger passed ${build.slice(0, 7)} [skip ci]`));
  }

  docs(): string {
    return this.move(this.repo.child(this.head, { 'README.md': `docs ${++this.version}` }, 'docs: typo [skip ci]'));
  }

  /** find-last-good-commit and the one-liner, on the ledger as it is at the head. */
  async check(): Promise<Check> {
    const text = this.ledger();
    const r = await findLastGood(text, { head: this.head, ledgerPath: LEDGER, requireChecks: [] }, { history: this.repo, log: recordingLogger() });
    const entries = parseLedger(text).entries;
    const lastRollback = entries.findLastIndex((e) => e.status === 'rolled-back');
    const c: Check = {
      head: this.head,
      oneLiner: await seedOneLiner(text),
      found: r.found,
      sha: r.sha,
      afterRollback: lastRollback >= 0 && entries.slice(lastRollback + 1).some((e) => e.status === 'passed' && /recorded again/.test(e.reason ?? '')),
    };
    this.checks.push(c);
    return c;
  }

  async revert(failing: string, reason: string, targetSha?: string): Promise<Awaited<ReturnType<typeof autoRevert>>> {
    this.clock += 3600_000;
    const config: RevertConfig = {
      branch: 'main',
      failingSha: failing,
      ledgerPath: LEDGER,
      requireChecks: [],
      preservePaths: [LEDGER],
      reason,
      messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
      maxPerDay: 1_000,
      fallback: 'none',
      dryRun: false,
      now: new Date(this.clock),
      runUrl: 'https://github.com/owner/app/actions/runs/7',
      ...(targetSha ? { targetSha } : {}),
    };
    const r = await autoRevert(config, { backend: this.backend, history: this.repo, log: recordingLogger(), ledgerInput: async () => this.ledger(failing) });
    if (r.reverted) this.move(r.revertSha);
    return r;
  }

  async step(step: Step): Promise<void> {
    switch (step) {
      case 'pass':
        this.promote(this.work('feat: passes'));
        return;
      case 'docs':
        this.docs();
        return;
      case 'fail-kept':
        this.work('feat: fails tests, fixed forward later');
        await this.check();
        return;
      case 'fail': {
        const failing = this.work('feat: fails tests');
        const c = await this.check();
        const r = await this.revert(failing, 'Tests failed');
        // auto-revert finds its target with the same rules: the same commit.
        expect(r.targetSha || undefined).toBe(c.sha);
        return;
      }
      case 'health': {
        const build = this.work('feat: passes tests, fails the health gate');
        const ledgerCommit = this.promote(build);
        // A build that failed in production is rolled back by a person's (or the health monitor's) decision:
        // an explicit target, the last good build below it. A test failure's revert never marks ⛔.
        const below = await findLastGood(this.ledger(), { head: build, ledgerPath: LEDGER, requireChecks: [] }, { history: this.repo, log: recordingLogger() });
        if (!below.sha) return;
        const r = await this.revert(ledgerCommit, 'Health gate failed', below.sha);
        if (r.reverted) {
          const entries = parseLedger(this.ledger()).entries;
          expect(entries.at(-2)).toMatchObject({ status: 'rolled-back', commit: build });
          expect(entries.at(-1)).toMatchObject({ status: 'passed', commit: r.targetSha });
        }
        return;
      }
    }
  }
}

/** Runs the steps, then one last commit that fails tests; returns every comparison made on the way. */
async function play(steps: readonly Step[]): Promise<World> {
  const w = new World();
  for (const s of steps) await w.step(s);
  w.work('feat: the last one, fails tests');
  await w.check();
  return w;
}

function expectAgreement(w: World): number {
  let compared = 0;
  for (const c of w.checks) {
    const where = c.oneLiner ? [...w.repo.commits.keys()].find((k) => k.startsWith(c.oneLiner)) : undefined;
    if (!where || where === c.head || !w.repo.reachable(c.head).has(where)) {
      // No ✅ entry at all: find-last-good-commit finds nothing either.
      if (!c.oneLiner) expect(c.found).toBe(false);
      continue;
    }
    expect(c.found, `head ${c.head}`).toBe(true);
    expect(c.sha, `head ${c.head}: find-last-good-commit vs the one-liner`).toBe(where);
    compared++;
  }
  return compared;
}

describe('find-last-good-commit and the seed one-liner agree on ledgers greenline writes (linear histories)', () => {
  it.each<[string, Step[]]>([
    ['a promoted build, then a failure', ['pass']],
    ['a failure reverted, then another', ['pass', 'fail']],
    ['the health gate fails a promoted build: ⛔ then the last good build again', ['pass', 'health']],
    ['two builds fail the health gate in a row', ['pass', 'health', 'health']],
    ['a reverted failure after a ⛔', ['pass', 'pass', 'health', 'fail']],
    ['failures kept, then the health gate', ['pass', 'fail-kept', 'pass', 'health', 'fail-kept']],
    ['docs commits in between', ['pass', 'docs', 'health', 'docs', 'pass', 'fail', 'docs']],
    ['the health gate fails before anything was good: nothing to revert to', ['health', 'pass']],
    ['a long history', ['pass', 'fail', 'pass', 'health', 'pass', 'fail-kept', 'health', 'fail', 'pass', 'health']],
  ])('%s', async (_name, steps) => {
    const w = await play(steps);
    expect(expectAgreement(w)).toBeGreaterThan(0);
  });

  it('after a ⛔, the one-liner names the build auto-revert restored, not the rolled-back one', async () => {
    const w = new World();
    await w.step('pass');
    const good = parseLedger(w.ledger()).entries.at(-1)!.commit;
    await w.step('health');
    const bad = parseLedger(w.ledger()).entries.at(-2)!.commit;
    w.work('feat: fails tests');
    const c = await w.check();
    expect(c.afterRollback).toBe(true);
    expect(c.oneLiner).toBe(good);
    expect(c.oneLiner).not.toBe(bad);
    expect(c.sha).toBe(good);
  });

  it('holds on generated histories (property)', async () => {
    let comparedAfterRollback = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Step>('pass', 'pass', 'fail', 'fail-kept', 'health', 'health', 'docs'), { minLength: 1, maxLength: 10 }), async (steps) => {
        const w = await play(steps);
        expectAgreement(w);
        comparedAfterRollback += w.checks.filter((c) => c.afterRollback && c.found).length;
      }),
      { numRuns: 40 },
    );
    // The interesting case (⛔ then the re-recorded build) was exercised, not only plain ✅ ledgers.
    expect(comparedAfterRollback).toBeGreaterThan(0);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { recordingLogger } from '../../src/core/action/log.js';
import { greenlineMarks, isGreenlineRevert, messageTrailers, skipsCi } from '../../src/core/git/history.js';
import { parseLedger } from '../../src/core/ledger/parse.js';
import { autoRevert, covered, DEFAULT_MESSAGE_TEMPLATE, renderRevertMessage, type RevertConfig } from '../../src/core/lastgood/revert.js';
import { FakeBackend, FakePulls } from '../support/revert/fake-backend.js';
import { FakeRepo } from '../support/revert/fake-history.js';
import { LEDGER, ledgerWith, passed } from '../support/revert/ledger.js';
import { seedOneLiner } from '../support/revert/oneliner.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('revert message', () => {
  it('is seed 000’s message with the trailers', () => {
    const msg = renderRevertMessage(DEFAULT_MESSAGE_TEMPLATE, {
      reason: 'Tests failed',
      goodSha: '611b29b362b480a8e6a56848f453ab8a2091e683',
      failingSha: 'dad549a0000000000000000000000000000000aa',
      branch: 'main',
      runUrl: '',
    });
    expect(msg.split('\n')).toEqual([
      '⚠️ Auto-rollback: Tests failed, reverting to last successful build 611b29b',
      '',
      'Reason: Tests failed on commit dad549a',
      'Action: Automatically reverted to last known good state',
      'Status: Deployment unaffected (using :stable tag)',
      '',
      '[skip ci]',
      '',
      'Greenline-Revert-Of: dad549a0000000000000000000000000000000aa',
      'Greenline-Restored: 611b29b362b480a8e6a56848f453ab8a2091e683',
      '',
    ]);
    expect(greenlineMarks(msg)).toEqual({ revertOf: 'dad549a0000000000000000000000000000000aa', restored: '611b29b362b480a8e6a56848f453ab8a2091e683', rolledBack: [] });
    // git revert quotes only the subject: a revert of this revert (the code re-landed) must run CI.
    expect(skipsCi(msg.split('\n')[0]!)).toBe(false);
    expect(skipsCi(msg)).toBe(true);
  });

  it('moves a skip keyword out of a custom subject into the body, and names the builds it marks ⛔', () => {
    const msg = renderRevertMessage('[skip ci] Revert to {good-short} [ci skip]\n\nbecause {reason}', { reason: 'r', goodSha: 'a'.repeat(40), failingSha: 'b'.repeat(40), branch: 'main', runUrl: '' }, ['c'.repeat(40)]);
    const [subject, ...rest] = msg.split('\n');
    expect(subject).toBe('Revert to aaaaaaa');
    expect(skipsCi(rest.join('\n'))).toBe(true);
    expect(greenlineMarks(msg).rolledBack).toEqual(['c'.repeat(40)]);
  });

  it('action.yml’s default message is the same template', () => {
    const meta = parse(readFileSync(join(ROOT, 'actions/auto-revert/action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
    expect(meta.inputs.message!.default!.trimEnd()).toBe(DEFAULT_MESSAGE_TEMPLATE);
  });

  it('adds [skip ci] to a custom template without a skip keyword, and keeps only its own trailers', () => {
    const msg = renderRevertMessage('Revert to {good-short} ({reason})\n\nGreenline-Restored: forged', { reason: 'r', goodSha: 'a'.repeat(40), failingSha: 'b'.repeat(40), branch: 'main', runUrl: '' });
    expect(msg.split('\n')[0]).toBe('Revert to aaaaaaa (r)');
    expect(msg.split('\n')).toContain('[skip ci]');
    expect(msg).not.toContain('forged');
    expect(isGreenlineRevert(msg)).toBe(true);
  });

  it('a reason that quotes a commit message cannot close or link issues from the default branch', () => {
    const reason = 'fixes #12, closes acme/shop#3, resolves https://github.com/acme/shop/issues/7 (GH-9)';
    const msg = renderRevertMessage(DEFAULT_MESSAGE_TEMPLATE, { reason, goodSha: 'a'.repeat(40), failingSha: 'b'.repeat(40), branch: 'main', runUrl: '' });
    expect(msg).not.toMatch(/#\d|\/issues\/\d|\bGH-\d/);
    expect(msg.replace(/\u200b/g, '')).toContain(reason);
  });

  it('reads trailers like git: only the last paragraph', () => {
    expect(messageTrailers('subject\n\nGreenline-Revert-Of: x')).toEqual([{ key: 'Greenline-Revert-Of', value: 'x' }]);
    expect(messageTrailers('Greenline-Revert-Of: x')).toEqual([]);
    expect(messageTrailers('subject\n\nGreenline-Revert-Of: x\n\nmore prose here')).toEqual([]);
    expect(isGreenlineRevert('fix: mention Greenline-Revert-Of: in docs')).toBe(false);
  });

  it('covered() matches files and folders', () => {
    expect(covered('docs/a.md', ['docs'])).toBe(true);
    expect(covered('docs/a.md', ['docs/a.md'])).toBe(true);
    expect(covered('docs/a.md', ['doc'])).toBe(false);
  });
});

function scenario() {
  const repo = new FakeRepo();
  const base = repo.add([], { 'app.py': 'v1', [LEDGER]: '' }, 'base');
  const g = repo.child(base, { 'app.py': 'v2' }, 'good');
  const ledger1 = ledgerWith([passed(g)]);
  const l = repo.child(g, { [LEDGER]: ledger1 }, 'ledger [skip ci]');
  const f = repo.child(l, { 'app.py': 'v3 broken' }, 'broken');
  const backend = new FakeBackend(repo);
  backend.heads.set('main', f);
  const pulls = new FakePulls();
  const log = recordingLogger();
  const deps = { backend, history: repo, pulls, log, ledgerInput: async () => repo.commits.get(backend.heads.get('main')!)!.files[LEDGER] };
  const config: RevertConfig = {
    branch: 'main',
    failingSha: f,
    ledgerPath: LEDGER,
    requireChecks: [],
    preservePaths: [LEDGER],
    reason: 'Tests failed',
    messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
    maxPerDay: 3,
    fallback: 'pull-request',
    dryRun: false,
    now: new Date(),
    runUrl: 'https://github.com/owner/app/actions/runs/9',
  };
  return { repo, base, g, l, f, backend, pulls, log, deps, config };
}

describe('autoRevert', () => {
  it('commits the good tree on top of the failing commit and moves the branch', async () => {
    const s = scenario();
    const r = await autoRevert(s.config, s.deps);
    expect(r.reverted).toBe(true);
    // The ✅ commit itself, not the ledger commit above it (the same files: the ledger is kept from the head).
    expect(r.targetSha).toBe(s.g);
    const head = s.backend.heads.get('main')!;
    expect(head).toBe(r.revertSha);
    const c = s.repo.commits.get(head)!;
    expect(c.parents).toEqual([s.f]);
    expect(c.files['app.py']).toBe('v2');
    expect(c.files[LEDGER]).toBe(s.repo.commits.get(s.f)!.files[LEDGER]);
    // The ledger commit l above g changed only the ledger, which is kept: kept, not undone.
    expect(r.undone.map((u) => u.sha)).toEqual([s.f]);
    expect(r.undoneTotal).toBe(1);
    expect(r.kept.map((k) => k.sha)).toEqual([s.l]);
    expect(c.message.split('\n')[0]).toMatch(new RegExp(`last successful build ${s.g.slice(0, 7)}$`));
    expect(greenlineMarks(c.message)).toEqual({ revertOf: s.f, restored: s.g, rolledBack: [] });
    // The failing commit had no ✅ entry: the ledger is the head's, untouched (no ⛔, no re-record).
    expect(r.ledgerEntry).toBeUndefined();
  });

  it('stops when the branch moved (nothing written)', async () => {
    const s = scenario();
    const newer = s.repo.child(s.f, { 'app.py': 'fix' }, 'a fix by Alice');
    s.backend.heads.set('main', newer);
    const r = await autoRevert(s.config, s.deps);
    expect(r.reverted).toBe(false);
    expect(r.reason).toMatch(/a fix by Alice/);
    expect(r.warning).toBeTruthy();
    expect(s.backend.writes).toEqual([]);
  });

  it('stops on a lost race: re-reads once and leaves the other writer’s commit', async () => {
    const s = scenario();
    let other = '';
    s.backend.beforeUpdate = () => {
      other = s.repo.child(s.f, { 'app.py': 'someone else' }, 'pushed meanwhile');
      s.backend.heads.set('main', other);
    };
    const r = await autoRevert(s.config, s.deps);
    expect(r.reverted).toBe(false);
    expect(r.reason).toMatch(/moved to .* while reverting/);
    expect(s.backend.heads.get('main')).toBe(other);
  });

  it('never reverts a greenline revert', async () => {
    const s = scenario();
    const first = await autoRevert(s.config, s.deps);
    const again = await autoRevert({ ...s.config, failingSha: first.revertSha }, s.deps);
    expect(again.reverted).toBe(false);
    expect(again.reason).toMatch(/itself a greenline revert/);
  });

  it('keeps to max-per-day', async () => {
    const s = scenario();
    let head = s.f;
    for (let i = 0; i < 3; i++) {
      const r = await autoRevert({ ...s.config, failingSha: head }, s.deps);
      expect(r.reverted).toBe(true);
      head = s.repo.child(r.revertSha, { 'app.py': `broken ${i}` });
      s.backend.heads.set('main', head);
    }
    const capped = await autoRevert({ ...s.config, failingSha: head }, s.deps);
    expect(capped.reverted).toBe(false);
    expect(capped.reason).toMatch(/3 greenline revert\(s\).*max-per-day is 3/);
    // Reverts older than a day do not count.
    for (const sha of s.repo.commits.keys()) s.backend.dates.set(sha, Date.now() - 2 * 86400_000);
    expect((await autoRevert({ ...s.config, failingSha: head }, s.deps)).reverted).toBe(true);
  });

  it('does nothing when the trees are already equal', async () => {
    const s = scenario();
    const same = s.repo.child(s.f, { 'app.py': 'v2' }, 'manual revert');
    s.backend.heads.set('main', same);
    const r = await autoRevert({ ...s.config, failingSha: same, targetSha: s.g }, s.deps);
    expect(r.reverted).toBe(false);
    expect(r.reason).toMatch(/nothing to revert/);
    expect(s.backend.writes).toEqual([]);
  });

  it('a failing commit whose tree already passed is not a code regression: nothing reverted, nothing marked ⛔', async () => {
    const s = scenario();
    const withPass = ledgerWith([passed(s.f)], s.repo.commits.get(s.f)!.files[LEDGER]);
    const l2 = s.repo.child(s.f, { [LEDGER]: withPass }, 'ledger for f [skip ci]');
    s.backend.heads.set('main', l2);
    const r = await autoRevert({ ...s.config, failingSha: l2, reason: 'Tests failed' }, s.deps);
    // l2 is only the ledger commit on top of the ✅ f: its tree passed, a failure of it is flaky or environmental.
    expect(r).toMatchObject({ outcome: 'not-a-regression', reverted: false, targetSha: s.f });
    expect(r.reason).toMatch(/not a code regression/);
    expect(r.ledgerEntry).toBeUndefined();
    expect(s.backend.writes).toEqual([]);
    expect(s.backend.heads.get('main')).toBe(l2);
  });

  it('with target-sha (a person’s decision) the failing ✅ build is marked ⛔, with a trailer, and the restored build recorded again', async () => {
    const s = scenario();
    const withPass = ledgerWith([passed(s.f)], s.repo.commits.get(s.f)!.files[LEDGER]);
    const l2 = s.repo.child(s.f, { [LEDGER]: withPass }, 'ledger for f [skip ci]');
    s.backend.heads.set('main', l2);
    const r = await autoRevert({ ...s.config, failingSha: l2, targetSha: s.g, reason: 'Health gate failed' }, s.deps);
    expect(r.reverted).toBe(true);
    expect(r.targetSha).toBe(s.g);
    expect(r.ledgerEntry).toMatchObject({ status: 'rolled-back', commit: s.f });
    const commit = s.repo.commits.get(r.revertSha)!;
    expect(commit.files['app.py']).toBe('v2');
    expect(greenlineMarks(commit.message).rolledBack).toEqual([s.f]);
    // The ⛔ marker, then g recorded again: the seed one-liner (blind to ⛔) names g, as find-last-good does.
    const revertLedger = commit.files[LEDGER]!;
    expect(revertLedger.startsWith(withPass)).toBe(true);
    const tail = parseLedger(revertLedger).entries.slice(-2);
    expect(tail).toMatchObject([
      { status: 'rolled-back', commit: s.f },
      { status: 'passed', commit: s.g },
    ]);
    const original = parseLedger(withPass).entries.find((e) => e.status === 'passed' && e.commit === s.g)!;
    expect(tail[1]).toMatchObject({ image: original.image, digest: original.digest, tags: original.tags, metrics: original.metrics, run: s.config.runUrl });
    expect(tail[1]!.reason).toBe(`recorded again as the last good build after ${s.f.slice(0, 7)} was rolled back`);
    expect(tail[1]!.timestamp).toBe(s.config.now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(await seedOneLiner(revertLedger)).toBe(s.g);
  });

  it('records again the build it restored, not a newer ✅ build that is no longer an ancestor', async () => {
    const s = scenario();
    // x passed and was promoted, then force-pushed away; its ✅ entry stayed in the ledger.
    const x = s.repo.child(s.l, { 'app.py': 'v4' }, 'feat: v4, later force-pushed away');
    const withX = ledgerWith([passed(x)], s.repo.commits.get(s.f)!.files[LEDGER]);
    // w passed and was promoted (ledger commit lw), then failed the health gate: a person reverts to g.
    const w = s.repo.child(s.f, { 'app.py': 'v5', [LEDGER]: withX }, 'fix: v5');
    const lw = s.repo.child(w, { [LEDGER]: ledgerWith([passed(w)], withX) }, 'greenline: ledger passed [skip ci]');
    s.backend.heads.set('main', lw);
    const r = await autoRevert({ ...s.config, failingSha: lw, targetSha: s.g, reason: 'Health gate failed' }, s.deps);
    expect(r.reverted).toBe(true);
    expect(r.targetSha).toBe(s.g);
    const text = s.repo.commits.get(r.revertSha)!.files[LEDGER]!;
    expect(parseLedger(text).entries.at(-2)).toMatchObject({ status: 'rolled-back', commit: w });
    expect(await seedOneLiner(text)).toBe(s.g);
  });

  it('opens a pull request when the branch is protected', async () => {
    const s = scenario();
    s.backend.protectedBranches.add('main');
    const r = await autoRevert(s.config, s.deps);
    expect(r.reverted).toBe(false);
    expect(r.pullRequestUrl).toMatch(/pull\/1$/);
    expect(s.pulls.opened[0]).toMatchObject({ head: `greenline/revert-${s.f.slice(0, 7)}`, base: 'main' });
    expect(s.pulls.opened[0]!.title).toMatch(/^⚠️ Auto-rollback: Tests failed/);
    expect(s.backend.heads.get('main')).toBe(s.f);
    // A second run finds the same pull request.
    const again = await autoRevert(s.config, s.deps);
    expect(again.pullRequestUrl).toBe(r.pullRequestUrl);
    expect(s.pulls.opened).toHaveLength(1);
  });

  it('fails (after saying why) on a protected branch with fallback none', async () => {
    const s = scenario();
    s.backend.protectedBranches.add('main');
    const r = await autoRevert({ ...s.config, fallback: 'none' }, s.deps);
    expect(r.failure).toMatch(/protected/);
    expect(s.pulls.opened).toHaveLength(0);
  });

  it('dry-run writes nothing', async () => {
    const s = scenario();
    const r = await autoRevert({ ...s.config, dryRun: true }, s.deps);
    expect(r.reverted).toBe(false);
    expect(r.targetSha).toBe(s.g);
    expect(r.steps.join('\n')).toMatch(/Would move main/);
    expect(s.backend.writes).toEqual([]);
  });

  it('refuses a target-sha that is not an ancestor of the failing commit', async () => {
    const s = scenario();
    const other = s.repo.add([], { 'x': '1' }, 'unrelated');
    await expect(autoRevert({ ...s.config, targetSha: other }, s.deps)).rejects.toThrow(/Input "target-sha": .* not an ancestor/);
  });

  it('stops with a reason when no good commit exists', async () => {
    const s = scenario();
    for (const c of [s.l, s.f]) s.repo.commits.get(c)!.files[LEDGER] = '# empty\n';
    const r = await autoRevert(s.config, s.deps);
    expect(r.reverted).toBe(false);
    expect(r.outcome).toBe('no-good-build');
    expect(r.reason).toMatch(/no last good commit/);
  });
});

describe('auto-revert job summary', () => {
  it('lists the failing and restored commits and the commits undone, neutralised; links stay links', async () => {
    const { revertSummary } = await import('../../src/actions/auto-revert/main.js');
    const s = scenario();
    const evil = s.repo.child(s.f, { 'app.py': 'v9' }, 'feat: @alice fixes #12 <img src=x> `rm -rf`');
    s.backend.heads.set('main', evil);
    s.backend.protectedBranches.add('main');
    const config = { ...s.config, failingSha: evil };
    const r = await autoRevert(config, s.deps);
    const md = revertSummary(r, config);
    expect(md).toContain(`| Failing commit | \`${evil.slice(0, 7)}\``);
    expect(md).toContain(`| Restored commit | \`${s.g.slice(0, 7)}\``);
    // evil and f are undone; the ledger commit l above g is kept.
    expect(md).toContain('Commits undone (2)');
    expect(md).toContain(`**Ledger commits kept (1):** greenline's own ledger entries, kept as they are\n\n- \`${s.l.slice(0, 7)}\` ledger [skip ci]`);
    expect(md).toContain(`| Pull request | ${r.pullRequestUrl} |`);
    expect(md).not.toMatch(/@alice|#12|<img|`rm/);
    expect(md).toContain('@\u200balice');
  });
});

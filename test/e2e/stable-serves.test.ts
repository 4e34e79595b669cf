/**
 * "What :stable serves": find-last-good-commit, auto-revert and the one-step rollback read it from the ledger
 * (tag-history's stack: promotions and rollbacks replayed) into `stable-commit`, `stable-digest`, `stable-since`
 * and one summary line. Run as the runner runs the bundles, through the API and through a checkout.
 */
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/harness.js';
import { passed } from '../support/revert/ledger.js';
import { runOnFailure, scenarioPerTest, TOKEN, type Scenario } from '../support/revert/scenario.js';
import { git } from '../support/revert/git-fixture.js';

const scenario = scenarioPerTest({ noUnknownRequests: true });

/** Distinct from their first 12 hex digits on (the summary shows that much). */
const D1 = `sha256:${'d1'.repeat(32)}`;
const D2 = `sha256:${'d2'.repeat(32)}`;

/**
 * On top of the scenario (G ✅ promoted): G2 promoted to :stable (digest D2) at 11:00, and, with `rollback`,
 * :stable rolled back to G (digest D1) at 12:00; then a broken commit, pushed. Returns G2 and the failing commit.
 */
async function promotedTwice(s: Scenario, rollback: boolean): Promise<{ g2: string; fail: string }> {
  await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
  // G's own entry again with a known digest and date: the stack's bottom.
  await s.f.recordEntries([passed(s.g, { digest: D1, timestamp: '2025-03-01T10:00:00Z' })], 'greenline: ledger G again [skip ci]');
  const g2 = await s.f.commit('feat: v2.1', { 'app.py': 'print("v2.1")\n' });
  await s.f.recordEntries([passed(g2, { digest: D2, timestamp: '2025-03-01T11:00:00Z' })], 'greenline: ledger G2 [skip ci]');
  if (rollback) {
    await s.f.recordEntries(
      [{ status: 'restored', commit: s.g, image: 'ghcr.io/owner/app', digest: D1, replaced: D2, tags: ['stable'], timestamp: '2025-03-01T12:00:00Z', reason: 'rolled back' }],
      'greenline: ledger rollback [skip ci]',
    );
  }
  const fail = await s.f.commit('feat: v3 (broken again)', { 'app.py': 'raise SystemExit(2)\n' });
  await s.f.push();
  return { g2, fail };
}

describe('what :stable serves', () => {
  it('find-last-good-commit: the newest build on :stable, its digest, since when, and the build below it (API and checkout)', async () => {
    const s = await scenario();
    const { g2, fail } = await promotedTwice(s, false);
    const viaApi = await runOnFailure('find-last-good-commit', s, fail);
    const viaGit = await runOnFailure('find-last-good-commit', s, fail, { workspace: await s.f.clone('ws', { depth: 1, ref: fail }) });
    for (const r of [viaApi, viaGit]) {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs).toMatchObject({ sha: g2, 'stable-commit': g2, 'stable-digest': D2, 'stable-since': '2025-03-01T11:00:00Z' });
      expect(r.summary).toContain(`**What :stable serves:** build \`${g2.slice(0, 7)}\`, ghcr.io/owner/app@\`${D2.slice(0, 19)}…\` since 2025-03-01T11:00:00Z; previous build \`${s.g.slice(0, 7)}\` (\`${D1.slice(0, 19)}…\`).`);
    }
  });

  it('after a ⏪ rollback of :stable, auto-revert reports the restored build since the rollback, and the build below it', async () => {
    const s = await scenario();
    const { fail } = await promotedTwice(s, true);
    for (const method of ['api', 'git'] as const) {
      const workspace = method === 'git' ? { workspace: await s.f.clone(`ws-${method}`, { depth: 1, ref: fail }) } : {};
      const r = await runOnFailure('auto-revert', s, fail, { inputs: { method, 'dry-run': 'true' }, ...workspace });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs).toMatchObject({ outcome: 'dry-run', 'stable-commit': s.g, 'stable-digest': D1, 'stable-since': '2025-03-01T12:00:00Z' });
      // G2 is popped by the rollback; below G's re-promotion (D1) is G's first promotion (the scenario's digest).
      expect(r.summary).toContain(`**What :stable serves:** build \`${s.g.slice(0, 7)}\`, ghcr.io/owner/app@\`${D1.slice(0, 19)}…\` since 2025-03-01T12:00:00Z; previous build \`${s.g.slice(0, 7)}\``);
      expect(r.summary).not.toContain(D2.slice(0, 19));
    }
  });

  it('the one-step rollback writes the same outputs after reverting (a revert moves no tag)', async () => {
    const s = await scenario();
    const { g2, fail } = await promotedTwice(s, false);
    const r = await runAction('rollback', {
      inputs: { fingerprint: 'ci-cd rollback main' },
      event: { ref: 'refs/heads/main', after: fail, head_commit: { id: fail, message: 'x' } },
      github: { sha: fail, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
      env: { GITHUB_API_URL: s.api.url, GITHUB_SERVER_URL: s.api.serverUrl, GITHUB_REPOSITORY: 'owner/app', GITHUB_EVENT_NAME: 'push', GITHUB_RUN_ID: '31' },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ reverted: 'true', 'target-sha': g2, 'stable-commit': g2, 'stable-digest': D2, 'stable-since': '2025-03-01T11:00:00Z' });
    expect(r.summary).toContain(`**What :stable serves:** build \`${g2.slice(0, 7)}\``);
  });

  it('a ledger without :stable entries leaves the outputs empty and says so', async () => {
    const t = await scenario();
    await git(t.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    // The ledger starts again with one entry: G passed its tests and went to :canary only.
    await t.f.commit('ledger: start again', { 'docs/ML_EXPERIMENT_RESULTS.md': '' });
    await t.f.recordEntries([passed(t.g, { tags: ['canary'] })], 'greenline: ledger canary [skip ci]');
    const broken = await t.f.commit('broken', { 'app.py': 'x(\n' });
    await t.f.push();
    const none = await runOnFailure('find-last-good-commit', t, broken);
    expect(none.code, none.stdout).toBe(0);
    expect(none.outputs).toMatchObject({ found: 'true', sha: t.g, 'stable-commit': '', 'stable-digest': '', 'stable-since': '' });
    expect(none.summary).toContain('**What :stable serves:** not known: docs/ML_EXPERIMENT_RESULTS.md records no build promoted to :stable.');
  });

  it('a ledger of two images: the image of the last good build is the one reported', async () => {
    const s = await scenario();
    await git(s.f.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    const other = await s.f.commit('feat: worker', { 'worker.py': 'w = 1\n' });
    await s.f.recordEntries([passed(other, { image: 'ghcr.io/owner/worker', digest: D2, timestamp: '2025-04-01T09:00:00Z' })], 'greenline: ledger worker [skip ci]');
    const fail = await s.f.commit('broken', { 'app.py': 'x(\n' });
    await s.f.push();
    const r = await runOnFailure('find-last-good-commit', s, fail);
    expect(r.code, r.stdout).toBe(0);
    // The last good build is the worker's (the newest ✅): :stable of ghcr.io/owner/worker is reported.
    expect(r.outputs).toMatchObject({ sha: other, image: 'ghcr.io/owner/worker', 'stable-commit': other, 'stable-digest': D2, 'stable-since': '2025-04-01T09:00:00Z' });
    expect(r.summary).toContain('ghcr.io/owner/worker@');
  });
});

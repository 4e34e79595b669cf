/**
 * The one-step health monitor (actions/health-monitor → dist/health-monitor/index.js), run as the runner runs it
 * in seed 002's world: a real registry, the app's bare git remote behind the GitHub stand-in, the service (a
 * loopback HTTP server running whatever build :stable is) scraped by a real Prometheus. Builds are promoted
 * through the example ci-cd.yml; the monitor is this one bundle. Every assertion reads the real state: registry
 * tags, git refs and commits, the ledger on main, issues and comments in the stand-in.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { decodeMarker } from '../../src/core/incident/state.js';
import { parseLedger } from '../../src/core/ledger/parse.js';
import type { LedgerEntry } from '../../src/core/ledger/types.js';
import { runAction, type RunResult } from '../support/harness.js';
import { ERROR_RATE_QUERY, LEDGER, REPOSITORY, Story, TOKEN, startWorld, type ScenarioWorld } from '../support/scenario/index.js';

const exec = promisify(execFile);
const FINGERPRINT = 'health-monitor';
const LABEL = fingerprintLabel(FINGERPRINT);
const CHECKS = `- name: error-rate\n  query: ${ERROR_RATE_QUERY}\n  fail-if: '> 0.05'\n  on-empty: inconclusive\n`;

const worlds: ScenarioWorld[] = [];
afterAll(async () => {
  for (const w of worlds) {
    expect(w.standin.internalErrors).toEqual([]);
    await w.stop();
  }
});

/** A world where v1 was promoted and deployed, then `cache` was promoted and deployed: the service fails. */
async function badDeployWorld(): Promise<{ world: ScenarioWorld; story: Story }> {
  const world = await startWorld();
  worlds.push(world);
  const story = new Story(world);
  await story.goodBuild();
  await story.badDeploy();
  return { world, story };
}

let runId = 7000;
/** The monitor's step, as the scheduled workflow runs it on main's head. */
async function monitor(world: ScenarioWorld, inputs: Record<string, string> = {}): Promise<RunResult> {
  runId += 1;
  const head = await world.repo.head();
  return runAction('health-monitor', {
    inputs: {
      image: world.image,
      url: world.service.url,
      attempts: '1',
      interval: '1s',
      'prometheus-url': world.prometheus.url,
      checks: CHECKS,
      fingerprint: FINGERPRINT,
      ...inputs,
    },
    github: { sha: head, token: TOKEN, repository: REPOSITORY, ref: 'refs/heads/main', actor: 'github-actions[bot]' },
    env: {
      GITHUB_API_URL: world.standin.url,
      GITHUB_SERVER_URL: world.standin.serverUrl,
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_WORKFLOW: 'health-monitor',
      GITHUB_JOB: 'monitor',
      GITHUB_RUN_ID: String(runId),
    },
    timeoutMs: 120_000,
  });
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const view = (entries: LedgerEntry[]) => entries.map((e) => ({ status: e.status, commit: e.commit, digest: e.digest }));
const git = async (cwd: string, args: string[]) => (await exec('git', ['-c', 'user.name=Dana', '-c', 'user.email=dana@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd })).stdout.trim();
const parentsOf = async (w: ScenarioWorld, sha: string) => (await git(w.repo.bare, ['rev-list', '--parents', '-n', '1', sha])).split(' ').slice(1);
const refs = (w: ScenarioWorld) => git(w.repo.bare, ['for-each-ref', '--format=%(refname) %(objectname)']);
const healthIssues = (w: ScenarioWorld) => w.issues().filter((i) => i.labels.includes(LABEL));

/** The ledger on main rewritten by hand in the bold `**Commit**:` style (what a data team keeps), pushed [skip ci]. */
async function rewriteLedgerBold(world: ScenarioWorld): Promise<string> {
  const { entries } = await world.ledger();
  const blocks = entries.map((e, i) =>
    [
      `## Run ${i + 14} — ${e.timestamp ?? ''}`,
      '',
      `**Commit**: \`${e.commit}\``,
      `**Status**: ${e.status === 'passed' ? '✅ Passed' : e.statusText}`,
      `**Image**: \`${e.image}@${e.digest}\``,
      `**Accuracy**: 0.9${i}`,
      '',
    ].join('\n'),
  );
  const text = `# Experiment log\n\nHand-maintained by the data team. Newest at the bottom.\n\n${blocks.join('\n')}`;
  await git(world.repo.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
  await writeFile(join(world.repo.work, LEDGER), text);
  await git(world.repo.work, ['commit', '-q', '-am', 'docs: the experiment log, kept by hand [skip ci]']);
  await git(world.repo.work, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  return text;
}

describe.each([
  ['greenline’s own ledger', false],
  ['a hand-written ledger in the bold **Commit**: style', true],
] as const)('seed 002 through the one-step monitor, on %s', (_name, bold) => {
  let world: ScenarioWorld;
  let story: Story;

  it('bad deploy → CRITICAL: build ⛔, main reverted ([skip ci], never forced), :stable back to the previous good build, one incident', async () => {
    ({ world, story } = await badDeployWorld());
    const v1 = story.commits.v1!;
    const cache = story.commits.cache!;
    const [d1, d3] = [story.digests.v1!, story.digests.cache!];
    if (bold) {
      const text = await rewriteLedgerBold(world);
      expect(text).toContain(`**Commit**: \`${cache}\``);
      expect(text).not.toMatch(/^Commit:/m);
      // The suite's parser reads it: the same builds, the same images.
      expect(view(parseLedger(text).entries)).toEqual([
        { status: 'passed', commit: v1, digest: d1 },
        { status: 'passed', commit: cache, digest: d3 },
      ]);
    }
    const before = (await world.ledger()).entries.length;
    const mainBefore = await world.repo.head();
    expect(await world.tagDigest('stable')).toBe(d3);

    const r = ok(await monitor(world));
    const revert = r.outputs['revert-sha']!;
    expect(r.outputs).toMatchObject({
      healthy: 'false',
      status: 'CRITICAL',
      'action-taken': 'rolled-back',
      'stable-commit': v1,
      'stable-digest': d1,
      'rolled-back-from': d3,
      'issue-number': '1',
      operation: 'created',
    });
    expect(r.outputs['stable-since']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const report = JSON.parse(r.outputs.report!) as { checks: { name: string; verdict: string }[] };
    expect(Object.fromEntries(report.checks.map((c) => [c.name, c.verdict]))).toMatchObject({ health: 'FAIL', 'error-rate': 'FAIL' });

    // The registry and the git tag: back on the good build.
    expect(await world.tagDigest('stable')).toBe(d1);
    expect(await world.tagDigest('latest')).toBe(d1);
    expect(await world.repo.tag('stable')).toBe(v1);

    // main: the revert commit on top of the ledger commit(s) above the bad build, then the ⏪ ledger commit.
    expect(await parentsOf(world, revert)).toEqual([mainBefore]);
    expect(await world.repo.sameTree(revert, v1, LEDGER)).toBe(true);
    const message = await world.repo.message(revert);
    expect(message.split('\n')[0]).toBe(`⚠️ Auto-rollback: Health gate CRITICAL (score 0), reverting to last successful build ${v1.slice(0, 7)}`);
    expect(message.split('\n')).toContain('[skip ci]');
    expect(message).toContain(`Greenline-Revert-Of: ${cache}`);
    expect(message).toContain(`Greenline-Rolled-Back: ${cache}`);
    const head = await world.repo.head();
    expect(await parentsOf(world, head)).toEqual([revert]);
    expect((await world.repo.message(head)).split('\n')[0]).toMatch(/\[skip ci\]/);

    // The ledger: ⛔ for the bad build, the good build recorded again, ⏪ restored; earlier text kept byte for byte.
    const { text, entries } = await world.ledger();
    expect(view(entries.slice(before))).toEqual([
      { status: 'rolled-back', commit: cache, digest: d3 },
      { status: 'passed', commit: v1, digest: d1 },
      { status: 'restored', commit: v1, digest: d1 },
    ]);
    expect(text.startsWith((await world.repo.show(mainBefore, LEDGER))!)).toBe(true);

    // One incident, saying what was done.
    const [issue, ...more] = healthIssues(world);
    expect(more).toEqual([]);
    expect(issue).toMatchObject({ number: 1, state: 'open', title: 'Incident: failed health check on main (app)' });
    expect(decodeMarker(issue!.body, LABEL, '')).toMatchObject({ kind: 'health', status: 'CRITICAL', failing: cache, restored: v1, runs: 1, fingerprint: FINGERPRINT });
    expect(issue!.body).toContain(':stable rolled back from');
    expect(issue!.body).toContain(`Build ${cache.slice(0, 7)} marked ⛔; main reverted to the last good build ${v1.slice(0, 7)}`);
    expect(r.summary).toMatch(/### ⏪ Health monitor: rolled-back/);
  });

  it('still unhealthy (the rollout is under way) → the incident is updated, nothing else: no further walk back', async () => {
    const ledger = (await world.ledger()).text;
    const before = await refs(world);
    const r = ok(await monitor(world));
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', 'action-taken': 'incident-updated', 'stable-commit': story.commits.v1, 'revert-sha': '', 'rolled-back-from': '', 'issue-number': '1' });
    expect(await world.tagDigest('stable')).toBe(story.digests.v1);
    expect(await world.tagDigest('latest')).toBe(story.digests.v1);
    expect(await refs(world)).toBe(before);
    expect((await world.ledger()).text).toBe(ledger);
    const [issue, ...more] = healthIssues(world);
    expect(more).toEqual([]);
    expect(decodeMarker(issue!.body, LABEL, '')).toMatchObject({ runs: 2, restored: story.commits.v1 });
    expect(issue!.body).toContain('already rolled back and the service is still unhealthy');
  });

  it('the service recovers → the incident is resolved (closed as completed); :stable stays', async () => {
    await story.rolloutCompletes();
    const before = await refs(world);
    const r = ok(await monitor(world));
    expect(r.outputs).toMatchObject({ healthy: 'true', status: 'HEALTHY', 'action-taken': 'resolved', operation: 'closed', 'issue-number': '1', 'stable-commit': story.commits.v1 });
    expect(healthIssues(world)[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(world.comments(1).at(-1)!.body).toMatch(/^✅ Resolved after/);
    expect(await refs(world)).toBe(before);
    expect(await world.tagDigest('stable')).toBe(story.digests.v1);

    // Healthy again with nothing open: nothing to do, nothing written.
    const writes = world.standin.requests.filter((q) => q.method !== 'GET').length;
    const quiet = ok(await monitor(world));
    expect(quiet.outputs).toMatchObject({ 'action-taken': 'none', operation: 'none', 'issue-number': '' });
    expect(world.standin.requests.filter((q) => q.method !== 'GET')).toHaveLength(writes);
  });
});

describe('main moved on since the bad build, and bad input', () => {
  let world: ScenarioWorld;
  let story: Story;

  it.each([
    ['image', { image: 'Not An Image!' }],
    ['url', { url: 'ftp://app.example.com' }],
    ['checks', { checks: '- name: x\n  query: up\n  fail-if: maybe' }],
    ['method', { method: 'ssh' }],
    ['max-per-day', { 'max-per-day': 'lots' }],
    ['tags', { tags: 'stable, bad tag' }],
    ['git-tag', { 'git-tag': 'refs/heads/stable' }],
    ['labels', { labels: 'incident:0123456789ab' }],
    ['fail-on', { 'fail-on': 'sometimes' }],
    ['webhook-url', { 'webhook-url': 'not a url' }],
    ['token', { token: '' }],
  ])('bad input %s → one line naming it, exit 1, nothing changed (no tag moved, no commit, no issue, no probe)', async (name, inputs) => {
    if (!world) ({ world, story } = await badDeployWorld());
    const before = { refs: await refs(world), stable: await world.tagDigest('stable'), latest: await world.tagDigest('latest'), requests: world.standin.requests.length, probes: world.service.requests.length };
    const r = await monitor(world, inputs);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(new RegExp(`^Input "${name}"`));
    expect(r.visibleStdout).not.toContain(TOKEN);
    expect(await refs(world)).toBe(before.refs);
    expect(await world.tagDigest('stable')).toBe(before.stable);
    expect(await world.tagDigest('latest')).toBe(before.latest);
    expect(world.standin.requests).toHaveLength(before.requests);
    expect(world.service.requests).toHaveLength(before.probes);
    expect(world.issues()).toEqual([]);
  });

  it('dry-run: probes and finds everything, changes nothing (no tag, no commit, no issue), says what it would do', async () => {
    if (!world) ({ world, story } = await badDeployWorld());
    const before = { refs: await refs(world), stable: await world.tagDigest('stable'), writes: world.standin.requests.filter((q) => q.method !== 'GET').length };
    const r = ok(await monitor(world, { 'dry-run': 'true' }));
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', 'action-taken': 'rolled-back', 'rolled-back-from': story.digests.cache, 'revert-sha': '', 'issue-number': '' });
    expect(r.summary).toMatch(/Would move stable, latest to sha256:/);
    expect(await refs(world)).toBe(before.refs);
    expect(await world.tagDigest('stable')).toBe(before.stable);
    expect(world.standin.requests.filter((q) => q.method !== 'GET')).toHaveLength(before.writes);
    expect(world.issues()).toEqual([]);
  });

  it('someone pushed after the bad build → main untouched, :stable still rolled back, the build ⛔, the incident says so', async () => {
    if (!world) ({ world, story } = await badDeployWorld());
    const pushed = await world.repo.push('notes');
    const cache = story.commits.cache!;
    const v1 = story.commits.v1!;
    const before = (await world.ledger()).entries.length;

    // With a deploy branch (Streamlit Community Cloud's `stable`): it follows :stable back to v1's tree.
    const r = ok(await monitor(world, { 'deploy-branch': 'production' }));
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', 'action-taken': 'rolled-back', 'revert-sha': '', 'stable-commit': v1, 'stable-digest': story.digests.v1, 'rolled-back-from': story.digests.cache });
    expect(r.warnings.join('\n')).toMatch(/not at the failing commit/);
    const deployed = await git(world.repo.bare, ['rev-parse', 'refs/heads/production']);
    expect(await git(world.repo.bare, ['rev-parse', `${deployed}^{tree}`])).toBe(await git(world.repo.bare, ['rev-parse', `${v1}^{tree}`]));
    expect((await world.ledger()).entries.at(-1)).toMatchObject({ status: 'restored', commit: v1, deploy: { branch: 'production', commit: deployed } });
    expect(await world.tagDigest('stable')).toBe(story.digests.v1);
    expect(await world.repo.tag('stable')).toBe(v1);

    // main: nobody's work undone. Only greenline's ledger commits ([skip ci], the ledger alone) above the push.
    const head = await world.repo.head();
    expect(await world.repo.sameTree(head, pushed, LEDGER)).toBe(true);
    const above = (await git(world.repo.bare, ['rev-list', '--first-parent', `${pushed}..${head}`])).split('\n');
    expect(above).toHaveLength(3);
    for (const sha of above) {
      expect(await world.repo.message(sha)).toMatch(/\[skip ci\]/);
      expect(await git(world.repo.bare, ['diff-tree', '--no-commit-id', '--name-only', '-r', sha])).toBe(LEDGER);
    }
    expect(view((await world.ledger()).entries.slice(before))).toEqual([
      { status: 'rolled-back', commit: cache, digest: story.digests.cache },
      { status: 'passed', commit: v1, digest: story.digests.v1 },
      { status: 'restored', commit: v1, digest: story.digests.v1 },
    ]);
    expect(await world.oneLiner()).toBe(v1);

    const [issue, ...more] = healthIssues(world);
    expect(more).toEqual([]);
    expect(decodeMarker(issue!.body, LABEL, '')).toMatchObject({ kind: 'health', failing: cache, restored: v1 });
    expect(issue!.body).toContain('main has moved on since build');
    expect(issue!.body).toContain(`Build ${cache.slice(0, 7)} marked ⛔ Rolled back`);
    expect(issue!.body).toContain(':stable rolled back from');
  });

  it('a new build promoted while the incident that rolled back is open, still unhealthy → the incident only, :stable stays', async () => {
    const fix = await world.repo.push('fix');
    const ci = await world.ciCd(fix);
    expect(ci.jobs.find((j) => j.id === 'promote')?.result).toBe('success');
    const promoted = await world.tagDigest('stable');
    expect(promoted).not.toBe(story.digests.v1);
    const ledger = (await world.ledger()).text;
    const before = await refs(world);

    // The service still runs the bad build (nothing deployed the new one yet): unhealthy, and not this build's doing.
    const r = ok(await monitor(world));
    expect(r.outputs).toMatchObject({ status: 'CRITICAL', 'action-taken': 'incident-updated', 'stable-commit': fix, 'stable-digest': promoted, 'rolled-back-from': '', 'revert-sha': '' });
    expect(await world.tagDigest('stable')).toBe(promoted);
    expect(await refs(world)).toBe(before);
    expect((await world.ledger()).text).toBe(ledger);
    const [issue, ...more] = healthIssues(world);
    expect(more).toEqual([]);
    expect(issue!.state).toBe('open');
    expect(decodeMarker(issue!.body, LABEL, '')).toMatchObject({ runs: 2, restored: story.commits.v1 });
    expect(issue!.body).toContain('is open and records a rollback');
  });
});

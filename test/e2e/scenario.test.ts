/**
 * Seed 002's story end to end, through the example workflow files (ci-cd.yml, health-monitor.yml) run step by
 * step by the local executor, with greenline's bundles run as the runner runs them, against a real registry,
 * the app's bare git remote, a real HTTP service scraped by a real Prometheus, and the GitHub API stand-in:
 *
 *   good build promoted → bad commit fails tests → main reverted with [skip ci], rollback incident opened →
 *   a build that passes tests but fails the health gate → :stable rolled back, build marked ⛔, health incident
 *   opened, then updated (not duplicated) → fix → promoted, monitor healthy, incident closed. Then a drill of the
 *   manual path (rollback.yml) and the next ordinary promotion, which resolves the drill's incident.
 *
 * After every chapter the assertions read the real state: registry tags, git refs and commits, the ledger on
 * main (and the seed's one-liner on it), issues and comments in the stand-in. script/demo plays the same story.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { decodeMarker } from '../../src/core/incident/state.js';
import type { LedgerEntry } from '../../src/core/ledger/types.js';
import { CI_INCIDENT, HEALTH_INCIDENT, LEDGER, Story, startWorld, step, type ScenarioWorld } from '../support/scenario/index.js';
import { findJob } from '../support/workflow/index.js';

const CI_LABEL = fingerprintLabel(CI_INCIDENT);
const HEALTH_LABEL = fingerprintLabel(HEALTH_INCIDENT);

let world: ScenarioWorld;
let story: Story;
const started = Date.now();

beforeAll(async () => {
  world = await startWorld();
  story = new Story(world);
}, 60_000);

afterAll(async () => {
  if (!world) return;
  expect(world.standin.internalErrors).toEqual([]);
  expect(world.standin.unknownRequests()).toEqual([]); // never the search API
  await world.stop();
  console.log(`scenario: ${((Date.now() - started) / 1000).toFixed(0)} s`);
});

/** Compact view of ledger entries for assertions. */
const view = (entries: LedgerEntry[]) => entries.map((e) => ({ status: e.status, commit: e.commit, digest: e.digest }));
const subjectOf = async (sha: string) => (await world.repo.message(sha)).split('\n')[0]!;
const parentsOf = async (sha: string) => (await world.repo.log(50)).find((c) => c.sha === sha)?.parents ?? [];
const issue = (n: number) => world.issues().find((i) => i.number === n)!;
const stateOf = (n: number, label: string) => decodeMarker(issue(n).body, label, '');

describe.sequential('seed 002, end to end through the example workflows', () => {
  it('1. a good build is promoted: :stable and :latest are the tested digest, ledger ✅, git tag stable', async () => {
    const c = await story.goodBuild();
    const v1 = story.commits.v1!;
    const d1 = story.digests.v1!;
    expect(d1).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await world.tagDigest(v1)).toBe(d1);
    expect(await world.tagDigest('stable')).toBe(d1);
    expect(await world.tagDigest('latest')).toBe(d1);
    expect(step(c.traces[0]!, 'promote', 'promote').outputs.digest).toBe(d1);

    const { entries } = await world.ledger();
    expect(view(entries)).toEqual([{ status: 'passed', commit: v1, digest: d1 }]);
    expect(entries[0]!.image).toBe(world.image);
    const head = await world.repo.head();
    expect(await parentsOf(head)).toEqual([v1]);
    expect(await subjectOf(head)).toMatch(/\[skip ci\]/);
    expect(await world.repo.tag('stable')).toBe(v1);
    expect(await world.oneLiner()).toBe(v1);
    expect(world.issues()).toEqual([]);
    expect(world.deployed).toMatchObject({ sha: v1, ok: true, output: '42' });
  });

  it('2. a bad commit fails its tests: main reverted with [skip ci] by the root action, rollback incident opened, :stable untouched', async () => {
    const c = await story.badCommit();
    const [trace, revertRun] = c.traces;
    const bad = story.commits.featureStore!;
    const v1 = story.commits.v1!;
    expect(findJob(trace!, 'test').steps.at(-1)!.stderr).toMatch(/feature_store\.sh: No such file/);
    const out = findJob(trace!, 'rollback').steps[0]!;
    expect(out.via).toEqual({ greenline: 'rollback' });
    expect(out.outputs).toMatchObject({ found: 'true', sha: v1, 'target-sha': v1, reverted: 'true', operation: 'created', 'issue-number': '1' });

    // main: the revert commit on top of the failing commit, the good tree, [skip ci] and trailers.
    const revert = await world.repo.head();
    expect(out.outputs['revert-sha']).toBe(revert);
    expect(await parentsOf(revert)).toEqual([bad]);
    expect(await world.repo.sameTree(revert, v1, LEDGER)).toBe(true);
    const message = await world.repo.message(revert);
    // The skip marker is in the body: a git revert of this commit (the code re-landed) is tested.
    expect(message.split('\n')[0]).toBe(`⚠️ Auto-rollback: Tests failed, reverting to last successful build ${v1.slice(0, 7)}`);
    expect(message.split('\n')).toContain('[skip ci]');
    expect(message).toContain(`Greenline-Revert-Of: ${bad}`);
    expect(message).toContain(`Greenline-Restored: ${v1}`);
    expect(revertRun!.triggered).toBe(false); // GitHub does not start ci-cd for the [skip ci] revert

    // The image and the ledger: untouched (the bad commit's image was built but never promoted).
    expect(await world.tagDigest(bad)).toBe(story.digests.featureStore);
    expect(await world.tagDigest('stable')).toBe(story.digests.v1);
    expect(await world.tagDigest('latest')).toBe(story.digests.v1);
    expect(view((await world.ledger()).entries)).toEqual([{ status: 'passed', commit: v1, digest: story.digests.v1 }]);
    expect(await world.oneLiner()).toBe(v1);
    expect(await world.repo.tag('stable')).toBe(v1);

    // One incident, open, labelled with ci-cd's fingerprint, naming the failing and the restored commit.
    expect(world.issues().map((i) => ({ number: i.number, state: i.state, title: i.title, labels: i.labels }))).toEqual([
      { number: 1, state: 'open', title: 'Incident: rollback on main (app)', labels: ['incident', CI_LABEL] },
    ]);
    expect(stateOf(1, CI_LABEL)).toMatchObject({ kind: 'rollback', status: 'ROLLED BACK', failing: bad, restored: v1, fingerprint: CI_INCIDENT });
    expect(issue(1).body).toContain('💥 feat: read features from the feature store');
    expect(issue(1).body).toContain('**main was rolled back**');
  });

  it('3. a build that passes its tests is promoted (the rollback incident closes) and deployed: it fails in production', async () => {
    const c = await story.badDeploy();
    const cache = story.commits.cache!;
    const d3 = story.digests.cache!;
    expect(await world.tagDigest('stable')).toBe(d3);
    expect(await world.tagDigest('latest')).toBe(d3);
    expect(await world.repo.tag('stable')).toBe(cache);
    const { entries } = await world.ledger();
    expect(view(entries).at(-1)).toEqual({ status: 'passed', commit: cache, digest: d3 });
    expect(await world.oneLiner()).toBe(cache);

    expect(step(c.traces[0]!, 'promote', 'Resolve the rollback incident').outputs).toMatchObject({ operation: 'closed', 'issue-number': '1' });
    expect(issue(1)).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(world.comments(1).at(-1)!.body).toMatch(/^✅ Resolved after/);

    expect(world.deployed).toMatchObject({ sha: cache, digest: d3, ok: false });
    expect(world.deployed!.output).toMatch(/cache\.sh: No such file/);
  });

  it('4. the health monitor: CRITICAL → build ⛔, main reverted, :stable rolled back to the previous good build, health incident opened', async () => {
    const before = (await world.ledger()).entries.length;
    const ledgerCommit = await world.repo.head();
    const c = await story.monitorRollsBack();
    const trace = c.traces[0]!;
    const v1 = story.commits.v1!;
    const cache = story.commits.cache!;

    // The gate: HTTP and Prometheus agree; the one step rolled back.
    const gate = step(trace, 'monitor', 'monitor').outputs;
    expect(gate).toMatchObject({ status: 'CRITICAL', healthy: 'false', 'action-taken': 'rolled-back', 'stable-commit': v1, 'stable-digest': story.digests.v1, 'rolled-back-from': story.digests.cache });
    const report = JSON.parse(gate.report!) as { checks: { name: string; verdict: string; type: string; query?: string }[]; prometheus?: { up: boolean } };
    const verdicts = Object.fromEntries(report.checks.map((x) => [x.name, x.verdict]));
    expect(verdicts).toMatchObject({ connectivity: 'PASS', health: 'FAIL', 'error-rate': 'FAIL' });
    expect(report.checks.find((x) => x.name === 'error-rate')).toMatchObject({ type: 'prometheus', query: expect.stringContaining('http_requests_total') });
    expect(report.prometheus?.up).toBe(true);
    expect(trace.jobs.map((j) => j.steps.map((s) => s.via))).toEqual([[{ greenline: 'health-monitor' }]]);

    // :stable and :latest back on the good build's digest; git tag stable follows.
    expect(await world.tagDigest('stable')).toBe(story.digests.v1);
    expect(await world.tagDigest('latest')).toBe(story.digests.v1);
    expect(await world.repo.tag('stable')).toBe(v1);

    // The ledger: ⛔ for the bad build, the last good build recorded again, ⏪ restored; one-liner agrees.
    expect(view((await world.ledger()).entries.slice(before))).toEqual([
      { status: 'rolled-back', commit: cache, digest: story.digests.cache },
      { status: 'passed', commit: v1, digest: story.digests.v1 },
      { status: 'restored', commit: v1, digest: story.digests.v1 },
    ]);
    expect(await world.oneLiner()).toBe(v1);

    // main: reverted to the good tree on top of the ledger commit ([skip ci]), then the ⏪ ledger commit.
    const revert = story.commits.monitorRevert!;
    expect(gate['revert-sha']).toBe(revert);
    expect(await parentsOf(revert)).toEqual([ledgerCommit]);
    expect(await world.repo.sameTree(revert, v1, LEDGER)).toBe(true);
    expect(await subjectOf(revert)).toMatch(/^⚠️ Auto-rollback: Health gate CRITICAL \(score 0\), reverting to last successful build [0-9a-f]{7}$/);
    expect((await world.repo.message(revert)).split('\n')).toContain('[skip ci]');
    const head = await world.repo.head();
    expect(await parentsOf(head)).toEqual([revert]);
    expect(await subjectOf(head)).toMatch(/\[skip ci\]/);

    // The health incident: a second issue, its own fingerprint, the report and what was done.
    expect(world.issues().map((i) => [i.number, i.state, i.labels])).toEqual([
      [1, 'closed', ['incident', CI_LABEL]],
      [2, 'open', ['incident', HEALTH_LABEL]],
    ]);
    expect(issue(2).title).toBe('Incident: failed health check on main (app)');
    expect(stateOf(2, HEALTH_LABEL)).toMatchObject({ kind: 'health', status: 'CRITICAL', failing: cache, restored: v1, runs: 1 });
    expect(issue(2).body).toContain('error-rate');
    expect(issue(2).body).toContain(':stable rolled back from');
    expect(issue(2).body).toContain('marked ⛔; main reverted to the last good build');
  });

  it('5. the monitor again, still unhealthy: the same incident updated (not duplicated), :stable not walked back further', async () => {
    const ledger = (await world.ledger()).text;
    const head = await world.repo.head();
    const c = await story.monitorAgain();
    const trace = c.traces[0]!;
    expect(step(trace, 'monitor', 'monitor').outputs).toMatchObject({ status: 'CRITICAL', 'action-taken': 'incident-updated', 'stable-commit': story.commits.v1, 'revert-sha': '', 'rolled-back-from': '', 'issue-number': '2', operation: 'commented' });
    expect(await world.tagDigest('stable')).toBe(story.digests.v1);
    expect((await world.ledger()).text).toBe(ledger);
    expect(await world.repo.head()).toBe(head);
    expect(world.issues()).toHaveLength(2);
    expect(world.issues().filter((i) => i.labels.includes(HEALTH_LABEL))).toHaveLength(1);
    expect(stateOf(2, HEALTH_LABEL)).toMatchObject({ runs: 2 });
    expect(issue(2).body).toContain('already rolled back and the service is still unhealthy');
  });

  it('6. the rollout completes: the service runs the restored build and is healthy', async () => {
    await story.rolloutCompletes();
    expect(world.deployed).toMatchObject({ sha: story.commits.v1, digest: story.digests.v1, ok: true });
  });

  it('7. the fix is tested, promoted and deployed', async () => {
    const c = await story.fix();
    const fix = story.commits.fix!;
    const d5 = story.digests.fix!;
    expect(await world.repo.show(fix, 'app/cache.sh')).toContain('CACHE_SIZE');
    expect(await world.tagDigest('stable')).toBe(d5);
    expect(await world.tagDigest('latest')).toBe(d5);
    expect(await world.repo.tag('stable')).toBe(fix);
    expect(view((await world.ledger()).entries).at(-1)).toEqual({ status: 'passed', commit: fix, digest: d5 });
    expect(await world.oneLiner()).toBe(fix);
    expect(step(c.traces[0]!, 'promote', 'Resolve the rollback incident').outputs.operation).toBe('none');
    expect(world.deployed).toMatchObject({ sha: fix, ok: true });
    expect(issue(2).state).toBe('open');
  });

  it('8. the monitor is healthy: the health incident is closed as completed; no issue left open, none duplicated', async () => {
    const c = await story.monitorHealthy();
    expect(step(c.traces[0]!, 'monitor', 'monitor').outputs).toMatchObject({ status: 'HEALTHY', healthy: 'true', 'action-taken': 'resolved', 'stable-commit': story.commits.fix, operation: 'closed', 'issue-number': '2' });
    expect(issue(2)).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(world.comments(2).at(-1)!.body).toMatch(/^✅ Resolved after/);
    expect(world.issues().map((i) => [i.number, i.state])).toEqual([
      [1, 'closed'],
      [2, 'closed'],
    ]);
    expect(await world.tagDigest('stable')).toBe(story.digests.fix);
  });

  it('9. a drill with rollback.yml (what=image, to=previous): :stable back to the previous good build, ⏪ recorded, main untouched, rollback incident opened', async () => {
    const before = (await world.ledger()).entries.length;
    const mainBefore = await world.repo.head();
    const c = await story.drill();
    const trace = c.traces[0]!;
    const v1 = story.commits.v1!;
    expect(trace.runName).toBe('Roll back image to previous');
    expect(findJob(trace, 'rollback').steps.at(-1)!.outputs).toMatchObject({ 'stable-digest': story.digests.v1, 'previous-digest': story.digests.fix, 'stable-commit': v1, 'main-outcome': 'skipped' });
    // The previous good build is v1: the ⛔ build in between is skipped.
    expect(await world.tagDigest('stable')).toBe(story.digests.v1);
    expect(await world.tagDigest('latest')).toBe(story.digests.v1);
    expect(await world.repo.tag('stable')).toBe(v1);
    expect(view((await world.ledger()).entries.slice(before))).toEqual([{ status: 'restored', commit: v1, digest: story.digests.v1 }]);
    // main only got the ⏪ ledger commit ([skip ci]) on top: the code on main is still the fix.
    const head = await world.repo.head();
    expect(await parentsOf(head)).toEqual([mainBefore]);
    expect(await subjectOf(head)).toMatch(/\[skip ci\]/);
    expect(await world.repo.sameTree(head, story.commits.fix!, LEDGER)).toBe(true);
    // The rollback incident (ci-cd's fingerprint): the CI incident resolved earlier today is reopened
    // (reopen-window 1d by default), not a new issue.
    expect(world.issues().map((i) => [i.number, i.state])).toEqual([
      [1, 'open'],
      [2, 'closed'],
    ]);
    expect(issue(1).labels).toContain(CI_LABEL);
    expect(issue(1).state_reason).toBe('reopened');
    expect(stateOf(1, CI_LABEL)).toMatchObject({ kind: 'rollback', restored: v1 });
    expect(issue(1).body).toContain('Manual rollback of **image**');
    expect(world.deployed).toMatchObject({ sha: v1, ok: true });
  });

  it('10. the next push is promoted as usual and resolves the drill’s incident: every issue closed', async () => {
    const c = await story.nextPush();
    const notes = story.commits.notes!;
    expect(await world.tagDigest('stable')).toBe(story.digests.notes);
    expect(await world.repo.tag('stable')).toBe(notes);
    expect(view((await world.ledger()).entries).at(-1)).toEqual({ status: 'passed', commit: notes, digest: story.digests.notes });
    expect(await world.oneLiner()).toBe(notes);
    expect(step(c.traces[0]!, 'promote', 'Resolve the rollback incident').outputs).toMatchObject({ operation: 'closed', 'issue-number': '1' });
    expect(world.issues().map((i) => [i.number, i.state, i.state_reason])).toEqual([
      [1, 'closed', 'completed'],
      [2, 'closed', 'completed'],
    ]);
    expect((await story.whereToLook()).join('\n')).toMatch(new RegExp(`one-liner .*→\\s+${notes}`));
  });
});

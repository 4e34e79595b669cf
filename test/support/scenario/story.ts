/**
 * Seed 002's story, chapter by chapter, played through the three example workflows in a ScenarioWorld:
 *
 *   1. a good build is promoted
 *   2. a bad commit fails its tests → ci-cd's rollback job (the root action) reverts main with [skip ci] and
 *      opens the rollback incident
 *   3. a build that passes its tests is promoted (the rollback incident is resolved) and deployed: it fails
 *   4. the health monitor: CRITICAL → build marked ⛔, main reverted, :stable rolled back, health incident opened
 *   5. the monitor again while the rollout is still under way: the same incident updated, not duplicated,
 *      :stable not walked back further
 *   6. the rollout completes: the service is healthy on the restored build
 *   7. the fix is pushed, tested, promoted and deployed
 *   8. the monitor: HEALTHY → the incident is closed
 *   9. a drill of the emergency path: a person rolls :stable back with rollback.yml
 *  10. the next push is promoted as usual and resolves the drill's incident
 *
 * Each chapter returns what happened as lines a person can follow (read from the workflow traces and the real
 * state: registry, git, ledger, issues). The test asserts on the state after each chapter; script/demo prints
 * the lines.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type JobResult, type StepTrace, type WorkflowTrace, findJob, formatTimeline, jobResults } from '../workflow/index.js';
import type { VersionName } from './app.js';
import { LEDGER, type Deployment, type ScenarioWorld } from './world.js';

export interface Chapter {
  n: number;
  title: string;
  lines: string[];
  traces: WorkflowTrace[];
}

const MARK: Record<JobResult, string> = { success: '✓', failure: '✗', cancelled: '⊘', skipped: '○' };
const short = (sha: string | undefined) => (sha ? sha.slice(0, 7) : '—');
const dig = (digest: string | undefined) => (digest ? `${digest.slice(0, 19)}…` : '—');
const clock = () => new Date().toISOString().slice(11, 19);

/** Fails with the run's timeline (logs included) when a workflow's jobs did not end as the story needs. */
export function expectJobs(trace: WorkflowTrace, expected: Record<string, JobResult>): void {
  const got = jobResults(trace);
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new Error(`${trace.name}: jobs ended ${JSON.stringify(got)}, the story needs ${JSON.stringify(expected)}\n${formatTimeline(trace, { logs: true, outputs: true })}`);
  }
}

/** A step of a job by id or name (its outputs are what the story reads). */
export function step(trace: WorkflowTrace, job: string, name: string): StepTrace {
  const j = findJob(trace, job);
  const s = j.steps.find((x) => x.id === name) ?? j.steps.find((x) => x.name === name);
  if (!s) throw new Error(`${trace.name}: job ${job} has no step ${name}`);
  return s;
}

function jobsLine(trace: WorkflowTrace): string {
  return trace.jobs.map((j) => `${j.id} ${MARK[j.result]}`).join(' · ');
}

export class Story {
  readonly world: ScenarioWorld;
  /** The commits of the story: the developer's (by version) and greenline's. */
  readonly commits: Partial<Record<VersionName | 'revert' | 'monitorRevert', string>> = {};
  /** Image digests by the version they were built from. */
  readonly digests: Partial<Record<VersionName, string>> = {};
  readonly chapters: Chapter[] = [];
  /** Issue numbers: the rollback incident (ci-cd) and the health incident (monitor). */
  readonly issues: { rollback?: number; health?: number; drill?: number } = {};

  constructor(world: ScenarioWorld) {
    this.world = world;
  }

  private chapter(title: string): Chapter {
    const c: Chapter = { n: this.chapters.length + 1, title, lines: [], traces: [] };
    this.chapters.push(c);
    return c;
  }

  private say(c: Chapter, what: string, text: string, time = true): void {
    c.lines.push(`${time ? clock() : '        '}  ${what.padEnd(9)} ${text}`);
  }

  private async push(c: Chapter, version: VersionName): Promise<string> {
    const sha = await this.world.repo.push(version);
    this.commits[version] = sha;
    const subject = (await this.world.repo.message(sha)).split('\n')[0];
    this.say(c, 'push', `${short(sha)} “${subject}” to main (by Dana)`);
    return sha;
  }

  /** ci-cd.yml for a push: test, build (the candidate image, tagged with the SHA), promote or roll back. */
  private async ciCd(c: Chapter, sha: string, expected: Record<string, JobResult>, version: VersionName): Promise<WorkflowTrace> {
    const trace = await this.world.ciCd(sha);
    c.traces.push(trace);
    expectJobs(trace, expected);
    this.say(c, 'ci-cd', `${jobsLine(trace)}  (run ${String(trace.github.run_id)})`);
    const test = findJob(trace, 'test').steps.at(-1)!;
    this.say(c, '', `test: ${(`${test.stdout}${test.stderr}`.trim().split('\n').at(-1) ?? '').trim()}`, false);
    const digest = findJob(trace, 'build').outputs.digest;
    if (digest) {
      this.digests[version] = digest;
      this.say(c, '', `build: pushed ${this.world.image.replace(/^[^/]+\//, '')}:${short(sha)}… as ${dig(digest)}`, false);
    }
    return trace;
  }

  private async deploy(c: Chapter, note = ''): Promise<Deployment> {
    const d = await this.world.deploy();
    const version = (Object.keys(this.commits) as (keyof Story['commits'])[]).find((k) => this.commits[k] === d.sha);
    this.say(c, 'deploy', `${note}the service now runs ${short(d.sha)}${version ? ` (${version})` : ''}, image ${dig(d.digest)}: ${d.ok ? `predict 21 = ${d.output} ✓` : `✗ ${d.output}`}`);
    return d;
  }

  private async ledgerLine(c: Chapter, from = 0): Promise<void> {
    const { entries } = await this.world.ledger();
    for (const e of entries.slice(from)) {
      const what = e.statusText.split(' ')[0] ?? '';
      const reason = e.reason?.replace(/sha256:[0-9a-f]{64}/g, (d) => dig(d));
      this.say(c, 'ledger', `${what} ${short(e.commit)} ${e.statusText.slice(what.length + 1)}${e.digest ? ` · ${dig(e.digest)}` : ''}${reason ? ` · ${reason}` : ''}`, false);
    }
  }

  private async ledgerCount(): Promise<number> {
    return (await this.world.ledger()).entries.length;
  }

  /** 1. The first commit passes its tests, its image is promoted to :stable and deployed. */
  async goodBuild(): Promise<Chapter> {
    const c = this.chapter('A good build is promoted');
    const sha = await this.push(c, 'v1');
    const trace = await this.ciCd(c, sha, { test: 'success', build: 'success', promote: 'success', rollback: 'skipped' }, 'v1');
    const promoted = step(trace, 'promote', 'promote').outputs;
    this.say(c, 'promote', `:stable, :latest → ${dig(promoted.digest)} (the digest that was tested); git tag stable → ${short(await this.world.repo.tag('stable'))}`, false);
    await this.ledgerLine(c);
    await this.deploy(c);
    return c;
  }

  /** 2. A commit breaks the tests: main is reverted with [skip ci], the rollback incident is opened. */
  async badCommit(): Promise<Chapter> {
    const c = this.chapter('A bad commit fails its tests: main is rolled back');
    const sha = await this.push(c, 'featureStore');
    const trace = await this.ciCd(c, sha, { test: 'failure', build: 'success', promote: 'skipped', rollback: 'success' }, 'featureStore');
    const out = findJob(trace, 'rollback').steps[0]!.outputs;
    this.commits.revert = out['revert-sha'];
    const subject = (await this.world.repo.message(out['revert-sha']!)).split('\n')[0];
    this.say(c, 'rollback', `the one-step rollback (root action): last good build ${short(out.sha)} → main reverted by ${short(out['revert-sha'])} “${subject}”`, false);
    this.say(c, 'ledger', `unchanged: ${short(sha)} never passed its tests, so nothing is marked ⛔ (the seed's one-liner still answers ${short(await this.world.oneLiner())})`, false);
    this.issues.rollback = Number(out['issue-number']);
    this.say(c, 'incident', `#${out['issue-number']} ${out.operation}: “${this.world.issues().find((i) => i.number === this.issues.rollback)?.title}” ${out['issue-url']}`, false);
    this.say(c, 'stable', `unchanged: ${dig(await this.world.tagDigest('stable'))} (${short(this.commits.v1)}) — the service never saw the bad commit`, false);
    const again = await this.world.ciCd(out['revert-sha']!);
    c.traces.push(again);
    this.say(c, 'ci-cd', again.triggered ? 'ran for the revert commit (it should not have)' : `not started for ${short(out['revert-sha'])}: ${again.notTriggeredReason}`);
    return c;
  }

  /** 3. A commit passes its tests and is promoted (main is green: the rollback incident closes), then deployed. */
  async badDeploy(): Promise<Chapter> {
    const c = this.chapter('A build passes its tests, is promoted and deployed … and fails in production');
    const sha = await this.push(c, 'cache');
    const trace = await this.ciCd(c, sha, { test: 'success', build: 'success', promote: 'success', rollback: 'skipped' }, 'cache');
    const promoted = step(trace, 'promote', 'promote').outputs;
    this.say(c, 'promote', `:stable ${dig(promoted['previous-digest'])} → ${dig(promoted.digest)}; git tag stable → ${short(await this.world.repo.tag('stable'))}`, false);
    const resolved = step(trace, 'promote', 'Resolve the rollback incident').outputs;
    this.say(c, 'incident', `#${resolved['issue-number'] || '—'} ${resolved.operation} (main is green again)`, false);
    const before = (await this.world.ledger()).entries.length - 1;
    await this.ledgerLine(c, before);
    await this.deploy(c);
    const rate = await this.world.errorRate((r) => r > 0.25);
    this.say(c, 'metrics', `Prometheus: ${(rate * 100).toFixed(0)} % of requests answer 5xx`);
    return c;
  }

  /** 4. The 5-minute monitor: CRITICAL → build ⛔, main reverted, :stable rolled back, health incident opened. */
  async monitorRollsBack(): Promise<Chapter> {
    const c = this.chapter('The health monitor rolls :stable back');
    const before = await this.ledgerCount();
    const from = await this.world.tagDigest('stable');
    const trace = await this.world.monitor();
    c.traces.push(trace);
    expectJobs(trace, { monitor: 'success' });
    const out = this.gateLines(c, trace);
    this.commits.monitorRevert = out['revert-sha'];
    this.say(c, 'mark', `build ${short(this.commits.cache)} marked ⛔; main reverted to the last good build by ${short(out['revert-sha'])} [skip ci]`, false);
    this.say(c, 'restore', `:stable ${dig(from)} → ${dig(out['stable-digest'])} (ledger:previous); git tag stable → ${short(await this.world.repo.tag('stable'))}`, false);
    await this.ledgerLine(c, before);
    this.issues.health = Number(out['issue-number']);
    this.say(c, 'incident', `#${out['issue-number']} ${out.operation}: “${this.world.issues().find((i) => i.number === this.issues.health)?.title}” ${out['issue-url']}`, false);
    return c;
  }

  /** 5. Five minutes later the rollout of the restored image is still under way: the same incident is updated. */
  async monitorAgain(): Promise<Chapter> {
    const c = this.chapter('Five minutes later, still unhealthy (the rollout is under way): the same incident');
    this.say(c, 'deploy', `still rolling out ${dig(await this.world.tagDigest('stable'))}: the service keeps serving ${short(this.world.deployed?.sha)}`);
    const trace = await this.world.monitor();
    c.traces.push(trace);
    expectJobs(trace, { monitor: 'success' });
    const out = this.gateLines(c, trace);
    this.say(c, 'restore', out['action-taken'] === 'rolled-back' ? 'ran again (it should not have)' : `not run: :stable was already rolled back, never walked back further (still ${dig(await this.world.tagDigest('stable'))})`, false);
    this.say(c, 'incident', `#${out['issue-number']} ${out.operation} — not a new issue`, false);
    return c;
  }

  /** 6. The rollout completes. */
  async rolloutCompletes(): Promise<Chapter> {
    const c = this.chapter('The rollout completes');
    await this.deploy(c);
    const rate = await this.world.errorRate((r) => r < 0.01);
    this.say(c, 'metrics', `Prometheus: ${(rate * 100).toFixed(0)} % of requests answer 5xx`);
    return c;
  }

  /** 7. The fix goes through the pipeline: tested, promoted, deployed. */
  async fix(): Promise<Chapter> {
    const c = this.chapter('The fix is tested, promoted and deployed');
    const before = await this.ledgerCount();
    const sha = await this.push(c, 'fix');
    const trace = await this.ciCd(c, sha, { test: 'success', build: 'success', promote: 'success', rollback: 'skipped' }, 'fix');
    const promoted = step(trace, 'promote', 'promote').outputs;
    this.say(c, 'promote', `:stable ${dig(promoted['previous-digest'])} → ${dig(promoted.digest)}; git tag stable → ${short(await this.world.repo.tag('stable'))}`, false);
    await this.ledgerLine(c, before);
    await this.deploy(c);
    const rate = await this.world.errorRate((r) => r < 0.01);
    this.say(c, 'metrics', `Prometheus: ${(rate * 100).toFixed(0)} % of requests answer 5xx`);
    return c;
  }

  /** 8. The monitor finds the service healthy and closes the incident. */
  async monitorHealthy(): Promise<Chapter> {
    const c = this.chapter('The health monitor: healthy, the incident is closed');
    const trace = await this.world.monitor();
    c.traces.push(trace);
    expectJobs(trace, { monitor: 'success' });
    const resolved = this.gateLines(c, trace);
    const issue = this.world.issues().find((i) => i.number === Number(resolved['issue-number']));
    const comment = this.world.comments(Number(resolved['issue-number'])).at(-1)?.body.split(' · ')[0] ?? '';
    this.say(c, 'incident', `#${resolved['issue-number']} ${resolved.operation} as ${issue?.state_reason ?? '—'}: “${comment}”`, false);
    return c;
  }

  /** 9. A drill of the emergency path: a person rolls :stable back with rollback.yml (main untouched). */
  async drill(): Promise<Chapter> {
    const c = this.chapter('A drill: a person rolls :stable back by hand (rollback.yml)');
    const before = await this.ledgerCount();
    this.say(c, 'dispatch', 'rollback.yml what=image to=previous reason="rollback drill" (by Dana)');
    const trace = await this.world.manualRollback({ what: 'image', to: 'previous', reason: 'rollback drill' });
    c.traces.push(trace);
    expectJobs(trace, { rollback: 'success' });
    this.say(c, 'rollback', `${jobsLine(trace)}  (“${trace.runName}”, run ${String(trace.github.run_id)})`);
    const done = findJob(trace, 'rollback').steps.at(-1)!.outputs;
    this.say(c, 'restore', `:stable ${dig(done['previous-digest'])} → ${dig(done['stable-digest'])} (build ${short(done['stable-commit'])}); git tag stable → ${short(await this.world.repo.tag('stable'))}; main untouched`, false);
    await this.ledgerLine(c, before);
    const incident = done;
    this.issues.drill = Number(incident['issue-number']);
    this.say(c, 'incident', `#${incident['issue-number']} ${incident.operation}: “${this.world.issues().find((i) => i.number === this.issues.drill)?.title}” (ci-cd's rollback incident: the next promotion resolves it)`, false);
    await this.deploy(c);
    return c;
  }

  /** 10. Life goes on: the next push is promoted as usual and resolves the drill's incident. */
  async nextPush(): Promise<Chapter> {
    const c = this.chapter('The next push is promoted as usual; the drill’s incident is resolved');
    const before = await this.ledgerCount();
    const sha = await this.push(c, 'notes');
    const trace = await this.ciCd(c, sha, { test: 'success', build: 'success', promote: 'success', rollback: 'skipped' }, 'notes');
    const promoted = step(trace, 'promote', 'promote').outputs;
    this.say(c, 'promote', `:stable ${dig(promoted['previous-digest'])} → ${dig(promoted.digest)}; git tag stable → ${short(await this.world.repo.tag('stable'))}`, false);
    const resolved = step(trace, 'promote', 'Resolve the rollback incident').outputs;
    this.say(c, 'incident', `#${resolved['issue-number'] || '—'} ${resolved.operation}`, false);
    await this.ledgerLine(c, before);
    await this.deploy(c);
    return c;
  }

  /** The monitor step's verdict and what it did; returns its outputs. */
  private gateLines(c: Chapter, trace: WorkflowTrace): Record<string, string> {
    const out = step(trace, 'monitor', 'monitor').outputs;
    this.say(c, 'monitor', `${jobsLine(trace)}  (run ${String(trace.github.run_id)})`);
    let failing: string;
    try {
      const report = JSON.parse(out.report ?? '{}') as { checks?: { name: string; verdict: string; message?: string }[] };
      failing = (report.checks ?? [])
        .filter((x) => x.verdict !== 'PASS')
        .map((x) => `${x.name} ${x.verdict}`)
        .join(', ');
    } catch {
      failing = '(unreadable report)';
    }
    this.say(c, '', `health-monitor: ${out.status} (score ${out.score})${failing ? ` — ${failing}` : ' — every check passed'} → ${out['action-taken']}; :stable serves build ${short(out['stable-commit'])}`, false);
    return out;
  }

  /**
   * Where to look afterwards: the ledger, the tags, git, the issues (each issue's body and comments are also
   * written to <world dir>/issues/<n>.md), and the health incident's impact and timeline as GitHub shows them.
   */
  async whereToLook(): Promise<string[]> {
    const w = this.world;
    const lines: string[] = [];
    const { text } = await w.ledger();
    lines.push(`ledger    ${LEDGER} on main (git --git-dir ${w.repo.bare} show main:${LEDGER}):`, '');
    lines.push(...text.trimEnd().split('\n').map((l) => `    ${l}`), '');
    lines.push(`one-liner grep -B 3 "Status: ✅ Tests Passed" ${LEDGER} | grep "Commit:" | tail -1 | awk '{print $2}'  →  ${await w.oneLiner()}`);
    const tags = (await (await fetch(`${w.registry.url}/v2/${w.image.replace(/^[^/]+\//, '')}/tags/list`)).json()) as { tags?: string[] };
    lines.push(`tags      ${w.registry.url}/v2/${w.image.replace(/^[^/]+\//, '')}/tags/list: ${(tags.tags ?? []).length} tags`);
    for (const t of ['stable', 'latest']) lines.push(`          :${t.padEnd(7)} → ${await w.tagDigest(t)}`);
    lines.push(`git       main → ${short(await w.repo.head())}, tag stable → ${short(await w.repo.tag('stable'))}`);
    for (const l of (await w.repo.log(30)).reverse()) lines.push(`          ${short(l.sha)} ${l.subject}`);
    const issueDir = join(w.dir.path, 'issues');
    await mkdir(issueDir, { recursive: true });
    lines.push(`issues    ${w.standin.serverUrl}/acme/app/issues (the GitHub stand-in; bodies and comments in ${issueDir}/):`);
    for (const i of w.issues()) {
      const comments = w.comments(i.number);
      lines.push(`          #${i.number} ${i.state}${i.state_reason ? ` (${i.state_reason})` : ''} “${i.title}” [${i.labels.join(', ')}], ${comments.length} comment(s)`);
      const file = [`# #${i.number} ${i.title}`, '', `${i.state}${i.state_reason ? ` (${i.state_reason})` : ''} · labels: ${i.labels.join(', ')}`, '', i.body ?? '', ...comments.flatMap((c) => ['', '---', `comment by ${c.user}, ${c.created_at}:`, '', c.body])];
      await writeFile(join(issueDir, `${i.number}.md`), `${file.join('\n')}\n`);
    }
    const health = this.issues.health !== undefined ? w.issues().find((i) => i.number === this.issues.health) : undefined;
    if (health?.body) {
      const plain = (md: string) => md.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\*\*|`/g, '');
      const section = (name: string) => {
        const from = health.body!.indexOf(`## ${name}\n`);
        if (from < 0) return [];
        const rest = health.body!.slice(from + name.length + 4);
        return rest.slice(0, rest.search(/\n## |\n<!-- /) >= 0 ? rest.search(/\n## |\n<!-- /) : undefined).trim().split('\n');
      };
      lines.push('', `incident #${health.number} as people read it — impact and timeline:`);
      for (const l of [...section('Impact'), '', ...section('Timeline')]) lines.push(`    ${plain(l)}`);
      for (const c of w.comments(health.number)) lines.push(`    comment: ${plain(c.body.split('\n')[0] ?? '')}`);
    }
    return lines;
  }
}

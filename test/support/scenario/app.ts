/**
 * The application the scenario ships: a tiny "model" in bash, its tests, and its production entrypoint.
 * Whether a commit passes its tests, and whether it works in production, is decided by running its files,
 * never by a flag: ci-cd.yml's test job runs `./script/test` from the checkout, the deployer runs
 * `app/serve.sh` from the commit the deployed image was built from.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A developer, isolated from the machine's git configuration. */
const DEV_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Dana Dev',
  GIT_AUTHOR_EMAIL: 'dana@example.com',
  GIT_COMMITTER_NAME: 'Dana Dev',
  GIT_COMMITTER_EMAIL: 'dana@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
};

export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...DEV_ENV }, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** A file of the app: text, and whether it is executable. */
export type AppFile = string | { text: string; executable: true } | null;

const TEST_SCRIPT = `#!/usr/bin/env bash
# The app's tests: load the model the way the app does, check a prediction.
set -euo pipefail
source app/model.sh
got="$(predict 21)"
if [ "$got" != 42 ]; then echo "FAIL: predict 21 = $got, expected 42" >&2; exit 1; fi
echo "tests passed: model v$MODEL_VERSION, predict 21 = 42"
`;

const SERVE = `#!/usr/bin/env bash
# Production entrypoint: load the model, answer one prediction (the deployer's smoke request).
set -euo pipefail
source app/model.sh
predict "\${1:-21}"
`;

const model = (version: number, extra = '') => `# The model: predict(x) = 2x.
MODEL_VERSION=${version}
${extra}predict() { echo $(( $1 * 2 )); }
`;

/**
 * The commits of seed 002's story, as files. Each is what a developer pushes to main.
 * - v1: good.
 * - feature-store: the import error of seed 002 (a module that does not exist): the tests fail.
 * - cache: the tests pass (they never run the production entrypoint) but serving fails: a runtime error.
 * - fix: v2 and its cache again (main was reverted to v1), with the missing module.
 * - notes: documentation only, the next ordinary push after the rollback drill.
 */
export const VERSIONS = {
  v1: {
    message: 'feat: model v1',
    files: {
      'README.md': '# app\n\nA model served over HTTP; deployed from ghcr.io/acme/app:stable.\n',
      'script/test': { text: TEST_SCRIPT, executable: true },
      'app/serve.sh': { text: SERVE, executable: true },
      'app/model.sh': model(1),
    },
  },
  featureStore: {
    message: '💥 feat: read features from the feature store',
    files: { 'app/model.sh': model(2, 'source app/feature_store.sh  # the module was never committed\n') },
  },
  cache: {
    message: 'feat: model v2 with a response cache',
    files: {
      'app/model.sh': model(2),
      'app/serve.sh': { text: SERVE.replace('source app/model.sh\n', 'source app/model.sh\nsource app/cache.sh  # only production loads the cache\n'), executable: true },
    },
  },
  fix: {
    // Fix forward: main was reverted to v1, so the fix brings v2 and its cache back, with the missing module.
    message: '🔧 fix: model v2 with its response cache module',
    files: {
      'app/model.sh': model(2),
      'app/serve.sh': { text: SERVE.replace('source app/model.sh\n', 'source app/model.sh\nsource app/cache.sh  # only production loads the cache\n'), executable: true },
      'app/cache.sh': '# Response cache: nothing cached yet.\nCACHE_SIZE=128\n',
    },
  },
  notes: {
    message: 'docs: what the rollback drill showed',
    files: {
      'README.md': '# app\n\nA model served over HTTP; deployed from ghcr.io/acme/app:stable.\n\n## Rollback drill\n\nrollback.yml (what: image, to: previous) moved :stable back in seconds; the next promotion closed its incident.\n',
    },
  },
} as const satisfies Record<string, { message: string; files: Record<string, AppFile> }>;

export type VersionName = keyof typeof VERSIONS;

/**
 * The app's repository: a bare repository (what the GitHub stand-in serves and checkouts fetch from) and the
 * developer's clone. `receive.denyNonFastForwards` is set, so a force push by anyone would fail loudly.
 */
export class AppRepo {
  readonly bare: string;
  readonly work: string;

  private constructor(root: string) {
    this.bare = join(root, 'app.git');
    this.work = join(root, 'dev');
  }

  static async create(root: string): Promise<AppRepo> {
    const repo = new AppRepo(root);
    await git(root, ['init', '-q', '--bare', '-b', 'main', repo.bare]);
    await git(repo.bare, ['config', 'receive.denyNonFastForwards', 'true']);
    await git(root, ['init', '-q', '-b', 'main', repo.work]);
    await git(repo.work, ['remote', 'add', 'origin', repo.bare]);
    return repo;
  }

  /** The developer pulls main (greenline may have moved it), commits `version`'s files and pushes. */
  async push(version: VersionName): Promise<string> {
    const { message, files } = VERSIONS[version];
    const hasRemoteMain = (await git(this.bare, ['for-each-ref', 'refs/heads/main'])) !== '';
    if (hasRemoteMain) await git(this.work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    for (const [path, file] of Object.entries(files as Record<string, AppFile>)) {
      const full = join(this.work, path);
      if (file === null) {
        await rm(full, { force: true });
        continue;
      }
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, typeof file === 'string' ? file : file.text);
      if (typeof file !== 'string') await chmod(full, 0o755);
    }
    await git(this.work, ['add', '-A']);
    await git(this.work, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message]);
    await git(this.work, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
    return git(this.work, ['rev-parse', 'HEAD']);
  }

  head(ref = 'refs/heads/main'): Promise<string> {
    return git(this.bare, ['rev-parse', '--verify', `${ref}^{commit}`]);
  }

  async tag(name: string): Promise<string | undefined> {
    try {
      return await git(this.bare, ['rev-parse', '--verify', `refs/tags/${name}^{commit}`]);
    } catch {
      return undefined;
    }
  }

  async show(ref: string, path: string): Promise<string | undefined> {
    try {
      return await git(this.bare, ['show', `${ref}:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** `git log --first-parent` of main: sha, subject, parents. */
  async log(limit = 20): Promise<{ sha: string; subject: string; parents: string[] }[]> {
    const out = await git(this.bare, ['log', '--first-parent', `-${limit}`, '--format=%H%x09%P%x09%s', 'main']);
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [sha = '', parents = '', subject = ''] = l.split('\t');
        return { sha, subject, parents: parents.split(' ').filter(Boolean) };
      });
  }

  message(sha: string): Promise<string> {
    return git(this.bare, ['log', '-1', '--format=%B', sha]);
  }

  /** Whether two commits have the same files outside `except`. */
  async sameTree(a: string, b: string, except: string): Promise<boolean> {
    try {
      await git(this.bare, ['diff', '--quiet', a, b, '--', '.', `:(exclude)${except}`]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs the production entrypoint of `sha` the way the service would: its files exported from the bare
   * repository into `dir`, then `app/serve.sh 21`. ok when it answers 42.
   */
  async serve(sha: string, dir: string): Promise<{ ok: boolean; output: string }> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const archive = join(dir, '..', `${sha}.tar`);
    await git(this.bare, ['archive', '--format=tar', '-o', archive, sha]);
    await run('tar', ['-xf', archive, '-C', dir]);
    await rm(archive, { force: true });
    try {
      const { stdout } = await run('bash', ['app/serve.sh', '21'], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' }, timeout: 10_000 });
      return { ok: stdout.trim() === '42', output: stdout.trim() };
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      return { ok: false, output: (e.stderr ?? e.message).trim().split('\n')[0] ?? '' };
    }
  }
}

import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A fixed identity for fixture commits, so tests never depend on the machine's git config. */
const FIXTURE_ENV = {
  GIT_AUTHOR_NAME: 'Fixture Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.invalid',
  GIT_COMMITTER_NAME: 'Fixture Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...FIXTURE_ENV, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

export interface GitRemote {
  /** The bare repository: the "GitHub" side (the stand-in serves it). */
  bare: string;
  /** A clone used to make commits, pushing to the bare repository. */
  work: string;
  commit(files: Record<string, string | null>, message: string): Promise<string>;
  /** A fresh clone (a runner's checkout), optionally shallow. */
  clone(name: string, options?: { depth?: number; branch?: string }): Promise<string>;
  head(branch?: string): Promise<string>;
  /** `git show <ref>:<path>` on the bare repository, or undefined. */
  show(ref: string, path: string): Promise<string | undefined>;
  refs(): Promise<Record<string, string>>;
}

/**
 * A bare remote with branch main and one commit, plus a working clone. `receive.denyNonFastForwards` is set,
 * as GitHub does for protected branches: any force push the suite attempted would fail loudly.
 */
export async function createRemote(root: string, options: { branch?: string } = {}): Promise<GitRemote> {
  const branch = options.branch ?? 'main';
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  await git(root, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare]);
  await git(bare, ['config', 'receive.denyNonFastForwards', 'true']);
  await git(root, ['init', '--quiet', `--initial-branch=${branch}`, work]);
  await git(work, ['remote', 'add', 'origin', bare]);
  const remote: GitRemote = {
    bare,
    work,
    async commit(files, message) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        if (content === null) {
          await git(work, ['rm', '-q', '--', path]);
        } else {
          await mkdir(dirname(full), { recursive: true });
          await writeFile(full, content);
          await git(work, ['add', '--', path]);
        }
      }
      await git(work, ['commit', '-q', '--allow-empty', '-m', message]);
      await git(work, ['pull', '-q', '--rebase', 'origin', branch]).catch(() => undefined);
      await git(work, ['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);
      return git(work, ['rev-parse', 'HEAD']);
    },
    async clone(name, opts = {}) {
      const dir = join(root, name);
      const args = ['clone', '-q', '--branch', opts.branch ?? branch];
      if (opts.depth) args.push(`--depth=${opts.depth}`);
      await run('git', [...args, `file://${bare}`, dir], { env: { ...process.env, ...FIXTURE_ENV } });
      return dir;
    },
    head: (b = branch) => git(bare, ['rev-parse', `refs/heads/${b}`]),
    async show(ref, path) {
      try {
        return await git(bare, ['show', `${ref}:${path}`]);
      } catch {
        return undefined;
      }
    },
    async refs() {
      const out = await git(bare, ['for-each-ref', '--format=%(refname) %(objectname)']);
      return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
    },
  };
  await remote.commit({ 'README.md': '# app\n' }, 'initial commit');
  return remote;
}

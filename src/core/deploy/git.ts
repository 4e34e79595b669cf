import type { Git } from '../git/git.js';
import { assertNoForce, classifyPush } from '../git/push.js';
import { DeployRaceError, type CommitRef } from './plan.js';
import type { DeployBranchPort } from './port.js';

export interface GitDeployOptions {
  git: Git;
  /** A remote name (`origin`) or a URL without credentials. */
  remote: string;
  /** For messages: the remote without credentials. */
  describe: string;
  /** Extra environment for commands that talk to the remote (credentials as GIT_CONFIG_* variables, never argv). */
  env?: Record<string, string>;
  /** Brings a commit the checkout lacks (a shallow clone, or a commit the API wrote). */
  fetchMissing?: (sha: string) => Promise<void>;
  /** Makes a message safe to show (drops credentials). */
  scrub?: (text: string) => string;
}

/**
 * The deploy branch over git: read with ls-remote and fetch, updated with a plain `git push` (never forced),
 * which the remote refuses as non-fast-forward when someone pushed after our read: our commit has the tip read
 * before as its parent, so it does not descend from theirs.
 */
export class GitDeployPort implements DeployBranchPort {
  readonly describe: string;
  private readonly o: GitDeployOptions;
  constructor(o: GitDeployOptions) {
    this.o = o;
    this.describe = o.describe;
  }

  private run(args: string[], allowFail = false) {
    return this.o.git.run(args, { allowFail, ...(this.o.env ? { env: this.o.env } : {}) }).catch((error: Error) => {
      throw new Error(this.scrub(error.message));
    });
  }

  private scrub(text: string): string {
    return this.o.scrub ? this.o.scrub(text) : text;
  }

  async tip(branch: string): Promise<CommitRef | undefined> {
    const ref = `refs/heads/${branch}`;
    const listed = await this.run(['ls-remote', '--', this.o.remote, ref]);
    if (!listed.stdout.split('\n').some((l) => l.endsWith(`\t${ref}`))) return undefined;
    // Into FETCH_HEAD only: no ref of the user's checkout is touched. What was fetched is what we build on
    // (if the branch moved since ls-remote, the push below is refused all the same).
    await this.run(['fetch', '--quiet', '--no-tags', '--', this.o.remote, ref]);
    const sha = (await this.o.git.run(['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).stdout.trim();
    return { sha, tree: await this.o.git.treeOf(sha) };
  }

  async tagExists(name: string): Promise<boolean> {
    const ref = `refs/tags/${name}`;
    const listed = await this.run(['ls-remote', '--tags', '--', this.o.remote, ref]);
    return listed.stdout.split('\n').some((l) => l.endsWith(`\t${ref}`));
  }

  async commit(sha: string): Promise<CommitRef> {
    const have = await this.o.git.run(['cat-file', '-e', `${sha}^{commit}`], { allowFail: true });
    if (have.code !== 0) {
      if (this.o.fetchMissing) await this.o.fetchMissing(sha);
      else await this.run(['fetch', '--quiet', '--no-tags', '--depth=1', '--', this.o.remote, sha]);
    }
    return { sha, tree: await this.o.git.treeOf(sha) };
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    // An unknown commit (a shallow checkout) is a "no": the result is then a commit on top of the tip, which
    // loses nothing either.
    return this.o.git.isAncestor(ancestor, descendant).catch(() => false);
  }

  createCommit(tree: string, parents: readonly string[], message: string): Promise<string> {
    return this.o.git.commitTree(tree, parents, message);
  }

  async update(branch: string, sha: string, expected: string | undefined): Promise<void> {
    const args = ['push', '--porcelain', '--no-verify', '--', this.o.remote, `${sha}:refs/heads/${branch}`];
    assertNoForce(args);
    const r = await this.run(args, true);
    const outcome = classifyPush(r.code, r.stdout, r.stderr);
    if (outcome?.status === 'ok') return;
    if (outcome?.status === 'rejected') {
      throw new DeployRaceError(`${branch} was ${expected ? 'moved' : 'created'} by someone else since it was read (${outcome.reason}); nothing overwritten`);
    }
    const detail = `${r.stderr}\n${r.stdout}`.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    throw new Error(this.scrub(`git push to ${this.describe} failed (exit ${r.code}): ${detail}`));
  }
}

/**
 * GIT_CONFIG_COUNT/KEY/VALUE: an `http.extraHeader` with Basic credentials for one git process, given through its
 * environment (never its argv, which `ps` shows) and scoped to the remote's URL.
 */
export function basicAuthEnv(url: string, username: string, token: string): { env: Record<string, string>; header: string } {
  const header = Buffer.from(`${username}:${token}`, 'utf8').toString('base64');
  return {
    header,
    env: {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: `http.${url}.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${header}`,
      // A credential helper of the machine must not be asked (or store anything) for this remote.
      GIT_CONFIG_KEY_1: 'credential.helper',
      GIT_CONFIG_VALUE_1: '',
    },
  };
}

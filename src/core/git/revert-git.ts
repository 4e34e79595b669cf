import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../action/log.js';
import type { CreatedCommit, CulpritPlan, CulpritUndoSpec, RevertBackend, RevertCommit, RevertCommitSpec, UpdateOutcome } from '../lastgood/revert.js';
import type { CommitSummary } from '../lastgood/types.js';
import { GitError, type Git } from './git.js';
import type { GitHistory } from './history.js';

/** What a protected branch answers a push with (GitHub: GH006 classic protection, GH013 rulesets). */
const PROTECTED = /GH006|GH013|protected branch|branch is protected|repository rule violations/i;

function cleanPath(path: string): string {
  const p = path.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
  if (p.split('/').some((s) => s === '..')) throw new Error(`not a path inside the repository: ${JSON.stringify(path)}`);
  return p;
}

/**
 * auto-revert through the workspace checkout: the new commit is built with plumbing in a private index
 * (read-tree of the good commit, the preserved paths copied from the failing commit, write-tree, commit-tree
 * as github-actions[bot]), so HEAD, the user's index and working tree are never touched; then a plain
 * `git push <sha>:refs/heads/<branch>`, never forced. Pushing uses the credentials actions/checkout left.
 */
export class GitRevertBackend implements RevertBackend {
  readonly describe = 'git push from the workspace';
  private readonly git: Git;
  private readonly history: GitHistory;
  private readonly remote: string;
  private readonly log: Logger;

  constructor(history: GitHistory, options: { remote?: string; log: Logger }) {
    this.history = history;
    this.git = history.git;
    this.remote = options.remote ?? 'origin';
    this.log = options.log;
  }

  async branchHead(branch: string): Promise<string | undefined> {
    const ref = `refs/heads/${branch}`;
    const r = await this.git.run(['ls-remote', '--refs', this.remote, ref]);
    for (const line of r.stdout.split('\n')) {
      const [sha, name] = line.trim().split(/\s+/);
      if (name === ref && sha) return sha;
    }
    return undefined;
  }

  async commit(sha: string): Promise<RevertCommit | undefined> {
    let full: string;
    try {
      full = await this.history.ensureCommit(sha);
    } catch (error) {
      this.log.debug(`git: ${(error as Error).message}`);
      return undefined;
    }
    const info = await this.git.commitInfo(full);
    return { sha: info.sha, subject: info.subject, message: info.message, author: info.authorName };
  }

  readFile(commit: string, path: string): Promise<string | undefined> {
    return this.git.showFile(commit, cleanPath(path));
  }

  commitsBetween(base: string, head: string, limit: number): Promise<{ commits: CommitSummary[]; total: number }> {
    return this.history.commitsBetween(base, head, limit);
  }

  sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    return this.history.sameTree(a, b, ignore);
  }

  async createCommit(spec: RevertCommitSpec): Promise<CreatedCommit> {
    const dir = await mkdtemp(join(tmpdir(), 'greenline-revert-'));
    try {
      const env = { GIT_INDEX_FILE: join(dir, 'index') };
      await this.git.run(['read-tree', spec.good], { env });
      // A path (file or folder) as `from` has it: what the good tree has there is dropped from the private
      // index, then `from`'s entries (blob, mode, symbolic link) are put in as they are: the bytes never pass
      // through a string.
      const take = async (raw: string, from: string) => {
        const path = cleanPath(raw);
        if (path === '') return;
        const present = await this.git.run(['--literal-pathspecs', 'ls-files', '-z', '--full-name', '--', path], { env });
        if (present.stdout !== '') await this.git.run(['update-index', '-z', '--force-remove', '--stdin'], { env, input: present.stdout });
        const listed = await this.git.run(['--literal-pathspecs', 'ls-tree', '-r', '-z', '--full-tree', from, '--', path]);
        if (listed.stdout !== '') await this.git.run(['update-index', '-z', '--index-info'], { env, input: listed.stdout });
      };
      for (const path of spec.preserve) await take(path, spec.parent);
      for (const k of spec.keep) await take(k.path, k.from);
      for (const f of spec.files) {
        const blob = await this.git.hashObject(f.content);
        await this.git.run(['update-index', '--add', '--cacheinfo', `100644,${blob},${cleanPath(f.path)}`], { env });
      }
      const tree = (await this.git.run(['write-tree'], { env })).stdout.trim();
      const sha = await this.git.commitTree(tree, [spec.parent], spec.message);
      return { sha, tree };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * `undo: culprit` as `git revert --no-edit [-m 1]` does it, without touching HEAD, the index or the working
   * tree: the culprit's diff from its first parent, reversed (binary, full blob names, outside the kept paths),
   * applied three-way (`git apply --cached --3way`) to the head's tree in a private index. A hunk a later commit
   * changed conflicts as it would for `git revert`; then nothing is written.
   */
  async planCulpritUndo(spec: CulpritUndoSpec): Promise<CulpritPlan> {
    const dir = await mkdtemp(join(tmpdir(), 'greenline-culprit-'));
    try {
      for (const sha of [spec.culprit, spec.culpritParent, spec.head]) await this.history.ensureCommit(sha);
      const env = { GIT_INDEX_FILE: join(dir, 'index') };
      const pathspec = ['--', '.', ...spec.keep.map((p) => `:(top,literal,exclude)${cleanPath(p)}`)];
      const range = ['--no-renames', '--no-ext-diff', '--no-textconv', spec.culprit, spec.culpritParent, ...pathspec];
      const paths = (await this.git.run(['diff', '--name-only', '-z', ...range])).stdout.split('\0').filter(Boolean).sort();
      if (paths.length === 0) return { conflict: 'the culprit changed nothing outside the paths kept as they are (the ledger, preserve-paths)' };
      const patch = (await this.git.run(['diff', '--binary', '--full-index', ...range])).stdout;
      // The patch passes through a string: a text file that is not UTF-8 would not come back byte for byte.
      if (patch.includes('\uFFFD')) return { conflict: 'the culprit changed a text file that is not UTF-8: it is not undone through a patch' };
      await this.git.run(['read-tree', spec.head], { env });
      const applied = await this.git.run(['apply', '--cached', '--3way', '--whitespace=nowarn'], { env, input: patch, allowFail: true });
      if (applied.code !== 0) {
        const unmerged = (await this.git.run(['ls-files', '-u', '-z'], { env })).stdout.split('\0').map((l) => l.split('\t')[1]).filter((p): p is string => !!p);
        const where = [...new Set(unmerged)];
        const detail = where.length ? where.slice(0, 5).join(', ') + (where.length > 5 ? ` and ${where.length - 5} more` : '') : applied.stderr.trim().split('\n').slice(-1)[0] ?? 'git apply failed';
        return { conflict: `undoing it conflicts with later commits (as git revert would): ${detail}` };
      }
      const tree = (await this.git.run(['write-tree'], { env })).stdout.trim();
      return { paths, write: async (message: string) => ({ sha: await this.git.commitTree(tree, [spec.head], message), tree }) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async updateBranch(branch: string, sha: string, _expected: string): Promise<UpdateOutcome> {
    return this.push(sha, branch);
  }

  async createBranch(branch: string, sha: string): Promise<'created' | 'exists'> {
    const r = await this.push(sha, branch);
    if (r.status === 'ok') return 'created';
    if (r.protected) throw new Error(`could not push ${branch}: ${r.detail}`);
    return 'exists';
  }

  private async push(sha: string, branch: string): Promise<UpdateOutcome> {
    try {
      const outcome = await this.git.push(this.remote, `${sha}:refs/heads/${branch}`);
      if (outcome.status === 'ok') return { status: 'ok' };
      return { status: 'rejected', detail: outcome.reason, protected: false };
    } catch (error) {
      if (error instanceof GitError && PROTECTED.test(error.stderr)) {
        const line = error.stderr.split('\n').find((l) => PROTECTED.test(l)) ?? 'protected branch';
        return { status: 'rejected', detail: line.replace(/^remote:\s*/, '').replace(/^error:\s*/, '').trim(), protected: true };
      }
      throw error;
    }
  }
}

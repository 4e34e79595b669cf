import type { Logger } from '../action/log.js';
import { isGreenlineRevert } from '../git/history.js';
import type { CommitSummary } from '../lastgood/types.js';
import type { CreatedCommit, PullRequestPort, RevertBackend, RevertCommit, UpdateOutcome } from '../lastgood/revert.js';
import type { GitHub } from './client.js';
import { errorMessage, httpStatus } from './http-error.js';
import { ApiHistory, GitHubRepo, summary, type RepoCommit } from './compare.js';

type TreeEntry = { path: string; mode: '100644' | '100755' | '040000' | '160000' | '120000'; type: 'blob' | 'tree' | 'commit'; sha?: string | null; content?: string };

function branchRef(branch: string): string {
  return `heads/${branch}`;
}

/**
 * auto-revert without a checkout, through the Git Data API:
 *   GET commits?sha=<branch>&since=<24 h ago>   the branch head, the failing commit's message, the daily cap
 *   GET compare/<good>...<failing>             ancestry, the good tree, the commits undone, "trees equal?"
 *   GET contents/<ledger>?ref=<failing>        the ledger kept from the failing head (and its ✅ entry)
 *   POST git/trees {base_tree: good tree}      the good tree with the preserved paths from the failing head
 *                                              (a compare instead when they did not change since the good commit)
 *   POST git/commits {tree, parents:[failing]} no author/committer: GitHub signs it
 *   PATCH git/refs/heads/<branch> {force:false} the compare-and-swap
 * Six requests when the good commit is given; find-last-good-commit's lookups add to it when it is not.
 */
export class ApiRevertBackend implements RevertBackend {
  readonly describe = 'GitHub Git Data API';
  readonly repo: GitHubRepo;
  readonly history: ApiHistory;
  private readonly github: GitHub;
  private readonly log: Logger;
  private readonly now: () => Date;
  private headRead = false;

  constructor(repo: GitHubRepo, options: { log: Logger; now?: () => Date }) {
    this.repo = repo;
    this.github = repo.github;
    this.history = new ApiHistory(repo);
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
  }

  private get o() {
    return { owner: this.repo.owner, repo: this.repo.repo };
  }

  async branchHead(branch: string): Promise<string | undefined> {
    if (!this.headRead) {
      this.headRead = true;
      // The first read lists the day's commits: that answers the daily cap and carries the failing commit's
      // message too, and its first commit is the branch head whenever that head is less than a day old.
      // A minute more than a day, on a minute boundary: the cap's own "24 hours ago" falls inside it.
      const since = new Date(Math.floor((this.now().getTime() - 24 * 3600 * 1000 - 60_000) / 60_000) * 60_000);
      try {
        const { commits } = await this.repo.recentCommits(branch, since, 1);
        if (commits[0]) return commits[0].sha;
      } catch (error) {
        if (httpStatus(error) !== 404 && httpStatus(error) !== 409 && httpStatus(error) !== 422) throw error;
      }
    }
    // Re-reads (after a refused update) always ask the ref itself.
    try {
      const { data } = await this.github.rest.git.getRef({ ...this.o, ref: branchRef(branch) });
      return data.object.sha;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async commit(sha: string): Promise<RevertCommit | undefined> {
    const c = await this.repo.commit(sha);
    return c ? { sha: c.sha, subject: c.subject, message: c.message, author: c.author } : undefined;
  }

  async readFile(commit: string, path: string): Promise<string | undefined> {
    return (await this.repo.readFile(commit, path))?.text;
  }

  commitsBetween(base: string, head: string, limit: number): Promise<{ commits: CommitSummary[]; total: number }> {
    return this.repo.commitsBetween(base, head, limit);
  }

  async revertsSince(head: string, since: Date): Promise<CommitSummary[]> {
    const { commits, complete } = await this.repo.recentCommits(head, since);
    if (!complete) this.log.warning(`More than ${commits.length} commits in the last 24 hours: the daily cap counted greenline reverts among the newest ${commits.length}`);
    return commits.filter((c: RepoCommit) => isGreenlineRevert(c.message)).map(summary);
  }

  sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    return this.history.sameTree(a, b, ignore);
  }

  async createCommit(spec: { good: string; parent: string; preserve: readonly string[]; files: { path: string; content: string }[]; message: string }): Promise<CreatedCommit> {
    const [good, parent] = await Promise.all([this.repo.commit(spec.good), this.repo.commit(spec.parent)]);
    if (!good || !parent) throw new Error(`commit ${good ? spec.parent : spec.good} not found`);
    // When nothing under the preserved paths changed between the good commit and the failing one (the good
    // commit is the ledger commit on top of a green build, the usual answer), the new tree is the good tree:
    // one read instead of a write, and writes are what GitHub asks clients to space out.
    if (spec.files.length === 0) {
      const c = await this.repo.compare(spec.good, spec.parent);
      const keep = spec.preserve.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
      const touched = (f: string) => keep.some((p) => f === p || f.startsWith(`${p}/`));
      if (c && (c.status === 'ahead' || c.status === 'identical') && c.files && !c.files.some(touched)) {
        return this.commitTree(spec.message, good.tree, spec.parent);
      }
    }
    const entries: TreeEntry[] = [];
    const overridden = new Set(spec.files.map((f) => f.path));
    for (const raw of spec.preserve) {
      const path = raw.replace(/^\/+|\/+$/g, '');
      if (path === '' || overridden.has(path)) continue;
      const cached = await this.repo.cachedFile(spec.parent, path);
      if (cached) {
        // Read already for the ledger: the blob SHA keeps the exact bytes without another lookup.
        entries.push({ path, mode: '100644', type: 'blob', sha: cached.sha });
        continue;
      }
      const keep = await this.repo.entryAt(parent.tree, path);
      if (keep) {
        entries.push({ path, mode: keep.mode as TreeEntry['mode'], type: keep.type as TreeEntry['type'], sha: keep.sha });
      } else {
        // Absent at the failing head: absent in the revert too.
        const there = await this.repo.entryAt(good.tree, path);
        if (there) entries.push({ path, mode: there.mode as TreeEntry['mode'], type: there.type as TreeEntry['type'], sha: null });
      }
    }
    for (const f of spec.files) entries.push({ path: f.path, mode: '100644', type: 'blob', content: f.content });
    let tree = good.tree;
    if (entries.length > 0) {
      const { data } = await this.github.rest.git.createTree({ ...this.o, base_tree: good.tree, tree: entries });
      tree = data.sha;
    }
    return this.commitTree(spec.message, tree, spec.parent);
  }

  private async commitTree(message: string, tree: string, parent: string): Promise<CreatedCommit> {
    // No author, no committer: GitHub makes and signs the commit as the token's app (verification.verified).
    const { data } = await this.github.rest.git.createCommit({ ...this.o, message, tree, parents: [parent] });
    return { sha: data.sha, tree: data.tree.sha, verified: data.verification?.verified ?? false, ...(data.verification?.reason ? { verificationReason: data.verification.reason } : {}) };
  }

  async updateBranch(branch: string, sha: string, _expected: string): Promise<UpdateOutcome> {
    try {
      await this.github.rest.git.updateRef({ ...this.o, ref: branchRef(branch), sha, force: false });
      return { status: 'ok' };
    } catch (error) {
      const status = httpStatus(error);
      if (status === 422 || status === 409 || status === 403) {
        const detail = errorMessage(error);
        if (status === 403 && /rate limit/i.test(detail)) throw error;
        return { status: 'rejected', detail, protected: /protected|rule|GH006|GH013|required status|review/i.test(detail) || status === 403 };
      }
      throw error;
    }
  }

  async createBranch(branch: string, sha: string): Promise<'created' | 'exists'> {
    try {
      await this.github.rest.git.createRef({ ...this.o, ref: `refs/heads/${branch}`, sha });
      return 'created';
    } catch (error) {
      if (httpStatus(error) === 422 && /already exists/i.test(errorMessage(error))) return 'exists';
      throw error;
    }
  }
}

/** Revert pull requests (`pull-requests: write`). */
export class ApiPullRequests implements PullRequestPort {
  private readonly github: GitHub;
  private readonly owner: string;
  private readonly repo: string;

  constructor(github: GitHub, repo: { owner: string; repo: string }) {
    this.github = github;
    this.owner = repo.owner;
    this.repo = repo.repo;
  }

  async findOpen(head: string, base: string): Promise<{ number: number; url: string } | undefined> {
    const { data } = await this.github.rest.pulls.list({ owner: this.owner, repo: this.repo, head: `${this.owner}:${head}`, base, state: 'open', per_page: 10 });
    const pr = data[0];
    return pr ? { number: pr.number, url: pr.html_url } : undefined;
  }

  async create(spec: { head: string; base: string; title: string; body: string }): Promise<{ number: number; url: string }> {
    try {
      const { data } = await this.github.rest.pulls.create({ owner: this.owner, repo: this.repo, head: spec.head, base: spec.base, title: spec.title, body: spec.body.slice(0, 65_000) });
      return { number: data.number, url: data.html_url };
    } catch (error) {
      // Another run opened it a moment ago.
      if (httpStatus(error) === 422 && /already exists/i.test(errorMessage(error))) {
        const existing = await this.findOpen(spec.head, spec.base);
        if (existing) return existing;
      }
      throw error;
    }
  }
}

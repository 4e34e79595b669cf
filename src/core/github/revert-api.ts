import { ExternalError } from '../action/errors.js';
import type { Logger } from '../action/log.js';
import type { CommitSummary } from '../lastgood/types.js';
import { covered, type CreatedCommit, type CulpritPlan, type CulpritUndoSpec, type PullRequestPort, type RevertBackend, type RevertCommit, type RevertCommitSpec, type UpdateOutcome } from '../lastgood/revert.js';
import type { GitHub } from './client.js';
import { httpStatus } from './http-error.js';
import { ApiHistory, GitHubRepo } from './compare.js';
import { githubErrorText, isBranchRuleRefusal, isDuplicatePullRequest, isExistingRef, isRateLimited } from './refusals.js';
import { RepoApi } from './repo-api.js';

type TreeEntry = { path: string; mode: '100644' | '100755' | '040000' | '160000' | '120000'; type: 'blob' | 'tree' | 'commit'; sha?: string | null; content?: string };

/** GitHub's compare lists at most this many files. */
const MAX_COMPARE_FILES = 300;

function clean(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

function branchRef(branch: string): string {
  return `heads/${branch}`;
}

/**
 * auto-revert without a checkout, through the Git Data API:
 *   GET commits?sha=<branch>&since=<24 h ago>   the branch head, the failing commit's message, the daily cap
 *   GET compare/<good>...<failing>             ancestry, the good tree, the commits undone, "trees equal?"
 *   GET contents/<ledger>?ref=<failing>        the ledger kept from the failing head (and its ✅ entry)
 *   GET git/trees/<tree> (per path level)       each kept path's entry (blob SHA and mode) in the good tree and
 *                                              in the tree it is kept from: the exact bytes, never re-encoded text
 *   POST git/trees {base_tree: good tree}      the good tree with those entries (skipped when none differs)
 *   POST git/commits {tree, parents:[failing]} no author/committer: GitHub signs it
 *   PATCH git/refs/heads/<branch> {force:false} the compare-and-swap
 * Three writes whatever the history; find-last-good-commit's lookups add reads when the good commit is not given.
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

  sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    return this.history.sameTree(a, b, ignore);
  }

  async createCommit(spec: RevertCommitSpec): Promise<CreatedCommit> {
    const [good, parent] = await Promise.all([this.repo.commit(spec.good), this.repo.commit(spec.parent)]);
    if (!good || !parent) throw new Error(`commit ${good ? spec.parent : spec.good} not found`);
    // Each path as its source commit has it (blob SHA and mode: the exact bytes, a symbolic link stays one);
    // absent there → deleted. Entries equal to the good tree's are left out: when none is left (the usual
    // case: nothing under the kept paths changed since the good build), the new tree is the good tree, one
    // read instead of a write, and writes are what GitHub asks clients to space out.
    const wanted = new Map<string, { from: string; tree: string }>();
    for (const raw of spec.preserve) wanted.set(clean(raw), { from: parent.sha, tree: parent.tree });
    for (const k of spec.keep) {
      const from = k.from === parent.sha ? parent : await this.repo.commit(k.from);
      if (!from) throw new Error(`commit ${k.from} not found`);
      wanted.set(clean(k.path), { from: from.sha, tree: from.tree });
    }
    const overridden = new Set(spec.files.map((f) => clean(f.path)));
    const entries: TreeEntry[] = [];
    for (const [path, source] of wanted) {
      if (path === '' || overridden.has(path)) continue;
      const [keep, there] = await Promise.all([this.repo.entryAt(source.tree, path), this.repo.entryAt(good.tree, path)]);
      if (keep && there && keep.sha === there.sha && keep.mode === there.mode) continue;
      if (keep) entries.push({ path, mode: keep.mode as TreeEntry['mode'], type: keep.type as TreeEntry['type'], sha: keep.sha });
      else if (there) entries.push({ path, mode: there.mode as TreeEntry['mode'], type: there.type as TreeEntry['type'], sha: null });
    }
    for (const f of spec.files) entries.push({ path: clean(f.path), mode: '100644', type: 'blob', content: f.content });
    let tree = good.tree;
    if (entries.length > 0) {
      const { data } = await this.github.rest.git.createTree({ ...this.o, base_tree: good.tree, tree: entries });
      tree = data.sha;
    }
    return this.commitTree(spec.message, tree, spec.parent);
  }

  /**
   * `undo: culprit` path by path: the culprit's changed paths (compare parent...culprit) as its first parent
   * has them (blob SHA and mode: the exact bytes; absent there → deleted), on top of the head's tree, when no
   * later commit left those paths different from the culprit's (compare culprit...head): the API cannot merge
   * text, so a path a later commit changed again is a conflict. Three reads and the tree levels of the paths.
   */
  async planCulpritUndo(spec: CulpritUndoSpec): Promise<CulpritPlan> {
    const [undo, later, parent, head] = await Promise.all([
      this.repo.compare(spec.culpritParent, spec.culprit),
      this.repo.compare(spec.culprit, spec.head),
      this.repo.commit(spec.culpritParent),
      this.repo.commit(spec.head),
    ]);
    if (!undo || !later || !parent || !head) throw new Error(`commit ${spec.culprit}, its parent or ${spec.head} not found`);
    if (undo.files === undefined) return { conflict: `the culprit changes more files than GitHub's compare lists (${MAX_COMPARE_FILES}): it cannot be undone path by path through the API (method: git can)` };
    const paths = undo.files.filter((p) => !covered(p, spec.keep)).sort();
    if (paths.length === 0) return { conflict: 'the culprit changed nothing outside the paths kept as they are (the ledger, preserve-paths)' };
    if (later.files === undefined) return { conflict: `the later commits change more files than GitHub's compare lists (${MAX_COMPARE_FILES})` };
    const touched = paths.filter((p) => later.files!.some((q) => p === q || q.startsWith(`${p}/`) || p.startsWith(`${q}/`)));
    if (touched.length) return { conflict: `a later commit changed ${touched.slice(0, 5).join(', ')}${touched.length > 5 ? ` and ${touched.length - 5} more` : ''} again after the culprit` };
    const entries: TreeEntry[] = [];
    for (const path of paths) {
      const before = await this.repo.entryAt(parent.tree, path);
      if (before) entries.push({ path, mode: before.mode as TreeEntry['mode'], type: before.type as TreeEntry['type'], sha: before.sha });
      else {
        const now = await this.repo.entryAt(head.tree, path);
        if (now) entries.push({ path, mode: now.mode as TreeEntry['mode'], type: now.type as TreeEntry['type'], sha: null });
      }
    }
    return {
      paths,
      write: async (message: string) => {
        const { data } = await this.github.rest.git.createTree({ ...this.o, base_tree: head.tree, tree: entries });
        return this.commitTree(message, data.sha, head.sha);
      },
    };
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
      const detail = githubErrorText(error);
      // A rate limit the throttling plugin stopped waiting for is a fault, not an answer about the branch.
      if (isRateLimited(error, detail)) throw error;
      if (status === 422 || status === 409 || status === 403) {
        // Protection and rulesets ("Changes must be made through a pull request.", "Repository rule violations
        // found…") send the revert to a pull request; anything else ("Update is not a fast forward", a token
        // without contents: write) is a plain refusal: re-read the branch, and fail with GitHub's words.
        return { status: 'rejected', detail, protected: isBranchRuleRefusal(detail) };
      }
      throw error;
    }
  }

  async createBranch(branch: string, sha: string): Promise<'created' | 'exists'> {
    try {
      await this.github.rest.git.createRef({ ...this.o, ref: `refs/heads/${branch}`, sha });
      return 'created';
    } catch (error) {
      if (isExistingRef(error)) return 'exists';
      throw error;
    }
  }
}

/** Revert pull requests (`pull-requests: write`). */
export class ApiPullRequests extends RepoApi implements PullRequestPort {
  async findOpen(head: string, base: string): Promise<{ number: number; url: string } | undefined> {
    const { data } = await this.github.rest.pulls.list({ owner: this.owner, repo: this.repo, head: `${this.owner}:${head}`, base, state: 'open', per_page: 10 });
    const pr = data[0];
    return pr ? { number: pr.number, url: pr.html_url } : undefined;
  }

  /** Opens the pull request; `alreadyOpen` when GitHub answered that one is open for this head and base. */
  async create(spec: { head: string; base: string; title: string; body: string }): Promise<{ number: number; url: string; alreadyOpen: boolean }> {
    try {
      const { data } = await this.github.rest.pulls.create({ owner: this.owner, repo: this.repo, head: spec.head, base: spec.base, title: spec.title, body: spec.body.slice(0, 65_000) });
      return { number: data.number, url: data.html_url, alreadyOpen: false };
    } catch (error) {
      // Already open (another run a moment ago, or a list that had not caught up yet): GitHub's 422 says so only in
      // errors[0].message. Report that pull request instead of failing.
      if (!isDuplicatePullRequest(error)) throw error;
      const existing = await this.findOpen(spec.head, spec.base);
      if (existing) return { ...existing, alreadyOpen: true };
      throw new ExternalError(`GitHub refused to open a pull request from ${spec.head} into ${spec.base} (${githubErrorText(error)}), and none is listed as open`);
    }
  }
}

import { posix } from 'node:path';
import type { Logger } from '../action/log.js';
import type { Ancestry, ChainCommit, CommitSummary, HistoryPort } from '../lastgood/types.js';
import type { GitHub } from './client.js';
import { httpStatus } from './http-error.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

/** A commit as the read side needs it, from whichever response carried it (compare, list, git/commits). */
export interface RepoCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  subject: string;
  author: string;
  /** Committer date, ISO 8601. */
  date: string;
}

export interface Comparison {
  status: 'ahead' | 'behind' | 'identical' | 'diverged';
  aheadBy: number;
  base: RepoCommit;
  /** Commits reachable from head and not from base, oldest first (GitHub lists at most 250). */
  commits: RepoCommit[];
  /** True when `commits` holds all of them. */
  complete: boolean;
  /** Paths changed between the merge base and head (both sides of renames); undefined when GitHub truncated the list. */
  files: string[] | undefined;
}

export interface FileAt {
  text: string;
  /** Set when the path is a symbolic link: its target, as stored (then `text` is empty). */
  link?: string;
  /** The path GitHub answered for (another one when it followed a symbolic link). */
  path?: string;
  /** The blob SHA: the exact bytes, for a tree entry. */
  sha: string;
}

interface TreeItem {
  path: string;
  mode: string;
  type: string;
  sha: string;
}

const MAX_FILES = 300;

type CommitLike = {
  sha: string;
  parents: { sha: string }[];
  commit: { message: string; tree: { sha: string }; author: { name?: string; date?: string } | null; committer: { date?: string } | null };
};

function fromRestCommit(c: CommitLike): RepoCommit {
  const message = c.commit.message;
  return {
    sha: c.sha,
    tree: c.commit.tree.sha,
    parents: c.parents.map((p) => p.sha),
    message,
    subject: message.split('\n')[0] ?? '',
    author: c.commit.author?.name ?? '',
    date: c.commit.committer?.date ?? c.commit.author?.date ?? '',
  };
}

/**
 * The repository read through the REST API with every answer cached for the run: compare (ancestry, the
 * commits of a range, the files changed), commits, contents and trees. One compare answers "is it an ancestor",
 * "which commits are undone", "what is the good tree" and "did anything but the ledger change" at once.
 */
export class GitHubRepo {
  readonly github: GitHub;
  readonly owner: string;
  readonly repo: string;
  readonly log: Logger;
  private readonly comparisons = new Map<string, Promise<Comparison | undefined>>();
  private readonly commits = new Map<string, RepoCommit>();
  private readonly files = new Map<string, Promise<FileAt | undefined>>();
  private readonly trees = new Map<string, Promise<TreeItem[]>>();
  private readonly recent = new Map<string, { since: number; commits: RepoCommit[]; complete: boolean; pages: number; ref: string }>();

  constructor(github: GitHub, repo: RepoRef, log: Logger) {
    this.github = github;
    this.owner = repo.owner;
    this.repo = repo.repo;
    this.log = log;
  }

  /** A commit already read in this run (no request), else undefined. */
  cached(sha: string): RepoCommit | undefined {
    return this.commits.get(sha);
  }

  remember(c: RepoCommit): RepoCommit {
    this.commits.set(c.sha, c);
    return c;
  }

  /** `GET compare/{base}...{head}`; undefined when either commit does not exist (404). */
  compare(base: string, head: string): Promise<Comparison | undefined> {
    const key = `${base}...${head}`;
    let p = this.comparisons.get(key);
    if (!p) {
      p = this.fetchComparison(base, head);
      this.comparisons.set(key, p);
    }
    return p;
  }

  private async fetchComparison(base: string, head: string): Promise<Comparison | undefined> {
    try {
      const { data } = await this.github.rest.repos.compareCommitsWithBasehead({ owner: this.owner, repo: this.repo, basehead: `${base}...${head}` });
      const commits = data.commits.map((c) => this.remember(fromRestCommit(c as CommitLike)));
      const baseCommit = this.remember(fromRestCommit(data.base_commit as CommitLike));
      const files = data.files ?? [];
      const paths = new Set<string>();
      for (const f of files) {
        paths.add(f.filename);
        if (f.previous_filename) paths.add(f.previous_filename);
      }
      return {
        status: data.status,
        aheadBy: data.ahead_by,
        base: baseCommit,
        commits,
        complete: commits.length >= data.total_commits,
        files: files.length >= MAX_FILES ? undefined : [...paths],
      };
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** A commit, from the cache or `GET git/commits/{sha}`; undefined when it does not exist. */
  async commit(sha: string): Promise<RepoCommit | undefined> {
    const cached = this.commits.get(sha);
    if (cached) return cached;
    try {
      const { data } = await this.github.rest.git.getCommit({ owner: this.owner, repo: this.repo, commit_sha: sha });
      return this.remember({
        sha: data.sha,
        tree: data.tree.sha,
        parents: data.parents.map((p) => p.sha),
        message: data.message,
        subject: data.message.split('\n')[0] ?? '',
        author: data.author.name,
        date: data.committer.date,
      });
    } catch (error) {
      if (httpStatus(error) === 404 || httpStatus(error) === 422) return undefined;
      throw error;
    }
  }

  /**
   * Commits reachable from `head` committed since `since` (`GET commits?sha=&since=`, newest first; the
   * first one is `head` itself when it is that recent), pages of 100 fetched as needed up to `maxPages`.
   * `complete` is false when more were left.
   */
  async recentCommits(head: string, since: Date, maxPages = 10): Promise<{ commits: RepoCommit[]; complete: boolean }> {
    let entry = this.recent.get(head);
    if (!entry || entry.since > since.getTime()) {
      entry = { since: since.getTime(), commits: [], complete: false, pages: 0, ref: head };
      this.recent.set(head, entry);
    }
    while (!entry.complete && entry.pages < maxPages) {
      const page = entry.pages + 1;
      const { data } = await this.github.rest.repos.listCommits({ owner: this.owner, repo: this.repo, sha: entry.ref, since: new Date(entry.since).toISOString(), per_page: 100, page });
      entry.commits.push(...data.map((c) => this.remember(fromRestCommit(c as CommitLike))));
      entry.pages = page;
      if (data.length < 100) entry.complete = true;
      // Keyed by the head's SHA too, and paged on by it: a list asked for by branch name answers later
      // questions about that head even if the branch moves meanwhile.
      if (page === 1 && entry.commits[0]) {
        entry.ref = entry.commits[0].sha;
        this.recent.set(entry.commits[0].sha, entry);
      }
    }
    return { commits: entry.commits.filter((c) => Date.parse(c.date) >= since.getTime()), complete: entry.complete };
  }

  /** The file if it was read already (no request), else undefined. */
  cachedFile(ref: string, path: string): Promise<FileAt | undefined> {
    return this.files.get(`${ref}:${path}`) ?? Promise.resolve(undefined);
  }

  /** A file's text and blob SHA at a commit (contents API; the raw media type above 1 MB); undefined when absent. */
  readFile(ref: string, path: string): Promise<FileAt | undefined> {
    const key = `${ref}:${path}`;
    let p = this.files.get(key);
    if (!p) {
      p = this.fetchFile(ref, path);
      this.files.set(key, p);
    }
    return p;
  }

  private async fetchFile(ref: string, path: string): Promise<FileAt | undefined> {
    try {
      const { data } = await this.github.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref });
      if (Array.isArray(data)) return undefined;
      if (data.type === 'symlink') return { text: '', link: String((data as { target?: string }).target ?? ''), sha: data.sha };
      if (data.type !== 'file') return undefined;
      const file = data as { sha: string; content?: string; encoding?: string };
      const at = typeof data.path === 'string' ? { path: data.path } : {};
      if (file.encoding === 'base64' && file.content !== undefined && (file.content !== '' || (data as { size?: number }).size === 0)) {
        return { text: Buffer.from(file.content, 'base64').toString('utf8'), sha: file.sha, ...at };
      }
      // Over 1 MB the JSON answer carries no content: ask again for the raw bytes.
      const raw = await this.github.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref, mediaType: { format: 'raw' } });
      return { text: String(raw.data as unknown), sha: file.sha, ...at };
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** One level of a tree (`GET git/trees/{sha}`), cached. */
  listTree(sha: string): Promise<TreeItem[]> {
    let p = this.trees.get(sha);
    if (!p) {
      p = this.github.rest.git.getTree({ owner: this.owner, repo: this.repo, tree_sha: sha }).then(({ data }) =>
        data.tree.map((t) => ({ path: t.path ?? '', mode: t.mode ?? '', type: t.type ?? '', sha: t.sha ?? '' })),
      );
      this.trees.set(sha, p);
    }
    return p;
  }

  /** The tree entry at `path` under the root tree `tree`, walking one level per path segment. */
  async entryAt(tree: string, path: string): Promise<TreeItem | undefined> {
    const parts = path.split('/').filter(Boolean);
    let current = tree;
    for (let i = 0; i < parts.length; i++) {
      const item = (await this.listTree(current)).find((t) => t.path === parts[i]);
      if (!item) return undefined;
      if (i === parts.length - 1) return { ...item, path };
      if (item.type !== 'tree') return undefined;
      current = item.sha;
    }
    return undefined;
  }

  /** Two root trees are equal outside the `ignore` paths, comparing level by level (only the levels on those paths are listed). */
  async treesEqualOutside(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    if (a === b) return true;
    const paths = ignore.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
    if (paths.length === 0) return false;
    const [la, lb] = await Promise.all([this.listTree(a), this.listTree(b)]);
    const names = new Set([...la.map((t) => t.path), ...lb.map((t) => t.path)]);
    for (const name of names) {
      if (paths.includes(name)) continue;
      const ea = la.find((t) => t.path === name);
      const eb = lb.find((t) => t.path === name);
      if (ea && eb && ea.mode === eb.mode && ea.sha === eb.sha) continue;
      const below = paths.filter((p) => p.startsWith(`${name}/`)).map((p) => p.slice(name.length + 1));
      if (below.length && ea?.type === 'tree' && eb?.type === 'tree' && (await this.treesEqualOutside(ea.sha, eb.sha, below))) continue;
      return false;
    }
    return true;
  }

  /**
   * Commits in `base..head`, newest first, from a comparison already made when one covers the range (the
   * range of a commit found by its tree is a sub-range of the one of its good commit), else from a new one.
   */
  async commitsBetween(base: string, head: string, limit: number): Promise<{ commits: CommitSummary[]; total: number }> {
    for (const [key, p] of this.comparisons) {
      if (!key.endsWith(`...${head}`)) continue;
      const c = await p;
      if (!c || !c.complete || !(c.status === 'ahead' || c.status === 'identical')) continue;
      const inRange = new Map(c.commits.map((x) => [x.sha, x]));
      if (key === `${base}...${head}` || inRange.has(base)) {
        const reachable = new Set<string>();
        const stack = [base];
        while (stack.length) {
          const s = stack.pop()!;
          if (reachable.has(s) || !inRange.has(s)) continue;
          reachable.add(s);
          stack.push(...inRange.get(s)!.parents);
        }
        const left = c.commits.filter((x) => !reachable.has(x.sha)).reverse();
        return { commits: left.slice(0, limit).map(summary), total: left.length };
      }
    }
    const c = await this.compare(base, head);
    if (!c) return { commits: [], total: 0 };
    // GitHub lists a comparison oldest first and stops at 250: the newest (the failing commit first) are on
    // its last pages.
    const pool = c.complete ? c.commits : await this.newestOfRange(base, head, c.aheadBy, limit);
    const newestFirst = [...pool].reverse();
    return { commits: newestFirst.slice(0, limit).map(summary), total: c.aheadBy };
  }

  /** The newest (at least `limit`) commits of `base...head`, oldest first: the last one or two pages of 100. */
  private async newestOfRange(base: string, head: string, total: number, limit: number): Promise<RepoCommit[]> {
    const perPage = 100;
    const last = Math.max(1, Math.ceil(total / perPage));
    const pages = last > 1 && total - (last - 1) * perPage < limit ? [last - 1, last] : [last];
    const out: RepoCommit[] = [];
    for (const page of pages) {
      const { data } = await this.github.rest.repos.compareCommitsWithBasehead({ owner: this.owner, repo: this.repo, basehead: `${base}...${head}`, per_page: perPage, page });
      out.push(...data.commits.map((x) => this.remember(fromRestCommit(x as CommitLike))));
    }
    return out;
  }
}

export function chainCommit(c: RepoCommit): ChainCommit {
  return { sha: c.sha, tree: c.tree, parents: c.parents, message: c.message, subject: c.subject, date: Date.parse(c.date) || 0 };
}

export function summary(c: RepoCommit): CommitSummary {
  return { sha: c.sha, subject: c.subject, message: c.message };
}

/** find-last-good-commit's history port without a checkout: the compare API (`ahead`/`identical`). */
export class ApiHistory implements HistoryPort {
  readonly describe = 'GitHub compare API';
  readonly repo: GitHubRepo;

  constructor(repo: GitHubRepo) {
    this.repo = repo;
  }

  async ancestry(candidate: string, head: string): Promise<Ancestry> {
    const c = await this.repo.compare(candidate, head);
    if (!c) return { status: 'missing' };
    if (c.status === 'identical') return { status: 'same', sha: c.base.sha };
    if (c.status === 'ahead') return { status: 'ancestor', sha: c.base.sha };
    return { status: 'not-ancestor', sha: c.base.sha };
  }

  async firstParentsBelow(head: string, stop: string | undefined, limit: number): Promise<CommitSummary[]> {
    let pool: RepoCommit[] | undefined;
    if (stop) {
      const c = await this.repo.compare(stop, head);
      if (c && c.complete) pool = c.commits;
    }
    if (!pool) {
      const { data } = await this.repo.github.rest.repos.listCommits({ owner: this.repo.owner, repo: this.repo.repo, sha: head, per_page: Math.min(100, limit + 1) });
      pool = data.map((c) => fromRestCommit(c as CommitLike));
    }
    const bySha = new Map(pool.map((c) => [c.sha, c]));
    const out: CommitSummary[] = [];
    let current = bySha.get(head)?.parents[0];
    while (current && out.length < limit && current !== stop) {
      const c = bySha.get(current);
      if (!c) break;
      out.push(summary(c));
      current = c.parents[0];
    }
    return out;
  }

  async message(sha: string): Promise<string | undefined> {
    return (await this.repo.commit(sha))?.message;
  }

  /**
   * The REST commit list follows every parent in date order, not the first parents (REFERENCE): its pages
   * (100 commits a request) are a pool the walk follows `parents[0]` through; a commit the pool lacks is
   * read alone (`git/commits`).
   */
  async *walkFirstParents(head: string): AsyncGenerator<ChainCommit> {
    const maxPages = 10;
    let page = 0;
    let more = true;
    let current: string | undefined = head;
    while (current) {
      // Commits read before (an earlier walk, a compare) cost nothing; the list is paged only for the others.
      let c: RepoCommit | undefined = this.repo.cached(current);
      while (!c && more && page < maxPages) {
        page++;
        const { data } = await this.repo.github.rest.repos.listCommits({ owner: this.repo.owner, repo: this.repo.repo, sha: head, per_page: 100, page });
        for (const x of data) this.repo.remember(fromRestCommit(x as CommitLike));
        if (data.length < 100) more = false;
        c = this.repo.cached(current);
      }
      c ??= await this.repo.commit(current);
      if (!c) return;
      yield chainCommit(c);
      current = c.parents[0];
    }
  }

  async pathAt(commit: string, path: string): Promise<{ file: string } | { link: string } | undefined> {
    const f = await this.repo.readFile(commit, path);
    if (!f) return undefined;
    if (f.link !== undefined) return { link: f.link };
    // GitHub answers a link to a file in the repository with that file (its own path): a link, for the caller.
    const clean = path.replace(/^\/+|\/+$/g, '');
    if (f.path !== undefined && f.path !== clean) return { link: posix.relative(posix.dirname(clean), f.path) };
    return { file: f.text };
  }

  async commitInfo(sha: string): Promise<ChainCommit | undefined> {
    const c = await this.repo.commit(sha);
    return c ? chainCommit(c) : undefined;
  }

  async sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    const ignored = (path: string) => ignore.some((p) => path === p || path.startsWith(`${p.replace(/\/+$/, '')}/`));
    let c = await this.repo.compare(a, b);
    if (!c) return false;
    if (c.status === 'behind') c = await this.repo.compare(b, a);
    if (c && (c.status === 'ahead' || c.status === 'identical') && c.files) return c.files.every(ignored);
    // Diverged (or too many files to list): compare the trees themselves.
    const [ca, cb] = await Promise.all([this.repo.commit(a), this.repo.commit(b)]);
    if (!ca || !cb) return false;
    return this.repo.treesEqualOutside(ca.tree, cb.tree, ignore);
  }
}

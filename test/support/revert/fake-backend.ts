import type { CreatedCommit, CulpritPlan, PullRequestPort, RevertBackend, RevertCommit, RevertCommitSpec, UpdateOutcome } from '../../../src/core/lastgood/revert.js';
import type { CommitSummary } from '../../../src/core/lastgood/types.js';
import type { FakeRepo } from './fake-history.js';

/** RevertBackend over the in-memory FakeRepo: refs with fast-forward-only updates, protection, dates. */
export class FakeBackend implements RevertBackend {
  readonly describe = 'fake';
  readonly repo: FakeRepo;
  readonly heads = new Map<string, string>();
  readonly protectedBranches = new Set<string>();
  readonly writes: string[] = [];
  /** Called just before a branch update: lets a test move the branch "concurrently". */
  beforeUpdate?: () => void;

  constructor(repo: FakeRepo) {
    this.repo = repo;
  }

  /** Committer dates (ms) of the repository's commits; unset: now. */
  get dates(): Map<string, number> {
    return this.repo.dates;
  }

  async branchHead(branch: string): Promise<string | undefined> {
    return this.heads.get(branch);
  }

  async commit(sha: string): Promise<RevertCommit | undefined> {
    const c = this.repo.commits.get(sha);
    return c && { sha, subject: c.subject, message: c.message, author: 'Dev' };
  }

  async readFile(commit: string, path: string): Promise<string | undefined> {
    return this.repo.commits.get(commit)?.files[path];
  }

  async commitsBetween(base: string, head: string, limit: number): Promise<{ commits: CommitSummary[]; total: number }> {
    const excluded = this.repo.reachable(base);
    const all = [...this.repo.reachable(head)].filter((s) => !excluded.has(s)).map((s) => ({ sha: s, subject: this.repo.commits.get(s)!.subject }));
    return { commits: all.slice(0, limit), total: all.length };
  }

  sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    return this.repo.sameTree(a, b, ignore);
  }

  async createCommit(spec: RevertCommitSpec): Promise<CreatedCommit> {
    const good = this.repo.commits.get(spec.good)!.files;
    const parent = this.repo.commits.get(spec.parent)!.files;
    const files = { ...good };
    const under = (p: string, q: string) => p === q || p.startsWith(`${q}/`);
    for (const q of spec.preserve) {
      for (const k of Object.keys(files)) if (under(k, q)) delete files[k];
      for (const [k, v] of Object.entries(parent)) if (under(k, q)) files[k] = v;
    }
    for (const k of spec.keep) {
      const from = this.repo.commits.get(k.from)!.files;
      for (const key of Object.keys(files)) if (under(key, k.path)) delete files[key];
      for (const [key, v] of Object.entries(from)) if (under(key, k.path)) files[key] = v;
    }
    for (const f of spec.files) files[f.path] = f.content;
    const sha = this.repo.add([spec.parent], files, spec.message);
    this.writes.push(`commit ${sha}`);
    return { sha, tree: `tree-of-${sha}`, verified: true };
  }

  /** Not modelled by the fake: undo: culprit is proven through the bundles (test/e2e/undo-culprit.test.ts). */
  async planCulpritUndo(): Promise<CulpritPlan> {
    return { conflict: 'the fake backend does not undo culprits' };
  }

  async updateBranch(branch: string, sha: string): Promise<UpdateOutcome> {
    this.beforeUpdate?.();
    this.beforeUpdate = undefined;
    if (this.protectedBranches.has(branch)) return { status: 'rejected', detail: 'Protected branch update failed', protected: true };
    const current = this.heads.get(branch);
    if (current && !this.repo.reachable(sha).has(current)) return { status: 'rejected', detail: 'Update is not a fast forward', protected: false };
    this.heads.set(branch, sha);
    this.writes.push(`update ${branch} ${sha}`);
    return { status: 'ok' };
  }

  async createBranch(branch: string, sha: string): Promise<'created' | 'exists'> {
    if (this.heads.has(branch)) return 'exists';
    this.heads.set(branch, sha);
    this.writes.push(`branch ${branch}`);
    return 'created';
  }
}

export class FakePulls implements PullRequestPort {
  readonly opened: { head: string; base: string; title: string; body: string; number: number; url: string }[] = [];
  async findOpen(head: string, base: string): Promise<{ number: number; url: string } | undefined> {
    return this.opened.find((p) => p.head === head && p.base === base);
  }
  async create(spec: { head: string; base: string; title: string; body: string }): Promise<{ number: number; url: string }> {
    const pr = { ...spec, number: this.opened.length + 1, url: `https://github.com/owner/app/pull/${this.opened.length + 1}` };
    this.opened.push(pr);
    return pr;
  }
}

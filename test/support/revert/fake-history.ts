import { createHash } from 'node:crypto';
import type { Ancestry, ChainCommit, ChecksPort, CommitSummary, HistoryPort, StatusStates } from '../../../src/core/lastgood/types.js';

export interface FakeCommit {
  sha: string;
  parents: string[];
  files: Record<string, string>;
  subject: string;
  message: string;
}

/** An in-memory commit graph with file trees: the history port's rules without git. */
export class FakeRepo implements HistoryPort {
  readonly describe = 'fake';
  readonly commits = new Map<string, FakeCommit>();
  /** Commits ancestry was asked about, in order (to check the search is lazy). */
  readonly asked: string[] = [];
  /** Committer dates (ms); unset: now. */
  readonly dates = new Map<string, number>();
  private n = 0;

  add(parents: string[], files: Record<string, string>, message = `commit ${this.n + 1}`): string {
    this.n++;
    const sha = createHash('sha1').update(`${this.n}:${message}`).digest('hex');
    this.commits.set(sha, { sha, parents, files: { ...files }, subject: message.split('\n')[0] ?? '', message });
    return sha;
  }

  /** A child of `parent` with some files changed (null deletes). */
  child(parent: string, change: Record<string, string | null>, message?: string): string {
    const files = { ...this.commits.get(parent)!.files };
    for (const [k, v] of Object.entries(change)) {
      if (v === null) delete files[k];
      else files[k] = v;
    }
    return this.add([parent], files, message);
  }

  private resolve(sha: string): string | undefined {
    const matches = [...this.commits.keys()].filter((k) => k.startsWith(sha.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
  }

  reachable(from: string): Set<string> {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.commits.get(s)?.parents ?? []));
    }
    return seen;
  }

  async ancestry(candidate: string, head: string): Promise<Ancestry> {
    this.asked.push(candidate);
    const full = this.resolve(candidate);
    if (!full) return { status: 'missing' };
    if (full === head) return { status: 'same', sha: full };
    return this.reachable(head).has(full) ? { status: 'ancestor', sha: full } : { status: 'not-ancestor', sha: full };
  }

  async firstParentsBelow(head: string, stop: string | undefined, limit: number): Promise<CommitSummary[]> {
    const excluded = stop ? this.reachable(stop) : new Set<string>();
    const out: CommitSummary[] = [];
    let cur = this.commits.get(head)?.parents[0];
    while (cur && !excluded.has(cur) && out.length < limit) {
      const c = this.commits.get(cur)!;
      out.push({ sha: c.sha, subject: c.subject, message: c.message });
      cur = c.parents[0];
    }
    return out;
  }

  async message(sha: string): Promise<string | undefined> {
    return this.commits.get(this.resolve(sha) ?? sha)?.message;
  }

  /** Files whose content is `-> target` are symbolic links to target. */
  async pathAt(commit: string, path: string): Promise<{ file: string } | { link: string } | undefined> {
    const text = this.commits.get(this.resolve(commit) ?? commit)?.files[path];
    if (text === undefined) return undefined;
    return text.startsWith('-> ') ? { link: text.slice(3) } : { file: text };
  }

  private chain(c: FakeCommit, i: number): ChainCommit {
    return { sha: c.sha, tree: `tree-${c.sha}`, parents: c.parents, message: c.message, subject: c.subject, date: this.dates.get(c.sha) ?? Date.now() + i };
  }

  async *walkFirstParents(head: string): AsyncGenerator<ChainCommit> {
    let cur: string | undefined = this.resolve(head) ?? head;
    while (cur) {
      const c = this.commits.get(cur);
      if (!c) return;
      yield this.chain(c, 0);
      cur = c.parents[0];
    }
  }

  async commitInfo(sha: string): Promise<ChainCommit | undefined> {
    const c = this.commits.get(this.resolve(sha) ?? sha);
    return c ? this.chain(c, 0) : undefined;
  }

  async sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    const ta = this.commits.get(a)?.files;
    const tb = this.commits.get(b)?.files;
    if (!ta || !tb) return false;
    const ignored = (p: string) => ignore.some((i) => p === i || p.startsWith(`${i}/`));
    const keys = new Set([...Object.keys(ta), ...Object.keys(tb)].filter((k) => !ignored(k)));
    return [...keys].every((k) => ta[k] === tb[k]);
  }
}

export class FakeChecks implements ChecksPort {
  readonly runs = new Map<string, Map<string, string | null>>();
  set(sha: string, name: string, conclusion: string | null): void {
    if (!this.runs.has(sha)) this.runs.set(sha, new Map());
    this.runs.get(sha)!.set(name, conclusion);
  }
  async conclusions(sha: string): Promise<Map<string, string | null>> {
    return this.runs.get(sha) ?? new Map();
  }
  /** Commit statuses: the newest state per context. */
  readonly states = new Map<string, Map<string, string>>();
  /** When set, statuses() answers refused with this text (a 403). */
  refusedWith: string | undefined;
  /** The commits statuses() was asked about, in order. */
  readonly statusCalls: string[] = [];
  setStatus(sha: string, context: string, state: string): void {
    if (!this.states.has(sha)) this.states.set(sha, new Map());
    this.states.get(sha)!.set(context, state);
  }
  async statuses(sha: string): Promise<StatusStates> {
    this.statusCalls.push(sha);
    if (this.refusedWith !== undefined) return { refused: this.refusedWith };
    return { states: this.states.get(sha) ?? new Map() };
  }
}

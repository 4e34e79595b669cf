import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Logger } from '../action/log.js';
import type { Ancestry, ChainCommit, CommitSummary, HistoryPort } from '../lastgood/types.js';
import type { Git } from './git.js';

// ------------------------------------------------------------------ trailers

/** Trailers greenline writes on a revert commit: the failing commit it undid and the good one it restored. */
export const REVERT_OF_TRAILER = 'Greenline-Revert-Of';
export const RESTORED_TRAILER = 'Greenline-Restored';
/**
 * Trailer greenline writes on a commit that marks a build ⛔ in the ledger: the marker then lives in history
 * too, and still holds when a merge drops the ledger line.
 */
export const ROLLED_BACK_TRAILER = 'Greenline-Rolled-Back';

export interface MessageTrailer {
  key: string;
  value: string;
}

/**
 * The trailers of a commit message without running git (messages from the API): the `Key: value` lines of
 * the last paragraph, when that paragraph is made of them (continuation lines starting with whitespace are
 * folded in). Like `git interpret-trailers --parse` for everything greenline writes and reads.
 */
export function messageTrailers(message: string): MessageTrailer[] {
  const paragraphs = message.replace(/\r\n?/g, '\n').trimEnd().split(/\n[ \t]*\n/);
  if (paragraphs.length < 2) return [];
  const last = paragraphs[paragraphs.length - 1]!.split('\n');
  const out: MessageTrailer[] = [];
  let others = 0;
  for (const line of last) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (m) out.push({ key: m[1]!, value: m[2]!.trim() });
    else if (/^[ \t]+\S/.test(line) && out.length) out[out.length - 1]!.value += ` ${line.trim()}`;
    else others++;
  }
  // git accepts a trailer block when at least 25 % of its lines are trailers (or one is git-generated).
  return out.length > 0 && out.length * 3 >= others ? out : [];
}

export interface GreenlineMarks {
  /** The failing commit a greenline revert undid. */
  revertOf?: string;
  /** The good commit it restored. */
  restored?: string;
  /** Builds the commit marked ⛔ Rolled back. */
  rolledBack: string[];
}

/** Whether a commit is one of greenline's reverts, from its trailers. */
export function greenlineMarks(message: string): GreenlineMarks {
  const marks: GreenlineMarks = { rolledBack: [] };
  for (const t of messageTrailers(message)) {
    const key = t.key.toLowerCase();
    if (key === REVERT_OF_TRAILER.toLowerCase()) marks.revertOf = t.value;
    if (key === RESTORED_TRAILER.toLowerCase()) marks.restored = t.value;
    if (key === ROLLED_BACK_TRAILER.toLowerCase() && /^[0-9a-f]{7,40}$/i.test(t.value)) marks.rolledBack.push(t.value.toLowerCase());
  }
  return marks;
}

/**
 * Whether a push of this commit starts no workflow run: a skip keyword anywhere in the message (`[skip ci]`,
 * `[ci skip]`, `[no ci]`, `[skip actions]`, `[actions skip]`) or a `skip-checks: true` trailer. Such a commit
 * (a ledger commit, a greenline revert) never gets a ✅ of its own: only its tree can say it is good.
 */
export function skipsCi(message: string): boolean {
  if (/\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i.test(message)) return true;
  return messageTrailers(message).some((t) => t.key.toLowerCase() === 'skip-checks' && t.value.toLowerCase() === 'true');
}

export function isGreenlineRevert(message: string): boolean {
  const m = greenlineMarks(message);
  return m.revertOf !== undefined || m.restored !== undefined;
}

// ------------------------------------------------------------------ history over the workspace checkout

export interface GitHistoryOptions {
  remote?: string;
  log: Logger;
  /**
   * Successive `git fetch --deepen` steps for a shallow clone before falling back to `--unshallow`. The
   * default (50, 250, 1000) reaches a good commit 500 commits back in three fetches.
   */
  deepenSteps?: readonly number[];
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Ancestry, first-parent walks and tree equality in the workspace checkout. A shallow clone (actions/checkout
 * fetches one commit by default) is deepened step by step, and unshallowed as the last step, before anything
 * is declared "not an ancestor": history cut off is never mistaken for history rewritten.
 */
export class GitHistory implements HistoryPort {
  readonly describe = 'git (workspace checkout)';
  readonly git: Git;
  private readonly remote: string;
  private readonly log: Logger;
  private readonly steps: readonly number[];
  private deepened = 0;
  private readonly present = new Set<string>();

  constructor(git: Git, options: GitHistoryOptions) {
    this.git = git;
    this.remote = options.remote ?? 'origin';
    this.log = options.log;
    this.steps = options.deepenSteps ?? [50, 250, 1000];
  }

  /** The full SHA of `sha`, fetching it from the remote when the checkout does not have it. */
  async ensureCommit(sha: string): Promise<string> {
    if (this.present.has(sha)) return sha;
    let full = await this.git.tryRevParse(`${sha}^{commit}`);
    if (full === undefined && FULL_SHA.test(sha)) {
      const shallow = await this.git.isShallow();
      this.log.debug(`git: fetching ${sha} from ${this.remote}`);
      await this.git.run(['fetch', '--no-tags', '--quiet', ...(shallow ? ['--depth=1'] : []), this.remote, sha]);
      full = await this.git.tryRevParse(`${sha}^{commit}`);
    }
    if (full === undefined) throw new Error(`commit ${sha} is not in the checkout and could not be fetched from ${this.remote}`);
    this.present.add(full);
    return full;
  }

  /** One more deepening step of a shallow clone; false when the clone is complete. */
  async deepen(head: string): Promise<boolean> {
    if (!(await this.git.isShallow())) return false;
    const step = this.steps[this.deepened];
    this.deepened++;
    this.log.info(`git: shallow clone, fetching ${step === undefined ? 'the rest of the history' : `${step} more commits`} of ${head.slice(0, 7)}`);
    try {
      await this.git.deepen(step ?? 'unshallow', this.remote, [head]);
    } catch (error) {
      // A server that refuses to fetch by SHA: deepen what the remote's refspec fetches instead.
      this.log.debug(`git: deepening ${head} failed (${(error as Error).message}); deepening the default refs`);
      await this.git.deepen(step ?? 'unshallow', this.remote);
    }
    return true;
  }

  async ancestry(candidate: string, head: string): Promise<Ancestry> {
    const headSha = await this.ensureCommit(head);
    let full: string | undefined;
    for (;;) {
      full = await this.git.tryRevParse(`${candidate}^{commit}`);
      if (full !== undefined) {
        if (full === headSha) return { status: 'same', sha: full };
        if (await this.git.isAncestor(full, headSha)) return { status: 'ancestor', sha: full };
      }
      if (!(await this.deepen(headSha))) break;
    }
    // The head's whole history is here now: the candidate is not in it.
    if (full !== undefined) return { status: 'not-ancestor', sha: full };
    if (!FULL_SHA.test(candidate)) return { status: 'not-ancestor' };
    const fetched = await this.git.run(['fetch', '--no-tags', '--quiet', this.remote, candidate], { allowFail: true });
    if (fetched.code !== 0) return { status: 'missing' };
    full = await this.git.tryRevParse(`${candidate}^{commit}`);
    return full ? { status: 'not-ancestor', sha: full } : { status: 'missing' };
  }

  async firstParentsBelow(head: string, stop: string | undefined, limit: number): Promise<CommitSummary[]> {
    const headSha = await this.ensureCommit(head);
    for (let attempt = 0; ; attempt++) {
      const args = ['log', '--first-parent', '--no-show-signature', `--max-count=${limit + 1}`, '--format=%H%x00%B%x1e', headSha];
      if (stop) args.push(`^${stop}`);
      const commits = parseRecords((await this.git.run([...args, '--'])).stdout).filter((c) => c.sha !== headSha);
      // Without a stop the walk may run into a shallow boundary: deepen once, as far as the walk goes.
      if (stop || commits.length >= limit || attempt > 0 || !(await this.git.isShallow())) return commits.slice(0, limit);
      await this.git.deepen(limit + 1, this.remote, [headSha]);
    }
  }

  async message(sha: string): Promise<string | undefined> {
    const r = await this.git.run(['log', '-1', '--no-show-signature', '--format=%B', sha, '--'], { allowFail: true });
    return r.code === 0 ? r.stdout : undefined;
  }

  async *walkFirstParents(head: string): AsyncGenerator<ChainCommit> {
    const headSha = await this.ensureCommit(head);
    const batch = 200;
    let start: string | undefined = headSha;
    while (start) {
      const r = await this.git.run(['log', '--first-parent', '--no-show-signature', `--max-count=${batch}`, `--format=${CHAIN_FORMAT}`, start, '--']);
      const commits = parseChain(r.stdout);
      if (commits.length === 0) return;
      const last = commits[commits.length - 1]!;
      // A shallow clone's boundary commit shows no parents: deepen until it has them (or the clone is whole),
      // so the walk (and its last commit's parents) is never cut short by a shallow checkout.
      while (last.parents.length === 0 && (await this.deepen(headSha))) last.parents = (await this.commitInfo(last.sha))?.parents ?? [];
      for (const c of commits) yield c;
      start = last.parents[0];
    }
  }

  async pathAt(commit: string, path: string): Promise<{ file: string } | { link: string } | undefined> {
    const full = await this.ensureCommit(commit);
    const r = await this.git.run(['--literal-pathspecs', 'ls-tree', '-z', full, '--', path.replace(/^\/+|\/+$/g, '')], { allowFail: true });
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t/.exec(r.stdout);
    if (r.code !== 0 || !m || m[2] !== 'blob') return undefined;
    const blob = (await this.git.run(['cat-file', 'blob', m[3]!])).stdout;
    return m[1] === '120000' ? { link: blob } : { file: blob };
  }

  async commitInfo(sha: string): Promise<ChainCommit | undefined> {
    let full: string;
    try {
      full = await this.ensureCommit(sha);
    } catch {
      return undefined;
    }
    const r = await this.git.run(['log', '-1', '--no-show-signature', `--format=${CHAIN_FORMAT}`, full, '--'], { allowFail: true });
    return r.code === 0 ? parseChain(r.stdout)[0] : undefined;
  }

  async sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean> {
    const r = await this.git.run(['diff-tree', '--quiet', '-r', '--no-renames', a, b, '--', ...excludes(ignore)], { allowFail: true });
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    this.log.debug(`git diff-tree ${a} ${b}: ${r.stderr.trim()}`);
    return false;
  }

  /** Commits in `base..head`, newest first, at most `limit`, and how many there are in all. */
  async commitsBetween(base: string, head: string, limit: number): Promise<{ commits: CommitSummary[]; total: number }> {
    const total = Number((await this.git.run(['rev-list', '--count', head, `^${base}`, '--'])).stdout.trim());
    const out = await this.git.run(['log', '--no-show-signature', `--max-count=${limit}`, '--format=%H%x00%s', head, `^${base}`, '--']);
    return { commits: parseLog(out.stdout), total };
  }

  /**
   * Greenline reverts reachable from `head` committed at or after `since` (committer date), deepening a
   * shallow clone until its history reaches back that far.
   */
  async revertsSince(head: string, since: Date): Promise<CommitSummary[]> {
    const headSha = await this.ensureCommit(head);
    const epoch = Math.floor(since.getTime() / 1000);
    for (;;) {
      const r = await this.git.run(['log', '--no-show-signature', `--since=@${epoch}`, '--format=%H%x00%ct%x00%B%x1e', headSha, '--']);
      const records = r.stdout.split('\x1e').map((s) => s.replace(/^\n/, '')).filter((s) => s.trim() !== '');
      const commits = records.map((rec) => {
        const [sha = '', ct = '0', ...msg] = rec.split('\0');
        return { sha, time: Number(ct), message: msg.join('\0') };
      });
      if (!(await this.git.isShallow()) || (await this.boundaryOlderThan(epoch))) {
        return commits
          .filter((c) => isGreenlineRevert(c.message))
          .map((c) => ({ sha: c.sha, subject: c.message.split('\n')[0] ?? '' }));
      }
      await this.deepen(headSha);
    }
  }

  /** Every shallow boundary commit was committed before `epoch`, so nothing newer is cut off. */
  private async boundaryOlderThan(epoch: number): Promise<boolean> {
    const file = (await this.git.run(['rev-parse', '--git-path', 'shallow'])).stdout.trim();
    const roots = await readShallowRoots(this.git, file);
    for (const root of roots) {
      const ct = Number((await this.git.run(['log', '-1', '--format=%ct', root, '--'], { allowFail: true })).stdout.trim() || '0');
      if (ct >= epoch) return false;
    }
    return true;
  }
}

async function readShallowRoots(git: Git, file: string): Promise<string[]> {
  try {
    const text = await readFile(isAbsolute(file) ? file : join(git.cwd, file), 'utf8');
    return text.split('\n').map((s) => s.trim()).filter((s) => FULL_SHA.test(s));
  } catch {
    return [];
  }
}

/** Pathspecs that exclude each path (file or directory), literally (no glob characters interpreted). */
export function excludes(paths: readonly string[]): string[] {
  return paths.map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '').map((p) => `:(exclude,literal)${p}`);
}

const CHAIN_FORMAT = '%H%x00%T%x00%P%x00%ct%x00%B%x1e';

/** `CHAIN_FORMAT` records. */
function parseChain(stdout: string): ChainCommit[] {
  return stdout
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes('\0'))
    .map((r) => {
      const [sha = '', tree = '', parents = '', ct = '0', ...rest] = r.split('\0');
      const message = rest.join('\0').replace(/\n+$/, '');
      return { sha, tree, parents: parents.split(' ').filter(Boolean), date: Number(ct) * 1000, message, subject: message.split('\n')[0] ?? '' };
    });
}

/** `%H%x00%B%x1e` records. */
function parseRecords(stdout: string): CommitSummary[] {
  return stdout
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes('\0'))
    .map((r) => {
      const [sha = '', ...rest] = r.split('\0');
      const message = rest.join('\0').replace(/\n+$/, '');
      return { sha, subject: message.split('\n')[0] ?? '', message };
    });
}

function parseLog(stdout: string): CommitSummary[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes('\0'))
    .map((l) => {
      const [sha = '', subject = ''] = l.split('\0');
      return { sha, subject };
    });
}

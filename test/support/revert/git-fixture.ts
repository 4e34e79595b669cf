import { mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execFileRunner } from '../../../src/core/git/exec.js';
import { tempDir, type TempDir } from '../tmp.js';
import { LEDGER, ledgerWith, passed } from './ledger.js';
import type { NewLedgerEntry } from '../../../src/core/ledger/schema.js';

/** A developer's identity, isolated from the machine's git configuration. */
const DEV_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Dev Eloper',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev Eloper',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
};

export async function git(cwd: string, args: string[], opts: { input?: string; env?: Record<string, string>; allowFail?: boolean } = {}): Promise<string> {
  const r = await execFileRunner('git', args, { cwd, env: { ...DEV_ENV, ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  if (r.code !== 0 && !opts.allowFail) throw new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A bare remote (what the GitHub stand-in serves and workspaces push to) and a full working clone where a test
 * writes history as developers would. Clones for the action under test are made with `clone()` (shallow if
 * asked, over file:// so --depth is honoured).
 */
export class GitFixture {
  readonly tmp: TempDir;
  readonly bare: string;
  readonly work: string;
  private ledgerText: string | undefined;

  private constructor(tmp: TempDir) {
    this.tmp = tmp;
    this.bare = join(tmp.path, 'remote.git');
    this.work = join(tmp.path, 'dev');
  }

  static async create(): Promise<GitFixture> {
    const f = new GitFixture(await tempDir('greenline-revert-'));
    await git(f.tmp.path, ['init', '-q', '--bare', '-b', 'main', f.bare]);
    await git(f.tmp.path, ['init', '-q', '-b', 'main', f.work]);
    await git(f.work, ['remote', 'add', 'origin', `file://${f.bare}`]);
    return f;
  }

  get url(): string {
    return `file://${this.bare}`;
  }

  /** Writes the files (null deletes) and commits them; returns the new commit's SHA. */
  async commit(message: string, files: Record<string, string | null>, opts: { date?: Date } = {}): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.work, path);
      if (content === null) await rm(full, { force: true, recursive: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
    await git(this.work, ['add', '-A']);
    const env: Record<string, string> = opts.date ? { GIT_AUTHOR_DATE: opts.date.toISOString(), GIT_COMMITTER_DATE: opts.date.toISOString() } : {};
    await git(this.work, ['-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', message], { env });
    return git(this.work, ['rev-parse', 'HEAD']);
  }

  /** The ledger commit promote-to-stable makes after a green build: ✅ entry for `sha`, `[skip ci]`. */
  async recordPassed(sha: string, extra: Partial<NewLedgerEntry> = {}): Promise<string> {
    return this.recordEntries([passed(sha, extra)], `greenline: ledger passed ${sha.slice(0, 7)} [skip ci]`);
  }

  async recordEntries(entries: NewLedgerEntry[], message = 'greenline: ledger [skip ci]'): Promise<string> {
    this.ledgerText = ledgerWith(entries, await this.currentLedger());
    return this.commit(message, { [LEDGER]: this.ledgerText });
  }

  async currentLedger(): Promise<string | undefined> {
    const r = await git(this.work, ['show', `HEAD:${LEDGER}`], { allowFail: true });
    return r === '' ? undefined : `${r}\n`;
  }

  async push(branch = 'main', opts: { force?: boolean } = {}): Promise<void> {
    await git(this.work, ['push', '-q', ...(opts.force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${branch}`]);
  }

  async remoteHead(branch = 'main'): Promise<string> {
    return git(this.bare, ['rev-parse', `refs/heads/${branch}`]);
  }

  /** Every ref of the remote with its SHA: compare before and after to prove nothing moved. */
  async refs(): Promise<string> {
    return git(this.bare, ['for-each-ref', '--format=%(refname) %(objectname)']);
  }

  /** A clone of the remote for the action's workspace (shallow with `depth`), at `ref` (default main). */
  async clone(name: string, opts: { depth?: number; ref?: string } = {}): Promise<string> {
    const path = join(this.tmp.path, name);
    const args = ['clone', '-q', '--no-tags'];
    if (opts.depth) args.push(`--depth=${opts.depth}`);
    await git(this.tmp.path, [...args, this.url, path]);
    if (opts.ref) {
      await git(path, ['fetch', '-q', ...(opts.depth ? [`--depth=${opts.depth}`] : []), 'origin', opts.ref]);
      await git(path, ['checkout', '-q', '--detach', opts.ref]);
    }
    return path;
  }

  /**
   * Appends `count` commits to the working clone's current branch quickly with `git fast-import`: each
   * changes `path` (a counter) and leaves everything else as it is. Returns the new head. Keep dates
   * monotonic (`date` not older than the parent's): git's own range walks (`rev-list A ^B`, which the stand-in's
   * compare uses) go wrong under clock skew.
   */
  async fastCommits(count: number, opts: { path?: string; prefix?: string; date?: Date } = {}): Promise<string> {
    const path = opts.path ?? 'counter.txt';
    const parent = await git(this.work, ['rev-parse', 'HEAD']);
    const branch = (await git(this.work, ['symbolic-ref', 'HEAD'])) || 'refs/heads/main';
    const time = Math.floor((opts.date ?? new Date()).getTime() / 1000);
    const chunks: string[] = [];
    for (let i = 1; i <= count; i++) {
      const message = `${opts.prefix ?? 'work'} ${i}\n`;
      const content = `${opts.prefix ?? 'work'} ${i}\n`;
      chunks.push(
        `commit ${branch}\nmark :${i}\ncommitter Dev Eloper <dev@example.com> ${time} +0000\ndata ${Buffer.byteLength(message)}\n${message}` +
          (i === 1 ? `from ${parent}\n` : '') +
          `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`,
      );
    }
    await git(this.work, ['fast-import', '--quiet', '--force'], { input: chunks.join('') });
    await git(this.work, ['reset', '-q', '--hard', branch]);
    return git(this.work, ['rev-parse', 'HEAD']);
  }

  async cleanup(): Promise<void> {
    await this.tmp.cleanup();
  }
}

/**
 * The usual story: base → G (good, ✅ in the ledger commit L) → F (broken), pushed to main.
 * Returns the SHAs.
 */
export async function goodThenBroken(f: GitFixture): Promise<{ base: string; g: string; l: string; fail: string }> {
  const base = await f.commit('initial', { 'app.py': 'print("v1")\n', 'README.md': '# app\n' });
  const g = await f.commit('feat: v2', { 'app.py': 'print("v2")\n' });
  const l = await f.recordPassed(g);
  const fail = await f.commit('feat: v3 (broken)', { 'app.py': 'raise SystemExit(1)\n', 'new_module.py': 'x = 1\n' });
  await f.push();
  return { base, g, l, fail };
}

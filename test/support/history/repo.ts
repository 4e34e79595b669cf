/**
 * A history builder for the history-cases suite: a bare remote (what the GitHub stand-in serves and the
 * runner's checkout clones) and a full working clone where a case writes history as people and greenline
 * write it: commits with real trees, `git merge --no-ff`, octopus merges, `git revert`, empty commits,
 * promote-to-stable's `[skip ci]` ledger commits, greenline's revert commits with their trailers, dates set
 * with GIT_AUTHOR_DATE/GIT_COMMITTER_DATE.
 *
 * The ledger is handled as bytes (CRLF, BOM and non-UTF-8 bytes survive every step), and through a symlink
 * when the ledger path is one.
 */
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { renderEntry } from '../../../src/core/ledger/render.js';
import type { NewLedgerEntry } from '../../../src/core/ledger/schema.js';
import { tempDir, type TempDir } from '../tmp.js';

const run = promisify(execFile);

export const LEDGER = 'docs/ML_EXPERIMENT_RESULTS.md';
export const DIGEST = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

const IDENTITY: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Dev Eloper',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev Eloper',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
};

export const BOT: Record<string, string> = {
  GIT_AUTHOR_NAME: 'github-actions[bot]',
  GIT_AUTHOR_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'github-actions[bot]',
  GIT_COMMITTER_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
};

export interface GitOptions {
  env?: Record<string, string>;
  input?: string | Buffer;
  allowFail?: boolean;
}

/** Runs git; stdout trimmed. Throws with stderr unless `allowFail`. */
export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  return (await gitBytes(cwd, args, opts)).toString('utf8').trim();
}

export async function gitBytes(cwd: string, args: string[], opts: GitOptions = {}): Promise<Buffer> {
  const env = { ...process.env, ...IDENTITY, ...opts.env };
  try {
    const child = run('git', args, { cwd, env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    if (opts.input !== undefined) {
      child.child.stdin?.end(opts.input);
    }
    const { stdout } = await child;
    return stdout;
  } catch (error) {
    if (opts.allowFail) return Buffer.alloc(0);
    const e = error as { stderr?: Buffer };
    throw new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${e.stderr?.toString() ?? String(error)}`, { cause: error });
  }
}

/** A file's content in a commit: bytes, a symlink (its target), or absent. */
export type FileSpec = string | Buffer | null | { symlink: string };

export interface CommitOptions {
  /** Author and committer date (default: the builder's clock, one minute after the previous commit). */
  date?: Date;
  /** Committer date only, when it differs from the author date (a rebase, `git am`). */
  committerDate?: Date;
  /** Committed as github-actions[bot] (greenline's own commits). */
  bot?: boolean;
}

/** A ✅ entry as promote-to-stable writes it. */
export function passedEntry(commit: string, n: number, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry {
  return {
    status: 'passed',
    commit,
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    image: 'ghcr.io/owner/app',
    digest: DIGEST(n),
    tags: ['stable', 'latest'],
    run: `https://github.com/owner/app/actions/runs/${1000 + n}`,
    metrics: { accuracy: 0.9 },
    ...extra,
  };
}

/** `bytes` with `block` (LF-joined lines) appended after a blank line, in the file's own line endings. */
export function appendBlock(bytes: Buffer | undefined, block: string): Buffer {
  if (!bytes || bytes.length === 0) return Buffer.from(`# ML experiment results\n\n${block}\n`);
  const crlf = /^[^\n]*\r\n/.test(bytes.toString('latin1'));
  const eol = crlf ? '\r\n' : '\n';
  let out = bytes.toString('latin1');
  if (!out.endsWith('\n')) out += eol;
  const lines = out.split(/\r?\n/);
  if ((lines[lines.length - 2] ?? '').trim() !== '') out += eol;
  return Buffer.concat([Buffer.from(out, 'latin1'), Buffer.from(`${block}${eol}`.replace(/\n/g, eol).replace(/\r\r\n/g, '\r\n'), 'utf8')]);
}

/**
 * The builder. `work` is a full clone on some branch; `commit`, `merge`, `revert` and the ledger helpers act
 * on the current branch; `publish()` pushes every branch to the bare remote.
 */
export class HistoryRepo {
  readonly tmp: TempDir;
  readonly bare: string;
  readonly work: string;
  readonly ledgerPath: string;
  private clock: number;
  private entries = 0;

  private constructor(tmp: TempDir, ledgerPath: string) {
    this.tmp = tmp;
    this.bare = join(tmp.path, 'template.git');
    this.work = join(tmp.path, 'dev');
    this.ledgerPath = ledgerPath;
    // Three days ago, a minute per commit: far enough back that none of the builder's commits fall in the
    // daily cap's 24 hours unless a case dates them there.
    this.clock = Date.now() - 3 * 24 * 3600 * 1000;
  }

  static async create(ledgerPath = LEDGER): Promise<HistoryRepo> {
    const h = new HistoryRepo(await tempDir('greenline-history-'), ledgerPath);
    await git(h.tmp.path, ['init', '-q', '--bare', '-b', 'main', h.bare]);
    await git(h.tmp.path, ['init', '-q', '-b', 'main', h.work]);
    await git(h.work, ['config', 'commit.gpgsign', 'false']);
    await git(h.work, ['config', 'core.symlinks', 'true']);
    await git(h.work, ['remote', 'add', 'origin', `file://${h.bare}`]);
    return h;
  }

  private nextDate(opts: CommitOptions = {}): Record<string, string> {
    this.clock += 60_000;
    const author = opts.date ?? new Date(this.clock);
    const committer = opts.committerDate ?? author;
    return { GIT_AUTHOR_DATE: author.toISOString(), GIT_COMMITTER_DATE: committer.toISOString(), ...(opts.bot ? BOT : {}) };
  }

  async write(files: Record<string, FileSpec>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.work, path);
      await rm(full, { force: true, recursive: true });
      if (content === null) continue;
      await mkdir(dirname(full), { recursive: true });
      if (typeof content === 'object' && !Buffer.isBuffer(content)) await symlink(content.symlink, full);
      else await writeFile(full, content);
    }
  }

  /** Writes the files (null deletes a file or folder) and commits everything; returns the SHA. */
  async commit(message: string, files: Record<string, FileSpec> = {}, opts: CommitOptions = {}): Promise<string> {
    await this.write(files);
    await git(this.work, ['add', '-A']);
    await git(this.work, ['commit', '-q', '--allow-empty', '--no-verify', '-m', message], { env: this.nextDate(opts) });
    return this.head();
  }

  head(ref = 'HEAD'): Promise<string> {
    return git(this.work, ['rev-parse', ref]);
  }

  /** Switches to `branch`, creating it at `from` when given. */
  async on(branch: string, from?: string): Promise<void> {
    if (from !== undefined) await git(this.work, ['checkout', '-q', '-B', branch, from]);
    else await git(this.work, ['checkout', '-q', branch]);
  }

  /**
   * `git merge --no-ff` of `refs` into the current branch (an octopus merge for more than one). A conflict in
   * the ledger is resolved as people do: `resolveLedger` gets ours and theirs and returns the file (default:
   * ours, then the blocks theirs added); other conflicts fail the build.
   */
  async merge(message: string, refs: string[], opts: CommitOptions & { resolveLedger?: (ours: Buffer, theirs: Buffer) => Buffer } = {}): Promise<string> {
    const env = this.nextDate(opts);
    // A conflict makes `git merge` exit 1: it is resolved below.
    await git(this.work, ['merge', '-q', '--no-ff', '--no-edit', '-m', message, ...refs], { env, allowFail: true });
    const conflicted = (await git(this.work, ['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
    if (conflicted.length > 0) {
      const real = await this.realLedgerPath();
      if (conflicted.some((p) => p !== real)) throw new Error(`merge conflict outside the ledger: ${conflicted.join(', ')}`);
      const ours = await gitBytes(this.work, ['show', `:2:${real}`]);
      const theirs = await gitBytes(this.work, ['show', `:3:${real}`]);
      const resolved = opts.resolveLedger ? opts.resolveLedger(ours, theirs) : unionLedger(ours, theirs);
      await writeFile(join(this.work, real), resolved);
      await git(this.work, ['add', '--', real]);
      await git(this.work, ['commit', '-q', '--no-edit', '--no-verify', '-m', message], { env });
    } else if ((await git(this.work, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'], { allowFail: true })) !== '') {
      throw new Error(`merge of ${refs.join(' ')} did not complete`);
    }
    return this.head();
  }

  /** A person's `git revert` (of a merge: `-m 1`). */
  async revert(sha: string, opts: CommitOptions = {}): Promise<string> {
    const parents = (await git(this.work, ['log', '-1', '--format=%P', sha])).split(' ').filter(Boolean);
    await git(this.work, ['revert', '--no-edit', ...(parents.length > 1 ? ['-m', '1'] : []), sha], { env: this.nextDate(opts) });
    return this.head();
  }

  /** `git cherry-pick` (a rebase merge, a history rewrite), dated by the builder's clock. */
  async cherryPick(...shas: string[]): Promise<string> {
    for (const sha of shas) await git(this.work, ['cherry-pick', '--allow-empty', sha], { env: this.nextDate() });
    return this.head();
  }

  /** The path of the ledger's real file (through a symlink), relative to the repository root. */
  async realLedgerPath(): Promise<string> {
    const full = join(this.work, this.ledgerPath);
    try {
      if ((await lstat(full)).isSymbolicLink()) {
        const target = resolve(dirname(full), await readlink(full));
        return target.slice(this.work.length + 1);
      }
    } catch {
      // no ledger yet
    }
    return this.ledgerPath;
  }

  async ledgerBytes(): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.work, await this.realLedgerPath()));
    } catch {
      return undefined;
    }
  }

  /** Appends a block (LF lines) to the ledger's real file and commits it; `[skip ci]` as promote-to-stable. */
  async ledgerCommit(block: string, message: string, opts: CommitOptions = {}): Promise<string> {
    const real = await this.realLedgerPath();
    return this.commit(message, { [real]: appendBlock(await this.ledgerBytes(), block) }, { bot: true, ...opts });
  }

  /** promote-to-stable after a green build of `sha`: a ✅ block in a `[skip ci]` ledger commit. */
  pass(sha: string, extra: Partial<NewLedgerEntry> = {}, opts: CommitOptions = {}): Promise<string> {
    return this.ledgerCommit(renderEntry(passedEntry(sha, ++this.entries, extra)), `greenline: ledger passed ${sha.slice(0, 7)} [skip ci]`, opts);
  }

  /** A hand-written block for `sha` with this Status text (or whole custom block lines). */
  hand(sha: string, status: string, message = 'docs: ledger note', opts: CommitOptions = {}): Promise<string> {
    return this.ledgerCommit([`### ${sha.slice(0, 7)}`, `Commit: ${sha}`, `Status: ${status}`].join('\n'), message, opts);
  }

  /**
   * greenline's ⛔ for `sha` (the health path), written as rule 4 has it: the ledger line and a
   * `Greenline-Rolled-Back` trailer in the commit message.
   */
  rolledBack(sha: string, opts: CommitOptions = {}): Promise<string> {
    const block = renderEntry({ status: 'rolled-back', commit: sha, timestamp: '2025-01-02T00:00:00Z', reason: 'failed in production' });
    return this.ledgerCommit(block, `greenline: ledger rolled-back ${sha.slice(0, 7)} [skip ci]\n\nGreenline-Rolled-Back: ${sha}`, opts);
  }

  /**
   * A greenline revert commit of `failing` (the current HEAD's history), restoring `good`'s tree with the
   * ledger kept from HEAD (and `keep` paths kept from HEAD): the message as rule 7 has it.
   */
  async greenlineRevert(failing: string, good: string, opts: CommitOptions & { keep?: string[] } = {}): Promise<string> {
    const head = await this.head();
    const index = join(this.tmp.path, `index-${Math.random().toString(36).slice(2)}`);
    const env = { GIT_INDEX_FILE: index };
    await git(this.work, ['read-tree', good], { env });
    const keep = [this.ledgerPath, await this.realLedgerPath(), ...(opts.keep ?? [])];
    for (const p of new Set(keep)) {
      await git(this.work, ['rm', '-q', '-r', '-f', '--cached', '--ignore-unmatch', '--', p], { env });
      const listed = await gitBytes(this.work, ['ls-tree', '-r', '-z', '--full-tree', head, '--', p]);
      if (listed.length) await git(this.work, ['update-index', '-z', '--index-info'], { env, input: listed });
    }
    const tree = await git(this.work, ['write-tree'], { env });
    await rm(index, { force: true });
    const message = revertMessage(failing, good);
    const sha = await git(this.work, ['commit-tree', tree, '-p', head, '-F', '-'], { env: this.nextDate({ bot: true, ...opts }), input: message });
    await git(this.work, ['reset', '-q', '--hard', sha]);
    return sha;
  }

  /** Pushes these branches (default: every local branch) to the remote, forced (the fixture's own pushes). */
  async publish(branches?: string[]): Promise<void> {
    const list = branches ?? (await git(this.work, ['for-each-ref', '--format=%(refname:short)', 'refs/heads'])).split('\n').filter(Boolean);
    await git(this.work, ['push', '-q', '--force', 'origin', ...list.map((b) => `refs/heads/${b}:refs/heads/${b}`)]);
  }

  /** A copy of the remote for one run (auto-revert writes to it). */
  async copyRemote(name: string): Promise<string> {
    const dest = join(this.tmp.path, name, 'remote.git');
    await cp(this.bare, dest, { recursive: true, verbatimSymlinks: true });
    return dest;
  }

  async cleanup(): Promise<void> {
    await this.tmp.cleanup();
  }
}

/** greenline's revert message as rule 7 has it: no skip marker in the subject, `[skip ci]` in the body. */
export function revertMessage(failing: string, good: string): string {
  return [
    `⚠️ Auto-rollback: Tests failed, reverting to last successful build ${good.slice(0, 7)}`,
    '',
    `Reason: Tests failed on commit ${failing.slice(0, 7)}`,
    'Action: Automatically reverted to last known good state',
    '[skip ci]',
    '',
    `Greenline-Revert-Of: ${failing}`,
    `Greenline-Restored: ${good}`,
    '',
  ].join('\n');
}

/** Ours, then every block of theirs that ours does not have (the usual hand resolution of a ledger conflict). */
export function unionLedger(ours: Buffer, theirs: Buffer): Buffer {
  const mine = ours.toString('latin1');
  const blocks = theirs.toString('latin1').split(/\r?\n(?=### )/).slice(1).filter((b) => !mine.includes(b.trim()));
  let out = ours;
  for (const b of blocks) out = appendBlock(out, Buffer.from(b.trim(), 'latin1').toString('utf8'));
  return out;
}

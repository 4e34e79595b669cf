import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileRunner, type ExecFn, type ExecResult } from './exec.js';
import { BOT_CONFIG_ARGS, BOT_ENV } from './identity.js';
import { assertNoForce, classifyPush, type PushOutcome } from './push.js';
import { parseTrailerLines, type Trailer } from './trailers.js';

export { execFileRunner, type ExecFn, type ExecOptions, type ExecResult } from './exec.js';
export { BOT_EMAIL, BOT_NAME } from './identity.js';
export type { PushOutcome } from './push.js';
export { trailerValue, type Trailer } from './trailers.js';

export interface RunOptions {
  /** Return the result for a non-zero exit instead of throwing. */
  allowFail?: boolean;
  env?: Record<string, string>;
  input?: string;
}

export class GitError extends Error {
  override readonly name = 'GitError';
  readonly args: readonly string[];
  readonly code: number;
  readonly stderr: string;
  constructor(args: readonly string[], code: number, stderr: string) {
    const detail = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    super(`git ${withoutConfig(args).slice(0, 3).join(' ')} failed (exit ${code})${detail ? `: ${detail}` : ''}`);
    this.args = args;
    this.code = code;
    this.stderr = stderr;
  }
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  subject: string;
  /** The message after the subject line and the blank line that follows it. */
  body: string;
  message: string;
  trailers: Trailer[];
}

// English messages (push rejections are recognised by text), no credential prompt that would hang a job.
const BASE_ENV: Readonly<Record<string, string>> = { LC_ALL: 'C', LANGUAGE: 'C', GIT_TERMINAL_PROMPT: '0' };
const HEX_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A revision or ref given by a caller must not be read by git as an option. */
function rev(value: string): string {
  if (value === '' || value.startsWith('-') || /[\s\0]/.test(value)) throw new Error(`not a git revision: ${JSON.stringify(value)}`);
  return value;
}

function repoPath(path: string): string {
  const p = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (p === '' || p.split('/').some((s) => s === '..')) throw new Error(`not a path inside the repository: ${JSON.stringify(path)}`);
  return p;
}

/** The git CLI in one working directory, run through an ExecFn (never a shell). */
export class Git {
  readonly cwd: string;
  private readonly exec: ExecFn;
  /**
   * `-c safe.directory=` for the working directory (as given and resolved). A container job runs the steps
   * as root in a checkout the runner's user owns, and git then refuses every command ("detected dubious
   * ownership"); actions/checkout trusts the workspace only while it runs. greenline trusts the checkout it
   * was pointed at for its own commands, and nothing else: the command line is protected configuration,
   * a repository's own config cannot add to it.
   */
  private readonly trust: readonly string[];
  constructor(cwd: string, exec: ExecFn = execFileRunner) {
    this.cwd = cwd;
    this.exec = exec;
    const paths = new Set([cwd]);
    try {
      paths.add(realpathSync(cwd));
    } catch {
      // A folder that does not exist yet: git will say so itself.
    }
    this.trust = [...paths].flatMap((p) => ['-c', `safe.directory=${p}`]);
  }

  async run(args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
    const r = await this.exec('git', [...this.trust, ...args], { cwd: this.cwd, env: { ...BASE_ENV, ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}) });
    if (r.code !== 0 && !opts.allowFail) throw new GitError(args, r.code, r.stderr);
    return r;
  }

  /** Runs a command that creates commits, attributed to github-actions[bot] whatever the machine's config. */
  runAsBot(args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
    return this.run([...BOT_CONFIG_ARGS, ...args], { ...opts, env: { ...opts.env, ...BOT_ENV } });
  }

  async revParse(revision: string): Promise<string> {
    const sha = await this.tryRevParse(revision);
    if (sha === undefined) throw new GitError(['rev-parse', '--verify', revision], 1, `unknown revision ${revision}`);
    return sha;
  }

  async tryRevParse(revision: string): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--verify', '--quiet', rev(revision)], { allowFail: true });
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** True when `ancestor` is reachable from `descendant` (a commit is its own ancestor). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const args = ['merge-base', '--is-ancestor', rev(ancestor), rev(descendant)];
    const r = await this.run(args, { allowFail: true });
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    // 128: an unknown commit (e.g. not fetched in a shallow clone) is not a "no".
    throw new GitError(args, r.code, r.stderr);
  }

  async isShallow(): Promise<boolean> {
    return (await this.run(['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  }

  /** Fetches more history of a shallow clone: N more commits, or all of it. No-op on a complete clone. */
  async deepen(by: number | 'unshallow', remote = 'origin', refs: readonly string[] = []): Promise<void> {
    if (!(await this.isShallow())) return;
    refs.forEach(noForcedRefspec);
    const how = by === 'unshallow' ? '--unshallow' : `--deepen=${Math.max(1, Math.floor(by))}`;
    await this.run(['fetch', '--no-tags', '--quiet', how, rev(remote), ...refs]);
  }

  /** Fetches refspecs (no `+`: a fetch never overwrites a local ref that would not fast-forward). */
  async fetch(remote: string, refspecs: readonly string[], opts: { depth?: number; tags?: boolean } = {}): Promise<void> {
    refspecs.forEach(noForcedRefspec);
    const args = ['fetch', '--quiet', opts.tags ? '--tags' : '--no-tags'];
    if (opts.depth !== undefined) args.push(`--depth=${Math.max(1, Math.floor(opts.depth))}`);
    await this.run([...args, rev(remote), ...refspecs]);
  }

  /**
   * Pushes one refspec, never forced. `rejected` means another writer got there first (fetch, re-apply,
   * retry); every other failure throws.
   */
  async push(remote: string, refspec: string): Promise<PushOutcome> {
    const args = ['push', '--porcelain', rev(remote), refspec];
    assertNoForce(args);
    const r = await this.run(args, { allowFail: true });
    const outcome = classifyPush(r.code, r.stdout, r.stderr);
    if (!outcome) throw new GitError(args, r.code, `${r.stderr}\n${r.stdout}`);
    return outcome;
  }

  /** The file's text at a revision, or undefined when the revision has no such path. */
  async showFile(revision: string, path: string): Promise<string | undefined> {
    const spec = `${rev(revision)}:${repoPath(path)}`;
    const r = await this.run(['cat-file', 'blob', spec], { allowFail: true });
    if (r.code === 0) return r.stdout;
    // "No such file" is an answer; "no such revision" is an error.
    if ((await this.tryRevParse(`${revision}^{tree}`)) === undefined) throw new GitError(['cat-file', 'blob', spec], r.code, `unknown revision ${revision}`);
    if ((await this.run(['cat-file', '-e', spec], { allowFail: true })).code === 0) throw new GitError(['cat-file', 'blob', spec], r.code, r.stderr);
    return undefined;
  }

  async treeOf(commit: string): Promise<string> {
    return this.revParse(`${rev(commit)}^{tree}`);
  }

  /** The branch HEAD is on (`refs/heads/…`), or undefined when HEAD is detached. */
  async headRef(): Promise<string | undefined> {
    const r = await this.run(['symbolic-ref', '-q', 'HEAD'], { allowFail: true });
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  async commitInfo(commit: string): Promise<CommitInfo> {
    const r = await this.run(['log', '-1', '--no-show-signature', '--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%B', rev(commit), '--']);
    const [sha = '', tree = '', parents = '', authorName = '', authorEmail = '', ...rest] = r.stdout.split('\0');
    const message = rest.join('\0').replace(/\n+$/, '');
    const [subject = '', ...bodyLines] = message.split('\n');
    return {
      sha,
      tree,
      parents: parents.split(' ').filter(Boolean),
      authorName,
      authorEmail,
      subject,
      body: bodyLines.join('\n').replace(/^\n+/, ''),
      message,
      trailers: await this.trailers(message),
    };
  }

  /** Trailers of a message as git itself reads them (`interpret-trailers --parse`: unfolded, input only). */
  async trailers(message: string): Promise<Trailer[]> {
    const r = await this.run(['interpret-trailers', '--parse'], { input: message.endsWith('\n') ? message : `${message}\n` });
    return parseTrailerLines(r.stdout);
  }

  async hashObject(text: string): Promise<string> {
    // --no-filters: the bytes we computed are the bytes stored (no eol/clean conversion of .gitattributes).
    return (await this.run(['hash-object', '-w', '--no-filters', '--stdin'], { input: text })).stdout.trim();
  }

  /** A commit of `tree` with the given parents, authored and committed by github-actions[bot]. */
  async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    const args = ['commit-tree', rev(tree)];
    for (const p of parents) args.push('-p', rev(p));
    args.push('-F', '-');
    const sha = (await this.runAsBot(args, { input: message })).stdout.trim();
    if (!HEX_SHA.test(sha)) throw new Error(`git commit-tree printed ${JSON.stringify(sha)}`);
    return sha;
  }

  /**
   * A commit on top of `base` whose only change is `path` set to `text`. Built with plumbing in a private
   * index, so neither HEAD, the user's index nor the working tree are touched (a job's uncommitted files
   * are never at risk, and a detached HEAD does not matter).
   */
  async commitFileOnto(base: string, path: string, text: string, message: string): Promise<string> {
    const file = repoPath(path);
    const blob = await this.hashObject(text);
    const existing = await this.run(['ls-tree', rev(base), '--', file], { allowFail: true });
    const mode = /^(100644|100755) blob /.exec(existing.stdout)?.[1] ?? '100644';
    const dir = await mkdtemp(join(tmpdir(), 'greenline-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(dir, 'index') };
      await this.run(['read-tree', rev(base)], { env });
      await this.run(['update-index', '--add', '--cacheinfo', `${mode},${blob},${file}`], { env });
      const tree = (await this.run(['write-tree'], { env })).stdout.trim();
      return await this.commitTree(tree, [base], message);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The subcommand and its first arguments, without the leading `-c key=value` pairs. */
function withoutConfig(args: readonly string[]): readonly string[] {
  let i = 0;
  while (args[i] === '-c') i += 2;
  return args.slice(i);
}

function noForcedRefspec(refspec: string): void {
  if (refspec.startsWith('+') || refspec.startsWith('-')) throw new Error(`refusing refspec ${JSON.stringify(refspec)}`);
}

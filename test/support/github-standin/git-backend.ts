/**
 * The stand-in's git data lives in a REAL bare repository and is read and written through git plumbing
 * (execFile with argument arrays, never a shell). A workspace clone that pushes to the same bare repository
 * and the API therefore see the same refs, and every ref update is a compare-and-swap (`git update-ref NEW OLD`)
 * that git serialises against concurrent pushes with its ref locks.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ZERO_OID = '0000000000000000000000000000000000000000';
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
export const PROTECTED_FLAG_FILE = 'greenline-standin-protected';
const HOOK_MARKER = 'greenline GitHub stand-in';

export interface GitIdentity {
  name: string;
  email: string;
  /** Unix seconds. */
  time: number;
  /** Offset as git writes it, e.g. "+0000". */
  tz: string;
}

export interface ParsedCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
  /** True when the commit object carries a gpgsig header. */
  gpgsig: boolean;
  /** The signed payload: the raw object without the gpgsig header. */
  raw: string;
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Blob size in bytes (undefined for trees and submodules). */
  size?: number;
  /** Name inside its tree, or the full path in a recursive listing. */
  path: string;
}

export interface TreeChange {
  path: string;
  /** null deletes the path (a file, or a whole directory). */
  entry: { mode: string; type: 'blob' | 'tree' | 'commit'; sha: string } | null;
}

export interface RefInfo {
  ref: string;
  sha: string;
  type: string;
}

interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
}

interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export class GitError extends Error {
  readonly code: number;
  readonly stderr: string;
  constructor(message: string, code: number, stderr: string) {
    super(message);
    this.name = 'GitError';
    this.code = code;
    this.stderr = stderr;
  }
}

const HEX40 = /^[0-9a-f]{40}$/;

export class GitBackend {
  readonly gitDir: string;
  constructor(gitDir: string) {
    this.gitDir = gitDir;
  }

  /** Runs git against the bare repository; resolves with the exit code instead of throwing. */
  run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        ['-c', 'commit.gpgSign=false', '-c', 'tag.gpgSign=false', `--git-dir=${this.gitDir}`, ...args],
        {
          encoding: 'buffer',
          maxBuffer: 1024 * 1024 * 1024,
          env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...options.env },
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          if (error && typeof error.code !== 'number') {
            reject(new GitError(`git ${args[0]}: ${error.message}`, -1, stderr.toString('utf8')));
            return;
          }
          resolve({ code, stdout, stderr: stderr.toString('utf8') });
        },
      );
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input ?? '');
    });
  }

  /** Runs git and returns stdout as text; throws GitError on a non-zero exit. */
  async text(args: string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new GitError(`git ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`, result.code, result.stderr);
    }
    return result.stdout.toString('utf8');
  }

  /**
   * Installs the pre-receive hook that rejects pushes to protected branches (GH006) and to branches under a
   * ruleset (GH013) with GitHub's `remote:` lines.
   */
  installProtectionHook(): void {
    const hookPath = path.join(this.gitDir, 'hooks', 'pre-receive');
    if (existsSync(hookPath) && !readFileSync(hookPath, 'utf8').includes(HOOK_MARKER)) {
      throw new Error(`${hookPath} already exists and was not written by the stand-in: refusing to replace it`);
    }
    const script = [
      '#!/bin/sh',
      `# ${HOOK_MARKER}: rejects pushes to the branches listed in ${PROTECTED_FLAG_FILE}, with GitHub's GH006 / GH013 messages.`,
      `flags="\${GIT_DIR:-.}/${PROTECTED_FLAG_FILE}"`,
      '[ -f "$flags" ] || exit 0',
      'rules=$(sed -n "s/^rules-url //p" "$flags")',
      'status=0',
      'while read -r old new ref; do',
      '  case "$ref" in refs/heads/*) branch="${ref#refs/heads/}" ;; *) continue ;; esac',
      '  if grep -qxF -- "protected $branch" "$flags"; then',
      '    echo "error: GH006: Protected branch update failed for $ref." >&2',
      '    echo "" >&2',
      '    echo "- Changes must be made through a pull request." >&2',
      '    status=1',
      '  elif grep -qxF -- "ruleset $branch" "$flags"; then',
      '    echo "error: GH013: Repository rule violations found for $ref." >&2',
      '    echo "Review all repository rules at $rules?ref=$(printf %s "$ref" | sed "s#/#%2F#g")" >&2',
      '    echo "" >&2',
      '    echo "- Changes must be made through a pull request." >&2',
      '    echo "" >&2',
      '    status=1',
      '  fi',
      'done',
      'exit $status',
      '',
    ].join('\n');
    writeFileSync(hookPath, script);
    chmodSync(hookPath, 0o755);
  }

  /** Writes what the pre-receive hook reads: classic protection and ruleset branches, and the rules page. */
  writeProtectedBranches(protectedBranches: Iterable<string>, rulesetBranches: Iterable<string> = [], rulesUrl = ''): void {
    const lines = [...[...protectedBranches].map((b) => `protected ${b}`), ...[...rulesetBranches].map((b) => `ruleset ${b}`)];
    if (rulesUrl) lines.push(`rules-url ${rulesUrl}`);
    writeFileSync(path.join(this.gitDir, PROTECTED_FLAG_FILE), lines.length ? `${lines.join('\n')}\n` : '');
  }

  // ---------------------------------------------------------------- refs

  async listRefs(): Promise<RefInfo[]> {
    const out = await this.text(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)', 'refs/']);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [ref = '', sha = '', type = ''] = line.split('\0');
        return { ref, sha, type };
      });
  }

  async readRef(fullRef: string): Promise<RefInfo | null> {
    if (!isSafeRefName(fullRef)) return null;
    const out = await this.text(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)', fullRef]);
    for (const line of out.split('\n')) {
      const [ref = '', sha = '', type = ''] = line.split('\0');
      if (ref === fullRef) return { ref, sha, type };
    }
    return null;
  }

  async isValidRefName(fullRef: string): Promise<boolean> {
    if (!isSafeRefName(fullRef)) return false;
    const result = await this.run(['check-ref-format', fullRef]);
    return result.code === 0;
  }

  /**
   * Compare-and-swap: moves `ref` to `newSha` only if it still points at `oldSha` (null: only if it does not
   * exist yet). Returns false when the ref moved or another writer holds its lock.
   */
  async casRef(fullRef: string, newSha: string, oldSha: string | null, reason = 'github-standin'): Promise<boolean> {
    const result = await this.run(['update-ref', '-m', reason, fullRef, newSha, oldSha ?? ZERO_OID]);
    return result.code === 0;
  }

  /**
   * Compare-and-swap that tells a lost race from lock contention: while the ref still holds `oldSha` (another
   * writer merely held the lock), it retries; once the ref moved it gives up and reports where the ref is now.
   */
  async casRefSettled(fullRef: string, newSha: string, oldSha: string | null): Promise<{ ok: true } | { ok: false; current: string | null }> {
    for (let attempt = 0; ; attempt++) {
      if (await this.casRef(fullRef, newSha, oldSha)) return { ok: true };
      const current = (await this.readRef(fullRef))?.sha ?? null;
      if (current !== oldSha || attempt >= 100) return { ok: false, current };
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
    }
  }

  async deleteRef(fullRef: string, oldSha: string): Promise<boolean> {
    const result = await this.run(['update-ref', '-d', fullRef, oldSha]);
    return result.code === 0;
  }

  /** Whether the repository has no refs at all (a freshly initialised bare repository). */
  async isEmpty(): Promise<boolean> {
    return (await this.text(['for-each-ref', '--count=1', '--format=%(refname)', 'refs/'])).trim() === '';
  }

  // ---------------------------------------------------------------- objects

  async objectType(sha: string): Promise<string | null> {
    if (!HEX40.test(sha)) return null;
    const result = await this.run(['cat-file', '-t', sha]);
    return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
  }

  /** Peels `rev` (a full sha or a fully qualified ref) to the object type asked for; null if impossible. */
  async peel(rev: string, type: 'commit' | 'tree'): Promise<string | null> {
    if (rev.startsWith('-') || rev.includes('\0')) return null;
    const result = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{${type}}`]);
    if (result.code !== 0) return null;
    const sha = result.stdout.toString('utf8').trim();
    return HEX40.test(sha) ? sha : null;
  }

  /**
   * Resolves what GitHub accepts as a commit-ish in `ref`/`sha` parameters: a full or abbreviated sha, a
   * branch, a tag, or a fully qualified `refs/...` name. Expressions (`main~1`, `:/text`) are refused.
   */
  async resolveCommit(ref: string): Promise<string | null> {
    if (!ref || ref.startsWith('-') || /[\0\s~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{')) return null;
    if (HEX40.test(ref)) return (await this.objectType(ref)) ? this.peel(ref, 'commit') : null;
    if (ref === 'HEAD') return this.peel('HEAD', 'commit');
    const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    for (const candidate of candidates) {
      if (await this.readRef(candidate)) {
        const sha = await this.peel(candidate, 'commit');
        if (sha) return sha;
      }
    }
    if (/^[0-9a-f]{7,39}$/.test(ref)) return this.peel(ref, 'commit');
    return null;
  }

  /** Resolves a tree-ish the way GET git/trees/{tree_sha} accepts it (a tree or commit sha, or a ref name). */
  async resolveTree(treeish: string): Promise<string | null> {
    if (HEX40.test(treeish)) return (await this.objectType(treeish)) ? this.peel(treeish, 'tree') : null;
    const commit = await this.resolveCommit(treeish);
    return commit ? this.peel(commit, 'tree') : null;
  }

  async readBlob(sha: string): Promise<Buffer | null> {
    if (!HEX40.test(sha)) return null;
    const result = await this.run(['cat-file', 'blob', sha]);
    return result.code === 0 ? result.stdout : null;
  }

  async writeBlob(content: Buffer): Promise<string> {
    return (await this.text(['hash-object', '-w', '-t', 'blob', '--stdin'], { input: content })).trim();
  }

  /** Reads many objects in one `git cat-file --batch`; missing objects are absent from the map. */
  async readObjects(shas: string[]): Promise<Map<string, { type: string; content: Buffer }>> {
    const found = new Map<string, { type: string; content: Buffer }>();
    const wanted = [...new Set(shas.filter((s) => HEX40.test(s)))];
    if (wanted.length === 0) return found;
    const result = await this.run(['cat-file', '--batch'], { input: `${wanted.join('\n')}\n` });
    if (result.code !== 0) throw new GitError(`git cat-file --batch failed: ${result.stderr}`, result.code, result.stderr);
    const out = result.stdout;
    let offset = 0;
    while (offset < out.length) {
      const eol = out.indexOf(0x0a, offset);
      if (eol < 0) break;
      const header = out.subarray(offset, eol).toString('utf8');
      offset = eol + 1;
      const [sha = '', type = '', sizeText] = header.split(' ');
      if (type === 'missing' || sizeText === undefined) continue;
      const size = Number(sizeText);
      found.set(sha, { type, content: out.subarray(offset, offset + size) });
      offset += size + 1;
    }
    return found;
  }

  async readCommits(shas: string[]): Promise<Map<string, ParsedCommit>> {
    const objects = await this.readObjects(shas);
    const commits = new Map<string, ParsedCommit>();
    for (const [sha, object] of objects) {
      if (object.type === 'commit') commits.set(sha, parseCommit(sha, object.content.toString('utf8')));
    }
    return commits;
  }

  async readCommit(sha: string): Promise<ParsedCommit | null> {
    return (await this.readCommits([sha])).get(sha) ?? null;
  }

  async readTag(sha: string): Promise<{ object: string; type: string; tag: string; tagger: GitIdentity | null; message: string } | null> {
    const object = (await this.readObjects([sha])).get(sha);
    if (!object || object.type !== 'tag') return null;
    const text = object.content.toString('utf8');
    const split = text.indexOf('\n\n');
    const headers = (split < 0 ? text : text.slice(0, split)).split('\n');
    const get = (key: string) => headers.find((h) => h.startsWith(`${key} `))?.slice(key.length + 1) ?? '';
    const tagger = get('tagger');
    return {
      object: get('object'),
      type: get('type'),
      tag: get('tag'),
      tagger: tagger ? parseIdentity(tagger) : null,
      message: split < 0 ? '' : text.slice(split + 2),
    };
  }

  /** Lists a tree: one level, or recursively (with the subtrees themselves, as GitHub's recursive=1 does). */
  async readTree(treeSha: string, recursive = false): Promise<TreeEntry[]> {
    const args = ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), treeSha];
    const out = await this.text(args);
    return parseLsTree(out);
  }

  /** The entry at `filePath` inside the commit's tree, or null. */
  async entryAt(commitSha: string, filePath: string): Promise<TreeEntry | null> {
    const clean = normalisePath(filePath);
    if (clean === null) return null;
    if (clean === '') {
      const tree = await this.peel(commitSha, 'tree');
      return tree ? { mode: '040000', type: 'tree', sha: tree, path: '' } : null;
    }
    const slash = clean.lastIndexOf('/');
    const dir = slash < 0 ? '' : clean.slice(0, slash);
    const name = clean.slice(slash + 1);
    const treeish = dir ? `${commitSha}:${dir}` : `${commitSha}^{tree}`;
    const result = await this.run(['ls-tree', '-z', '-l', treeish]);
    if (result.code !== 0) return null;
    const entry = parseLsTree(result.stdout.toString('utf8')).find((e) => e.path === name);
    return entry ? { ...entry, path: clean } : null;
  }

  async mktree(entries: Array<{ mode: string; type: string; sha: string; name: string }>): Promise<string> {
    const input = entries.map((e) => `${e.mode} ${e.type} ${e.sha}\t${e.name}\0`).join('');
    return (await this.text(['mktree', '-z'], { input })).trim();
  }

  /**
   * A new tree: `base` (or the empty tree) with `changes` applied. Nested paths create intermediate trees,
   * a null entry deletes a file or a whole directory, and directories left empty disappear, as on GitHub.
   */
  async buildTree(base: string | null, changes: TreeChange[]): Promise<string> {
    return this.applyChanges(base, changes.map((c) => ({ parts: c.path.split('/'), entry: c.entry })));
  }

  private async applyChanges(
    base: string | null,
    changes: Array<{ parts: string[]; entry: TreeChange['entry'] }>,
  ): Promise<string> {
    const entries = new Map<string, { mode: string; type: string; sha: string }>();
    if (base) for (const e of await this.readTree(base)) entries.set(e.path, { mode: e.mode, type: e.type, sha: e.sha });
    const nested = new Map<string, Array<{ parts: string[]; entry: TreeChange['entry'] }>>();
    for (const change of changes) {
      const [head = '', ...rest] = change.parts;
      if (rest.length === 0) {
        nested.delete(head);
        if (change.entry === null) entries.delete(head);
        else entries.set(head, change.entry);
      } else {
        const list = nested.get(head) ?? [];
        list.push({ parts: rest, entry: change.entry });
        nested.set(head, list);
      }
    }
    for (const [dir, list] of nested) {
      const current = entries.get(dir);
      const subBase = current && current.type === 'tree' ? current.sha : null;
      const sub = await this.applyChanges(subBase, list);
      if (sub === EMPTY_TREE) entries.delete(dir);
      else entries.set(dir, { mode: '040000', type: 'tree', sha: sub });
    }
    return this.mktree([...entries].map(([name, e]) => ({ ...e, name })));
  }

  async commitTree(options: {
    tree: string;
    parents: string[];
    message: string;
    author: GitIdentity;
    committer: GitIdentity;
  }): Promise<string> {
    const args = ['commit-tree', options.tree];
    for (const parent of options.parents) args.push('-p', parent);
    const env = {
      GIT_AUTHOR_NAME: options.author.name,
      GIT_AUTHOR_EMAIL: options.author.email,
      GIT_AUTHOR_DATE: `@${options.author.time} ${options.author.tz}`,
      GIT_COMMITTER_NAME: options.committer.name,
      GIT_COMMITTER_EMAIL: options.committer.email,
      GIT_COMMITTER_DATE: `@${options.committer.time} ${options.committer.tz}`,
    };
    return (await this.text(args, { input: options.message, env })).trim();
  }

  async mktag(options: { object: string; type: string; tag: string; tagger: GitIdentity; message: string }): Promise<string> {
    const body =
      `object ${options.object}\ntype ${options.type}\ntag ${options.tag}\n` +
      `tagger ${options.tagger.name} <${options.tagger.email}> ${options.tagger.time} ${options.tagger.tz}\n\n${options.message}`;
    return (await this.text(['mktag'], { input: body.endsWith('\n') ? body : `${body}\n` })).trim();
  }

  // ---------------------------------------------------------------- history

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant]);
    if (result.code > 1) throw new GitError(`git merge-base --is-ancestor failed: ${result.stderr}`, result.code, result.stderr);
    return result.code === 0;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const result = await this.run(['merge-base', a, b]);
    return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
  }

  async countRange(exclude: string, include: string): Promise<number> {
    return Number((await this.text(['rev-list', '--count', include, `^${exclude}`])).trim());
  }

  /** `git rev-list` with the given selection; returns shas. */
  async revList(args: string[]): Promise<string[]> {
    return (await this.text(['rev-list', ...args])).split('\n').filter(Boolean);
  }

  /** Per-file changes between two trees (or commits): status and line counts. */
  async diff(from: string, to: string): Promise<Array<{ path: string; status: string; additions: number; deletions: number; sha: string | null }>> {
    const raw = await this.text(['diff-tree', '-r', '-z', '--no-renames', '--raw', from, to]);
    const numstat = await this.text(['diff-tree', '-r', '-z', '--no-renames', '--numstat', from, to]);
    const counts = new Map<string, { additions: number; deletions: number }>();
    const numParts = numstat.split('\0').filter(Boolean);
    for (const part of numParts) {
      const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(part);
      if (match) counts.set(match[3] ?? '', { additions: Number(match[1]) || 0, deletions: Number(match[2]) || 0 });
    }
    const fields = raw.split('\0');
    const files: Array<{ path: string; status: string; additions: number; deletions: number; sha: string | null }> = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const meta = fields[i] ?? '';
      const filePath = fields[i + 1] ?? '';
      if (!meta.startsWith(':')) break;
      const [, , , newSha = '', status = ''] = meta.slice(1).split(' ');
      const c = counts.get(filePath) ?? { additions: 0, deletions: 0 };
      files.push({ path: filePath, status: status.charAt(0), sha: status.startsWith('D') ? null : newSha, ...c });
    }
    return files;
  }
}

export function parseIdentity(text: string): GitIdentity {
  const match = /^(.*) <([^>]*)> (-?\d+) ([+-]\d{4})$/.exec(text.trim());
  if (!match) return { name: text, email: '', time: 0, tz: '+0000' };
  return { name: match[1] ?? '', email: match[2] ?? '', time: Number(match[3]), tz: match[4] ?? '+0000' };
}

export function parseCommit(sha: string, text: string): ParsedCommit {
  const split = text.indexOf('\n\n');
  const headerText = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  const lines = headerText.split('\n');
  const parents: string[] = [];
  let tree = '';
  let author = parseIdentity('');
  let committer = parseIdentity('');
  let gpgsig = false;
  const payloadLines: string[] = [];
  let inSig = false;
  for (const line of lines) {
    if (inSig && line.startsWith(' ')) continue;
    inSig = false;
    if (line.startsWith('gpgsig ') || line.startsWith('gpgsig-sha256 ')) {
      gpgsig = true;
      inSig = true;
      continue;
    }
    payloadLines.push(line);
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
    else if (line.startsWith('author ')) author = parseIdentity(line.slice(7));
    else if (line.startsWith('committer ')) committer = parseIdentity(line.slice(10));
  }
  return { sha, tree, parents, author, committer, message, gpgsig, raw: `${payloadLines.join('\n')}\n\n${message}` };
}

function parseLsTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode = '', type = '', sha = '', size = '-'] = record.slice(0, tab).split(/\s+/);
    entries.push({
      mode,
      type: type as TreeEntry['type'],
      sha,
      ...(size !== '-' ? { size: Number(size) } : {}),
      path: record.slice(tab + 1),
    });
  }
  return entries;
}

/** A repository path as GitHub accepts it: no leading/trailing slashes, no `.`/`..` segments. Null if invalid. */
export function normalisePath(p: string): string | null {
  const trimmed = p.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const parts = trimmed.split('/');
  if (parts.some((s) => s === '' || s === '.' || s === '..' || s === '.git' || s.includes('\0'))) return null;
  return parts.join('/');
}

function isSafeRefName(ref: string): boolean {
  return ref.startsWith('refs/') && !ref.includes('\0') && !/\s/.test(ref) && !ref.includes('..');
}

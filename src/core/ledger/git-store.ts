import { ConfigurationError } from '../action/errors.js';
import { silentLogger, type Logger } from '../action/log.js';
import { GitError, type Git } from '../git/git.js';
import { withSkipCi, type LedgerStore } from './append.js';

export interface GitLedgerStoreOptions {
  git: Git;
  /** Path of the ledger inside the repository. */
  path: string;
  branch: string;
  remote?: string;
  log?: Logger;
}

/**
 * The ledger through git: each write is one commit by github-actions[bot] on top of the branch tip read
 * last, pushed with `git push <remote> <commit>:refs/heads/<branch>` (never forced). A rejected push is a
 * conflict: appendEntry re-reads (fetching the new tip), re-applies the entry on top and retries.
 *
 * The commit is built with plumbing from the fetched tip, not from the workspace HEAD, and nothing in the
 * workspace moves:
 *   - HEAD may be detached, or be a pull request's merge commit that must never reach the branch;
 *   - the job's uncommitted files cannot be lost, since neither the index nor the working tree is touched;
 *   - moving HEAD to the new tip would make later steps of the job see commits that were never tested.
 * In a shallow checkout the tip is fetched with --depth=1 (it stays shallow, and the fetch stays small).
 */
export class GitLedgerStore implements LedgerStore {
  private readonly git: Git;
  private readonly path: string;
  private readonly branch: string;
  private readonly remote: string;
  private readonly log: Logger;
  /** The tip the last read was based on (also when the file did not exist there). */
  private base: string | undefined;
  private shallow: boolean | undefined;

  constructor(options: GitLedgerStoreOptions) {
    this.git = options.git;
    this.path = options.path;
    this.branch = options.branch;
    this.remote = options.remote ?? 'origin';
    this.log = options.log ?? silentLogger;
    if (!/^[A-Za-z0-9._/-]+$/.test(this.branch) || this.branch.startsWith('-') || this.branch.includes('..')) {
      throw new ConfigurationError(`ledger branch ${JSON.stringify(this.branch)} is not a valid branch name`);
    }
  }

  async read(): Promise<{ text: string; version: string } | undefined> {
    this.shallow ??= await this.git.isShallow();
    try {
      await this.git.fetch(this.remote, [`refs/heads/${this.branch}`], this.shallow ? { depth: 1 } : {});
    } catch (e) {
      if (e instanceof GitError && /couldn't find remote ref|could not find remote ref/i.test(e.stderr)) {
        throw new ConfigurationError(`ledger branch ${this.branch} does not exist on ${this.remote}`);
      }
      throw e;
    }
    const base = await this.git.revParse('FETCH_HEAD^{commit}');
    this.base = base;
    const text = await this.git.showFile(base, this.path);
    this.log.debug(`ledger: ${this.remote}/${this.branch} is at ${base}${text === undefined ? ` (no ${this.path} yet)` : ''}`);
    if (text !== undefined && text.includes('\uFFFD')) await this.assertRoundTrips(base, text);
    return text === undefined ? undefined : { text, version: base };
  }

  /**
   * git hands the blob over as UTF-8 text, and a write stores the whole text again: a file that is not valid
   * UTF-8 (latin1 0xE9, UTF-16) would have those bytes replaced by U+FFFD. A decode only produces U+FFFD for
   * such bytes (or a literal U+FFFD), so only then the text is hashed and compared with the stored blob;
   * when they differ the append is refused, naming the file, before anything is written.
   */
  private async assertRoundTrips(base: string, text: string): Promise<void> {
    const listed = await this.git.run(['ls-tree', base, '--', this.path], { allowFail: true });
    const stored = /^\d+ blob ([0-9a-f]+)\t/.exec(listed.stdout)?.[1];
    const hashed = (await this.git.run(['hash-object', '--no-filters', '--stdin'], { input: text })).stdout.trim();
    if (stored !== undefined && stored !== hashed) {
      throw new ConfigurationError(
        `ledger ${this.path} on ${this.branch} is not valid UTF-8 (latin1 or UTF-16 bytes?): appending through git would rewrite those bytes; convert the file to UTF-8 or use ledger-write: api`,
      );
    }
  }

  async write(text: string, version: string | undefined, message: string): Promise<'ok' | 'conflict'> {
    const base = version ?? this.base;
    if (!base) throw new Error('GitLedgerStore.write called before read');
    const commit = await this.git.commitFileOnto(base, this.path, text, withSkipCi(message));
    const outcome = await this.git.push(this.remote, `${commit}:refs/heads/${this.branch}`);
    if (outcome.status === 'rejected') {
      this.log.debug(`ledger: push of ${commit.slice(0, 7)} rejected (${outcome.reason})`);
      return 'conflict';
    }
    this.log.debug(`ledger: pushed ${commit} to ${this.remote}/${this.branch}`);
    return 'ok';
  }
}

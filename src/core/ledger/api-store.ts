import { ConfigurationError, ExternalError } from '../action/errors.js';
import { BOT_EMAIL, BOT_NAME } from '../git/identity.js';
import { withSkipCi, type LedgerStore } from './append.js';

/**
 * The two contents-API calls the store makes, typed structurally so the domain does not import
 * @actions/github (an Octokit from src/core/github/client.ts fits; so does a test fake).
 */
export interface ContentsOctokit {
  rest: {
    repos: {
      getContent(params: {
        owner: string;
        repo: string;
        path: string;
        ref?: string;
        mediaType?: { format?: string };
        request?: { parseSuccessResponseBody?: boolean };
      }): Promise<{ data: unknown }>;
      createOrUpdateFileContents(params: {
        owner: string;
        repo: string;
        path: string;
        message: string;
        content: string;
        sha?: string;
        branch?: string;
        committer?: { name: string; email: string };
        author?: { name: string; email: string };
      }): Promise<{ data: unknown }>;
    };
  };
}

export interface ApiLedgerStoreOptions {
  owner: string;
  repo: string;
  path: string;
  /** Branch to read and commit to; the repository's default branch when omitted. */
  branch?: string;
}

function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

function messageOf(e: unknown): string {
  const x = e as { message?: unknown; response?: { data?: { message?: unknown } } };
  const m = x?.response?.data?.message ?? x?.message;
  return typeof m === 'string' ? m : String(e);
}

/**
 * A 409 or 422 that GitHub sends when the blob sha (or the branch) moved since the read: worth a re-read.
 * GitHub has answered a stale sha both ways over the years: 409 `docs/x.md does not match <sha>` (today),
 * 422 with the same text or `"sha" wasn't supplied` (the file was created meanwhile), and 409
 * `is at <sha> but expected <sha>` when the branch moved under the write.
 */
const STALE = /\bdoes ?n[o']t match\b|\b(wasn'?t|was not) supplied\b|\bis at [0-9a-f]{7,} but expected\b/i;
/** 409s that no re-read can fix: a protected branch or ruleset, an empty repository, a repository rule. */
const REFUSED = /protected branch|changes must be made through|rule violation|repository rule|repository is empty/i;

export function isContentsConflict(e: unknown): boolean {
  const status = statusOf(e);
  const message = messageOf(e);
  if (status === 409) return !REFUSED.test(message);
  return status === 422 && STALE.test(message) && (/\bsha\b/i.test(message) || /[0-9a-f]{40}/i.test(message));
}

/**
 * The ledger through the contents API; `version` is the file's blob sha, so a write only lands on the
 * text it was computed from.
 *
 * Reading: one JSON GET, which carries the sha and, up to 1 MB, the content. Above 1 MB GitHub sends
 * `content: ""` with `encoding: "none"`; only then a second GET with the raw media type
 * (application/vnd.github.raw+json) fetches the text. Chosen over "always raw + sha separately" because the
 * common case stays one request, and over the git blobs API because the contents endpoint is the one the
 * token's `contents` permission and the test stand-in cover. If the file changes between the two GETs the
 * text is newer than the sha, and the write is refused with 409 and retried: nothing is lost.
 *
 * Bytes: the text handed out is the file decoded as UTF-8 (what every reader of the ledger parses), but a
 * file that is not valid UTF-8 (latin1 `é` as 0xE9, UTF-16) would lose bytes if that text were written
 * back whole (0xE9 → U+FFFD). So the store keeps the raw bytes of what it read, and a write whose text
 * starts with that text (appendToLedger only appends: it keeps the BOM, the body and adds separators and
 * the block) sends the original bytes untouched followed by the UTF-8 bytes of the appended part. The
 * separator logic needs nothing else: `\n` and `\r` are single ASCII bytes in UTF-8 and never part of a
 * replaced sequence, so the decoded text ends, and breaks lines, exactly where the bytes do.
 */
export class ApiLedgerStore implements LedgerStore {
  private readonly octokit: ContentsOctokit;
  private readonly options: ApiLedgerStoreOptions;
  /** The last read: its version, the text handed out and the bytes it was decoded from. */
  private last: { version: string; text: string; bytes: Buffer } | undefined;
  constructor(octokit: ContentsOctokit, options: ApiLedgerStoreOptions) {
    this.octokit = octokit;
    this.options = options;
  }

  private get where(): string {
    const { owner, repo, path, branch } = this.options;
    return `${owner}/${repo}/${path}${branch ? `@${branch}` : ''}`;
  }

  private params() {
    const { owner, repo, path, branch } = this.options;
    return { owner, repo, path, ...(branch ? { ref: branch } : {}) };
  }

  async read(): Promise<{ text: string; version: string } | undefined> {
    let data: unknown;
    try {
      data = (await this.octokit.rest.repos.getContent(this.params())).data;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw this.failure('read', e);
    }
    if (Array.isArray(data)) throw new ConfigurationError(`ledger ${this.where} is a directory, not a file`);
    const file = data as { type?: unknown; sha?: unknown; content?: unknown; encoding?: unknown; size?: unknown };
    if (file.type !== undefined && file.type !== 'file') throw new ConfigurationError(`ledger ${this.where} is a ${String(file.type)}, not a file`);
    if (typeof file.sha !== 'string') throw new ExternalError(`ledger ${this.where}: the contents API answered without a sha`);
    const inline = file.encoding === 'base64' && typeof file.content === 'string' && (file.content !== '' || file.size === 0);
    const bytes = inline ? Buffer.from(file.content as string, 'base64') : await this.readRaw();
    const text = bytes.toString('utf8');
    this.last = { version: file.sha, text, bytes };
    return { text, version: file.sha };
  }

  /** The file's bytes through the raw media type, unparsed (a text decode would already lose non-UTF-8 bytes). */
  private async readRaw(): Promise<Buffer> {
    let data: unknown;
    try {
      data = (await this.octokit.rest.repos.getContent({ ...this.params(), mediaType: { format: 'raw' }, request: { parseSuccessResponseBody: false } })).data;
      const bytes = await toBytes(data);
      if (bytes) return bytes;
    } catch (e) {
      throw this.failure('read (raw)', e);
    }
    throw new ExternalError(`ledger ${this.where}: the raw read returned ${typeof data}`);
  }

  /** What to send for `text`: the bytes read followed by the appended part when `text` extends the text read. */
  private bytesFor(text: string, version: string | undefined): Buffer {
    const last = this.last;
    if (last && version === last.version && text.startsWith(last.text)) {
      return Buffer.concat([last.bytes, Buffer.from(text.slice(last.text.length), 'utf8')]);
    }
    return Buffer.from(text, 'utf8');
  }

  async write(text: string, version: string | undefined, message: string): Promise<'ok' | 'conflict'> {
    const { owner, repo, path, branch } = this.options;
    const bot = { name: BOT_NAME, email: BOT_EMAIL };
    try {
      await this.octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path,
        message: withSkipCi(message),
        content: this.bytesFor(text, version).toString('base64'),
        ...(version ? { sha: version } : {}),
        ...(branch ? { branch } : {}),
        committer: bot,
        author: bot,
      });
      return 'ok';
    } catch (e) {
      if (isContentsConflict(e)) return 'conflict';
      throw this.failure('write', e);
    }
  }

  private failure(what: string, e: unknown): Error {
    const status = statusOf(e);
    const detail = `${messageOf(e)}${status ? ` (HTTP ${status})` : ''}`;
    if (status === 409 && what === 'write') {
      return new ConfigurationError(
        `cannot write ledger ${this.where}: ${detail}; the branch refuses direct commits (branch protection or a ruleset): ` +
          'let the token bypass the rule, or point the ledger at a branch it may write',
      );
    }
    if (status === 401 || status === 403 || (what === 'write' && status === 404)) {
      return new ConfigurationError(
        `cannot ${what} ledger ${this.where}: ${detail}; the token needs \`permissions: contents: write\`${status === 404 ? ' and the branch must exist' : ''}`,
      );
    }
    return new ExternalError(`cannot ${what} ledger ${this.where}: ${detail}`, { cause: e });
  }
}

/** The body of a response as bytes: a string (a client that decoded it), an ArrayBuffer, bytes, or a stream. */
async function toBytes(data: unknown): Promise<Buffer | undefined> {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data && typeof (data as ReadableStream<Uint8Array>).getReader === 'function') {
    return Buffer.from(await new Response(data as ReadableStream<Uint8Array>).arrayBuffer());
  }
  if (data && typeof (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    const parts: Buffer[] = [];
    for await (const part of data as AsyncIterable<Uint8Array | string>) parts.push(typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part));
    return Buffer.concat(parts);
  }
  return undefined;
}

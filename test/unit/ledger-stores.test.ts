import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, ExternalError } from '../../src/core/action/errors.js';
import { recordingLogger } from '../../src/core/action/log.js';
import type { GitHub } from '../../src/core/github/client.js';
import {
  ApiLedgerStore,
  appendEntry,
  appendToLedger,
  isContentsConflict,
  parseLedger,
  type ContentsOctokit,
  type LedgerStore,
} from '../../src/core/ledger/index.js';

// The Octokit the glue builds must fit the structural type the store asks for.
const fits: (g: GitHub) => ContentsOctokit = (g) => g;
void fits;

const entry = (n: number) => ({ status: 'passed' as const, commit: n.toString(16).padStart(40, 'a'), timestamp: `2024-12-22T10:${String(n).padStart(2, '0')}:00Z` });
const noSleep = async () => {};

class HttpError extends Error {
  readonly status: number;
  readonly response: { data: { message: string } };
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.response = { data: { message } };
  }
}

/** An in-memory contents API: blob sha per version, 409 on a stale sha, 422 when a sha is missing. */
function fakeContents(options: { initial?: string; largeOver?: number } = {}) {
  const blobSha = (text: string) => createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');
  const state = { text: options.initial, puts: [] as Record<string, unknown>[], rawReads: 0 };
  const octokit: ContentsOctokit = {
    rest: {
      repos: {
        async getContent(params) {
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          if (state.text === undefined) throw new HttpError(404, 'Not Found');
          if (params.mediaType?.format === 'raw') {
            state.rawReads++;
            return { data: state.text };
          }
          const size = Buffer.byteLength(state.text);
          const large = size > (options.largeOver ?? 1_000_000);
          return {
            data: {
              type: 'file',
              sha: blobSha(state.text),
              size,
              encoding: large ? 'none' : 'base64',
              content: large ? '' : Buffer.from(state.text).toString('base64'),
            },
          };
        },
        async createOrUpdateFileContents(params) {
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          state.puts.push(params);
          if (state.text === undefined && params.sha) throw new HttpError(404, 'Not Found');
          if (state.text !== undefined && !params.sha) throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
          if (state.text !== undefined && params.sha !== blobSha(state.text)) throw new HttpError(409, `${params.path} does not match ${params.sha}`);
          state.text = Buffer.from(params.content, 'base64').toString('utf8');
          return { data: { content: { sha: blobSha(state.text) }, commit: { sha: 'c0ffee' } } };
        },
      },
    },
  };
  return { octokit, state };
}

describe('appendEntry', () => {
  it('re-reads, re-appends and retries on conflict, with full-jitter backoff', async () => {
    let text: string | undefined;
    let version = 0;
    const waits: number[] = [];
    let interfere = 2;
    const store: LedgerStore = {
      async read() {
        return text === undefined ? undefined : { text, version: String(version) };
      },
      async write(next, v) {
        if (interfere-- > 0) {
          // Someone else appends between our read and our write.
          text = appendToLedger(text, entry(90 + interfere));
          version++;
          return 'conflict';
        }
        if (v !== (text === undefined ? undefined : String(version))) return 'conflict';
        text = next;
        version++;
        return 'ok';
      },
    };
    const log = recordingLogger();
    const r = await appendEntry(store, entry(1), { log, random: () => 0.5, sleep: async (ms) => void waits.push(ms) });
    expect(r.attempts).toBe(3);
    expect(waits).toEqual([100, 200]); // 0.5 · 200·2^0, 0.5 · 200·2^1
    expect(log.lines).toHaveLength(2);
    expect(parseLedger(text!).entries.map((e) => e.commit)).toEqual([entry(91).commit, entry(90).commit, entry(1).commit]);
  });

  it('gives up after the bounded number of attempts', async () => {
    const store: LedgerStore = { read: async () => undefined, write: async () => 'conflict' };
    await expect(appendEntry(store, entry(1), { attempts: 3, log: recordingLogger(), sleep: noSleep })).rejects.toThrow(ExternalError);
  });

  it('does not append twice when a write landed although it was reported as a conflict', async () => {
    let text: string | undefined = appendToLedger(undefined, entry(7));
    let writes = 0;
    const store: LedgerStore = {
      read: async () => ({ text: text!, version: 'v' }),
      async write(next) {
        writes++;
        text = next; // it landed…
        return 'conflict'; // …but a retried request saw the new sha
      },
    };
    const r = await appendEntry(store, entry(8), { log: recordingLogger(), sleep: noSleep });
    expect(writes).toBe(1);
    expect(parseLedger(r.text).entries).toHaveLength(2);
  });

  it('puts [skip ci] in every commit message', async () => {
    const messages: string[] = [];
    const store: LedgerStore = {
      read: async () => undefined,
      async write(_t, _v, m) {
        messages.push(m);
        return 'ok';
      },
    };
    await appendEntry(store, entry(1), { log: recordingLogger() });
    await appendEntry(store, entry(1), { log: recordingLogger(), message: 'ledger: promote 0000001' });
    expect(messages).toEqual(['greenline: ledger passed aaaaaaa [skip ci]', 'ledger: promote 0000001 [skip ci]']);
  });
});

describe('ApiLedgerStore', () => {
  const where = { owner: 'acme', repo: 'app', path: 'docs/ML_EXPERIMENT_RESULTS.md', branch: 'main' };

  it('maps 404 to a new file and writes without a sha, on the branch, as the bot, with [skip ci]', async () => {
    const { octokit, state } = fakeContents();
    const store = new ApiLedgerStore(octokit, where);
    expect(await store.read()).toBeUndefined();
    expect(await store.write('# L\n', undefined, 'ledger')).toBe('ok');
    expect(state.puts[0]).toMatchObject({
      owner: 'acme',
      repo: 'app',
      path: 'docs/ML_EXPERIMENT_RESULTS.md',
      branch: 'main',
      message: 'ledger [skip ci]',
      content: Buffer.from('# L\n').toString('base64'),
      committer: { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' },
    });
    expect(state.puts[0]).not.toHaveProperty('sha');
    expect(await store.read()).toMatchObject({ text: '# L\n' });
  });

  it('maps 409 and the two 422 sha messages to conflict, other errors to exceptions', async () => {
    const failing = (error: Error): ContentsOctokit => ({
      rest: { repos: { getContent: async () => Promise.reject(error), createOrUpdateFileContents: async () => Promise.reject(error) } },
    });
    const write = (e: Error) => new ApiLedgerStore(failing(e), where).write('x', 'abc', 'm');
    expect(await write(new HttpError(409, 'docs/x.md does not match abc'))).toBe('conflict');
    expect(await write(new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.'))).toBe('conflict');
    expect(await write(new HttpError(422, 'sha does not match'))).toBe('conflict');
    await expect(write(new HttpError(422, 'Invalid request. content is not valid Base64'))).rejects.toThrow(ExternalError);
    await expect(write(new HttpError(403, 'Resource not accessible by integration'))).rejects.toThrow(ConfigurationError);
    await expect(write(new HttpError(403, 'Resource not accessible by integration'))).rejects.toThrow(/contents: write/);
    await expect(write(new HttpError(404, 'Branch nope not found'))).rejects.toThrow(ConfigurationError);
    await expect(write(new HttpError(500, 'boom'))).rejects.toThrow(ExternalError);
    await expect(new ApiLedgerStore(failing(new HttpError(403, 'nope')), where).read()).rejects.toThrow(ConfigurationError);
    expect(isContentsConflict(new Error('409'))).toBe(false);
  });

  it('reads files over 1 MB through the raw media type, keeping the sha of the JSON read', async () => {
    const big = appendToLedger(`# L\n\n${'x'.repeat(1_200_000)}\n`, entry(3));
    const { octokit, state } = fakeContents({ initial: big });
    const read = await new ApiLedgerStore(octokit, where).read();
    expect(state.rawReads).toBe(1);
    expect(read?.text).toBe(big);
    expect(read?.version).toMatch(/^[0-9a-f]{40}$/);
    const small = fakeContents({ initial: '# L\n' });
    await new ApiLedgerStore(small.octokit, where).read();
    expect(small.state.rawReads).toBe(0);
  });

  it('refuses a directory', async () => {
    const octokit: ContentsOctokit = {
      rest: { repos: { getContent: async () => ({ data: [{ type: 'file' }] }), createOrUpdateFileContents: async () => ({ data: {} }) } },
    };
    await expect(new ApiLedgerStore(octokit, where).read()).rejects.toThrow(/directory/);
  });

  it('10 concurrent appends against the fake contents API keep all 10 entries', async () => {
    const { octokit, state } = fakeContents();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        appendEntry(new ApiLedgerStore(octokit, where), entry(i), { attempts: 30, log: recordingLogger(), baseDelayMs: 2, maxDelayMs: 20 }),
      ),
    );
    const commits = parseLedger(state.text!).entries.map((e) => e.commit);
    expect(commits.sort()).toEqual(Array.from({ length: 10 }, (_, i) => entry(i).commit).sort());
    expect(results.some((r) => r.attempts > 1)).toBe(true);
  });
});

describe('ApiLedgerStore keeps the bytes it did not write', () => {
  /** A contents API over bytes (the fakeContents above holds text). */
  function byteContents(initial: Buffer, options: { large?: boolean } = {}) {
    const blobSha = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
    const state = { bytes: initial };
    const octokit: ContentsOctokit = {
      rest: {
        repos: {
          async getContent(params) {
            if (params.mediaType?.format === 'raw') {
              // As octokit hands out a body it was told not to parse: a web stream.
              return { data: params.request?.parseSuccessResponseBody === false ? new Blob([state.bytes]).stream() : state.bytes.toString('utf8') };
            }
            return {
              data: { type: 'file', sha: blobSha(state.bytes), size: state.bytes.length, encoding: options.large ? 'none' : 'base64', content: options.large ? '' : state.bytes.toString('base64') },
            };
          },
          async createOrUpdateFileContents(params) {
            if (params.sha !== blobSha(state.bytes)) throw new HttpError(409, 'does not match');
            state.bytes = Buffer.from(params.content, 'base64');
            return { data: {} };
          },
        },
      },
    };
    return { octokit, state };
  }

  for (const large of [false, true]) {
    it(`latin1 and UTF-16 bytes survive an append (${large ? 'raw read, over 1 MB' : 'inline base64'})`, async () => {
      for (const old of [
        Buffer.from('# Résultats\r\n\r\nNotes: modèle entraîné à 91 %', 'latin1'),
        Buffer.from('\uFEFF# ML experiment results (UTF-16)\n', 'utf16le'),
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# caf\xe9\n\n', 'latin1')]),
      ]) {
        const { octokit, state } = byteContents(old, { large });
        await appendEntry(new ApiLedgerStore(octokit, { owner: 'o', repo: 'r', path: 'docs/L.md' }), entry(3), { log: recordingLogger(), sleep: noSleep });
        expect(state.bytes.subarray(0, old.length).equals(old)).toBe(true);
        const added = state.bytes.subarray(old.length).toString('utf8');
        expect(added).toMatch(/Status: ✅ Tests Passed/);
        expect(parseLedger(state.bytes.toString('utf8')).entries.map((e) => e.commit)).toEqual([entry(3).commit]);
      }
    });
  }

  it('the separator follows the bytes: a blank line before the block, CRLF kept', async () => {
    const old = Buffer.from('# R\xe9sultats\r\nNotes: x', 'latin1');
    const { octokit, state } = byteContents(old);
    await appendEntry(new ApiLedgerStore(octokit, { owner: 'o', repo: 'r', path: 'L.md' }), entry(4), { log: recordingLogger(), sleep: noSleep });
    expect(state.bytes.subarray(old.length).toString('utf8')).toMatch(/^\r\n\r\n### ✅ [0-9a-f]{7} .*\r\nCommit: /);
  });
});

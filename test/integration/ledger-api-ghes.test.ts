import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { silentLogger } from '../../src/core/action/log.js';
import { createGitHub } from '../../src/core/github/client.js';
import { ApiLedgerStore, appendEntry, appendToLedger } from '../../src/core/ledger/index.js';
import { startLoopback } from '../support/auth-front.js';
import { createRemote, git, type GitRemote } from '../support/git-fixture.js';
import { primaryRateLimit, startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { tempDir } from '../support/tmp.js';

/**
 * The contents-API ledger against GitHub Enterprise Server's layout (REST under `https://HOST/api/v3`), a
 * branch whose name needs encoding in `?ref=`, a file over 1 MB (raw media type), and the answers GitHub has
 * given for a stale sha (409 and 422) or a protected branch (409).
 */
const OWNER = 'acme';
const REPO = 'shop';
const TOKEN = 'ghs_ghesTestToken000000000000000000000';
const PATH = 'docs/ML_EXPERIMENT_RESULTS.md';
const GIT_BRANCH = 'release/1.x+hot-fix#2%';

let tmp: { path: string; cleanup(): Promise<void> };
let remote: GitRemote;
let standin: GitHubStandin;
let ghes: Awaited<ReturnType<typeof startLoopback>>;
const offPrefix: string[] = [];

beforeAll(async () => {
  tmp = await tempDir('greenline-ghes-');
  remote = await createRemote(tmp.path);
  await remote.commit({ [PATH]: `# Ledger\n\n${'x'.repeat(1_100_000)}\n` }, 'big ledger');
  await git(remote.work, ['push', '-q', 'origin', `HEAD:refs/heads/${GIT_BRANCH}`]);
  standin = await startGitHubStandin({ owner: OWNER, repo: REPO, bareRepoPath: remote.bare, token: TOKEN });
  // GHES serves the REST API under /api/v3: anything else is a path built without the base URL.
  const upstream = new URL(standin.url);
  ghes = await startLoopback((req, res, body) => {
    const url = req.url ?? '/';
    if (!url.startsWith('/api/v3/')) {
      offPrefix.push(`${req.method} ${url}`);
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    const up = httpRequest(new URL(`${upstream.pathname.replace(/\/$/, '')}${url.slice('/api/v3'.length)}`, upstream), { method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.end(body);
  });
});
afterAll(async () => {
  await ghes?.stop();
  await standin?.stop();
  await tmp?.cleanup();
});
afterEach(() => {
  expect(offPrefix).toEqual([]);
  expect(standin.unknownRequests()).toEqual([]);
  expect(standin.internalErrors).toEqual([]);
});

const entry = (n: number) => ({
  status: 'passed' as const,
  commit: n.toString(16).padStart(40, 'c'),
  timestamp: `2025-01-0${n}T10:00:00Z`,
});

function store(branch = GIT_BRANCH) {
  const github = createGitHub({ token: TOKEN, baseUrl: `${ghes.url}/api/v3`, log: silentLogger });
  return new ApiLedgerStore(github, { owner: OWNER, repo: REPO, path: PATH, branch });
}

describe('contents-API ledger on GHES', () => {
  it('reads a ledger over 1 MB on a branch needing encoding, and appends to it, every path under /api/v3', async () => {
    standin.resetLog();
    const before = await remote.show(GIT_BRANCH, PATH);
    const { attempts } = await appendEntry(store(), entry(1), { log: silentLogger, sleep: async () => {} });
    expect(attempts).toBe(1);
    const after = await remote.show(GIT_BRANCH, PATH);
    expect(after).toBe(appendToLedger(`${before}\n`, entry(1)).trimEnd());
    // One JSON read (content empty over 1 MB), one raw read, one write; main untouched.
    expect(standin.callCount({ method: 'GET', path: /\/contents\// })).toBe(2);
    expect(standin.callCount({ method: 'PUT', path: /\/contents\// })).toBe(1);
    expect(await remote.show('main', PATH)).toBe(before);
  });

  it('re-reads and retries when GitHub answers a stale sha with 422 "<path> does not match <sha>"', async () => {
    standin.failNext({
      method: 'PUT',
      path: `/repos/${OWNER}/${REPO}/contents/${PATH}`,
      status: 422,
      body: { message: `${PATH} does not match ${'0'.repeat(40)}`, documentation_url: 'https://docs.github.com/rest/repos/contents#create-or-update-file-contents', status: '422' },
    });
    const { attempts } = await appendEntry(store(), entry(2), { log: silentLogger, sleep: async () => {} });
    expect(attempts).toBe(2);
    expect(await remote.show(GIT_BRANCH, PATH)).toContain(`Commit: ${entry(2).commit}`);
  });

  it('stops at once, saying why, when the branch is protected (409 that no re-read fixes)', async () => {
    standin.state.protectedBranches.add(GIT_BRANCH);
    standin.resetLog();
    try {
      const error = await appendEntry(store(), entry(3), { log: silentLogger, sleep: async () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(String(error)).toMatch(/Could not update file: Changes must be made through a pull request\..*refuses direct commits/);
      expect(standin.callCount({ method: 'PUT', path: /\/contents\// })).toBe(1);
    } finally {
      standin.state.protectedBranches.delete(GIT_BRANCH);
    }
  });

  it('waits out a primary rate limit by x-ratelimit-reset, then reads', async () => {
    standin.failNext({ method: 'GET', path: `/repos/${OWNER}/${REPO}/contents/${PATH}`, ...primaryRateLimit(1) });
    const started = Date.now();
    const read = await store().read();
    expect(read?.text.startsWith('# Ledger\n')).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('fails at once, rather than sleep for an hour, when the primary limit resets far in the future', async () => {
    standin.failNext({ method: 'GET', path: `/repos/${OWNER}/${REPO}/contents/${PATH}`, ...primaryRateLimit(3_600) });
    const warnings: string[] = [];
    const github = createGitHub({ token: TOKEN, baseUrl: `${ghes.url}/api/v3`, log: { ...silentLogger, warning: (m) => void warnings.push(m) } });
    const started = Date.now();
    const error = await new ApiLedgerStore(github, { owner: OWNER, repo: REPO, path: PATH, branch: GIT_BRANCH }).read().catch((e: unknown) => e);
    // An hour's wait would be 3,600 s; a minute leaves a loaded runner all the room it needs.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(String(error)).toMatch(/API rate limit exceeded/);
    expect(warnings.join('\n')).toMatch(/GitHub rate limit on GET .* resets in 36\d\ds/);
  }, 15_000);
});

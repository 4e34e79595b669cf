/**
 * The GitHub REST API stand-in, exercised through a REAL Octokit (`getOctokit` from @actions/github) and real
 * git: a bare repository with history pushed from a clone, then every endpoint family and test control.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatViolation, secondaryRateLimit, startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';

const OWNER = 'acme';
const REPO = 'app';
const TOKEN = 'ghs_standin_test_token';

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'Dev',
          GIT_AUTHOR_EMAIL: 'dev@example.com',
          GIT_COMMITTER_NAME: 'Dev',
          GIT_COMMITTER_EMAIL: 'dev@example.com',
          GIT_CONFIG_NOSYSTEM: '1',
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
  });
}

async function gitOk(cwd: string, args: string[]): Promise<string> {
  const result = await git(cwd, args);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** The HTTP status of an Octokit RequestError (what the suite's code sees). */
async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number') throw error;
    return status;
  }
}

async function errorOf(promise: Promise<unknown>): Promise<{ status: number; data: { message?: string; errors?: unknown[] } }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string; errors?: unknown[] } } };
    return { status: e.status, data: e.response?.data ?? {} };
  }
  throw new Error('expected the request to fail');
}

let tmp: string;
let bare: string;
let work: string;
let standin: GitHubStandin;
let octokit: ReturnType<typeof getOctokit>;
let first: string;
let second: string;
const repo = { owner: OWNER, repo: REPO };

/** Brings the workspace clone to the remote's main. */
async function syncWork(): Promise<void> {
  await gitOk(work, ['fetch', '-q', 'origin']);
  await gitOk(work, ['checkout', '-q', '-B', 'main', 'origin/main']);
}

async function headOf(branch = 'main'): Promise<string> {
  const { data } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
  return data.object.sha;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'gh-standin-'));
  bare = path.join(tmp, 'remote.git');
  work = path.join(tmp, 'work');
  await gitOk(tmp, ['init', '-q', '--bare', '--initial-branch=main', bare]);
  await gitOk(tmp, ['clone', '-q', bare, work]);
  await gitOk(work, ['checkout', '-q', '-B', 'main']);
  await mkdir(path.join(work, 'docs'), { recursive: true });
  await mkdir(path.join(work, 'src', 'lib'), { recursive: true });
  await writeFile(path.join(work, 'README.md'), '# app\n');
  await writeFile(path.join(work, 'docs', 'ML_EXPERIMENT_RESULTS.md'), '# Results\n');
  await writeFile(path.join(work, 'src', 'lib', 'util.ts'), 'export const x = 1;\n');
  await gitOk(work, ['add', '-A']);
  await gitOk(work, ['commit', '-q', '-m', 'initial']);
  first = await gitOk(work, ['rev-parse', 'HEAD']);
  await writeFile(path.join(work, 'src', 'app.ts'), 'console.log("hi");\n');
  await gitOk(work, ['add', '-A']);
  await gitOk(work, ['commit', '-q', '-m', 'add app']);
  second = await gitOk(work, ['rev-parse', 'HEAD']);
  await gitOk(work, ['push', '-q', 'origin', 'main']);

  standin = await startGitHubStandin({ owner: OWNER, repo: REPO, bareRepoPath: bare, token: TOKEN });
  octokit = getOctokit(TOKEN, { baseUrl: standin.url });
});

afterAll(async () => {
  await standin?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('server basics', () => {
  it('listens on 127.0.0.1 and serves repository info', async () => {
    expect(standin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { data } = await octokit.rest.repos.get(repo);
    expect(data.full_name).toBe('acme/app');
    expect(data.default_branch).toBe('main');
    expect(data.permissions?.push).toBe(true);
    expect(data.html_url).toBe(`${standin.url}/acme/app`);
  });

  it('requires the token, with GitHub error JSON', async () => {
    const missing = await fetch(`${standin.url}/repos/acme/app`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'Requires authentication' });
    const wrong = await errorOf(getOctokit('nope', { baseUrl: standin.url }).rest.repos.get(repo));
    expect(wrong.status).toBe(401);
    expect(wrong.data).toMatchObject({ message: 'Bad credentials', documentation_url: expect.any(String) });
    const bearer = await fetch(`${standin.url}/repos/acme/app`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
  });

  it('answers 404 for another repository and records unknown routes', async () => {
    expect(await statusOf(octokit.rest.repos.get({ owner: 'other', repo: 'thing' }))).toBe(404);
    const before = standin.unknownRequests().length;
    const error = await errorOf(octokit.request('GET /repos/{owner}/{repo}/deployments', repo));
    expect(error).toMatchObject({ status: 404, data: { message: 'Not Found' } });
    const unknown = standin.unknownRequests();
    expect(unknown.length).toBe(before + 1);
    expect(unknown.at(-1)).toMatchObject({ method: 'GET', path: '/repos/acme/app/deployments', status: 404, route: null });
  });

  it('refuses the search API with a message saying not to use it', async () => {
    const error = await errorOf(octokit.rest.search.issuesAndPullRequests({ q: 'repo:acme/app label:incident' }));
    expect(error.status).toBe(410);
    expect(error.data.message).toMatch(/must not use it/);
  });
});

describe('contents', () => {
  it('reads a file as JSON with base64 content and the blob sha, and raw', async () => {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: 'README.md' });
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(data.content, 'base64').toString()).toBe('# app\n');
    expect(data.sha).toBe(await gitOk(work, ['rev-parse', `${second}:README.md`]));
    const raw = await octokit.rest.repos.getContent({ ...repo, path: 'README.md', mediaType: { format: 'raw' } });
    expect(raw.data as unknown as string).toBe('# app\n');
    const atFirst = await octokit.rest.repos.getContent({ ...repo, path: 'src/app.ts', ref: first }).catch((e: { status: number }) => e.status);
    expect(atFirst).toBe(404);
    const dir = await octokit.rest.repos.getContent({ ...repo, path: 'src' });
    expect(Array.isArray(dir.data) && dir.data.map((e) => `${e.type}:${e.path}`).sort()).toEqual(['dir:src/lib', 'file:src/app.ts']);
  });

  it('creates, updates with the current sha, and refuses a missing (422) or stale (409) sha', async () => {
    const created = await octokit.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: 'docs/new/ledger.md',
      message: 'ledger: create [skip ci]',
      content: Buffer.from('one\n').toString('base64'),
    });
    expect(created.status).toBe(201);
    const sha1 = created.data.content?.sha ?? '';
    expect(created.data.commit.verification?.verified).toBe(true);

    const missing = await errorOf(
      octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: 'docs/new/ledger.md', message: 'x', content: Buffer.from('two\n').toString('base64') }),
    );
    expect(missing.status).toBe(422);
    expect(missing.data.message).toContain('"sha" wasn\'t supplied');

    const updated = await octokit.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: 'docs/new/ledger.md',
      message: 'ledger: append [skip ci]',
      content: Buffer.from('one\ntwo\n').toString('base64'),
      sha: sha1,
      committer: { name: 'greenline', email: 'greenline@example.com' },
    });
    expect(updated.status).toBe(200);
    expect(updated.data.commit.verification?.verified).toBe(false);
    expect(updated.data.commit.committer?.name).toBe('greenline');
    const commit = await gitOk(work, ['--git-dir', bare, 'cat-file', '-p', updated.data.commit.sha ?? '']);
    expect(commit).toContain('ledger: append [skip ci]');

    const stale = await errorOf(
      octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: 'docs/new/ledger.md', message: 'x', content: 'eA==', sha: sha1 }),
    );
    expect(stale.status).toBe(409);
    expect(stale.data.message).toBe(`docs/new/ledger.md does not match ${sha1}`);
  });

  it('gives large files an empty JSON content (encoding none) and the whole file through raw', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10) + '\nend\n';
    await octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: 'big.txt', message: 'big', content: Buffer.from(big).toString('base64') });
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: 'big.txt' });
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    expect(data).toMatchObject({ content: '', encoding: 'none', size: big.length });
    const raw = await octokit.rest.repos.getContent({ ...repo, path: 'big.txt', mediaType: { format: 'raw' } });
    expect((raw.data as unknown as string).length).toBe(big.length);
  });

  it('lets exactly one of several concurrent PUTs with the same sha win; the rest get 409', async () => {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: 'docs/ML_EXPERIMENT_RESULTS.md' });
    if (Array.isArray(data)) throw new Error('expected a file');
    const before = await headOf();
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        statusOf(
          octokit.rest.repos.createOrUpdateFileContents({
            ...repo,
            path: 'docs/ML_EXPERIMENT_RESULTS.md',
            message: `entry ${i}`,
            content: Buffer.from(`# Results\nentry ${i}\n`).toString('base64'),
            sha: data.sha,
          }),
        ),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    const after = await headOf();
    expect(await gitOk(work, ['--git-dir', bare, 'rev-parse', `${after}^`])).toBe(before);
  });
});

describe('git data', () => {
  it('builds trees with base_tree, nested paths and deletions, and commits signed or unsigned', async () => {
    const head = await headOf();
    const { data: headCommit } = await octokit.rest.git.getCommit({ ...repo, commit_sha: head });
    const { data: blob } = await octokit.rest.git.createBlob({ ...repo, content: Buffer.from('deep\n').toString('base64'), encoding: 'base64' });
    const { data: tree } = await octokit.rest.git.createTree({
      ...repo,
      base_tree: headCommit.tree.sha,
      tree: [
        { path: 'a/b/c/deep.txt', mode: '100644', type: 'blob', sha: blob.sha },
        { path: 'a/inline.txt', mode: '100644', type: 'blob', content: 'inline\n' },
        { path: 'src/lib/util.ts', mode: '100644', type: 'blob', sha: null },
        { path: 'README.md', mode: '100755', type: 'blob', content: '# app v2\n' },
      ],
    });
    const { data: full } = await octokit.rest.git.getTree({ ...repo, tree_sha: tree.sha, recursive: '1' });
    const paths = full.tree.map((e) => `${e.type}:${e.mode}:${e.path}`);
    expect(paths).toEqual(
      expect.arrayContaining(['tree:040000:a/b/c', 'blob:100644:a/b/c/deep.txt', 'blob:100644:a/inline.txt', 'blob:100755:README.md', 'blob:100644:src/app.ts']),
    );
    // src/lib held only util.ts: the emptied directory disappears, as on GitHub.
    expect(paths.some((p) => p.includes('src/lib'))).toBe(false);
    expect(paths).toContain('blob:100644:docs/ML_EXPERIMENT_RESULTS.md');

    const { data: signed } = await octokit.rest.git.createCommit({ ...repo, message: 'restore [skip ci]\n\nGreenline-Revert-Of: x', tree: tree.sha, parents: [head] });
    expect(signed.verification).toMatchObject({ verified: true, reason: 'valid' });
    expect(signed.author.name).toBe('github-actions[bot]');
    expect(signed.committer).toMatchObject({ name: 'GitHub', email: 'noreply@github.com' });
    expect(signed.message).toBe('restore [skip ci]\n\nGreenline-Revert-Of: x');
    const again = await octokit.rest.git.getCommit({ ...repo, commit_sha: signed.sha });
    expect(again.data.verification.verified).toBe(true);
    expect(again.data.parents.map((p) => p.sha)).toEqual([head]);

    const { data: unsigned } = await octokit.rest.git.createCommit({
      ...repo,
      message: 'by hand',
      tree: tree.sha,
      parents: [head],
      author: { name: 'A', email: 'a@example.com', date: '2024-05-01T10:00:00Z' },
    });
    expect(unsigned.verification).toMatchObject({ verified: false, reason: 'unsigned' });
    expect(unsigned.author.date).toBe('2024-05-01T10:00:00Z');

    expect((await errorOf(octokit.rest.git.createCommit({ ...repo, message: 'x', tree: '0'.repeat(40), parents: [head] }))).data.message).toBe(
      'Tree SHA does not exist',
    );
    expect(await statusOf(octokit.rest.git.getCommit({ ...repo, commit_sha: 'f'.repeat(40) }))).toBe(404);
  });

  it('PATCH ref: fast-forward ok, non fast-forward 422, force ok; create 422 when it exists; delete', async () => {
    const head = await headOf();
    const { data: headCommit } = await octokit.rest.git.getCommit({ ...repo, commit_sha: head });
    const { data: child } = await octokit.rest.git.createCommit({ ...repo, message: 'child', tree: headCommit.tree.sha, parents: [head] });
    const { data: sibling } = await octokit.rest.git.createCommit({ ...repo, message: 'sibling', tree: headCommit.tree.sha, parents: [head] });

    const ok = await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: child.sha, force: false });
    expect(ok.data.object.sha).toBe(child.sha);
    const nonFf = await errorOf(octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: sibling.sha, force: false }));
    expect(nonFf).toMatchObject({ status: 422, data: { message: 'Update is not a fast forward' } });
    expect(await headOf()).toBe(child.sha);

    await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/feature', sha: sibling.sha });
    const exists = await errorOf(octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/feature', sha: sibling.sha }));
    expect(exists).toMatchObject({ status: 422, data: { message: 'Reference already exists' } });
    const forced = await octokit.rest.git.updateRef({ ...repo, ref: 'heads/feature', sha: child.sha, force: true });
    expect(forced.data.object.sha).toBe(child.sha);
    await octokit.rest.git.createRef({ ...repo, ref: 'refs/tags/stable', sha: head });
    expect((await octokit.rest.git.getRef({ ...repo, ref: 'tags/stable' })).data).toMatchObject({ ref: 'refs/tags/stable', object: { type: 'commit', sha: head } });
    const matching = await octokit.rest.git.listMatchingRefs({ ...repo, ref: 'heads/' });
    expect(matching.data.map((r) => r.ref).sort()).toEqual(['refs/heads/feature', 'refs/heads/main']);
    await octokit.rest.git.deleteRef({ ...repo, ref: 'heads/feature' });
    expect(await statusOf(octokit.rest.git.getRef({ ...repo, ref: 'heads/feature' }))).toBe(404);
    expect((await errorOf(octokit.rest.git.deleteRef({ ...repo, ref: 'heads/feature' }))).status).toBe(422);
  });

  it('two racing fast-forwards from the same head: one wins, the other is not a fast forward', async () => {
    const head = await headOf();
    const { data: c } = await octokit.rest.git.getCommit({ ...repo, commit_sha: head });
    const commits = await Promise.all(
      [1, 2, 3, 4].map((i) => octokit.rest.git.createCommit({ ...repo, message: `race ${i}`, tree: c.tree.sha, parents: [head] })),
    );
    const statuses = await Promise.all(commits.map(({ data }) => statusOf(octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: data.sha, force: false }))));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(3);
  });

  it('sees a git push to the bare repository through GET ref', async () => {
    await syncWork();
    await writeFile(path.join(work, 'pushed.txt'), 'from git\n');
    await gitOk(work, ['add', '-A']);
    await gitOk(work, ['commit', '-q', '-m', 'pushed by git']);
    const pushed = await gitOk(work, ['rev-parse', 'HEAD']);
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    expect(await headOf()).toBe(pushed);
    const { data } = await octokit.rest.repos.getCommit({ ...repo, ref: 'main' });
    expect(data.sha).toBe(pushed);
    expect(data.commit.message).toBe('pushed by git\n');
    expect(data.commit.verification?.verified).toBe(false);
    expect(data.files?.map((f) => `${f.status}:${f.filename}`)).toEqual(['added:pushed.txt']);
  });
});

describe('commits and compare', () => {
  it('lists commits with Link pagination', async () => {
    const page1 = await octokit.rest.repos.listCommits({ ...repo, per_page: 2 });
    expect(page1.data).toHaveLength(2);
    expect(page1.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.repos.listCommits, { ...repo, per_page: 3 });
    expect(all.at(-1)?.sha).toBe(first);
    expect(new Set(all.map((c) => c.sha)).size).toBe(all.length);
    expect((await errorOf(octokit.rest.repos.getCommit({ ...repo, ref: 'no-such-branch' }))).status).toBe(422);
  });

  it('reports ahead, behind, identical and diverged, and 404 for an unknown side', async () => {
    const head = await headOf();
    const ahead = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${first}...${head}` });
    expect(ahead.data.status).toBe('ahead');
    expect(ahead.data.behind_by).toBe(0);
    expect(ahead.data.ahead_by).toBe(ahead.data.total_commits);
    expect(ahead.data.commits[0]?.parents[0]?.sha).toBe(first);
    expect(ahead.data.commits.at(-1)?.sha).toBe(head);
    expect(ahead.data.merge_base_commit.sha).toBe(first);

    expect((await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${head}...${first}` })).data).toMatchObject({
      status: 'behind',
      ahead_by: 0,
    });
    expect((await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `main...${head}` })).data.status).toBe('identical');

    const { data: c } = await octokit.rest.git.getCommit({ ...repo, commit_sha: first });
    const { data: side } = await octokit.rest.git.createCommit({ ...repo, message: 'side', tree: c.tree.sha, parents: [first] });
    const diverged = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${side.sha}...main` });
    expect(diverged.data).toMatchObject({ status: 'diverged', behind_by: 1, merge_base_commit: { sha: first } });

    expect(await statusOf(octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `main...${'a'.repeat(40)}` }))).toBe(404);
    expect(await statusOf(octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: 'nope...main' }))).toBe(404);
  });
});

describe('checks and statuses', () => {
  it('lists check runs for a ref with check_name, status and latest filters', async () => {
    const head = await headOf();
    standin.addCheckRun(head, 'test', 'failure');
    standin.addCheckRun(head, 'test', 'success');
    standin.addCheckRun(head, 'lint', null, 'in_progress');
    const latest = await octokit.rest.checks.listForRef({ ...repo, ref: 'main' });
    expect(latest.data.total_count).toBe(2);
    expect(latest.data.check_runs.find((r) => r.name === 'test')?.conclusion).toBe('success');
    const all = await octokit.rest.checks.listForRef({ ...repo, ref: head, filter: 'all', check_name: 'test' });
    expect(all.data.check_runs.map((r) => r.conclusion)).toEqual(['success', 'failure']);
    const done = await octokit.rest.checks.listForRef({ ...repo, ref: head, status: 'completed' });
    expect(done.data.check_runs.map((r) => r.name)).toEqual(['test']);
    const none = await octokit.rest.checks.listForRef({ ...repo, ref: first });
    expect(none.data).toMatchObject({ total_count: 0, check_runs: [] });
  });

  it('answers a pending combined status when a commit has none', async () => {
    const { data } = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: first });
    expect(data).toMatchObject({ state: 'pending', total_count: 0, statuses: [] });
    standin.addStatus(first, 'ci/build', 'success');
    expect((await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: first })).data.state).toBe('success');
  });

  it('pages the combined status (newest status per context, newest first; total_count counts every context)', async () => {
    const { data: c } = await octokit.rest.git.getCommit({ ...repo, commit_sha: first });
    const head = (await octokit.rest.git.createCommit({ ...repo, message: 'statuses', tree: c.tree.sha, parents: [first] })).data.sha;
    standin.addStatus(head, 'ci/jenkins', 'pending');
    standin.addStatus(head, 'ci/jenkins', 'failure');
    for (let i = 0; i < 40; i++) standin.addStatus(head, `ext/${i}`, 'success');
    const one = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: head });
    expect(one.data).toMatchObject({ state: 'failure', total_count: 41 });
    expect(one.data.statuses).toHaveLength(30);
    expect(one.headers.link).toMatch(/rel="next"/);
    const two = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: head, per_page: 30, page: 2 });
    expect(two.data.statuses.map((x) => x.context)).toEqual([...Array.from({ length: 10 }, (_, i) => `ext/${9 - i}`), 'ci/jenkins']);
    expect(two.data.statuses.at(-1)?.state).toBe('failure');
    expect(two.headers.link).not.toMatch(/rel="next"/);
  });
});

describe('an empty repository', () => {
  it('answers "This repository is empty." and lets the contents API create the first commit', async () => {
    const emptyBare = path.join(tmp, 'empty.git');
    await gitOk(tmp, ['init', '-q', '--bare', emptyBare]);
    const empty = await startGitHubStandin({ owner: 'acme', repo: 'empty', bareRepoPath: emptyBare, defaultBranch: 'trunk' });
    try {
      const client = getOctokit('any', { baseUrl: empty.url });
      const r = { owner: 'acme', repo: 'empty' };
      const read = await errorOf(client.rest.repos.getContent({ ...r, path: 'README.md' }));
      expect(read).toMatchObject({ status: 404, data: { message: 'This repository is empty.' } });
      expect(await statusOf(client.rest.repos.listCommits(r))).toBe(409);
      const { data } = await client.rest.repos.createOrUpdateFileContents({ ...r, path: 'docs/first.md', message: 'first', content: Buffer.from('hello\n').toString('base64') });
      const ref = await client.rest.git.getRef({ ...r, ref: 'heads/trunk' });
      expect(ref.data.object.sha).toBe(data.commit.sha);
      const clone = path.join(tmp, 'empty-clone');
      await gitOk(tmp, ['clone', '-q', emptyBare, clone]);
      expect(await gitOk(clone, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('trunk');
      expect(await gitOk(clone, ['show', 'HEAD:docs/first.md'])).toBe('hello');
    } finally {
      await empty.stop();
    }
  });
});

describe('branch protection', () => {
  it('rejects API updates (422 / 409) and git pushes (GH006) while on, and allows them once off', async () => {
    await syncWork();
    const head = await headOf();
    const { data: c } = await octokit.rest.git.getCommit({ ...repo, commit_sha: head });
    const { data: next } = await octokit.rest.git.createCommit({ ...repo, message: 'next', tree: c.tree.sha, parents: [head] });

    standin.protectBranch('main');
    const patch = await errorOf(octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: next.sha }));
    expect(patch).toMatchObject({ status: 422, data: { message: 'Changes must be made through a pull request.', documentation_url: 'https://docs.github.com/articles/about-protected-branches' } });
    const { data: file } = await octokit.rest.repos.getContent({ ...repo, path: 'README.md' });
    if (Array.isArray(file)) throw new Error('expected a file');
    const put = await errorOf(octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: 'README.md', message: 'x', content: 'eA==', sha: file.sha }));
    expect(put.status).toBe(409);
    expect(put.data.message).toBe('Could not update file: Changes must be made through a pull request.');

    await writeFile(path.join(work, 'blocked.txt'), 'no\n');
    await gitOk(work, ['add', '-A']);
    await gitOk(work, ['commit', '-q', '-m', 'blocked']);
    const push = await git(work, ['push', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: error: GH006: Protected branch update failed for refs/heads/main.');
    expect(push.stderr).toContain('remote: - Changes must be made through a pull request.');
    expect(await headOf()).toBe(head);
    // Other branches stay open: the revert-PR fallback pushes one.
    expect((await git(work, ['push', '-q', 'origin', 'HEAD:refs/heads/greenline/revert-1'])).code).toBe(0);

    expect((await octokit.rest.repos.getBranch({ ...repo, branch: 'main' })).data.protected).toBe(true);
    standin.protectBranch('main', false);
    expect((await octokit.rest.repos.getBranch({ ...repo, branch: 'main' })).data.protected).toBe(false);
    expect((await git(work, ['push', '-q', 'origin', 'main'])).code).toBe(0);
    expect(await headOf()).toBe(await gitOk(work, ['rev-parse', 'HEAD']));
  });

  it('a ruleset refuses with "Repository rule violations found" (API 422 / 409) and GH013 (git push)', async () => {
    await syncWork();
    const head = await headOf();
    const { data: c } = await octokit.rest.git.getCommit({ ...repo, commit_sha: head });
    const { data: next } = await octokit.rest.git.createCommit({ ...repo, message: 'next', tree: c.tree.sha, parents: [head] });
    standin.addRuleset('main');
    try {
      const patch = await errorOf(octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: next.sha }));
      expect(patch).toMatchObject({ status: 422, data: { message: 'Repository rule violations found\n\nChanges must be made through a pull request.\n\n' } });
      const { data: file } = await octokit.rest.repos.getContent({ ...repo, path: 'README.md' });
      if (Array.isArray(file)) throw new Error('expected a file');
      const put = await errorOf(octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: 'README.md', message: 'x', content: 'eA==', sha: file.sha }));
      expect(put).toMatchObject({ status: 409, data: { message: expect.stringMatching(/^Repository rule violations found\n/) } });
      await writeFile(path.join(work, 'ruled.txt'), 'no\n');
      await gitOk(work, ['add', '-A']);
      await gitOk(work, ['commit', '-q', '-m', 'ruled']);
      const push = await git(work, ['push', 'origin', 'main']);
      expect(push.code).not.toBe(0);
      expect(push.stderr).toContain('remote: error: GH013: Repository rule violations found for refs/heads/main.');
      expect(push.stderr).toContain(`remote: Review all repository rules at ${standin.serverUrl}/acme/app/rules?ref=refs%2Fheads%2Fmain`);
      expect(push.stderr).toContain('remote: - Changes must be made through a pull request.');
      expect(await headOf()).toBe(head);
    } finally {
      standin.addRuleset('main', false);
    }
    await gitOk(work, ['reset', '-q', '--hard', 'origin/main']);
  });
});

describe('pull requests and issues', () => {
  it('opens a pull request, refuses duplicates and missing heads, and lists it', async () => {
    const head = await headOf();
    const { data: c } = await octokit.rest.git.getCommit({ ...repo, commit_sha: head });
    const { data: revert } = await octokit.rest.git.createCommit({ ...repo, message: 'revert', tree: c.tree.sha, parents: [head] });
    await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/greenline/revert-abc', sha: revert.sha });
    const { data: pr } = await octokit.rest.pulls.create({ ...repo, title: 'Revert', head: 'greenline/revert-abc', base: 'main', body: 'why' });
    expect(pr.html_url).toBe(`${standin.url}/acme/app/pull/${pr.number}`);
    expect(pr.head).toMatchObject({ ref: 'greenline/revert-abc', sha: revert.sha });
    expect(pr.state).toBe('open');

    const dup = await errorOf(octokit.rest.pulls.create({ ...repo, title: 'Again', head: 'acme:greenline/revert-abc', base: 'main' }));
    expect(dup.status).toBe(422);
    expect(JSON.stringify(dup.data.errors)).toContain('A pull request already exists for acme:greenline/revert-abc.');
    const missing = await errorOf(octokit.rest.pulls.create({ ...repo, title: 'x', head: 'no-such-branch', base: 'main' }));
    expect(missing.status).toBe(422);
    expect(missing.data.errors).toEqual([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);

    const listed = await octokit.rest.pulls.list({ ...repo, head: 'acme:greenline/revert-abc' });
    expect(listed.data.map((p) => p.number)).toEqual([pr.number]);
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: pr.number })).data.commits).toBe(1);
  });

  it('creates issues (labels auto-created), filters by ALL labels, includes pulls with pull_request', async () => {
    const a = await octokit.rest.issues.create({ ...repo, title: 'Incident A', body: 'a', labels: ['incident', 'incident:aaaaaaaaaaaa'] });
    await octokit.rest.issues.create({ ...repo, title: 'Incident B', labels: ['incident', 'incident:bbbbbbbbbbbb'], assignees: ['octocat'] });
    await octokit.rest.issues.create({ ...repo, title: 'Other', labels: ['bug'] });
    expect(a.status).toBe(201);
    expect(a.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['incident', 'incident:aaaaaaaaaaaa']);
    expect((await octokit.rest.issues.getLabel({ ...repo, name: 'incident:aaaaaaaaaaaa' })).data.color).toBe('ededed');

    const both = await octokit.rest.issues.listForRepo({ ...repo, labels: 'incident,incident:aaaaaaaaaaaa', state: 'open' });
    expect(both.data.map((i) => i.number)).toEqual([a.data.number]);
    const incident = await octokit.rest.issues.listForRepo({ ...repo, labels: 'incident' });
    expect(incident.data).toHaveLength(2);

    const everything = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: 'all', per_page: 1 });
    const pulls = everything.filter((i) => i.pull_request);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.pull_request?.html_url).toMatch(/\/acme\/app\/pull\/\d+$/);
    expect(everything.filter((i) => !i.pull_request)).toHaveLength(3);
    expect(standin.callCount({ method: 'GET', path: '/repos/acme/app/issues' })).toBeGreaterThanOrEqual(4);
  });

  it('refuses bodies over 65,536 characters (issue and comment) with 422', async () => {
    const tooLong = 'x'.repeat(65_537);
    const issue = await errorOf(octokit.rest.issues.create({ ...repo, title: 'big', body: tooLong }));
    expect(issue.status).toBe(422);
    expect(issue.data).toMatchObject({ message: 'Validation Failed' });
    const ok = await octokit.rest.issues.create({ ...repo, title: 'at the limit', body: 'x'.repeat(65_536) });
    const comment = await errorOf(octokit.rest.issues.createComment({ ...repo, issue_number: ok.data.number, body: tooLong }));
    expect(comment.status).toBe(422);
  });

  it('comments, closes with a state_reason, reopens, and dates on the fake clock', async () => {
    standin.setClockOffset(-3 * 24 * 3600 * 1000);
    const { data: issue, headers } = await octokit.rest.issues.create({ ...repo, title: 'old incident', labels: ['incident'] });
    expect(Date.parse(issue.created_at)).toBeLessThan(Date.now() - 2 * 24 * 3600 * 1000);
    // The Date header carries the same clock, as GitHub's does.
    expect(Math.abs(Date.parse(headers.date ?? '') - Date.parse(issue.created_at))).toBeLessThan(2000);
    standin.setClockOffset(0);
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: 'Resolved after 5m' });
    const closed = await octokit.rest.issues.update({ ...repo, issue_number: issue.number, state: 'closed', state_reason: 'completed' });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed', comments: 1 });
    expect(closed.data.closed_at).not.toBeNull();
    const dup = await octokit.rest.issues.update({ ...repo, issue_number: issue.number, state_reason: 'duplicate' });
    expect(dup.data.state_reason).toBe('duplicate');
    const reopened = await octokit.rest.issues.update({ ...repo, issue_number: issue.number, state: 'open' });
    expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null });
    const bad = await errorOf(octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...repo, issue_number: issue.number, state_reason: 'wontfix' as 'completed' }));
    expect(bad.status).toBe(422);
    // Sent on purpose: the schema check saw the value the description does not allow.
    expect(standin.takeSchemaViolations()).toEqual([
      expect.objectContaining({ method: 'PATCH', operation: 'issues/update', side: 'request', problems: [expect.stringMatching(/request body \/state_reason must be equal to one of the allowed values/)] }),
    ]);
    const comments = await octokit.rest.issues.listComments({ ...repo, issue_number: issue.number });
    expect(comments.data.map((c) => c.body)).toEqual(['Resolved after 5m']);
  });

  it('refuses a label that already exists with already_exists', async () => {
    await octokit.rest.issues.createLabel({ ...repo, name: 'rollback', color: 'b60205' });
    const error = await errorOf(octokit.rest.issues.createLabel({ ...repo, name: 'Rollback' }));
    expect(error.status).toBe(422);
    expect(error.data.errors).toEqual([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
  });
});

describe('fault injection and counters', () => {
  it('fails the next matching requests with the given status, then recovers', async () => {
    standin.failNext({ method: 'GET', path: '/repos/acme/app/git/ref/heads/main', status: 503, times: 2 });
    expect(await statusOf(headOf())).toBe(503);
    expect(await statusOf(headOf())).toBe(503);
    expect(await statusOf(headOf())).toBe(200);
    const injected = standin.requests.filter((r) => r.injected);
    expect(injected.slice(-2).map((r) => r.status)).toEqual([503, 503]);
  });

  it('a secondary rate limit is honoured by the throttling plugin (retry-after), 500 by the retry plugin', async () => {
    const robust = getOctokit(
      TOKEN,
      {
        baseUrl: standin.url,
        // Not `request: { retries }`: with it, plugin-retry also retries 403/404/422 (see the stand-in's notes).
        retry: { retryAfterBaseValue: 10 },
        throttle: {
          onRateLimit: () => true,
          onSecondaryRateLimit: (_after: number, _o: unknown, _x: unknown, retryCount: number) => retryCount < 2,
        },
      },
      retry,
      throttling,
    );
    standin.resetLog();
    standin.failNext({ method: 'GET', path: '/repos/acme/app/issues', ...secondaryRateLimit(1) });
    const started = Date.now();
    const { data } = await robust.rest.issues.listForRepo(repo);
    expect(Array.isArray(data)).toBe(true);
    expect(standin.requests.map((r) => r.status)).toEqual([403, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    standin.failNext({ method: 'GET', path: '/repos/acme/app', status: 500 });
    expect((await robust.rest.repos.get(repo)).status).toBe(200);
    expect(standin.counters['GET /repos/{owner}/{repo}']).toBe(2);
  });

  it('delays requests and resets connections on demand', async () => {
    standin.delayNext({ path: '/repos/acme/app', ms: 300 });
    const started = Date.now();
    await octokit.rest.repos.get(repo);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    standin.failNext({ path: '/repos/acme/app', status: 'reset' });
    expect(await statusOf(octokit.rest.repos.get(repo))).toBe(500);
  });

  it('counts API calls per route for an operation', async () => {
    standin.resetLog();
    const head = await headOf();
    const { data: c } = await octokit.rest.git.getCommit({ ...repo, commit_sha: head });
    const { data: n } = await octokit.rest.git.createCommit({ ...repo, message: 'counted', tree: c.tree.sha, parents: [head] });
    await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: n.sha });
    // Keys are Octokit's own route strings.
    const key = (endpoint: { endpoint: { DEFAULTS: { method: string; url: string } } }) => `${endpoint.endpoint.DEFAULTS.method} ${endpoint.endpoint.DEFAULTS.url}`;
    expect(standin.counters).toEqual({
      [key(octokit.rest.git.getRef)]: 1,
      [key(octokit.rest.git.getCommit)]: 1,
      [key(octokit.rest.git.createCommit)]: 1,
      [key(octokit.rest.git.updateRef)]: 1,
    });
    expect(standin.counters['PATCH /repos/{owner}/{repo}/git/refs/{ref}']).toBe(1);
    expect(standin.requests).toHaveLength(4);
    expect(standin.internalErrors).toEqual([]);
  });
});

describe("checks against GitHub's OpenAPI description", () => {
  it('records an operation GitHub does not have, an invalid parameter, an invalid body, and a response that breaks its schema', async () => {
    expect(standin.schemaViolations).toEqual([]);
    // No such operation (the stand-in answers 404 as GitHub would).
    expect(await statusOf(octokit.request('GET /repos/{owner}/{repo}/no-such-thing', repo))).toBe(404);
    // A query parameter the operation does not take, and one of the wrong type.
    await octokit.request('GET /repos/{owner}/{repo}/pulls', { ...repo, per_page: 'many' as unknown as number, sha: 'main' });
    // A body field of the wrong type (force must be a boolean).
    await statusOf(octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...repo, ref: 'heads/main', sha: second, force: 'no' as unknown as boolean }));
    // An answer whose body is not a git-ref.
    standin.failNext({ method: 'GET', path: '/repos/acme/app/git/ref/heads/main', status: 200, body: { ref: 'refs/heads/main' } });
    await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' });
    // An error status the operation does not document (and that GitHub does not send on every operation).
    standin.failNext({ method: 'GET', path: '/repos/acme/app/git/ref/heads/main', status: 418, body: { message: 'teapot' } });
    await statusOf(octokit.rest.git.getRef({ ...repo, ref: 'heads/main' }));

    const lines = standin.takeSchemaViolations().map(formatViolation);
    expect(lines).toEqual([
      'GET /repos/acme/app/no-such-thing [no such operation] request: GitHub\'s REST API has no operation with this method and path',
      expect.stringMatching(/^GET \/repos\/acme\/app\/pulls\?.* \[pulls\/list\] request: .*query parameter \/per_page must be integer/),
      expect.stringMatching(/^PATCH \/repos\/acme\/app\/git\/refs\/heads%2Fmain \[git\/update-ref\] request: request body \/force must be boolean$/),
      expect.stringMatching(/^GET \/repos\/acme\/app\/git\/ref\/heads%2Fmain \[git\/get-ref\] response 200: response body \(root\) must have required property 'node_id'/),
      expect.stringMatching(/\[git\/get-ref\] response 418: status 418 is not documented for this operation \(documented: 200, 404, 409\)$/),
    ]);
    expect(lines[1]).toContain('must NOT have additional properties (sha)');
    expect(standin.schemaViolations).toEqual([]);
  });

  it("accepts GitHub's answers that its description leaves out: rate limits (403/429) on any operation, the refused search API", async () => {
    standin.failNext({ method: 'GET', path: '/repos/acme/app', ...secondaryRateLimit(null, 429) });
    expect(await statusOf(octokit.rest.repos.get(repo))).toBe(429);
    expect(await statusOf(octokit.rest.search.issuesAndPullRequests({ q: 'repo:acme/app' }))).toBe(410);
    expect(standin.schemaViolations).toEqual([]);
  });

  it('a stand-in stopped with violations left throws them; one with checkSchema: false records none', async () => {
    const strict = await startGitHubStandin({ owner: OWNER, repo: REPO, bareRepoPath: bare });
    const lax = await startGitHubStandin({ owner: OWNER, repo: REPO, bareRepoPath: bare, checkSchema: false });
    await fetch(`${strict.url}/repos/acme/app/no-such-thing`);
    await fetch(`${lax.url}/repos/acme/app/no-such-thing`);
    expect(lax.schemaViolations).toEqual([]);
    await lax.stop();
    await expect(strict.stop()).rejects.toThrow(/1 request\(s\)\/response\(s\) break GitHub's OpenAPI description:\n {2}- GET \/repos\/acme\/app\/no-such-thing \[no such operation\]/);
  });
});

import { afterEach, expect } from 'vitest';
import { startGitHubStandin, type GitHubStandin } from '../github-standin/index.js';
import { runAction, type RunOptions, type RunResult } from '../harness.js';
import { GitFixture, git, goodThenBroken } from './git-fixture.js';

export const TOKEN = 'ghs_revert_test_token';

/** A repository with a broken main (base → G ✅ → ledger commit L → F broken), and the API stand-in over it. */
export interface Scenario {
  f: GitFixture;
  api: GitHubStandin;
  base: string;
  g: string;
  l: string;
  fail: string;
  stop(): Promise<void>;
}

export async function brokenMain(): Promise<Scenario> {
  const f = await GitFixture.create();
  const shas = await goodThenBroken(f);
  const api = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: TOKEN });
  return {
    f,
    api,
    ...shas,
    async stop() {
      try {
        await api.stop();
      } finally {
        await f.cleanup();
      }
    },
  };
}

/**
 * A factory of broken-main scenarios for one test file: each one made during a test is stopped after it,
 * once the stand-in is checked to have met no internal error (and, with `noUnknownRequests`, no request it
 * does not serve, e.g. the search API).
 */
export function scenarioPerTest(options: { noUnknownRequests?: boolean } = {}): () => Promise<Scenario> {
  const open: Scenario[] = [];
  afterEach(async () => {
    while (open.length) {
      const s = open.pop()!;
      expect(s.api.internalErrors).toEqual([]);
      if (options.noUnknownRequests) expect(s.api.unknownRequests()).toEqual([]);
      await s.stop();
    }
  });
  return async () => {
    const s = await brokenMain();
    open.push(s);
    return s;
  };
}

/** The event of a `workflow_run` job triggered by a failed CI run on `sha`. */
export function workflowRunFailed(sha: string, branch = 'main'): Record<string, unknown> {
  return {
    action: 'completed',
    workflow_run: { id: 42, name: 'ci', head_branch: branch, head_sha: sha, conclusion: 'failure', event: 'push' },
    repository: { full_name: 'owner/app', name: 'app', owner: { login: 'owner' } },
  };
}

/**
 * Runs a bundle as the runner does in a `workflow_run` job after CI failed on `failing`: GITHUB_SHA is the
 * default branch's tip at the time (here the same commit), the API is the stand-in.
 */
export function runOnFailure(action: string, s: Scenario, failing: string, options: RunOptions = {}): Promise<RunResult> {
  return runAction(action, {
    ...options,
    event: options.event ?? workflowRunFailed(failing),
    github: { sha: failing, token: TOKEN, repository: 'owner/app', ...options.github },
    env: {
      GITHUB_API_URL: s.api.url,
      GITHUB_SERVER_URL: s.api.serverUrl,
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_REPOSITORY: 'owner/app',
      ...options.env,
    },
  });
}

/** The commit message of a commit in the remote. */
export function messageOf(s: Scenario, sha: string): Promise<string> {
  return git(s.f.bare, ['log', '-1', '--format=%B', sha]);
}

export function fileAt(s: Scenario, sha: string, path: string): Promise<string> {
  return git(s.f.bare, ['show', `${sha}:${path}`], { allowFail: true });
}

export async function parentsOf(s: Scenario, sha: string): Promise<string[]> {
  return (await git(s.f.bare, ['log', '-1', '--format=%P', sha])).split(' ').filter(Boolean);
}

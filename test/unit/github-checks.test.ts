import { describe, expect, it } from 'vitest';
import { GitHubChecks } from '../../src/core/github/checks.js';
import type { GitHub } from '../../src/core/github/client.js';

type Status = { context: string; state: string };

/** Just enough of an Octokit for GitHubChecks.statuses: the combined status, paged, or an error. */
function fakeGitHub(answer: (page: number, perPage: number) => { statuses: Status[]; total_count: number } | Error) {
  const calls: { ref: string; page: number }[] = [];
  const github = {
    rest: {
      repos: {
        async getCombinedStatusForRef(p: { ref: string; page: number; per_page: number }) {
          calls.push({ ref: p.ref, page: p.page });
          const a = answer(p.page, p.per_page);
          if (a instanceof Error) throw a;
          return { data: a };
        },
      },
    },
  } as unknown as GitHub;
  return { github, calls };
}

const httpError = (status: number, message: string) => Object.assign(new Error(message), { status, response: { data: { message } } });
const repo = { owner: 'o', repo: 'r' };

describe('GitHubChecks.statuses', () => {
  it('reads every page of the combined status and stops at total_count without an empty page', async () => {
    const contexts = Array.from({ length: 200 }, (_, i) => ({ context: `c${i}`, state: i === 199 ? 'failure' : 'success' }));
    const { github, calls } = fakeGitHub((page, per) => ({ statuses: contexts.slice((page - 1) * per, page * per), total_count: 200 }));
    const got = await new GitHubChecks(github, repo).statuses('a'.repeat(40));
    expect('states' in got && got.states.size).toBe(200);
    expect('states' in got && got.states.get('c199')).toBe('failure');
    expect(calls.map((c) => c.page)).toEqual([1, 2]);
  });

  it('a 403 is refused naming statuses: read, and not asked again for another commit', async () => {
    const { github, calls } = fakeGitHub(() => httpError(403, 'Resource not accessible by integration'));
    const checks = new GitHubChecks(github, repo);
    const refused = { refused: '403 Resource not accessible by integration: the token lacks statuses: read' };
    expect(await checks.statuses('a'.repeat(40))).toEqual(refused);
    expect(await checks.statuses('b'.repeat(40))).toEqual(refused);
    expect(calls).toHaveLength(1);
  });

  it('a 403 that is a rate limit, and any other error, is not taken for a missing permission', async () => {
    const limited = fakeGitHub(() => httpError(403, 'You have exceeded a secondary rate limit'));
    await expect(new GitHubChecks(limited.github, repo).statuses('a'.repeat(40))).rejects.toThrow(/secondary rate limit/);
    const broken = fakeGitHub(() => httpError(500, 'Server Error'));
    await expect(new GitHubChecks(broken.github, repo).statuses('a'.repeat(40))).rejects.toThrow(/Server Error/);
  });
});

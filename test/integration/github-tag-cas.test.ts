import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/action/log.js';
import { createGitHub, type GitHub } from '../../src/core/github/client.js';
import { moveTagViaApi, tagNameConflictViaApi } from '../../src/core/github/tags.js';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { createRemote, git, type GitRemote } from '../support/git-fixture.js';
import { tempDir, type TempDir } from '../support/tmp.js';

// The API tag move is compare-and-swap: a concurrent move between our read and our write is detected
// ('raced') and left standing, never overwritten. The concurrent move is made deterministically, by a
// client whose write first lets "another run" move the tag.
const TOKEN = 'ghs_tagCasToken0123456789';
const repo = { owner: 'acme', repo: 'app' };
let dir: TempDir;
let remote: GitRemote;
let standin: GitHubStandin;
let github: GitHub;
const c: string[] = [];

beforeAll(async () => {
  dir = await tempDir('greenline-tag-cas-');
  remote = await createRemote(dir.path);
  standin = await startGitHubStandin({ ...repo, bareRepoPath: remote.bare, token: TOKEN });
  github = createGitHub({ token: TOKEN, baseUrl: standin.url, log: silentLogger });
  for (let i = 0; i < 3; i++) c.push(await remote.commit({ [`f${i}.txt`]: `${i}\n` }, `c${i}`));
});
afterAll(async () => {
  await standin?.stop();
  await dir?.cleanup();
});

const tagAt = async (tag: string) => (await remote.refs())[`refs/tags/${tag}`];
const moveBehind = (tag: string, sha: string) => git(remote.bare, ['update-ref', `refs/tags/${tag}`, sha]);

/** The same client, but "another run" moves `tag` to `sha` just before our write reaches GitHub. */
function racing(tag: string, sha: string): GitHub {
  const graphql = Object.assign(async (...args: Parameters<GitHub['graphql']>) => {
    await moveBehind(tag, sha);
    return github.graphql(...args);
  }, github.graphql);
  const createRef = async (...args: Parameters<GitHub['rest']['git']['createRef']>) => {
    await moveBehind(tag, sha);
    return github.rest.git.createRef(...args);
  };
  return { ...github, graphql, rest: { ...github.rest, git: { ...github.rest.git, createRef } } } as unknown as GitHub;
}

describe('moveTagViaApi', () => {
  it('creates, moves (GraphQL updateRefs with beforeOid) and says unchanged', async () => {
    expect(await moveTagViaApi(github, repo, 'cas-plain', c[0]!)).toBe('created');
    expect(await moveTagViaApi(github, repo, 'cas-plain', c[1]!)).toBe('moved');
    expect(await tagAt('cas-plain')).toBe(c[1]);
    expect(await moveTagViaApi(github, repo, 'cas-plain', c[1]!)).toBe('unchanged');
    expect(standin.callCount({ method: 'PATCH', path: /git\/refs/ })).toBe(0);
  });

  it('a move racing another run is refused by the lease: raced, and the other run\'s value stands', async () => {
    await moveBehind('cas-race', c[0]!);
    expect(await moveTagViaApi(racing('cas-race', c[2]!), repo, 'cas-race', c[1]!)).toBe('raced');
    expect(await tagAt('cas-race')).toBe(c[2]);
  });

  it('a create racing another run\'s create: raced, theirs stands', async () => {
    expect(await moveTagViaApi(racing('cas-new', c[2]!), repo, 'cas-new', c[1]!)).toBe('raced');
    expect(await tagAt('cas-new')).toBe(c[2]);
  });
});

describe('tagNameConflictViaApi', () => {
  it('refuses a branch name, accepts a free one', async () => {
    expect(await tagNameConflictViaApi(github, repo, 'main')).toMatch(/"main" is the name of a branch/);
    expect(await tagNameConflictViaApi(github, repo, 'stable')).toBeUndefined();
    // A branch that only starts like the name (main-old) is no conflict for "mai".
    expect(await tagNameConflictViaApi(github, repo, 'mai')).toBeUndefined();
  });
});

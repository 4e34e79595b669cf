/**
 * Builders for the objects GitHub embeds everywhere (users, repositories, commits), typed with the OpenAPI
 * schemas, plus the context every route handler receives.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GitBackend, GitIdentity, ParsedCommit } from './git-backend.js';
import type { StandinResponse } from './http.js';
import { iso, type StandinState } from './state.js';
import type { Commit, FullRepository, GitCommit, MinimalRepository, Repository, SimpleUser, Verification } from './types.js';

export const BOT = {
  login: 'github-actions[bot]',
  id: 41898282,
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
} as const;

/** The committer GitHub writes on the commits it signs (web-flow). */
export const WEB_FLOW = { name: 'GitHub', email: 'noreply@github.com' } as const;

export interface ResolvedOptions {
  owner: string;
  repo: string;
  bareRepoPath: string;
  defaultBranch: string;
  token: string | undefined;
  /** Login of the token's user: authors of issues, comments, pull requests, and of commits without author. */
  actor: string;
  private: boolean;
}

export interface Standin {
  git: GitBackend;
  state: StandinState;
  options: ResolvedOptions;
  /** REST base URL (no trailing slash). */
  apiUrl: string;
  /** Where html_url links point (the same server: http://127.0.0.1:PORT). */
  serverUrl: string;
  repoApi: string;
  repoHtml: string;
}

export interface RequestContext {
  method: string;
  /** Path as sent (percent-encoded), without query. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  standin: Standin;
}

export type Handler = (ctx: RequestContext) => Promise<StandinResponse> | StandinResponse;

export interface Route {
  method: string;
  /** GitHub's path template; `{name+}` captures the rest of the path (slashes included). */
  template: string;
  handler: Handler;
}

// ------------------------------------------------------------------ users

const userIds = new Map<string, number>([[BOT.login, BOT.id]]);

export function userId(login: string): number {
  let id = userIds.get(login);
  if (id === undefined) {
    id = 100 + userIds.size;
    userIds.set(login, id);
  }
  return id;
}

export function simpleUser(s: Standin, login: string): SimpleUser {
  const api = `${s.apiUrl}/users/${encodeURIComponent(login)}`;
  const isBot = login.endsWith('[bot]');
  const id = userId(login);
  return {
    login,
    id,
    node_id: Buffer.from(`04:User${id}`).toString('base64'),
    avatar_url: `${s.serverUrl}/avatars/${encodeURIComponent(login)}`,
    gravatar_id: '',
    url: api,
    html_url: isBot ? `${s.serverUrl}/apps/${encodeURIComponent(login.replace(/\[bot\]$/, ''))}` : `${s.serverUrl}/${encodeURIComponent(login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: isBot ? 'Bot' : 'User',
    site_admin: false,
    user_view_type: 'public',
  };
}

/** The GitHub user an email belongs to, for commit author/committer (null when GitHub would not know it). */
export function userForEmail(s: Standin, email: string): SimpleUser | null {
  if (email === BOT.email) return simpleUser(s, BOT.login);
  const noreply = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/.exec(email);
  if (noreply?.[1]) return simpleUser(s, noreply[1]);
  return null;
}

// ------------------------------------------------------------------ repositories

export function repositoryJson(s: Standin): Repository {
  const { owner, repo, defaultBranch } = s.options;
  const api = s.repoApi;
  const created = '2024-01-01T00:00:00Z';
  return {
    id: 424242,
    node_id: 'R_kgDOstandin',
    name: repo,
    full_name: `${owner}/${repo}`,
    license: null,
    forks: 0,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    owner: simpleUser(s, owner),
    private: s.options.private,
    html_url: s.repoHtml,
    description: 'greenline test repository (GitHub stand-in)',
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `${s.repoHtml.replace(/^http/, 'git')}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${owner}/${repo}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: s.options.bareRepoPath,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: s.repoHtml,
    homepage: null,
    language: 'TypeScript',
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: defaultBranch,
    open_issues_count: [...s.state.issues.values()].filter((i) => i.state === 'open').length,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: s.options.private ? 'private' : 'public',
    pushed_at: created,
    created_at: created,
    updated_at: created,
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_forking: true,
    web_commit_signoff_required: false,
    open_issues: [...s.state.issues.values()].filter((i) => i.state === 'open').length,
    watchers: 0,
  };
}

export function fullRepositoryJson(s: Standin): FullRepository {
  const base = repositoryJson(s);
  return {
    ...base,
    pushed_at: base.pushed_at ?? '2024-01-01T00:00:00Z',
    created_at: base.created_at ?? '2024-01-01T00:00:00Z',
    updated_at: base.updated_at ?? '2024-01-01T00:00:00Z',
    has_discussions: false,
    subscribers_count: 0,
    network_count: 0,
    license: null,
    forks: 0,
  };
}

export function minimalRepositoryJson(s: Standin): MinimalRepository {
  const { license: _license, ...rest } = repositoryJson(s);
  return { ...rest, license: null };
}

// ------------------------------------------------------------------ commits

/** Git's "@seconds" time as GitHub writes it: ISO 8601, UTC. */
export function gitDate(identity: GitIdentity): string {
  return iso(new Date(identity.time * 1000));
}

export function verificationOf(s: Standin, commit: ParsedCommit): Verification {
  const signed = s.state.signedCommits.get(commit.sha);
  if (signed) {
    return { verified: true, reason: 'valid', signature: signed.signature, payload: signed.payload, verified_at: signed.verified_at };
  }
  if (commit.gpgsig) {
    return { verified: false, reason: 'unknown_key', signature: null, payload: commit.raw, verified_at: null };
  }
  return { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };
}

export function gitCommitJson(s: Standin, commit: ParsedCommit): GitCommit {
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 12)}`,
    url: `${s.repoApi}/git/commits/${commit.sha}`,
    html_url: `${s.repoHtml}/commit/${commit.sha}`,
    author: { name: commit.author.name, email: commit.author.email, date: gitDate(commit.author) },
    committer: { name: commit.committer.name, email: commit.committer.email, date: gitDate(commit.committer) },
    message: commit.message,
    tree: { sha: commit.tree, url: `${s.repoApi}/git/trees/${commit.tree}` },
    parents: commit.parents.map((p) => ({ sha: p, url: `${s.repoApi}/git/commits/${p}`, html_url: `${s.repoHtml}/commit/${p}` })),
    verification: verificationOf(s, commit),
  };
}

export function commitJson(s: Standin, commit: ParsedCommit): Commit {
  return {
    url: `${s.repoApi}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 12)}`,
    html_url: `${s.repoHtml}/commit/${commit.sha}`,
    comments_url: `${s.repoApi}/commits/${commit.sha}/comments`,
    commit: {
      url: `${s.repoApi}/git/commits/${commit.sha}`,
      author: { name: commit.author.name, email: commit.author.email, date: gitDate(commit.author) },
      committer: { name: commit.committer.name, email: commit.committer.email, date: gitDate(commit.committer) },
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${s.repoApi}/git/trees/${commit.tree}` },
      verification: verificationOf(s, commit),
    },
    author: userForEmail(s, commit.author.email),
    committer: commit.committer.email === WEB_FLOW.email ? simpleUser(s, 'web-flow') : userForEmail(s, commit.committer.email),
    parents: commit.parents.map((p) => ({ sha: p, url: `${s.repoApi}/commits/${p}`, html_url: `${s.repoHtml}/commit/${p}` })),
  };
}

/** The git identity of the token's user: the bot's well-known noreply address, or `ID+login@users.noreply...`. */
export function actorIdentity(s: Standin): { name: string; email: string } {
  const login = s.options.actor;
  if (login === BOT.login) return { name: BOT.name, email: BOT.email };
  return { name: login, email: `${userId(login)}+${login}@users.noreply.github.com` };
}

/** A git identity from a request's `{name, email, date?}` (or the fallback), dated now on the stand-in's clock. */
export function identityFrom(person: { name: string; email: string; date?: string } | undefined, fallback: { name: string; email: string }, now: Date): GitIdentity {
  const date = person?.date ? new Date(person.date) : now;
  return {
    name: person?.name ?? fallback.name,
    email: person?.email ?? fallback.email,
    time: Math.floor(date.getTime() / 1000),
    tz: '+0000',
  };
}

/**
 * Pull requests: create (422 when the head branch is missing, when a pull request for the head is already open,
 * or when there are no commits between base and head), list (state/head/base filters), get, update.
 * They share numbers with issues and appear in the issues list, as on GitHub.
 */
import { bool, json, notFound, paginate, requireObject, str, unprocessable, validationFailed, type StandinResponse } from '../http.js';
import { repositoryJson, simpleUser, type RequestContext, type Route, type Standin } from '../shapes.js';
import type { IssueRecord } from '../state.js';
import type { PullRequest, PullRequestSimple } from '../types.js';
import { commitOr422 } from './common.js';
import { addIssueRecord, applyState, checkBody, checkTitle, labelJson } from './issues.js';

const DOCS_PULLS = 'https://docs.github.com/rest/pulls/pulls';

async function branchSha(s: Standin, branch: string): Promise<string | null> {
  return (await s.git.readRef(`refs/heads/${branch}`))?.sha ?? null;
}

async function pullSimpleJson(s: Standin, r: IssueRecord): Promise<PullRequestSimple> {
  const pull = r.pull;
  if (!pull) throw new Error(`#${r.number} is not a pull request`);
  const url = `${s.repoApi}/pulls/${r.number}`;
  const issueUrl = `${s.repoApi}/issues/${r.number}`;
  const html = `${s.repoHtml}/pull/${r.number}`;
  const headSha = (await branchSha(s, pull.head)) ?? pull.headShaAtOpen;
  const baseSha = (await branchSha(s, pull.base)) ?? '';
  const repo = repositoryJson(s);
  const ownerUser = simpleUser(s, s.options.owner);
  const assignees = r.assignees.map((a) => simpleUser(s, a));
  return {
    url,
    id: r.id,
    node_id: `PR_${r.id}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${s.repoApi}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${s.repoApi}/statuses/${headSha}`,
    number: r.number,
    state: r.state,
    locked: r.locked,
    title: r.title,
    user: simpleUser(s, r.user),
    body: r.body,
    labels: r.labels.flatMap((n) => {
      const l = s.state.findLabel(n);
      return l ? [{ ...labelJson(s, l), description: l.description ?? '' }] : [];
    }),
    milestone: null,
    active_lock_reason: null,
    created_at: r.created_at,
    updated_at: r.updated_at,
    closed_at: r.closed_at,
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merge_commit_sha ?? null,
    assignee: assignees[0] ?? null,
    assignees,
    requested_reviewers: [],
    requested_teams: [],
    head: { label: `${s.options.owner}:${pull.head}`, ref: pull.head, repo, sha: headSha, user: ownerUser },
    base: { label: `${s.options.owner}:${pull.base}`, ref: pull.base, repo, sha: baseSha, user: ownerUser },
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${s.repoApi}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${s.repoApi}/statuses/${headSha}` },
    },
    author_association: r.user === s.options.owner ? 'OWNER' : 'NONE',
    auto_merge: null,
    draft: pull.draft,
  };
}

async function pullJson(s: Standin, r: IssueRecord): Promise<PullRequest> {
  const simple = await pullSimpleJson(s, r);
  const pull = r.pull;
  if (!pull) throw new Error(`#${r.number} is not a pull request`);
  const baseSha = simple.base.sha;
  const headSha = simple.head.sha;
  let commits = 0;
  let additions = 0;
  let deletions = 0;
  let changedFiles = 0;
  if (baseSha && headSha) {
    const mergeBase = await s.git.mergeBase(baseSha, headSha);
    commits = await s.git.countRange(baseSha, headSha);
    if (mergeBase) {
      const diff = await s.git.diff(mergeBase, headSha);
      changedFiles = diff.length;
      for (const d of diff) {
        additions += d.additions;
        deletions += d.deletions;
      }
    }
  }
  const owner = simpleUser(s, s.options.owner);
  return {
    ...simple,
    state: r.state,
    user: simpleUser(s, r.user),
    head: { ...simple.head, user: owner },
    base: { ...simple.base, user: owner },
    merged: pull.merged_at !== null,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: s.state.commentsOf(r.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainer_can_modify,
    commits,
    additions,
    deletions,
    changed_files: changedFiles,
  };
}

function pullOr404(s: Standin, numberParam: string | undefined): IssueRecord {
  const record = s.state.issues.get(Number(numberParam));
  if (!record?.pull) throw notFound(`${DOCS_PULLS}#get-a-pull-request`);
  return record;
}

/** `owner:branch` or `branch` → the branch, or null when it names another owner (forks are not modelled). */
function ownBranch(s: Standin, spec: string): string | null {
  const colon = spec.indexOf(':');
  if (colon < 0) return spec;
  return spec.slice(0, colon).toLowerCase() === s.options.owner.toLowerCase() ? spec.slice(colon + 1) : null;
}

async function createPull(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const docs = `${DOCS_PULLS}#create-a-pull-request`;
  const title = checkTitle(body, 'PullRequest', true) as string;
  const text = checkBody(body, 'PullRequest');
  const headSpec = str(body, 'head');
  const baseSpec = str(body, 'base');
  if (!headSpec) throw validationFailed([{ resource: 'PullRequest', code: 'missing_field', field: 'head' }], docs);
  if (!baseSpec) throw validationFailed([{ resource: 'PullRequest', code: 'missing_field', field: 'base' }], docs);
  const draft = bool(body, 'draft') ?? false;
  const head = ownBranch(s, headSpec);
  const base = ownBranch(s, baseSpec);
  const headSha = head ? await branchSha(s, head) : null;
  const baseSha = base ? await branchSha(s, base) : null;
  if (!head || !headSha) throw validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }], docs);
  if (!base || !baseSha) throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], docs);
  const existing = [...s.state.issues.values()].find((i) => i.pull && i.state === 'open' && i.pull.head === head && i.pull.base === base);
  if (existing) {
    throw validationFailed([{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${s.options.owner}:${head}.` }], docs);
  }
  if ((await s.git.countRange(baseSha, headSha)) === 0) {
    throw validationFailed([{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }], docs);
  }
  const record = addIssueRecord(s, { title, body: text ?? null });
  record.pull = { head, base, headShaAtOpen: headSha, draft, merged_at: null, maintainer_can_modify: bool(body, 'maintainer_can_modify') ?? false };
  return json(201, await pullJson(s, record), { location: `${s.repoApi}/pulls/${record.number}` });
}

async function listPulls(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const q = ctx.query;
  const state = q.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) throw unprocessable(`Invalid request.\n\nFor 'state', "${state}" is not one of ["open", "closed", "all"].`, DOCS_PULLS);
  let list = [...s.state.issues.values()].filter((i) => i.pull);
  if (state !== 'all') list = list.filter((i) => i.state === state);
  // GitHub only honours `head` in the `user:ref-name` form; a bare branch name filters nothing.
  const headFilter = q.get('head');
  if (headFilter && headFilter.includes(':')) {
    const branch = ownBranch(s, headFilter);
    list = branch === null ? [] : list.filter((i) => i.pull?.head === branch);
  }
  const baseFilter = q.get('base');
  if (baseFilter) list = list.filter((i) => i.pull?.base === baseFilter);
  const sort = q.get('sort') ?? 'created';
  const direction = q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
  const sign = direction === 'asc' ? 1 : -1;
  const key = (r: IssueRecord) => (sort === 'updated' ? r.updated_at : r.created_at);
  list.sort((a, b) => (key(a) < key(b) ? -sign : key(a) > key(b) ? sign : (a.number - b.number) * sign));
  const { slice, headers } = paginate(list, q, `${s.repoApi}/pulls`);
  return json(200, await Promise.all(slice.map((r) => pullSimpleJson(s, r))), headers);
}

async function getPull(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  return json(200, await pullJson(s, pullOr404(s, ctx.params.pull_number)));
}

async function updatePull(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const record = pullOr404(s, ctx.params.pull_number);
  const body = requireObject(ctx.body);
  const title = checkTitle(body, 'PullRequest', false);
  const text = checkBody(body, 'PullRequest');
  const state = str(body, 'state');
  const base = str(body, 'base');
  if (base !== undefined) {
    if (!(await branchSha(s, base))) throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], DOCS_PULLS);
    if (record.pull) record.pull.base = base;
  }
  applyState(s, record, state, undefined);
  if (title !== undefined) record.title = title;
  if (text !== undefined) record.body = text;
  record.updated_at = s.state.nowIso();
  return json(200, await pullJson(s, record));
}

/**
 * Whether GitHub associates `sha` with the pull request: its merge commit, one of its commits when it was
 * merged, or, while it is not merged, a commit on its head branch that its base does not have.
 */
async function associated(s: Standin, r: IssueRecord, sha: string): Promise<boolean> {
  const pull = r.pull!;
  if (pull.merged_at !== null) return pull.merge_commit_sha === sha || (pull.commits_at_merge ?? []).includes(sha);
  const head = (await branchSha(s, pull.head)) ?? pull.headShaAtOpen;
  const base = await branchSha(s, pull.base);
  return (await s.git.isAncestor(sha, head)) && !(base && (await s.git.isAncestor(sha, base)));
}

/** `GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls`: 422 for an unknown commit, as GitHub. */
async function pullsOfCommit(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const sha = await commitOr422(s, ctx.params.commit_sha ?? '');
  const list: IssueRecord[] = [];
  for (const r of s.state.issues.values()) if (r.pull && (await associated(s, r, sha))) list.push(r);
  list.sort((a, b) => b.number - a.number);
  const { slice, headers } = paginate(list, ctx.query, `${s.repoApi}/commits/${sha}/pulls`);
  return json(200, await Promise.all(slice.map((r) => pullSimpleJson(s, r))), headers);
}

/**
 * Seeds a pull request already merged into `base` by `mergeCommitSha` (a merge, squash or rebase the test made
 * with git and pushed): its commits are `mergeCommitSha^1..head` when the head branch still exists, else `commits`.
 */
export async function addMergedPull(
  s: Standin,
  input: { head: string; base: string; title: string; body?: string | null; user?: string; mergeCommitSha: string; commits?: string[] },
): Promise<IssueRecord> {
  const headSha = await branchSha(s, input.head);
  const commits = input.commits ?? (headSha ? await s.git.revList([headSha, `^${input.mergeCommitSha}^1`]) : []);
  const record = addIssueRecord(s, { title: input.title, body: input.body ?? null, ...(input.user ? { user: input.user } : {}) });
  const now = s.state.nowIso();
  record.state = 'closed';
  record.closed_at = now;
  record.closed_by = input.user ?? s.options.actor;
  record.pull = {
    head: input.head,
    base: input.base,
    headShaAtOpen: headSha ?? input.mergeCommitSha,
    draft: false,
    merged_at: now,
    maintainer_can_modify: false,
    merge_commit_sha: input.mergeCommitSha,
    commits_at_merge: commits,
  };
  return record;
}

/** Before commits/{ref+}, whose greedy ref would swallow `…/pulls`. */
export const commitPullsRoutes: Route[] = [{ method: 'GET', template: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', handler: pullsOfCommit }];

export const pullsRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls', handler: listPulls },
  { method: 'POST', template: '/repos/{owner}/{repo}/pulls', handler: createPull },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls/{pull_number}', handler: getPull },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/pulls/{pull_number}', handler: updatePull },
];

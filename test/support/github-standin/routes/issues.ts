/**
 * Issues (numbers shared with pull requests, which appear in the list with a `pull_request` key), comments
 * and labels. Bodies over 65,536 characters → 422 as on GitHub; labels given to an issue are created when
 * missing; `labels=` in the list is a comma list that must ALL match.
 */
import {
  basicError,
  invalidParam,
  json,
  notFound,
  paginate,
  requireObject,
  str,
  unprocessable,
  validationFailed,
  type Body,
  type StandinResponse,
} from '../http.js';
import { simpleUser, type RequestContext, type Route, type Standin } from '../shapes.js';
import type { CommentRecord, IssueRecord, LabelRecord } from '../state.js';
import type { Issue, IssueComment, Label } from '../types.js';

export const BODY_LIMIT = 65_536;
export const TITLE_LIMIT = 256;
const DOCS_ISSUES = 'https://docs.github.com/rest/issues/issues';
const DOCS_COMMENTS = 'https://docs.github.com/rest/issues/comments';
const DOCS_LABELS = 'https://docs.github.com/rest/issues/labels';
const STATE_REASONS = ['completed', 'not_planned', 'duplicate', 'reopened'] as const;

/** GitHub counts characters (code points), not UTF-16 units. */
export const charCount = (text: string): number => [...text].length;

export function labelJson(s: Standin, l: LabelRecord): Label {
  return {
    id: l.id,
    node_id: `LA_${l.id}`,
    url: `${s.repoApi}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: l.default,
  };
}

export function issueJson(s: Standin, r: IssueRecord): Issue {
  const url = `${s.repoApi}/issues/${r.number}`;
  const labels = r.labels.map((name) => s.state.findLabel(name)).filter((l): l is LabelRecord => l !== undefined);
  const assignees = r.assignees.map((login) => simpleUser(s, login));
  const issue: Issue = {
    id: r.id,
    node_id: `I_${r.id}`,
    url,
    repository_url: s.repoApi,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${s.repoHtml}/${r.pull ? 'pull' : 'issues'}/${r.number}`,
    number: r.number,
    state: r.state,
    state_reason: r.state_reason,
    title: r.title,
    body: r.body,
    user: simpleUser(s, r.user),
    labels: labels.map((l) => labelJson(s, l)),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: r.locked,
    active_lock_reason: null,
    comments: s.state.commentsOf(r.number).length,
    closed_at: r.closed_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
    closed_by: r.closed_by ? simpleUser(s, r.closed_by) : null,
    author_association: r.user === s.options.owner ? 'OWNER' : 'NONE',
    timeline_url: `${url}/timeline`,
    reactions: { url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 },
  };
  if (r.pull) {
    issue.draft = r.pull.draft;
    issue.pull_request = {
      url: `${s.repoApi}/pulls/${r.number}`,
      html_url: `${s.repoHtml}/pull/${r.number}`,
      diff_url: `${s.repoHtml}/pull/${r.number}.diff`,
      patch_url: `${s.repoHtml}/pull/${r.number}.patch`,
      merged_at: r.pull.merged_at,
    };
  }
  return issue;
}

function commentJson(s: Standin, c: CommentRecord): IssueComment {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${s.repoApi}/issues/comments/${c.id}`,
    html_url: `${s.repoHtml}/issues/${c.issue}#issuecomment-${c.id}`,
    body: c.body,
    user: simpleUser(s, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    issue_url: `${s.repoApi}/issues/${c.issue}`,
    author_association: c.user === s.options.owner ? 'OWNER' : 'NONE',
  };
}

// ------------------------------------------------------------------ validation helpers

/** Validates a body against GitHub's 65,536-character limit (422 otherwise). */
export function checkBody(body: Body, resource: 'Issue' | 'PullRequest' | 'IssueComment', required = false): string | null | undefined {
  const value = body.body;
  if (value === undefined || value === null) {
    if (required) throw validationFailed([{ resource, code: 'missing_field', field: 'body' }], DOCS_COMMENTS);
    return value as null | undefined;
  }
  if (typeof value !== 'string') throw invalidParam('body', 'a string', value);
  if (charCount(value) > BODY_LIMIT) {
    throw validationFailed(
      resource === 'IssueComment'
        ? [{ resource, code: 'unprocessable', field: 'data', message: `Body is too long (maximum is ${BODY_LIMIT} characters)` }]
        : [{ resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${BODY_LIMIT} characters)` }],
      resource === 'IssueComment' ? DOCS_COMMENTS : DOCS_ISSUES,
    );
  }
  if (required && value === '') throw validationFailed([{ resource, code: 'missing_field', field: 'body' }], DOCS_COMMENTS);
  return value;
}

export function checkTitle(body: Body, resource: 'Issue' | 'PullRequest', required: boolean): string | undefined {
  let value = body.title;
  if (typeof value === 'number') value = String(value);
  if (value === undefined || value === null || value === '') {
    if (required) throw validationFailed([{ resource, code: 'missing_field', field: 'title' }], DOCS_ISSUES);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidParam('title', 'a string or integer', value);
  if (charCount(value) > TITLE_LIMIT) {
    throw validationFailed([{ resource, code: 'custom', field: 'title', message: `title is too long (maximum is ${TITLE_LIMIT} characters)` }], DOCS_ISSUES);
  }
  return value;
}

/** `labels` as GitHub accepts them: strings or `{name}` objects. */
function labelNames(value: unknown, field = 'labels'): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParam(field, 'an array', value);
  return value.map((v) => {
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'object' && v !== null && typeof (v as Body).name === 'string') return (v as Body).name as string;
    throw invalidParam(field, 'an array of label names', value);
  });
}

function assigneesOf(body: Body): string[] | undefined {
  const list = body.assignees;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) throw invalidParam('assignees', 'an array of strings', list);
    if (list.length > 10) throw validationFailed([{ resource: 'Issue', code: 'custom', field: 'assignees', message: 'too many assignees (maximum is 10)' }]);
    return [...new Set(list as string[])];
  }
  if (typeof body.assignee === 'string') return [body.assignee];
  if (body.assignee === null) return [];
  return undefined;
}

/** Attaches labels to an issue, creating missing ones (as GitHub does for users with push access). */
function attachLabels(s: Standin, names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const label = s.state.ensureLabel(name);
    if (!out.some((n) => n.toLowerCase() === label.name.toLowerCase())) out.push(label.name);
  }
  return out;
}

export function issueOr404(s: Standin, numberParam: string | undefined): IssueRecord {
  const number = Number(numberParam);
  const issue = Number.isInteger(number) ? s.state.issues.get(number) : undefined;
  if (!issue) throw notFound(DOCS_ISSUES);
  return issue;
}

// ------------------------------------------------------------------ issues

function compareBy(sort: string, direction: string) {
  const sign = direction === 'asc' ? 1 : -1;
  return (s: Standin) => (a: IssueRecord, b: IssueRecord) => {
    const key = (r: IssueRecord): number | string =>
      sort === 'updated' ? r.updated_at : sort === 'comments' ? s.state.commentsOf(r.number).length : r.created_at;
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -sign;
    if (ka > kb) return sign;
    return (a.number - b.number) * sign;
  };
}

function listIssues(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const q = ctx.query;
  const state = q.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) throw unprocessable(`Invalid request.\n\nFor 'state', "${state}" is not one of ["open", "closed", "all"].`, DOCS_ISSUES);
  const sort = q.get('sort') ?? 'created';
  if (!['created', 'updated', 'comments'].includes(sort)) throw unprocessable(`Invalid request.\n\nFor 'sort', "${sort}" is not one of ["created", "updated", "comments"].`, DOCS_ISSUES);
  const direction = q.get('direction') ?? 'desc';
  if (!['asc', 'desc'].includes(direction)) throw unprocessable(`Invalid request.\n\nFor 'direction', "${direction}" is not one of ["asc", "desc"].`, DOCS_ISSUES);
  const wanted = (q.get('labels') ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
  const creator = q.get('creator');
  const assignee = q.get('assignee');
  const since = q.get('since');
  let list = [...s.state.issues.values()];
  if (state !== 'all') list = list.filter((i) => i.state === state);
  if (wanted.length) list = list.filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)));
  if (creator) list = list.filter((i) => i.user.toLowerCase() === creator.toLowerCase());
  if (assignee === 'none') list = list.filter((i) => i.assignees.length === 0);
  else if (assignee === '*') list = list.filter((i) => i.assignees.length > 0);
  else if (assignee) list = list.filter((i) => i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase()));
  if (since) {
    const t = Date.parse(since);
    if (!Number.isNaN(t)) list = list.filter((i) => Date.parse(i.updated_at) >= t);
  }
  list.sort(compareBy(sort, direction)(s));
  const { slice, headers } = paginate(list, q, `${s.repoApi}/issues`);
  return json(200, slice.map((i) => issueJson(s, i)), headers);
}

function createIssue(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const title = checkTitle(body, 'Issue', true) as string;
  const text = checkBody(body, 'Issue');
  const labels = attachLabels(s, labelNames(body.labels) ?? []);
  const assignees = assigneesOf(body) ?? [];
  const record = addIssueRecord(s, { title, body: text ?? null, labels, assignees });
  return json(201, issueJson(s, record), { location: `${s.repoApi}/issues/${record.number}` });
}

export function addIssueRecord(
  s: Standin,
  input: { title: string; body?: string | null; labels?: string[]; assignees?: string[]; user?: string; state?: 'open' | 'closed'; createdAt?: string },
): IssueRecord {
  const now = input.createdAt ?? s.state.nowIso();
  const closed = input.state === 'closed';
  const record: IssueRecord = {
    id: s.state.newId(),
    number: s.state.newNumber(),
    title: input.title,
    body: input.body ?? null,
    state: closed ? 'closed' : 'open',
    state_reason: closed ? 'completed' : null,
    labels: attachLabels(s, input.labels ?? []),
    assignees: input.assignees ?? [],
    user: input.user ?? s.options.actor,
    created_at: now,
    updated_at: now,
    closed_at: closed ? now : null,
    closed_by: closed ? (input.user ?? s.options.actor) : null,
    locked: false,
  };
  s.state.issues.set(record.number, record);
  return record;
}

function getIssue(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  return json(200, issueJson(s, issueOr404(s, ctx.params.issue_number)));
}

/** Applies state/state_reason like GitHub: closing defaults the reason to completed, reopening sets reopened. */
export function applyState(s: Standin, record: IssueRecord, state: string | undefined, reason: unknown): void {
  if (state !== undefined && state !== 'open' && state !== 'closed') {
    throw unprocessable(`Invalid request.\n\nFor 'state', "${state}" is not one of ["open", "closed"].`, DOCS_ISSUES);
  }
  if (reason !== undefined && reason !== null && !STATE_REASONS.includes(reason as (typeof STATE_REASONS)[number])) {
    throw unprocessable(`Invalid request.\n\nFor 'state_reason', ${JSON.stringify(reason)} is not one of ["completed", "not_planned", "duplicate", "reopened", null].`, DOCS_ISSUES);
  }
  const typedReason = reason as IssueRecord['state_reason'] | undefined;
  const now = s.state.nowIso();
  if (state === 'closed' && record.state === 'open') {
    record.state = 'closed';
    record.closed_at = now;
    record.closed_by = s.options.actor;
    record.state_reason = record.pull ? null : (typedReason && typedReason !== 'reopened' ? typedReason : 'completed');
  } else if (state === 'open' && record.state === 'closed') {
    record.state = 'open';
    record.closed_at = null;
    record.closed_by = null;
    record.state_reason = record.pull ? null : 'reopened';
  } else if (typedReason !== undefined && record.state === 'closed' && !record.pull && typedReason !== 'reopened') {
    record.state_reason = typedReason;
  }
}

function updateIssue(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const record = issueOr404(s, ctx.params.issue_number);
  const body = requireObject(ctx.body);
  const title = checkTitle(body, 'Issue', false);
  const text = checkBody(body, 'Issue');
  const state = str(body, 'state');
  const labels = labelNames(body.labels);
  const assignees = assigneesOf(body);
  applyState(s, record, state, body.state_reason);
  if (title !== undefined) record.title = title;
  if (text !== undefined) record.body = text;
  if (labels !== undefined) record.labels = attachLabels(s, labels);
  if (assignees !== undefined) record.assignees = assignees;
  record.updated_at = s.state.nowIso();
  return json(200, issueJson(s, record));
}

// ------------------------------------------------------------------ comments

function listComments(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const issue = issueOr404(s, ctx.params.issue_number);
  let comments = s.state.commentsOf(issue.number);
  const since = ctx.query.get('since');
  if (since && !Number.isNaN(Date.parse(since))) comments = comments.filter((c) => Date.parse(c.updated_at) >= Date.parse(since));
  const { slice, headers } = paginate(comments, ctx.query, `${s.repoApi}/issues/${issue.number}/comments`);
  return json(200, slice.map((c) => commentJson(s, c)), headers);
}

function createComment(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const issue = issueOr404(s, ctx.params.issue_number);
  const body = requireObject(ctx.body);
  const text = checkBody(body, 'IssueComment', true) as string;
  if (issue.locked) throw basicError(403, 'Unable to create comment because issue is locked.', DOCS_COMMENTS);
  const now = s.state.nowIso();
  const comment: CommentRecord = { id: s.state.newId(), issue: issue.number, body: text, user: s.options.actor, created_at: now, updated_at: now };
  s.state.comments.push(comment);
  issue.updated_at = now;
  return json(201, commentJson(s, comment), { location: `${s.repoApi}/issues/comments/${comment.id}` });
}

function commentOr404(s: Standin, idParam: string | undefined): CommentRecord {
  const comment = s.state.comments.find((c) => c.id === Number(idParam));
  if (!comment) throw notFound(DOCS_COMMENTS);
  return comment;
}

function getComment(ctx: RequestContext): StandinResponse {
  return json(200, commentJson(ctx.standin, commentOr404(ctx.standin, ctx.params.comment_id)));
}

function updateComment(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const comment = commentOr404(s, ctx.params.comment_id);
  comment.body = checkBody(requireObject(ctx.body), 'IssueComment', true) as string;
  comment.updated_at = s.state.nowIso();
  return json(200, commentJson(s, comment));
}

function deleteComment(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const comment = commentOr404(s, ctx.params.comment_id);
  s.state.comments.splice(s.state.comments.indexOf(comment), 1);
  return { status: 204 };
}

function listRepoComments(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const { slice, headers } = paginate(s.state.comments, ctx.query, `${s.repoApi}/issues/comments`);
  return json(200, slice.map((c) => commentJson(s, c)), headers);
}

// ------------------------------------------------------------------ labels

const COLOR_RE = /^[0-9a-fA-F]{6}$/;

function listLabels(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const { slice, headers } = paginate([...s.state.labels.values()], ctx.query, `${s.repoApi}/labels`);
  return json(200, slice.map((l) => labelJson(s, l)), headers);
}

function getLabel(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const label = s.state.findLabel(ctx.params.name ?? '');
  if (!label) throw notFound(`${DOCS_LABELS}#get-a-label`);
  return json(200, labelJson(s, label));
}

function createLabel(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const name = str(body, 'name');
  if (!name || name.trim() === '') throw validationFailed([{ resource: 'Label', code: 'missing_field', field: 'name' }], `${DOCS_LABELS}#create-a-label`);
  if (charCount(name) > 50) throw validationFailed([{ resource: 'Label', code: 'custom', field: 'name', message: 'name is too long (maximum is 50 characters)' }]);
  const color = (str(body, 'color') ?? 'ededed').replace(/^#/, '');
  if (!COLOR_RE.test(color)) throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }], `${DOCS_LABELS}#create-a-label`);
  const description = str(body, 'description') ?? null;
  if (description !== null && charCount(description) > 100) throw validationFailed([{ resource: 'Label', code: 'custom', field: 'description', message: 'description is too long (maximum is 100 characters)' }]);
  if (s.state.findLabel(name)) throw validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }], `${DOCS_LABELS}#create-a-label`);
  const label: LabelRecord = { id: s.state.newId(), name, color: color.toLowerCase(), description, default: false };
  s.state.labels.set(name.toLowerCase(), label);
  return json(201, labelJson(s, label), { location: `${s.repoApi}/labels/${encodeURIComponent(name)}` });
}

function updateLabel(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const label = s.state.findLabel(ctx.params.name ?? '');
  if (!label) throw notFound(`${DOCS_LABELS}#update-a-label`);
  const body = requireObject(ctx.body);
  const color = str(body, 'color');
  if (color !== undefined) {
    if (!COLOR_RE.test(color.replace(/^#/, ''))) throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }]);
    label.color = color.replace(/^#/, '').toLowerCase();
  }
  const description = str(body, 'description');
  if (description !== undefined) label.description = description;
  const newName = str(body, 'new_name');
  if (newName && newName !== label.name) {
    if (s.state.findLabel(newName) && newName.toLowerCase() !== label.name.toLowerCase()) {
      throw validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
    }
    const old = label.name;
    s.state.labels.delete(old.toLowerCase());
    label.name = newName;
    s.state.labels.set(newName.toLowerCase(), label);
    for (const issue of s.state.issues.values()) issue.labels = issue.labels.map((l) => (l.toLowerCase() === old.toLowerCase() ? newName : l));
  }
  return json(200, labelJson(s, label));
}

function deleteLabel(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const label = s.state.findLabel(ctx.params.name ?? '');
  if (!label) throw notFound(`${DOCS_LABELS}#delete-a-label`);
  s.state.labels.delete(label.name.toLowerCase());
  for (const issue of s.state.issues.values()) issue.labels = issue.labels.filter((l) => l.toLowerCase() !== label.name.toLowerCase());
  return { status: 204 };
}

function issueLabelsJson(s: Standin, issue: IssueRecord): Label[] {
  return issue.labels.map((n) => s.state.findLabel(n)).filter((l): l is LabelRecord => l !== undefined).map((l) => labelJson(s, l));
}

function labelsFromBody(raw: unknown): string[] {
  if (Array.isArray(raw)) return labelNames(raw) ?? [];
  const body = requireObject(raw);
  return labelNames(body.labels) ?? [];
}

function listIssueLabels(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  return json(200, issueLabelsJson(s, issueOr404(s, ctx.params.issue_number)));
}

function addIssueLabels(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const issue = issueOr404(s, ctx.params.issue_number);
  const names = labelsFromBody(ctx.body);
  issue.labels = attachLabels(s, [...issue.labels, ...names]);
  issue.updated_at = s.state.nowIso();
  return json(200, issueLabelsJson(s, issue));
}

function setIssueLabels(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const issue = issueOr404(s, ctx.params.issue_number);
  issue.labels = attachLabels(s, labelsFromBody(ctx.body));
  issue.updated_at = s.state.nowIso();
  return json(200, issueLabelsJson(s, issue));
}

function removeIssueLabel(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const issue = issueOr404(s, ctx.params.issue_number);
  const name = (ctx.params.name ?? '').toLowerCase();
  if (!issue.labels.some((l) => l.toLowerCase() === name)) throw basicError(404, 'Label does not exist', `${DOCS_LABELS}#remove-a-label-from-an-issue`);
  issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name);
  issue.updated_at = s.state.nowIso();
  return json(200, issueLabelsJson(s, issue));
}

function removeAllIssueLabels(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  const issue = issueOr404(s, ctx.params.issue_number);
  issue.labels = [];
  issue.updated_at = s.state.nowIso();
  return { status: 204 };
}

export const issuesRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/issues', handler: listIssues },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues', handler: createIssue },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/comments', handler: listRepoComments },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/comments/{comment_id}', handler: getComment },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/comments/{comment_id}', handler: updateComment },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/issues/comments/{comment_id}', handler: deleteComment },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{issue_number}', handler: getIssue },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/{issue_number}', handler: updateIssue },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{issue_number}/comments', handler: listComments },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues/{issue_number}/comments', handler: createComment },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{issue_number}/labels', handler: listIssueLabels },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues/{issue_number}/labels', handler: addIssueLabels },
  { method: 'PUT', template: '/repos/{owner}/{repo}/issues/{issue_number}/labels', handler: setIssueLabels },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/issues/{issue_number}/labels', handler: removeAllIssueLabels },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', handler: removeIssueLabel },
  { method: 'GET', template: '/repos/{owner}/{repo}/labels', handler: listLabels },
  { method: 'POST', template: '/repos/{owner}/{repo}/labels', handler: createLabel },
  { method: 'GET', template: '/repos/{owner}/{repo}/labels/{name}', handler: getLabel },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/labels/{name}', handler: updateLabel },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/labels/{name}', handler: deleteLabel },
];

/**
 * Check runs for a ref (filters check_name, status, filter=latest|all, app_id; paginated) and the combined
 * commit status (the newest status per context, newest first, paginated; `pending` when a commit has none).
 * Tests add runs with `addCheckRun` and statuses with `addStatus`; POST check-runs and POST statuses/{sha}
 * exist too, so an action under test may create its own.
 */
import { json, paginate, requireObject, SHA_RE, str, unprocessable, validationFailed, type StandinResponse } from '../http.js';
import { minimalRepositoryJson, simpleUser, type RequestContext, type Route, type Standin } from '../shapes.js';
import type { CheckConclusion, CheckRunRecord, CheckStatus, StatusRecord } from '../state.js';
import type { CheckRun, CheckRunList, CombinedCommitStatus, CommitStatus, Integration, SimpleCommitStatus } from '../types.js';
import { commitOr422 } from './common.js';

export const ACTIONS_APP_ID = 15368;
const STATUSES: CheckStatus[] = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const CONCLUSIONS: Exclude<CheckConclusion, null>[] = ['success', 'failure', 'neutral', 'cancelled', 'skipped', 'timed_out', 'action_required'];

function app(s: Standin): Integration {
  return {
    id: ACTIONS_APP_ID,
    slug: 'github-actions',
    node_id: 'MDM6QXBwMTUzNjg=',
    owner: simpleUser(s, 'github'),
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: 'https://help.github.com/en/actions',
    html_url: `${s.serverUrl}/apps/github-actions`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2019-12-10T19:04:12Z',
    permissions: { checks: 'write', contents: 'write', issues: 'write', metadata: 'read' },
    events: ['check_run', 'check_suite', 'push', 'pull_request'],
  };
}

export function checkRunJson(s: Standin, r: CheckRunRecord): CheckRun {
  return {
    id: r.id,
    head_sha: r.head_sha,
    node_id: `CR_${r.id}`,
    external_id: r.external_id,
    url: `${s.repoApi}/check-runs/${r.id}`,
    html_url: `${s.repoHtml}/runs/${r.id}`,
    details_url: r.details_url ?? `${s.repoHtml}/runs/${r.id}`,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at,
    completed_at: r.completed_at,
    output: { ...r.output, annotations_count: 0, annotations_url: `${s.repoApi}/check-runs/${r.id}/annotations` },
    name: r.name,
    check_suite: { id: r.check_suite_id },
    app: app(s),
    pull_requests: [],
  };
}

/** Adds a check run (test control and POST check-runs share this). */
export function addCheckRunRecord(
  s: Standin,
  input: { head_sha: string; name: string; status: CheckStatus; conclusion: CheckConclusion; details_url?: string | null; external_id?: string | null; output?: Partial<CheckRunRecord['output']> },
): CheckRunRecord {
  const now = s.state.nowIso();
  const record: CheckRunRecord = {
    id: s.state.newId(),
    head_sha: input.head_sha,
    name: input.name,
    status: input.status,
    conclusion: input.status === 'completed' ? input.conclusion : null,
    started_at: now,
    completed_at: input.status === 'completed' ? now : null,
    details_url: input.details_url ?? null,
    external_id: input.external_id ?? null,
    output: { title: input.output?.title ?? null, summary: input.output?.summary ?? null, text: input.output?.text ?? null },
    check_suite_id: s.state.newId(),
  };
  s.state.checkRuns.push(record);
  return record;
}

async function listForRef(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const sha = await commitOr422(s, ctx.params.ref ?? '');
  const name = ctx.query.get('check_name');
  const status = ctx.query.get('status');
  const filter = ctx.query.get('filter') ?? 'latest';
  const appId = ctx.query.get('app_id');
  if (filter !== 'latest' && filter !== 'all') throw unprocessable(`Invalid request.\n\nFor 'filter', "${filter}" is not one of ["latest", "all"].`);
  if (status && !STATUSES.includes(status as CheckStatus)) {
    throw unprocessable(`Invalid request.\n\nFor 'status', "${status}" is not one of ["queued", "in_progress", "completed"].`);
  }
  let runs = s.state.checkRuns.filter((r) => r.head_sha === sha);
  if (appId && Number(appId) !== ACTIONS_APP_ID) runs = [];
  if (filter === 'latest') {
    const latest = new Map<string, CheckRunRecord>();
    for (const r of runs) {
      const seen = latest.get(r.name);
      if (!seen || r.id > seen.id) latest.set(r.name, r);
    }
    runs = [...latest.values()];
  }
  if (name) runs = runs.filter((r) => r.name === name);
  if (status) runs = runs.filter((r) => r.status === status);
  runs.sort((a, b) => b.id - a.id);
  const { slice, headers } = paginate(runs, ctx.query, `${s.repoApi}/commits/${ctx.params.ref ?? ''}/check-runs`);
  const body: CheckRunList = { total_count: runs.length, check_runs: slice.map((r) => checkRunJson(s, r)) };
  return json(200, body, headers);
}

async function createCheckRun(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const name = str(body, 'name', true);
  const headSha = str(body, 'head_sha', true);
  const status = (str(body, 'status') ?? 'queued') as CheckStatus;
  const conclusion = (str(body, 'conclusion') ?? null) as CheckConclusion;
  if (!SHA_RE.test(headSha) || (await s.git.objectType(headSha)) !== 'commit') {
    throw validationFailed([{ resource: 'CheckRun', field: 'head_sha', code: 'invalid' }]);
  }
  if (!STATUSES.includes(status)) throw validationFailed([{ resource: 'CheckRun', field: 'status', code: 'invalid' }]);
  if (conclusion !== null && !CONCLUSIONS.includes(conclusion)) throw validationFailed([{ resource: 'CheckRun', field: 'conclusion', code: 'invalid' }]);
  if (conclusion !== null && status !== 'completed' && body.status !== undefined) {
    throw validationFailed([{ resource: 'CheckRun', field: 'conclusion', code: 'invalid', message: 'conclusion requires status completed' }]);
  }
  const effectiveStatus: CheckStatus = conclusion !== null ? 'completed' : status;
  const record = addCheckRunRecord(s, { head_sha: headSha, name, status: effectiveStatus, conclusion, details_url: str(body, 'details_url') ?? null, external_id: str(body, 'external_id') ?? null });
  return json(201, checkRunJson(s, record));
}

// ------------------------------------------------------------------ commit statuses

function statusJson(s: Standin, r: StatusRecord): SimpleCommitStatus {
  return {
    id: r.id,
    node_id: `SC_${r.id}`,
    state: r.state,
    description: r.description,
    target_url: r.target_url,
    context: r.context,
    avatar_url: null,
    url: `${s.repoApi}/statuses/${r.sha}`,
    created_at: r.created_at,
    updated_at: r.updated_at,
    required: false,
  };
}

export function addStatusRecord(s: Standin, input: { sha: string; state: StatusRecord['state']; context: string; description?: string | null; target_url?: string | null }): StatusRecord {
  const now = s.state.nowIso();
  const record: StatusRecord = {
    id: s.state.newId(),
    sha: input.sha,
    state: input.state,
    context: input.context,
    description: input.description ?? null,
    target_url: input.target_url ?? null,
    created_at: now,
    updated_at: now,
  };
  s.state.statuses.push(record);
  return record;
}

async function combinedStatus(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const sha = await commitOr422(s, ctx.params.ref ?? '');
  const latest = new Map<string, StatusRecord>();
  for (const r of s.state.statuses.filter((x) => x.sha === sha)) {
    const seen = latest.get(r.context);
    if (!seen || r.id > seen.id) latest.set(r.context, r);
  }
  const statuses = [...latest.values()].sort((a, b) => b.id - a.id);
  const states = statuses.map((r) => r.state);
  const state =
    states.length === 0 ? 'pending'
    : states.some((x) => x === 'error' || x === 'failure') ? 'failure'
    : states.some((x) => x === 'pending') ? 'pending'
    : 'success';
  // Paginated as on GitHub (per_page 30 by default, at most 100; Link header); total_count counts every context
  // and the combined state is over all of them, whatever the page.
  const { slice, headers } = paginate(statuses, ctx.query, `${s.repoApi}/commits/${ctx.params.ref ?? ''}/status`);
  const body: CombinedCommitStatus = {
    state,
    statuses: slice.map((r) => statusJson(s, r)),
    sha,
    total_count: statuses.length,
    repository: minimalRepositoryJson(s),
    commit_url: `${s.repoApi}/commits/${sha}`,
    url: `${s.repoApi}/commits/${sha}/status`,
  };
  return json(200, body, headers);
}

async function createStatus(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const sha = ctx.params.sha ?? '';
  const state = str(body, 'state', true);
  if (!['error', 'failure', 'pending', 'success'].includes(state)) throw validationFailed([{ resource: 'Status', field: 'state', code: 'custom', message: 'state is not included in the list' }]);
  if (!SHA_RE.test(sha) || (await s.git.objectType(sha)) !== 'commit') throw unprocessable(`No commit found for SHA: ${sha}`);
  const record = addStatusRecord(s, {
    sha,
    state: state as StatusRecord['state'],
    context: str(body, 'context') ?? 'default',
    description: str(body, 'description') ?? null,
    target_url: str(body, 'target_url') ?? null,
  });
  const result: CommitStatus = { ...statusJson(s, record), creator: simpleUser(s, s.options.actor) };
  return json(201, result);
}

export const checksRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref+}/check-runs', handler: listForRef },
  { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref+}/status', handler: combinedStatus },
  { method: 'POST', template: '/repos/{owner}/{repo}/check-runs', handler: createCheckRun },
  { method: 'POST', template: '/repos/{owner}/{repo}/statuses/{sha}', handler: createStatus },
];

/**
 * GitHub Actions workflow runs: `GET actions/runs/{run_id}` and `POST actions/runs/{run_id}/rerun-failed-jobs`,
 * with GitHub's refusals (REFERENCE.md, "Re-run failed jobs"): a token without the `actions` permission 403
 * "Resource not accessible by integration" (read for the GET, write for the re-run); a run that is not completed
 * 403 "This workflow is already running"; a run with nothing failed 403 "This workflow run cannot be retried";
 * a run created over a month ago 403 "Unable to retry this workflow run because it was created over a month ago".
 * Tests add runs with `addWorkflowRun` and finish an attempt with `completeWorkflowRun`.
 */
import { basicError, json, notFound, type StandinResponse } from '../http.js';
import { minimalRepositoryJson, simpleUser, type RequestContext, type Route, type Standin } from '../shapes.js';
import type { WorkflowRunRecord } from '../state.js';
import type { WorkflowRun } from '../types.js';

const DOCS_GET = 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run';
const DOCS_RERUN = 'https://docs.github.com/rest/actions/workflow-runs#re-run-failed-jobs-from-a-workflow-run';
const MONTH_MS = 30 * 24 * 3600 * 1000;
/** Conclusions whose failed (or cancelled) jobs GitHub re-runs. */
const RETRIABLE = new Set(['failure', 'cancelled', 'timed_out', 'action_required']);

export function workflowRunJson(s: Standin, r: WorkflowRunRecord): WorkflowRun {
  const url = `${s.repoApi}/actions/runs/${r.id}`;
  const repository = minimalRepositoryJson(s);
  return {
    id: r.id,
    name: r.name,
    node_id: `WFR_${r.id}`,
    check_suite_id: r.id + 1,
    check_suite_node_id: `CS_${r.id + 1}`,
    head_branch: r.head_branch,
    head_sha: r.head_sha,
    path: `.github/workflows/${r.name}.yml`,
    run_number: r.run_number,
    run_attempt: r.run_attempt,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    workflow_id: 7,
    url,
    html_url: `${s.repoHtml}/actions/runs/${r.id}`,
    pull_requests: [],
    created_at: r.created_at,
    updated_at: r.updated_at,
    actor: simpleUser(s, s.options.actor),
    triggering_actor: simpleUser(s, s.options.actor),
    run_started_at: r.run_started_at,
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${s.repoApi}/check-suites/${r.id + 1}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    previous_attempt_url: r.run_attempt > 1 ? `${url}/attempts/${r.run_attempt - 1}` : null,
    workflow_url: `${s.repoApi}/actions/workflows/7`,
    head_commit: null,
    repository,
    head_repository: repository,
    display_title: r.name,
  };
}

/** Adds a completed run (test control); `run_attempt` 1 unless given. */
export function addWorkflowRunRecord(
  s: Standin,
  input: { id: number; head_sha: string; head_branch?: string | null; name?: string; event?: string; status?: WorkflowRunRecord['status']; conclusion?: WorkflowRunRecord['conclusion']; run_attempt?: number; created_at?: string },
): WorkflowRunRecord {
  const now = s.state.nowIso();
  const status = input.status ?? 'completed';
  const record: WorkflowRunRecord = {
    id: input.id,
    name: input.name ?? 'ci',
    head_sha: input.head_sha,
    head_branch: input.head_branch === undefined ? 'main' : input.head_branch,
    event: input.event ?? 'push',
    status,
    conclusion: status === 'completed' ? (input.conclusion === undefined ? 'failure' : input.conclusion) : null,
    run_attempt: input.run_attempt ?? 1,
    run_number: s.state.workflowRuns.size + 1,
    created_at: input.created_at ?? now,
    updated_at: now,
    run_started_at: now,
  };
  s.state.workflowRuns.set(record.id, record);
  return record;
}

function runOr404(ctx: RequestContext, docs: string): WorkflowRunRecord {
  const id = Number(ctx.params.run_id);
  const run = ctx.standin.state.workflowRuns.get(id);
  if (!run) throw notFound(docs);
  return run;
}

function getRun(ctx: RequestContext): StandinResponse {
  if (ctx.standin.state.actionsPermission === 'none') throw basicError(403, 'Resource not accessible by integration', DOCS_GET);
  return json(200, workflowRunJson(ctx.standin, runOr404(ctx, DOCS_GET)));
}

function rerunFailedJobs(ctx: RequestContext): StandinResponse {
  const s = ctx.standin;
  if (s.state.actionsPermission !== 'write') throw basicError(403, 'Resource not accessible by integration', DOCS_RERUN);
  const run = runOr404(ctx, DOCS_RERUN);
  if (run.status !== 'completed') throw basicError(403, 'This workflow is already running', DOCS_RERUN);
  if (s.state.now().getTime() - Date.parse(run.created_at) > MONTH_MS) {
    throw basicError(403, 'Unable to retry this workflow run because it was created over a month ago', DOCS_RERUN);
  }
  if (!run.conclusion || !RETRIABLE.has(run.conclusion)) throw basicError(403, 'This workflow run cannot be retried', DOCS_RERUN);
  // The next attempt starts: queued, no conclusion until completeWorkflowRun.
  const now = s.state.nowIso();
  Object.assign(run, { run_attempt: run.run_attempt + 1, status: 'queued', conclusion: null, updated_at: now, run_started_at: now });
  return json(201, {});
}

export const actionsRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/actions/runs/{run_id}', handler: getRun },
  { method: 'POST', template: '/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', handler: rerunFailedJobs },
];

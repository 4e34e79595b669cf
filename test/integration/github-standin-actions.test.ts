/**
 * The stand-in's workflow-run endpoints through a real Octokit: GET actions/runs/{run_id} and POST
 * …/rerun-failed-jobs, answered as GitHub answers them (every request and answer is checked against GitHub's
 * OpenAPI description by the stand-in), with GitHub's 403s: a token without `actions` read / write, a run still
 * in progress, a run with nothing failed, a run over a month old.
 */
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { brokenMain, type Scenario } from '../support/revert/scenario.js';

const TOKEN = 'ghs_revert_test_token';
const open: Scenario[] = [];
afterEach(async () => {
  while (open.length) {
    const s = open.pop()!;
    expect(s.api.internalErrors).toEqual([]);
    expect(s.api.unknownRequests()).toEqual([]);
    await s.stop();
  }
});

async function world() {
  const s = await brokenMain();
  open.push(s);
  const octokit = getOctokit(TOKEN, { baseUrl: s.api.url });
  const where = { owner: 'owner', repo: 'app' };
  return { s, octokit, where };
}

/** GitHub's error answer as Octokit hands it over: status and message. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? '' };
  }
  throw new Error('expected GitHub to refuse');
}

describe('GitHub stand-in: workflow runs and their re-run', () => {
  it('GET a run shows its attempt; rerun-failed-jobs answers 201 {} and starts the next attempt', async () => {
    const { s, octokit, where } = await world();
    s.api.addWorkflowRun({ id: 42, head_sha: s.fail });
    const before = (await octokit.rest.actions.getWorkflowRun({ ...where, run_id: 42 })).data;
    expect(before).toMatchObject({ id: 42, head_sha: s.fail, head_branch: 'main', status: 'completed', conclusion: 'failure', run_attempt: 1, previous_attempt_url: null });

    const asked = await octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 42 });
    expect(asked.status).toBe(201);
    expect(asked.data).toEqual({});
    const after = (await octokit.rest.actions.getWorkflowRun({ ...where, run_id: 42 })).data;
    expect(after).toMatchObject({ status: 'queued', conclusion: null, run_attempt: 2, previous_attempt_url: `${s.api.url}/repos/owner/app/actions/runs/42/attempts/1` });

    // While attempt 2 runs GitHub refuses another re-run; once it completed with a failure, a third is allowed.
    expect(await refusal(octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 42 }))).toEqual({ status: 403, message: 'This workflow is already running' });
    s.api.completeWorkflowRun(42, 'failure');
    expect((await octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 42 })).status).toBe(201);
    expect(s.api.callCount({ method: 'POST', route: 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs' })).toBe(3);
    expect(s.api.schemaViolations).toEqual([]);
  });

  it('a token without actions: write may read the run but not re-run it; without actions at all, neither', async () => {
    const { s, octokit, where } = await world();
    s.api.addWorkflowRun({ id: 7, head_sha: s.fail });
    s.api.setActionsPermission('read');
    expect((await octokit.rest.actions.getWorkflowRun({ ...where, run_id: 7 })).data.run_attempt).toBe(1);
    expect(await refusal(octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 7 }))).toEqual({ status: 403, message: 'Resource not accessible by integration' });
    s.api.setActionsPermission('none');
    expect(await refusal(octokit.rest.actions.getWorkflowRun({ ...where, run_id: 7 }))).toEqual({ status: 403, message: 'Resource not accessible by integration' });
    // Nothing moved: the run is still at its first attempt.
    s.api.setActionsPermission('write');
    expect((await octokit.rest.actions.getWorkflowRun({ ...where, run_id: 7 })).data).toMatchObject({ run_attempt: 1, status: 'completed' });
  });

  it('refuses what GitHub refuses: an unknown run (404), a run in progress, a passed run, a run over a month old', async () => {
    const { s, octokit, where } = await world();
    expect(await refusal(octokit.rest.actions.getWorkflowRun({ ...where, run_id: 999 }))).toEqual({ status: 404, message: 'Not Found' });
    expect(await refusal(octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 999 }))).toEqual({ status: 404, message: 'Not Found' });
    s.api.addWorkflowRun({ id: 1, head_sha: s.fail, status: 'in_progress' });
    expect(await refusal(octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 1 }))).toEqual({ status: 403, message: 'This workflow is already running' });
    s.api.addWorkflowRun({ id: 2, head_sha: s.fail, conclusion: 'success' });
    expect(await refusal(octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 2 }))).toEqual({ status: 403, message: 'This workflow run cannot be retried' });
    s.api.addWorkflowRun({ id: 3, head_sha: s.fail, created_at: new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    expect(await refusal(octokit.rest.actions.reRunWorkflowFailedJobs({ ...where, run_id: 3 }))).toEqual({
      status: 403,
      message: 'Unable to retry this workflow run because it was created over a month ago',
    });
    expect((await octokit.rest.actions.getWorkflowRun({ ...where, run_id: 1 })).data).toMatchObject({ status: 'in_progress', conclusion: null, run_attempt: 1 });
  });
});

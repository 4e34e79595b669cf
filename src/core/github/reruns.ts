import { ConfigurationError, ExternalError } from '../action/errors.js';
import type { RerunPort, RunNow } from '../lastgood/confirm.js';
import { httpStatus } from './http-error.js';
import { githubErrorText, isRateLimited } from './refusals.js';
import { RepoApi } from './repo-api.js';

/**
 * The confirmation's port on the Actions REST API: the run as it is now, and a re-run of its failed jobs.
 * GitHub's refusals (REFERENCE.md): a token without the `actions` permission 403 "Resource not accessible by
 * integration"; a run in progress 403 "This workflow is already running"; a run that cannot be retried (too old,
 * nothing failed) 403 with its own text.
 */
export class ApiReruns extends RepoApi implements RerunPort {
  async run(runId: number): Promise<RunNow> {
    try {
      const { data } = await this.github.rest.actions.getWorkflowRun({ owner: this.owner, repo: this.repo, run_id: runId, exclude_pull_requests: true });
      return { attempt: data.run_attempt ?? 1, status: data.status };
    } catch (error) {
      throw refusal(error, runId, 'read');
    }
  }

  async rerunFailedJobs(runId: number): Promise<'requested' | 'already-running'> {
    try {
      await this.github.rest.actions.reRunWorkflowFailedJobs({ owner: this.owner, repo: this.repo, run_id: runId });
      return 'requested';
    } catch (error) {
      if (httpStatus(error) === 403 && /this workflow is already running/i.test(githubErrorText(error))) return 'already-running';
      throw refusal(error, runId, 're-run');
    }
  }
}

/** GitHub's no, in the user's terms: a missing permission is the token's; anything else stops the revert. */
function refusal(error: unknown, runId: number, what: 'read' | 're-run'): Error {
  const status = httpStatus(error);
  const text = githubErrorText(error);
  if (status === 403 && /resource not accessible/i.test(text)) {
    return new ConfigurationError(
      `Input "token": the token may not ${what} workflow run ${runId} (403 ${text}): confirm: rerun needs actions: write (add it to the job's permissions:)`,
    );
  }
  if (status === 403 && !isRateLimited(error, text)) {
    return new ExternalError(`GitHub refused to ${what} run ${runId} (403 ${text}): the failure could not be confirmed by a re-run, so nothing was reverted`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Whether the run that failed was a run *of the branch* auto-revert would move, from plain facts about the
 * event. A workflow_run's `head_branch` is the branch the triggering run was for, and for a pull request that
 * is its source branch: `branches: [main]` lets through a pull request *from* main into release/1.x (its
 * head_sha is main's tip, its failure is the merge with release/1.x) and a fork's pull request from the fork's
 * own `main`. A merge-queue group fails on its temporary gh-readonly-queue/… branch, which the queue drops by
 * itself. None of these is main failing, and reverting main for them would undo good work.
 */
export interface TriggerFacts {
  /** GITHUB_EVENT_NAME. */
  eventName: string;
  /** workflow_run only: the event of the run that failed (`workflow_run.event`). */
  runEvent?: string;
  /** workflow_run only: `owner/name` of the repository the failing run's head commit came from. */
  headRepository?: string;
  /** GITHUB_REPOSITORY. */
  repository: string;
  /** The branch the event names. */
  branch: string;
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

/** Why the failure is not the branch's own (nothing must be reverted), or undefined when it is. */
export function notABranchFailure(t: TriggerFacts): string | undefined {
  const event = t.eventName === 'workflow_run' ? (t.runEvent ?? '') : t.eventName;
  const what = t.eventName === 'workflow_run' ? `the failing run was triggered by ${event || 'an unknown event'}` : `this job runs on ${event}`;
  const advice = 'greenline reverts a branch only after a run of the branch itself (push, schedule, workflow_dispatch); set both branch and failing-sha to revert anyway';
  if (event === 'merge_group') {
    return `${what} (merge queue group ${t.branch || '?'}): the merge queue drops a failing group by itself, no branch is reverted for it; ${advice}`;
  }
  if (PULL_REQUEST_EVENTS.has(event)) {
    return `${what}: a pull request's failure is not a failure of ${t.branch || 'its branch'}, so nothing was reverted; ${advice}`;
  }
  if (t.eventName === 'workflow_run' && t.headRepository && t.repository && t.headRepository.toLowerCase() !== t.repository.toLowerCase()) {
    return `the failing run is for a commit from the fork ${t.headRepository} (its branch ${t.branch || '?'}), not for ${t.repository}: a pull request from a fork never reverts a branch here; ${advice}`;
  }
  return undefined;
}

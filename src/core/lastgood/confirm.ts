/**
 * `confirm: rerun`: a failure is reverted only when it reproduces. The first failed attempt of a run does not
 * revert: GitHub is asked to re-run the run's failed jobs, and the completion of that attempt (a new
 * `workflow_run` event) decides: failed again → revert, passed → the failure was flaky, the branch is left
 * alone. Only a `workflow_run` job can ask: GitHub refuses to re-run a run still in progress (403 "This workflow
 * is already running"), so a job inside the failing run never could (REFERENCE.md, "Re-run failed jobs").
 */
import { ConfigurationError } from '../action/errors.js';

export interface ConfirmConfig {
  /** The failing run (`workflow_run.id`). */
  runId: number;
  /** The attempt whose completion triggered this job (`workflow_run.run_attempt`, 1 for the first). */
  attempt: number;
  /** The attempt at which a failure is reverted (`confirm-attempts`): attempts before it are re-run. */
  maxAttempts: number;
  /** The triggering run's conclusion (`workflow_run.conclusion`); empty when the event has none. */
  conclusion: string;
  /** The triggering run's page, for the summary. */
  runUrl: string;
}

/** A run as `GET actions/runs/{run_id}` shows it now (its latest attempt). */
export interface RunNow {
  attempt: number;
  status: string | null;
}

/** The Actions API the confirmation needs (`actions: write`). */
export interface RerunPort {
  run(runId: number): Promise<RunNow>;
  /** `already-running`: GitHub's 403 "This workflow is already running" (someone re-ran it meanwhile). */
  rerunFailedJobs(runId: number): Promise<'requested' | 'already-running'>;
}

/** Conclusions of a run with nothing failed: nothing to confirm, nothing to revert. */
const PASSED = new Set(['success', 'neutral', 'skipped']);

/** Why nothing is to be done because the triggering run did not fail (undefined when it failed). */
export function runPassed(c: ConfirmConfig): string | undefined {
  if (!PASSED.has(c.conclusion)) return undefined;
  return c.attempt > 1
    ? `attempt ${c.attempt} of run ${c.runId} concluded ${c.conclusion}: the earlier failure did not reproduce (flaky or environmental), so nothing was reverted`
    : `run ${c.runId} concluded ${c.conclusion}: nothing failed, nothing to revert`;
}

/** Whether this failure still has to be confirmed by another attempt before a revert. */
export function needsConfirmation(c: ConfirmConfig): boolean {
  return c.attempt < c.maxAttempts;
}

/**
 * Asks GitHub to re-run the failed jobs, once per attempt: when the run already has a later attempt (asked
 * before — by this job's own earlier try, or by a person), nothing is asked again and that attempt decides.
 * Returns what was done, for the reason and the steps.
 */
export async function requestRerun(c: ConfirmConfig, port: RerunPort, dryRun: boolean): Promise<{ detail: string; steps: string[] }> {
  const next = c.attempt + 1;
  const decides = `the revert waits for that attempt: it happens only if the failure reproduces`;
  if (dryRun) return { detail: `dry run: would ask GitHub to re-run the failed jobs of run ${c.runId} (attempt ${next}); ${decides}`, steps: [`Would ask GitHub to re-run the failed jobs of run ${c.runId}`] };
  const now = await port.run(c.runId);
  if (now.attempt > c.attempt) {
    const state = now.status === 'completed' ? 'has already run' : 'is already under way';
    return { detail: `attempt ${now.attempt} of run ${c.runId} ${state}: not asking for another re-run; ${decides}`, steps: [`Run ${c.runId} is at attempt ${now.attempt} (${now.status ?? 'unknown'}): no re-run asked`] };
  }
  if (now.status !== 'completed') {
    throw new ConfigurationError(
      `Input "confirm": run ${c.runId} is still in progress (${now.status ?? 'unknown status'}), and GitHub re-runs only a completed run: trigger this workflow with on.workflow_run types: [completed]`,
    );
  }
  const asked = await port.rerunFailedJobs(c.runId);
  if (asked === 'already-running') {
    return { detail: `run ${c.runId} is already being re-run (GitHub: "This workflow is already running"); ${decides}`, steps: [`Run ${c.runId} already re-running: no re-run asked`] };
  }
  return { detail: `asked GitHub to re-run the failed jobs of run ${c.runId} (attempt ${next}); ${decides}`, steps: [`Asked GitHub to re-run the failed jobs of run ${c.runId} (attempt ${next} of at most ${c.maxAttempts})`] };
}

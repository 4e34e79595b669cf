import type { RunContext } from '../../core/action/context.js';
import { ConfigurationError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import { actionsExec } from '../../core/git/actions-exec.js';
import { GitHubChecks } from '../../core/github/checks.js';
import { ApiReruns } from '../../core/github/reruns.js';
import type { ConfirmConfig } from '../../core/lastgood/confirm.js';
import { covered, DEFAULT_MESSAGE_TEMPLATE, type RevertConfig, type RevertDeps } from '../../core/lastgood/revert.js';
import { setupLastGood, type LastGoodSetup } from '../../core/lastgood/setup.js';
import { notABranchFailure, type TriggerFacts } from '../../core/lastgood/trigger.js';
import type { RevertInputs as AutoRevertInputs } from './inputs.js';
import { revertDeps } from './main.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

/** The revert inputs auto-revert and the one-step rollback share (same names, same schema fields). */
export type SharedRevertInputs = Pick<
  AutoRevertInputs,
  | 'method' | 'token' | 'branch' | 'failing-sha' | 'target-sha' | 'ledger-path' | 'ledger-source' | 'preserve-paths'
  | 'require-checks' | 'reason' | 'message' | 'max-per-day' | 'fallback' | 'dry-run' | 'comment-on-pull-request'
  | 'confirm' | 'confirm-attempts' | 'undo'
>;

export interface RevertWiring {
  config: RevertConfig;
  deps: RevertDeps;
  setup: LastGoodSetup;
}

/**
 * Turns the revert inputs and the runner's context into the domain's config and ports, checking what can
 * only be checked against the context (branch, failing commit) before any request is made.
 */
export async function wireRevert(inputs: SharedRevertInputs & { 'failed-in'?: 'tests' | 'production' }, ctx: RunContext, log: Logger): Promise<RevertWiring> {
  if (inputs.undo === 'culprit' && inputs.token === '') throw new ConfigurationError('Input "token": required with undo: culprit (the check runs and commit statuses of the commits are read: checks: read, statuses: read)');
  if (inputs.method === 'api' && inputs.token === '') throw new ConfigurationError('Input "token": required with method: api (the Git Data API needs contents: write)');
  const branch = inputs.branch ?? ctx.branch;
  // A branch and failing commit taken from a pull request's (or a fork's, or a merge queue's) run are not
  // that branch failing: nothing is reverted. Both given explicitly are the user's decision.
  const notBranchFailure = inputs.branch && inputs['failing-sha'] ? undefined : notABranchFailure(triggerFacts(ctx));
  if (!branch && !notBranchFailure) throw new ConfigurationError('Input "branch": the event names no branch; set branch');
  // For workflow_run the failing commit is the triggering run's head, not GITHUB_SHA (the default branch tip).
  const failingSha = inputs['failing-sha'] ?? (ctx.eventName === 'workflow_run' ? ctx.eventHeadSha : ctx.sha);
  if ((!FULL_SHA.test(failingSha) || /^0+$/.test(failingSha)) && !notBranchFailure) {
    throw new ConfigurationError('Input "failing-sha": not given and the event has no commit SHA; set failing-sha');
  }
  const confirm = inputs.confirm === 'rerun' ? confirmConfig(inputs, ctx) : undefined;
  const ledgerPath = inputs['ledger-path'];
  const preservePaths = covered(ledgerPath, inputs['preserve-paths']) ? inputs['preserve-paths'] : [ledgerPath, ...inputs['preserve-paths']];
  const setup = await setupLastGood({
    workspace: ctx.workspace,
    exec: actionsExec,
    token: inputs.token,
    apiUrl: ctx.apiUrl,
    owner: ctx.owner,
    repo: ctx.repo,
    ledgerPath,
    ledgerSource: inputs['ledger-source'],
    requireChecks: inputs['require-checks'],
    log,
  });
  const config: RevertConfig = {
    branch,
    ...(inputs.branch ? {} : { branchFromEvent: true }),
    ...(notBranchFailure ? { notBranchFailure } : {}),
    failingSha,
    ...(inputs['target-sha'] ? { targetSha: inputs['target-sha'] } : {}),
    ledgerPath,
    requireChecks: inputs['require-checks'],
    preservePaths,
    reason: inputs.reason,
    messageTemplate: inputs.message.trim() === '' ? DEFAULT_MESSAGE_TEMPLATE : inputs.message,
    maxPerDay: inputs['max-per-day'],
    fallback: inputs.fallback,
    failedIn: inputs['failed-in'] ?? 'tests',
    undo: inputs.undo,
    dryRun: inputs['dry-run'],
    ...(confirm ? { confirm } : {}),
    now: new Date(),
    runUrl: ctx.runUrl,
    repoUrl: ctx.owner && ctx.repo ? `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}` : '',
  };
  const deps = revertDeps(inputs.method, setup, failingSha, log, undefined, inputs['comment-on-pull-request']);
  // undo: culprit reads every commit's verdicts, with or without require-checks.
  if (inputs.undo === 'culprit' && !deps.checks && setup.github) deps.checks = new GitHubChecks(setup.github, { owner: ctx.owner, repo: ctx.repo });
  if (confirm && setup.github && setup.repo) deps.rerun = new ApiReruns(setup.github, { owner: setup.repo.owner, repo: setup.repo.repo });
  return { config, deps, setup };
}

/**
 * `confirm: rerun` from the event, checked before any request: only a `workflow_run` job can ask for a re-run
 * (GitHub refuses to re-run a run still in progress, 403 "This workflow is already running", so a rollback job
 * inside the failing run cannot confirm its own failure), and it needs the token that asks.
 */
function confirmConfig(inputs: SharedRevertInputs, ctx: RunContext): ConfirmConfig {
  if (ctx.eventName !== 'workflow_run') {
    throw new ConfigurationError(
      `Input "confirm": rerun needs the separate workflow_run lay-out (a workflow on: workflow_run, types: [completed]), and this job runs on ${ctx.eventName || 'an unknown event'}: a job inside the failing run cannot have that run re-run (GitHub answers 403 "This workflow is already running" while it is in progress); set confirm: none here`,
    );
  }
  if (inputs.token === '') throw new ConfigurationError('Input "token": required with confirm: rerun (re-running the failed jobs needs actions: write)');
  const run = (ctx.event.workflow_run ?? {}) as { id?: unknown; run_attempt?: unknown; conclusion?: unknown; html_url?: unknown; head_sha?: unknown };
  const whole = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);
  const runId = whole(run.id);
  const attempt = whole(run.run_attempt);
  if (runId === undefined || attempt === undefined) {
    throw new ConfigurationError('Input "confirm": rerun needs the workflow_run event\'s run id and run_attempt, and this event has none (GitHub Enterprise Server too old?): set confirm: none');
  }
  // A re-run confirms the commit the run tested: a failing-sha naming another commit would be reverted on the
  // strength of someone else's re-run.
  const given = inputs['failing-sha'];
  if (given && typeof run.head_sha === 'string' && run.head_sha.toLowerCase() !== given.toLowerCase()) {
    throw new ConfigurationError(`Input "failing-sha": ${given} is not the commit run ${runId} tested (${run.head_sha.toLowerCase()}), so its re-run cannot confirm that failure: leave failing-sha empty with confirm: rerun`);
  }
  return {
    runId,
    attempt,
    maxAttempts: inputs['confirm-attempts'],
    conclusion: typeof run.conclusion === 'string' ? run.conclusion : '',
    runUrl: typeof run.html_url === 'string' ? run.html_url : '',
  };
}

/** The facts about the event that decide whether its failure is the branch's own (see trigger.ts). */
export function triggerFacts(ctx: RunContext): TriggerFacts {
  const run = ctx.event.workflow_run as { event?: unknown; head_repository?: { full_name?: unknown } | null } | undefined;
  const headRepository = run?.head_repository?.full_name;
  return {
    eventName: ctx.eventName,
    ...(typeof run?.event === 'string' ? { runEvent: run.event } : {}),
    ...(typeof headRepository === 'string' ? { headRepository } : {}),
    repository: ctx.repository,
    branch: ctx.branch,
  };
}

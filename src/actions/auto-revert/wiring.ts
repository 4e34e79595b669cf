import type { RunContext } from '../../core/action/context.js';
import { ConfigurationError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import { actionsExec } from '../../core/git/actions-exec.js';
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
    dryRun: inputs['dry-run'],
    now: new Date(),
    runUrl: ctx.runUrl,
    repoUrl: ctx.owner && ctx.repo ? `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}` : '',
  };
  return { config, deps: revertDeps(inputs.method, setup, failingSha, log, undefined, inputs['comment-on-pull-request']), setup };
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

/**
 * Local workflow executor: runs greenline's example workflows (or any workflow within the supported syntax)
 * on this machine. See executor.ts for what it supports; unsupported syntax is a WorkflowError.
 *
 *   const trace = await runWorkflow({
 *     file: 'examples/workflows/ci-cd.yml', event: 'push', payload: { head_commit: { message } },
 *     github: { sha, api_url }, workflowEnv: { IMAGE: `${registry}/owner/app` }, workspaceRoot: tmp,
 *     emulations: { 'actions/checkout': checkout({ remote }), 'docker/login-action': noop(), … },
 *   });
 *   expect(jobResults(trace)).toEqual({ test: 'failure', build: 'success', promote: 'skipped', rollback: 'success' });
 *   console.log(formatTimeline(trace));
 */
export { runWorkflow, loadWorkflow, parseUses, resolveUses, orderJobs, effectivePermissions, type UsesTarget, type LoadedWorkflow } from './executor.js';
export { checkout, noop, staticOutputs, isGitCheckout } from './emulations.js';
export { findJob, findStep, jobResults, formatTimeline, type TimelineOptions } from './timeline.js';
export { branchHead, pushPayload } from './events.js';
export { lintWorkflow, lintWorkflowFile, type LintFinding } from './lint.js';
export * from './types.js';

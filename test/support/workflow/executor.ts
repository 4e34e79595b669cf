/**
 * A local executor for GitHub Actions workflow files, for greenline's example workflows end to end.
 *
 * Jobs run one at a time in `needs` order (declaration order among independent jobs), each in a fresh
 * workspace. `if:` (implicit success()), `${{ }}` in every place GitHub allows them (with GitHub's own
 * evaluator and its context-availability rules), `run:` steps in bash exactly as the runner invokes it,
 * GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY, step and job outputs, continue-on-error,
 * timeout-minutes (enforced), defaults.run, permissions (recorded, handed to `tokenForJob`), concurrency
 * (evaluated and recorded; runs are sequential anyway). greenline's own actions run through the harness
 * (their bundles, as the runner runs them); every other action must have an emulation.
 *
 * Anything not implemented is a WorkflowError before the first job starts, never a silent skip.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../action-yml.js';
import { runAction } from '../harness.js';
import {
  ExpressionRuntimeError,
  checkTemplate,
  conditionExpression,
  evaluateCondition,
  evaluateValue,
  hasExpression,
  interpolateString,
  withImplicitSuccess,
  type EvalContext,
  type Scope,
} from './expressions.js';
import { maskText, parseFileCommand, parsePathFile, parseWorkflowCommands, runProcess, shellCommand } from './process.js';
import { PERMISSION_SCOPES, parseWorkflowSpec, type ConcurrencySpec, type JobSpec, type PermissionsSpec, type Scalar, type StepSpec, type WorkflowSpec } from './schema.js';
import { checkOn, decideTrigger, dispatchInputs, normaliseOn } from './triggers.js';
import {
  WorkflowError,
  type Emulation,
  type JobResult,
  type JobTrace,
  type Permissions,
  type RunWorkflowOptions,
  type StepOutcome,
  type StepTrace,
  type WorkflowTrace,
} from './types.js';

/** How a `uses:` resolves. */
export type UsesTarget =
  | { kind: 'greenline'; action: string; ref: string }
  | { kind: 'emulation'; key: string; action: string; ref: string; emulation: Emulation };

/**
 * Parses `owner/repo[/path]@ref`. greenline is any owner's `greenline` repository: the root is the one-step
 * rollback (`rollback`), `actions/<name>` a sub-action. Local (`./`) and `docker://` actions are refused.
 */
export function parseUses(uses: string): { owner: string; repo: string; path: string; ref: string } {
  if (uses.startsWith('./') || uses.startsWith('../')) throw new WorkflowError(`uses: ${uses}: local actions are not supported by the local workflow executor`);
  if (uses.startsWith('docker://')) throw new WorkflowError(`uses: ${uses}: docker actions are not supported by the local workflow executor`);
  const m = /^([A-Za-z0-9-_.]+)\/([A-Za-z0-9-_.]+)((?:\/[^@\s]+)?)@([^\s@]+)$/.exec(uses);
  if (!m) throw new WorkflowError(`uses: ${JSON.stringify(uses)} is not owner/repo[/path]@ref`);
  return { owner: m[1]!, repo: m[2]!, path: m[3]!.replace(/^\//, ''), ref: m[4]! };
}

export function resolveUses(uses: string, options: Pick<RunWorkflowOptions, 'emulations' | 'greenlineRef'>): UsesTarget {
  const { owner, repo, path, ref } = parseUses(uses);
  if (repo === 'greenline') {
    if (options.greenlineRef !== undefined && ref !== options.greenlineRef) {
      throw new WorkflowError(`uses: ${uses}: greenline is pinned to ${ref}, expected ${options.greenlineRef}`);
    }
    let action: string;
    if (path === '') action = 'rollback';
    else {
      const sub = /^actions\/([a-z0-9-]+)$/.exec(path);
      if (!sub) throw new WorkflowError(`uses: ${uses}: greenline has no action at ${path}`);
      action = sub[1]!;
    }
    return { kind: 'greenline', action, ref };
  }
  const name = `${owner}/${repo}${path ? `/${path}` : ''}`;
  const emulations = options.emulations ?? {};
  for (const key of [`${name}@${ref}`, name]) {
    const emulation = emulations[key];
    if (emulation) return { kind: 'emulation', key, action: name, ref, emulation };
  }
  throw new WorkflowError(`uses: ${uses}: no emulation for ${name} (pass one in options.emulations, keyed ${name})`);
}

/** Orders jobs by `needs` (declaration order among the ready ones); unknown needs and cycles are errors. */
export function orderJobs(jobs: Record<string, JobSpec>, file: string): string[] {
  const ids = Object.keys(jobs);
  const needs = new Map(ids.map((id) => [id, needsOf(jobs[id]!)]));
  for (const [id, list] of needs) {
    for (const n of list) if (!(n in jobs)) throw new WorkflowError(`${file}: jobs.${id}.needs: no job ${n}`);
    if (new Set(list).size !== list.length) throw new WorkflowError(`${file}: jobs.${id}.needs lists a job twice`);
  }
  const done: string[] = [];
  while (done.length < ids.length) {
    const next = ids.find((id) => !done.includes(id) && needs.get(id)!.every((n) => done.includes(n)));
    if (!next) throw new WorkflowError(`${file}: jobs have a needs cycle among ${ids.filter((id) => !done.includes(id)).join(', ')}`);
    done.push(next);
  }
  return done;
}

function needsOf(job: JobSpec): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function ancestorsOf(id: string, jobs: Record<string, JobSpec>): Set<string> {
  const out = new Set<string>();
  const visit = (j: string) => {
    for (const n of needsOf(jobs[j]!)) {
      if (!out.has(n)) {
        out.add(n);
        visit(n);
      }
    }
  };
  visit(id);
  return out;
}

export function effectivePermissions(job: PermissionsSpec | undefined, workflow: PermissionsSpec | undefined): Permissions {
  const spec = job ?? workflow;
  if (spec === undefined) return 'repository-default';
  const all = (level: 'read' | 'write' | 'none') => Object.fromEntries(PERMISSION_SCOPES.map((s) => [s, s === 'id-token' && level === 'read' ? 'none' : level]));
  if (spec === 'read-all') return all('read');
  if (spec === 'write-all') return all('write');
  return { ...all('none'), ...spec };
}

// ---------------------------------------------------------------------------------------------------------
// Static checks: every expression parses in its place, `uses:` resolve, no expressions where GitHub forbids.

function checkWorkflow(spec: WorkflowSpec, file: string, options: Pick<RunWorkflowOptions, 'emulations' | 'greenlineRef' | 'workflowEnv'>): void {
  checkTemplate(spec['run-name'], 'run-name', `${file}: run-name`);
  checkConcurrency(spec.concurrency, 'workflow-concurrency', `${file}: concurrency`);
  for (const [k, v] of Object.entries(spec.env ?? {})) checkTemplate(v, 'workflow-env', `${file}: env.${k}`);
  checkDefaults(spec.defaults, `${file}: defaults`);
  for (const key of Object.keys(options.workflowEnv ?? {})) {
    if (!(key in (spec.env ?? {}))) throw new WorkflowError(`${file}: workflowEnv.${key}: the workflow's env: has no ${key} (has: ${Object.keys(spec.env ?? {}).join(', ') || 'nothing'})`);
  }
  for (const [id, job] of Object.entries(spec.jobs)) {
    const at = `${file}: jobs.${id}`;
    withImplicitSuccess(conditionExpression(job.if, `${at}.if`), 'job-if', `${at}.if`);
    checkTemplate(job.name, 'job-name', `${at}.name`);
    for (const label of [job['runs-on']].flat()) checkTemplate(typeof label === 'string' ? label : JSON.stringify(label), 'job-runs-on', `${at}.runs-on`);
    for (const [k, v] of Object.entries(job.env ?? {})) checkTemplate(v, 'job-env', `${at}.env.${k}`);
    if (job.environment !== undefined) checkTemplate(typeof job.environment === 'string' ? job.environment : job.environment.name, 'job-environment', `${at}.environment`);
    checkConcurrency(job.concurrency, 'job-concurrency', `${at}.concurrency`);
    checkTemplate(job['timeout-minutes'], 'job-timeout', `${at}.timeout-minutes`);
    for (const [k, v] of Object.entries(job.outputs ?? {})) checkTemplate(v, 'job-outputs', `${at}.outputs.${k}`);
    checkDefaults(job.defaults, `${at}.defaults`);
    const stepIds = new Set<string>();
    job.steps.forEach((step, i) => {
      const where = `${at}.steps[${i}]${step.id ? ` (${step.id})` : ''}`;
      if (step.id !== undefined) {
        if (step.id.startsWith('__')) throw new WorkflowError(`${where}: step ids starting with __ are reserved`);
        if (stepIds.has(step.id)) throw new WorkflowError(`${where}: duplicate step id ${step.id}`);
        stepIds.add(step.id);
      }
      withImplicitSuccess(conditionExpression(step.if, `${where}.if`), 'step-if', `${where}.if`);
      for (const [key, scope] of [['name', 'step'], ['run', 'step'], ['working-directory', 'step'], ['continue-on-error', 'step'], ['timeout-minutes', 'step']] as const) {
        checkTemplate(step[key], scope, `${where}.${key}`);
      }
      for (const [k, v] of Object.entries(step.with ?? {})) checkTemplate(v, 'step', `${where}.with.${k}`);
      for (const [k, v] of Object.entries(step.env ?? {})) checkTemplate(v, 'step', `${where}.env.${k}`);
      if (hasExpression(step.uses)) throw new WorkflowError(`${where}.uses: expressions are not allowed in uses:`);
      if (hasExpression(step.shell)) throw new WorkflowError(`${where}.shell: expressions are not allowed in shell:`);
      if (step.uses !== undefined) resolveUses(step.uses, options);
      if (step.run !== undefined) shellCommand(step.shell ?? job.defaults?.run?.shell ?? spec.defaults?.run?.shell, '/dev/null');
    });
  }
}

function checkConcurrency(c: ConcurrencySpec | undefined, scope: Scope, where: string): void {
  if (c === undefined) return;
  if (typeof c === 'string') checkTemplate(c, scope, where);
  else {
    checkTemplate(c.group, scope, `${where}.group`);
    checkTemplate(c['cancel-in-progress'], scope, `${where}.cancel-in-progress`);
  }
}

function checkDefaults(d: WorkflowSpec['defaults'], where: string): void {
  for (const [k, v] of Object.entries(d?.run ?? {})) {
    if (hasExpression(v)) throw new WorkflowError(`${where}.run.${k}: contexts and expressions are not allowed in defaults.run`);
  }
}

// ---------------------------------------------------------------------------------------------------------

let runCounter = 0;

function stringsOf(values: Record<string, Scalar> | undefined): [string, Scalar][] {
  return Object.entries(values ?? {});
}

function scalarString(v: Scalar): string {
  return v === null ? '' : String(v);
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

function buildGithub(options: RunWorkflowOptions, spec: WorkflowSpec, file: string) {
  const given = options.github ?? {};
  const payloadIn = options.payload ?? {};
  const pr = payloadIn.pull_request as { number?: number; head?: { sha?: string; ref?: string }; base?: { ref?: string } } | undefined;
  const sha = given.sha ?? (typeof payloadIn.after === 'string' ? payloadIn.after : undefined) ?? pr?.head?.sha;
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) throw new WorkflowError(`runWorkflow: github.sha must be a full commit SHA (got ${JSON.stringify(sha)})`);
  const ref =
    given.ref ??
    (typeof payloadIn.ref === 'string' && payloadIn.ref.startsWith('refs/') ? payloadIn.ref : undefined) ??
    (options.event.startsWith('pull_request') && pr?.number !== undefined ? `refs/pull/${pr.number}/merge` : 'refs/heads/main');
  const repository = given.repository ?? 'owner/app';
  const [owner = '', name = ''] = repository.split('/');
  const actor = given.actor ?? 'octocat';
  const runId = given.run_id ?? String(Date.now() * 10 + (runCounter++ % 10));
  const baseline = {
    sha,
    ref,
    repository,
    actor,
    triggering_actor: given.triggering_actor ?? actor,
    token: given.token ?? 'ghs_local_executor_token',
    run_id: runId,
    run_number: given.run_number ?? '1',
    run_attempt: given.run_attempt ?? '1',
    server_url: given.server_url ?? 'https://github.com',
    api_url: given.api_url ?? 'http://127.0.0.1:9/unreachable-api',
    graphql_url: given.graphql_url ?? 'http://127.0.0.1:9/unreachable-graphql',
    base_ref: given.base_ref ?? (options.event.startsWith('pull_request') ? (pr?.base?.ref ?? '') : ''),
    head_ref: given.head_ref ?? (options.event.startsWith('pull_request') ? (pr?.head?.ref ?? '') : ''),
  };
  const defaults: Record<string, unknown> = {
    repository: { full_name: repository, name, owner: { login: owner }, default_branch: 'main' },
    sender: { login: actor },
  };
  if (options.event === 'push') Object.assign(defaults, { ref, after: sha, before: '0'.repeat(40), head_commit: { id: sha, message: '' } });
  if (options.event === 'schedule') {
    const cron = (spec.on as { schedule?: { cron?: string }[] } | null)?.schedule?.[0]?.cron;
    if (cron) defaults.schedule = cron;
  }
  const payload: Record<string, unknown> = { ...defaults, ...payloadIn };
  return {
    baseline,
    context: {
      ...baseline,
      event_name: options.event,
      event: payload,
      ref_name: refName(ref),
      ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      ref_protected: false,
      repository_owner: owner,
      repositoryUrl: `git://github.com/${repository}.git`,
      retention_days: '90',
      secret_source: 'Actions',
      workflow: spec.name ?? file,
      workflow_ref: `${repository}/${file}@${ref}`,
      workflow_sha: sha,
      action: '',
      action_path: '',
      action_ref: '',
      action_repository: '',
      action_status: '',
      path: '',
      env: '',
      job: '',
      workspace: '',
    } as Record<string, unknown>,
  };
}

interface RunState {
  options: RunWorkflowOptions;
  spec: WorkflowSpec;
  file: string;
  github: Record<string, unknown>;
  baseline: ReturnType<typeof buildGithub>['baseline'];
  inputs: Record<string, unknown>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  workflowEnv: Record<string, string>;
  results: Map<string, { result: JobResult; outputs: Record<string, string> }>;
}

export interface LoadedWorkflow {
  /** As shown in messages: relative to the repository root when inside it. */
  file: string;
  spec: WorkflowSpec;
  events: ReturnType<typeof normaliseOn>;
  /** Job ids in execution order. */
  order: string[];
}

/**
 * Parses and checks a workflow without running it: YAML, supported syntax, `on:`, the needs graph, every
 * expression in its place, every `uses:` resolvable (greenline or an emulation), `workflowEnv` keys.
 */
export function loadWorkflow(options: Pick<RunWorkflowOptions, 'file' | 'emulations' | 'greenlineRef' | 'workflowEnv'>): LoadedWorkflow {
  const abs = resolve(options.file);
  const file = relative(ROOT, abs).startsWith('..') ? abs : relative(ROOT, abs);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(abs, 'utf8'), { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    throw new WorkflowError(`${file}: YAML: ${(error as Error).message}`);
  }
  const spec = parseWorkflowSpec(doc, file);
  const events = normaliseOn(spec.on, file);
  checkOn(events, file);
  const order = orderJobs(spec.jobs, file);
  checkWorkflow(spec, file, options);
  return { file, spec, events, order };
}

/** Runs a workflow file for one event and returns the trace. Throws WorkflowError for what it cannot run. */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowTrace> {
  const started = Date.now();
  const { file, spec, events, order } = loadWorkflow(options);

  const { baseline, context: github } = buildGithub(options, spec, file);
  let inputs: Record<string, unknown> = {};
  if (options.event === 'workflow_dispatch') {
    const dispatch = dispatchInputs(events.get('workflow_dispatch') ?? null, options.inputs, file);
    inputs = dispatch.context;
    const event = github.event as Record<string, unknown>;
    github.event = { ...event, inputs: { ...dispatch.event, ...((event.inputs as object | undefined) ?? {}) }, ref: baseline.ref };
  } else if (options.inputs && Object.keys(options.inputs).length > 0) {
    throw new WorkflowError(`runWorkflow: inputs are only for workflow_dispatch (event is ${options.event})`);
  }
  const decision = decideTrigger(events, options.event, baseline.ref, github.event as Record<string, unknown>, file);
  const trace: WorkflowTrace = {
    file,
    name: spec.name ?? file,
    event: options.event,
    triggered: decision.run,
    github,
    conclusion: 'skipped',
    jobs: [],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
  };
  if (!decision.run) {
    trace.notTriggeredReason = decision.reason;
    options.onEvent?.({ type: 'workflow-skip', workflow: trace.name, reason: decision.reason ?? '' });
    trace.durationMs = Date.now() - started;
    return trace;
  }
  options.onEvent?.({ type: 'workflow-start', workflow: trace.name, event: options.event, sha: baseline.sha });

  const secrets = { ...(options.secrets ?? {}) };
  const vars = { ...(options.vars ?? {}) };
  const top: EvalContext = { contexts: { github, inputs, vars, secrets: { ...secrets, GITHUB_TOKEN: baseline.token } } };
  if (spec['run-name'] !== undefined) trace.runName = interpolateString(spec['run-name'], 'run-name', top, `${file}: run-name`);
  trace.concurrency = evaluateConcurrency(spec.concurrency, 'workflow-concurrency', top, `${file}: concurrency`);
  const workflowEnv: Record<string, string> = {};
  for (const [k, v] of stringsOf(spec.env)) {
    workflowEnv[k] = options.workflowEnv && k in options.workflowEnv ? options.workflowEnv[k]! : interpolateString(scalarString(v), 'workflow-env', top, `${file}: env.${k}`);
  }

  const state: RunState = { options, spec, file, github, baseline, inputs, secrets, vars, workflowEnv, results: new Map() };
  for (const id of order) {
    const job = await runJob(state, id);
    trace.jobs.push(job);
    state.results.set(id, { result: job.result, outputs: job.outputs });
  }
  trace.conclusion = trace.jobs.some((j) => j.result === 'failure' || j.result === 'cancelled') ? 'failure' : 'success';
  trace.durationMs = Date.now() - started;
  options.onEvent?.({ type: 'workflow-end', workflow: trace.name, conclusion: trace.conclusion });
  return trace;
}

function evaluateConcurrency(c: ConcurrencySpec | undefined, scope: Scope, ctx: EvalContext, where: string) {
  if (c === undefined) return undefined;
  if (typeof c === 'string') return { group: interpolateString(c, scope, ctx, where), cancelInProgress: false };
  const cancel = evaluateValue(c['cancel-in-progress'] ?? false, scope, ctx, `${where}.cancel-in-progress`);
  return { group: interpolateString(c.group, scope, ctx, `${where}.group`), cancelInProgress: cancel === true || cancel === 'true' };
}

function needsContext(state: RunState, job: JobSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of needsOf(job)) {
    const r = state.results.get(n)!;
    out[n] = { result: r.result, outputs: r.outputs };
  }
  return out;
}

function jobStatusFunctions(state: RunState, id: string) {
  const job = state.spec.jobs[id]!;
  const ancestors = [...ancestorsOf(id, state.spec.jobs)].map((a) => state.results.get(a)!.result);
  const direct = needsOf(job).map((n) => state.results.get(n)!.result);
  return {
    success: direct.every((r) => r === 'success') && !ancestors.some((r) => r === 'failure' || r === 'cancelled'),
    failure: ancestors.some((r) => r === 'failure'),
    cancelled: false,
  };
}

async function runJob(state: RunState, id: string): Promise<JobTrace> {
  const { spec, file, options } = state;
  const job = spec.jobs[id]!;
  const at = `${file}: jobs.${id}`;
  const started = Date.now();
  const needs = needsContext(state, job);
  const jobGithub = { ...state.github, job: id };
  const jobCtx: EvalContext = { contexts: { github: jobGithub, needs, vars: state.vars, inputs: state.inputs }, status: jobStatusFunctions(state, id) };
  const permissions = effectivePermissions(job.permissions, spec.permissions);
  const trace: JobTrace = {
    id,
    name: id,
    needs: needsOf(job),
    result: 'skipped',
    condition: { expression: '', value: false },
    permissions,
    outputs: {},
    steps: [],
    summary: '',
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
  };
  const finish = (result: JobResult) => {
    trace.result = result;
    trace.durationMs = Date.now() - started;
    options.onEvent?.({ type: 'job-end', job: id, result });
    return trace;
  };
  try {
    trace.name = job.name !== undefined ? interpolateString(job.name, 'job-name', jobCtx, `${at}.name`) : id;
    trace.condition = evaluateCondition(job.if, 'job-if', jobCtx, `${at}.if`);
  } catch (error) {
    if (!(error instanceof ExpressionRuntimeError)) throw error;
    trace.error = error.message;
    return finish('failure');
  }
  if (!trace.condition.value) return finish('skipped');
  options.onEvent?.({ type: 'job-start', job: id, name: trace.name });

  // A fresh runner: workspace, temp, the event file.
  const base = join(resolve(options.workspaceRoot), `run-${state.baseline.run_id}`, id);
  const workspace = join(base, 'workspace');
  const temp = join(base, 'temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(temp, { recursive: true });
  mkdirSync(join(base, 'tool-cache'), { recursive: true });
  trace.workspace = workspace;
  const eventPath = join(temp, 'event.json');
  writeFileSync(eventPath, JSON.stringify(state.github.event, null, 2));

  const token = options.tokenForJob ? await options.tokenForJob({ id, permissions }) : state.baseline.token;
  const github = { ...jobGithub, token, workspace, event_path: eventPath };
  const secrets = { ...state.secrets, GITHUB_TOKEN: token };
  const masks = new Set<string>([token, ...Object.values(state.secrets)].filter((s) => s.length > 0));
  const runner = { name: 'greenline-local', os: 'Linux', arch: 'X64', temp, tool_cache: join(base, 'tool-cache'), environment: 'github-hosted', debug: '' };
  const jobStatus = { value: 'success' as 'success' | 'failure' | 'cancelled' };
  const stepsCtx: Record<string, { outputs: Record<string, string>; outcome: StepOutcome; conclusion: StepOutcome }> = {};
  const ctxFor = (scope: 'job-env' | 'job-outputs' | 'step' | 'step-if' | 'job-concurrency' | 'job-runs-on' | 'job-timeout' | 'job-environment', env: Record<string, string>): EvalContext => ({
    contexts: { github, needs, vars: state.vars, inputs: state.inputs, secrets, env, steps: stepsCtx, runner, job: { status: jobStatus.value, container: {}, services: {} } },
    status: scope === 'step-if' ? { success: jobStatus.value === 'success', failure: jobStatus.value === 'failure', cancelled: false } : undefined,
    workspace,
  });

  let jobEnv: Record<string, string>;
  let timeoutMinutes: number;
  try {
    trace.runsOn = [job['runs-on']].flat().map((l) => interpolateString(typeof l === 'string' ? l : JSON.stringify(l), 'job-runs-on', ctxFor('job-runs-on', {}), `${at}.runs-on`)).join(', ');
    trace.concurrency = evaluateConcurrency(job.concurrency, 'job-concurrency', ctxFor('job-concurrency', {}), `${at}.concurrency`);
    if (job.environment !== undefined) {
      const name = typeof job.environment === 'string' ? job.environment : job.environment.name;
      trace.environment = interpolateString(name, 'job-environment', ctxFor('job-environment', {}), `${at}.environment`);
    }
    jobEnv = { ...state.workflowEnv };
    for (const [k, v] of stringsOf(job.env)) jobEnv[k] = interpolateString(scalarString(v), 'job-env', ctxFor('job-env', {}), `${at}.env.${k}`);
    const t = evaluateValue(job['timeout-minutes'] ?? options.defaultTimeoutMinutes ?? 360, 'job-timeout', ctxFor('job-timeout', {}), `${at}.timeout-minutes`);
    timeoutMinutes = Number(t);
    if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) throw new ExpressionRuntimeError(`${at}.timeout-minutes: ${JSON.stringify(t)} is not a positive number`);
  } catch (error) {
    if (!(error instanceof ExpressionRuntimeError)) throw error;
    trace.error = error.message;
    return finish('failure');
  }
  const deadline = started + timeoutMinutes * 60_000;
  const defaultsRun = { ...(spec.defaults?.run ?? {}), ...(job.defaults?.run ?? {}) };
  const exported: Record<string, string> = {};
  const extraPath: string[] = [];

  for (const [index, step] of job.steps.entries()) {
    const envContext = { ...jobEnv, ...exported };
    const stepTrace = await runStep({
      state,
      jobId: id,
      at: `${at}.steps[${index}]${step.id ? ` (${step.id})` : ''}`,
      index,
      step,
      envContext,
      ctxFor,
      github,
      workspace,
      temp,
      eventPath,
      masks,
      exported,
      extraPath,
      defaultsRun,
      deadline,
      jobTimedOut: Date.now() >= deadline,
    });
    trace.steps.push(stepTrace);
    trace.summary += stepTrace.summary;
    if (step.id !== undefined) stepsCtx[step.id] = { outputs: stepTrace.outputs, outcome: stepTrace.outcome, conclusion: stepTrace.conclusion };
    if (stepTrace.conclusion === 'failure') jobStatus.value = 'failure';
    if (stepTrace.timedOut && Date.now() >= deadline) trace.timedOut = true;
    options.onEvent?.({ type: 'step-end', job: id, step: stepTrace });
  }

  // Job outputs: evaluated after the steps; a value carrying a secret is dropped, as GitHub does.
  const envContext = { ...jobEnv, ...exported };
  for (const [name, template] of Object.entries(job.outputs ?? {})) {
    try {
      const value = interpolateString(template, 'job-outputs', ctxFor('job-outputs', envContext), `${at}.outputs.${name}`);
      if ([...masks].some((m) => m.length >= 3 && value.includes(m))) {
        trace.error = `${trace.error ? `${trace.error}; ` : ''}output ${name} skipped: it may contain a secret`;
        continue;
      }
      trace.outputs[name] = value;
    } catch (error) {
      if (!(error instanceof ExpressionRuntimeError)) throw error;
      trace.error = error.message;
      jobStatus.value = 'failure';
    }
  }
  return finish(trace.timedOut ? 'failure' : jobStatus.value === 'success' ? 'success' : 'failure');
}

interface StepArgs {
  state: RunState;
  jobId: string;
  at: string;
  index: number;
  step: StepSpec;
  envContext: Record<string, string>;
  ctxFor: (scope: 'step' | 'step-if', env: Record<string, string>) => EvalContext;
  github: Record<string, unknown>;
  workspace: string;
  temp: string;
  eventPath: string;
  masks: Set<string>;
  exported: Record<string, string>;
  extraPath: string[];
  defaultsRun: { shell?: string; 'working-directory'?: string };
  deadline: number;
  jobTimedOut: boolean;
}

function defaultStepName(step: StepSpec): string {
  if (step.uses !== undefined) return `Run ${step.uses}`;
  const first = (step.run ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
  return `Run ${first.trim()}`;
}

async function runStep(a: StepArgs): Promise<StepTrace> {
  const { step, at } = a;
  const started = Date.now();
  const trace: StepTrace = {
    index: a.index,
    id: step.id,
    name: step.name ?? defaultStepName(step),
    kind: step.uses !== undefined ? 'uses' : 'run',
    uses: step.uses,
    outcome: 'skipped',
    conclusion: 'skipped',
    continueOnError: false,
    outputs: {},
    stdout: '',
    stderr: '',
    summary: '',
    annotations: [],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
  };
  const done = () => {
    trace.durationMs = Date.now() - started;
    trace.stdout = maskText(trace.stdout, a.masks);
    trace.stderr = maskText(trace.stderr, a.masks);
    return trace;
  };
  const fail = (message: string) => {
    trace.error = message;
    trace.outcome = 'failure';
    trace.conclusion = trace.continueOnError ? 'success' : 'failure';
    return done();
  };
  const stepCtx = () => a.ctxFor('step', a.envContext);
  try {
    if (step.name !== undefined) trace.name = interpolateString(step.name, 'step', stepCtx(), `${at}.name`);
  } catch {
    // GitHub shows the raw name when it cannot be evaluated; the step itself may still run.
  }
  if (a.jobTimedOut) {
    trace.error = 'not run: the job exceeded its timeout-minutes';
    return done();
  }

  let env: Record<string, string>;
  let timeoutMs: number;
  try {
    trace.condition = evaluateCondition(step.if, 'step-if', a.ctxFor('step-if', a.envContext), `${at}.if`);
    if (!trace.condition.value) return done();
    const coe = evaluateValue(step['continue-on-error'] ?? false, 'step', stepCtx(), `${at}.continue-on-error`);
    trace.continueOnError = coe === true || coe === 'true';
    env = { ...a.envContext };
    for (const [k, v] of stringsOf(step.env)) env[k] = interpolateString(scalarString(v), 'step', stepCtx(), `${at}.env.${k}`);
    const minutes = step['timeout-minutes'] !== undefined ? Number(evaluateValue(step['timeout-minutes'], 'step', stepCtx(), `${at}.timeout-minutes`)) : Infinity;
    if (Number.isNaN(minutes) || minutes <= 0) throw new ExpressionRuntimeError(`${at}.timeout-minutes must be a positive number`);
    timeoutMs = Math.min(minutes * 60_000, a.deadline - Date.now());
  } catch (error) {
    if (!(error instanceof ExpressionRuntimeError)) throw error;
    return fail(error.message);
  }
  const ctx = a.ctxFor('step', env);

  // Per-step files, like the runner's.
  const files = {
    output: join(a.temp, `output-${a.index}-${randomUUID()}`),
    env: join(a.temp, `env-${a.index}-${randomUUID()}`),
    path: join(a.temp, `path-${a.index}-${randomUUID()}`),
    summary: join(a.temp, `summary-${a.index}-${randomUUID()}`),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const processEnv = (withFiles: boolean): Record<string, string> => {
    const runnerEnv = a.state.options.runnerEnv ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? a.temp, LANG: 'C.UTF-8' };
    const out: Record<string, string> = { ...runnerEnv, ...env, ...defaultEnv(a, files, withFiles) };
    if (a.extraPath.length) out.PATH = [...a.extraPath, out.PATH ?? ''].join(':');
    return out;
  };

  trace.outcome = 'success';
  try {
    if (step.run !== undefined) {
      trace.kind = 'run';
      const script = interpolateString(step.run, 'step', ctx, `${at}.run`);
      const shell = step.shell ?? a.defaultsRun.shell;
      const cmdProbe = shellCommand(shell, '');
      const scriptPath = join(a.temp, `${randomUUID()}${cmdProbe.ext}`);
      writeFileSync(scriptPath, script);
      const cmd = shellCommand(shell, scriptPath);
      const wd = step['working-directory'] !== undefined ? interpolateString(step['working-directory'], 'step', ctx, `${at}.working-directory`) : a.defaultsRun['working-directory'];
      const cwd = wd ? (isAbsolute(wd) ? wd : join(a.workspace, wd)) : a.workspace;
      const r = await runProcess(cmd.file, cmd.args, { cwd, env: processEnv(true), timeoutMs });
      trace.stdout = r.stdout;
      trace.stderr = r.stderr;
      trace.exitCode = r.exitCode;
      if (r.spawnError) trace.error = r.spawnError;
      if (r.timedOut) {
        trace.timedOut = true;
        trace.error = `timed out after ${Math.round(timeoutMs / 1000)} s`;
      }
      if (r.exitCode !== 0 || r.timedOut || r.spawnError) trace.outcome = 'failure';
    } else {
      const target = resolveUses(step.uses!, a.state.options);
      const inputs: Record<string, string> = {};
      for (const [k, v] of stringsOf(step.with)) inputs[k] = interpolateString(scalarString(v), 'step', ctx, `${at}.with.${k}`);
      trace.with = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, maskText(v, a.masks)]));
      if (target.kind === 'greenline') {
        trace.via = { greenline: target.action };
        await runGreenline(a, target.action, inputs, processEnv(false), timeoutMs, trace);
      } else {
        trace.via = { emulation: target.key };
        await runEmulation(a, target, inputs, processEnv(true), timeoutMs, trace, files);
      }
    }
    // File commands: outputs, env, path, summary.
    trace.outputs = { ...trace.outputs, ...parseFileCommand(readFileSync(files.output, 'utf8'), 'GITHUB_OUTPUT') };
    Object.assign(a.exported, parseFileCommand(readFileSync(files.env, 'utf8'), 'GITHUB_ENV'));
    a.extraPath.unshift(...parsePathFile(readFileSync(files.path, 'utf8')).reverse());
    trace.summary += readFileSync(files.summary, 'utf8');
  } catch (error) {
    if (error instanceof WorkflowError) throw error;
    trace.error = trace.error ? `${trace.error}; ${(error as Error).message}` : (error as Error).message;
    trace.outcome = 'failure';
  }
  const commands = parseWorkflowCommands(trace.stdout);
  for (const m of commands.masks) a.masks.add(m);
  trace.annotations.push(...commands.annotations);
  if (commands.refused.length) {
    trace.error = [trace.error, ...commands.refused].filter(Boolean).join('; ');
    trace.outcome = 'failure';
  }
  trace.conclusion = trace.outcome === 'failure' && trace.continueOnError ? 'success' : trace.outcome;
  return done();
}

/** The runner's default environment variables for a step (they win over env: of the same name). */
function defaultEnv(a: StepArgs, files: { output: string; env: string; path: string; summary: string }, withFiles: boolean): Record<string, string> {
  const g = a.github;
  const s = (k: string) => String(g[k] ?? '');
  const out: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: a.step.id ?? `__run_${a.index}`,
    GITHUB_ACTOR: s('actor'),
    GITHUB_API_URL: s('api_url'),
    GITHUB_BASE_REF: s('base_ref'),
    GITHUB_EVENT_NAME: s('event_name'),
    GITHUB_GRAPHQL_URL: s('graphql_url'),
    GITHUB_HEAD_REF: s('head_ref'),
    GITHUB_JOB: a.jobId,
    GITHUB_REF: s('ref'),
    GITHUB_REF_NAME: s('ref_name'),
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_REF_TYPE: s('ref_type'),
    GITHUB_REPOSITORY: s('repository'),
    GITHUB_REPOSITORY_OWNER: s('repository_owner'),
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ATTEMPT: s('run_attempt'),
    GITHUB_RUN_ID: s('run_id'),
    GITHUB_RUN_NUMBER: s('run_number'),
    GITHUB_SERVER_URL: s('server_url'),
    GITHUB_SHA: s('sha'),
    GITHUB_TRIGGERING_ACTOR: s('triggering_actor'),
    GITHUB_WORKFLOW: s('workflow'),
    GITHUB_WORKFLOW_REF: s('workflow_ref'),
    GITHUB_WORKFLOW_SHA: s('workflow_sha'),
    GITHUB_WORKSPACE: a.workspace,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'greenline-local',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: a.temp,
    RUNNER_TOOL_CACHE: join(a.temp, '..', 'tool-cache'),
    RUNNER_ENVIRONMENT: 'github-hosted',
  };
  // The harness makes its own output, summary and event files for greenline bundles.
  if (withFiles) Object.assign(out, { GITHUB_OUTPUT: files.output, GITHUB_STEP_SUMMARY: files.summary, GITHUB_EVENT_PATH: a.eventPath });
  return out;
}

async function runGreenline(a: StepArgs, action: string, inputs: Record<string, string>, env: Record<string, string>, timeoutMs: number, trace: StepTrace): Promise<void> {
  const bundle = join(ROOT, 'dist', action, 'index.js');
  if (!existsSync(bundle)) throw new WorkflowError(`${a.at}: greenline action ${action} has no bundle at ${relative(ROOT, bundle)} (run npm run build)`);
  let result;
  try {
    result = await runAction(action, {
      inputs,
      env,
      event: a.github.event as Record<string, unknown>,
      workspace: a.workspace,
      github: { sha: String(a.github.sha), token: String(a.github.token), actor: String(a.github.actor), repository: String(a.github.repository), ref: String(a.github.ref) },
      timeoutMs: Math.max(1, timeoutMs),
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/did not finish within/.test(message)) {
      trace.timedOut = true;
      trace.outcome = 'failure';
      trace.error = `timed out after ${Math.round(timeoutMs / 1000)} s`;
      return;
    }
    // The harness refuses inputs the action.yml does not declare, or a missing action.yml: a workflow bug.
    throw new WorkflowError(`${a.at}: ${message}`);
  }
  trace.exitCode = result.code;
  trace.stdout = result.stdout;
  trace.stderr = result.stderr;
  trace.outputs = result.outputs;
  trace.summary = result.summary;
  if (result.code !== 0) trace.outcome = 'failure';
}

async function runEmulation(
  a: StepArgs,
  target: Extract<UsesTarget, { kind: 'emulation' }>,
  inputs: Record<string, string>,
  env: Record<string, string>,
  timeoutMs: number,
  trace: StepTrace,
  files: { output: string; env: string; path: string; summary: string },
): Promise<void> {
  const lines: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), Math.max(1, timeoutMs))));
  try {
    const outcome = await Promise.race([
      Promise.resolve(
        target.emulation({
          uses: a.step.uses!,
          action: target.action,
          ref: target.ref,
          with: inputs,
          env,
          github: a.github,
          workspace: a.workspace,
          runnerTemp: a.temp,
          job: a.jobId,
          stepId: a.step.id,
          log: (line) => lines.push(line),
        }),
      ),
      timeout,
    ]);
    if (outcome === 'timeout') {
      trace.timedOut = true;
      trace.outcome = 'failure';
      trace.error = `timed out after ${Math.round(timeoutMs / 1000)} s`;
      return;
    }
    const r = outcome ?? {};
    trace.exitCode = r.exitCode ?? 0;
    if (trace.exitCode !== 0) trace.outcome = 'failure';
    trace.outputs = { ...(r.outputs ?? {}) };
    if (r.summary) writeFileSync(files.summary, r.summary, { flag: 'a' });
    for (const [k, v] of Object.entries(r.env ?? {})) a.exported[k] = v;
    if (r.path?.length) a.extraPath.unshift(...[...r.path].reverse());
  } catch (error) {
    trace.outcome = 'failure';
    trace.error = `${target.action} (emulated): ${(error as Error).message}`;
    lines.push(`::error::${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
    trace.stdout = lines.join('\n') + (lines.length ? '\n' : '');
  }
}

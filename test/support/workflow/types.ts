/**
 * Public types of the local workflow executor (test/support/workflow): its options, the emulation hook for
 * third-party actions, and the structured trace a run returns.
 */

/** What `needs.<job>.result` and a job's trace say. */
export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';
/** `steps.<id>.outcome` (before continue-on-error) and `steps.<id>.conclusion` (after). */
export type StepOutcome = 'success' | 'failure' | 'cancelled' | 'skipped';

export type PermissionLevel = 'read' | 'write' | 'none';
/** Effective GITHUB_TOKEN permissions of a job; `repository-default` when neither the job nor the workflow says. */
export type Permissions = Readonly<Record<string, PermissionLevel>> | 'repository-default';

/**
 * Values of the `github` context the caller may set (snake_case, as in workflows). Everything else is derived:
 * `ref_name`, `ref_type`, `repository_owner`, `event_name`, `event`, `workspace`, `job`, `workflow`, ….
 */
export interface GithubValues {
  sha: string;
  ref: string;
  repository: string;
  actor: string;
  triggering_actor: string;
  token: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  server_url: string;
  api_url: string;
  graphql_url: string;
  base_ref: string;
  head_ref: string;
}

export interface RunWorkflowOptions {
  /** Path of the workflow YAML file. */
  file: string;
  /** The triggering event: push, pull_request, workflow_dispatch, schedule, workflow_run, … */
  event: string;
  /** The webhook payload (`github.event`), merged over a minimal one built from `github`. */
  payload?: Record<string, unknown>;
  /** workflow_dispatch inputs; validated against the workflow's declared inputs (types, choices, required). */
  inputs?: Record<string, string | boolean | number>;
  /** `github.*` values; `sha` is required unless the payload carries it (push `after`, PR head). */
  github?: Partial<GithubValues>;
  /** `secrets.*`; `secrets.GITHUB_TOKEN` is always the job's token. */
  secrets?: Record<string, string>;
  /** `vars.*` */
  vars?: Record<string, string>;
  /**
   * Replaces the values of workflow-level `env:` keys, as a user edits the configuration block at the top of
   * an example workflow (e.g. IMAGE → a local registry). Each key must exist in the file's `env:`. The values
   * are literal (not evaluated).
   */
  workflowEnv?: Record<string, string>;
  /** The runner machine's environment for `run:` steps (default: PATH and HOME of this process, LANG). */
  runnerEnv?: Record<string, string>;
  /** Each job gets `<workspaceRoot>/run-<run_id>/<job>/{workspace,temp}`, like a fresh runner. */
  workspaceRoot: string;
  /**
   * Local stand-ins for third-party actions, keyed by `owner/repo` (or `owner/repo/path`, or with `@ref` for
   * one exact ref). Every `uses:` of the workflow must resolve to greenline or to an emulation: checked before
   * any job runs.
   */
  emulations?: Record<string, Emulation>;
  /** When set, every greenline `uses:` must name exactly this ref (the examples' `v1`). */
  greenlineRef?: string;
  /** Mints the job's GITHUB_TOKEN from its effective permissions (default: `github.token` for every job). */
  tokenForJob?: (job: { id: string; permissions: Permissions }) => string | Promise<string>;
  /** Called as things happen, for a live timeline (the trace has everything afterwards too). */
  onEvent?: (event: TimelineEvent) => void;
  /** Job timeout when `timeout-minutes` is absent (GitHub: 360). */
  defaultTimeoutMinutes?: number;
}

export interface EmulationContext {
  /** As written: `docker/build-push-action@263435…`. */
  uses: string;
  /** `owner/repo` or `owner/repo/path`. */
  action: string;
  ref: string;
  /** `with:` values, expressions evaluated. */
  with: Record<string, string>;
  /** The step's environment as a process would see it (env context + GITHUB_* defaults). */
  env: Record<string, string>;
  /** The `github` context of the job (event payload included). */
  github: Record<string, unknown>;
  workspace: string;
  runnerTemp: string;
  job: string;
  stepId: string | undefined;
  /** Adds a line to the step's stdout in the trace. */
  log(line: string): void;
}

export interface EmulationResult {
  outputs?: Record<string, string>;
  /** Non-zero fails the step (default 0). Throwing fails it too, with the error's message. */
  exitCode?: number;
  /** Markdown appended to the job summary. */
  summary?: string;
  /** Variables exported to later steps (like GITHUB_ENV). */
  env?: Record<string, string>;
  /** Directories prepended to PATH for later steps (like GITHUB_PATH). */
  path?: string[];
}

export type Emulation = (context: EmulationContext) => EmulationResult | void | Promise<EmulationResult | void>;

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
}

export interface StepTrace {
  /** 0-based position in the job. */
  index: number;
  id: string | undefined;
  name: string;
  kind: 'run' | 'uses';
  /** For `uses:` steps, as written. */
  uses?: string;
  /** How a `uses:` step ran: a greenline bundle (action name, `rollback` = root) or an emulation. */
  via?: { greenline: string } | { emulation: string };
  /** The `if:` as evaluated (the implicit `success() &&` included); absent when the step never got that far. */
  condition?: { expression: string; value: boolean };
  outcome: StepOutcome;
  conclusion: StepOutcome;
  continueOnError: boolean;
  exitCode?: number;
  /** Evaluated `with:` (secret values masked). */
  with?: Record<string, string>;
  outputs: Record<string, string>;
  /** Secret values and ::add-mask:: values masked as `***`. */
  stdout: string;
  stderr: string;
  summary: string;
  annotations: Annotation[];
  /** Why the executor failed the step itself (expression error, timeout, emulation threw). */
  error?: string;
  timedOut?: boolean;
  startedAt: string;
  durationMs: number;
}

export interface JobTrace {
  id: string;
  name: string;
  needs: string[];
  result: JobResult;
  /** The `if:` as evaluated (the implicit `success() &&` included). */
  condition: { expression: string; value: boolean };
  permissions: Permissions;
  concurrency?: { group: string; cancelInProgress: boolean };
  runsOn?: string;
  /** `environment:` name, evaluated (recorded only: no protection rules, no environment secrets). */
  environment?: string;
  outputs: Record<string, string>;
  steps: StepTrace[];
  /** Every step's summary, in order. */
  summary: string;
  workspace?: string;
  timedOut?: boolean;
  /** Why the job failed without a failing step (e.g. an output expression error). */
  error?: string;
  startedAt: string;
  durationMs: number;
}

export interface WorkflowTrace {
  file: string;
  name: string;
  runName?: string;
  event: string;
  /** false when the event's filters or a skip keyword mean the runner would not start the workflow. */
  triggered: boolean;
  notTriggeredReason?: string;
  github: Record<string, unknown>;
  concurrency?: { group: string; cancelInProgress: boolean };
  /** `failure` when any job failed; `skipped` when not triggered. */
  conclusion: 'success' | 'failure' | 'skipped';
  /** In execution order. */
  jobs: JobTrace[];
  startedAt: string;
  durationMs: number;
}

export type TimelineEvent =
  | { type: 'workflow-start'; workflow: string; event: string; sha: string }
  | { type: 'workflow-skip'; workflow: string; reason: string }
  | { type: 'job-start'; job: string; name: string }
  | { type: 'job-end'; job: string; result: JobResult }
  | { type: 'step-end'; job: string; step: StepTrace }
  | { type: 'workflow-end'; workflow: string; conclusion: WorkflowTrace['conclusion'] };

/** Unsupported or invalid workflow syntax, a missing emulation, bad executor options: never a silent skip. */
export class WorkflowError extends Error {
  override name = 'WorkflowError';
}

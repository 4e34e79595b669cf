import { readFileSync } from 'node:fs';

/** The parts of the runner's environment the actions use, read once from plain values. */
export interface RunContext {
  sha: string;
  ref: string;
  /** The branch the event is about: push ref, workflow_run head branch, PR head, or empty. */
  branch: string;
  /** The repository's default branch from the event payload, or empty. */
  defaultBranch: string;
  /** For `workflow_run` the commit that failed is the triggering run's head, not GITHUB_SHA. */
  eventHeadSha: string;
  repository: string;
  owner: string;
  repo: string;
  apiUrl: string;
  serverUrl: string;
  runId: string;
  runUrl: string;
  workflow: string;
  job: string;
  actor: string;
  workspace: string;
  eventName: string;
  event: Record<string, unknown>;
}

export function readContext(env: NodeJS.ProcessEnv): RunContext {
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner = '', repo = ''] = repository.split('/');
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const runId = env.GITHUB_RUN_ID ?? '';
  const ref = env.GITHUB_REF ?? '';
  const sha = (env.GITHUB_SHA ?? '').toLowerCase();
  const wr = (event.workflow_run ?? {}) as { head_branch?: string; head_sha?: string };
  const pr = (event.pull_request ?? {}) as { head?: { ref?: string; sha?: string } };
  const branch =
    wr.head_branch ??
    pr.head?.ref ??
    (env.GITHUB_HEAD_REF || undefined) ??
    (ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : '');
  const payloadRepo = (event.repository ?? {}) as { default_branch?: unknown };
  return {
    sha,
    ref,
    branch,
    defaultBranch: typeof payloadRepo.default_branch === 'string' ? payloadRepo.default_branch : '',
    eventHeadSha: (wr.head_sha ?? pr.head?.sha ?? sha).toLowerCase(),
    repository,
    owner,
    repo,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    serverUrl,
    runId,
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
  };
}

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

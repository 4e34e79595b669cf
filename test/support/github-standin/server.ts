/**
 * The GitHub REST API stand-in: a real HTTP server on 127.0.0.1 (a free port) with GitHub's paths, JSON
 * shapes (typed with @octokit/openapi-types), status codes and error bodies, backed by a real bare git
 * repository. Tests point GITHUB_API_URL (or Octokit's baseUrl) at `url` and use the returned controls to
 * inject faults, protect branches, add check runs, move the clock and count calls per route.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitBackend } from './git-backend.js';
import { HttpError, type StandinResponse } from './http.js';
import { schemaChecker } from './openapi/check.js';
import { registerLive, violationsError, type SchemaViolation } from './violations.js';
import type { OperationSpec } from './openapi/description.js';
import { actionsRoutes, addWorkflowRunRecord, workflowRunJson } from './routes/actions.js';
import { addCheckRunRecord, addStatusRecord, checkRunJson } from './routes/checks.js';
import { commitsRoutes } from './routes/commits.js';
import { checksRoutes } from './routes/checks.js';
import { contentsRoutes } from './routes/contents.js';
import { gitDataRoutes } from './routes/git-data.js';
import { graphqlRoutes } from './routes/graphql.js';
import { addIssueRecord, issueJson, issuesRoutes } from './routes/issues.js';
import { addMergedPull, commitPullsRoutes, pullsRoutes } from './routes/pulls.js';
import { reposRoutes } from './routes/repos.js';
import { BOT, type RequestContext, type ResolvedOptions, type Route, type Standin } from './shapes.js';
import { StandinState, type CheckConclusion, type CheckStatus, type DelayRule, type FailRule, type PermissionLevel, type RequestLogEntry, type StatusRecord, type WorkflowRunRecord } from './state.js';
import type { BasicError, CheckRun, Issue, WorkflowRun } from './types.js';

export interface StandinOptions {
  owner: string;
  repo: string;
  /** A bare git repository (`git init --bare`): the API's git data, and the remote workspace clones push to. */
  bareRepoPath: string;
  defaultBranch?: string;
  /** When set, every request must carry `Authorization: token X` or `Bearer X` (401 otherwise). */
  token?: string;
  /** Login of the token's user (default `github-actions[bot]`, as with GITHUB_TOKEN). */
  actor?: string;
  private?: boolean;
  /**
   * Check every request and response against GitHub's OpenAPI description (default true). Only a test of the
   * stand-in's own handling of malformed requests turns it off; such a test can also `takeSchemaViolations()`.
   */
  checkSchema?: boolean;
}

export interface GitHubStandin {
  /** The REST base: put it in GITHUB_API_URL or Octokit's `baseUrl`. */
  url: string;
  /** Where html_url links point (same origin): usable as GITHUB_SERVER_URL. */
  serverUrl: string;
  stop(): Promise<void>;
  state: StandinState;
  git: GitBackend;
  /** Every request, in order: method, path, query, status, matched route template, injected?, ms. */
  requests: RequestLogEntry[];
  /** Calls per route, keyed like Octokit's routes, e.g. `counters['PATCH /repos/{owner}/{repo}/git/refs/{ref}']`. */
  counters: Record<string, number>;
  /** Requests that matched no route (they answered 404 `{message: "Not Found"}`). */
  unknownRequests(): RequestLogEntry[];
  /** Number of logged requests matching the filter (method and/or a RegExp or exact string on the path or route). */
  callCount(filter?: { method?: string; path?: RegExp | string; route?: string }): number;
  /** Clears the request log and the counters (e.g. between the setup and the operation being measured). */
  resetLog(): void;
  /** The next `times` (default 1) matching requests answer `status` (or the connection is reset) instead. */
  failNext(rule: FailRule): void;
  /** The next `times` (default 1) matching requests wait `ms` before being handled normally. */
  delayNext(rule: DelayRule): void;
  /**
   * Classic branch protection requiring pull requests: the refs API answers 422 "Changes must be made through a
   * pull request.", contents PUT/DELETE 409 "Could not update file: Changes must be …", `git push` GH006.
   */
  protectBranch(name: string, on?: boolean): void;
  /**
   * A repository ruleset requiring pull requests on the branch: 422 (refs) / 409 (contents) "Repository rule
   * violations found\n\nChanges must be made through a pull request.\n\n", `git push` GH013.
   */
  addRuleset(branch: string, on?: boolean): void;
  addCheckRun(sha: string, name: string, conclusion: CheckConclusion, status?: CheckStatus): CheckRun;
  addStatus(sha: string, context: string, state: StatusRecord['state'], description?: string): void;
  /**
   * Seeds a pull request merged into `base` as the commit `mergeCommitSha` (made and pushed with git by the
   * test): `GET commits/{sha}/pulls` then associates it with that commit and with the head branch's commits.
   */
  addMergedPull(input: { head: string; base: string; title: string; body?: string | null; user?: string; mergeCommitSha: string; commits?: string[] }): Promise<{ number: number; html_url: string }>;
  /** Seeds an issue without an HTTP request (e.g. one opened "yesterday" with `createdAt`). */
  addIssue(input: { title: string; body?: string | null; labels?: string[]; assignees?: string[]; user?: string; state?: 'open' | 'closed'; createdAt?: string }): Issue;
  /**
   * Seeds a completed workflow run (default: attempt 1, conclusion failure, branch main, event push) that
   * `GET actions/runs/{run_id}` answers and `POST …/rerun-failed-jobs` re-runs (a new attempt, queued).
   */
  addWorkflowRun(input: { id: number; head_sha: string; head_branch?: string | null; name?: string; event?: string; status?: WorkflowRunRecord['status']; conclusion?: WorkflowRunRecord['conclusion']; run_attempt?: number; created_at?: string }): WorkflowRun;
  /** Finishes the run's current attempt with `conclusion` (what GitHub does when a re-run's jobs end). */
  completeWorkflowRun(id: number, conclusion: NonNullable<WorkflowRunRecord['conclusion']>): WorkflowRun;
  /**
   * The token's `actions` permission (default write): without read, GET actions/runs 403 "Resource not
   * accessible by integration"; without write, the re-run does.
   */
  setActionsPermission(level: PermissionLevel): void;
  /** The stand-in's clock (issues, comments, commit dates) = real time + offset. */
  now(): Date;
  setClockOffset(ms: number): void;
  advanceClock(ms: number): void;
  /** Errors thrown by handlers (answered 500): a test can assert there were none. */
  internalErrors: Error[];
  /**
   * Requests and responses that break GitHub's OpenAPI description (unknown operation, invalid parameter or
   * body, a response body that does not match its status's schema). `stop()` throws when any is left.
   */
  schemaViolations: SchemaViolation[];
  /** Returns the violations recorded so far and forgets them (for a test that sends a malformed request on purpose). */
  takeSchemaViolations(): SchemaViolation[];
}

const ROUTES: Route[] = [
  ...reposRoutes,
  ...contentsRoutes,
  ...gitDataRoutes,
  ...graphqlRoutes,
  // check-runs/status before commits/{ref+}, whose greedy ref would swallow them.
  ...checksRoutes,
  ...commitPullsRoutes,
  ...commitsRoutes,
  ...pullsRoutes,
  ...issuesRoutes,
  ...actionsRoutes,
];

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
  key: string;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)(\+?)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1] ?? '');
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  // Counter keys read like Octokit's route strings: `{ref+}` is written `{ref}`.
  return { ...route, regex: new RegExp(`^${source}$`), names, key: `${route.method} ${route.template.replace(/\+\}/g, '}')}` };
}

const COMPILED = ROUTES.map(compile);
const BODY_LIMIT_BYTES = 160 * 1024 * 1024;

function errorBody(status: number, message?: string): BasicError {
  return { message: message ?? STATUS_CODES[status] ?? `HTTP ${status}`, documentation_url: 'https://docs.github.com/rest', status: String(status) };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        reject(new HttpError(413, errorBody(413, 'Request body too large')));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function matchesPath(pattern: RegExp | string, value: string): boolean {
  if (typeof pattern === 'string') return pattern === value;
  pattern.lastIndex = 0;
  return pattern.test(value);
}

export async function startGitHubStandin(options: StandinOptions): Promise<GitHubStandin> {
  const git = new GitBackend(options.bareRepoPath);
  const bare = await git.run(['rev-parse', '--is-bare-repository']);
  if (bare.code !== 0 || bare.stdout.toString('utf8').trim() !== 'true') {
    throw new Error(`GitHub stand-in: ${options.bareRepoPath} is not a bare git repository (git init --bare): ${bare.stderr.trim()}`);
  }
  const defaultBranch = options.defaultBranch ?? 'main';
  if (!(await git.isValidRefName(`refs/heads/${defaultBranch}`))) throw new Error(`GitHub stand-in: invalid defaultBranch ${JSON.stringify(defaultBranch)}`);
  // GitHub's default branch is the bare repository's HEAD: clones check it out.
  await git.text(['symbolic-ref', 'HEAD', `refs/heads/${defaultBranch}`]);
  git.installProtectionHook();
  git.writeProtectedBranches([]);

  const state = new StandinState();
  const resolved: ResolvedOptions = {
    owner: options.owner,
    repo: options.repo,
    bareRepoPath: options.bareRepoPath,
    defaultBranch,
    token: options.token,
    actor: options.actor ?? BOT.login,
    private: options.private ?? false,
  };
  const internalErrors: Error[] = [];
  const schemaViolations: SchemaViolation[] = [];
  const checks: SchemaChecks = { enabled: options.checkSchema ?? true, violations: schemaViolations, internalErrors };
  const standin: Standin = { git, state, options: resolved, apiUrl: '', serverUrl: '', repoApi: '', repoHtml: '' };

  const server: Server = createServer((req, res) => {
    void handle(standin, checks, req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(new Error(`GitHub stand-in: cannot listen on 127.0.0.1 (port 0): ${error.message}`));
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo | null;
  if (!address || typeof address === 'string' || !address.port) {
    server.close();
    throw new Error('GitHub stand-in: the server did not get a TCP port');
  }
  const url = `http://127.0.0.1:${address.port}`;
  standin.apiUrl = url;
  standin.serverUrl = url;
  standin.repoApi = `${url}/repos/${resolved.owner}/${resolved.repo}`;
  standin.repoHtml = `${url}/${resolved.owner}/${resolved.repo}`;

  let stopped = false;
  const standinHandle: GitHubStandin = {
    url,
    serverUrl: url,
    state,
    git,
    requests: state.requests,
    counters: state.counters,
    internalErrors,
    schemaViolations,
    takeSchemaViolations: () => schemaViolations.splice(0),
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Every test that starts a stand-in stops it: a request or an answer that GitHub's description does not
      // allow fails that test here, after the server is closed.
      unregister();
      if (schemaViolations.length > 0) throw violationsError(schemaViolations.splice(0));
    },
    unknownRequests: () => state.requests.filter((r) => r.route === null),
    callCount(filter = {}) {
      return state.requests.filter(
        (r) =>
          (!filter.method || r.method === filter.method.toUpperCase()) &&
          (!filter.path || matchesPath(filter.path, r.path)) &&
          (!filter.route || r.route === filter.route),
      ).length;
    },
    resetLog() {
      state.requests.length = 0;
      for (const key of Object.keys(state.counters)) delete state.counters[key];
    },
    failNext(rule) {
      state.failRules.push({ ...rule, remaining: rule.times ?? 1 });
    },
    delayNext(rule) {
      state.delayRules.push({ ...rule, remaining: rule.times ?? 1 });
    },
    protectBranch(name, on = true) {
      if (on) state.protectedBranches.add(name);
      else state.protectedBranches.delete(name);
      git.writeProtectedBranches(state.protectedBranches, state.rulesetBranches, `${standin.repoHtml}/rules`);
    },
    addRuleset(branch, on = true) {
      if (on) state.rulesetBranches.add(branch);
      else state.rulesetBranches.delete(branch);
      git.writeProtectedBranches(state.protectedBranches, state.rulesetBranches, `${standin.repoHtml}/rules`);
    },
    addCheckRun(sha, name, conclusion, status = 'completed') {
      return checkRunJson(standin, addCheckRunRecord(standin, { head_sha: sha, name, status, conclusion }));
    },
    addStatus(sha, context, statusState, description) {
      addStatusRecord(standin, { sha, context, state: statusState, description: description ?? null });
    },
    addIssue(input) {
      return issueJson(standin, addIssueRecord(standin, input));
    },
    async addMergedPull(input) {
      const record = await addMergedPull(standin, input);
      return { number: record.number, html_url: `${standin.repoHtml}/pull/${record.number}` };
    },
    addWorkflowRun(input) {
      return workflowRunJson(standin, addWorkflowRunRecord(standin, input));
    },
    completeWorkflowRun(id, conclusion) {
      const run = state.workflowRuns.get(id);
      if (!run) throw new Error(`GitHub stand-in: no workflow run ${id}`);
      Object.assign(run, { status: 'completed', conclusion, updated_at: state.nowIso() });
      return workflowRunJson(standin, run);
    },
    setActionsPermission(level) {
      state.actionsPermission = level;
    },
    now: () => state.now(),
    setClockOffset(ms) {
      state.clockOffsetMs = ms;
    },
    advanceClock(ms) {
      state.clockOffsetMs += ms;
    },
  };
  // test/setup.ts fails the test during which a violation happened; stop() reports any left over.
  const unregister = registerLive(standinHandle);
  return standinHandle;
}

interface SchemaChecks {
  enabled: boolean;
  violations: SchemaViolation[];
  internalErrors: Error[];
}

/** Checks the request against the description; returns its operation (null: unknown, or checks off). */
function checkRequest(checks: SchemaChecks, method: string, rawPath: string, search: string, query: URLSearchParams, body: Buffer, req: IncomingMessage): OperationSpec | null {
  if (!checks.enabled) return null;
  const path = `${rawPath}${search}`;
  try {
    const { op, problems } = schemaChecker().checkRequest({ method, rawPath, query, body, contentType: req.headers['content-type'] });
    if (problems.length > 0) checks.violations.push({ method, path, operation: op?.operationId ?? null, side: 'request', problems });
    return op;
  } catch (error) {
    checks.internalErrors.push(error instanceof Error ? error : new Error(String(error)));
    return null;
  }
}

function checkResponse(checks: SchemaChecks, op: OperationSpec | null, method: string, rawPath: string, search: string, response: StandinResponse): void {
  if (!checks.enabled || !op) return;
  try {
    // Checked as the client will read it: the JSON text parsed back (undefined fields dropped, dates as strings).
    const body = response.status === 204 || response.body === undefined ? undefined : Buffer.isBuffer(response.body) ? response.body : JSON.parse(JSON.stringify(response.body));
    const problems = schemaChecker().checkResponse(op, method, rawPath, response.status, body);
    if (problems.length > 0) checks.violations.push({ method, path: `${rawPath}${search}`, operation: op.operationId, side: 'response', status: response.status, problems });
  } catch (error) {
    checks.internalErrors.push(error instanceof Error ? error : new Error(String(error)));
  }
}

async function handle(s: Standin, checks: SchemaChecks, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const internalErrors = checks.internalErrors;
  const started = performance.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const parsed = new URL(req.url ?? '/', s.apiUrl || 'http://127.0.0.1');
  const rawPath = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/$/, '') : parsed.pathname;
  // Logged and matched by fault rules decoded (`git/ref/heads/main`, not `git/ref/heads%2Fmain`).
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // keep the raw path
  }
  const log = (status: number, route: string | null, injected = false) =>
    s.state.record({ method, path, query: parsed.search, status, route, injected, ms: Math.round(performance.now() - started) });

  let matched: CompiledRoute | undefined;
  let params: Record<string, string> = {};
  for (const route of COMPILED) {
    if (route.method !== method) continue;
    const m = route.regex.exec(rawPath);
    if (!m) continue;
    try {
      params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(m[i + 1] ?? '')]));
    } catch {
      continue;
    }
    matched = route;
    break;
  }
  const routeKey = matched?.key ?? null;

  let response: StandinResponse;
  let requestBody: Buffer | undefined;
  // The schema checks run after the answer is written: the client does not wait for them (the first ones load
  // the description and compile validators), and they are recorded before the client can read the answer.
  const check = (answer?: StandinResponse) => {
    if (requestBody === undefined) return;
    const op = checkRequest(checks, method, rawPath, parsed.search, parsed.searchParams, requestBody, req);
    if (answer) checkResponse(checks, op, method, rawPath, parsed.search, answer);
  };
  try {
    const body = await readBody(req);
    requestBody = body;

    const failure = s.state.takeFailure(method, path);
    if (failure) {
      if (failure.status === 'reset') {
        log(0, routeKey, true);
        req.socket.destroy();
        check();
        return;
      }
      const injected = { status: failure.status, body: failure.body ?? errorBody(failure.status), headers: failure.headers ?? {} };
      send(res, injected, s.state.now());
      check(injected);
      log(failure.status, routeKey, true);
      return;
    }
    const delay = s.state.takeDelay(method, path);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay.ms));

    response = await route(s, req, method, rawPath, parsed.searchParams, body, matched, params);
  } catch (error) {
    if (error instanceof HttpError) {
      response = { status: error.status, body: error.body, headers: error.headers };
    } else {
      const err = error instanceof Error ? error : new Error(String(error));
      internalErrors.push(err);
      console.error(`GitHub stand-in: ${method} ${path} failed:`, err);
      response = { status: 500, body: errorBody(500, `GitHub stand-in internal error: ${err.message}`) };
    }
  }
  send(res, response, s.state.now());
  check(response);
  log(response.status, routeKey);
}

async function route(
  s: Standin,
  req: IncomingMessage,
  method: string,
  path: string,
  query: URLSearchParams,
  raw: Buffer,
  matched: CompiledRoute | undefined,
  params: Record<string, string>,
): Promise<StandinResponse> {
  const token = s.options.token;
  if (token !== undefined) {
    const header = req.headers.authorization;
    const m = header ? /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header) : null;
    if (!header) throw new HttpError(401, errorBody(401, 'Requires authentication'));
    if (!m || m[1] !== token) throw new HttpError(401, errorBody(401, 'Bad credentials'));
  }
  if (!matched) throw new HttpError(404, errorBody(404, 'Not Found'));
  if (params.owner !== undefined || params.repo !== undefined) {
    const same = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();
    if (!same(params.owner, s.options.owner) || !same(params.repo, s.options.repo)) throw new HttpError(404, errorBody(404, 'Not Found'));
  }
  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, errorBody(400, 'Problems parsing JSON'));
    }
  }
  const ctx: RequestContext = { method, path, params, query, headers: req.headers, body, standin: s };
  return matched.handler(ctx);
}

function send(res: ServerResponse, response: StandinResponse, now: Date): void {
  const headers: Record<string, string> = {
    // GitHub's clock, as clients read it from the Date header: the stand-in's fake clock.
    date: now.toUTCString(),
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': `STANDIN:${Math.random().toString(16).slice(2, 10).toUpperCase()}`,
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': 'core',
  };
  let payload: Buffer | undefined;
  if (response.status !== 204 && response.body !== undefined) {
    if (Buffer.isBuffer(response.body)) {
      payload = response.body;
      headers['content-type'] = 'application/octet-stream';
    } else {
      payload = Buffer.from(JSON.stringify(response.body));
      headers['content-type'] = 'application/json; charset=utf-8';
    }
  }
  for (const [key, value] of Object.entries(response.headers ?? {})) headers[key.toLowerCase()] = value;
  if (payload) headers['content-length'] = String(payload.length);
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, headers);
  res.end(payload);
}

/**
 * Everything the stand-in keeps in memory (git data lives in the bare repository, never here): issues and
 * pull requests (one number sequence, as on GitHub), comments, labels, check runs, commit statuses, which
 * commits GitHub "signed", protected branches, a fake clock, fault injection rules, and the request log.
 */
import type { Issue } from './types.js';

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface PullRecord {
  head: string;
  base: string;
  /** The head commit when the pull request was opened (the live head is read from git). */
  headShaAtOpen: string;
  draft: boolean;
  merged_at: string | null;
  maintainer_can_modify: boolean;
  /** The commit the merge made on the base branch (merge, squash or rebase), once merged. */
  merge_commit_sha?: string | null;
  /** The pull request's own commits as they were when it was merged (what GitHub associates with it). */
  commits_at_merge?: string[];
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: Issue['state_reason'];
  labels: string[];
  assignees: string[];
  user: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: string | null;
  locked: boolean;
  /** Present for pull requests: they share the issues' numbers and list. */
  pull?: PullRecord;
}

export interface CommentRecord {
  id: number;
  issue: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | null;

export interface CheckRunRecord {
  id: number;
  head_sha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion;
  started_at: string;
  completed_at: string | null;
  details_url: string | null;
  external_id: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  check_suite_id: number;
}

export interface StatusRecord {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
  updated_at: string;
}

/** A GitHub Actions workflow run (`addWorkflowRun`): what GET actions/runs/{run_id} and its re-run act on. */
export interface WorkflowRunRecord {
  id: number;
  name: string;
  head_sha: string;
  head_branch: string | null;
  event: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped' | 'neutral' | 'action_required' | null;
  run_attempt: number;
  run_number: number;
  created_at: string;
  updated_at: string;
  run_started_at: string;
}

/** A level of one GITHUB_TOKEN permission (`permissions:` in a workflow). */
export type PermissionLevel = 'none' | 'read' | 'write';

export interface SignatureRecord {
  signature: string;
  payload: string;
  verified_at: string;
}

/** One response to inject instead of routing the request (see `failNext`). */
export interface FailRule {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Matched against the percent-decoded request path (no query string). A string must equal the path. */
  path: RegExp | string;
  /** Status to answer, or 'reset' to destroy the connection without answering. */
  status: number | 'reset';
  headers?: Record<string, string>;
  /** Body to answer (JSON); defaults to GitHub's error JSON for the status. */
  body?: unknown;
  /** How many matching requests to fail (default 1). */
  times?: number;
}

export interface DelayRule {
  method?: string;
  path: RegExp | string;
  /** Milliseconds to wait before handling the request normally. */
  ms: number;
  times?: number;
}

export interface RequestLogEntry {
  method: string;
  /** Path without the query string, percent-decoded (`/repos/o/r/git/ref/heads/main`). */
  path: string;
  query: string;
  status: number;
  /** The matched route, keyed like Octokit's, e.g. "GET /repos/{owner}/{repo}/git/ref/{ref}"; null for unknown routes. */
  route: string | null;
  /** True when the response came from `failNext`. */
  injected: boolean;
  ms: number;
}

export class StandinState {
  readonly issues = new Map<number, IssueRecord>();
  readonly comments: CommentRecord[] = [];
  readonly labels = new Map<string, LabelRecord>();
  readonly checkRuns: CheckRunRecord[] = [];
  readonly statuses: StatusRecord[] = [];
  readonly signedCommits = new Map<string, SignatureRecord>();
  readonly workflowRuns = new Map<number, WorkflowRunRecord>();
  /**
   * The token's `actions` permission (default write). Only the Actions endpoints read it; the others answer
   * as for a token allowed to do what they do (faults there are injected with failNext).
   */
  actionsPermission: PermissionLevel = 'write';
  readonly protectedBranches = new Set<string>();
  /** Branches under a repository ruleset that requires pull requests (`addRuleset`). */
  readonly rulesetBranches = new Set<string>();
  readonly failRules: Array<FailRule & { remaining: number }> = [];
  readonly delayRules: Array<DelayRule & { remaining: number }> = [];
  readonly requests: RequestLogEntry[] = [];
  /** Calls per route template ("GET /repos/{owner}/{repo}/issues"); unknown routes as "GET <unknown> /path". */
  readonly counters: Record<string, number> = {};
  /** Added to the real clock for every timestamp the stand-in writes (issues, comments, commits). */
  clockOffsetMs = 0;

  private nextNumber = 1;
  private nextId = 1000;

  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  /** ISO 8601 without milliseconds, as GitHub writes timestamps. */
  nowIso(): string {
    return iso(this.now());
  }

  newId(): number {
    return this.nextId++;
  }

  newNumber(): number {
    return this.nextNumber++;
  }

  findLabel(name: string): LabelRecord | undefined {
    return this.labels.get(name.toLowerCase());
  }

  /** Returns the label, creating it (GitHub's default grey) when missing, as issue creation does. */
  ensureLabel(name: string): LabelRecord {
    const existing = this.findLabel(name);
    if (existing) return existing;
    const label: LabelRecord = { id: this.newId(), name, color: 'ededed', description: null, default: false };
    this.labels.set(name.toLowerCase(), label);
    return label;
  }

  commentsOf(issue: number): CommentRecord[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  record(entry: RequestLogEntry): void {
    this.requests.push(entry);
    const key = entry.route ?? `${entry.method} <unknown> ${entry.path}`;
    this.counters[key] = (this.counters[key] ?? 0) + 1;
  }

  takeFailure(method: string, path: string): (FailRule & { remaining: number }) | undefined {
    return take(this.failRules, method, path);
  }

  takeDelay(method: string, path: string): (DelayRule & { remaining: number }) | undefined {
    return take(this.delayRules, method, path);
  }
}

function take<R extends { method?: string; path: RegExp | string; remaining: number }>(rules: R[], method: string, path: string): R | undefined {
  const index = rules.findIndex((r) => {
    if (r.method && r.method.toUpperCase() !== method) return false;
    if (typeof r.path === 'string') return r.path === path;
    r.path.lastIndex = 0;
    return r.path.test(path);
  });
  if (index < 0) return undefined;
  const rule = rules[index] as R;
  rule.remaining -= 1;
  if (rule.remaining <= 0) rules.splice(index, 1);
  return rule;
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The few GitHub issue calls an incident needs, as a port: src/core/incident/github.ts implements it with
 * Octokit, tests may pass a fake. Every method is one REST request (listLabels: one per 100 labels).
 */
export interface IssueRecord {
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason: string | null;
  createdAt: string;
  closedAt: string | null;
  /** The issues list includes pull requests; they are never incidents. */
  isPullRequest: boolean;
}

export interface IssueList {
  issues: IssueRecord[];
  /** The server's clock (the response's Date header), in ms: timestamps stay on one clock with GitHub's. */
  serverTime?: number;
}

export type StateReason = 'completed' | 'duplicate' | 'reopened' | 'not_planned';

export interface ListQuery {
  /** All must match (GitHub's `labels` filter). */
  labels: string[];
  state: 'open' | 'closed';
  sort: 'created' | 'updated';
  direction: 'asc' | 'desc';
  perPage: number;
}

export interface IncidentApi {
  listIssues(query: ListQuery): Promise<IssueList>;
  createIssue(issue: { title: string; body: string; labels: string[]; assignees: string[] }): Promise<IssueRecord>;
  updateIssue(number: number, patch: { body?: string; state?: 'open' | 'closed'; stateReason?: StateReason }): Promise<IssueRecord>;
  addComment(number: number, body: string): Promise<void>;
  /** The repository's label names (all pages; one request below 100 labels). */
  listLabels(): Promise<string[]>;
  /** 'exists' when GitHub answers 422 already_exists (another run created it first). */
  createLabel(label: { name: string; color: string; description: string }): Promise<'created' | 'exists'>;
}

/** The HTTP status carried by an Octokit RequestError (or a fake's error), if any. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

export function messageOf(error: unknown): string {
  const e = error as { message?: string; response?: { data?: { message?: string } } } | null;
  return e?.response?.data?.message ?? e?.message ?? String(error);
}

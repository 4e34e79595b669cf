import type { GitHub } from '../github/client.js';
import { type IncidentApi, type IssueRecord, statusOf } from './api.js';

interface RestIssue {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  created_at: string;
  closed_at: string | null;
  pull_request?: unknown;
}

function toRecord(issue: RestIssue): IssueRecord {
  return {
    number: issue.number,
    url: issue.html_url,
    title: issue.title,
    body: issue.body ?? '',
    state: issue.state === 'closed' ? 'closed' : 'open',
    stateReason: issue.state_reason ?? null,
    createdAt: issue.created_at,
    closedAt: issue.closed_at,
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
  };
}

/** The incident port on an Octokit (retry + throttling come from createGitHub). One request per method. */
export function octokitIncidentApi(octokit: GitHub, owner: string, repo: string): IncidentApi {
  const issues = octokit.rest.issues;
  return {
    async listIssues(q) {
      const res = await issues.listForRepo({
        owner,
        repo,
        labels: q.labels.join(','),
        state: q.state,
        sort: q.sort,
        direction: q.direction,
        per_page: q.perPage,
      });
      const date = Date.parse(String(res.headers.date ?? ''));
      return { issues: res.data.map((i) => toRecord(i as RestIssue)), ...(Number.isNaN(date) ? {} : { serverTime: date }) };
    },
    async createIssue(issue) {
      const create = async (retries: number) =>
        toRecord(
          (
            await issues.create({
              owner,
              repo,
              title: issue.title,
              body: issue.body,
              labels: issue.labels,
              ...(issue.assignees.length ? { assignees: issue.assignees } : {}),
              request: { retries },
            })
          ).data as RestIssue,
        );
      // Creating an issue is not idempotent: a POST that landed but whose reply was lost must not be sent
      // again blindly. No automatic retry; after a failure that may have landed (no answer, or a 5xx), look
      // for the issue first (same labels, title and body, newest first), and only then post once more.
      try {
        return await create(0);
      } catch (error) {
        const status = statusOf(error);
        if (status !== undefined && status < 500) throw error;
        const listed = await issues.listForRepo({ owner, repo, labels: issue.labels.join(','), state: 'open', sort: 'created', direction: 'desc', per_page: 10 });
        const landed = listed.data.map((i) => toRecord(i as RestIssue)).find((i) => !i.isPullRequest && i.title === issue.title && i.body === issue.body);
        return landed ?? (await create(2));
      }
    },
    async updateIssue(number, patch) {
      const res = await issues.update({
        owner,
        repo,
        issue_number: number,
        ...(patch.body !== undefined ? { body: patch.body } : {}),
        ...(patch.state ? { state: patch.state } : {}),
        ...(patch.stateReason ? { state_reason: patch.stateReason } : {}),
      });
      return toRecord(res.data as RestIssue);
    },
    async addComment(number, body) {
      await issues.createComment({ owner, repo, issue_number: number, body });
    },
    async listLabels() {
      const labels = await octokit.paginate(issues.listLabelsForRepo, { owner, repo, per_page: 100 });
      return labels.map((l) => l.name);
    },
    async createLabel(label) {
      try {
        await issues.createLabel({ owner, repo, name: label.name, color: label.color, description: label.description });
        return 'created';
      } catch (error) {
        if (statusOf(error) === 422 && alreadyExists(error)) return 'exists';
        throw error;
      }
    },
  };
}

function alreadyExists(error: unknown): boolean {
  const data = (error as { response?: { data?: { errors?: Array<{ code?: string }> } } }).response?.data;
  return (data?.errors ?? []).some((e) => e?.code === 'already_exists');
}

/**
 * An in-memory IncidentApi for unit tests of src/core/incident: the same rules as GitHub for what the
 * incident code relies on (labels filter all-match, pull requests in the list, 65,536-character bodies,
 * label already_exists), a settable clock, and a log of the calls made.
 */
import type { IncidentApi, IssueRecord, ListQuery, StateReason } from '../../../src/core/incident/api.js';

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  state: 'open' | 'closed';
  stateReason: StateReason | null;
  createdAt: string;
  closedAt: string | null;
  pull?: boolean;
}

export class FakeApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class FakeIncidentApi implements IncidentApi {
  issues: FakeIssue[] = [];
  comments: Array<{ issue: number; body: string }> = [];
  labels = new Set<string>();
  calls: string[] = [];
  clock = Date.parse('2025-03-01T10:00:00Z');
  /** Method names whose next call throws this status. */
  failNext = new Map<string, number>();
  users = new Set(['octocat', 'hubot']);

  private next = 1;

  advance(ms: number): void {
    this.clock += ms;
  }

  open(label: string): FakeIssue[] {
    return this.issues.filter((i) => i.state === 'open' && i.labels.includes(label));
  }

  commentsOn(number: number): string[] {
    return this.comments.filter((c) => c.issue === number).map((c) => c.body);
  }

  seed(issue: Partial<FakeIssue> & { title: string }): FakeIssue {
    const record: FakeIssue = {
      number: this.next++,
      body: '',
      labels: [],
      assignees: [],
      state: 'open',
      stateReason: null,
      createdAt: iso(this.clock),
      closedAt: null,
      ...issue,
    };
    this.issues.push(record);
    return record;
  }

  private enter(name: string): void {
    this.calls.push(name);
    const status = this.failNext.get(name);
    if (status !== undefined) {
      this.failNext.delete(name);
      throw new FakeApiError(status, `injected ${status} on ${name}`);
    }
  }

  private record(i: FakeIssue): IssueRecord {
    return {
      number: i.number,
      url: `https://github.com/acme/shop/${i.pull ? 'pull' : 'issues'}/${i.number}`,
      title: i.title,
      body: i.body,
      state: i.state,
      stateReason: i.stateReason,
      createdAt: i.createdAt,
      closedAt: i.closedAt,
      isPullRequest: i.pull === true,
    };
  }

  private checkBody(body: string): void {
    if ([...body].length > 65_536) throw new FakeApiError(422, 'body is too long (maximum is 65536 characters)');
  }

  async listIssues(q: ListQuery) {
    this.enter('listIssues');
    const wanted = q.labels.map((l) => l.toLowerCase());
    const list = this.issues
      .filter((i) => i.state === q.state && wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
      .sort((a, b) => {
        const key = (i: FakeIssue) => (q.sort === 'created' ? i.createdAt : (i.closedAt ?? i.createdAt));
        const d = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.number - b.number;
        return q.direction === 'asc' ? d : -d;
      })
      .slice(0, q.perPage);
    return { issues: list.map((i) => this.record(i)), serverTime: this.clock };
  }

  async createIssue(input: { title: string; body: string; labels: string[]; assignees: string[] }) {
    this.enter('createIssue');
    this.checkBody(input.body);
    const unknown = input.assignees.find((a) => !this.users.has(a));
    if (unknown) throw new FakeApiError(422, `Validation Failed: ${unknown} cannot be assigned`);
    for (const l of input.labels) this.labels.add(l);
    return this.record(this.seed({ title: input.title, body: input.body, labels: [...input.labels], assignees: [...input.assignees] }));
  }

  async updateIssue(number: number, patch: { body?: string; state?: 'open' | 'closed'; stateReason?: StateReason }) {
    this.enter('updateIssue');
    const issue = this.issues.find((i) => i.number === number);
    if (!issue) throw new FakeApiError(404, 'Not Found');
    if (patch.body !== undefined) {
      this.checkBody(patch.body);
      issue.body = patch.body;
    }
    if (patch.state === 'closed' && issue.state === 'open') {
      issue.state = 'closed';
      issue.closedAt = iso(this.clock);
      issue.stateReason = patch.stateReason ?? 'completed';
    } else if (patch.state === 'open' && issue.state === 'closed') {
      issue.state = 'open';
      issue.closedAt = null;
      issue.stateReason = 'reopened';
    }
    return this.record(issue);
  }

  async addComment(number: number, body: string) {
    this.enter('addComment');
    this.checkBody(body);
    this.comments.push({ issue: number, body });
  }

  async listLabels() {
    this.enter('listLabels');
    return [...this.labels];
  }

  async createLabel(label: { name: string; color: string; description: string }) {
    this.enter('createLabel');
    if ([...this.labels].some((l) => l.toLowerCase() === label.name.toLowerCase())) return 'exists' as const;
    this.labels.add(label.name);
    return 'created' as const;
  }
}

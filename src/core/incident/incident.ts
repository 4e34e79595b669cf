import { STATUS_ORDER, type HealthStatus } from '../health/types.js';
import { ExternalError } from '../action/errors.js';
import type { Logger } from '../action/log.js';
import { type IncidentApi, type IssueRecord, messageOf, statusOf } from './api.js';
import { fingerprintLabel } from './fingerprint.js';
import { type HealthView, reportStatus } from './health-report.js';
import { capChars, humanDuration, inline, link, runLabel, shortSha, untrusted } from './markdown.js';
import { commitUrl, type IncidentPlace, KIND_STATUS, renderIncidentBody, timelineLine } from './render.js';
import { decodeMarker, type IncidentKind, type IncidentState, type TimelineEntry } from './state.js';

export type IncidentOperation = 'created' | 'updated' | 'commented' | 'reopened' | 'closed' | 'none';

export interface IncidentConfig {
  /**
   * open: open or update the incident; resolve: close it; note: a comment (`details`) on the open incident
   * when there is one, nothing otherwise (a flaky failure is worth telling, not worth an issue of its own).
   */
  mode: 'open' | 'resolve' | 'note';
  fingerprint: string;
  kind: IncidentKind;
  /** The rendered title, used when an issue is created. */
  title: string;
  failingSha: string;
  restoredSha: string;
  /** `undo: culprit`: the commit undone alone (the rollback sets it, with `restoredSha` empty). */
  undoneSha?: string;
  runUrl: string;
  health?: HealthView;
  details?: string;
  /** Labels of a new issue; the first one (default `incident`) is also how incidents are listed. */
  labels: string[];
  assignees: string[];
  repeatIntervalMs: number;
  reopenWindowMs: number;
  place: IncidentPlace;
  dryRun: boolean;
}

export interface IncidentDeps {
  api: IncidentApi;
  log: Logger;
  /** Used only when GitHub's answer has no Date header. */
  now: () => number;
}

export interface IncidentResult {
  operation: IncidentOperation;
  issueNumber?: number;
  issueUrl?: string;
  label: string;
  status: string;
  /** What was done, in order, for the log and the summary (a dry run says what would be done). */
  steps: string[];
  /** Why a comment was (or was not) added. */
  reason: string;
  duplicatesClosed: number[];
  previous?: number;
  dryRun: boolean;
  /** The run must fail after outputs are written: a half-done update, reported as exactly that. */
  failure?: string;
}

/** A duplicate created more than this long ago is closed by any run, not only by the run that created it. */
export const STALE_DUPLICATE_MS = 5 * 60_000;
const LIST_PAGE = 100;
const LABEL_COLORS: Record<string, string> = { incident: 'b60205' };

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Open or update (mode open) or close (mode resolve) the incident issue for a fingerprint. */
export async function runIncident(config: IncidentConfig, deps: IncidentDeps): Promise<IncidentResult> {
  return new IncidentRun(config, deps).run();
}

class IncidentRun {
  readonly config: IncidentConfig;
  readonly deps: IncidentDeps;
  readonly label: string;
  readonly searchLabels: string[];
  readonly steps: string[] = [];
  readonly duplicatesClosed: number[] = [];
  now = 0;

  constructor(config: IncidentConfig, deps: IncidentDeps) {
    this.config = config;
    this.deps = deps;
    this.label = fingerprintLabel(config.fingerprint);
    // The fingerprint label alone finds the incident: with the first of `labels` as well, changing that input
    // (`incident` → `sev1, incident`) or someone taking the label off by hand would orphan the open issue and
    // open a second one. The hidden marker still confirms each issue is greenline's.
    this.searchLabels = [this.label];
  }

  get status(): string {
    return this.config.mode === 'resolve' ? 'RESOLVED' : (reportStatus(this.config.health) ?? KIND_STATUS[this.config.kind]);
  }

  step(text: string): void {
    const line = this.config.dryRun ? `(dry run) would ${text.replace(/^./, (c) => c.toLowerCase())}` : text;
    this.steps.push(line);
    this.deps.log.info(line);
  }

  result(operation: IncidentOperation, issue: { number: number; url: string } | undefined, reason: string, extra: Partial<IncidentResult> = {}): IncidentResult {
    return {
      operation,
      ...(issue ? { issueNumber: issue.number, issueUrl: issue.url } : {}),
      label: this.label,
      status: this.status,
      steps: this.steps,
      reason,
      duplicatesClosed: this.duplicatesClosed,
      dryRun: this.config.dryRun,
      ...extra,
    };
  }

  async run(): Promise<IncidentResult> {
    const open = await this.listConfirmed('open', 'created', 'asc');
    if (this.config.mode === 'note') return this.note(open);
    return this.config.mode === 'resolve' ? this.resolve(open) : this.open(open);
  }

  /** Issues with both labels whose first body line is this fingerprint's marker, pull requests left out. */
  async listConfirmed(state: 'open' | 'closed', sort: 'created' | 'updated', direction: 'asc' | 'desc') {
    const list = await this.call(`list ${state} issues labelled ${this.searchLabels.join(' + ')}`, () =>
      this.deps.api.listIssues({ labels: this.searchLabels, state, sort, direction, perPage: LIST_PAGE }),
    );
    if (!this.now) this.now = list.serverTime ?? this.deps.now();
    const confirmed: Array<{ issue: IssueRecord; state: IncidentState }> = [];
    for (const issue of list.issues) {
      if (issue.isPullRequest) continue;
      const s = decodeMarker(issue.body, this.label, issue.createdAt);
      if (s) confirmed.push({ issue, state: s });
      else this.deps.log.debug(`#${issue.number} has the labels but no greenline marker for ${this.label}: ignored`);
    }
    confirmed.sort((a, b) => a.issue.number - b.issue.number);
    return confirmed;
  }

  entry(): TimelineEntry {
    const c = this.config;
    return {
      t: iso(this.now),
      c: c.failingSha,
      s: this.status,
      ...(c.runUrl ? { r: c.runUrl } : {}),
      ...(c.restoredSha && c.mode === 'open' ? { x: c.restoredSha } : {}),
    };
  }

  render(state: IncidentState, previousBody?: string) {
    return renderIncidentBody({
      state,
      place: this.config.place,
      ...(this.config.health ? { health: this.config.health } : {}),
      ...(this.config.details !== undefined ? { details: this.config.details } : {}),
      ...(previousBody !== undefined ? { previousBody } : {}),
    });
  }

  // ---------------------------------------------------------------- open

  async open(open: Array<{ issue: IssueRecord; state: IncidentState }>): Promise<IncidentResult> {
    // An open issue whose marker still says "resolved" was reopened by a person after greenline closed it
    // (greenline's own reopen clears it): people use it (action items, a post-mortem); it is never closed as
    // a duplicate, and greenline updates it only when it would have reopened it itself (within reopen-window).
    const live = open.filter((o) => !o.state.resolved);
    const byPeople = open.filter((o) => o.state.resolved);
    const kept = live[0];
    if (kept) {
      await this.closeStaleDuplicates(kept.issue, live.slice(1).map((o) => o.issue));
      for (const o of byPeople) this.deps.log.info(`#${o.issue.number} was reopened by a person after it was resolved: left as it is`);
      return this.update(kept.issue, kept.state);
    }
    const window = this.config.reopenWindowMs;
    const adopt = byPeople
      .map((o) => ({ ...o, resolvedAt: Date.parse(o.state.resolved!) }))
      .filter((o) => window > 0 && this.now - o.resolvedAt <= window)
      .sort((a, b) => b.resolvedAt - a.resolvedAt)[0];
    if (adopt) {
      this.step(`#${adopt.issue.number} was reopened by a person ${humanDuration(Math.max(0, this.now - adopt.resolvedAt))} after it was resolved, within reopen-window: it carries this failure`);
      return this.update(adopt.issue, adopt.state);
    }
    const closed = await this.listConfirmed('closed', 'updated', 'desc');
    const previous = closed
      .filter((c) => c.issue.stateReason !== 'duplicate')
      .map((c) => ({ ...c, closedAt: Date.parse(c.issue.closedAt ?? c.state.resolved ?? '') }))
      .filter((c) => !Number.isNaN(c.closedAt))
      .sort((a, b) => b.closedAt - a.closedAt || b.issue.number - a.issue.number)[0];
    if (previous && window > 0 && this.now - previous.closedAt <= window) {
      return this.reopen(previous.issue, previous.state, previous.closedAt);
    }
    const linked = previous?.issue ?? byPeople.at(-1)?.issue;
    return this.create(linked);
  }

  /**
   * Why people are told (a comment), or undefined for "body only". At most one comment per repeat-interval,
   * unless the failing commit changed or the status is worse than the worst one people were already told
   * about in this incident (a status flapping between CRITICAL and UNHEALTHY is told once).
   */
  notifyReason(state: IncidentState): { markdown: string; text: string } | undefined {
    const c = this.config;
    const commit = (sha: string) => `[\`${shortSha(sha)}\`](${commitUrl(c.place, sha)})`;
    const md: string[] = [];
    const text: string[] = [];
    if (c.failingSha && c.failingSha !== state.failing) {
      md.push(state.failing ? `New failing commit ${commit(c.failingSha)} (was ${commit(state.failing)})` : `Failing commit ${commit(c.failingSha)}`);
      text.push(`new failing commit ${shortSha(c.failingSha)}`);
    }
    const told = state.told ?? state.status;
    if (worse(this.status, told)) {
      md.push(`Status worsened from **${inline(told, 40)}** to **${inline(this.status, 40)}**`);
      text.push(`status ${told} → ${this.status}`);
    }
    const since = this.now - Date.parse(state.notified);
    if (!md.length && since >= c.repeatIntervalMs) {
      md.push(`Still failing: ${this.status === state.status ? 'nothing changed' : `now **${inline(this.status, 40)}**`} in ${humanDuration(since)}`);
      text.push(`still failing after ${humanDuration(since)} (repeat-interval ${humanDuration(c.repeatIntervalMs)})`);
    }
    if (!md.length) return undefined;
    // Told anyway: say what else changed since the last run (no comment of its own).
    if (this.status !== state.status && !worse(this.status, told)) {
      md.push(`Status changed from **${inline(state.status, 40)}** to **${inline(this.status, 40)}**`);
      text.push(`status ${state.status} → ${this.status}`);
    }
    if (c.restoredSha && c.restoredSha !== state.restored) {
      md.push(`New rollback: restored ${commit(c.restoredSha)}`);
      text.push(`new rollback to ${shortSha(c.restoredSha)}`);
    }
    if (c.undoneSha && c.undoneSha !== state.undone) {
      md.push(`New revert: undid ${commit(c.undoneSha)} alone`);
      text.push(`new revert of ${shortSha(c.undoneSha)}`);
    }
    return { markdown: md.join('; '), text: text.join(', ') };
  }

  async update(issue: IssueRecord, state: IncidentState): Promise<IncidentResult> {
    const c = this.config;
    const reason = this.notifyReason(state);
    const entry = this.entry();
    // An issue people reopened by hand is no longer resolved.
    const { resolved: _resolved, undone: _undone, ...open } = state;
    const next: IncidentState = {
      ...open,
      kind: c.kind,
      status: this.status,
      failing: c.failingSha || state.failing,
      restored: c.restoredSha || state.restored,
      ...undoneAfter(c, state),
      notified: reason ? iso(this.now) : state.notified,
      told: reason ? worst(state.told ?? state.status, this.status) : (state.told ?? state.status),
      runs: state.runs + 1,
      timeline: [...state.timeline, entry],
    };
    const { body } = this.render(next, issue.body);
    this.step(`Update the body of #${issue.number} (run ${next.runs})`);
    if (!c.dryRun) await this.call(`update the body of #${issue.number}`, () => this.deps.api.updateIssue(issue.number, { body }));
    if (!reason) {
      const wait = c.repeatIntervalMs - (this.now - Date.parse(state.notified));
      return this.result('updated', issue, `nothing new to tell since the last comment; next reminder in ${humanDuration(Math.max(0, wait))}`);
    }
    this.step(`Comment on #${issue.number}: ${reason.text}`);
    if (!c.dryRun) {
      try {
        await this.deps.api.addComment(issue.number, `🔴 ${reason.markdown}.\n\n${timelineLine(entry, c.place)}`);
      } catch (error) {
        return this.result('updated', issue, reason.text, {
          failure: `Updated the body of #${issue.number}, but the comment could not be posted: ${describe(error)}`,
        });
      }
    }
    return this.result('commented', issue, reason.text);
  }

  /**
   * Reopens the last incident (failing again within reopen-window). The first reopen is a comment; while the
   * service flaps, further reopens within repeat-interval of the last comment are quiet (the timeline and
   * GitHub's own reopen event record them) unless the failing commit changed or the status got worse.
   */
  async reopen(issue: IssueRecord, state: IncidentState, closedAt: number): Promise<IncidentResult> {
    const c = this.config;
    const entry = this.entry();
    const { resolved: _resolved, undone: _undone, ...rest } = state;
    const after = humanDuration(Math.max(0, this.now - closedAt));
    const news = this.notifyReason(state);
    const flapping = state.reopened !== undefined && this.now - Date.parse(state.notified) < c.repeatIntervalMs;
    const tell = !flapping || (news !== undefined && !news.text.startsWith('still failing'));
    const next: IncidentState = {
      ...rest,
      kind: c.kind,
      status: this.status,
      failing: c.failingSha || state.failing,
      restored: c.restoredSha || state.restored,
      ...undoneAfter(c, state),
      notified: tell ? iso(this.now) : state.notified,
      told: tell ? this.status : worst(state.told ?? state.status, this.status),
      reopened: iso(this.now),
      runs: state.runs + 1,
      timeline: [...state.timeline, { ...entry, s: `REOPENED · ${entry.s}` }],
    };
    const { body } = this.render(next, issue.body);
    this.step(`Reopen #${issue.number}: failing again ${after} after it was closed (reopen-window ${humanDuration(c.reopenWindowMs)})${tell ? '' : '; no comment: it flaps, and people were told less than repeat-interval ago'}`);
    if (!c.dryRun) {
      await this.call(`reopen #${issue.number}`, () => this.deps.api.updateIssue(issue.number, { body, state: 'open', stateReason: 'reopened' }));
      if (tell) {
        try {
          await this.deps.api.addComment(issue.number, `🔴 Reopened: failing again ${after} after it was closed${news ? `. ${news.markdown}` : ''}.\n\n${timelineLine(entry, c.place)}`);
        } catch (error) {
          return this.result('reopened', issue, 'reopened within reopen-window', {
            failure: `Reopened #${issue.number}, but the comment could not be posted: ${describe(error)}`,
          });
        }
      }
    }
    return this.result('reopened', issue, `failing again ${after} after it was closed, within reopen-window${tell ? '' : ' (quiet: flapping)'}`);
  }

  async create(previous: IssueRecord | undefined): Promise<IncidentResult> {
    const c = this.config;
    const now = iso(this.now);
    const state: IncidentState = {
      v: 1,
      label: this.label,
      fingerprint: c.fingerprint,
      kind: c.kind,
      status: this.status,
      failing: c.failingSha,
      restored: c.restoredSha,
      ...(c.undoneSha ? { undone: c.undoneSha } : {}),
      opened: now,
      notified: now,
      told: this.status,
      runs: 1,
      trimmed: 0,
      ...(previous ? { previous: previous.number } : {}),
      timeline: [this.entry()],
    };
    const { body } = this.render(state);
    const labels = unique([...c.labels, this.label]);
    await this.ensureLabels(labels);
    if (c.dryRun) {
      this.step(`Create the incident issue "${c.title}"${previous ? `, linking the previous incident #${previous.number}` : ''}`);
      return this.result('created', undefined, 'no open incident for this fingerprint', previous ? { previous: previous.number } : {});
    }

    let created: IssueRecord;
    try {
      created = await this.deps.api.createIssue({ title: c.title, body, labels, assignees: c.assignees });
    } catch (error) {
      if (statusOf(error) !== 422 || c.assignees.length === 0) throw wrap('create the incident issue', error);
      this.deps.log.warning(`Could not assign ${c.assignees.join(', ')} (${messageOf(error)}); creating the issue unassigned`);
      created = await this.call('create the incident issue', () => this.deps.api.createIssue({ title: c.title, body, labels, assignees: [] }));
    }
    return this.sweepAfterCreate(created, previous);
  }

  /** Creates the labels the repository does not have yet (one list request, then one per missing label). */
  async ensureLabels(labels: string[]): Promise<void> {
    const c = this.config;
    const existing = new Set((await this.call('list the labels', () => this.deps.api.listLabels())).map((l) => l.toLowerCase()));
    for (const name of labels) {
      if (existing.has(name.toLowerCase())) continue;
      this.step(`Create the label ${name}`);
      if (c.dryRun) continue;
      const description = name === this.label ? `greenline incident fingerprint: ${c.fingerprint}` : 'Opened and closed by greenline';
      await this.call(`create the label ${name}`, () =>
        this.deps.api.createLabel({ name, color: LABEL_COLORS[name] ?? (name === this.label ? 'ededed' : 'd93f0b'), description: capChars(description, 100) }),
      );
    }
  }

  /**
   * Two runs that both found nothing open both create an issue. Issue numbers grow in creation order, so
   * after creating, every older duplicate is already listed: the oldest (lowest number) is kept, and each
   * run closes its own issue if it is not the kept one (one comment per duplicate, no two runs closing the
   * same issue), then adds its run to the kept issue's timeline.
   */
  async sweepAfterCreate(created: IssueRecord, previous: IssueRecord | undefined): Promise<IncidentResult> {
    this.step(`Created #${created.number} "${created.title}"${previous ? `, linking the previous incident #${previous.number}` : ''}`);
    const extra = previous ? { previous: previous.number } : {};
    let open: Array<{ issue: IssueRecord; state: IncidentState }>;
    try {
      open = await this.listConfirmed('open', 'created', 'asc');
    } catch (error) {
      this.deps.log.warning(`Created #${created.number}, but could not list again to check for a duplicate: ${describe(error)}`);
      return this.result('created', created, 'no open incident for this fingerprint', extra);
    }
    // Issues a person reopened are not greenline's to deduplicate (see open()).
    const kept = open.find((o) => !o.state.resolved);
    if (!kept || kept.issue.number >= created.number) {
      return this.result('created', created, 'no open incident for this fingerprint', extra);
    }
    this.step(`Close #${created.number} as a duplicate of #${kept.issue.number}, opened by a concurrent run`);
    await this.closeDuplicate(created, kept.issue);
    const next: IncidentState = { ...kept.state, runs: kept.state.runs + 1, timeline: [...kept.state.timeline, this.entry()] };
    const { body } = this.render(next, kept.issue.body);
    this.step(`Update the body of #${kept.issue.number}`);
    await this.call(`update the body of #${kept.issue.number}`, () => this.deps.api.updateIssue(kept.issue.number, { body }));
    return this.result('updated', kept.issue, `a concurrent run opened #${kept.issue.number} first; #${created.number} closed as its duplicate`, extra);
  }

  async closeDuplicate(issue: { number: number }, kept: { number: number }): Promise<void> {
    await this.call(`comment on the duplicate #${issue.number}`, () =>
      this.deps.api.addComment(
        issue.number,
        `Duplicate of #${kept.number}: another run opened the same incident (\`${this.label}\`) at the same time. Closing this one; updates go to #${kept.number}.`,
      ),
    );
    await this.call(`close the duplicate #${issue.number}`, () => this.deps.api.updateIssue(issue.number, { state: 'closed', stateReason: 'duplicate' }));
    this.duplicatesClosed.push(issue.number);
  }

  /** Duplicates left open by a run that died between creating and sweeping: old enough that no run is racing. */
  async closeStaleDuplicates(kept: IssueRecord, others: IssueRecord[]): Promise<void> {
    for (const other of others) {
      const age = this.now - Date.parse(other.createdAt);
      if (!(age >= STALE_DUPLICATE_MS)) continue;
      this.step(`Close #${other.number}, a duplicate left open, keeping #${kept.number}`);
      if (this.config.dryRun) continue;
      try {
        await this.closeDuplicate(other, kept);
      } catch (error) {
        this.deps.log.warning(`Could not close the duplicate #${other.number}: ${describe(error)}`);
      }
    }
  }

  // ---------------------------------------------------------------- resolve

  /**
   * Closes what greenline opened or reopened itself; an issue a person reopened after greenline resolved it
   * is theirs (action items, a post-mortem) and stays open. The "resolved" comment is left out while the
   * service flaps (resolved again within repeat-interval of greenline reopening it): the timeline records it.
   */
  async resolve(open: Array<{ issue: IssueRecord; state: IncidentState }>): Promise<IncidentResult> {
    const c = this.config;
    const live = open.filter((o) => !o.state.resolved);
    for (const o of open.filter((x) => x.state.resolved)) {
      this.step(`Leave #${o.issue.number} open: a person reopened it after it was resolved`);
    }
    if (live.length === 0) {
      if (open.length === 0) this.step(`Nothing to resolve: no open issue labelled ${this.searchLabels.join(' + ')}`);
      return this.result('none', open[0]?.issue, open.length ? 'only issues a person reopened are open' : 'no open incident for this fingerprint');
    }
    let reason = '';
    for (const { issue, state } of live) {
      const after = humanDuration(Math.max(0, this.now - Date.parse(state.opened)));
      const flapping = state.reopened !== undefined && this.now - Date.parse(state.reopened) < c.repeatIntervalMs;
      reason ||= `resolved after ${after}${flapping ? ' (quiet: flapping)' : ''}`;
      const next: IncidentState = { ...state, resolved: iso(this.now), timeline: [...state.timeline, { ...this.entry(), s: 'RESOLVED' }] };
      const { body } = this.render(next, issue.body);
      this.step(`Close #${issue.number} as completed: resolved after ${after}${flapping ? '; no comment: it was reopened less than repeat-interval ago' : ''}`);
      if (c.dryRun) continue;
      if (!flapping) {
        await this.call(`comment on #${issue.number}`, () =>
          this.deps.api.addComment(issue.number, `✅ Resolved after ${after} · ${link(runLabel(c.runUrl), c.runUrl)}${c.failingSha ? ` · now on [\`${shortSha(c.failingSha)}\`](${commitUrl(c.place, c.failingSha)})` : ''}`),
        );
      }
      await this.call(`close #${issue.number}`, () => this.deps.api.updateIssue(issue.number, { body, state: 'closed', stateReason: 'completed' }));
    }
    return this.result('closed', live[0]!.issue, reason);
  }

  // ---------------------------------------------------------------- note

  async note(open: Array<{ issue: IssueRecord; state: IncidentState }>): Promise<IncidentResult> {
    const c = this.config;
    const live = open.find((o) => !o.state.resolved);
    if (!live) {
      this.step(`No comment: no open issue labelled ${this.searchLabels.join(' + ')}`);
      return this.result('none', undefined, 'no open incident for this fingerprint');
    }
    const { issue } = live;
    this.step(`Comment on #${issue.number}: ${inline(c.details ?? '', 200)}`);
    if (!c.dryRun) {
      await this.call(`comment on #${issue.number}`, () =>
        this.deps.api.addComment(issue.number, `🟡 ${capChars(untrusted(c.details ?? ''), 4000)} · ${link(runLabel(c.runUrl), c.runUrl)}`),
      );
    }
    return this.result('commented', issue, 'noted on the open incident');
  }

  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw wrap(what, error);
    }
  }
}

/**
 * The culprit a run undid replaces the one an earlier run undid; a later rollback to an older tree means the
 * branch is no longer "one commit undone" (the restored commit tells instead); otherwise it stays.
 */
function undoneAfter(c: IncidentConfig, state: IncidentState): { undone?: string } {
  if (c.undoneSha) return { undone: c.undoneSha };
  if (c.restoredSha) return {};
  return state.undone ? { undone: state.undone } : {};
}

/** Health statuses by severity; other statuses (ROLLED BACK, FAILED) have no order and are never "worse". */
function severity(status: string): number {
  return STATUS_ORDER.indexOf(status.trim().toUpperCase() as HealthStatus);
}

function worse(now: string, before: string): boolean {
  const a = severity(now);
  return a >= 0 && a > severity(before);
}

function worst(a: string, b: string): string {
  return worse(b, a) ? b : a;
}

function describe(error: unknown): string {
  const status = statusOf(error);
  const hint =
    status === 403 || status === 401
      ? ' (the token needs `issues: write`)'
      : status === 404
        ? ' (wrong repository, or the token cannot see it: it needs `issues: write`)'
        : status === 410
          ? ' (issues are disabled in this repository)'
          : '';
  return `${status ? `HTTP ${status}: ` : ''}${messageOf(error)}${hint}`;
}

function wrap(what: string, error: unknown): Error {
  if (error instanceof ExternalError) return error;
  return new ExternalError(`Could not ${what}: ${describe(error)}`, { cause: error });
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = v.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

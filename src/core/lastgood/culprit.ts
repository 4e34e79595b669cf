/**
 * `undo: culprit`: name the one commit that broke the branch from the verdicts GitHub already has (check runs
 * and commit statuses of each commit on the first-parent chain between the last good build and the failing
 * head), so that only that commit is undone and everybody else's work stays.
 *
 * The culprit is the commit that starts the failure the head is in: walking down from the failing head (failed:
 * this run says so), every commit that failed or has no verdict belongs to the failure, until the newest commit
 * whose checks passed (or the last good build). The commit right above it is the culprit when its own checks
 * failed; when it has no verdict (never run, cancelled by a newer push, still running) the failure may have
 * started there or later: the culprit cannot be named. An older failure that a later commit fixed is not the
 * culprit of this one.
 */
import { skipsCi } from '../git/history.js';
import { errorMessage, httpStatus } from '../github/http-error.js';
import { inertIssueReferences, shortSha } from '../util/text.js';
import type { CreatedCommit, RevertBackend } from './revert.js';
import type { ChainCommit, ChecksPort, CommitSummary, HistoryPort } from './types.js';

/** How a commit of the chain was judged. */
export type Verdict = 'passed' | 'failed' | 'no-verdict';

export interface JudgedCommit extends CommitSummary {
  verdict: Verdict;
  /** What the verdict rests on, for the summary: `ci: failure`, `no check run or commit status`, … */
  why: string;
}

export interface CulpritSearch {
  /** The commit undone alone; undefined when it could not be named (see `why`). */
  culprit?: ChainCommit;
  /** Why no culprit was named, or how it was. */
  why: string;
  /** The commits judged, newest first (the failing head first, judged by this run). */
  judged: JudgedCommit[];
  /** The first-parent commits above the last good build, oldest first (the culprit among them). */
  chain: CommitSummary[];
}

/** What `undo: culprit` came to, for the outputs, the summary and the incident. */
export interface CulpritReport {
  /** The commit undone alone; undefined when undo: culprit fell back to all (see `fallback`). */
  commit?: CommitSummary;
  /** The commits judged, newest first. */
  judged: JudgedCommit[];
  /** The commits kept: the first-parent commits above the last good build but the culprit, oldest first. */
  kept: CommitSummary[];
  /** The culprit's paths undone. */
  paths: string[];
  /** How the culprit was named, or why it was not. */
  why: string;
  /** Set when the whole range was undone instead (undo: all): why. */
  fallback?: string;
}

/** How many commits below the failing head are judged at most (2 requests each). */
export const JUDGE_LIMIT = 20;
/** How far the chain is walked down to the last good build (for the commits kept). */
const CHAIN_LIMIT = 200;

/** Check-run conclusions that say the code failed. */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure', 'action_required']);
/**
 * A check that did not finish (a newer push cancelled it, GitHub marked it stale): the commit's verdict is
 * incomplete, not a pass (a lint that passed says nothing about tests that were cancelled). `skipped` and
 * `neutral` say nothing and are passed over (a job skipped by its `if:` is normal).
 */
const UNFINISHED = new Set(['cancelled', 'stale']);
const STATUS_FAILED = new Set(['failure', 'error']);

/**
 * A commit's verdict. With `required` names: each as require-checks reads it (a check run of that name, else a
 * commit status of that context); failed when one failed, passed when all succeeded, else no verdict. Without:
 * every check run and commit status the commit has; failed when one failed, passed when none failed, none is
 * pending or cancelled and one succeeded, else no verdict.
 */
export async function judge(sha: string, required: readonly string[], checks: ChecksPort): Promise<{ verdict: Verdict; why: string }> {
  const runs = await checks.conclusions(sha);
  const needStatuses = required.length === 0 || required.some((n) => !runs.has(n));
  const read = needStatuses ? await checks.statuses(sha) : { states: new Map<string, string>() };
  const statuses = 'states' in read ? read.states : new Map<string, string>();
  const refused = 'refused' in read ? read.refused : undefined;
  const failed: string[] = [];
  const pending: string[] = [];
  const passed: string[] = [];
  const note = (name: string, state: string | null, failedSet: Set<string>) => {
    if (state === null || state === 'pending' || state === 'queued' || state === 'in_progress') pending.push(`${name}: pending`);
    else if (UNFINISHED.has(state)) pending.push(`${name}: ${state}`);
    else if (failedSet.has(state)) failed.push(`${name}: ${state}`);
    else if (state === 'success') passed.push(name);
  };
  if (required.length > 0) {
    for (const name of required) {
      if (runs.has(name)) note(name, runs.get(name) ?? null, FAILED);
      else if (statuses.has(name)) note(name, statuses.get(name)!, STATUS_FAILED);
      else pending.push(`${name}: ${refused ? 'commit statuses unreadable' : 'none'}`);
    }
    if (failed.length) return { verdict: 'failed', why: failed.join(', ') };
    if (passed.length === required.length) return { verdict: 'passed', why: passed.map((n) => `${n}: success`).join(', ') };
    return { verdict: 'no-verdict', why: pending.join(', ') || 'required checks did not conclude' };
  }
  for (const [name, c] of runs) note(name, c, FAILED);
  for (const [name, s] of statuses) note(name, s, STATUS_FAILED);
  if (failed.length) return { verdict: 'failed', why: failed.join(', ') };
  if (pending.length) return { verdict: 'no-verdict', why: pending.join(', ') };
  if (passed.length) return { verdict: 'passed', why: `${passed.length} check(s) succeeded` };
  return { verdict: 'no-verdict', why: refused ? `no check run, and commit statuses could not be read (${refused})` : 'no check run or commit status' };
}

/**
 * Walks the failing head's first-parent chain down to the last good build `good`, judging commits until the
 * newest one that passed. `transparent` commits (greenline's ledger-only commits: [skip ci], nothing changed
 * but the ledger) are neither judged nor culprits.
 */
export async function findCulprit(
  failingSha: string,
  good: string,
  transparent: ReadonlySet<string>,
  required: readonly string[],
  ports: { history: HistoryPort; checks: ChecksPort },
): Promise<CulpritSearch> {
  const judged: JudgedCommit[] = [];
  const chain: CommitSummary[] = [];
  let above: { commit: ChainCommit; verdict: Verdict } | undefined;
  const named: { culprit?: ChainCommit; why?: string } = {};
  /** The newest commit that passed (or the last good build) is found: the commit right above it decides. */
  const settle = (what: string) => {
    if (!above) named.why = `nothing between ${what} and the failing commit`;
    else if (above.verdict === 'failed') {
      named.culprit = above.commit;
      named.why = `${shortSha(above.commit.sha)} is the first commit that failed after ${what}`;
    } else named.why = `${shortSha(above.commit.sha)}, right after ${what}, has no verdict of its own: the failure may have started there or later`;
  };
  let n = 0;
  let reachedGood = false;
  for await (const c of ports.history.walkFirstParents(failingSha)) {
    if (c.sha === good) {
      reachedGood = true;
      if (named.why === undefined) settle(`the last good build ${shortSha(good)}`);
      break;
    }
    if (++n > CHAIN_LIMIT) break;
    chain.unshift({ sha: c.sha, subject: c.subject });
    if (named.why !== undefined || transparent.has(c.sha)) continue;
    if (c.sha === failingSha) {
      judged.push({ sha: c.sha, subject: c.subject, verdict: 'failed', why: 'the failing run' });
      above = { commit: c, verdict: 'failed' };
      continue;
    }
    if (judged.length > JUDGE_LIMIT) {
      named.why = `no passing commit among the ${JUDGE_LIMIT} commits below ${shortSha(failingSha)}`;
      continue;
    }
    // A commit that starts no run ([skip ci]) and is not greenline's ledger commit has no verdict: no request.
    const v = skipsCi(c.message) ? { verdict: 'no-verdict' as const, why: 'skips CI' } : await judge(c.sha, required, ports.checks);
    judged.push({ sha: c.sha, subject: c.subject, ...v });
    if (v.verdict === 'passed') settle(`${shortSha(c.sha)}, whose checks passed`);
    else above = { commit: c, verdict: v.verdict };
  }
  if (!reachedGood) return { why: named.why ?? `the last good build ${shortSha(good)} is not on the first-parent chain of ${shortSha(failingSha)} within ${CHAIN_LIMIT} commits`, judged, chain: [] };
  // Named only when the chain reaches the last good build: the commits kept are then all known.
  return { ...(named.culprit ? { culprit: named.culprit } : {}), why: named.why ?? 'no commit judged', judged, chain };

}

export interface CulpritDecision {
  report: CulpritReport;
  /** The culprit to undo alone; undefined: undo everything (see `report.fallback`). */
  commit?: ChainCommit;
  /** Makes the revert commit of the culprit (parent: the head); set with `commit`. */
  write?: (message: string) => Promise<CreatedCommit>;
  /** What happened, for the summary's steps. */
  steps: string[];
}

/**
 * Whether the culprit alone is undone: named from the verdicts, then planned by the backend without writing
 * (`keep`: the ledger and preserve-paths, left as the head has them). Otherwise the decision to undo everything,
 * with why: failed-in production (every build there passed its checks), no checks port, no culprit named, its
 * undo would conflict with later commits, or a token that may not read check runs (a broken branch must not stay
 * broken because of a missing checks: read).
 */
export async function decideCulprit(
  input: { failingSha: string; good: string; head: string; transparent: ReadonlySet<string>; above: readonly CommitSummary[]; requireChecks: readonly string[]; keep: readonly string[]; production: boolean },
  ports: { history: HistoryPort; checks?: ChecksPort; backend: Pick<RevertBackend, 'planCulpritUndo'> },
): Promise<CulpritDecision> {
  const steps: string[] = [];
  const fallBack = (why: string, report: Omit<CulpritReport, 'fallback' | 'kept' | 'paths'> = { judged: [], why }): CulpritDecision => {
    steps.push(`undo: culprit fell back to all: ${why}`);
    return { report: { ...report, kept: [], paths: [], fallback: why }, steps };
  };
  if (input.production) return fallBack('failed-in: production: the failing build passed its checks, so they cannot name a culprit');
  if (!ports.checks) return fallBack('no token to read check runs and commit statuses');
  let search: CulpritSearch;
  try {
    search = await findCulprit(input.failingSha, input.good, input.transparent, input.requireChecks, { history: ports.history, checks: ports.checks });
  } catch (error) {
    if (httpStatus(error) !== 403 || /rate limit/i.test(errorMessage(error))) throw error;
    search = { why: `the check runs could not be read (403 ${errorMessage(error)}: the token lacks checks: read)`, judged: [], chain: [] };
  }
  const report = { judged: search.judged, why: search.why };
  steps.push(`Judged ${search.judged.length} commit(s): ${search.judged.map((j) => `${shortSha(j.sha)} ${j.verdict}`).join(', ')}`);
  const c = search.culprit;
  if (!c) return fallBack(`no culprit named: ${search.why}`, report);
  const plan = await ports.backend.planCulpritUndo({ culprit: c.sha, culpritParent: c.parents[0]!, head: input.head, keep: input.keep });
  if ('conflict' in plan) return fallBack(`the culprit ${shortSha(c.sha)} cannot be undone alone: ${plan.conflict}`, { ...report, commit: { sha: c.sha, subject: c.subject } });
  // Kept: the chain but the culprit, then greenline's ledger commits above the failing one (walked newest first).
  const kept = [...search.chain.filter((k) => k.sha !== c.sha), ...[...input.above].reverse()];
  steps.push(`Culprit: ${shortSha(c.sha)} ${c.subject} (${search.why}); ${plan.paths.length} path(s) to undo${c.parents.length > 1 ? ' (a merge: with respect to its first parent)' : ''}`);
  return { report: { ...report, commit: { sha: c.sha, subject: c.subject }, kept, paths: plan.paths }, commit: c, write: plan.write, steps };
}

/**
 * The message of a culprit revert, in `git revert`'s words: `Revert "<subject>"` (a skip keyword of the quoted
 * subject left out, so the revert of this revert is tested), a body naming the culprit, the failure and the run,
 * `[skip ci]` in the body, and greenline's trailers: Greenline-Revert-Of (the failing commit: the loop guard
 * and the daily cap read it) and Greenline-Culprit. No Greenline-Restored: the tree is no good build's.
 */
export function culpritMessage(v: { culprit: ChainCommit; failingSha: string; branch: string; reason: string; runUrl: string; why: string }): string {
  const quoted = inertIssueReferences(v.culprit.subject)
    .replace(/\s*\[(skip ci|ci skip|no ci|skip actions|actions skip)\]\s*/gi, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  const merge = v.culprit.parents.length > 1 ? `, reversing\nchanges made to ${v.culprit.parents[0]}` : '';
  const body = [
    `This reverts commit ${v.culprit.sha}${merge}.`,
    '',
    `greenline undid this commit alone (undo: culprit): ${inertIssueReferences(v.reason)} on ${v.branch} at ${shortSha(v.failingSha)}, and ${v.why}.`,
    'The commits before and after it are kept.',
    ...(v.runUrl ? ['', `Run: ${v.runUrl}`] : []),
    '',
    '[skip ci]',
  ];
  return `Revert "${quoted}"\n\n${body.join('\n')}\n\nGreenline-Revert-Of: ${v.failingSha}\nGreenline-Culprit: ${v.culprit.sha}\n`;
}

import { neutralise, shortSha } from '../util/text.js';
import { sameCommit } from './find.js';
import type { RevertResult } from './revert.js';
import type { HistoryPort } from './types.js';

/**
 * "The author hears it first": when greenline reverts a branch (or opens a revert pull request), one comment
 * on the pull request that brought in the failing commit, saying what failed, the run and the revert. Once per
 * pull request and culprit (a hidden marker finds an earlier note), nobody mentioned, nothing for a direct push,
 * and never a reason for the revert to fail: a refusal is a warning.
 */

/** A pull request GitHub associates with a commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`). */
export interface AssociatedPull {
  number: number;
  url: string;
  baseRef: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

export interface PullNotePort {
  pullsOf(sha: string): Promise<AssociatedPull[]>;
  /** The URL of a comment on the pull request whose body holds `marker`, if any. */
  findComment(number: number, marker: string): Promise<string | undefined>;
  comment(number: number, body: string): Promise<{ url: string }>;
}

export interface NoteConfig {
  branch: string;
  reason: string;
  runUrl: string;
  /** `https://github.com/owner/repo`: commit links. */
  repoUrl: string;
  dryRun: boolean;
}

/**
 * What became of the note: `commented`, `already` (an earlier run's note is there), `no-pull-request` (a
 * direct push), `would-comment` (dry run), `failed` (a warning), `off` (comment-on-pull-request: false or no
 * token), `none` (nothing was reverted).
 */
export type NoteStatus = 'commented' | 'already' | 'no-pull-request' | 'would-comment' | 'failed' | 'off' | 'none';

export interface AuthorNote {
  status: NoteStatus;
  /** The commit whose pull request was looked for. */
  culprit?: string;
  pullNumber?: number;
  pullUrl?: string;
  commentUrl?: string;
  /** One line for the log and the summary. */
  detail: string;
}

export function noteMarker(culprit: string): string {
  return `<!-- greenline:revert-note ${culprit.toLowerCase()} -->`;
}

/**
 * The pull request that brought `sha` into `branch`: the merged one whose merge commit it is (a merge, squash or
 * rebase on the branch), else the first merged into the branch that contains it. An open pull request, or one
 * merged into another branch, did not bring it in.
 */
export function pickPullRequest(pulls: readonly AssociatedPull[], sha: string, branch: string): AssociatedPull | undefined {
  const merged = pulls.filter((p) => p.mergedAt !== null && p.baseRef === branch);
  const own = merged.find((p) => p.mergeCommitSha !== null && sameCommit(p.mergeCommitSha, sha));
  if (own) return own;
  return [...merged].sort((a, b) => Date.parse(a.mergedAt!) - Date.parse(b.mergedAt!) || a.number - b.number)[0];
}

/**
 * The commit whose pull request is told: the failing commit, or, when it is one of greenline's ledger-only
 * commits (kept by the revert: a health failure names the ledger commit on top of the build), the first commit
 * below it on the branch that is not.
 */
export async function culpritOf(result: RevertResult, history: HistoryPort): Promise<string | undefined> {
  const failing = result.failing?.sha;
  if (!failing) return undefined;
  const kept = new Set(result.kept.map((c) => c.sha));
  if (!kept.has(failing)) return failing;
  for await (const c of history.walkFirstParents(failing)) {
    if (!kept.has(c.sha)) return c.sha;
  }
  return failing;
}

/** Untrusted text (a commit subject, a reason) on one line, with no mention, reference, HTML or code span. */
function inert(text: string, max = 200): string {
  const t = neutralise(text).replace(/\s*\n\s*/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function commitLink(config: NoteConfig, sha: string): string {
  return config.repoUrl ? `[\`${shortSha(sha)}\`](${config.repoUrl}/commit/${sha})` : `\`${shortSha(sha)}\``;
}

/** The comment's text. Everything untrusted goes through neutralise: the note notifies the author only. */
export function renderNote(result: RevertResult, culprit: string, config: NoteConfig, culpritSubject: string): string {
  const branch = `\`${inert(config.branch, 100)}\``;
  const failing = result.failing!;
  const lines = [noteMarker(culprit)];
  if (result.reverted) lines.push(`### ⏪ greenline reverted ${branch} after a failure of this pull request's change`);
  else lines.push(`### 🔀 greenline opened a revert of this pull request's change on ${branch}`);
  lines.push('');
  const what = sameCommit(culprit, failing.sha)
    ? `${commitLink(config, culprit)} ${inert(culpritSubject)}`
    : `${commitLink(config, culprit)} ${inert(culpritSubject)} (failing head ${commitLink(config, failing.sha)})`;
  lines.push(`**What failed:** ${inert(config.reason, 300)} on ${what}`, '');
  if (config.runUrl) lines.push(`**Run:** ${config.runUrl}`, '');
  if (result.reverted) {
    lines.push(`**Revert:** ${commitLink(config, result.revertSha)} on ${branch}, restoring the tree of the last good build ${commitLink(config, result.targetSha)} ${inert(result.target?.subject ?? '')}`.trimEnd(), '');
  } else {
    lines.push(`**Revert:** ${branch} is protected: the revert to ${commitLink(config, result.targetSha)} waits in ${result.pullRequestUrl}`, '');
  }
  lines.push(
    'The change stays out of the branch until it is fixed: land a fix in a new pull request (reverting greenline\'s revert commit brings the change back as it was).',
    '',
    '<sub>Posted once by greenline auto-revert for this pull request and this failure.</sub>',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Comments on the pull request behind the reverted change, once. Never throws: a refusal (403 without
 * `pull-requests: write`, 404, a network failure) comes back as `failed` for a warning.
 */
export async function noteAuthor(result: RevertResult, config: NoteConfig, deps: { port?: PullNotePort; history: HistoryPort; commitSubject(sha: string): Promise<string | undefined> }): Promise<AuthorNote> {
  const done = result.reverted || (result.pullRequestUrl !== '' && result.outcome === 'pull-request');
  const wouldBe = result.outcome === 'dry-run';
  if (!done && !wouldBe) return { status: 'none', detail: 'nothing was reverted: no pull request is told' };
  if (!deps.port) return { status: 'off', detail: 'the pull request behind the change is not told (comment-on-pull-request: false, or no token)' };
  let culprit: string | undefined;
  let pull: AssociatedPull | undefined;
  try {
    culprit = await culpritOf(result, deps.history);
    if (!culprit) return { status: 'none', detail: 'no failing commit known: no pull request is told' };
    pull = pickPullRequest(await deps.port.pullsOf(culprit), culprit, config.branch);
    if (!pull) return { status: 'no-pull-request', culprit, detail: `${shortSha(culprit)} came into ${config.branch} with no pull request (a direct push): nobody to tell` };
    const at = { culprit, pullNumber: pull.number, pullUrl: pull.url };
    if (wouldBe) return { status: 'would-comment', ...at, detail: `dry run: would comment on pull request #${pull.number} (${pull.url})` };
    const earlier = await deps.port.findComment(pull.number, noteMarker(culprit));
    if (earlier) return { status: 'already', ...at, commentUrl: earlier, detail: `pull request #${pull.number} already has greenline's note: ${earlier}` };
    const subject = culprit === result.failing?.sha ? result.failing.subject : ((await deps.commitSubject(culprit)) ?? '');
    const posted = await deps.port.comment(pull.number, renderNote(result, culprit, config, subject));
    return { status: 'commented', ...at, commentUrl: posted.url, detail: `commented on pull request #${pull.number}: ${posted.url}` };
  } catch (error) {
    const where = pull ? `comment on pull request #${pull.number}` : `find the pull request of ${culprit ? shortSha(culprit) : 'the failing commit'}`;
    const status = (error as { status?: unknown })?.status;
    const why = status === 403 ? ' (the token needs pull-requests: write, or issues: write)' : '';
    const message = (error as { response?: { data?: { message?: string } } })?.response?.data?.message ?? (error instanceof Error ? error.message : String(error));
    return {
      status: 'failed',
      ...(culprit ? { culprit } : {}),
      ...(pull ? { pullNumber: pull.number, pullUrl: pull.url } : {}),
      detail: `could not ${where}: ${typeof status === 'number' ? `${status} ` : ''}${message}${why}; the revert itself is ${result.reverted ? 'done' : 'unaffected'}`,
    };
  }
}

import { ConfigurationError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { ActionResult } from '../../core/action/runner.js';
import { GitRevertBackend } from '../../core/git/revert-git.js';
import { ApiPullNotes } from '../../core/github/pull-notes.js';
import { ApiPullRequests, ApiRevertBackend } from '../../core/github/revert-api.js';
import { noteAuthor, type AuthorNote } from '../../core/lastgood/author-note.js';
import { autoRevert, type RevertConfig, type RevertDeps, type RevertResult } from '../../core/lastgood/revert.js';
import type { LastGoodSetup } from '../../core/lastgood/setup.js';
import { parseLedger } from '../../core/ledger/parse.js';
import { stableLine, stableOutputs, tagServes } from '../../core/ledger/stable-serves.js';
import { cell, shortSha } from '../../core/util/text.js';

export type RevertMethod = 'api' | 'git';

/** The ports for a method: the Git Data API, or the workspace checkout and git push. */
export function revertDeps(method: RevertMethod, setup: LastGoodSetup, failingSha: string, log: Logger, now?: () => Date, commentOnPullRequest = true): RevertDeps {
  let backend: RevertDeps['backend'];
  if (method === 'api') {
    if (!setup.repo) throw new ConfigurationError('Input "token": required with method: api (the Git Data API needs contents: write)');
    backend = new ApiRevertBackend(setup.repo, { log, ...(now ? { now } : {}) });
  } else {
    if (!setup.gitHistory) throw new ConfigurationError('Input "method": git needs a checkout of the repository in GITHUB_WORKSPACE (actions/checkout with a token that may push)');
    backend = new GitRevertBackend(setup.gitHistory, { log });
  }
  return {
    backend,
    history: setup.history,
    ...(setup.checks ? { checks: setup.checks } : {}),
    ...(setup.github && setup.repo ? { pulls: new ApiPullRequests(setup.github, { owner: setup.repo.owner, repo: setup.repo.repo }) } : {}),
    ...(setup.github && setup.repo && commentOnPullRequest ? { notes: new ApiPullNotes(setup.github, { owner: setup.repo.owner, repo: setup.repo.repo }) } : {}),
    ledgerInput: () => setup.ledgerInput(failingSha),
    log,
  };
}

export async function main(config: RevertConfig, deps: RevertDeps): Promise<ActionResult & { result: RevertResult }> {
  const result = await autoRevert(config, deps);
  if (result.warning) deps.log.warning(result.warning);
  else deps.log.info(result.reason);
  await tellAuthor(result, config, deps);
  return {
    outputs: {
      outcome: result.outcome,
      reverted: String(result.reverted),
      'revert-sha': result.revertSha,
      'target-sha': result.targetSha,
      'pull-request-url': result.pullRequestUrl,
      reason: result.reason,
      ...stableOutputs(stableOf(result)),
      ...culpritOutputs(result),
    },
    summary: revertSummary(result, config),
    ...(result.failure ? { failure: result.failure } : {}),
    result,
  };
}

/**
 * After a revert (or a revert pull request): one note on the pull request that brought in the failing change.
 * Its failure is a warning, never the step's failure; the note is kept on the result for the summary.
 */
export async function tellAuthor(result: RevertResult, config: RevertConfig, deps: RevertDeps): Promise<AuthorNote> {
  const note = await noteAuthor(result, { branch: config.branch, reason: config.reason, runUrl: config.runUrl, repoUrl: config.repoUrl ?? '', dryRun: config.dryRun }, {
    ...(deps.notes ? { port: deps.notes } : {}),
    history: deps.history,
    commitSubject: async (sha) => (await deps.backend.commit(sha))?.subject,
  });
  if (note.status === 'failed') deps.log.warning(note.detail);
  else if (note.status !== 'none') deps.log.info(note.detail);
  result.note = note;
  return note;
}

/**
 * The step's result when the revert stopped on an error that is not the user's input (GitHub refused a write,
 * the network failed): the outputs are still all written (reverted false, the reason), so a later step or job
 * reading them sees why, and the step fails with `why`.
 */
export function revertFailed(config: RevertConfig, why: string): ActionResult {
  const reason = `the revert failed: ${why}`;
  return {
    outputs: { outcome: 'failed', reverted: 'false', 'revert-sha': '', 'target-sha': '', 'pull-request-url': '', reason, ...stableOutputs(undefined), ...culpritOutputs(undefined) },
    summary: [`### ❌ ${cell(config.branch)} not reverted`, '', `**Why:** ${cell(reason, 2000)}`, ''].join('\n'),
    failure: why,
  };
}

/**
 * `undo: culprit`'s outputs, written on every path: the culprit undone alone and the commits kept (full SHAs,
 * oldest first, space separated); both empty when no culprit was undone (undo: all, a fall-back to all, a stop).
 */
export function culpritOutputs(r: RevertResult | undefined): { 'culprit-sha': string; 'kept-shas': string } {
  const c = r?.culprit;
  const undone = c?.commit && !c.fallback ? c : undefined;
  return { 'culprit-sha': undone?.commit?.sha ?? '', 'kept-shas': undone ? undone.kept.map((k) => k.sha).join(' ') : '' };
}

/**
 * The evidence of `undo: culprit` for the summary and the incident: each commit judged and how, which was
 * undone, which were kept, or why it fell back to undoing everything (plain text: the caller renders it).
 */
export function culpritLines(r: RevertResult, markdown: (text: string) => string): string[] {
  const c = r.culprit;
  if (!c) return [];
  const lines: string[] = [];
  const undone = c.commit && !c.fallback;
  lines.push(undone ? `**undo: culprit** — ${markdown(c.why)}` : `**undo: culprit fell back to all:** ${markdown(c.fallback ?? '')}`, '');
  if (c.judged.length) {
    lines.push('| Commit | Verdict | From |', '| --- | --- | --- |');
    for (const j of c.judged) {
      const mark = j.verdict === 'passed' ? '✅ passed' : j.verdict === 'failed' ? '❌ failed' : '⚪ no verdict';
      const role = undone && j.sha === c.commit!.sha ? ' **(culprit: undone)**' : '';
      lines.push(`| \`${shortSha(j.sha)}\` ${markdown(j.subject)}${role} | ${mark} | ${markdown(j.why)} |`);
    }
    lines.push('');
  }
  if (undone) {
    lines.push(`**Undone:** \`${shortSha(c.commit!.sha)}\` ${markdown(c.commit!.subject)} (${c.paths.length} path(s))`, '');
    lines.push(`**Kept (${c.kept.length}):**`, '', ...c.kept.map((k) => `- \`${shortSha(k.sha)}\` ${markdown(k.subject)}`), '');
  }
  return lines;
}

/**
 * What :stable serves by the ledger the revert read (a revert moves no tag): for the image of the last good
 * build found, else the ledger's only image. Undefined when no ledger was read (the revert stopped first).
 */
export function stableOf(r: RevertResult): ReturnType<typeof tagServes> {
  const entries = r.find?.entries ?? (r.ledgerText !== undefined ? parseLedger(r.ledgerText).entries : undefined);
  if (!entries) return undefined;
  const image = r.find?.entry?.image;
  return tagServes(entries, image ? { image } : {});
}

/** A two-column table whose values are already markdown (trusted parts raw, untrusted parts through cell()). */
function keyValues(rows: [string, string][]): string {
  return ['|  |  |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

function noteCell(note: AuthorNote): string {
  const pr = `#${note.pullNumber} ${note.pullUrl}`;
  switch (note.status) {
    case 'commented':
      return `commented on ${pr}: ${note.commentUrl}`;
    case 'already':
      return `${pr} already has greenline's note: ${note.commentUrl}`;
    case 'would-comment':
      return `would comment on ${pr}`;
    default:
      return `${pr}: ${cell(note.detail, 500)}`;
  }
}

/** Which attempt of which run this was, and what the confirmation came to. */
function confirmCell(c: NonNullable<RevertConfig['confirm']>, r: RevertResult): string {
  const run = c.runUrl ? `[run ${c.runId}](${c.runUrl})` : `run ${c.runId}`;
  const what = r.outcome === 'confirming' ? 'failed: re-run asked before any revert' : r.confirmed ? 'failed again: the failure reproduced' : r.outcome === 'run-passed' ? 'passed' : 'failed';
  return `${run}, attempt ${c.attempt} of at most ${c.maxAttempts}: ${what}`;
}

function commitCell(sha: string | undefined, subject: string | undefined): string {
  return sha ? `\`${shortSha(sha)}\` ${cell(subject ?? '')}`.trim() : '—';
}

export function revertSummary(r: RevertResult, config: RevertConfig): string {
  const branch = cell(config.branch);
  const culprit = r.culprit?.commit && !r.culprit.fallback ? r.culprit.commit : undefined;
  const title = r.reverted && culprit
    ? `### ⏪ ${branch}: the culprit \`${shortSha(culprit.sha)}\` undone, ${r.culprit!.kept.length} commit(s) kept`
    : r.reverted
    ? `### ⏪ ${branch} reverted to the last good build \`${shortSha(r.targetSha)}\``
    : r.outcome === 'confirming'
      ? `### 🔁 ${branch} not reverted yet: confirming the failure by a re-run${r.dryRun ? ' (dry run)' : ''}`
      : r.outcome === 'run-passed'
        ? `### ✅ ${branch} left alone: the run passed`
        : r.pullRequestUrl
      ? `### 🔀 Revert pull request opened for ${branch}`
      : r.dryRun && !r.warning
        ? `### 🧪 Dry run: ${branch} would be reverted to \`${shortSha(r.targetSha)}\``
        : `### ⏸️ ${branch} not reverted`;
  const rows: [string, string][] = [
    ['Failing commit', commitCell(r.failing?.sha ?? config.failingSha, r.failing?.subject)],
    [culprit || (!r.reverted && r.outcome === 'confirming') ? 'Last good commit' : 'Restored commit', commitCell(r.target?.sha, r.target?.subject)],
  ];
  if (culprit) rows.push(['Culprit undone', commitCell(culprit.sha, culprit.subject)]);
  if (config.confirm) rows.push(['Confirmation', confirmCell(config.confirm, r)]);
  if (r.reverted) rows.push(['New commit', `\`${r.revertSha}\`${r.verified === undefined ? '' : r.verified ? ' (verified signature)' : ' (unsigned)'}`]);
  if (r.pullRequestUrl) rows.push(['Pull request', r.pullRequestUrl]);
  if (r.note?.pullUrl) rows.push(['Author told', noteCell(r.note)]);
  if (r.ledgerEntry) {
    rows.push(['Ledger', `\`${shortSha(r.ledgerEntry.commit)}\` marked ⛔ Rolled back in ${cell(config.ledgerPath)}${r.reverted || r.pullRequestUrl ? '' : ' (not written)'}`]);
  }
  const lines = [title, '', keyValues(rows), '', `**Why:** ${cell(r.reason, 2000)}`, ''];
  if (r.find?.entries || r.ledgerText !== undefined) lines.push(stableLine(stableOf(r), config.ledgerPath), '');
  lines.push(...culpritLines(r, (t) => cell(t, 500)));
  if (r.undoneTotal > 0) {
    lines.push(r.outcome === 'confirming' ? `**Commits a revert would undo (${r.undoneTotal}):**` : `**Commits undone (${r.undoneTotal}):**`, '');
    for (const c of r.undone) lines.push(`- \`${shortSha(c.sha)}\` ${cell(c.subject)}`);
    if (r.undoneTotal > r.undone.length) lines.push(`- … and ${r.undoneTotal - r.undone.length} more`);
    lines.push('');
  }
  if (r.kept.length > 0) {
    // greenline's own ledger commits: their entries stay in the ledger, so nothing of them is undone.
    lines.push(`**Ledger commits kept (${r.kept.length}):** greenline's own ledger entries, kept as they are`, '');
    for (const c of r.kept) lines.push(`- \`${shortSha(c.sha)}\` ${cell(c.subject)}`);
    lines.push('');
  }
  if (r.steps.length) lines.push('<details><summary>Steps</summary>', '', ...r.steps.map((s) => `1. ${cell(s, 1000)}`), '', '</details>', '');
  return lines.join('\n');
}

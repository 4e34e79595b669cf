import { ConfigurationError, ExternalError } from '../action/errors.js';
import type { Logger } from '../action/log.js';
import { greenlineMarks, isGreenlineRevert, RESTORED_TRAILER, REVERT_OF_TRAILER, ROLLED_BACK_TRAILER, skipsCi } from '../git/history.js';
import { appendToLedger } from '../ledger/append.js';
import { parseLedger } from '../ledger/parse.js';
import type { NewLedgerEntry } from '../ledger/schema.js';
import type { LedgerEntry } from '../ledger/types.js';
import { inertIssueReferences, neutralise, shortSha } from '../util/text.js';
import { needsConfirmation, requestRerun, runPassed, type ConfirmConfig, type RerunPort } from './confirm.js';
import { culpritMessage, decideCulprit, type CulpritReport } from './culprit.js';
import { findLastGood, sameCommit, type LedgerInput } from './find.js';
import type { AuthorNote, PullNotePort } from './author-note.js';
import { ledgerAt, type LedgerAt } from './ledger-at.js';
import type { ChainCommit, ChecksPort, CommitSummary, FindResult, HistoryPort } from './types.js';

/** A commit as the revert needs it. */
export interface RevertCommit {
  sha: string;
  subject: string;
  message: string;
  author: string;
}

export interface CreatedCommit {
  sha: string;
  tree: string;
  /** API method: GitHub's `verification.verified` of the new commit (signed by GitHub when no author is given). */
  verified?: boolean;
  verificationReason?: string;
}

export type UpdateOutcome = { status: 'ok' } | { status: 'rejected'; detail: string; protected: boolean };

/**
 * How a revert is written: the Git Data API (src/core/github/revert-api.ts) or the workspace checkout and
 * `git push` (src/core/git/revert-git.ts). Neither ever forces a ref.
 */
export interface RevertBackend {
  /** For the summary: `GitHub API`, `git push`. */
  readonly describe: string;
  /** Where the branch points now on the remote; undefined when there is no such branch. */
  branchHead(branch: string): Promise<string | undefined>;
  commit(sha: string): Promise<RevertCommit | undefined>;
  readFile(commit: string, path: string): Promise<string | undefined>;
  commitsBetween(base: string, head: string, limit: number): Promise<{ commits: CommitSummary[]; total: number }>;
  sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean>;
  /** A new commit whose one parent is `spec.parent` (see RevertCommitSpec). */
  createCommit(spec: RevertCommitSpec): Promise<CreatedCommit>;
  /** Moves the branch from `expected` to `sha` without force: a fast-forward or nothing. */
  updateBranch(branch: string, sha: string, expected: string): Promise<UpdateOutcome>;
  /** Creates a branch at `sha`; `exists` (and leaves it alone) when it is already there. */
  createBranch(branch: string, sha: string): Promise<'created' | 'exists'>;
  /**
   * `undo: culprit`: the culprit's changes from its first parent taken back on top of `head`, the `keep` paths
   * left as `head` has them. Reads only (git: objects in the private index, nothing pushed); `conflict` when a
   * later commit changed what the culprit changed; `write` makes the commit (parent `head`).
   */
  planCulpritUndo(spec: CulpritUndoSpec): Promise<CulpritPlan>;
}

export interface CulpritUndoSpec {
  culprit: string;
  /** The culprit's first parent: a merge is undone with respect to it (`git revert -m 1`). */
  culpritParent: string;
  head: string;
  keep: readonly string[];
}

export type CulpritPlan = { conflict: string } | { paths: string[]; write(message: string): Promise<CreatedCommit> };

/**
 * The revert commit's tree: `good`'s, with the `preserve` paths as they are in `parent`, then the `keep` paths
 * as they are in their `from` commit (the ledger, byte for byte, from the commit it was read at: the mode of a
 * symbolic link included; absent there → absent), then `files` written over it.
 */
export interface RevertCommitSpec {
  good: string;
  parent: string;
  preserve: readonly string[];
  keep: readonly { path: string; from: string }[];
  files: readonly { path: string; content: string }[];
  message: string;
}

export interface PullRequestPort {
  findOpen(head: string, base: string): Promise<{ number: number; url: string } | undefined>;
  /** `alreadyOpen`: GitHub refused a duplicate and the open one was found (a list that lagged behind). */
  create(spec: { head: string; base: string; title: string; body: string }): Promise<{ number: number; url: string; alreadyOpen?: boolean }>;
}

export interface RevertConfig {
  branch: string;
  /**
   * Set when the failure is not the branch's own (a pull request's run, a fork's, a merge-queue group's; see
   * trigger.ts): nothing is read or written, `reverted: false` with this reason.
   */
  notBranchFailure?: string;
  /** The branch came from the event, not the `branch` input: when it does not exist it was a tag's run. */
  branchFromEvent?: boolean;
  failingSha: string;
  /** Explicit good commit; found with find-last-good-commit's rules when undefined. */
  targetSha?: string;
  ledgerPath: string;
  requireChecks: readonly string[];
  preservePaths: readonly string[];
  reason: string;
  messageTemplate: string;
  maxPerDay: number;
  fallback: 'pull-request' | 'none';
  /**
   * `tests` (default): a failure whose tree already passed is not a code regression, and no build is marked ⛔.
   * `production` (the health path): the failing build failed in production: it is marked ⛔ and the branch goes
   * back to the last good build below it.
   */
  failedIn?: 'tests' | 'production';
  /**
   * `all` (default): restore the last good tree. `culprit` (culprit.ts): undo only the commit whose checks failed
   * first after a commit that passed, keeping the others; `all` when it cannot be named or undone cleanly.
   */
  undo?: 'all' | 'culprit';
  dryRun: boolean;
  /**
   * `confirm: rerun` (confirm.ts): the failing run, its attempt and the attempt that reverts. An attempt before
   * it asks GitHub to re-run the failed jobs instead of reverting; a run that passed reverts nothing.
   */
  confirm?: ConfirmConfig;
  now: Date;
  runUrl: string;
  /** `https://github.com/owner/repo`, for links in the note on the pull request. */
  repoUrl?: string;
}

export interface RevertDeps {
  backend: RevertBackend;
  history: HistoryPort;
  /** require-checks, and the verdicts `undo: culprit` reads (required then). */
  checks?: ChecksPort;
  /** Needed for `fallback: pull-request`; undefined without a token. */
  pulls?: PullRequestPort;
  /** The pull request behind the failing commit is told (author-note.ts); undefined: nobody is told. */
  notes?: PullNotePort;
  /** Re-runs for `confirm: rerun` (actions: write); required when `config.confirm` is set. */
  rerun?: RerunPort;
  /** The ledger find-last-good-commit reads (ledger-source) when the history has none to keep. */
  ledgerInput(): Promise<LedgerInput | undefined>;
  log: Logger;
}

/**
 * What a revert came to, as the `outcome` output: `reverted`, `pull-request` (protected branch), `dry-run`, or why
 * not — `not-a-regression` (the failing tree already passed), `already-reverted`, `branch-moved` (someone else
 * pushed), `loop` (the failing commit is a greenline revert), `daily-cap`, `no-good-build`, `nothing-to-undo`,
 * `not-branch-failure` (a pull request's, fork's, merge queue's or tag's run), `protected` (fallback none);
 * with `confirm: rerun`, `confirming` (a re-run of the failed jobs was asked for, or is under way) and
 * `run-passed` (the triggering run, a re-run of a failure, passed: nothing to revert).
 */
export type RevertOutcome =
  | 'reverted'
  | 'pull-request'
  | 'dry-run'
  | 'not-a-regression'
  | 'already-reverted'
  | 'branch-moved'
  | 'loop'
  | 'daily-cap'
  | 'no-good-build'
  | 'nothing-to-undo'
  | 'not-branch-failure'
  | 'protected'
  | 'confirming'
  | 'run-passed';

export interface RevertResult {
  outcome: RevertOutcome;
  reverted: boolean;
  revertSha: string;
  targetSha: string;
  pullRequestUrl: string;
  reason: string;
  dryRun: boolean;
  failing?: RevertCommit;
  target?: { sha: string; subject: string };
  undone: CommitSummary[];
  undoneTotal: number;
  /**
   * greenline's ledger-only commits the revert keeps: those above the failing one (the revert goes on top of
   * them), then those between the restored and the failing commit (only the ledger changed there, and the
   * ledger is kept): neither is in `undone`.
   */
  kept: CommitSummary[];
  find?: FindResult;
  /** The ⛔ entry written into the revert commit's ledger, when the failing commit had a ✅ entry. */
  ledgerEntry?: NewLedgerEntry;
  message?: string;
  verified?: boolean;
  /** What happened (or would), in order, for the summary. */
  steps: string[];
  /** The ledger as the revert read it (at the failing commit, or the branch head above it): what :stable serves. */
  ledgerText?: string;
  /** The note on the pull request that brought in the failing change (set after the revert, by the caller). */
  note?: AuthorNote;
  /** Set when the stop deserves a warning annotation (branch moved, loop, cap, nothing found). */
  warning?: string;
  /** Set when the step must fail after the outputs are written (protected branch without a fallback). */
  failure?: string;
  /** `confirm: rerun`: the evidence that the failure reproduced (set on a revert after a re-run failed too). */
  confirmed?: string;
  /** `confirm: rerun`: a re-run of a failed run passed, so the failure was flaky (outcome `run-passed`). */
  flaky?: boolean;
  /** `undo: culprit`: how the commits were judged, and what was undone and kept (or why it fell back to all). */
  culprit?: CulpritReport;
}


/**
 * Seed 000's rollback commit, with greenline's trailers appended by `renderRevertMessage`. The skip marker is
 * in the body, not the subject: `git revert` quotes only the subject, so a revert of this revert (the code
 * re-landed) would otherwise carry `[skip ci]` and never be tested. GitHub reads the whole message.
 */
export const DEFAULT_MESSAGE_TEMPLATE = [
  '⚠️ Auto-rollback: {reason}, reverting to last successful build {good-short}',
  '',
  'Reason: {reason} on commit {failing-short}',
  'Action: Automatically reverted to last known good state',
  'Status: Deployment unaffected (using :stable tag)',
  '',
  '[skip ci]',
].join('\n');

const SKIP_CI = /\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i;
const SKIP_CI_ALL = /\s*\[(skip ci|ci skip|no ci|skip actions|actions skip)\]\s*/gi;

export interface MessageValues {
  reason: string;
  goodSha: string;
  failingSha: string;
  branch: string;
  runUrl: string;
}

/**
 * The revert commit's message: the template with `{reason}`, `{good-short}`, `{good-sha}`, `{failing-short}`,
 * `{failing-sha}`, `{branch}`, `{run-url}` filled in; a skip keyword moved out of the subject into the body (a
 * `[skip ci]` line added when the body has none); then the `Greenline-Revert-Of`/`Greenline-Restored` trailers
 * greenline's loop guard reads, and one `Greenline-Rolled-Back` per build the commit marks ⛔.
 */
export function renderRevertMessage(template: string, v: MessageValues, rolledBack: readonly string[] = []): string {
  const values: Record<string, string> = {
    // The reason may quote a commit message ("fixes #12"): on the default branch it would close that issue.
    reason: inertIssueReferences(v.reason),
    'good-short': shortSha(v.goodSha),
    'good-sha': v.goodSha,
    'failing-short': shortSha(v.failingSha),
    'failing-sha': v.failingSha,
    branch: v.branch,
    'run-url': v.runUrl,
  };
  const filled = template.replace(/\r\n?/g, '\n').replace(/\{([a-z-]+)\}/g, (m, key: string) => values[key] ?? m).trimEnd();
  const ours = new RegExp(`^(${REVERT_OF_TRAILER}|${RESTORED_TRAILER}|${ROLLED_BACK_TRAILER}):`, 'i');
  const [first = '', ...rest] = filled.split('\n').filter((l) => !ours.test(l));
  const subject = first.replace(SKIP_CI_ALL, ' ').replace(/\s{2,}/g, ' ').trim() || 'Auto-rollback';
  let body = rest.join('\n').trim();
  if (!SKIP_CI.test(body) && !/^skip-checks:\s*true$/im.test(body)) body = body ? `${body}\n\n[skip ci]` : '[skip ci]';
  const trailers = [`${REVERT_OF_TRAILER}: ${v.failingSha}`, `${RESTORED_TRAILER}: ${v.goodSha}`, ...rolledBack.map((sha) => `${ROLLED_BACK_TRAILER}: ${sha}`)];
  return `${subject}\n\n${body}\n\n${trailers.join('\n')}\n`;
}

/** Whether `path` lies under one of `paths` (or is one). */
export function covered(path: string, paths: readonly string[]): boolean {
  const p = path.replace(/^\/+|\/+$/g, '');
  return paths.some((q) => {
    const r = q.replace(/^\/+|\/+$/g, '');
    return r !== '' && (p === r || p.startsWith(`${r}/`));
  });
}

/**
 * auto-revert: restore the last good tree on top of the failing commit, or stop and say why.
 *
 * Order matters: nothing is written before every check passed, and the only write that matters (moving the
 * branch) is a compare-and-swap that never forces. Stops that are not errors (the branch moved, the failing
 * commit is a greenline revert, its tree already passed, the daily cap, nothing to revert to) return
 * `reverted: false` with the outcome and the reason; a lost race is re-read once.
 */
export async function autoRevert(config: RevertConfig, deps: RevertDeps): Promise<RevertResult> {
  const { backend, log } = deps;
  const steps: string[] = [];
  const failingSha = config.failingSha.toLowerCase();
  let ledgerText: string | undefined;
  const result = (over: Partial<RevertResult> & { reason: string; outcome: RevertOutcome }): RevertResult => ({
    ...(ledgerText !== undefined ? { ledgerText } : {}),
    reverted: false,
    revertSha: '',
    targetSha: '',
    pullRequestUrl: '',
    dryRun: config.dryRun,
    undone: [],
    undoneTotal: 0,
    kept: [],
    steps,
    ...over,
  });

  // 0. A pull request's (or a fork's, or a merge queue's) failure is not the branch failing: nothing to do,
  //    and no warning either (the one-step rollback opens no incident for it).
  if (config.notBranchFailure) return result({ reason: config.notBranchFailure, outcome: 'not-branch-failure' });

  // 0b. confirm: rerun and the run passed (a re-run of a failure that did not reproduce): nothing is read.
  const passed = config.confirm ? runPassed(config.confirm) : undefined;
  if (passed) {
    // A pass after a failed attempt is worth a warning annotation: a flaky test is a bug of its own.
    const flaky = config.confirm!.attempt > 1;
    return result({ reason: passed, outcome: 'run-passed', ...(flaky ? { flaky, warning: passed } : {}) });
  }

  // 1. The branch must still be at the failing commit (compare-and-swap, read side), or above it only
  //    greenline's own ledger commits (promote-to-stable's [skip ci] entries), which the revert keeps.
  const head = await backend.branchHead(config.branch);
  if (head === undefined) {
    // workflow_run names a tag push's run by the tag in head_branch; a branch may also be gone since. Either
    // way no branch of the repository failed: nothing to revert, not a configuration error.
    if (config.branchFromEvent) return result({ reason: `the failing run's ref ${JSON.stringify(config.branch)} is not a branch of the repository (a tag's run, or a branch deleted since): nothing to revert`, outcome: 'not-branch-failure' });
    throw new ConfigurationError(`Input "branch": there is no branch ${JSON.stringify(config.branch)} in the repository`);
  }
  const failing = await backend.commit(failingSha);
  if (!failing) throw new ConfigurationError(`Input "failing-sha": commit ${failingSha} does not exist in the repository`);
  // The ledger as the failing commit's history has it (the failing commit may have deleted or broken it).
  let ledger = await ledgerOnChain(deps.history, failing.sha, config.ledgerPath);
  ledgerText = ledger?.text;
  let parent = failing.sha;
  let kept: CommitSummary[] = [];
  if (head !== failing.sha) {
    // The branch is at greenline's own revert of this very failure: a re-run of the failed run (or a second
    // trigger) after the revert. Nothing to do, and nobody pushed: no warning.
    const now = await backend.commit(head);
    const undid = now ? greenlineMarks(now.message).revertOf : undefined;
    if (undid !== undefined && sameCommit(undid, failing.sha)) {
      const reason = `${config.branch} is already reverted: its head ${shortSha(head)} is greenline's revert of the failing commit ${shortSha(failing.sha)}; nothing to do`;
      return result({ reason, failing, outcome: 'already-reverted' });
    }
    const ledgerCommits = await ledgerCommitsAbove(deps.history, head, failing.sha, ledger?.paths ?? [config.ledgerPath]);
    if (!ledgerCommits) {
      const moved = now ? `${shortSha(head)} (“${now.subject}” by ${now.author || 'unknown'})` : shortSha(head);
      const reason = `${config.branch} is at ${moved}, not at the failing commit ${shortSha(failing.sha)}: someone pushed after the failure, so nothing was reverted`;
      return result({ reason, warning: reason, failing, outcome: 'branch-moved' });
    }
    // Only ledger entries landed on top ([skip ci]: no run will come for them): revert on top of the tip and
    // keep them, instead of leaving the branch broken.
    parent = head;
    kept = ledgerCommits;
    ledger = (await ledgerOnChain(deps.history, head, config.ledgerPath)) ?? ledger;
    ledgerText = ledger?.text;
    steps.push(`${kept.length} ledger-only commit(s) above the failing commit kept: ${kept.map((c) => shortSha(c.sha)).join(', ')}`);
  }

  // 2. Never revert a greenline revert: a revert that fails again needs a human, not another revert.
  const marks = greenlineMarks(failing.message);
  if (marks.revertOf !== undefined || marks.restored !== undefined) {
    const reason = `the failing commit ${shortSha(failing.sha)} is itself a greenline revert${marks.revertOf ? ` (of ${shortSha(marks.revertOf)})` : ''}: not reverting it again (that would loop); fix forward`;
    return result({ reason, warning: reason, failing, outcome: 'loop' });
  }

  // 3. What to restore.
  const production = config.failedIn === 'production';
  let target: string;
  let treeTwin: string | undefined;
  let find: FindResult | undefined;
  if (config.targetSha) {
    const where = await deps.history.ancestry(config.targetSha, failing.sha);
    if (where.status === 'same') throw new ConfigurationError(`Input "target-sha": ${config.targetSha} is the failing commit itself`);
    if (where.status !== 'ancestor') {
      throw new ConfigurationError(`Input "target-sha": ${config.targetSha} is ${where.status === 'missing' ? 'not a commit in the repository' : `not an ancestor of the failing commit ${shortSha(failing.sha)}`}`);
    }
    target = where.sha;
  } else {
    // In production the failing build itself (below greenline's ledger commits on top of it) is what failed:
    // the last good build is looked for below it.
    const below = production ? await failingBuild(deps.history, failing.sha, ledger?.paths ?? [config.ledgerPath]) : failing.sha;
    // The ledger read for the revert stands for the head of the walk (it holds the entries of the ledger
    // commits above the failing one); below it, each commit's own ledger, so an emptied or re-created ledger
    // falls back to the nearest first-parent ancestor that has entries, as find-last-good-commit does (rule 2).
    const found = ledger;
    const input: LedgerInput | undefined = found
      ? async (commit: string) => (commit === below ? found.text : (await ledgerAt(deps.history, commit, config.ledgerPath))?.text)
      : await deps.ledgerInput();
    find = await findLastGood(input, { head: below, ledgerPath: config.ledgerPath, requireChecks: config.requireChecks }, {
      history: deps.history,
      ...(deps.checks ? { checks: deps.checks } : {}),
      log,
    });
    if (!find.found || !find.sha) {
      const reason = `no last good commit to revert to: ${find.reason}`;
      return result({ reason, warning: reason, failing, find, outcome: 'no-good-build' });
    }
    target = find.sha;
    if (find.goodSha && find.goodSha !== find.sha && covered(config.ledgerPath, config.preservePaths)) treeTwin = find.goodSha;
  }
  const targetCommit = await backend.commit(target);
  const targetInfo = { sha: target, subject: targetCommit?.subject ?? '' };
  steps.push(`Last good commit: ${shortSha(target)} ${targetInfo.subject}${find ? ` (${find.reason})` : ' (target-sha)'}`);

  // 4. A failing tree that already passed is not a code regression: nothing to revert, nothing to mark.
  //    (An explicit target-sha is a person's decision and goes ahead.)
  if (find?.headPassed && !production) {
    const reason = `not a code regression: the failing commit ${shortSha(failing.sha)} has a tree that already passed (${find.headPassed.why}); the failure is flaky or environmental, so nothing was reverted and no build was marked ⛔`;
    return result({ reason, warning: reason, failing, target: targetInfo, targetSha: target, find, outcome: 'not-a-regression' });
  }

  // 5. The daily cap, counted from greenline's reverts in the branch's own history, by their own dates.
  const recent = await revertsInLastDay(deps.history, parent, config.now);
  if (recent.length >= config.maxPerDay) {
    const reason = `${recent.length} greenline revert(s) on ${config.branch} in the last 24 hours (${recent.map((c) => shortSha(c.sha)).join(', ') || 'none'}), max-per-day is ${config.maxPerDay}: not reverting again`;
    return result({ reason, warning: reason, failing, target: targetInfo, targetSha: target, find, outcome: 'daily-cap' });
  }

  // 6. Nothing to do when the failing tree already is the good tree (outside the preserved paths and the ledger).
  const ledgerPaths = ledger?.paths ?? [config.ledgerPath];
  const keepPaths = [...config.preservePaths, ...ledgerPaths.filter((p) => !covered(p, config.preservePaths))];
  if (await backend.sameTree(treeTwin ?? target, parent, keepPaths)) {
    const reason = `nothing to revert: ${shortSha(failing.sha)} already has the tree of ${shortSha(target)}${config.preservePaths.length ? ` outside ${config.preservePaths.join(', ')}` : ''}`;
    log.info(reason);
    return result({ reason, failing, target: targetInfo, targetSha: target, find, outcome: 'nothing-to-undo' });
  }

  const range = await backend.commitsBetween(target, failing.sha, 50);
  // promote-to-stable's ledger commits between the good and the failing commit change nothing the revert
  // takes back (the ledger is kept): they are kept, not undone.
  const ledgerOnly = await ledgerOnlyCommits(deps.history, range.commits, ledgerPathsOf(ledger, config.ledgerPath));
  const between = { commits: range.commits.filter((c) => !ledgerOnly.has(c.sha)), total: range.total - ledgerOnly.size };
  kept = [...kept, ...range.commits.filter((c) => ledgerOnly.has(c.sha))];

  // 6b. undo: culprit. The commit that started the failure, undone alone on top of the head (the ledger and the
  //     preserved paths as the head has them), when it can be named and undone without touching later work;
  //     else the whole range, as undo: all, with the reason saying why.
  let culprit: CulpritReport | undefined;
  let culpritWrite: ((message: string) => Promise<CreatedCommit>) | undefined;
  let culpritCommit: ChainCommit | undefined;
  if (config.undo === 'culprit') {
    const decided = await decideCulprit(
      { failingSha: failing.sha, good: target, head: parent, transparent: ledgerOnly, above: kept.filter((c) => !ledgerOnly.has(c.sha)), requireChecks: config.requireChecks, keep: keepPaths, production },
      { history: deps.history, backend, ...(deps.checks ? { checks: deps.checks } : {}) },
    );
    steps.push(...decided.steps);
    culprit = decided.report;
    culpritCommit = decided.commit;
    culpritWrite = decided.write;
  }

  // 7. ⛔ only for a build that failed in production, or when a person asked for this revert (an explicit
  //    target-sha) of a build that had passed tests: a test failure's revert never condemns a build (a flaky
  //    failure would condemn a good one for ever).
  const files: { path: string; content: string }[] = [];
  let ledgerEntry: NewLedgerEntry | undefined;
  if ((config.targetSha || production) && !culpritWrite && ledger && covered(config.ledgerPath, config.preservePaths)) {
    const build = await failingBuild(deps.history, failing.sha, ledger.paths);
    const written = markRolledBack(ledger.text, build, target, { ...config, reason: `${config.reason}; ${config.branch} reverted to ${shortSha(target)}` });
    if (written === 'not-utf8') log.warning(`${config.ledgerPath} is not UTF-8: the ⛔ marker for ${shortSha(build)} was not written (the file is kept byte for byte)`);
    else if (written) {
      ledgerEntry = written.entry;
      files.push({ path: ledger.realPath, content: written.text });
    }
  }

  const message = culpritCommit
    ? culpritMessage({ culprit: culpritCommit, failingSha: failing.sha, branch: config.branch, reason: config.reason, runUrl: config.runUrl, why: culprit!.why })
    : renderRevertMessage(config.messageTemplate, { reason: config.reason, goodSha: target, failingSha: failing.sha, branch: config.branch, runUrl: config.runUrl }, ledgerEntry ? [ledgerEntry.commit] : []);
  const undone = culpritCommit ? { commits: [{ sha: culpritCommit.sha, subject: culpritCommit.subject }], total: 1 } : between;
  const base = { failing, target: targetInfo, targetSha: target, undone: undone.commits, undoneTotal: undone.total, kept, find, message, ...(ledgerEntry ? { ledgerEntry } : {}), ...(culprit ? { culprit } : {}) };
  const subject = message.split('\n')[0] ?? '';
  /** What the new commit does, for the steps and the reason. */
  const what = culpritCommit ? `undoing only the culprit ${shortSha(culpritCommit.sha)}` : `with the tree of ${shortSha(target)}`;
  const fellBack = culprit?.fallback ? ` (undo: culprit fell back to all: ${culprit.fallback})` : '';
  const keep = ledger ? ledger.paths.map((path) => ({ path, from: ledger!.from })) : [];

  // 7b. confirm: rerun. Every check above passed, so this failure would be reverted: before the first attempt
  //     that may revert, GitHub re-runs the failed jobs instead, and that attempt's completion decides.
  let confirmed: string | undefined;
  if (config.confirm && needsConfirmation(config.confirm)) {
    if (!deps.rerun) throw new ConfigurationError('Input "token": required with confirm: rerun (re-running the failed jobs needs actions: write)');
    const asked = await requestRerun(config.confirm, deps.rerun, config.dryRun);
    steps.push(...asked.steps);
    return result({ ...base, reason: `confirming the failure of ${shortSha(failing.sha)} before reverting ${config.branch}: ${asked.detail}`, outcome: 'confirming' });
  }
  if (config.confirm) {
    confirmed = `attempt ${config.confirm.attempt} of run ${config.confirm.runId} failed too`;
    steps.push(`Confirmed by a re-run: ${confirmed} (confirm: rerun)`);
  }

  if (config.dryRun) {
    steps.push(`Would commit “${subject}” on top of ${shortSha(parent)} ${what}${config.preservePaths.length ? ` (keeping ${config.preservePaths.join(', ')} from ${shortSha(parent)})` : ''}`);
    if (ledgerEntry) steps.push(`Would mark ${shortSha(failing.sha)} ⛔ Rolled back in ${config.ledgerPath}`);
    steps.push(`Would move ${config.branch} from ${shortSha(parent)} to that commit (${backend.describe}, never forced)`);
    const would = culpritCommit ? `dry run: would undo only the culprit ${shortSha(culpritCommit.sha)} on ${config.branch}, keeping ${culprit!.kept.length} commit(s)` : `dry run: would revert ${config.branch} from ${shortSha(failing.sha)} to the tree of ${shortSha(target)}${fellBack}`;
    return result({ ...base, reason: would, outcome: 'dry-run' });
  }

  // 8. Write the commit, then compare-and-swap the branch.
  const created = culpritWrite ? await culpritWrite(message) : await backend.createCommit({ good: target, parent, preserve: config.preservePaths, keep, files, message });
  steps.push(`Created ${shortSha(created.sha)} “${subject}” (parent ${shortSha(parent)}, ${what})`);
  if (created.verified !== undefined) {
    log.info(`revert commit ${created.sha}: verification.verified=${created.verified}${created.verificationReason ? ` (${created.verificationReason})` : ''}`);
  }
  const verified = created.verified;
  let outcome = await backend.updateBranch(config.branch, created.sha, parent);
  if (outcome.status === 'rejected') {
    const now = await backend.branchHead(config.branch);
    if (now !== parent) {
      const reason = `${config.branch} moved to ${now ? await describeCommit(backend, now) : 'nowhere (deleted)'} while reverting: the update was refused (${outcome.detail}) and nothing was changed`;
      return result({ ...base, reason, warning: reason, outcome: 'branch-moved', ...(verified !== undefined ? { verified } : {}) });
    }
    if (!outcome.protected) {
      log.info(`${config.branch} update refused (${outcome.detail}) although it did not move; trying once more`);
      outcome = await backend.updateBranch(config.branch, created.sha, parent);
      if (outcome.status === 'rejected' && !outcome.protected) throw new ExternalError(`could not update ${config.branch}: ${outcome.detail}`);
    }
  }
  if (outcome.status === 'ok') {
    steps.push(`Moved ${config.branch} ${shortSha(parent)} → ${shortSha(created.sha)} (${backend.describe})`);
    if (ledgerEntry) steps.push(`Marked ${shortSha(failing.sha)} ⛔ Rolled back in ${config.ledgerPath}`);
    return result({
      ...base,
      reverted: true,
      revertSha: created.sha,
      reason: `${culpritCommit ? `reverted ${config.branch}: undid only the culprit ${shortSha(culpritCommit.sha)} (${culprit!.why}), keeping ${culprit!.kept.length} commit(s)` : `reverted ${config.branch} to the tree of ${shortSha(target)}`}: ${config.reason}${confirmed ? ` (confirmed: ${confirmed})` : ''}${fellBack}`,
      outcome: 'reverted',
      ...(confirmed ? { confirmed } : {}),
      ...(verified !== undefined ? { verified } : {}),
    });
  }

  // 9. Protected branch: a pull request instead, when allowed.
  const protectedWhy = `${config.branch} is protected (${outcome.detail})`;
  if (config.fallback === 'none') {
    // The commit is on no branch (a dangling object, or only in the runner's checkout): revert-sha promises a
    // commit on the branch or on the pull request's branch, so none is named.
    return result({ ...base, reason: `${protectedWhy}; fallback is none, so nothing was reverted`, outcome: 'protected', failure: `${protectedWhy}: nothing was reverted. Set fallback: pull-request, or let the token push to the branch.` });
  }
  const prBranch = `greenline/revert-${shortSha(failing.sha)}`;
  const pushed = await backend.createBranch(prBranch, created.sha);
  steps.push(pushed === 'created' ? `Pushed ${prBranch} at ${shortSha(created.sha)}` : `${prBranch} already exists: left as it is`);
  const revertSha = pushed === 'created' ? created.sha : await earlierRevert(backend, prBranch, failing.sha);
  if (!deps.pulls) {
    return result({ ...base, revertSha, reason: `${protectedWhy}; pushed ${prBranch}`, outcome: 'protected', failure: `${protectedWhy}: pushed ${prBranch}, but opening a pull request needs a token (input "token")` });
  }
  const existing = await deps.pulls.findOpen(prBranch, config.branch);
  const pr = existing ?? (await deps.pulls.create({ head: prBranch, base: config.branch, title: subject, body: pullRequestBody(message, config, failing, target, undone, kept, culpritCommit) }));
  const already = existing !== undefined || ('alreadyOpen' in pr && pr.alreadyOpen === true);
  steps.push(already ? `Pull request #${pr.number} already open: ${pr.url}` : `Opened pull request #${pr.number}: ${pr.url}`);
  const reason = `${protectedWhy}: ${already ? 'a revert pull request is already open' : 'opened a revert pull request'}${culpritCommit ? ` undoing only the culprit ${shortSha(culpritCommit.sha)}` : ''}: ${pr.url}${fellBack}`;
  return result({ ...base, revertSha, pullRequestUrl: pr.url, reason, warning: reason, outcome: 'pull-request', ...(verified !== undefined ? { verified } : {}) });
}

/** The ledger at `commit`, or at its nearest first-parent ancestor that has one (the commit deleted it). */
async function ledgerOnChain(history: HistoryPort, commit: string, path: string): Promise<(LedgerAt & { from: string }) | undefined> {
  let n = 0;
  for await (const c of history.walkFirstParents(commit)) {
    const at = await ledgerAt(history, c.sha, path);
    if (at) return { ...at, from: c.sha };
    if (++n >= LEDGER_LOOKBACK) break;
  }
  return undefined;
}

function ledgerPathsOf(ledger: { paths: readonly string[] } | undefined, ledgerPath: string): readonly string[] {
  return ledger?.paths ?? [ledgerPath];
}

/**
 * Which of `commits` are ledger-only commits (a skip keyword, one parent, nothing changed but the ledger's
 * paths): what promote-to-stable writes. A subject without a skip keyword is read no further when the port
 * gave the whole message; only candidates cost a read.
 */
async function ledgerOnlyCommits(history: HistoryPort, commits: readonly CommitSummary[], ledgerPaths: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const c of commits) {
    if (c.message !== undefined ? !skipsCi(c.message) : false) continue;
    const info = await history.commitInfo(c.sha);
    if (!info || info.parents.length !== 1 || !skipsCi(info.message)) continue;
    // Parent first: through the API one compare (parent...commit, ahead) answers it.
    if (await history.sameTree(info.parents[0]!, c.sha, ledgerPaths)) out.add(c.sha);
  }
  return out;
}

const LEDGER_LOOKBACK = 50;
const ABOVE_LIMIT = 20;
const CAP_WALK_LIMIT = 500;
const CAP_OLD_RUN = 20;

/**
 * The commits between `head` (included) and `failing` (excluded) when every one of them is a ledger-only
 * commit that starts no run (a skip keyword, one parent, nothing changed but the ledger's paths): what
 * promote-to-stable writes. Undefined when anything else is there (someone's work: the branch moved).
 */
async function ledgerCommitsAbove(history: HistoryPort, head: string, failing: string, ledgerPaths: readonly string[]): Promise<CommitSummary[] | undefined> {
  const out: CommitSummary[] = [];
  for await (const c of history.walkFirstParents(head)) {
    if (c.sha === failing) return out;
    if (out.length >= ABOVE_LIMIT || c.parents.length !== 1 || !skipsCi(c.message)) return undefined;
    if (!(await history.sameTree(c.sha, c.parents[0]!, ledgerPaths))) return undefined;
    out.push({ sha: c.sha, subject: c.subject });
  }
  return undefined;
}

/**
 * greenline's reverts of the last 24 hours on the branch: its first-parent history (and a merged revert pull
 * request's tip), each by its own committer date. One commit's old committer date never stops the walk (it
 * would hide every revert behind it, as `git log --since` does); the walk stops at a greenline revert older than
 * a day (greenline's own commits are dated in order), or after `CAP_OLD_RUN` commits in a row older than a day.
 */
async function revertsInLastDay(history: HistoryPort, head: string, now: Date): Promise<CommitSummary[]> {
  const since = now.getTime() - 24 * 3600 * 1000;
  const out: CommitSummary[] = [];
  const seen = new Set<string>();
  /** true: a greenline revert older than the window (stop). */
  const count = (c: ChainCommit): boolean => {
    if (seen.has(c.sha) || !isGreenlineRevert(c.message)) return false;
    seen.add(c.sha);
    if (c.date < since) return true;
    out.push({ sha: c.sha, subject: c.subject });
    return false;
  };
  let n = 0;
  let oldInARow = 0;
  for await (const c of history.walkFirstParents(head)) {
    if (count(c)) break;
    for (const p of c.parents.slice(1)) {
      const merged = await history.commitInfo(p);
      if (merged) count(merged);
    }
    oldInARow = c.date < since ? oldInARow + 1 : 0;
    if (oldInARow >= CAP_OLD_RUN || ++n >= CAP_WALK_LIMIT) break;
  }
  return out;
}

/**
 * The build that failed: the failing commit, or, when it is only ledger commits on top of a build ([skip ci],
 * nothing changed but the ledger), that build.
 */
async function failingBuild(history: HistoryPort, failing: string, ledgerPaths: readonly string[]): Promise<string> {
  let n = 0;
  for await (const c of history.walkFirstParents(failing)) {
    if (++n > ABOVE_LIMIT || c.parents.length !== 1 || !skipsCi(c.message) || !(await history.sameTree(c.sha, c.parents[0]!, ledgerPaths))) return c.sha;
  }
  return failing;
}

/**
 * The ledger with the failing build marked ⛔ (and the build restored recorded again after the marker, for
 * the seed's one-liner), when the failing commit has a ✅ entry not yet marked; `not-utf8` when the file's
 * bytes cannot be rewritten as text without changing them; undefined when there is nothing to mark.
 */
/**
 * `text` with a ⛔ Rolled back entry for the build `failing` (taking its image, digest and version from its
 * newest ✅ entry), then the ✅ entry of `target` recorded again (see reaffirmation). Undefined when the ledger
 * has no ✅ entry for `failing` or already marks it ⛔; `not-utf8` when the text cannot be rewritten safely.
 * auto-revert writes it into the revert commit; the health monitor appends it when main is not reverted.
 */
export function markRolledBack(text: string, failing: string, target: string, config: Pick<RevertConfig, 'reason' | 'now' | 'runUrl'>): { text: string; entry: NewLedgerEntry } | 'not-utf8' | undefined {
  const entries = parseLedger(text).entries;
  const passed = [...entries].reverse().find((e) => e.status === 'passed' && sameCommit(e.commit, failing));
  if (!passed || entries.some((e) => e.status === 'rolled-back' && sameCommit(e.commit, failing))) return undefined;
  if (text.includes('\uFFFD')) return 'not-utf8';
  const entry: NewLedgerEntry = {
    status: 'rolled-back',
    commit: failing,
    timestamp: config.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(passed.image ? { image: passed.image } : {}),
    ...(passed.digest ? { digest: passed.digest } : {}),
    ...(config.runUrl ? { run: config.runUrl } : {}),
    ...(passed.version ? { version: passed.version } : {}),
    reason: config.reason,
  };
  // The seed's one-liner (grep -B 3 "Status: ✅ Tests Passed" | … | tail -1) cannot see ⛔ markers: so the
  // last good build is recorded again after the marker, and the one-liner keeps naming the same commit as
  // find-last-good-commit (DESIGN: "must keep giving the same answer … on any ledger greenline writes").
  const withMarker = appendToLedger(text, entry);
  const lastGood = reaffirmation(parseLedger(withMarker).entries, failing, target, config.now, config.runUrl);
  return { text: lastGood ? appendToLedger(withMarker, lastGood) : withMarker, entry };
}

/**
 * The revert commit an earlier run left on the pull request's branch (a re-run, a second trigger): its head,
 * when that head is greenline's revert of this failing commit; '' when someone else's commit is on top.
 */
async function earlierRevert(backend: RevertBackend, prBranch: string, failingSha: string): Promise<string> {
  const head = await backend.branchHead(prBranch);
  const commit = head ? await backend.commit(head) : undefined;
  const undid = commit ? greenlineMarks(commit.message).revertOf : undefined;
  return commit && undid !== undefined && sameCommit(undid, failingSha) ? commit.sha : '';
}

async function describeCommit(backend: RevertBackend, sha: string): Promise<string> {
  const c = await backend.commit(sha);
  return c ? `${shortSha(sha)} (“${c.subject}” by ${c.author || 'unknown'})` : shortSha(sha);
}

function pullRequestBody(message: string, config: RevertConfig, failing: RevertCommit, target: string, between: { commits: CommitSummary[]; total: number }, kept: readonly CommitSummary[], culprit?: ChainCommit): string {
  const body = message.split('\n').slice(1).join('\n').trim();
  const lines = [
    `${config.branch} is protected, so greenline opened this pull request instead of pushing the revert.`,
    '',
    culprit
      ? `Merging it undoes only the culprit ${culprit.sha} (undo: culprit) on top of ${failing.sha}, keeping the commits before and after it.`
      : `Merging it restores the tree of ${target} on top of the failing commit ${failing.sha}.`,
    '',
    `Commits undone (${between.total}):`,
    // Subjects are anyone's text: no HTML, mentions, references or closing keywords (merging would act on them).
    ...between.commits.map((c) => `- ${shortSha(c.sha)} ${neutralise(c.subject).replace(/\s*\n\s*/g, ' ')}`),
    '',
    ...(kept.length ? [`greenline's ledger commits kept (${kept.length}, their entries stay in ${config.ledgerPath}):`, ...kept.map((c) => `- ${shortSha(c.sha)} ${neutralise(c.subject).replace(/\s*\n\s*/g, ' ')}`), ''] : []),
    body,
  ];
  return lines.join('\n');
}

/**
 * The ✅ entry of the build the revert restores (`restored`: the target, or the ✅ commit whose tree it has),
 * written again with its image, digest and metrics and a reason saying why it is repeated. Undefined when the
 * ledger has no usable ✅ entry for it (then nothing is re-recorded rather than a wrong build).
 */
export function reaffirmation(entries: LedgerEntry[], rolledBack: string, restored: string, now: Date, runUrl: string): NewLedgerEntry | undefined {
  const isRolledBack = (sha: string) => sameCommit(sha, rolledBack) || entries.some((e) => e.status === 'rolled-back' && sameCommit(e.commit, sha));
  const good = [...entries].reverse().find((e) => e.status === 'passed' && sameCommit(e.commit, restored) && !isRolledBack(e.commit));
  if (!good) return undefined;
  return {
    status: 'passed',
    commit: good.commit,
    timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(good.image ? { image: good.image } : {}),
    ...(good.digest ? { digest: good.digest } : {}),
    tags: good.tags,
    metrics: good.metrics,
    ...(runUrl ? { run: runUrl } : {}),
    ...(good.version ? { version: good.version } : {}),
    reason: `recorded again as the last good build after ${shortSha(rolledBack)} was rolled back`,
  };
}

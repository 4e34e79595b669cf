import { ConfigurationError, ExternalError } from '../action/errors.js';
import type { Logger } from '../action/log.js';
import { greenlineMarks, RESTORED_TRAILER, REVERT_OF_TRAILER } from '../git/history.js';
import { appendToLedger } from '../ledger/append.js';
import { parseLedger } from '../ledger/parse.js';
import type { NewLedgerEntry } from '../ledger/schema.js';
import type { LedgerEntry } from '../ledger/types.js';
import { inertIssueReferences, neutralise, shortSha } from '../util/text.js';
import { findLastGood, sameCommit } from './find.js';
import type { ChecksPort, CommitSummary, FindResult, HistoryPort } from './types.js';

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
  /** Greenline reverts (by their trailers) reachable from `head`, committed at or after `since`. */
  revertsSince(head: string, since: Date): Promise<CommitSummary[]>;
  sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean>;
  /**
   * A new commit whose tree is `good`'s with the `preserve` paths as they are in `parent` and `files`
   * written over it, whose one parent is `parent`.
   */
  createCommit(spec: { good: string; parent: string; preserve: readonly string[]; files: { path: string; content: string }[]; message: string }): Promise<CreatedCommit>;
  /** Moves the branch from `expected` to `sha` without force: a fast-forward or nothing. */
  updateBranch(branch: string, sha: string, expected: string): Promise<UpdateOutcome>;
  /** Creates a branch at `sha`; `exists` (and leaves it alone) when it is already there. */
  createBranch(branch: string, sha: string): Promise<'created' | 'exists'>;
}

export interface PullRequestPort {
  findOpen(head: string, base: string): Promise<{ number: number; url: string } | undefined>;
  create(spec: { head: string; base: string; title: string; body: string }): Promise<{ number: number; url: string }>;
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
  dryRun: boolean;
  now: Date;
  runUrl: string;
}

export interface RevertDeps {
  backend: RevertBackend;
  history: HistoryPort;
  checks?: ChecksPort;
  /** Needed for `fallback: pull-request`; undefined without a token. */
  pulls?: PullRequestPort;
  /** The ledger text find-last-good-commit reads (ledger-source). */
  readLedger(): Promise<string | undefined>;
  log: Logger;
}

export interface RevertResult {
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
  find?: FindResult;
  /** The ⛔ entry written into the revert commit's ledger, when the failing commit had a ✅ entry. */
  ledgerEntry?: NewLedgerEntry;
  message?: string;
  verified?: boolean;
  /** What happened (or would), in order, for the summary. */
  steps: string[];
  /** Set when the stop deserves a warning annotation (branch moved, loop, cap, nothing found). */
  warning?: string;
  /** Set when the step must fail after the outputs are written (protected branch without a fallback). */
  failure?: string;
}

/** Seed 000's rollback commit, with greenline's trailers appended by `renderRevertMessage`. */
export const DEFAULT_MESSAGE_TEMPLATE = [
  '⚠️ Auto-rollback: {reason}, reverting to last successful build {good-short} [skip ci]',
  '',
  'Reason: {reason} on commit {failing-short}',
  'Action: Automatically reverted to last known good state',
  'Status: Deployment unaffected (using :stable tag)',
].join('\n');

const SKIP_CI = /\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i;

export interface MessageValues {
  reason: string;
  goodSha: string;
  failingSha: string;
  branch: string;
  runUrl: string;
}

/**
 * The revert commit's message: the template with `{reason}`, `{good-short}`, `{good-sha}`, `{failing-short}`,
 * `{failing-sha}`, `{branch}`, `{run-url}` filled in, `[skip ci]` added to the subject when the template has no
 * skip keyword, and the `Greenline-Revert-Of`/`Greenline-Restored` trailers greenline's loop guard reads.
 */
export function renderRevertMessage(template: string, v: MessageValues): string {
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
  const lines = filled.split('\n');
  if (!SKIP_CI.test(filled) && !/^skip-checks:\s*true$/im.test(filled)) lines[0] = `${lines[0] ?? ''} [skip ci]`.trim();
  const withoutOurs = lines.filter((l) => !new RegExp(`^(${REVERT_OF_TRAILER}|${RESTORED_TRAILER}):`, 'i').test(l)).join('\n').trimEnd();
  return `${withoutOurs}\n\n${REVERT_OF_TRAILER}: ${v.failingSha}\n${RESTORED_TRAILER}: ${v.goodSha}\n`;
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
 * commit is a greenline revert, the daily cap, nothing to revert to, trees already equal) return
 * `reverted: false` with the reason; a lost race is re-read once.
 */
export async function autoRevert(config: RevertConfig, deps: RevertDeps): Promise<RevertResult> {
  const { backend, log } = deps;
  const steps: string[] = [];
  const failingSha = config.failingSha.toLowerCase();
  const result = (over: Partial<RevertResult> & { reason: string }): RevertResult => ({
    reverted: false,
    revertSha: '',
    targetSha: '',
    pullRequestUrl: '',
    dryRun: config.dryRun,
    undone: [],
    undoneTotal: 0,
    steps,
    ...over,
  });

  // 0. A pull request's (or a fork's, or a merge queue's) failure is not the branch failing: nothing to do,
  //    and no warning either (the one-step rollback opens no incident for it).
  if (config.notBranchFailure) return result({ reason: config.notBranchFailure });

  // 1. The branch must still be at the failing commit (compare-and-swap, read side).
  const head = await backend.branchHead(config.branch);
  if (head === undefined) {
    // workflow_run names a tag push's run by the tag in head_branch; a branch may also be gone since. Either
    // way no branch of the repository failed: nothing to revert, not a configuration error.
    if (config.branchFromEvent) return result({ reason: `the failing run's ref ${JSON.stringify(config.branch)} is not a branch of the repository (a tag's run, or a branch deleted since): nothing to revert` });
    throw new ConfigurationError(`Input "branch": there is no branch ${JSON.stringify(config.branch)} in the repository`);
  }
  const failing = await backend.commit(failingSha);
  if (!failing) throw new ConfigurationError(`Input "failing-sha": commit ${failingSha} does not exist in the repository`);
  if (head !== failing.sha) {
    // The branch is at greenline's own revert of this very failure: a re-run of the failed run (or a second
    // trigger) after the revert. Nothing to do, and nobody pushed: no warning.
    const now = await backend.commit(head);
    const undid = now ? greenlineMarks(now.message).revertOf : undefined;
    if (undid !== undefined && sameCommit(undid, failing.sha)) {
      const reason = `${config.branch} is already reverted: its head ${shortSha(head)} is greenline's revert of the failing commit ${shortSha(failing.sha)}; nothing to do`;
      return result({ reason, failing });
    }
    const moved = now ? `${shortSha(head)} (“${now.subject}” by ${now.author || 'unknown'})` : shortSha(head);
    const reason = `${config.branch} is at ${moved}, not at the failing commit ${shortSha(failing.sha)}: someone pushed after the failure, so nothing was reverted`;
    return result({ reason, warning: reason, failing });
  }

  // 2. Never revert a greenline revert: a revert that fails again needs a human, not another revert.
  const marks = greenlineMarks(failing.message);
  if (marks.revertOf !== undefined || marks.restored !== undefined) {
    const reason = `the failing commit ${shortSha(failing.sha)} is itself a greenline revert${marks.revertOf ? ` (of ${shortSha(marks.revertOf)})` : ''}: not reverting it again (that would loop); fix forward`;
    return result({ reason, warning: reason, failing });
  }

  // 3. What to restore.
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
    find = await findLastGood(await deps.readLedger(), { head: failing.sha, ledgerPath: config.ledgerPath, requireChecks: config.requireChecks }, {
      history: deps.history,
      ...(deps.checks ? { checks: deps.checks } : {}),
      log,
    });
    if (!find.found || !find.sha) {
      const reason = `no last good commit to revert to: ${find.reason}`;
      return result({ reason, warning: reason, failing, find });
    }
    target = find.sha;
    if (find.goodSha && find.goodSha !== find.sha && covered(config.ledgerPath, config.preservePaths)) treeTwin = find.goodSha;
  }
  const targetCommit = await backend.commit(target);
  const targetInfo = { sha: target, subject: targetCommit?.subject ?? '' };
  steps.push(`Last good commit: ${shortSha(target)} ${targetInfo.subject}${find ? ` (${find.reason})` : ' (target-sha)'}`);

  // 4. The daily cap, counted from the trailers of the branch's history.
  const since = new Date(config.now.getTime() - 24 * 3600 * 1000);
  const recent = await backend.revertsSince(failing.sha, since);
  if (recent.length >= config.maxPerDay) {
    const reason = `${recent.length} greenline revert(s) on ${config.branch} in the last 24 hours (${recent.map((c) => shortSha(c.sha)).join(', ') || 'none'}), max-per-day is ${config.maxPerDay}: not reverting again`;
    return result({ reason, warning: reason, failing, target: targetInfo, targetSha: target, find });
  }

  // 5. Nothing to do when the failing tree already is the good tree (outside the preserved paths).
  if (await backend.sameTree(treeTwin ?? target, failing.sha, config.preservePaths)) {
    const reason = `nothing to revert: ${shortSha(failing.sha)} already has the tree of ${shortSha(target)}${config.preservePaths.length ? ` outside ${config.preservePaths.join(', ')}` : ''}`;
    log.info(reason);
    return result({ reason, failing, target: targetInfo, targetSha: target, find });
  }

  const between = await backend.commitsBetween(target, failing.sha, 50);

  // 6. The failing build passed tests (✅) but failed later: mark it ⛔ in the revert's own ledger, so
  //    find-last-good-commit never picks it again. The failing build is the failing commit, or the ✅ commit
  //    whose tree it has (when the head is the ledger commit promote-to-stable wrote on top of it).
  const files: { path: string; content: string }[] = [];
  let ledgerEntry: NewLedgerEntry | undefined;
  const ledgerFrom = covered(config.ledgerPath, config.preservePaths) ? failing.sha : target;
  const ledgerText = await backend.readFile(ledgerFrom, config.ledgerPath);
  const failingLedger = ledgerFrom === failing.sha ? ledgerText : await backend.readFile(failing.sha, config.ledgerPath);
  if (failingLedger !== undefined) {
    const entries = parseLedger(failingLedger).entries;
    const passedFor = (sha: string) => [...entries].reverse().find((e) => e.status === 'passed' && sameCommit(e.commit, sha));
    const rolled = (sha: string) => entries.some((e) => e.status === 'rolled-back' && sameCommit(e.commit, sha));
    let build = passedFor(failing.sha) ? failing.sha : find?.headTwins?.[0];
    if (!build && !find) {
      const newest = [...entries].reverse().find((e) => e.status === 'passed' && !rolled(e.commit));
      const where = newest && (await deps.history.ancestry(newest.commit, failing.sha));
      if (where?.status === 'ancestor' && (await backend.sameTree(where.sha, failing.sha, [config.ledgerPath]))) build = where.sha;
    }
    const passedEntry = build ? passedFor(build) : undefined;
    if (build && passedEntry && !rolled(build)) {
      ledgerEntry = {
        status: 'rolled-back',
        commit: build,
        timestamp: config.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ...(passedEntry.image ? { image: passedEntry.image } : {}),
        ...(passedEntry.digest ? { digest: passedEntry.digest } : {}),
        ...(config.runUrl ? { run: config.runUrl } : {}),
        ...(passedEntry.version ? { version: passedEntry.version } : {}),
        reason: `${config.reason}; ${config.branch} reverted to ${shortSha(target)}`,
      };
      // The seed's one-liner (grep -B 3 "Status: ✅ Tests Passed" | … | tail -1) cannot see ⛔ markers: so the
      // last good build is recorded again after the marker, and the one-liner keeps naming the same commit
      // as find-last-good-commit (DESIGN: "must keep giving the same answer … on any ledger greenline writes").
      const withMarker = appendToLedger(ledgerText, ledgerEntry);
      const lastGood = reaffirmation(parseLedger(withMarker).entries, build, find?.goodSha ?? target, config.now, config.runUrl);
      files.push({ path: config.ledgerPath, content: lastGood ? appendToLedger(withMarker, lastGood) : withMarker });
    }
  }

  const message = renderRevertMessage(config.messageTemplate, { reason: config.reason, goodSha: target, failingSha: failing.sha, branch: config.branch, runUrl: config.runUrl });
  const base = { failing, target: targetInfo, targetSha: target, undone: between.commits, undoneTotal: between.total, find, message, ...(ledgerEntry ? { ledgerEntry } : {}) };
  const subject = message.split('\n')[0] ?? '';

  if (config.dryRun) {
    steps.push(`Would commit “${subject}” on top of ${shortSha(failing.sha)} with the tree of ${shortSha(target)}${config.preservePaths.length ? ` (keeping ${config.preservePaths.join(', ')} from ${shortSha(failing.sha)})` : ''}`);
    if (ledgerEntry) steps.push(`Would mark ${shortSha(failing.sha)} ⛔ Rolled back in ${config.ledgerPath}`);
    steps.push(`Would move ${config.branch} from ${shortSha(failing.sha)} to that commit (${backend.describe}, never forced)`);
    return result({ ...base, reason: `dry run: would revert ${config.branch} from ${shortSha(failing.sha)} to the tree of ${shortSha(target)}` });
  }

  // 7. Write the commit, then compare-and-swap the branch.
  const created = await backend.createCommit({ good: target, parent: failing.sha, preserve: config.preservePaths, files, message });
  steps.push(`Created ${shortSha(created.sha)} “${subject}” (parent ${shortSha(failing.sha)}, tree of ${shortSha(target)})`);
  if (created.verified !== undefined) {
    log.info(`revert commit ${created.sha}: verification.verified=${created.verified}${created.verificationReason ? ` (${created.verificationReason})` : ''}`);
  }
  const verified = created.verified;
  let outcome = await backend.updateBranch(config.branch, created.sha, failing.sha);
  if (outcome.status === 'rejected') {
    const now = await backend.branchHead(config.branch);
    if (now !== failing.sha) {
      const reason = `${config.branch} moved to ${now ? await describeCommit(backend, now) : 'nowhere (deleted)'} while reverting: the update was refused (${outcome.detail}) and nothing was changed`;
      return result({ ...base, reason, warning: reason, ...(verified !== undefined ? { verified } : {}) });
    }
    if (!outcome.protected) {
      log.info(`${config.branch} update refused (${outcome.detail}) although it did not move; trying once more`);
      outcome = await backend.updateBranch(config.branch, created.sha, failing.sha);
      if (outcome.status === 'rejected' && !outcome.protected) throw new ExternalError(`could not update ${config.branch}: ${outcome.detail}`);
    }
  }
  if (outcome.status === 'ok') {
    steps.push(`Moved ${config.branch} ${shortSha(failing.sha)} → ${shortSha(created.sha)} (${backend.describe})`);
    if (ledgerEntry) steps.push(`Marked ${shortSha(failing.sha)} ⛔ Rolled back in ${config.ledgerPath}`);
    return result({
      ...base,
      reverted: true,
      revertSha: created.sha,
      reason: `reverted ${config.branch} to the tree of ${shortSha(target)}: ${config.reason}`,
      ...(verified !== undefined ? { verified } : {}),
    });
  }

  // 8. Protected branch: a pull request instead, when allowed.
  const protectedWhy = `${config.branch} is protected (${outcome.detail})`;
  if (config.fallback === 'none') {
    // The commit is on no branch (a dangling object, or only in the runner's checkout): revert-sha promises a
    // commit on the branch or on the pull request's branch, so none is named.
    return result({ ...base, reason: `${protectedWhy}; fallback is none, so nothing was reverted`, failure: `${protectedWhy}: nothing was reverted. Set fallback: pull-request, or let the token push to the branch.` });
  }
  const prBranch = `greenline/revert-${shortSha(failing.sha)}`;
  const pushed = await backend.createBranch(prBranch, created.sha);
  steps.push(pushed === 'created' ? `Pushed ${prBranch} at ${shortSha(created.sha)}` : `${prBranch} already exists: left as it is`);
  const revertSha = pushed === 'created' ? created.sha : await earlierRevert(backend, prBranch, failing.sha);
  if (!deps.pulls) {
    return result({ ...base, revertSha, reason: `${protectedWhy}; pushed ${prBranch}`, failure: `${protectedWhy}: pushed ${prBranch}, but opening a pull request needs a token (input "token")` });
  }
  const existing = await deps.pulls.findOpen(prBranch, config.branch);
  const pr = existing ?? (await deps.pulls.create({ head: prBranch, base: config.branch, title: subject, body: pullRequestBody(message, config, failing, target, between) }));
  steps.push(existing ? `Pull request #${pr.number} already open: ${pr.url}` : `Opened pull request #${pr.number}: ${pr.url}`);
  const reason = `${protectedWhy}: ${existing ? 'a revert pull request is already open' : 'opened a revert pull request'}: ${pr.url}`;
  return result({ ...base, revertSha, pullRequestUrl: pr.url, reason, warning: reason, ...(verified !== undefined ? { verified } : {}) });
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

function pullRequestBody(message: string, config: RevertConfig, failing: RevertCommit, target: string, between: { commits: CommitSummary[]; total: number }): string {
  const body = message.split('\n').slice(1).join('\n').trim();
  const lines = [
    `${config.branch} is protected, so greenline opened this pull request instead of pushing the revert.`,
    '',
    `Merging it restores the tree of ${target} on top of the failing commit ${failing.sha}.`,
    '',
    `Commits undone (${between.total}):`,
    // Subjects are anyone's text: no HTML, mentions, references or closing keywords (merging would act on them).
    ...between.commits.map((c) => `- ${shortSha(c.sha)} ${neutralise(c.subject).replace(/\s*\n\s*/g, ' ')}`),
    '',
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

import type { Logger } from '../action/log.js';
import { greenlineMarks, skipsCi } from '../git/history.js';
import { CommitSet } from '../ledger/newest.js';
import { readNewest, readNewestFromFile } from '../ledger/tail.js';
import type { LedgerEntry } from '../ledger/types.js';
import { shortSha } from '../util/text.js';
import type { CandidateReport, ChecksPort, FindConfig, FindResult, HistoryPort, StatusStates } from './types.js';

export interface FindPorts {
  history: HistoryPort;
  /** Only needed when `requireChecks` is not empty. */
  checks?: ChecksPort;
  log: Logger;
}

const DEFAULT_TREE_WALK = 100;
const DEFAULT_TREE_CHECKS = 10;
const DEFAULT_FOREIGN_TREES = 3;

/** `a` and `b` name the same commit (either may be abbreviated, as hand-written ledgers have it). */
export function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length >= 7 && y.length >= 7 && (x.startsWith(y) || y.startsWith(x));
}

/**
 * Where find-last-good-commit reads the ledger: its text (through the contents API the file comes whole),
 * or a file in the workspace, read from its end so only the newest blocks are read.
 */
export type LedgerInput = string | { file: string };

/**
 * The last good commit below `head`, from the ledger (`undefined`: there is no ledger).
 *
 * 1. Ledger candidates: `✅ Tests Passed` entries, newest first (one per commit: its newest). The ledger is
 *    read from its end (tail.ts) and the scan stops at the first survivor, so the cost does not grow with
 *    the ledger: a 100,000-entry ledger answers as fast as a 10-entry one. A commit marked `⛔ Rolled back`
 *    by a later entry is skipped (auto-revert writes the marker after the entry it cancels; a ✅ written
 *    after the marker, a deliberate re-promotion, counts again, as newestGood and ledger:previous have it).
 *    So is the head itself, a commit that is not an ancestor of the head (force-pushed away, another branch,
 *    garbage-collected) and, with `requireChecks`, one on which a named check run or commit status did not
 *    succeed (requiredChecks below), and one whose tree the head still has outside the ledger (the head is a
 *    ledger commit on top of it: it is the failing build). The first survivor is C. There is no window: the scan goes as far back
 *    as it must, however far back C is.
 * 2. Good trees: a commit whose tree equals a good commit's tree outside the ledger file is good too (used for
 *    good builds that are no longer ancestors; an ancestor ✅ commit is itself the answer). Only
 *    commits that never get a run of their own are judged this way: those whose message carries a skip
 *    keyword (`[skip ci]`…, `skip-checks: true`), like promote-to-stable's ledger commits and greenline's
 *    reverts; a tested commit without a ✅ entry failed or is still running, whatever its tree. The
 *    first-parent chain below the head, down to C (at most `treeWalkLimit` commits, at most `treeChecks` tree
 *    comparisons), newest first, is compared with the trees of the newest `foreignGoodTrees` good commits
 *    that were skipped only for not being ancestors. A match newer than C wins over C.
 * 3. Not found is an answer, not an error: `found: false` with the reason.
 *
 * Unreadable blocks in the part of the ledger the scan read are warnings with their line numbers.
 */
export async function findLastGood(ledger: LedgerInput | undefined, config: FindConfig, ports: FindPorts): Promise<FindResult> {
  const { history, log } = ports;
  const head = config.head.toLowerCase();
  const noLedger = (): FindResult => ({ found: false, reason: `the ledger ${config.ledgerPath} does not exist`, candidates: [], warnings: [] });
  if (ledger === undefined) return noLedger();

  const candidates: CandidateReport[] = [];
  const rejected: string[] = [];
  const headTwins: string[] = [];
  const foreign: { sha: string; entry: LedgerEntry }[] = [];
  let chosen: { sha: string; entry: LedgerEntry; report: CandidateReport } | undefined;
  const foreignLimit = config.foreignGoodTrees ?? DEFAULT_FOREIGN_TREES;
  /** ⛔ entries seen so far (later in the file than the entry being looked at): the oldest one per commit. */
  const rolledBack = new Map<string, LedgerEntry>();
  const rolledBackIndex = new CommitSet<string>();
  const rolledBackEntry = (sha: string) => {
    const key = rolledBackIndex.get(sha);
    return key === undefined ? undefined : rolledBack.get(key);
  };
  const seenPassed = new CommitSet();
  /** Lines the scan sees are counted from the end; these get their absolute number once it is known. */
  const markerLines: { report: CandidateReport; marker: LedgerEntry }[] = [];
  const verifyChecks = requiredChecks(config.requireChecks, ports.checks, log);

  const consider = async (entry: LedgerEntry): Promise<boolean> => {
    if (entry.status === 'rolled-back') {
      const key = rolledBackIndex.get(entry.commit);
      if (key === undefined) {
        rolledBackIndex.add(entry.commit, entry.commit);
        rolledBack.set(entry.commit, entry);
      } else rolledBack.set(key, entry); // older than the one kept: report the marker nearest the entry
      return false;
    }
    if (entry.status !== 'passed' || seenPassed.has(entry.commit)) return false;
    seenPassed.add(entry.commit);
    const skip = (reason: string, sha = entry.commit) => {
      const report: CandidateReport = { sha, line: entry.line, verdict: 'skipped', reason };
      candidates.push(report);
      return report;
    };
    const marked = rolledBackEntry(entry.commit);
    if (marked) {
      rejected.push(entry.commit);
      markerLines.push({ report: skip('marked ⛔ Rolled back'), marker: marked });
      return false;
    }
    if (sameCommit(entry.commit, head)) {
      skip('is the head itself');
      return false;
    }
    const where = await history.ancestry(entry.commit, head);
    if (where.status === 'missing') {
      skip('not found in the repository (force-pushed away and deleted?)');
      return false;
    }
    if (where.status === 'same') {
      skip('is the head itself', where.sha);
      return false;
    }
    if (where.status === 'not-ancestor') {
      skip(`not an ancestor of ${shortSha(head)} (force-pushed away or on another branch)`, where.sha ?? entry.commit);
      if (where.sha && foreign.length < foreignLimit) foreign.push({ sha: where.sha, entry });
      return false;
    }
    // The head's own build: a ✅ commit whose tree the head still has (the head is only a ledger commit on
    // top of it) is what is failing now, not a way back.
    // A head that is a greenline revert back to this very commit is not its failing twin: it restored it.
    if ((await history.sameTree(where.sha, head, [config.ledgerPath])) && !(await restoredBy(history, head, where.sha))) {
      rejected.push(where.sha);
      headTwins.push(where.sha);
      skip(`has the same tree as the head ${shortSha(head)} outside ${config.ledgerPath}: it is the build that is failing`, where.sha);
      return false;
    }
    const failedChecks = await verifyChecks(where.sha);
    if (failedChecks) {
      rejected.push(where.sha);
      skip(failedChecks, where.sha);
      return false;
    }
    const report: CandidateReport = { sha: where.sha, line: entry.line, verdict: 'chosen', reason: `newest ✅ ancestor of ${shortSha(head)} in the ledger` };
    candidates.push(report);
    chosen = { sha: where.sha, entry, report };
    return true;
  };

  const scan =
    typeof ledger === 'string'
      ? await readNewest(ledger, consider, { absoluteLines: true })
      : await readNewestFromFile(ledger.file, consider, { absoluteLines: true });
  if ('exists' in scan && !scan.exists) return noLedger();
  // The predicate saw lines counted from the end; make every line it kept absolute (1-based).
  const shift = scan.lineShift ?? 0;
  const fixed = new Map<LedgerEntry, LedgerEntry>();
  const fix = (e: LedgerEntry): LedgerEntry => {
    let f = fixed.get(e);
    if (!f) fixed.set(e, (f = { ...e, line: e.line + shift }));
    return f;
  };
  for (const c of candidates) if (c.line !== undefined) c.line += shift;
  for (const { report, marker } of markerLines) report.reason = `marked ⛔ Rolled back (ledger line ${fix(marker).line})`;
  for (const f of foreign) f.entry = fix(f.entry);
  if (chosen) chosen = { ...chosen, entry: fix(chosen.entry) };

  for (const w of scan.warnings) {
    log.warning(`${config.ledgerPath} line ${w.line}: ${w.message}`, { file: config.ledgerPath, startLine: Math.abs(w.line), title: 'Unreadable ledger entry' });
  }
  const base = { warnings: scan.warnings, headTwins: [] as string[] };
  if (seenPassed.size === 0) {
    return { ...base, found: false, reason: `no ✅ Tests Passed entry in ${config.ledgerPath}`, candidates: [] };
  }

  base.headTwins = headTwins;

  // Good trees: the chosen commit's, then the skipped foreign ones (checked lazily against require-checks).
  // The chosen ✅ commit itself is the answer when it is an ancestor: a newer commit with the same tree (the
  // ledger commit above it, a revert back to it) restores the very same files, and naming the ✅ commit keeps
  // the answer equal to the seed's one-liner on the ledger. Trees matter for good builds that are no longer
  // ancestors (force-pushed away, rebased): a commit below the head with such a tree is good too.
  const goodTrees: { sha: string; entry: LedgerEntry; checked: boolean }[] = [];
  for (const f of foreign) goodTrees.push({ sha: f.sha, entry: f.entry, checked: config.requireChecks.length === 0 });

  let byTree: { sha: string; subject: string; good: (typeof goodTrees)[number] } | undefined;
  if (goodTrees.length > 0) {
    const below = await history.firstParentsBelow(head, chosen?.sha, config.treeWalkLimit ?? DEFAULT_TREE_WALK);
    let budget = config.treeChecks ?? DEFAULT_TREE_CHECKS;
    walk: for (const commit of below) {
      if (chosen && sameCommit(chosen.sha, commit.sha)) break;
      // Only commits that never got a run of their own are judged by their tree: a tested commit without a ✅
      // entry failed (or is still running), whatever its tree.
      if (commit.message === undefined || !skipsCi(commit.message)) continue;
      if (rejected.some((r) => sameCommit(r, commit.sha)) || rolledBackEntry(commit.sha)) continue;
      if (budget-- <= 0) break;
      for (const good of goodTrees) {
        if (!(await history.sameTree(good.sha, commit.sha, [config.ledgerPath]))) continue;
        if (!good.checked) {
          const failed = await verifyChecks(good.sha);
          if (failed) {
            rejected.push(good.sha);
            goodTrees.splice(goodTrees.indexOf(good), 1);
            continue walk;
          }
          good.checked = true;
        }
        byTree = { sha: commit.sha, subject: commit.subject, good };
        break walk;
      }
    }
  }

  const skipped = candidates.filter((c) => c.verdict === 'skipped');
  const skippedText = skipped.length
    ? `; skipped ${skipped.map((c) => `${shortSha(c.sha)} (${c.reason})`).join(', ')}`
    : '';
  if (byTree) {
    const report: CandidateReport = {
      sha: byTree.sha,
      verdict: 'chosen',
      reason: `same tree as ✅ ${shortSha(byTree.good.sha)} outside ${config.ledgerPath}`,
    };
    if (chosen) chosen.report.verdict = 'skipped';
    if (chosen) chosen.report.reason = `an ancestor of ${shortSha(byTree.sha)}, which has the same tree as a good build and is newer`;
    candidates.unshift(report);
    return {
      ...base,
      found: true,
      sha: byTree.sha,
      entry: byTree.good.entry,
      goodSha: byTree.good.sha,
      reason: `${shortSha(byTree.sha)} has the same tree as ✅ ${shortSha(byTree.good.sha)} (ledger line ${byTree.good.entry.line}) outside ${config.ledgerPath}${skippedText}`,
      candidates,
    };
  }
  if (chosen) {
    return {
      ...base,
      found: true,
      sha: chosen.sha,
      entry: chosen.entry,
      goodSha: chosen.sha,
      reason: `newest ✅ ancestor of ${shortSha(head)}: ${shortSha(chosen.sha)} (ledger line ${chosen.entry.line})${skippedText}`,
      candidates,
    };
  }
  return {
    ...base,
    found: false,
    reason: `none of the ${seenPassed.size} ✅ commit(s) in ${config.ledgerPath} is a usable ancestor of ${shortSha(head)}${skippedText}`,
    candidates,
  };
}

/** Whether `head` is a greenline revert whose Greenline-Restored trailer names `sha`. */
async function restoredBy(history: HistoryPort, head: string, sha: string): Promise<boolean> {
  const restored = greenlineMarks((await history.message(head)) ?? '').restored;
  return restored !== undefined && sameCommit(restored, sha);
}

/**
 * The `requireChecks` verdict on a commit, as GitHub's required status checks match names: undefined when every
 * name succeeded, else why not. A name is satisfied by a check run of that name whose newest run concluded
 * `success` (a check run of that name that did not is a failure, whatever the statuses say), or else, when no
 * check run has that name, by a commit status of that context whose newest state is `success`. Commit
 * statuses are asked for only when some name is not a check run, so check-run-only requirements cost no extra
 * request. When they cannot be read (403: the token lacks `statuses: read`) the requirement is not met (one
 * that cannot be verified is not a pass): the commit is skipped with the reason, and a warning says it once.
 */
function requiredChecks(required: readonly string[], checks: ChecksPort | undefined, log: Logger): (sha: string) => Promise<string | undefined> {
  let warned = false;
  return async (sha) => {
    if (required.length === 0) return undefined;
    if (!checks) throw new Error('require-checks needs a check-runs lookup');
    const runs = await checks.conclusions(sha);
    const statuses: StatusStates = required.some((name) => !runs.has(name)) ? await checks.statuses(sha) : { states: new Map() };
    if ('refused' in statuses && !warned) {
      warned = true;
      log.warning(`require-checks: commit statuses could not be read (${statuses.refused}); a required name that is not a check run cannot be verified, and a commit that needs one is skipped`);
    }
    const problems: string[] = [];
    for (const name of required) {
      const conclusion = runs.get(name);
      if (conclusion === null) problems.push(`${name}: not completed`);
      else if (conclusion !== undefined) {
        if (conclusion !== 'success') problems.push(`${name}: ${conclusion}`);
      } else if ('refused' in statuses) problems.push(`${name}: no check run, and commit statuses could not be read: ${statuses.refused}`);
      else {
        const state = statuses.states.get(name);
        if (state === undefined) problems.push(`${name}: no check run or commit status`);
        else if (state !== 'success') problems.push(`${name}: commit status ${state}`);
      }
    }
    return problems.length ? `required checks did not succeed (${problems.join(', ')})` : undefined;
  };
}

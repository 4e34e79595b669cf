import type { Logger } from '../action/log.js';
import { greenlineMarks, skipsCi } from '../git/history.js';
import { parseLedger } from '../ledger/parse.js';
import { statusVerdict } from '../ledger/status.js';
import type { LedgerEntry, ParsedLedger } from '../ledger/types.js';
import { shortSha } from '../util/text.js';
import type { CandidateReport, ChainCommit, ChecksPort, FindConfig, FindResult, HistoryPort, StatusStates } from './types.js';

export interface FindPorts {
  history: HistoryPort;
  /** Only needed when `requireChecks` is not empty. */
  checks?: ChecksPort;
  log: Logger;
}

const DEFAULT_CHAIN_LIMIT = 5000;
const DEFAULT_TREE_CHECKS = 10;
const DEFAULT_FOREIGN_TREES = 3;
/** How far below the head a ledger is looked for when the head deleted (or broke) it. */
const LEDGER_FALLBACK = 50;

/** `a` and `b` name the same commit (either may be abbreviated, as hand-written ledgers have it). */
export function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length >= 7 && y.length >= 7 && (x.startsWith(y) || y.startsWith(x));
}

/**
 * Where find-last-good-commit reads the ledger: its text as read already (tests, a workspace file at the head),
 * or a reader that gives the ledger at a commit (git objects, the contents API), so it is read from the head's
 * own history — and from the nearest first-parent ancestor that has it when the head deleted or broke it.
 */
export type LedgerInput = string | ((commit: string) => Promise<string | undefined>);

/** What the ledger says of one commit, all its entries considered (file order). */
type Verdict =
  | { kind: 'passed'; entry: LedgerEntry }
  | { kind: 'rolled-back'; entry?: LedgerEntry; by?: string }
  | { kind: 'not-pass'; entry: LedgerEntry; word: string };

/** The ledger indexed by commit: abbreviated and full SHAs alike. */
class LedgerIndex {
  private readonly byPrefix = new Map<string, LedgerEntry[]>();
  /** Builds marked ⛔ by a greenline commit's `Greenline-Rolled-Back` trailer: build → the marking commit. */
  readonly trailerMarks = new Map<string, string>();

  readonly entries: readonly LedgerEntry[];

  constructor(entries: readonly LedgerEntry[]) {
    this.entries = entries;
    for (const e of entries) {
      const key = e.commit.slice(0, 7);
      const list = this.byPrefix.get(key);
      if (list) list.push(e);
      else this.byPrefix.set(key, [e]);
    }
  }

  private of(sha: string): LedgerEntry[] {
    return (this.byPrefix.get(sha.slice(0, 7).toLowerCase()) ?? []).filter((e) => sameCommit(e.commit, sha));
  }

  private markedByTrailer(sha: string): string | undefined {
    for (const [build, by] of this.trailerMarks) if (sameCommit(build, sha)) return by;
    return undefined;
  }

  /**
   * A build is good when its newest ✅ comes after its newest ⛔ (a ✅ written after the marker is a deliberate
   * re-promotion). A ⛔ that only a commit trailer still records (a merge dropped the line) holds, unless the
   * ledger shows a ⛔ and then a ✅ for the build.
   */
  verdict(sha: string): Verdict | undefined {
    const es = this.of(sha);
    if (es.length === 0) return this.markedByTrailer(sha) ? { kind: 'rolled-back', by: this.markedByTrailer(sha)! } : undefined;
    let passed = -1;
    let rolled = -1;
    es.forEach((e, i) => {
      if (e.status === 'passed') passed = i;
      if (e.status === 'rolled-back') rolled = i;
    });
    const trailer = this.markedByTrailer(sha);
    if (passed > rolled && !(trailer && rolled < 0)) return { kind: 'passed', entry: es[passed]! };
    if (rolled >= 0) return { kind: 'rolled-back', entry: es[rolled]! };
    if (trailer) return { kind: 'rolled-back', by: trailer };
    const last = es[es.length - 1]!;
    return { kind: 'not-pass', entry: last, word: statusVerdict(last.statusText).word };
  }

  /** Whether some ✅ entry names `sha` in full (40 hex digits): no abbreviation to resolve. */
  passedInFull(sha: string): boolean {
    return this.of(sha).some((e) => e.status === 'passed' && e.commit.length >= 40);
  }

  /** The newest ✅ entries (file order from the end), one per build, that are good: for tree comparisons. */
  goodEntries(limit: number): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i]!;
      if (e.status !== 'passed' || out.some((o) => sameCommit(o.commit, e.commit))) continue;
      if (this.verdict(e.commit)?.kind === 'passed') out.push(e);
    }
    return out;
  }
}

/**
 * The last good build below `head`, on the branch's own history.
 *
 * 1. The ledger is read from the head (or the nearest first-parent ancestor that has a readable one).
 * 2. The head's first-parent chain is walked, nearest first. The answer is the nearest commit on it with a
 *    good ✅ entry (LedgerIndex.verdict), that meets `requireChecks`. Entries of commits reached only through a
 *    merge's other parents never count, and the position of an entry in the file never matters.
 * 3. A commit that never gets a run of its own (a skip keyword: greenline's reverts, ledger commits) and has no
 *    entry is good by its tree: a greenline revert by the build its `Greenline-Restored` trailer names, others
 *    when their tree equals a good build's outside the ledger (a rebased or force-pushed-away build). Only
 *    those met before a tested commit without a ✅ are compared; a ledger commit right above a ✅ build is not.
 * 4. ⛔ knowledge: the ledger's markers and the `Greenline-Rolled-Back` trailers of the commits walked (and of
 *    a merged greenline branch's tip), so a marker dropped from the file by a merge still holds.
 * 5. `headPassed`: whether the head's own tree (outside the ledger) already passed — its own ✅, the answer's
 *    tree, a tree a greenline revert on the way restored, or a merged-in ✅ parent's. A failure of such a tree
 *    is not caused by a code change.
 */
export async function findLastGood(ledger: LedgerInput | undefined, config: FindConfig, ports: FindPorts): Promise<FindResult> {
  const { history, log } = ports;
  const head = config.head.toLowerCase();
  const noLedger = (): FindResult => ({ found: false, reason: `the ledger ${config.ledgerPath} does not exist`, candidates: [], warnings: [] });
  if (ledger === undefined) return noLedger();

  const walker = history.walkFirstParents(head)[Symbol.asyncIterator]();
  const chain: ChainCommit[] = [];
  const at = async (i: number): Promise<ChainCommit | undefined> => {
    while (chain.length <= i) {
      const r = await walker.next();
      if (r.done) return undefined;
      chain.push(r.value);
    }
    return chain[i];
  };

  // 1. The ledger, from the branch's own history.
  let parsed: ParsedLedger | undefined;
  let ledgerFrom = head;
  if (typeof ledger === 'string') parsed = parseLedger(ledger);
  else {
    for (let i = 0; i < LEDGER_FALLBACK; i++) {
      const c = await at(i);
      if (!c) break;
      const text = await ledger(c.sha);
      if (text === undefined) continue;
      const p = parseLedger(text);
      // A ledger without a readable entry (emptied, mangled by a bad merge) is broken: an ancestor's is used.
      if (p.entries.length === 0 && i + 1 < LEDGER_FALLBACK && (await at(i + 1))) {
        parsed ??= p;
        continue;
      }
      parsed = p;
      ledgerFrom = c.sha;
      break;
    }
  }
  if (!parsed) return noLedger();
  const fromNote = ledgerFrom === head ? '' : ` (read from ${shortSha(ledgerFrom)}: the head has no readable ${config.ledgerPath})`;
  for (const w of parsed.warnings) {
    log.warning(`${config.ledgerPath} line ${w.line}: ${w.message}`, { file: config.ledgerPath, startLine: Math.abs(w.line), title: 'Unreadable ledger entry' });
  }
  const base = { warnings: parsed.warnings, ledgerFrom, entries: parsed.entries };
  if (!parsed.entries.some((e) => e.status === 'passed')) {
    return { ...base, found: false, reason: `no ✅ Tests Passed entry in ${config.ledgerPath}${fromNote}`, candidates: [] };
  }
  const index = new LedgerIndex(parsed.entries);

  // Greenline's ⛔ trailers: on the commits walked and on a merged greenline branch's tip.
  const readMarks = async (c: ChainCommit) => {
    for (const sha of greenlineMarks(c.message).rolledBack) index.trailerMarks.set(sha.toLowerCase(), c.sha);
    for (const p of c.parents.slice(1)) {
      const merged = await history.commitInfo(p);
      if (merged) for (const sha of greenlineMarks(merged.message).rolledBack) index.trailerMarks.set(sha.toLowerCase(), merged.sha);
    }
  };

  const headCommit = await at(0);
  if (!headCommit) throw new Error(`commit ${head} has no history to walk`);
  await readMarks(headCommit);

  const candidates: CandidateReport[] = [];
  const verifyChecks = requiredChecks(config.requireChecks, ports.checks, log);
  const skip = (sha: string, reason: string, entry?: LedgerEntry) => candidates.push({ sha, ...(entry ? { line: entry.line } : {}), verdict: 'skipped', reason });
  let chosen: { commit: ChainCommit; entry: LedgerEntry } | undefined;
  let byTree: { commit: ChainCommit; good: LedgerEntry; why: string; at: number } | undefined;
  /** Untested (skip keyword) commits without an entry, above the next tested commit (`at`: their place in `candidates`). */
  let pending: { commit: ChainCommit; at: number }[] = [];
  let treeBudget = config.treeChecks ?? DEFAULT_TREE_CHECKS;
  const limit = config.treeWalkLimit ?? DEFAULT_CHAIN_LIMIT;

  /** The pending untested commits, nearest first: the first whose tree is a good build's. */
  const judgePending = async (): Promise<boolean> => {
    for (const { commit: s, at } of pending) {
      const restored = greenlineMarks(s.message).restored;
      if (restored) {
        const v = index.verdict(restored);
        if (v?.kind === 'passed' && !(await verifyChecks(restored))) {
          byTree = { commit: s, good: v.entry, why: `greenline's revert to ✅ ${shortSha(restored)}`, at };
          return true;
        }
        continue;
      }
      for (const good of index.goodEntries(config.foreignGoodTrees ?? DEFAULT_FOREIGN_TREES)) {
        if (treeBudget-- <= 0) return false;
        if (!(await history.sameTree(good.commit, s.sha, [config.ledgerPath]))) continue;
        if (await verifyChecks(good.commit)) continue;
        byTree = { commit: s, good, why: `same tree as ✅ ${shortSha(good.commit)} outside ${config.ledgerPath}`, at };
        return true;
      }
    }
    pending = [];
    return false;
  };

  /**
   * A ✅ named only by an abbreviated SHA counts for this commit when the abbreviation names it alone: in a
   * repository where another commit (a feature branch's, whose build it may record) starts with the same
   * digits, greenline cannot know which build passed, and a tree that never passed must not be restored.
   */
  const ambiguous = async (sha: string, entry: LedgerEntry): Promise<string | undefined> => {
    if (index.passedInFull(sha)) return undefined;
    const named = await history.ancestry(entry.commit, head);
    if (named.status === 'ancestor' && named.sha === sha) return undefined;
    return `the ledger names it only by the short SHA ${entry.commit}, which does not name it alone (another commit starts with it, or it cannot be resolved)`;
  };

  // 2. The walk.
  let walked = 0;
  for (let i = 1; i <= limit; i++) {
    const c = await at(i);
    if (!c) break;
    walked = i;
    const v = index.verdict(c.sha);
    if (v?.kind === 'passed') {
      const failed = (await ambiguous(c.sha, v.entry)) ?? (await verifyChecks(c.sha));
      if (failed) skip(c.sha, failed, v.entry);
      else {
        chosen = { commit: c, entry: v.entry };
        // Untested commits above it are nearer: one with a good tree wins (the answer then names the ✅
        // build itself when it is in the history, as for promote-to-stable's ledger commit right above it).
        if (pending.length) await judgePending();
        break;
      }
    } else if (v?.kind === 'rolled-back') {
      skip(c.sha, v.entry ? `marked ⛔ Rolled back (ledger line ${v.entry.line})` : `marked ⛔ Rolled back by greenline in ${shortSha(v.by ?? '')} (Greenline-Rolled-Back trailer; the ledger line is gone)`, v.entry);
    } else if (v?.kind === 'not-pass') {
      skip(c.sha, `status ${JSON.stringify(v.entry.statusText)} is not a pass${v.word ? ` (“${v.word}”)` : ''}`, v.entry);
    } else if (skipsCi(c.message)) {
      pending.push({ commit: c, at: candidates.length });
      await readMarks(c);
      continue;
    }
    // A tested commit that is not a usable ✅: the untested commits above it are judged by their trees now.
    if (pending.length && (await judgePending())) break;
    await readMarks(c);
  }
  if (!chosen && !byTree && pending.length) await judgePending();
  // A ledger commit right above the ✅ build has its tree: the build itself is the answer, as found.
  if (byTree && chosen && sameCommit(byTree.good.commit, chosen.commit.sha)) byTree = undefined;

  const skippedText = candidates.length ? `; skipped ${candidates.map((c) => `${shortSha(c.sha)} (${c.reason})`).join(', ')}` : '';
  let answer: { sha: string; entry: LedgerEntry; goodSha: string; reason: string } | undefined;
  if (byTree) {
    const found = byTree;
    // The ✅ build itself names the answer when it is in the head's history (the same tree, and the build the
    // ledger and the seed's one-liner name); else the commit that has its tree.
    const good = await history.ancestry(found.good.commit, head);
    const sha = good.status === 'ancestor' ? good.sha : found.commit.sha;
    const goodSha = good.status === 'ancestor' || good.status === 'not-ancestor' ? (good.sha ?? found.good.commit) : found.good.commit;
    answer = {
      sha,
      entry: found.good,
      goodSha,
      reason: `${shortSha(found.commit.sha)} on the first-parent history of ${shortSha(head)} is good: ${found.why} (ledger line ${found.good.line})${sha !== found.commit.sha ? `; answering that build, ${shortSha(sha)}` : ''}`,
    };
  } else if (chosen) {
    answer = {
      sha: chosen.commit.sha,
      entry: chosen.entry,
      goodSha: chosen.commit.sha,
      reason: `nearest ✅ build on the first-parent history of ${shortSha(head)}: ${shortSha(chosen.commit.sha)} (ledger line ${chosen.entry.line})`,
    };
  }
  if (!answer) {
    const where = walked >= limit ? `the ${limit} first-parent commits below ${shortSha(head)}` : `the first-parent history of ${shortSha(head)}`;
    return { ...base, found: false, reason: `no good ✅ build on ${where}${fromNote}${skippedText}`, candidates };
  }
  const report: CandidateReport = { sha: answer.sha, ...(answer.goodSha === answer.sha ? { line: answer.entry.line } : {}), verdict: 'chosen', reason: answer.reason };
  // Newest first: a commit good by its tree sits where the walk met it; the ✅ build met last is the oldest.
  candidates.splice(byTree ? byTree.at : candidates.length, 0, report);
  const headPassed = await judgeHead(headCommit, answer.goodSha, chain, index, config.ledgerPath, history);
  return {
    ...base,
    found: true,
    sha: answer.sha,
    entry: answer.entry,
    goodSha: answer.goodSha,
    reason: `${answer.reason}${fromNote}${skippedText}`,
    candidates,
    ...(headPassed ? { headPassed } : {}),
  };
}

/**
 * Whether the head's tree (outside the ledger) already passed: its own good ✅, the tree of the last good build,
 * of a greenline revert between them (a tree greenline restored), of a merged-in parent with a good ✅, or of
 * one of the newest good ✅ builds wherever they are (at most `DEFAULT_FOREIGN_TREES` more comparisons).
 */
async function judgeHead(
  head: ChainCommit,
  good: string,
  chain: readonly ChainCommit[],
  index: LedgerIndex,
  ledgerPath: string,
  history: HistoryPort,
): Promise<{ sha: string; why: string } | undefined> {
  const own = index.verdict(head.sha);
  if (own?.kind === 'passed') return { sha: head.sha, why: `${shortSha(head.sha)} itself has a ✅ entry (ledger line ${own.entry.line})` };
  if (own?.kind === 'rolled-back') return undefined;
  const same = (sha: string) => history.sameTree(sha, head.sha, [ledgerPath]);
  if (await same(good)) return { sha: good, why: `its tree outside ${ledgerPath} is the tree of the last good build ${shortSha(good)}` };
  for (const c of chain.slice(1)) {
    if (sameCommit(c.sha, good)) break;
    if (greenlineMarks(c.message).restored && (await same(c.sha))) return { sha: c.sha, why: `its tree outside ${ledgerPath} is the tree greenline's revert ${shortSha(c.sha)} restored` };
  }
  for (const p of head.parents.slice(1)) {
    if (index.verdict(p)?.kind === 'passed' && (await same(p))) return { sha: p, why: `its tree outside ${ledgerPath} is the tree of the merged ✅ build ${shortSha(p)}` };
  }
  // A tree that passed anywhere is not a code regression either: a merge whose other parent is a ✅ build's
  // [skip ci] ledger commit (the build's tree), a revert of a revert re-landing a ✅ build's code, a rebased
  // copy. The newest good builds (never a ⛔ one) are compared, as rule 5 compares untested commits.
  for (const e of index.goodEntries(DEFAULT_FOREIGN_TREES)) {
    if (sameCommit(e.commit, good) || sameCommit(e.commit, head.sha)) continue;
    if (await same(e.commit)) return { sha: e.commit, why: `its tree outside ${ledgerPath} is the tree of the ✅ build ${shortSha(e.commit)} (ledger line ${e.line})` };
  }
  return undefined;
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
  const memo = new Map<string, Promise<string | undefined>>();
  const verify = async (sha: string): Promise<string | undefined> => {
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
  return (sha) => {
    let p = memo.get(sha);
    if (!p) memo.set(sha, (p = verify(sha)));
    return p;
  };
}

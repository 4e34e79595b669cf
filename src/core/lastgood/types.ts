import type { LedgerEntry, LedgerWarning } from '../ledger/types.js';

/**
 * The ports "find the last good commit" needs. Each has a git implementation (src/core/git/history.ts, the
 * workspace checkout, deepening a shallow clone as needed) and a GitHub API one (src/core/github/compare.ts),
 * so the same rules give the same answer with or without a checkout.
 */

/** Where a candidate stands relative to the head. `sha` is the full SHA when the commit could be resolved. */
export type Ancestry =
  | { status: 'ancestor'; sha: string }
  | { status: 'same'; sha: string }
  | { status: 'not-ancestor'; sha?: string }
  | { status: 'missing' };

export interface CommitSummary {
  sha: string;
  subject: string;
  /** The whole message, when the port has it (first-parent walks do: skip keywords are read from it). */
  message?: string;
}

/** A commit of a first-parent walk, with what the rules read from it. */
export interface ChainCommit {
  sha: string;
  /** The root tree's SHA. */
  tree: string;
  /** Parents in order: the first is the branch's own history, the others were merged in. */
  parents: string[];
  message: string;
  subject: string;
  /** Committer date, milliseconds since the epoch (0 when unknown). */
  date: number;
}

export interface HistoryPort {
  /** For the log: `git (workspace)`, `GitHub compare API`. */
  readonly describe: string;
  /**
   * Whether `candidate` (full or abbreviated SHA, as the ledger has it) is an ancestor of `head`. Never a
   * false "not an ancestor" because history was cut off (a shallow clone is deepened first).
   */
  ancestry(candidate: string, head: string): Promise<Ancestry>;
  /**
   * The first-parent chain below `head` (head excluded), newest first, ending before the first commit that
   * is reachable from `stop` (all the way down when `stop` is undefined), at most `limit` commits.
   */
  firstParentsBelow(head: string, stop: string | undefined, limit: number): Promise<CommitSummary[]>;
  /** Whether the trees of two commits are equal everywhere except under the `ignore` paths. */
  sameTree(a: string, b: string, ignore: readonly string[]): Promise<boolean>;
  /** The full message of a commit (undefined when it does not exist): to recognise a greenline revert. */
  message(sha: string): Promise<string | undefined>;
  /**
   * The branch's own history: `head` first, then its first parent, its first parent's first parent… (a shallow
   * clone is deepened as the walk goes). The consumer stops the walk when it has what it needs.
   */
  walkFirstParents(head: string): AsyncIterable<ChainCommit>;
  /** One commit (a merge's other parent, a commit named by a trailer); undefined when it does not exist. */
  commitInfo(sha: string): Promise<ChainCommit | undefined>;
  /**
   * A path at a commit: a file's text, or a symbolic link's target (as stored); undefined when the commit has
   * nothing (or a folder) there. See ledger-at.ts for following links.
   */
  pathAt(commit: string, path: string): Promise<{ file: string } | { link: string } | undefined>;
}

/**
 * A commit's statuses (the combined status: the newest `state` per `context`), or why they could not be read
 * (`refused`: the token may not read them, e.g. a 403 without `statuses: read`).
 */
export type StatusStates = { states: Map<string, string> } | { refused: string };

/**
 * What `requireChecks` consults on a commit, as GitHub's required status checks do: check runs by name, and
 * commit statuses (Jenkins, CircleCI, Buildkite… through the Statuses API) by context.
 */
export interface ChecksPort {
  /** The newest check run per name on a commit: its conclusion (null while it has not completed). */
  conclusions(sha: string): Promise<Map<string, string | null>>;
  /** The newest commit status per context. Only asked for when a required name is not a check run. */
  statuses(sha: string): Promise<StatusStates>;
}

export interface FindConfig {
  /** Full SHA: the answer is an ancestor of it and never it. */
  head: string;
  /** Path of the ledger in the repository: ignored when comparing trees. */
  ledgerPath: string;
  /**
   * Names that must have succeeded on the chosen ledger commit: a check run of that name whose newest run
   * concluded `success`, else a commit status of that context whose newest state is `success`.
   */
  requireChecks: readonly string[];
  /** How many first-parent commits below the head are walked at most (default 5000). */
  treeWalkLimit?: number;
  /** How many tree comparisons untested commits get at most (default 10). */
  treeChecks?: number;
  /** How many of the newest good ✅ builds an untested commit's tree is compared with (default 3). */
  foreignGoodTrees?: number;
}

export interface CandidateReport {
  /** As written in the ledger, or the full SHA when resolved. */
  sha: string;
  /** 1-based ledger line of the entry (absent for a commit found by its tree). */
  line?: number;
  verdict: 'chosen' | 'skipped';
  reason: string;
}

export interface FindResult {
  found: boolean;
  /** The answer (full SHA). */
  sha?: string;
  /**
   * The ledger entry behind the answer: the answer's own ✅ entry, or, for a commit found because its tree
   * equals a good commit's tree, that good commit's entry (same tree, same image).
   */
  entry?: LedgerEntry;
  /** The ✅ commit whose tree the answer has (equal to `sha` unless the answer was found by its tree). */
  goodSha?: string;
  /** Why nothing was found, or what was chosen and which newer candidates were skipped and why. */
  reason: string;
  /** Every candidate examined, newest first. */
  candidates: CandidateReport[];
  warnings: LedgerWarning[];
  /** The commit the ledger was read at: the head, or its nearest first-parent ancestor with a readable ledger. */
  ledgerFrom?: string;
  /** The ledger's entries as read there (what :stable serves is read from them). */
  entries?: LedgerEntry[];
  /**
   * Set when the head's own tree (outside the ledger) already passed (its own ✅, the last good build's tree, a
   * tree a greenline revert restored, a merged-in ✅ parent's): a failure of the head is then not caused by a
   * code change. `sha` is the commit whose tree it is.
   */
  headPassed?: { sha: string; why: string };
}

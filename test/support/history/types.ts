import type { RevertOutcome } from '../../../src/core/lastgood/revert.js';
import type { RunResult } from '../harness.js';
import type { GitHubStandin } from '../github-standin/index.js';
import type { HistoryRepo } from './repo.js';

/** auto-revert's `outcome` output (issue 9), as the action declares it. */
export type Outcome = RevertOutcome;

export type Method = 'api' | 'git';

/** What a case's history builder returns: the failing commit and the commits the expectations name. */
export interface Built {
  failing: string;
  /** The failing run's branch (default main). */
  branch?: string;
  /** Named commits: the expectations refer to these names. */
  shas: Record<string, string>;
  /**
   * method git: what the workspace checkout is at (default the failing commit, as a workflow_run job
   * checking out `workflow_run.head_sha` has it). A name from `shas` or a branch.
   */
  checkout?: string;
}

/** What one run saw, for a case's extra checks. */
export interface RunContextForCase {
  method: Method;
  remote: string;
  standin: GitHubStandin;
  built: Built;
  find: RunResult;
  revert: RunResult;
}

export interface HistoryCase {
  name: string;
  /** One line: what a careful release engineer expects. */
  expect: string;
  build(h: HistoryRepo): Promise<Built>;
  /** find-last-good-commit's answer: false, or the name of the good build (its ✅ commit). */
  find: false | string;
  outcome: Outcome;
  /** reverted / pull-request: the build whose tree the new commit has outside the ledger (default `find`). */
  restores?: string;
  /** reverted: the new commit's parent (default: the failing commit). */
  parent?: string;
  /** reverted: the commit whose ledger bytes the new commit keeps whole, at the front (default `parent`). */
  ledgerFrom?: string;
  /** The ledger's files (a symlink and its real file; default the ledger path). */
  ledgerFiles?: string[];
  /** reverted: the build the revert marks ⛔ in the ledger (default: none, and no ⛔ may be added). */
  marks?: string;
  /** Extra auto-revert inputs; names in `${name}` are replaced by their SHA. */
  inputs?: Record<string, string>;
  /** Extra find-last-good-commit inputs (a moved ledger's `ledger-path`); names in `${name}` replaced as above. */
  findInputs?: Record<string, string>;
  /** method git: a shallow checkout of this depth. */
  depth?: number;
  /** The branch is protected (the stand-in refuses ref updates and pushes as GitHub does). */
  protect?: boolean;
  /** auto-revert's exit code (default 0). */
  exitCode?: number;
  /** A method this case cannot hold for, and why (the test is reported as skipped with that reason). */
  notFor?: Partial<Record<Method, string>>;
  /** Further checks after the run. */
  after?(ctx: RunContextForCase): Promise<void>;
}

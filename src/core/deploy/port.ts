import type { CommitRef } from './plan.js';

/** A branch's host as the deploy needs it: GitHub's Git Data API (api.ts) or git over a remote (git.ts). */
export interface DeployBranchPort {
  /** Where the branch lives, for messages (never with credentials). */
  describe: string;
  /** The branch's tip and its tree, or undefined when the branch does not exist. */
  tip(branch: string): Promise<CommitRef | undefined>;
  /** A commit and its tree. */
  commit(sha: string): Promise<CommitRef>;
  /** True when `ancestor` is reachable from `descendant`. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** True when a tag of that name exists (a branch of the same name would be ambiguous for git). */
  tagExists(name: string): Promise<boolean>;
  /** Writes a commit object (no ref moves). */
  createCommit(tree: string, parents: readonly string[], message: string): Promise<string>;
  /**
   * Moves the branch to `sha`, never forced: created only if absent (`expected` undefined), else a fast-forward
   * only. Throws DeployRaceError when the host refuses because the branch moved since it was read.
   */
  update(branch: string, sha: string, expected: string | undefined): Promise<void>;
}

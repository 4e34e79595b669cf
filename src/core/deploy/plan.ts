/**
 * What a deploy branch update is, decided from plain values: the branch's tip (if any), the build's commit and
 * whether the tip is an ancestor of the build. The branch never loses a commit: it only ever moves forward, to
 * the build itself (fast-forward) or to one new commit with the build's tree on top of the tip.
 */
export interface CommitRef {
  sha: string;
  tree: string;
}

export type DeployPlan =
  /** The branch does not exist: created at the build commit. */
  | { kind: 'create'; target: string }
  /** The branch already holds the build's tree: nothing to write. */
  | { kind: 'unchanged'; target: string }
  /** The tip is an ancestor of the build: the branch moves to the build commit. */
  | { kind: 'fast-forward'; target: string }
  /** Anything else (a rollback, a branch with its own commits): one commit of the build's tree, parents [tip, build]. */
  | { kind: 'commit'; tree: string; parents: [string, string]; message: string };

export interface DeployWhat {
  /** The branch, for the message. */
  branch: string;
  /** Restored (⏪) or promoted (✅). */
  restored: boolean;
  version?: string;
  digest: string;
}

export function planDeploy(tip: CommitRef | undefined, build: CommitRef, tipIsAncestor: boolean, what: DeployWhat): DeployPlan {
  if (!tip) return { kind: 'create', target: build.sha };
  if (tip.tree === build.tree) return { kind: 'unchanged', target: tip.sha };
  if (tipIsAncestor) return { kind: 'fast-forward', target: build.sha };
  return { kind: 'commit', tree: build.tree, parents: [tip.sha, build.sha], message: deployMessage(build.sha, what) };
}

/** `[skip ci]` keeps the branch's own push from starting the workflows that led here. */
export function deployMessage(build: string, what: DeployWhat): string {
  const verb = what.restored ? 'Roll back' : 'Deploy';
  const version = what.version ? ` (${oneLine(what.version)})` : '';
  return [
    `${verb} ${what.branch} to ${build.slice(0, 12)}${version} [skip ci]`,
    '',
    `The tree of ${build}${version}, image ${what.digest}.`,
    `Parents: the previous tip of ${what.branch} (kept) and the build commit. Written by greenline promote-to-stable.`,
    '',
  ].join('\n');
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 100);
}

/** What a deploy did, for outputs, ledger and summary. */
export interface DeployOutcome {
  branch: string;
  kind: DeployPlan['kind'];
  /** The branch tip after the update. */
  commit: string;
  /** The tip before (undefined when created). */
  before?: string;
}

/** The ref update lost against another writer: the branch moved between our read and our write. */
export class DeployRaceError extends Error {
  override readonly name = 'DeployRaceError';
}

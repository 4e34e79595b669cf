/** Helpers shared by the git-backed routes: ref resolution with GitHub's errors, commit creation, protection. */
import type { GitIdentity, ParsedCommit } from '../git-backend.js';
import { basicError, unprocessable, type HttpError } from '../http.js';
import { actorIdentity, identityFrom, WEB_FLOW, type Standin } from '../shapes.js';

/** A commit-ish from a `ref`/`sha` parameter; GitHub's 422 "No commit found for SHA: x" when unknown. */
export async function commitOr422(s: Standin, ref: string): Promise<string> {
  await notEmpty(s);
  const sha = await s.git.resolveCommit(ref);
  if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`, 'https://docs.github.com/rest/commits/commits#get-a-commit');
  return sha;
}

/** GitHub answers 409 "Git Repository is empty." on history endpoints of a repository without commits. */
export async function notEmpty(s: Standin): Promise<void> {
  if (await s.git.isEmpty()) throw basicError(409, 'Git Repository is empty.');
}

/** Why a branch refuses direct updates: classic branch protection, or a repository ruleset. */
export interface BranchRule {
  branch: string;
  kind: 'protected' | 'ruleset';
}

const PULL_REQUEST_RULE = 'Changes must be made through a pull request.';
const DOCS_PROTECTED = 'https://docs.github.com/articles/about-protected-branches';
const DOCS_RULESETS = 'https://docs.github.com/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets';

/**
 * GitHub's refusal of a direct update (third-party reports; the docs list only the status codes): classic
 * protection answers "Changes must be made through a pull request." (the contents API prefixes "Could not
 * update file: "), a ruleset "Repository rule violations found" followed by the rules broken.
 */
export function protectedBranchError(status: number, rule: BranchRule, prefix = ''): HttpError {
  if (rule.kind === 'ruleset') return basicError(status, `${prefix}Repository rule violations found\n\n${PULL_REQUEST_RULE}\n\n`, DOCS_RULESETS);
  return basicError(status, `${prefix}${PULL_REQUEST_RULE}`, DOCS_PROTECTED);
}

export function isProtected(s: Standin, fullRef: string): BranchRule | null {
  if (!fullRef.startsWith('refs/heads/')) return null;
  const branch = fullRef.slice('refs/heads/'.length);
  if (s.state.protectedBranches.has(branch)) return { branch, kind: 'protected' };
  if (s.state.rulesetBranches.has(branch)) return { branch, kind: 'ruleset' };
  return null;
}

/**
 * Writes a commit object. Without author and committer it is "signed by GitHub": authored by the token's
 * user, committed by GitHub (web-flow) and reported as verified, as GitHub does for API commits. With either,
 * the commit is unsigned.
 */
export async function writeCommit(
  s: Standin,
  options: {
    tree: string;
    parents: string[];
    message: string;
    author?: { name: string; email: string; date?: string } | undefined;
    committer?: { name: string; email: string; date?: string } | undefined;
  },
): Promise<ParsedCommit> {
  const now = s.state.now();
  const signed = !options.author && !options.committer;
  let author: GitIdentity;
  let committer: GitIdentity;
  if (signed) {
    author = identityFrom(undefined, actorIdentity(s), now);
    committer = identityFrom(undefined, WEB_FLOW, now);
  } else {
    const who = options.author ?? options.committer;
    author = identityFrom(who, actorIdentity(s), now);
    committer = identityFrom(options.committer ?? who, actorIdentity(s), now);
  }
  const sha = await s.git.commitTree({ tree: options.tree, parents: options.parents, message: options.message, author, committer });
  const commit = await s.git.readCommit(sha);
  if (!commit) throw new Error(`the commit ${sha} just written cannot be read back`);
  if (signed) {
    s.state.signedCommits.set(sha, {
      signature: `-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQBQJstandin${sha.slice(0, 16)}\n-----END PGP SIGNATURE-----\n`,
      payload: commit.raw,
      verified_at: s.state.nowIso(),
    });
  }
  return commit;
}

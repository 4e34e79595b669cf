import type { Git } from './git.js';

/**
 * Points a tag on the remote at a commit with `git push`. Tags (unlike branches) must move backwards and
 * sideways, so the update is forced, but only as a lease on the value just read: a concurrent mover is
 * detected, not overwritten blindly. Only refs/tags/* can ever be pushed this way.
 */
export async function moveTagViaGit(git: Git, remote: string, tag: string, sha: string): Promise<'created' | 'moved' | 'unchanged' | 'raced'> {
  const ref = `refs/tags/${tag}`;
  const listed = await git.run(['ls-remote', '--', remote, ref]);
  const current = listed.stdout.split('\n').find((l) => l.endsWith(`\t${ref}`))?.split('\t')[0];
  if (current === sha) return 'unchanged';
  // A shallow or single-branch checkout may not hold the commit (a restore of an older build): fetch it.
  const has = await git.run(['cat-file', '-e', `${sha}^{commit}`], { allowFail: true });
  if (has.code !== 0) await git.run(['fetch', '--no-tags', '--depth=1', '--', remote, sha]);
  const lease = `--force-with-lease=${ref}:${current ?? ''}`;
  const pushed = await git.run(['push', '--porcelain', '--no-verify', lease, '--', remote, `${sha}:${ref}`], { allowFail: true });
  if (pushed.code !== 0) {
    // Another run moved the tag between our read and our push: the lease refused to overwrite it.
    if (/stale info|\[rejected\]|already exists|failed to update ref|incorrect old value/.test(`${pushed.stdout}\n${pushed.stderr}`)) return 'raced';
    throw new Error(`git push of ${ref} failed: ${pushed.stderr.trim() || pushed.stdout.trim()}`);
  }
  return current ? 'moved' : 'created';
}

/**
 * Why `tag` must not name a git tag on the remote: a branch of the same name exists (`git-tag: main`), and
 * `main` would then be ambiguous for every git command and checkout. Undefined when the name is free.
 */
export async function tagNameConflictViaGit(git: Git, remote: string, tag: string): Promise<string | undefined> {
  const listed = await git.run(['ls-remote', '--heads', '--', remote, `refs/heads/${tag}`]);
  return listed.stdout.split('\n').some((l) => l.endsWith(`\trefs/heads/${tag}`))
    ? `${JSON.stringify(tag)} is the name of a branch; a tag of the same name would make "${tag}" ambiguous for git (choose another name, e.g. stable)`
    : undefined;
}

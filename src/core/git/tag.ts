import type { Git } from './git.js';

/**
 * Points a tag on the remote at a commit with `git push`. Tags (unlike branches) must move backwards and
 * sideways, so the update is forced, but only as a lease on the value just read: a concurrent mover is
 * detected, not overwritten blindly. Only refs/tags/* can ever be pushed this way.
 */
export async function moveTagViaGit(git: Git, remote: string, tag: string, sha: string): Promise<'created' | 'moved' | 'unchanged'> {
  const ref = `refs/tags/${tag}`;
  const listed = await git.run(['ls-remote', '--', remote, ref]);
  const current = listed.stdout.split('\n').find((l) => l.endsWith(`\t${ref}`))?.split('\t')[0];
  if (current === sha) return 'unchanged';
  // A shallow or single-branch checkout may not hold the commit (a restore of an older build): fetch it.
  const has = await git.run(['cat-file', '-e', `${sha}^{commit}`], { allowFail: true });
  if (has.code !== 0) await git.run(['fetch', '--no-tags', '--depth=1', '--', remote, sha]);
  const lease = `--force-with-lease=${ref}:${current ?? ''}`;
  await git.run(['push', '--no-verify', lease, '--', remote, `${sha}:${ref}`]);
  return current ? 'moved' : 'created';
}

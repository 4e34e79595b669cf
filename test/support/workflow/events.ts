/**
 * Webhook payloads built from a real repository, so a run sees what GitHub would send: the head commit's
 * message (skip keywords!), the before/after shas, the branch head for schedule and workflow_dispatch.
 */
import { execFileSync } from 'node:child_process';

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8' }).trim();
}

/** The sha a branch points at in `repo` (a bare repository or a .git directory). */
export function branchHead(repo: string, branch = 'main'): string {
  return git(repo, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`]);
}

/**
 * A `push` payload for `sha` on `branch`: `ref`, `before` (the first parent, or zeros), `after`, and
 * `head_commit` with the commit's full message, author and timestamp, as GitHub sends them.
 */
export function pushPayload(repo: string, sha: string, branch = 'main'): Record<string, unknown> {
  const [id, parents, name, email, date] = git(repo, ['show', '-s', '--format=%H%n%P%n%an%n%ae%n%aI', sha]).split('\n');
  const message = git(repo, ['show', '-s', '--format=%B', sha]);
  const before = parents?.split(' ').filter(Boolean)[0] ?? '0'.repeat(40);
  return {
    ref: `refs/heads/${branch}`,
    before,
    after: id,
    head_commit: { id, message, timestamp: date, author: { name, email } },
  };
}

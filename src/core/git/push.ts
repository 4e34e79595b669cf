/**
 * What `git push --porcelain` said about one ref. Only a lost race is a `rejected` (the caller fetches,
 * re-applies and retries); anything else (protected branch, hook, permissions, network) is an error the
 * caller cannot fix by retrying.
 */
export type PushOutcome = { status: 'ok' } | { status: 'rejected'; reason: string };

// Client-side: the remote tip is not an ancestor of what we push (or we do not even have it).
const CLIENT_RACE = /\[rejected\].*\((non-fast-forward|fetch first|stale info)\)/;
// Server-side: another push updated the ref between our negotiation and our update (ref lock, old-value check,
// receive.denyNonFastForwards).
const SERVER_RACE = /\[remote rejected\].*\((.*(non-fast-forward|failed to update ref|cannot lock ref|incorrect old value|is at [0-9a-f]+ but expected).*)\)/;

export function classifyPush(code: number, stdout: string, stderr: string): PushOutcome | undefined {
  if (code === 0) return { status: 'ok' };
  const text = `${stdout}\n${stderr}`;
  const client = CLIENT_RACE.exec(text);
  if (client) return { status: 'rejected', reason: client[1] ?? 'non-fast-forward' };
  const server = SERVER_RACE.exec(text);
  if (server) return { status: 'rejected', reason: server[1] ?? 'remote rejected' };
  if (/denying non-fast-forward/.test(text)) return { status: 'rejected', reason: 'non-fast-forward' };
  return undefined;
}

/** Refuses anything that could rewrite the remote: a forced refspec or a force option. */
export function assertNoForce(args: readonly string[]): void {
  for (const a of args) {
    if (a.startsWith('+') || /^--force(-with-lease|-if-includes)?(=|$)/.test(a) || (/^-[a-zA-Z]*f/.test(a) && !a.startsWith('--'))) {
      throw new Error(`refusing to force-push (argument ${JSON.stringify(a)}): greenline never rewrites a remote branch`);
    }
  }
}

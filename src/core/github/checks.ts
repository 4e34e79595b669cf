import type { ChecksPort, StatusStates } from '../lastgood/types.js';
import type { GitHub } from './client.js';
import { errorMessage, httpStatus } from './http-error.js';
import type { RepoRef } from './compare.js';

interface RunLike {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  started_at?: string | null;
  completed_at?: string | null;
}

/** The newest run per name: GitHub re-runs add runs with the same name; the latest started wins. */
export function newestPerName(runs: readonly RunLike[]): Map<string, string | null> {
  const newest = new Map<string, RunLike>();
  for (const run of runs) {
    const seen = newest.get(run.name);
    const key = (r: RunLike) => `${r.started_at ?? ''}|${String(r.id).padStart(20, '0')}`;
    if (!seen || key(run) > key(seen)) newest.set(run.name, run);
  }
  const out = new Map<string, string | null>();
  for (const [name, run] of newest) out.set(name, run.status === 'completed' ? run.conclusion : null);
  return out;
}

/** The newest state per context, from combined-status pages (which list the newest status per context). */
export function newestPerContext(statuses: readonly { context: string; state: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of statuses) if (!out.has(s.context)) out.set(s.context, s.state);
  return out;
}

const STATUS_PAGE = 100;

/**
 * What `require-checks` looks at: check runs of a commit (`GET commits/{sha}/check-runs?filter=latest`,
 * paginated; needs `checks: read`) and, only when asked (a required name is not a check run), its combined
 * status (`GET commits/{sha}/status`, paginated; needs `statuses: read`). A 403 on the statuses is an answer,
 * not a crash: `refused`, and the statuses endpoint is not asked again in this run (the token will not change).
 */
export class GitHubChecks implements ChecksPort {
  private readonly github: GitHub;
  private readonly repo: RepoRef;
  private readonly cache = new Map<string, Promise<Map<string, string | null>>>();
  private readonly statusCache = new Map<string, Promise<StatusStates>>();
  private refused: string | undefined;

  constructor(github: GitHub, repo: RepoRef) {
    this.github = github;
    this.repo = repo;
  }

  conclusions(sha: string): Promise<Map<string, string | null>> {
    let p = this.cache.get(sha);
    if (!p) {
      p = this.github
        .paginate(this.github.rest.checks.listForRef, { owner: this.repo.owner, repo: this.repo.repo, ref: sha, filter: 'latest', per_page: 100 })
        .then((runs) => newestPerName(runs as RunLike[]));
      this.cache.set(sha, p);
    }
    return p;
  }

  statuses(sha: string): Promise<StatusStates> {
    if (this.refused !== undefined) return Promise.resolve({ refused: this.refused });
    let p = this.statusCache.get(sha);
    if (!p) {
      p = this.combinedStatus(sha);
      this.statusCache.set(sha, p);
    }
    return p;
  }

  private async combinedStatus(sha: string): Promise<StatusStates> {
    const all: { context: string; state: string }[] = [];
    try {
      for (let page = 1; ; page++) {
        const { data } = await this.github.rest.repos.getCombinedStatusForRef({ owner: this.repo.owner, repo: this.repo.repo, ref: sha, per_page: STATUS_PAGE, page });
        all.push(...data.statuses);
        // total_count is the number of contexts: stop at the last page, whether or not GitHub sends a Link.
        if (data.statuses.length < STATUS_PAGE || all.length >= data.total_count) break;
      }
    } catch (error) {
      // A secondary rate limit is a 403 too, once the throttling plugin gave up on it: that is not a permission.
      if (httpStatus(error) !== 403 || /rate limit/i.test(errorMessage(error))) throw error;
      this.refused = `403 ${errorMessage(error)}: the token lacks statuses: read`;
      return { refused: this.refused };
    }
    return { states: newestPerContext(all) };
  }
}

import type { ChecksPort } from '../lastgood/types.js';
import type { GitHub } from './client.js';
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

/**
 * Check runs of a commit (`GET commits/{sha}/check-runs?filter=latest`, paginated): what `require-checks`
 * looks at. Needs `checks: read`.
 */
export class GitHubChecks implements ChecksPort {
  private readonly github: GitHub;
  private readonly repo: RepoRef;
  private readonly cache = new Map<string, Promise<Map<string, string | null>>>();

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
}

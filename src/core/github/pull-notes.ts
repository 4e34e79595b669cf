import type { AssociatedPull, PullNotePort } from '../lastgood/author-note.js';
import { RepoApi } from './repo-api.js';

/** Pages of comments read at most when looking for greenline's earlier note (100 a page, oldest first). */
const COMMENT_PAGES = 10;

/**
 * The author-note port on the REST API: the pull requests associated with a commit, a pull request's
 * comments (issue comments: a pull request is an issue), and one new comment (`pull-requests: write`).
 */
export class ApiPullNotes extends RepoApi implements PullNotePort {
  async pullsOf(sha: string): Promise<AssociatedPull[]> {
    const { data } = await this.github.rest.repos.listPullRequestsAssociatedWithCommit({ owner: this.owner, repo: this.repo, commit_sha: sha, per_page: 100 });
    return data.map((p) => ({ number: p.number, url: p.html_url, baseRef: p.base.ref, mergedAt: p.merged_at, mergeCommitSha: p.merge_commit_sha }));
  }

  async findComment(number: number, marker: string): Promise<string | undefined> {
    let pages = 0;
    for await (const page of this.github.paginate.iterator(this.github.rest.issues.listComments, { owner: this.owner, repo: this.repo, issue_number: number, per_page: 100 })) {
      const found = page.data.find((c) => (c.body ?? '').includes(marker));
      if (found) return found.html_url;
      if (++pages >= COMMENT_PAGES) break;
    }
    return undefined;
  }

  async comment(number: number, body: string): Promise<{ url: string }> {
    const { data } = await this.github.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: number, body });
    return { url: data.html_url };
  }
}

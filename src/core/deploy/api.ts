import type { GitHub } from '../github/client.js';
import { errorMessage, httpStatus } from '../github/http-error.js';
import { DeployRaceError, type CommitRef } from './plan.js';
import type { DeployBranchPort } from './port.js';

/**
 * The deploy branch through the Git Data API. The update is `PATCH git/refs` with force: false, which GitHub
 * refuses (422 "Update is not a fast forward") unless the new commit descends from the branch's current tip:
 * every commit written here has the tip read before as a parent, so a push in between makes it refuse.
 */
export class ApiDeployPort implements DeployBranchPort {
  readonly describe = 'Git Data API';
  private readonly github: GitHub;
  private readonly repo: { owner: string; repo: string };
  constructor(github: GitHub, repo: { owner: string; repo: string }) {
    this.github = github;
    this.repo = repo;
  }

  async tip(branch: string): Promise<CommitRef | undefined> {
    let sha: string;
    try {
      const { data } = await this.github.rest.git.getRef({ ...this.repo, ref: `heads/${branch}` });
      // The legacy endpoint answers a prefix with a list; only the exact ref counts.
      if (data.ref !== `refs/heads/${branch}`) return undefined;
      sha = data.object.sha;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
    return this.commit(sha);
  }

  async tagExists(name: string): Promise<boolean> {
    try {
      const { data } = await this.github.rest.git.getRef({ ...this.repo, ref: `tags/${name}` });
      return data.ref === `refs/tags/${name}`;
    } catch (error) {
      if (httpStatus(error) === 404) return false;
      throw error;
    }
  }

  async commit(sha: string): Promise<CommitRef> {
    const { data } = await this.github.rest.git.getCommit({ ...this.repo, commit_sha: sha });
    return { sha: data.sha, tree: data.tree.sha };
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const { data } = await this.github.rest.repos.compareCommitsWithBasehead({ ...this.repo, basehead: `${ancestor}...${descendant}`, per_page: 1 });
    return data.status === 'ahead' || data.status === 'identical';
  }

  async createCommit(tree: string, parents: readonly string[], message: string): Promise<string> {
    // No author or committer: GitHub writes it as the token's identity and signs it.
    const { data } = await this.github.rest.git.createCommit({ ...this.repo, tree, parents: [...parents], message });
    return data.sha;
  }

  async update(branch: string, sha: string, expected: string | undefined): Promise<void> {
    try {
      if (expected === undefined) await this.github.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha });
      else await this.github.rest.git.updateRef({ ...this.repo, ref: `heads/${branch}`, sha, force: false });
    } catch (error) {
      const message = errorMessage(error);
      if (httpStatus(error) === 422 && /not a fast forward|already exists/i.test(message)) {
        throw new DeployRaceError(`${branch} was ${expected ? 'moved' : 'created'} by someone else since it was read (GitHub: ${message}); nothing overwritten`);
      }
      throw error;
    }
  }
}

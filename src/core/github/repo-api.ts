import type { GitHub } from './client.js';

/** A port on the REST API of one repository: the client, and the owner and name every call names. */
export abstract class RepoApi {
  protected readonly github: GitHub;
  protected readonly owner: string;
  protected readonly repo: string;

  constructor(github: GitHub, repo: { owner: string; repo: string }) {
    this.github = github;
    this.owner = repo.owner;
    this.repo = repo.repo;
  }
}

import type { GitHub, GitHubOptions } from './client.js';

/**
 * createGitHub behind a dynamic import(): Octokit, its plugins and Bottleneck are a separate chunk of the
 * bundle, loaded on the first path that talks to GitHub. A run that never does (a promotion with
 * ledger-write: none, any run refused for a bad input) does not pay for loading them.
 */
export async function loadGitHub(options: GitHubOptions): Promise<GitHub> {
  const { createGitHub } = await import('./client.js');
  return createGitHub(options);
}

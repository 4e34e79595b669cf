/**
 * The test suite's one GitHub REST API stand-in. Usage:
 *
 *   const standin = await startGitHubStandin({ owner: 'acme', repo: 'app', bareRepoPath, token: 'ghs_test' });
 *   const octokit = getOctokit('ghs_test', { baseUrl: standin.url });   // or GITHUB_API_URL=standin.url
 *   ...
 *   await standin.stop();
 */
import type { FailRule } from './state.js';

export { startGitHubStandin, type GitHubStandin, type StandinOptions } from './server.js';
export type { CheckConclusion, CheckStatus, DelayRule, FailRule, PermissionLevel, RequestLogEntry, WorkflowRunRecord } from './state.js';
export { BOT, WEB_FLOW } from './shapes.js';
export { PROTECTED_FLAG_FILE } from './git-backend.js';
export type * from './types.js';
export { formatViolation, type SchemaViolation } from './violations.js';

/**
 * GitHub's secondary rate limit answer: 403 or 429, the message @octokit/plugin-throttling recognises, and
 * `retry-after` when given (GitHub sometimes omits it: clients must then wait at least a minute). Pass to
 * `failNext({ path, ...secondaryRateLimit(1) })`, `secondaryRateLimit(null, 429)` for a 429 without the header.
 */
export function secondaryRateLimit(retryAfterSeconds: number | null = 1, status: 403 | 429 = 403): Pick<FailRule, 'status' | 'headers' | 'body'> {
  return {
    status,
    headers: { ...(retryAfterSeconds === null ? {} : { 'retry-after': String(retryAfterSeconds) }), 'x-ratelimit-remaining': '4000' },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID STANDIN.',
      documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: String(status),
    },
  };
}

/** GitHub's primary rate limit answer: 403 with `x-ratelimit-remaining: 0` and the reset time. */
export function primaryRateLimit(resetInSeconds = 1): Pick<FailRule, 'status' | 'headers' | 'body'> {
  return {
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + resetInSeconds),
      'x-ratelimit-resource': 'core',
    },
    body: {
      message: 'API rate limit exceeded for installation ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      status: '403',
    },
  };
}

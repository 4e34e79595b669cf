import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { ConfigurationError } from '../action/errors.js';
import { useImmediateYields } from './bottleneck-yield.js';
import type { Logger } from '../action/log.js';

export type GitHub = ReturnType<typeof getOctokit>;

export interface GitHubOptions {
  token: string;
  /** REST base, from GITHUB_API_URL (GHES: https://HOST/api/v3). */
  baseUrl: string;
  log: Logger;
  /** Retries for 5xx/network errors and for rate limits; GitHub's guidance, through the Octokit plugins. */
  retries?: number;
  /**
   * Longest wait for a rate limit to reset, in seconds (default 300). A primary limit resets on the hour
   * (`x-ratelimit-reset`): waiting up to an hour would hold the runner, so a longer wait fails the step at once.
   */
  maxRateLimitWaitSeconds?: number;
  userAgent?: string;
}

/**
 * An Octokit with @octokit/plugin-retry (5xx, resets) and @octokit/plugin-throttling (primary and
 * secondary rate limits honouring retry-after), which is what GitHub's REST guidance asks of integrations.
 */
export function createGitHub(options: GitHubOptions): GitHub {
  // A token with a newline or other control character cannot go into an HTTP header: say so now rather than
  // retrying a request that can never be sent.
  if (!/^[\x21-\x7e]+$/.test(options.token)) {
    throw new ConfigurationError('Input "token": contains characters that cannot be sent in an HTTP header (a space or a newline?)');
  }
  useImmediateYields();
  const retries = options.retries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 300;
  const decide = (kind: string, retryAfter: number, opts: { method: string; url: string }, retryCount: number): boolean => {
    if (retryAfter > maxWait) {
      options.log.warning(`GitHub ${kind} on ${opts.method} ${opts.url}; it resets in ${retryAfter}s, longer than greenline waits (${maxWait}s)`);
      return false;
    }
    options.log.warning(`GitHub ${kind} on ${opts.method} ${opts.url}; retrying in ${retryAfter}s`);
    return retryCount < retries;
  };
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      userAgent: options.userAgent ?? 'greenline',
      // plugin-retry retries 5xx and network errors; a 4xx answer (409 stale sha, 422 not a fast forward)
      // is an answer, not a fault: repeating it would only repeat the answer.
      retry: { retries, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451] },
      throttle: {
        // GitHub asks for ~1 s between mutative requests when making *many* of them, and caps content creation
        // at ~80 per minute. An action run makes a handful (a revert: 3 writes), so writes go out at once from a
        // budget of 10 per 10 s (at most 60 a minute), and notifying ones (issues, comments) 5 per 10 s.
        write: new Bottleneck.Group({ id: 'greenline-write', maxConcurrent: 1, reservoir: 10, reservoirRefreshAmount: 10, reservoirRefreshInterval: 10_000 }),
        notifications: new Bottleneck.Group({ id: 'greenline-notifications', maxConcurrent: 1, reservoir: 5, reservoirRefreshAmount: 5, reservoirRefreshInterval: 10_000 }),
        onRateLimit: (retryAfter: number, opts: { method: string; url: string }, _o: unknown, retryCount: number) =>
          decide('rate limit', retryAfter, opts, retryCount),
        onSecondaryRateLimit: (retryAfter: number, opts: { method: string; url: string }, _o: unknown, retryCount: number) =>
          decide('secondary rate limit', retryAfter, opts, retryCount),
      },
    },
    retry,
    throttling,
  );
}

export { errorMessage, httpStatus } from './http-error.js';

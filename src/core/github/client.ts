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
  /**
   * Milliseconds per second of a `retry-after` (and of plugin-retry's back-off): 1000. Tests shrink it so that
   * GitHub's "wait at least a minute" (a secondary limit without `retry-after`) runs in 60 ms, while what greenline
   * decides and logs stays in GitHub's seconds.
   */
  retryAfterBaseMs?: number;
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
      // 429 too: it is a rate limit, which plugin-throttling waits out as GitHub says (retry-after, or a minute
      // when it is missing); plugin-retry would send it again after 1, 4 and 9 s, inside the limit.
      retry: { retries, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451], retryAfterBaseValue: options.retryAfterBaseMs ?? 1000 },
      throttle: {
        // A secondary limit without retry-after: GitHub asks for at least a minute (the plugin's default, stated).
        fallbackSecondaryRateRetryAfter: 60,
        retryAfterBaseValue: options.retryAfterBaseMs ?? 1000,
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

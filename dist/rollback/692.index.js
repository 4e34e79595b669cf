export const id = 692;
export const ids = [692];
export const modules = {

/***/ 3692:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createGitHub: () => (/* binding */ createGitHub)
});

// UNUSED EXPORTS: errorMessage, httpStatus

// EXTERNAL MODULE: ../../node_modules/@actions/github/lib/github.js + 21 modules
var github = __webpack_require__(1738);
// EXTERNAL MODULE: ../../node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(4491);
// EXTERNAL MODULE: ../../node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(2812);
// EXTERNAL MODULE: ../../node_modules/bottleneck/light.js
var light = __webpack_require__(6503);
// EXTERNAL MODULE: ./src/core/action/errors.js
var errors = __webpack_require__(5225);
;// CONCATENATED MODULE: ./src/core/github/bottleneck-yield.js

/**
 * @octokit/plugin-throttling runs every request through two or three Bottleneck limiters, and Bottleneck's
 * local datastore yields to the event loop with `setTimeout(0)` several times per job: each is at least 1 ms,
 * some 20 ms per request in all (the revert benchmark measured 430 ms with the plugin, 308 ms without, for 6
 * requests). `setImmediate` yields to the event loop just the same, without the timer's minimum delay; a real
 * delay (`t > 0`) still goes through setTimeout. The datastore class is not exported, so its prototype is
 * reached through a limiter's `_store` (bottleneck 2.19.5, pinned in package.json).
 */
function useImmediateYields() {
    const probe = new light();
    const proto = probe._store ? Object.getPrototypeOf(probe._store) : undefined;
    if (!proto || typeof proto.yieldLoop !== 'function' || proto.greenlineFastYield)
        return;
    proto.yieldLoop = function (t = 0) {
        return new this.Promise((resolve) => (t > 0 ? setTimeout(resolve, t) : setImmediate(resolve)));
    };
    proto.greenlineFastYield = true;
}

;// CONCATENATED MODULE: ./src/core/github/client.js






/**
 * An Octokit with @octokit/plugin-retry (5xx, resets) and @octokit/plugin-throttling (primary and
 * secondary rate limits honouring retry-after), which is what GitHub's REST guidance asks of integrations.
 */
function createGitHub(options) {
    // A token with a newline or other control character cannot go into an HTTP header: say so now rather than
    // retrying a request that can never be sent.
    if (!/^[\x21-\x7e]+$/.test(options.token)) {
        throw new errors/* ConfigurationError */.j1('Input "token": contains characters that cannot be sent in an HTTP header (a space or a newline?)');
    }
    useImmediateYields();
    const retries = options.retries ?? 3;
    const maxWait = options.maxRateLimitWaitSeconds ?? 300;
    const decide = (kind, retryAfter, opts, retryCount) => {
        if (retryAfter > maxWait) {
            options.log.warning(`GitHub ${kind} on ${opts.method} ${opts.url}; it resets in ${retryAfter}s, longer than greenline waits (${maxWait}s)`);
            return false;
        }
        options.log.warning(`GitHub ${kind} on ${opts.method} ${opts.url}; retrying in ${retryAfter}s`);
        return retryCount < retries;
    };
    return (0,github/* getOctokit */.Q)(options.token, {
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
            write: new light.Group({ id: 'greenline-write', maxConcurrent: 1, reservoir: 10, reservoirRefreshAmount: 10, reservoirRefreshInterval: 10_000 }),
            notifications: new light.Group({ id: 'greenline-notifications', maxConcurrent: 1, reservoir: 5, reservoirRefreshAmount: 5, reservoirRefreshInterval: 10_000 }),
            onRateLimit: (retryAfter, opts, _o, retryCount) => decide('rate limit', retryAfter, opts, retryCount),
            onSecondaryRateLimit: (retryAfter, opts, _o, retryCount) => decide('secondary rate limit', retryAfter, opts, retryCount),
        },
    }, dist_bundle/* retry */.L, plugin_throttling_dist_bundle/* throttling */.A);
}



/***/ })

};

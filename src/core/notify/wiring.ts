import type { SendDeps } from './send.js';

/** The real ports of the sender: the runtime's fetch, a timer, the clock. */
export function webhookSendDeps(): SendDeps {
  return {
    fetch: (url, init) => fetch(url, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

import { cap, oneLineText } from './escape.js';

/** The part of `fetch` the sender uses: tests and the glue pass the real one. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; redirect: 'manual'; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface SendOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The longest wait between two attempts, Retry-After included: a server asking for more is not retried. */
  maxWaitMs: number;
  /** Each attempt gives up after this long. */
  timeoutMs: number;
  /** Wait before the second attempt when the server gives no Retry-After; doubled each time. */
  backoffMs: number;
}

export const SEND_DEFAULTS: SendOptions = { maxAttempts: 3, maxWaitMs: 60_000, timeoutMs: 15_000, backoffMs: 1_000 };

export interface SendDeps {
  fetch: FetchLike;
  sleep: (ms: number) => Promise<void>;
  /** For Retry-After given as an HTTP date. */
  now: () => number;
}

export interface SendResult {
  ok: boolean;
  attempts: number;
  /** The last HTTP status, when there was an answer. */
  status?: number;
  /** Why it failed, one line (never the URL). */
  error?: string;
}

/**
 * POSTs a JSON body to the webhook. 2xx is delivered; 429 and 5xx (but 501 and 505, which will not change)
 * and network errors or timeouts are retried, waiting as long as Retry-After says (seconds or an HTTP date)
 * or else 1 s, 2 s…; any other answer (a 3xx: redirects are not followed, a 4xx: a bad URL, a revoked
 * webhook, an archived channel) fails at once. Error texts quote the service's answer (untrusted, capped)
 * but never the URL.
 */
export async function sendWebhook(url: string, body: unknown, deps: SendDeps, options: SendOptions = SEND_DEFAULTS): Promise<SendResult> {
  const payload = JSON.stringify(body);
  let last: SendResult = { ok: false, attempts: 0, error: 'not sent' };
  for (let attempt = 1; attempt <= options.maxAttempts; attempt += 1) {
    let retryAfterMs: number | undefined;
    try {
      const res = await deps.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'greenline' },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await res.text().catch(() => '');
      if (res.status >= 200 && res.status < 300) return { ok: true, attempts: attempt, status: res.status };
      const answer = oneLineText(text) ? `: ${cap(oneLineText(text), 200)}` : '';
      last = { ok: false, attempts: attempt, status: res.status, error: `HTTP ${res.status}${answer}` };
      if (!retryable(res.status)) {
        if (res.status >= 300 && res.status < 400) last.error = `HTTP ${res.status} (a redirect, not followed: give the webhook's final URL)`;
        return last;
      }
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), deps.now());
    } catch (error) {
      last = { ok: false, attempts: attempt, error: describeFetchError(error, options.timeoutMs) };
    }
    if (attempt === options.maxAttempts) break;
    const wait = retryAfterMs ?? options.backoffMs * 2 ** (attempt - 1);
    if (wait > options.maxWaitMs) {
      last.error = `${last.error}; asked to retry after ${Math.ceil(wait / 1000)} s, more than the ${Math.round(options.maxWaitMs / 1000)} s greenline waits`;
      return last;
    }
    await deps.sleep(wait);
  }
  last.error = `${last.error} (after ${last.attempts} attempts)`;
  return last;
}

function retryable(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return oneLineText(`${e?.message ?? String(error)}${cause ? ` (${cause})` : ''}`);
}

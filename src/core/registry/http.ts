/** One HTTP exchange, fully read: retries need the whole answer (a reset can happen mid-body). */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: Buffer;
  /** Where the answer came from: the request's URL, or where redirects led (a CDN serving manifests). */
  url: string;
}

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  timeoutMs: number;
}

/**
 * Sends one request with global fetch (undici). The timeout covers the whole exchange, body included,
 * so a registry that stalls mid-answer is treated like a reset and retried.
 */
export async function exchange(req: RawRequest): Promise<RawResponse> {
  const signal = AbortSignal.timeout(req.timeoutMs);
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal,
    // fetch drops Authorization when a redirect leaves the origin (Fetch spec, "HTTP-redirect fetch"; measured with Node 24),
    // so a registry that sends manifests from storage or a CDN never hands that host our credentials.
    redirect: 'follow',
  });
  const body = req.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer());
  return { status: res.status, statusText: res.statusText, headers: res.headers, body, url: res.url || req.url };
}

/** Error codes worth another try: the connection broke or timed out, the peer may come back. */
const TRANSIENT = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function isTransientNetworkError(error: unknown): boolean {
  if (isTimeout(error)) return true;
  const code = errorCode(error);
  if (code) return TRANSIENT.has(code);
  // undici reports a connection closed mid-body as TypeError("terminated") with a SocketError cause.
  return error instanceof TypeError && /terminated|fetch failed|other side closed/i.test(error.message);
}

/** A short human reason: `connect ECONNREFUSED 127.0.0.1:1`, `timed out after 30000 ms`, `getaddrinfo ENOTFOUND x`. */
export function networkReason(error: unknown, timeoutMs?: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs ?? '?'} ms`;
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e; depth++) {
    const cause = (e as { cause?: unknown }).cause;
    if (!cause) break;
    e = cause;
  }
  if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
  const msg = e instanceof Error ? e.message : String(e);
  const code = errorCode(error);
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || (error.name === 'AbortError' && /timeout/i.test(error.message)));
}

function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (e instanceof AggregateError && e.errors.length > 0) {
      e = e.errors[0];
      continue;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

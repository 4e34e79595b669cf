import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import { decodeText, decoderFor } from './body-decode.js';
import { formatDuration } from '../util/duration.js';

/** A network fault, by kind. Each is an ERROR, never a FAIL: the service did not answer at all. */
export type NetCode = 'dns' | 'refused' | 'reset' | 'tls' | 'timeout' | 'unreachable' | 'protocol' | 'aborted' | 'network' | 'bad-url';

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  /** Sent to the first URL's origin only: a redirect to another origin drops them (as browsers drop Authorization). */
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, redirects and body included. */
  timeoutMs: number;
  followRedirects: boolean;
  maxRedirects?: number;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string[];
  signal?: AbortSignal;
  maxBodyBytes?: number;
  /**
   * Send a POST again as a POST after a 301 or 302 (curl's --post301 --post302). Browsers turn it into a
   * GET without a body, which for an API whose parameters are the body (a long PromQL query) loses the request.
   */
  keepPostOnRedirect?: boolean;
}

interface Common {
  latencyMs: number;
  /** The URL that answered last, without credentials. */
  finalUrl: string;
  /** Every Location followed, without credentials. */
  redirects: string[];
}

export interface HttpResponse extends Common {
  kind: 'response';
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body was longer than maxBodyBytes; only its beginning was read. */
  truncated: boolean;
  /** Still a redirect after maxRedirects hops. */
  tooManyRedirects?: boolean;
  /** The body could not be decoded as its Content-Encoding says (the body rules then FAIL with bad-encoding). */
  bodyError?: string;
}

export interface HttpFault extends Common {
  kind: 'error';
  code: NetCode;
  message: string;
  /** The Node or OpenSSL error code, e.g. ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT. */
  detail?: string;
  /** Retrying will not help (an untrusted or mismatched certificate). */
  permanent: boolean;
}

export type HttpOutcome = HttpResponse | HttpFault;

export const DEFAULT_MAX_BODY = 1024 * 1024;
export const USER_AGENT = 'greenline-health-gate/1 (+https://github.com/greenline)';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The URL as it may be shown: no user name or password. */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * One HTTP exchange with node:http(s): a fresh connection each time (no keep-alive, so every attempt measures
 * DNS, connect and TLS as a user would see them), an overall timeout, manual redirects, a capped body, and
 * faults classified by kind. Never throws.
 */
export async function httpRequest(req: HttpRequest): Promise<HttpOutcome> {
  const started = performance.now();
  const endAt = started + req.timeoutMs;
  const redirects: string[] = [];
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(req.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    return { kind: 'error', code: 'bad-url', message: 'not an http(s) URL', permanent: true, latencyMs: 0, finalUrl: displayUrl(req.url), redirects };
  }
  const firstOrigin = url.origin;
  let method = req.method ?? 'GET';
  let body = req.body;
  const max = req.maxRedirects ?? 10;
  for (;;) {
    const sameOrigin = url.origin === firstOrigin;
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: '*/*',
      'cache-control': 'no-cache',
      ...(sameOrigin ? lowerKeys(req.headers ?? {}) : {}),
    };
    if (body !== undefined) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const hop = await oneHop(url, {
      method,
      headers,
      body,
      timeoutMs: Math.max(1, endAt - performance.now()),
      totalTimeoutMs: req.timeoutMs,
      ca: req.ca,
      signal: req.signal,
      maxBodyBytes: req.maxBodyBytes ?? DEFAULT_MAX_BODY,
    });
    const common = { latencyMs: elapsed(), finalUrl: displayUrl(url), redirects };
    if (hop.kind === 'error') return { ...hop, ...common };
    const location = hop.headers.location;
    if (req.followRedirects && REDIRECTS.has(hop.status) && location) {
      let next: URL | undefined;
      try {
        next = new URL(location, url);
      } catch {
        next = undefined;
      }
      if (next && (next.protocol === 'http:' || next.protocol === 'https:')) {
        if (redirects.length >= max) return { ...hop, ...common, tooManyRedirects: true };
        redirects.push(displayUrl(next));
        if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === 'POST' && !req.keepPostOnRedirect)) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
    }
    return { ...hop, ...common };
  }
}

type Hop = Omit<HttpResponse, keyof Common> | Omit<HttpFault, keyof Common>;

interface HopOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  totalTimeoutMs: number;
  ca?: string[];
  signal?: AbortSignal;
  maxBodyBytes: number;
}

class Kill extends Error {
  readonly code: 'timeout' | 'aborted';
  constructor(code: 'timeout' | 'aborted', message: string) {
    super(message);
    this.code = code;
  }
}

function oneHop(url: URL, o: HopOptions): Promise<Hop> {
  return new Promise<Hop>((resolve) => {
    let settled = false;
    let killed: Kill | undefined;
    // The request, once made: the timer and the abort signal destroy it.
    const current: { req?: http.ClientRequest } = {};
    const kill = (k: Kill) => {
      killed = k;
      current.req?.destroy(k);
    };
    const timer = setTimeout(() => kill(new Kill('timeout', `no complete answer within ${formatDuration(o.totalTimeoutMs)}`)), o.timeoutMs);
    const finish = (hop: Hop) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(hop);
    };
    const fail = (error: unknown) => finish(classify(killed ?? error));
    const isHttps = url.protocol === 'https:';
    const options: https.RequestOptions = { method: o.method, headers: o.headers, agent: false };
    if (isHttps && o.ca?.length) options.ca = [...rootCertificates, ...o.ca];
    let request: http.ClientRequest;
    try {
      request = (isHttps ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        let bodyError: string | undefined;
        const encoding = String(res.headers['content-encoding'] ?? '');
        const decoder = decoderFor(encoding);
        const done = () =>
          finish({
            kind: 'response',
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: decodeText(Buffer.concat(chunks), res.headers['content-type']),
            truncated,
            ...(bodyError ? { bodyError } : {}),
          });
        // The cap applies to the decoded body: a small gzip can hold gigabytes of spaces.
        const take = (chunk: Buffer) => {
          if (truncated) return;
          const room = o.maxBodyBytes - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += chunk.length;
          if (size >= o.maxBodyBytes) {
            truncated = true;
            done();
            decoder?.destroy();
            request.destroy();
          }
        };
        if (decoder) {
          let raw = 0;
          res.on('data', (chunk: Buffer) => {
            raw += chunk.length;
            if (!truncated) decoder.write(chunk);
          });
          decoder.on('data', take);
          decoder.on('end', done);
          decoder.on('error', (error: Error) => {
            // An empty body (204, or a HEAD-like answer) labelled gzip is just empty; anything else is a
            // service that sent what its header does not say: a body problem (FAIL), not a network fault.
            if (raw > 0 && size === 0) bodyError = `the body is not valid ${encoding} (Content-Encoding): ${error.message}`;
            done();
          });
          res.on('end', () => decoder.end());
        } else {
          res.on('data', take);
          res.on('end', done);
        }
        res.on('error', fail);
        res.on('close', () => {
          if (!settled && !res.complete) fail(killed ?? Object.assign(new Error('the connection closed before the body ended'), { code: 'ECONNRESET' }));
        });
      });
    } catch (error) {
      finish(classify(error));
      return;
    }
    current.req = request;
    request.on('error', fail);
    request.on('close', () => {
      if (!settled && killed) fail(killed);
    });
    function onAbort() {
      kill(new Kill('aborted', 'stopped: the gate reached its deadline'));
    }
    if (o.signal?.aborted) {
      onAbort();
    } else {
      o.signal?.addEventListener('abort', onAbort, { once: true });
    }
    if (o.body !== undefined) request.write(o.body);
    request.end();
  });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Turns a Node error into a fault kind and a message a person can act on. */
export function classify(error: unknown): Omit<HttpFault, keyof Common> {
  if (error instanceof Kill) return { kind: 'error', code: error.code, message: error.message, permanent: false };
  const e = error as NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number };
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = e?.message ?? String(error);
  const fault = (kind: NetCode, message: string, permanent = false) => ({ kind: 'error' as const, code: kind, message, detail: code || undefined, permanent });
  if (TLS_CODES.has(code)) {
    const hint = code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code.startsWith('CERT_') ? '' : '; if you trust this CA, give it in the ca-cert input';
    // Node adds advice about --use-system-ca, which an action's user cannot follow: ca-cert is the way here.
    const plain = msg.replace(/;\s*if the root CA is installed locally.*$/s, '');
    return fault('tls', `TLS: ${plain} (${code})${hint}`, true);
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') return fault('tls', `TLS handshake failed: ${msg}${code ? ` (${code})` : ''}`);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return fault('dns', `DNS: could not resolve ${e.hostname ?? 'the host'} (${code})`);
    case 'ECONNREFUSED':
      return fault('refused', `connection refused${e.address ? ` by ${e.address}${e.port ? `:${e.port}` : ''}` : ''} (ECONNREFUSED)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return fault('reset', `connection reset: ${msg} (${code})`);
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return fault('timeout', `timed out: ${msg}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return fault('unreachable', `host unreachable: ${msg} (${code})`);
    case 'ERR_INVALID_URL':
      return fault('bad-url', `invalid URL: ${msg}`, true);
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return fault('network', `request refused by Node: ${msg}`, true);
  }
  if (code.startsWith('HPE_')) return fault('protocol', `not a valid HTTP answer: ${msg} (${code})`);
  return fault('network', `${msg}${code ? ` (${code})` : ''}`);
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

import { parseNumber } from './condition.js';
import { displayUrl, httpRequest } from './http-client.js';
import type { Sample } from './types.js';

export interface PrometheusClient {
  /** Base URL, e.g. http://prometheus:9090 or https://host/api/prom (the part before /api/v1). */
  url: string;
  headers: Record<string, string>;
  ca?: string[];
}

export type QueryResult =
  | { ok: true; samples: Sample[]; resultType: 'vector' | 'scalar'; warnings: string[]; latencyMs: number; endpoint: string }
  | {
      ok: false;
      /** A network fault kind (refused, timeout, tls…), `query-error` (the API's errorType), `not-prometheus`, or `unsupported-result`. */
      reason: string;
      message: string;
      errorType?: string;
      permanent: boolean;
      latencyMs: number;
      endpoint: string;
    };

/** Long queries go as a form POST (Prometheus accepts both); short ones as GET, which every proxy passes. */
const MAX_GET_URL = 4000;

export function queryEndpoint(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v1/query`;
}

/**
 * One instant query through the HTTP API (`/api/v1/query`). Success gives the samples of a vector or a scalar,
 * with `NaN`, `+Inf`, `-Inf` parsed; an API error keeps its errorType and message; a matrix or string result is
 * refused (conditions need one number per series).
 */
export async function queryPrometheus(client: PrometheusClient, query: string, timeoutMs: number, signal?: AbortSignal): Promise<QueryResult> {
  const endpoint = queryEndpoint(client.url);
  const shown = displayUrl(endpoint);
  const form = new URLSearchParams({ query }).toString();
  const getUrl = `${endpoint}?${form}`;
  const usePost = getUrl.length > MAX_GET_URL;
  const res = await httpRequest({
    url: usePost ? endpoint : getUrl,
    method: usePost ? 'POST' : 'GET',
    body: usePost ? form : undefined,
    headers: { accept: 'application/json', ...client.headers },
    timeoutMs,
    followRedirects: true,
    // A long query is the POST body: a front that moved Prometheus (301 to https) must not turn it into an empty GET.
    keepPostOnRedirect: true,
    ca: client.ca,
    signal,
    maxBodyBytes: 16 * 1024 * 1024,
  });
  const base = { latencyMs: res.latencyMs, endpoint: shown };
  if (res.kind === 'error') return { ok: false, reason: res.code, message: `Prometheus: ${res.message}`, permanent: res.permanent, ...base };
  let json: ApiResponse;
  try {
    json = JSON.parse(res.body) as ApiResponse;
    if (!json || typeof json !== 'object' || (json.status !== 'success' && json.status !== 'error')) throw new Error('shape');
  } catch {
    const excerpt = res.body.replace(/\s+/g, ' ').trim().slice(0, 120);
    return {
      ok: false,
      reason: 'not-prometheus',
      message: `HTTP ${res.status} from ${shown} is not a Prometheus API answer${excerpt ? `: ${excerpt}` : ''}`,
      permanent: false,
      ...base,
    };
  }
  if (json.status === 'error') {
    const errorType = String(json.errorType ?? 'unknown');
    return {
      ok: false,
      reason: 'query-error',
      errorType,
      message: `Prometheus answered HTTP ${res.status} ${errorType}: ${String(json.error ?? '')}`,
      // bad_data is the query itself (a syntax error, a bad parameter): asking again gives the same answer.
      permanent: errorType === 'bad_data',
      ...base,
    };
  }
  const warnings = Array.isArray(json.warnings) ? json.warnings.map(String) : [];
  const data = json.data;
  if (data?.resultType === 'vector' && Array.isArray(data.result)) {
    const samples: Sample[] = [];
    for (const item of data.result as { metric?: Record<string, string>; value?: [number, string] }[]) {
      const v = parseNumber(String(item?.value?.[1] ?? ''));
      if (v === undefined) return { ok: false, reason: 'not-prometheus', message: `unreadable sample value ${JSON.stringify(item?.value?.[1])}`, permanent: false, ...base };
      samples.push({ labels: item.metric ?? {}, value: v });
    }
    return { ok: true, samples, resultType: 'vector', warnings, ...base };
  }
  if (data?.resultType === 'scalar' && Array.isArray(data.result)) {
    const v = parseNumber(String((data.result as unknown[])[1] ?? ''));
    if (v === undefined) return { ok: false, reason: 'not-prometheus', message: 'unreadable scalar value', permanent: false, ...base };
    return { ok: true, samples: [{ labels: {}, value: v }], resultType: 'scalar', warnings, ...base };
  }
  const type = String(data?.resultType ?? 'unknown');
  return {
    ok: false,
    reason: 'unsupported-result',
    message:
      type === 'matrix'
        ? 'the query returns a range vector (matrix); conditions need an instant vector, e.g. rate(x[5m]) rather than x[5m]'
        : `the query returns a ${type}; conditions need an instant vector or a scalar`,
    permanent: true,
    ...base,
  };
}

interface ApiResponse {
  status?: string;
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
  warnings?: unknown[];
}

/**
 * Whether a Prometheus answers at all: `vector(1)` must come back as one sample equal to 1. A proxy's HTML
 * page, a refused connection or an auth error all make every Prometheus check ERROR (never FAIL).
 */
export async function probePrometheus(client: PrometheusClient, timeoutMs: number, signal?: AbortSignal, attempts = 3): Promise<{ ok: true } | { ok: false; message: string; reason: string }> {
  // One dropped connection must not turn every Prometheus check into ERROR (and a critical one into a
  // rollback): a transient failure is asked again, briefly, before Prometheus counts as down.
  let r = await queryPrometheus(client, 'vector(1)', timeoutMs, signal);
  for (let attempt = 1; attempt < attempts && !r.ok && !r.permanent && !signal?.aborted; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    r = await queryPrometheus(client, 'vector(1)', timeoutMs, signal);
  }
  if (!r.ok) return { ok: false, reason: r.reason, message: `Prometheus at ${displayUrl(client.url)} did not answer vector(1): ${r.message}` };
  if (r.samples.length !== 1 || r.samples[0]!.value !== 1) {
    return { ok: false, reason: 'not-prometheus', message: `Prometheus at ${displayUrl(client.url)} answered vector(1) with ${r.samples.length} samples, not one sample of 1` };
  }
  return { ok: true };
}

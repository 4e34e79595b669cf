import { judge } from './aggregate.js';
import { parseNumber } from './condition.js';
import type { HttpOutcome } from './http-client.js';
import { jsonText, readJsonPath } from './json-path.js';
import { statusMatches } from './status-set.js';
import type { BodyRule, HttpCheck, Outcome } from './types.js';
import { formatDuration } from '../util/duration.js';

export interface HttpEvaluation {
  outcome: Outcome;
  reason: string;
  message: string;
  status?: number;
  value?: number | string;
  warnings: string[];
  permanent?: boolean;
}

/**
 * Judges one HTTP exchange: a network fault is ERROR; a wrong status, a too-slow answer (latency-limit) or a
 * body that does not say what it should is FAIL; over max-latency still passes, with a warning.
 */
export function evaluateHttp(check: HttpCheck, res: HttpOutcome): HttpEvaluation {
  if (res.kind === 'error') {
    return { outcome: 'ERROR', reason: res.code, message: res.message, warnings: [], permanent: res.permanent };
  }
  const status = res.status;
  const base: { status: number; value: number | string; warnings: string[] } = { status, value: status, warnings: [] };
  const took = `${Math.round(res.latencyMs)} ms`;
  if (res.tooManyRedirects) {
    return { ...base, outcome: 'FAIL', reason: 'too-many-redirects', message: `still redirecting after ${res.redirects.length} hops (last: ${res.finalUrl})` };
  }
  if (!statusMatches(check.expectStatus, status)) {
    const loc = typeof res.headers.location === 'string' ? res.headers.location : undefined;
    const redirectNote = loc && status >= 300 && status < 400 ? `, redirects to ${loc}${check.followRedirects ? '' : ' (follow-redirects: false)'}` : '';
    return { ...base, outcome: 'FAIL', reason: 'unexpected-status', message: `HTTP ${status}, expected ${check.expectStatus.text}${redirectNote}` };
  }
  if (check.latencyLimitMs !== undefined && res.latencyMs > check.latencyLimitMs) {
    return { ...base, outcome: 'FAIL', reason: 'too-slow', message: `answered in ${took}, over the ${formatDuration(check.latencyLimitMs)} limit` };
  }
  let bodyNote = '';
  if (check.body && res.bodyError) {
    return { ...base, outcome: 'FAIL', reason: 'bad-encoding', message: res.bodyError };
  }
  if (check.body) {
    const b = evaluateBody(check.body, res.body, res.truncated);
    if (b.outcome !== 'PASS') return { ...base, ...b, value: b.value ?? status, warnings: [] };
    if (b.value !== undefined) base.value = b.value;
    bodyNote = `; ${b.message}`;
  }
  if (check.maxLatencyMs !== undefined && res.latencyMs > check.maxLatencyMs) {
    const warning = `${check.name}: answered in ${took}, over max-latency ${formatDuration(check.maxLatencyMs)}`;
    return { ...base, outcome: 'PASS', reason: 'slow', message: `HTTP ${status} in ${took}, over max-latency ${formatDuration(check.maxLatencyMs)}${bodyNote}`, warnings: [warning] };
  }
  return { ...base, outcome: 'PASS', reason: 'ok', message: `HTTP ${status} in ${took}${res.redirects.length ? ` after ${res.redirects.length} redirect(s)` : ''}${bodyNote}` };
}

const HEALTHY_STATUS = new Set(['healthy', 'ok', 'up', 'pass']);
/** Top-level JSON keys whose boolean value is the verdict. */
const HEALTHY_FLAGS = new Set(['status', 'healthy', 'ok', 'up']);

export function evaluateBody(rule: BodyRule, body: string, truncated = false): { outcome: Outcome; reason: string; message: string; value?: number | string } {
  const partial = truncated ? ' (in the first 1 MiB read)' : '';
  switch (rule.kind) {
    case 'contains':
      return body.includes(rule.text)
        ? { outcome: 'PASS', reason: 'ok', message: 'body contains the text' }
        : { outcome: 'FAIL', reason: 'body-mismatch', message: `body does not contain ${JSON.stringify(rule.text)}${partial}` };
    case 'regex':
      return rule.regex.test(body)
        ? { outcome: 'PASS', reason: 'ok', message: 'body matches the pattern' }
        : { outcome: 'FAIL', reason: 'body-mismatch', message: `body does not match /${rule.source}/${partial}` };
    case 'non-empty':
      return body.trim() !== '' ? { outcome: 'PASS', reason: 'ok', message: `${body.length} bytes of content` } : { outcome: 'FAIL', reason: 'empty-body', message: 'the body is empty' };
    case 'healthy':
      return healthyBody(body);
    case 'json': {
      let doc: unknown;
      try {
        doc = JSON.parse(body);
      } catch {
        return { outcome: 'FAIL', reason: 'not-json', message: `body is not JSON${truncated ? ' (longer than 1 MiB)' : ''}: ${excerpt(body)}` };
      }
      const found = readJsonPath(doc, rule.path);
      if (!found.found) return { outcome: 'FAIL', reason: 'json-path-missing', message: `${rule.path.text} is not in the body` };
      const text = jsonText(found.value);
      const shown = typeof found.value === 'number' ? found.value : text.slice(0, 80);
      if (rule.equals !== undefined) {
        return text === rule.equals
          ? { outcome: 'PASS', reason: 'ok', message: `${rule.path.text} is ${JSON.stringify(rule.equals)}`, value: shown }
          : { outcome: 'FAIL', reason: 'json-mismatch', message: `${rule.path.text} is ${excerpt(text)}, expected ${JSON.stringify(rule.equals)}`, value: shown };
      }
      if (rule.oneOf !== undefined) {
        return rule.oneOf.includes(text)
          ? { outcome: 'PASS', reason: 'ok', message: `${rule.path.text} is ${JSON.stringify(text)}`, value: shown }
          : { outcome: 'FAIL', reason: 'json-mismatch', message: `${rule.path.text} is ${excerpt(text)}, expected one of ${rule.oneOf.map((v) => JSON.stringify(v)).join(', ')}`, value: shown };
      }
      if (rule.success || rule.fail) {
        const n = typeof found.value === 'number' ? found.value : typeof found.value === 'string' ? parseNumber(found.value) : undefined;
        if (n === undefined) return { outcome: 'FAIL', reason: 'json-mismatch', message: `${rule.path.text} is ${excerpt(text)}, not a number`, value: shown };
        const j = judge({ success: rule.success, fail: rule.fail }, n);
        return { outcome: j.outcome, reason: j.reason, message: `${rule.path.text}: ${j.message}`, value: j.value };
      }
      return { outcome: 'PASS', reason: 'ok', message: `${rule.path.text} is present`, value: shown };
    }
  }
}

/**
 * The built-in /health rule: a JSON object's `status` must be healthy, ok, up or pass (any case), or its
 * boolean `status` / `healthy` / `ok` / `up` true; any other body must contain the word healthy or ok
 * ("unhealthy" does not count).
 */
export function healthyBody(body: string): { outcome: Outcome; reason: string; message: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    doc = undefined;
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const key = Object.keys(doc).find((k) => k.toLowerCase() === 'status');
    const status = key === undefined ? undefined : (doc as Record<string, unknown>)[key];
    if (typeof status === 'string') {
      return HEALTHY_STATUS.has(status.trim().toLowerCase())
        ? { outcome: 'PASS', reason: 'ok', message: `status is ${JSON.stringify(status)}` }
        : { outcome: 'FAIL', reason: 'not-healthy', message: `status is ${JSON.stringify(status.slice(0, 60))}, not healthy, ok, up or pass` };
    }
    // {"healthy": false} or {"ok": false} says it outright, yet contains the word the text rule below looks for.
    const flags = Object.entries(doc).filter(([k, v]) => HEALTHY_FLAGS.has(k.toLowerCase()) && typeof v === 'boolean');
    if (flags.length > 0) {
      const off = flags.find(([, v]) => v === false);
      return off
        ? { outcome: 'FAIL', reason: 'not-healthy', message: `${off[0]} is false` }
        : { outcome: 'PASS', reason: 'ok', message: `${flags[0]![0]} is true` };
    }
  }
  if (/\b(healthy|ok)\b/i.test(body)) return { outcome: 'PASS', reason: 'ok', message: 'the body says healthy or ok' };
  return { outcome: 'FAIL', reason: 'not-healthy', message: body.trim() === '' ? 'the body is empty' : `the body says neither healthy nor ok: ${excerpt(body)}` };
}

function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(t.length > 80 ? `${t.slice(0, 79)}…` : t);
}

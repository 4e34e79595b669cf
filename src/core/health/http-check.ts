import { judge } from './aggregate.js';
import { parseNumber } from './condition.js';
import type { HttpOutcome } from './http-client.js';
import { readHealthAnswer } from './health-body.js';
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
    // Slowness caps the gate at DEGRADED when it only passes over max-latency; failing the hard limit must
    // weigh at least as much, so the failure carries the same warning (worse never scores better).
    const message = `answered in ${took}, over the ${formatDuration(check.latencyLimitMs)} limit`;
    return { ...base, outcome: 'FAIL', reason: 'too-slow', message, warnings: [`${check.name}: ${message}`] };
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
    if (b.warning) base.warnings.push(`${check.name}: ${b.warning}`);
  }
  if (check.maxLatencyMs !== undefined && res.latencyMs > check.maxLatencyMs) {
    const warning = `${check.name}: answered in ${took}, over max-latency ${formatDuration(check.maxLatencyMs)}`;
    return { ...base, outcome: 'PASS', reason: 'slow', message: `HTTP ${status} in ${took}, over max-latency ${formatDuration(check.maxLatencyMs)}${bodyNote}`, warnings: [...base.warnings, warning] };
  }
  return { ...base, outcome: 'PASS', reason: base.warnings.length ? 'degraded' : 'ok', message: `HTTP ${status} in ${took}${res.redirects.length ? ` after ${res.redirects.length} redirect(s)` : ''}${bodyNote}` };
}

export function evaluateBody(
  rule: BodyRule,
  body: string,
  truncated = false,
): { outcome: Outcome; reason: string; message: string; value?: number | string; warning?: string } {
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
      return healthyBody(body, truncated);
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

/** The built-in /health rule (src/core/health/health-body.ts): warn/degraded passes with a warning. */
export function healthyBody(body: string, truncated = false): { outcome: Outcome; reason: string; message: string; warning?: string } {
  const r = readHealthAnswer(body, { truncated });
  if (r.level === 'fail') return { outcome: 'FAIL', reason: r.reason, message: r.message };
  return { outcome: 'PASS', reason: r.reason, message: r.message, ...(r.level === 'warn' ? { warning: r.message } : {}) };
}

function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(t.length > 80 ? `${t.slice(0, 79)}…` : t);
}

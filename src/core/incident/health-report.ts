import { fenced, inline } from './markdown.js';

/**
 * health-gate's `report` output, read liberally: an object with `status`, `score` and `checks` (an array of
 * `{name, critical, verdict, value | status, latency, reason}`, or an object keyed by check name). Other field
 * spellings seen in the wild are accepted (`result`, `latencyMs`, `message`…). Anything else is kept as raw
 * text and shown as a code block, with a warning: an incident must still be reported when the report got
 * mangled on its way here.
 */
export interface HealthCheckRow {
  name: string;
  critical: boolean;
  verdict: string;
  value: string;
  latency: string;
  reason: string;
}

export type HealthView =
  | { kind: 'table'; status?: string; score?: string; checks: HealthCheckRow[]; failing: number; criticalFailing: string[] }
  | { kind: 'raw'; text: string };

export interface ParsedHealthReport {
  view?: HealthView;
  /** Why the report is shown raw; the glue turns it into a warning naming the input. */
  warning?: string;
}

const FAILING = new Set(['fail', 'failed', 'failure', 'error', 'errored', 'unhealthy', 'critical', 'false', 'down', 'timeout', 'timed_out', 'inconclusive']);
export const MAX_CHECK_ROWS = 100;

export function parseHealthReport(text: string): ParsedHealthReport {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch (error) {
    return { view: { kind: 'raw', text: trimmed }, warning: `is not valid JSON (${(error as Error).message}); shown as a code block` };
  }
  if (!isObject(data) || (typeof data.status !== 'string' && !Array.isArray(data.checks) && !isObject(data.checks))) {
    return {
      view: { kind: 'raw', text: JSON.stringify(data, null, 2) ?? trimmed },
      warning: 'is not a health-gate report (no "status" or "checks"); shown as a code block',
    };
  }
  const checks = readChecks(data.checks);
  const status = scalar(data.status);
  const score = scalar(data.score);
  const failingRows = checks.filter((c) => FAILING.has(c.verdict.toLowerCase()));
  return {
    view: {
      kind: 'table',
      ...(status ? { status } : {}),
      ...(score ? { score } : {}),
      checks,
      failing: failingRows.length,
      criticalFailing: failingRows.filter((c) => c.critical).map((c) => c.name),
    },
  };
}

function readChecks(raw: unknown): HealthCheckRow[] {
  const items: Array<[string | undefined, unknown]> = Array.isArray(raw)
    ? raw.map((v) => [undefined, v])
    : isObject(raw)
      ? Object.entries(raw)
      : [];
  return items.map(([key, item], i) => {
    if (!isObject(item)) return { name: key ?? `#${i + 1}`, critical: false, verdict: scalar(item), value: '', latency: '', reason: '' };
    const passed = pick(item, ['passed', 'ok', 'healthy', 'success']);
    const verdict =
      scalar(pick(item, ['verdict', 'result', 'phase', 'outcome', 'state', 'conclusion'])) ||
      (typeof passed === 'boolean' ? (passed ? 'pass' : 'fail') : '');
    const latency = pick(item, ['latency', 'latencyMs', 'latency_ms', 'durationMs', 'duration_ms', 'elapsedMs', 'elapsed_ms', 'duration', 'time']);
    return {
      name: scalar(pick(item, ['name', 'id', 'check', 'title'])) || key || `#${i + 1}`,
      critical: truthy(pick(item, ['critical', 'isCritical', 'required'])),
      verdict,
      value: scalar(pick(item, ['value', 'observed', 'measured', 'status', 'statusCode', 'status_code', 'code'])),
      latency: typeof latency === 'number' && Number.isFinite(latency) ? `${Math.round(latency * 10) / 10} ms` : scalar(latency),
      reason: scalar(pick(item, ['reason', 'message', 'error', 'detail', 'details', 'description'])),
    };
  });
}

/** The status the incident records for a run: the report's status, upper-cased and tamed. */
export function reportStatus(view: HealthView | undefined): string | undefined {
  if (view?.kind !== 'table' || !view.status) return undefined;
  const s = view.status.toUpperCase().replace(/[^A-Z0-9 _-]/g, '').trim().slice(0, 32);
  return s || undefined;
}

/** The section's markdown, at most `max` characters (rows dropped from the end, then the raw text cut). */
export function renderHealthReport(view: HealthView, max: number): string {
  if (view.kind === 'raw') return fenced(view.text, Math.max(200, max - 40), 'text');
  const head: string[] = [];
  if (view.status) head.push(`**Status:** ${inline(view.status, 40)}`);
  if (view.score) head.push(`**Score:** ${inline(view.score, 40)}`);
  if (view.checks.length) {
    head.push(`**Checks:** ${view.checks.length}, failing ${view.failing}`);
    if (view.criticalFailing.length) head.push(`**Critical failing:** ${inline(view.criticalFailing.join(', '), 200)}`);
  }
  const lines = [head.join(' · ')];
  if (view.checks.length) {
    lines.push('', '| Check | Critical | Verdict | Value | Latency | Reason |', '| --- | --- | --- | --- | --- | --- |');
    let used = lines.join('\n').length;
    let shown = 0;
    for (const c of view.checks.slice(0, MAX_CHECK_ROWS)) {
      const row = `| ${inline(c.name, 80)} | ${c.critical ? 'yes' : ''} | ${inline(c.verdict, 40)} | ${inline(c.value, 80)} | ${inline(c.latency, 30)} | ${inline(c.reason, 300)} |`;
      if (used + row.length + 80 > max) break;
      lines.push(row);
      used += row.length + 1;
      shown++;
    }
    if (shown < view.checks.length) lines.push('', `_… ${view.checks.length - shown} more checks not shown._`);
  }
  return lines.join('\n');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick(o: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

function scalar(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === 'yes';
}

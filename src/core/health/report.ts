import type { GateRun } from './gate.js';
import type { Trimmed } from './report-size.js';
import type { FailOn, RollbackOn, Score, Thresholds } from './scoring.js';
import type { CheckResult, HealthStatus } from './types.js';
import { displayNumber } from './condition.js';
import { table } from '../action/summary.js';
import { formatDuration } from '../util/duration.js';

export interface Decision {
  failOn: FailOn;
  rollbackOn: RollbackOn;
  /** The step fails: the status is fail-on or worse. */
  fail: boolean;
  rollback: boolean;
}

export interface HealthReport {
  version: 1;
  status: HealthStatus;
  score: number;
  healthy: boolean;
  rollback: boolean;
  /** Why the status is what it is. */
  reasons: string[];
  counts: { total: number; passed: number; failed: number; errored: number; inconclusive: number; counted: number; ratio: number };
  settings: { passScore: number; marginalScore: number; failOn: FailOn; rollbackOn: RollbackOn; deadlineMs: number };
  startedAt: string;
  durationMs: number;
  deadline: { hit: boolean; waitingFor: string[] };
  prometheus?: { url: string; up: boolean; message?: string };
  checks: CheckResult[];
  /** Present when detail was dropped to keep the output passable as another step's input (report-size.ts). */
  trimmed?: Trimmed;
}

export function buildReport(run: GateRun, score: Score, decision: Decision, t: Thresholds, deadlineMs: number): HealthReport {
  return {
    version: 1,
    status: score.status,
    score: score.score,
    healthy: score.status === 'HEALTHY',
    rollback: decision.rollback,
    reasons: [...score.reasons, ...(run.deadlineHit ? [`deadline ${formatDuration(deadlineMs)} reached while waiting for ${run.waitingFor.join(', ')}`] : [])],
    counts: {
      total: score.total,
      passed: score.passed,
      failed: score.failed,
      errored: score.errored,
      inconclusive: score.inconclusive,
      counted: score.counted,
      ratio: Math.round(score.ratio * 100) / 100,
    },
    settings: { passScore: t.passScore, marginalScore: t.marginalScore, failOn: decision.failOn, rollbackOn: decision.rollbackOn, deadlineMs },
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    deadline: { hit: run.deadlineHit, waitingFor: run.waitingFor },
    ...(run.prometheus ? { prometheus: run.prometheus } : {}),
    checks: run.results,
  };
}

const ICON: Record<HealthStatus, string> = { HEALTHY: '🟢', DEGRADED: '🟡', UNHEALTHY: '🟠', CRITICAL: '🔴' };
const VERDICT_ICON = { PASS: '✅', FAIL: '❌', INCONCLUSIVE: '❔', ERROR: '⚠️' } as const;

/** One line a person reads in five seconds: status, score, why, rollback, and what the step does. */
export function verdictLine(r: HealthReport, decision: Decision): string {
  const c = r.counts;
  const tally =
    r.status === 'CRITICAL'
      ? r.reasons.filter((x) => x.startsWith('critical check')).join('; ')
      : `${c.passed} of ${c.counted} checks passed${c.inconclusive ? `, ${c.inconclusive} inconclusive` : ''}`;
  const deadline = r.deadline.hit ? ` · deadline reached, still waiting for ${r.deadline.waitingFor.join(', ')}` : '';
  const slow = r.checks.some((x) => x.verdict === 'PASS' && x.warnings.length > 0) && r.status !== 'CRITICAL' ? ' · warnings (slow or degraded answers)' : '';
  const step = decision.fail ? `step fails (fail-on: ${decision.failOn})` : `step passes (fail-on: ${decision.failOn})`;
  return `${ICON[r.status]} **health-gate: ${r.status}** · score ${r.score}/100 (${tally})${slow}${deadline} · rollback: ${r.rollback ? '**yes**' : 'no'} · ${step}`;
}

/** The job summary: the verdict line, then one table (check, critical, verdict, value or status code, latency, reason). */
export function renderSummary(r: HealthReport, decision: Decision): string {
  const rows = r.checks.map((c) => [
    c.name,
    c.critical ? (c.criticalOn ? `yes (${c.criticalOn})` : 'yes') : 'no',
    `${VERDICT_ICON[c.verdict]} ${c.verdict}${c.warnings.length && c.verdict === 'PASS' ? (c.reason === 'degraded' ? ' (degraded)' : ' (slow)') : ''}`,
    showValue(c),
    c.latencyMs === undefined ? '—' : `${c.latencyMs} ms`,
    `${c.reason}: ${c.message}`,
  ]);
  // A measuring fault is said once, above the table, in fixed words (Prometheus' own message is untrusted text).
  const prometheus = r.prometheus && !r.prometheus.up ? `\n\n⚠️ Prometheus did not answer vector(1) (a measuring fault: its checks are left out of the score; their errors are in the table)` : '';
  return `${verdictLine(r, decision)}${prometheus}\n\n${table(['check', 'critical', 'verdict', 'value or status', 'latency', 'reason'], rows)}\n`;
}

function showValue(c: CheckResult): string {
  if (c.value === undefined) return '—';
  const v = typeof c.value === 'number' ? displayNumber(c.value) : c.value;
  return c.status !== undefined && c.value !== c.status ? `${v} (HTTP ${c.status})` : v;
}

/** One line: the step's failure message when the status is fail-on or worse, otherwise a warning's text. */
export function failureMessage(r: HealthReport, decision: Decision): string {
  const bad = r.checks.filter((c) => c.verdict !== 'PASS').map((c) => `${c.name} ${c.verdict} (${c.reason})`);
  const slow = r.checks.filter((c) => c.verdict === 'PASS' && c.warnings.length > 0).map((c) => c.name);
  const why = r.status === 'CRITICAL' ? r.reasons.filter((x) => x.startsWith('critical check')).join('; ') : `score ${r.score}/100`;
  const step = decision.fail ? `fail-on is ${decision.failOn}` : `the step passes (fail-on: ${decision.failOn})`;
  return `health-gate: ${r.status}, ${why}; ${step}.${slow.length ? ` Passed with warnings (slow or degraded): ${slow.join(', ')}.` : ''}${bad.length ? ` Not passing: ${bad.join(', ')}.` : ''}${r.deadline.hit ? ` Deadline reached while waiting for ${r.deadline.waitingFor.join(', ')}.` : ''}`;
}

/** Replaces every secret (header values, passwords in URLs) in a text with ***. Longest first. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (t) => t;
  const variants = new Set<string>();
  for (const s of list) {
    variants.add(s);
    variants.add(JSON.stringify(s).slice(1, -1));
    variants.add(encodeURIComponent(s));
  }
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of ordered) out = out.split(s).join('***');
    return out;
  };
}

/** Redacts every string inside a JSON-able value (keys and structure untouched, so the JSON stays valid). */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact);
    return out as T;
  }
  return value;
}

import { STATUS_ORDER, type HealthStatus, type Verdict } from './types.js';

export interface Thresholds {
  passScore: number;
  marginalScore: number;
}

export interface Scored {
  name: string;
  verdict: Verdict;
  /** A critical check that ended FAIL or ERROR. */
  criticalFailure: boolean;
  warnings: readonly string[];
}

export interface Score {
  status: HealthStatus;
  /** 0–100; 0 when CRITICAL (as Kayenta: a failed critical metric forces the score to 0). */
  score: number;
  /** passed / counted × 100 before the CRITICAL override, unrounded. */
  ratio: number;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  inconclusive: number;
  /** PASS + FAIL + ERROR: inconclusive checks are left out of the ratio (Kayenta's NODATA). */
  counted: number;
  /** Why the status is what it is, one short sentence each. */
  reasons: string[];
}

/**
 * Seed 002's scoring. CRITICAL when a critical check ended FAIL or ERROR. Otherwise 50 % or more of the checks
 * inconclusive is UNHEALTHY (too little evidence to call it healthy); else score = passed / counted × 100,
 * rounded: HEALTHY at pass-score or more, DEGRADED at marginal-score or more, UNHEALTHY below. A check that
 * passed over its max-latency keeps the status at DEGRADED at best.
 */
export function scoreChecks(checks: readonly Scored[], t: Thresholds): Score {
  const count = (v: Verdict) => checks.filter((c) => c.verdict === v).length;
  const passed = count('PASS');
  const failed = count('FAIL');
  const errored = count('ERROR');
  const inconclusive = count('INCONCLUSIVE');
  const counted = passed + failed + errored;
  const total = checks.length;
  const ratio = counted === 0 ? 0 : (passed / counted) * 100;
  const score = Math.round(ratio);
  const base = { ratio, total, passed, failed, errored, inconclusive, counted };
  const critical = checks.filter((c) => c.criticalFailure);
  if (critical.length > 0) {
    return {
      ...base,
      status: 'CRITICAL',
      score: 0,
      reasons: critical.map((c) => `critical check ${c.name} ended ${c.verdict}`),
    };
  }
  const reasons: string[] = [];
  let status: HealthStatus;
  if (total > 0 && inconclusive * 2 >= total) {
    status = 'UNHEALTHY';
    reasons.push(`${inconclusive} of ${total} checks are inconclusive (50 % or more)`);
  } else if (score >= t.passScore) {
    status = 'HEALTHY';
    reasons.push(`${passed} of ${counted} counted checks passed: ${score} ≥ pass-score ${t.passScore}`);
  } else if (score >= t.marginalScore) {
    status = 'DEGRADED';
    reasons.push(`${passed} of ${counted} counted checks passed: ${score} < pass-score ${t.passScore}`);
  } else {
    status = 'UNHEALTHY';
    reasons.push(`${passed} of ${counted} counted checks passed: ${score} < marginal-score ${t.marginalScore}`);
  }
  const slow = checks.filter((c) => c.verdict === 'PASS' && c.warnings.length > 0);
  if (slow.length > 0 && status === 'HEALTHY') {
    status = 'DEGRADED';
    reasons.push(`over max-latency: ${slow.map((c) => c.name).join(', ')} (at best DEGRADED)`);
  }
  return { ...base, status, score, reasons };
}

export type FailOn = 'critical' | 'unhealthy' | 'degraded' | 'never';
export type RollbackOn = 'critical' | 'unhealthy' | 'degraded' | 'never';

export function rank(status: HealthStatus): number {
  return STATUS_ORDER.indexOf(status);
}

/** Whether `status` is `threshold` or worse; `never` is never reached. */
export function atLeast(status: HealthStatus, threshold: FailOn | RollbackOn): boolean {
  if (threshold === 'never') return false;
  return rank(status) >= rank(threshold.toUpperCase() as HealthStatus);
}

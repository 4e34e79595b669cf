import { STATUS_ORDER, type HealthStatus, type Verdict } from './types.js';

export interface Thresholds {
  passScore: number;
  marginalScore: number;
}

export interface Scored {
  name: string;
  verdict: Verdict;
  /** A critical check that ended FAIL or ERROR on the service's side. */
  criticalFailure: boolean;
  /** Critical checks that could not be measured keep the gate at best DEGRADED. */
  critical?: boolean;
  warnings: readonly string[];
}

export interface Score {
  status: HealthStatus;
  /** 0–100, rounded down (so it never reads as reaching a threshold the ratio missed); 0 when CRITICAL (as Kayenta). */
  score: number;
  /** passed / counted × 100 before the CRITICAL override, unrounded. */
  ratio: number;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  inconclusive: number;
  /** PASS + FAIL + critical ERROR: inconclusive and non-critical errored checks are left out (Kayenta's NODATA). */
  counted: number;
  /** The status comes only from missing evidence (inconclusive or errored measurements): no rollback is requested. */
  inconclusiveOnly: boolean;
  /** Why the status is what it is, one short sentence each. */
  reasons: string[];
}

/**
 * Seed 002's scoring, on exact ratios. CRITICAL when a critical check ended FAIL or ERROR on the service's
 * side. Checks without a measurement (INCONCLUSIVE, or a non-critical ERROR) leave the ratio; when they are
 * half of the checks or more (or nothing was counted) the status is UNHEALTHY for lack of evidence, and
 * `inconclusiveOnly` says no rollback is requested (Argo pauses on inconclusive, it does not abort). Otherwise
 * passed / counted is compared exactly (passed × 100 ≥ pass-score × counted: 79.55 % is not 80 %): HEALTHY,
 * DEGRADED, UNHEALTHY. A check with a warning (over max-latency, over latency-limit, a degraded health
 * answer) or a critical check that could not be measured keeps the status at DEGRADED at best.
 */
export function scoreChecks(checks: readonly Scored[], t: Thresholds): Score {
  const count = (v: Verdict) => checks.filter((c) => c.verdict === v).length;
  const passed = count('PASS');
  const failed = count('FAIL');
  const errored = count('ERROR');
  const inconclusive = count('INCONCLUSIVE');
  const unmeasured = checks.filter((c) => c.verdict === 'INCONCLUSIVE' || (c.verdict === 'ERROR' && !c.criticalFailure));
  const counted = checks.length - unmeasured.length;
  const total = checks.length;
  const ratio = counted === 0 ? 0 : (passed * 100) / counted;
  const score = Math.floor(ratio + 1e-9);
  const base = { ratio, total, passed, failed, errored, inconclusive, counted };
  const critical = checks.filter((c) => c.criticalFailure);
  if (critical.length > 0) {
    return {
      ...base,
      status: 'CRITICAL',
      score: 0,
      inconclusiveOnly: false,
      reasons: critical.map((c) => `critical check ${c.name} ended ${c.verdict}`),
    };
  }
  const reasons: string[] = [];
  let status: HealthStatus;
  let inconclusiveOnly = false;
  const atLeastScore = (threshold: number) => passed * 100 >= threshold * counted;
  const shown = displayRatio(ratio);
  if (total > 0 && (counted === 0 || unmeasured.length * 2 >= total)) {
    status = 'UNHEALTHY';
    // Too little evidence to call it healthy, and none that it is sick: the rollback is left to people.
    inconclusiveOnly = failed === 0 || !(passed * 100 < t.marginalScore * counted);
    reasons.push(`${unmeasured.length} of ${total} checks could not be measured (inconclusive or errored, 50 % or more)`);
  } else if (atLeastScore(t.passScore)) {
    status = 'HEALTHY';
    reasons.push(`${passed} of ${counted} counted checks passed: ${shown} % ≥ pass-score ${t.passScore}`);
  } else if (atLeastScore(t.marginalScore)) {
    status = 'DEGRADED';
    reasons.push(`${passed} of ${counted} counted checks passed: ${shown} % < pass-score ${t.passScore}`);
  } else {
    status = 'UNHEALTHY';
    reasons.push(`${passed} of ${counted} counted checks passed: ${shown} % < marginal-score ${t.marginalScore}`);
  }
  if (unmeasured.length > 0 && status !== 'UNHEALTHY') {
    reasons.push(`left out of the ratio (no measurement): ${unmeasured.map((c) => `${c.name} ${c.verdict}`).join(', ')}`);
  }
  const warned = checks.filter((c) => c.warnings.length > 0);
  if (warned.length > 0 && status === 'HEALTHY') {
    status = 'DEGRADED';
    reasons.push(`warnings (slow or degraded answers): ${warned.map((c) => c.name).join(', ')} (at best DEGRADED)`);
  }
  const blind = unmeasured.filter((c) => c.critical);
  if (blind.length > 0 && status === 'HEALTHY') {
    status = 'DEGRADED';
    reasons.push(`critical check(s) without a measurement: ${blind.map((c) => c.name).join(', ')} (at best DEGRADED)`);
  }
  return { ...base, status, score, inconclusiveOnly, reasons };
}

/** 79.55 stays 79.55 (two decimals at most), so the reason never shows a rounded value that crosses a threshold. */
function displayRatio(ratio: number): string {
  return String(Math.floor(ratio * 100 + 1e-7) / 100);
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
